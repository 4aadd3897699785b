"""The in-memory search index: exact substring search over posts, ranked, with snippets.

Layout. Every title and paragraph is folded (reader.core.normalize) and laid end to end in one
array of character ids, each followed by a separator id, so no character pair spans two
paragraphs. The index is the list of positions of every adjacent character pair (bigram), sorted
by (pair, position): one numpy sort at build time. A term of m >= 2 characters occurs at p exactly
when the pairs at offsets 0, 2, 4, ..., m-2 (and the last one, m-2) occur at p + offset, which is
an intersection of sorted position lists; a one-character term's positions are the slice of all
pairs starting with it (pairs with a separator included). No text is scanned at query time, and
the result set is the same as a substring scan over the folded paragraphs and titles.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from reader.core.model import Post
from reader.core.normalize import code_points, fold_char, has_merging, merging_table, normalize
from reader.core.query import ParsedQuery, parse_query
from reader.core.snippets import Highlighted, excerpt

__all__ = ["Highlighted", "SearchHit", "SearchIndex", "SearchResults", "normalize"]

SortOrder = Literal["score", "date", "readers"]
BM25_K1 = 1.2
BM25_B = 0.75


@dataclass(frozen=True)
class SearchHit:
    """One matching post."""

    post: Post
    score: float
    """BM25 over the query's text terms (0.0 for a query without text terms)."""
    title_match: bool
    """The title contains every text term (such posts are ranked first)."""
    make_snippet: Callable[[], Highlighted] = field(repr=False, compare=False)
    """Builds the snippet; the list shows a few rows of many hits, so it is made on first use."""

    @functools.cached_property
    def snippet(self) -> Highlighted:
        """An excerpt of the body around the best match, matches marked."""
        return self.make_snippet()


@dataclass(frozen=True)
class SearchResults:
    """What one query found: the total and the requested page of hits."""

    query: str
    total: int
    """How many posts match (all of them, not only the page)."""
    hits: list[SearchHit]
    terms: tuple[str, ...]
    """The query's positive text terms, normalised, for highlighting matches in the reading pane."""
    message: str | None = None
    """A problem with the query, explained for the user (the rest of the query still ran)."""


@dataclass
class _TermMatches:
    """Where one folded term occurs: sorted start positions and per-post counts."""

    positions: np.ndarray
    counts: np.ndarray
    """Occurrences per post, title included (overlapping occurrences each count)."""
    title_counts: np.ndarray


