"""What the search index knows about one term: its posts and counts, either all counted at once
(`CountedTerm`) or, for a term with very many candidate occurrences, checked only as far as a
search needs (`CheckedOnDemand`): which posts hold it, and exact counts for the posts that can
reach the page shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

EXISTENCE_ROUNDS = 2
"""Steps of candidates tried per post when asking whether a post holds a term (its first one,
then the next four); the posts still undecided after that have all their candidates checked."""


@dataclass
class CountedTerm:
    """Every occurrence counted: per-post counts, and sorted start positions when known."""

    positions: np.ndarray | None
    """None when counted per post without positions (a frequent character, or a word term)."""
    counts: np.ndarray
    """Occurrences per post, title included (overlapping occurrences each count)."""
    title_counts: np.ndarray
    present: np.ndarray = field(init=False)
    in_title: np.ndarray = field(init=False)
    df: int = field(init=False)

    lazy = False

    def __post_init__(self) -> None:
        self.present = self.counts > 0
        self.in_title = self.title_counts > 0
        self.df = int(np.count_nonzero(self.present))

    def tf(self, docs: np.ndarray) -> np.ndarray:
        """Exact occurrences in these posts."""
        return self.counts[docs]

    tf_upper = tf


class CheckedOnDemand:
    """A term whose candidates (the positions of its rarest character pair) are checked only
    where needed: enough of each post's to know whether the post holds the term, and all of
    them for the posts whose exact count a search asks for. Same answers as counting
    everything (tests/core/test_index_on_demand.py forces this path)."""

    lazy = True
    positions = None

    def __init__(
        self,
        candidates: np.ndarray,
        check: Callable[[np.ndarray], np.ndarray],
        posts: PostLocator,
        ranges: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """`candidates` are sorted text positions, `check` says which of some candidates are
        real occurrences (a boolean mask). `ranges`, when known, are per post where its
        candidates start, where its title's end and where its own end (indices into
        `candidates`); else the candidates are placed in the posts."""
        self._candidates = candidates
        self._check = check
        self._first, self._title_end, self._end = ranges or posts.ranges(candidates)
        self._counts = np.full(len(self._first), -1, dtype=np.int64)  # -1: not counted yet
        self.present = self._holds(self._first, self._end)
        self.in_title = self._holds(self._first, self._title_end)
        self.df = int(np.count_nonzero(self.present))

    def tf(self, docs: np.ndarray) -> np.ndarray:
        """Exact occurrences in these posts (their candidates are all checked, once)."""
        todo = docs[self._counts[docs] < 0]
        if len(todo):
            at, owner = _ranges(self._first[todo], self._end[todo])
            real = self._check(self._candidates[at])
            self._counts[todo] = np.bincount(owner[real], minlength=len(todo))
        return self._counts[docs]

    def tf_upper(self, docs: np.ndarray) -> np.ndarray:
        """At least the occurrences in these posts: their candidates."""
        return self._end[docs] - self._first[docs]

    def first_at_or_after(self, docs: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """For each post, its first occurrence at or after the given position (-1 if none)."""
        low = np.searchsorted(self._candidates, starts.astype(self._candidates.dtype))
        at, owner = _ranges(np.maximum(low, self._first[docs]), self._end[docs])
        real = self._check(self._candidates[at])
        first = np.full(len(docs), -1, dtype=np.int64)
        found = np.flatnonzero(real)  # in order, post by post
        posts = owner[found]
        firsts = np.flatnonzero(np.diff(posts, prepend=-1))
        first[posts[firsts]] = self._candidates[at[found[firsts]]]
        return first

    def _holds(self, first: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Per post, whether one of its candidates in [first, end) is real: its first candidate,
        then the next few of the posts not yet decided, then all the rest of theirs (most real
        occurrences are found in the first step; each step is one check of many candidates)."""
        holds = np.zeros(len(first), dtype=bool)
        todo = np.flatnonzero(end > first)
        at = first[todo]
        for step in [4**k for k in range(EXISTENCE_ROUNDS)] + [None]:
            if not len(todo):
                break
            stop = end[todo] if step is None else np.minimum(at + step, end[todo])
            where, owner = _ranges(at, stop)
            real = self._check(self._candidates[where])
            holds[todo[owner[real]]] = True
            more = ~holds[todo] & (stop < end[todo])
            todo, at = todo[more], stop[more]
        return holds

def _ranges(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index in each [low[i], high[i]) end to end, and the i each one came from."""
    lengths = np.maximum(high - low, 0).astype(np.int64)
    total = int(lengths.sum())
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    starts = np.cumsum(lengths) - lengths
    at = np.arange(total, dtype=np.int64) - starts[owner] + low.astype(np.int64)[owner]
    return at, owner


class PostLocator:
    """How many of many sorted text positions lie in each post and in its title: one binary
    search per post start and title end, interleaved. (A block table placing each position
    with two lookups was tried and dropped: 22 ms against 5 ms for a million positions in
    50,000 posts, its gathers missing the cache where the binary searches do not.)"""

    def __init__(self, doc_start: np.ndarray, title_end: np.ndarray) -> None:
        self._bounds = np.empty(2 * len(title_end) + 1, dtype=doc_start.dtype)
        self._bounds[0::2] = doc_start
        self._bounds[1::2] = title_end

    @property
    def nbytes(self) -> int:
        return self._bounds.nbytes

    def counts(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per post, how many of the positions lie in it and how many in its title."""
        bounds = np.searchsorted(positions, self._bounds)
        starts = bounds[0:-1:2]
        return bounds[2::2] - starts, bounds[1::2] - starts

    def ranges(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per post, where its positions start, where its title's end and where its own end,
        as indices into the sorted `positions`."""
        bounds = np.searchsorted(positions, self._bounds)
        return bounds[0:-1:2], bounds[1::2], bounds[2::2]