class SearchIndex:
    """Exact, ranked substring search over a fixed list of posts."""

    def __init__(self, posts: Sequence[Post], arrays: dict[str, np.ndarray]) -> None:
        self.posts: tuple[Post, ...] = tuple(posts)
        self._a = arrays
        self._alphabet = arrays["alphabet"]
        self._base = len(self._alphabet) + 1
        self._keys = arrays["keys"]
        self._offsets = arrays["offsets"]
        self._positions = arrays["positions"]
        self._doc_start = arrays["doc_start"]
        self._title_end = arrays["title_end"]
        self._seg_start = arrays["seg_start"]
        self._first_seg = arrays["first_seg"]
        self._one_to_one = arrays["one_to_one"]
        self._doc_len = arrays["doc_len"].astype(np.float64)
        self._avg_len = float(self._doc_len.mean()) if len(self.posts) else 1.0
        self._date_key = np.array(
            [p.date.toordinal() if p.date else -1 for p in self.posts], dtype=np.int64
        )
        self._readers_key = np.array(
            [p.readers if p.readers is not None else -1 for p in self.posts], dtype=np.int64
        )
        self._years = np.array([p.date.year if p.date else -1 for p in self.posts], np.int64)
        authors = sorted({normalize(p.author) for p in self.posts})
        code = {a: i for i, a in enumerate(authors)}
        self._authors = authors
        self._author_code = np.array([code[normalize(p.author)] for p in self.posts], np.int64)

    # ---- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, posts: Sequence[Post]) -> SearchIndex:
        """Index `posts` (titles and paragraphs); a few hundred ms for the whole archive."""
        posts = list(posts)
        segments: list[str] = []
        first_seg = np.zeros(len(posts) + 1, dtype=np.int64)
        for i, post in enumerate(posts):
            first_seg[i] = len(segments)
            segments.append(post.title)
            segments.extend(post.paragraphs)
        first_seg[len(posts)] = len(segments)
        codes, alphabet, seg_start, seg_len, one_to_one = _fold_segments(segments)
        arrays = _pair_index(codes, alphabet, seg_start + seg_len)
        pos_type = arrays["positions"].dtype
        doc_start = np.append(seg_start[first_seg[:-1]], len(codes)).astype(pos_type)
        title_end = (seg_start[first_seg[:-1]] + seg_len[first_seg[:-1]]).astype(pos_type)
        doc_len = np.add.reduceat(seg_len, first_seg[:-1]) if posts else np.zeros(0, np.int64)
        arrays.update(
            doc_start=doc_start,
            title_end=title_end,
            seg_start=seg_start.astype(pos_type),
            first_seg=first_seg,
            one_to_one=one_to_one,
            doc_len=doc_len,
        )
        return cls(posts, arrays)

    @property
    def nbytes(self) -> int:
        """Memory held by the index's arrays (the posts themselves not counted)."""
        return sum(a.nbytes for a in self._a.values()) + sum(
            a.nbytes for a in (self._date_key, self._readers_key, self._years, self._author_code)
        )

    # ---- searching ------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        sort: SortOrder = "score",
        limit: int | None = 50,
        offset: int = 0,
    ) -> SearchResults:
        """Posts matching `query` (see reader.core.query for the language), best first.

        Empty query: every post, in `sort` order ("score" falls back to date, newest first).
        `limit=None` returns every hit after `offset`; `limit=0` only counts them.
        """
        if sort not in ("score", "date", "readers"):
            raise ValueError(f"sort must be 'score', 'date' or 'readers', not {sort!r}")
        parsed = parse_query(query)
        message = " ".join(parsed.problems) or None
        terms = parsed.positive_terms
        mask = self._filter_mask(parsed)
        matches: dict[str, _TermMatches] = {}

        def term(text: str) -> _TermMatches:
            if text not in matches:
                matches[text] = self._find(text)
            return matches[text]

        for text in parsed.terms:
            if mask.any():
                mask &= term(text).counts > 0
        for text in parsed.title_terms:
            if mask.any():
                mask &= term(text).title_counts > 0
        for text in parsed.excluded:
            if mask.any():
                mask &= term(text).counts == 0
        for text in parsed.excluded_title:
            if mask.any():
                mask &= term(text).title_counts == 0
        docs = np.flatnonzero(mask)
        scores = np.zeros(len(docs))
        in_title = np.zeros(len(docs), dtype=bool)
        if terms and len(docs):
            in_title[:] = True
            for text in terms:
                found = term(text)
                scores += self._bm25(found.counts, docs)
                in_title &= found.title_counts[docs] > 0
        order = self._order(docs, scores, in_title, sort if terms else _no_score(sort))
        stop = None if limit is None else offset + max(limit, 0)
        page = order[offset:stop]
        snippets = self._snippets(docs[page], parsed, {t: term(t) for t in parsed.terms})
        hits = [
            SearchHit(self.posts[d], float(scores[i]), bool(in_title[i]), snip)
            for i, d, snip in zip(page.tolist(), docs[page].tolist(), snippets, strict=True)
        ]
        return SearchResults(query, len(docs), hits, terms, message)

    def _filter_mask(self, parsed: ParsedQuery) -> np.ndarray:
        mask = np.ones(len(self.posts), dtype=bool)
        if parsed.authors or parsed.excluded_authors:
            ok = [
                all(a in name for a in parsed.authors)
                and not any(a in name for a in parsed.excluded_authors)
                for name in self._authors
            ]
            mask &= np.array(ok, dtype=bool)[self._author_code]
        for years in parsed.years:
            mask &= self._year_mask(years.first, years.last)
        for years in parsed.excluded_years:
            mask &= ~self._year_mask(years.first, years.last) & (self._years >= 0)
        return mask

    def _year_mask(self, first: int | None, last: int | None) -> np.ndarray:
        mask = self._years >= (first if first is not None else 0)
        if last is not None:
            mask &= self._years <= last
        return mask

    def _bm25(self, counts: np.ndarray, docs: np.ndarray) -> np.ndarray:
        n = len(self.posts)
        df = int(np.count_nonzero(counts))
        idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        tf = counts[docs].astype(np.float64)
        norm = BM25_K1 * (1.0 - BM25_B + BM25_B * self._doc_len[docs] / self._avg_len)
        return idf * tf * (BM25_K1 + 1.0) / (tf + norm)

    def _order(
        self, docs: np.ndarray, scores: np.ndarray, in_title: np.ndarray, sort: str
    ) -> np.ndarray:
        """Positions into `docs`, best first; ties keep the posts' own order."""
        date = self._date_key[docs]
        if sort == "score":
            return np.lexsort((-date, -scores, ~in_title))
        if sort == "date":
            return np.lexsort((-scores, -date))
        return np.lexsort((-date, -self._readers_key[docs]))

    def _find(self, text: str) -> _TermMatches:
        """All occurrences of a folded term."""
        positions = self._term_positions(text)
        counts, title_counts = self._count_per_post(positions)
        return _TermMatches(positions, counts, title_counts)

    def _term_positions(self, text: str) -> np.ndarray:
        empty = np.zeros(0, dtype=self._positions.dtype)
        if not text:
            return empty
        code_points = np.array([ord(c) for c in text], dtype=np.int64)
        ids = np.searchsorted(self._alphabet, code_points)
        if (ids >= len(self._alphabet)).any() or (self._alphabet[ids] != code_points).any():
            return empty
        if len(ids) == 1:
            return np.sort(self._pair_slice(ids[0] * self._base, (ids[0] + 1) * self._base))
        offsets = list(range(0, len(ids) - 1, 2))
        if offsets[-1] != len(ids) - 2:
            offsets.append(len(ids) - 2)
        lists = []
        for at in offsets:
            key = ids[at] * self._base + ids[at + 1]
            found = self._pair_slice(key, key + 1)
            if not len(found):
                return empty
            lists.append((len(found), at, found))
        lists.sort(key=lambda item: item[0])
        _, first_at, first = lists[0]
        starts = first[first >= first_at] - first.dtype.type(first_at)
        for _, at, found in lists[1:]:
            if not len(starts):
                break
            wanted = starts + starts.dtype.type(at)
            where = np.searchsorted(found, wanted)
            where[where == len(found)] = len(found) - 1
            starts = starts[found[where] == wanted]
        return starts

    def _pair_slice(self, low_key: int, high_key: int) -> np.ndarray:
        """Positions of the pairs whose key is in [low_key, high_key), sorted within each key."""
        bounds = np.array([low_key, high_key], dtype=self._keys.dtype)
        low, high = np.searchsorted(self._keys, bounds)
        return self._positions[self._offsets[low] : self._offsets[high]]

    def _count_per_post(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.posts)
        if len(positions) * 8 < n:
            docs = np.searchsorted(self._doc_start, positions, side="right") - 1
            counts = np.bincount(docs, minlength=n)
            in_title = positions < self._title_end[docs]
            return counts, np.bincount(docs[in_title], minlength=n)
        bounds = np.searchsorted(positions, self._doc_start)
        title = np.searchsorted(positions, self._title_end)
        return np.diff(bounds), title - bounds[:-1]

    # ---- snippets -------------------------------------------------------------------------

    def _snippets(
        self, docs: np.ndarray, parsed: ParsedQuery, matches: dict[str, _TermMatches]
    ) -> list[Callable[[], Highlighted]]:
        """For each post, how to make an excerpt around the first body match of its rarest
        matching term (the anchors are found for the whole page at once)."""
        terms = sorted(matches, key=lambda t: (np.count_nonzero(matches[t].counts), -len(t)))
        anchors = np.full(len(docs), -1, dtype=np.int64)
        body_start = self._title_end[docs] + self._title_end.dtype.type(1)
        doc_end = self._doc_start[docs + 1].astype(np.int64)
        for text in terms:
            positions = matches[text].positions
            todo = anchors < 0
            if not len(positions) or not todo.any():
                continue
            where = np.searchsorted(positions, body_start[todo])
            inside = where < len(positions)
            first = np.full(len(where), -1, dtype=np.int64)
            first[inside] = positions[where[inside]]
            first[first >= doc_end[todo]] = -1
            anchors[todo] = first
        highlight = parsed.positive_terms
        segs = np.searchsorted(self._seg_start, anchors.astype(self._seg_start.dtype), "right") - 1
        seg_offsets = anchors - self._seg_start[segs]
        return [
            functools.partial(self._excerpt, d, seg if anchor >= 0 else -1, at, highlight)
            for d, anchor, seg, at in zip(
                docs.tolist(), anchors.tolist(), segs.tolist(), seg_offsets.tolist(), strict=True
            )
        ]

    def _excerpt(self, doc: int, seg: int, at: int, terms: tuple[str, ...]) -> Highlighted:
        """The snippet of post `doc` around folded offset `at` of segment `seg` (-1: none)."""
        post = self.posts[doc]
        first_seg = int(self._first_seg[doc])
        if seg < 0:  # no body match (title or filters only): the post's opening
            if not post.paragraphs:
                return Highlighted("")
            seg, at = first_seg + 1, None
        paragraph = post.paragraphs[seg - first_seg - 1]
        return excerpt(paragraph, terms, at, one_to_one=bool(self._one_to_one[seg]))


def _no_score(sort: str) -> str:
    return "date" if sort == "score" else sort


def _fold_segments(
    segments: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fold every segment and lay them out as code points, each followed by a separator.

    Returns (codes, alphabet, segment starts, folded lengths, folds-one-to-one flags). Folding
    is done per distinct character with a lookup table, the whole archive in a few array passes.
    """
    if not segments:
        return _no_segments()
    original_len = np.fromiter(map(len, segments), dtype=np.int64, count=len(segments))
    joined = "\x00".join(segments) + "\x00"
    codes = code_points(joined)
    present = np.flatnonzero(np.bincount(codes))
    folds = [fold_char(chr(cp)) for cp in present.tolist()]
    lengths = np.fromiter(map(len, folds), dtype=np.int64, count=len(folds))
    if (
        merging_table()[present].any()
        or joined.count("\x00") != len(segments)
        or (lengths == 0).any()
    ):
        return _fold_segments_one_by_one(segments, original_len)
    first = np.zeros(int(present[-1]) + 1, dtype=np.uint32)
    first[present] = [ord(f[0]) for f in folds]
    folded = first[codes]
    if (lengths > 1).any():
        size = np.zeros(len(first), dtype=np.int64)
        size[present] = lengths
        per_char = size[codes]
        grown = np.flatnonzero(per_char > 1)
        extra = per_char[grown] - 1
        folded = np.repeat(folded, per_char)
        grown_at = grown + np.cumsum(extra) - extra
        spelled = dict(zip(present.tolist(), folds, strict=True))
        grown_codes = codes[grown]
        for cp in np.unique(grown_codes).tolist():
            where = grown_at[grown_codes == cp]
            for k, char in enumerate(spelled[cp][1:], start=1):
                folded[where + k] = ord(char)
    alphabet = np.unique(np.fromiter((ord(c) for f in folds for c in f), dtype=np.int64))
    ends = np.flatnonzero(folded == 0)
    if len(ends) != len(segments):  # a character folded to NUL: never in Unicode 15, but be exact
        return _fold_segments_one_by_one(segments, original_len)
    seg_start = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    seg_len = ends - seg_start
    # NUL occurs only as the separator here (checked above), so it is no character of the text.
    return folded, alphabet[alphabet != 0], seg_start, seg_len, seg_len == original_len


def _no_segments() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    empty = np.zeros(0, dtype=np.int64)
    return np.zeros(0, dtype=np.uint32), empty, empty, empty, np.zeros(0, dtype=bool)


def _fold_segments_one_by_one(
    segments: list[str], original_len: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The exact path for text with merging characters (combining accents and the like)."""
    pieces = [normalize(s) for s in segments]
    seg_len = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    ends = np.cumsum(seg_len + 1) - 1
    seg_start = ends - seg_len
    codes = code_points("\x00".join(pieces) + "\x00").copy()
    inner = np.ones(len(codes), dtype=bool)
    inner[ends] = False
    alphabet = np.unique(codes[inner]).astype(np.int64)
    one_to_one = (seg_len == original_len) & np.array(
        [not has_merging(s) for s in segments], dtype=bool
    )
    return codes, alphabet, seg_start, seg_len, one_to_one


def _pair_index(
    codes: np.ndarray, alphabet: np.ndarray, separators: np.ndarray
) -> dict[str, np.ndarray]:
    """The sorted (pair, position) index of the folded text; `separators` are the positions
    that end each segment (they get the highest character id, so no pair crosses them)."""
    base = len(alphabet) + 1
    id_type = np.uint16 if base <= 0xFFFF else np.uint32
    lookup = np.full(int(codes.max(initial=0)) + 1, base - 1, dtype=id_type)
    lookup[alphabet] = np.arange(len(alphabet), dtype=id_type)
    ids = lookup[codes]
    ids[separators] = base - 1
    del lookup
    n_pairs = max(len(codes) - 1, 0)
    pos_type = np.uint32 if len(codes) < 2**32 - 64 else np.uint64
    pos_bits = max(int(n_pairs).bit_length(), 1)
    key_bits = int(base * base).bit_length()
    if pos_bits + key_bits <= 64:
        packed = ids[:-1].astype(np.uint64)
        packed *= np.uint64(base)
        packed += ids[1:]
        packed <<= np.uint64(pos_bits)
        packed |= np.arange(n_pairs, dtype=np.uint64)
        packed.sort()
        positions = (packed & np.uint64((1 << pos_bits) - 1)).astype(pos_type)
        packed >>= np.uint64(pos_bits)
        keys = packed
    else:  # an alphabet of over 2**20 distinct characters with a huge text: slower but exact
        pair_keys = ids[:-1].astype(np.uint64) * np.uint64(base) + ids[1:]
        order = np.argsort(pair_keys, kind="stable")
        positions = order.astype(pos_type)
        keys = pair_keys[order]
    # Pairs starting with a separator sort last (the separator has the highest id): drop them.
    n_real = int(np.searchsorted(keys, np.uint64((base - 1) * base)))
    keys = keys[:n_real]
    positions = positions[:n_real]
    if n_real:
        starts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        starts = np.concatenate(([0], starts))
    else:
        starts = np.zeros(0, dtype=np.int64)
    key_type = np.uint32 if base * base < 2**32 else np.uint64
    return {
        "alphabet": alphabet,
        "keys": keys[starts].astype(key_type),
        "offsets": np.append(starts, n_real).astype(pos_type),
        "positions": positions,
    }
