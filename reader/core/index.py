"""The in-memory search index: exact substring search over posts, ranked, with snippets.

Layout (built by reader.core.index_build). Every title and paragraph is folded
(reader.core.normalize) and laid end to end as an array of character ids, each followed by a
separator id, so no character pair spans two paragraphs. The index is the list of positions of
every adjacent character pair (bigram), sorted by (pair, position): one numpy sort at build time,
kept in 16 bits each: as gaps, or for a pair with four or more positions per post as offsets in
the post plus its count in each post (a "dense" pair: its counts are read, not computed). Next
to it, one byte per character of the text: letters, digits, the backslash, braces and the most
frequent other characters have their own code (255 in all), the others share one. How a term is
found:
- one character: the slice of all pairs starting with it plus the paragraphs ending with it, or
  for a frequent one the posts holding it and how often (kept per character at build time), so
  no query sorts hundreds of thousands of positions;
- letters, digits and backslashes only (`softmax`, `\frac`), or a command with its argument
  (`\boldsymbol{x}`): summed over the few (glued) words of the word table holding it
  (reader.core.index_words);
- two characters: the positions of their pair (and for a dense pair its counts per post);
- otherwise the positions of its rarest pair, shifted by the pair's offset, are candidates; the
  codes of the term's characters are gathered at candidate + offset and compared, and a character
  without a code of its own is confirmed by binary search in a pair list holding it. Terms with
  very many candidates are checked only as far as the page needs
  (reader.core.index_terms.CheckedOnDemand).
The result set is the same as a substring scan over the folded titles and paragraphs, and a page
is the start of the fully counted order (tests/core/test_index*.py check both)."""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reader.core.index_build import build_arrays
from reader.core.index_terms import CheckedOnDemand, CountedTerm, PostLocator
from reader.core.index_words import WordTable
from reader.core.model import Post
from reader.core.normalize import normalize
from reader.core.query import ParsedQuery, parse_query
from reader.core.snippets import CONTEXT_BEFORE, SNIPPET_CHARS, Highlighted, excerpt

__all__ = ["Highlighted", "SearchHit", "SearchIndex", "SearchResults", "normalize"]

SortOrder = Literal["score", "date", "readers"]
BM25_K1 = 1.2
BM25_B = 0.75
CHECK_BLOCK = 16384
"""Candidates checked together against the text's codes: reading a candidate's first code misses
the cache, its next codes then hit it (at 50,000 posts, 318,000 candidates of a four-character
term: 8.9 ms checked whole, 4.3 ms in blocks)."""
ON_DEMAND_CANDIDATES = 60000
"""A term of three or more characters with more candidate positions than this plus
ON_DEMAND_PER_POST per post is checked only as far as a search needs
(reader.core.index_terms.CheckedOnDemand) instead of everywhere: that costs about two checks per
post plus the posts that can reach the page, and a millisecond or so of steps, which pays off
from about this many candidates. Measured on the generated corpora: at 1,500 posts the densest
terms (30,000-37,000 candidates) are faster checked everywhere; at 50,000 posts, terms of about
a million candidates went from a p99 of 52-57 ms to 26-29 ms on demand, and with the pairs'
ranges read from dense pairs, taking terms of 260,000-440,000 candidates on demand too (this
value and four per post, from 40,000 and eight) took the narrow corpus's p99 from 18.6 to 15.6
ms, the wide one's from 14.1 to 13.7 (90 queries, 3 runs each, one process)."""
ON_DEMAND_PER_POST = 4
"""See ON_DEMAND_CANDIDATES."""
PLACE_UNDER_POSTS = 10000
"""Below this many posts, when many candidates from a dense pair (two per post or more) do not
hold the term, the real ones are placed in their posts by binary search instead of counted in the
pair's ranges with a running sum: the 2 x posts searches stay in the cache (1,500 posts, 30,000
candidates: 0.57 against 0.70 ms per term); at 50,000 posts reading the ranges wins (3.4 against
about 2 ms). With fewer such candidates, only those are placed (SearchIndex._counted_dense)."""
GROUPED_PIVOTS = 8
"""A snippet of several terms is placed where most of them lie together, looking around this
many of the first term's first matches in the post (see SearchIndex._grouped_anchor)."""
RECENT_TERMS = 16
"""Terms whose matches are remembered between searches (a few MB at most for this archive)."""


class SearchHit:
    """One matching post. A plain slotted class: a search makes a page of these per keystroke."""

    __slots__ = ("_page", "_slot", "_snippet", "post", "score", "title_match")

    def __init__(
        self, post: Post, score: float, title_match: bool, page: _SnippetPage, slot: int
    ) -> None:
        self.post = post
        self.score = score
        """BM25 over the query's text terms (0.0 for a query without text terms)."""
        self.title_match = title_match
        """The title contains every text term (such posts are ranked first)."""
        # The list shows a few rows of many hits, so a snippet is made when asked, by the page.
        self._page = page
        self._slot = slot
        self._snippet: Highlighted | None = None

    @property
    def snippet(self) -> Highlighted:
        """An excerpt of the body around the best match, matches marked."""
        if self._snippet is None:
            self._snippet = self._page.snippet(self._slot)
        return self._snippet

    def __repr__(self) -> str:
        return f"SearchHit({self.post.id!r}, score={self.score:.3f}, title={self.title_match})"


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


_Term = CountedTerm | CheckedOnDemand


class SearchIndex:
    """Exact, ranked substring search over a fixed list of posts."""

    def __init__(self, posts: Sequence[Post], arrays: dict[str, np.ndarray]) -> None:
        self.posts: tuple[Post, ...] = tuple(posts)
        # The codes as bytes the array reads, so that a snippet looks for a term's codes in a
        # post with find() where they lie instead of copying the post's codes first (2 us a
        # snippet): a built index's own (see index_build._byte_codes), a loaded one's copied
        # (2.5 ms at 1,500 posts).
        codes = arrays["codes"]
        owner = codes.base.obj if isinstance(codes.base, memoryview) else None
        self._codes_copied = False
        if isinstance(owner, bytearray) and len(owner) == codes.nbytes:
            self._code_bytes: bytes | bytearray = owner
        else:
            self._code_bytes = codes.tobytes()
            shared = np.frombuffer(self._code_bytes, dtype=np.uint8)
            if shared.ctypes.data % 8 == 0:  # else reading them as 64-bit words is slow
                arrays = dict(arrays, codes=shared)
            else:
                self._codes_copied = True
        self._a = arrays
        self._alphabet = arrays["alphabet"]
        self._base = len(self._alphabet) + 1
        self._keys = arrays["keys"]
        self._offsets = arrays["offsets"]
        self._first = arrays["first"]
        self._gaps = arrays["gaps"]
        self._wide_gaps = arrays["wide_gaps"]
        self._wide_before = arrays["wide_before"]
        self._codes = arrays["codes"]
        self._code_words = self._codes.view("<u8")  # eight codes at a time, no copy
        self._n_chars = int(arrays["seg_start"][-1]) if len(arrays["seg_start"]) else 0
        self._code_of_id = arrays["code_of_id"]
        self._shared_code = int(self._code_of_id[-1]) if len(self._code_of_id) else 0
        self._code_of_char = {
            chr(cp): code
            for cp, code in zip(self._alphabet.tolist(), self._code_of_id.tolist(), strict=False)
            if code != self._shared_code
        }
        self._id_of_char = {chr(cp): i for i, cp in enumerate(self._alphabet.tolist())}
        self._sources: dict[str, str] = {}
        for folded, original in arrays["fold_sources"].T.tolist():
            self._sources[chr(folded)] = self._sources.get(chr(folded), "") + chr(original)
        self._doc_start = arrays["doc_start"]
        self._title_end = arrays["title_end"]
        self._seg_start = arrays["seg_start"]
        self._post_locator = PostLocator(self._doc_start, self._title_end)
        self._dense_rank = {int(k): r for r, k in enumerate(arrays["dense_pairs"].tolist())}
        self._dense_pairs = arrays["dense_pairs"]
        self._dense_rows = arrays["dense_rows"]
        self._block_start = arrays["block_start"]
        self._first_block = np.searchsorted(self._block_start, self._doc_start[:-1])
        self._seg_starts = memoryview(self._seg_start)  # Python ints, for bisect on one value
        self._seg_last_char = arrays["seg_last_char"]
        self._first_seg = arrays["first_seg"]
        self._title_chars = arrays["title_chars"]
        self._title_offsets = arrays["title_offsets"]
        self._dense_titles = self._dense_title_counts()
        self._char_counted = arrays["char_counted"]
        self._char_offsets = arrays["char_offsets"]
        self._char_posts = arrays["char_posts"]
        self._char_post_counts = arrays["char_post_counts"]
        self._merging_free = bool(arrays["merging_free"])
        self._doc_one_to_one = arrays["doc_one_to_one"]
        self._words = WordTable(arrays, len(self.posts))
        doc_len = arrays["doc_len"].astype(np.float64)
        avg_len = float(doc_len.mean()) if doc_len.any() else 1.0  # else nothing ever matches
        # BM25's length normalisation of each post, the part of its score that is no term's.
        self._bm25_norm = BM25_K1 * (1.0 - BM25_B + BM25_B * doc_len / avg_len)
        self._date_key = np.array(
            [p.date.toordinal() if p.date else -1 for p in self.posts], dtype=np.int64
        )
        self._readers_key = np.array(
            [p.readers if p.readers is not None else -1 for p in self.posts], dtype=np.int64
        )
        self._years = np.array([p.date.year if p.date else -1 for p in self.posts], np.int64)
        # Posts share a few authors: each spelling is folded once (3,000 folds took 4 ms).
        folded = {author: normalize(author) for author in {p.author for p in self.posts}}
        authors = sorted(set(folded.values()))
        code = {a: i for i, a in enumerate(authors)}
        self._authors = authors
        self._author_code = np.array([code[folded[p.author]] for p in self.posts], np.int64)
        # Typing "boldsymbol k", "boldsymbol ke", ... repeats terms: keep the last ones found.
        self._recent: OrderedDict[str, _Term] = OrderedDict()
        self._recent_lock = threading.Lock()

    # ---- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, posts: Sequence[Post]) -> SearchIndex:
        """Index `posts` (titles and paragraphs): 0.36-0.82 s for 25 MB on two cores
        (docs/benchmarks.md)."""
        posts = list(posts)
        return cls(posts, build_arrays(posts))

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays the index was built as (reader.core.index_build): with the same posts,
        SearchIndex(posts, arrays) is the same index (reader.core.index_cache keeps them)."""
        return self._a

    @property
    def nbytes(self) -> int:
        """Memory held by the index's arrays (the posts themselves not counted)."""
        derived = (
            self._bm25_norm,
            self._date_key,
            self._readers_key,
            self._years,
            self._author_code,
            self._first_block,
            *self._dense_titles,
        )
        tables = sum(a.nbytes for a in self._a.values()) + sum(a.nbytes for a in derived)
        copied = len(self._code_bytes) if self._codes_copied else 0
        return tables + self._post_locator.nbytes + copied

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
        matches: dict[str, _Term] = {}

        def term(text: str) -> _Term:
            if text not in matches:
                matches[text] = self._remembered(text)
            return matches[text]

        for text in parsed.terms:
            if mask.any():
                mask &= term(text).present
        for text in parsed.title_terms:
            if mask.any():
                mask &= term(text).in_title
        for text in parsed.excluded:
            if mask.any():
                mask &= ~term(text).present
        for text in parsed.excluded_title:
            if mask.any():
                mask &= ~term(text).in_title
        docs = np.flatnonzero(mask)
        stop = None if limit is None else offset + max(limit, 0)
        scores = np.zeros(len(docs))
        in_title = np.zeros(len(docs), dtype=bool)
        ranked = None  # positions into docs of the posts whose exact score the page needs; all
        if terms and len(docs):
            found = [term(text) for text in terms]
            in_title[:] = True
            for one in found:
                in_title &= one.in_title[docs]
            if stop is not None and stop < len(docs) and any(one.lazy for one in found):
                ranked = self._can_reach_page(docs, found, in_title, sort, stop)
            if ranked is None:  # no copies of every matching post's entries: most searches
                for one in found:
                    scores += self._bm25(one.tf(docs), docs, one.df)
            else:
                ranked_docs = docs[ranked]
                for one in found:
                    scores[ranked] += self._bm25(one.tf(ranked_docs), ranked_docs, one.df)
        sort_by = sort if terms else _no_score(sort)
        if ranked is None:
            order = self._order(docs, scores, in_title, sort_by, stop)
        else:
            order = ranked[
                self._order(docs[ranked], scores[ranked], in_title[ranked], sort_by, stop)
            ]
        page = order[offset:stop]
        snippets = self._snippets(docs[page], parsed, {t: term(t) for t in parsed.terms})
        posts = self.posts
        hits = [
            SearchHit(posts[d], score, title, snippets, slot)
            for slot, (d, score, title) in enumerate(
                zip(snippets.docs, scores[page].tolist(), in_title[page].tolist(), strict=True)
            )
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

    def _bm25(self, tf: np.ndarray, docs: np.ndarray, df: int) -> np.ndarray:
        n = len(self.posts)
        idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        tf = tf.astype(np.float64)
        norm = self._bm25_norm[docs]
        return idf * tf * (BM25_K1 + 1.0) / (tf + norm)

    def _can_reach_page(
        self, docs: np.ndarray, found: list[_Term], in_title: np.ndarray, sort: str, needed: int
    ) -> np.ndarray:
        """Positions into `docs` (ascending) of the posts that can be among the first `needed`;
        the others never need exact counts. By date or readers: the posts reaching the page's
        key. By score: BM25 grows with the count, so a term's candidates per post bound its
        score from above; posts are counted exactly from the best bound down, in growing
        batches, until the `needed`-th best exact score is above every bound left."""
        if needed <= 0:  # only the total is asked for
            return np.zeros(0, dtype=np.int64)
        if sort != "score":
            key = (self._date_key if sort == "date" else self._readers_key)[docs]
            return np.flatnonzero(key >= np.partition(key, len(docs) - needed)[len(docs) - needed])
        high = sum(self._bm25(one.tf_upper(docs), docs, one.df) for one in found)
        group = float(high.max(initial=0.0)) + 1.0
        high = high + in_title * group
        left = np.arange(len(docs))  # not counted yet
        counted, exact = [], np.empty(0)
        batch = 4 * needed
        while len(left):
            if len(left) > batch:  # the best `batch` bounds left, without sorting them all
                best = np.argpartition(-high[left], batch - 1)
                take, left = left[best[:batch]], left[best[batch:]]
            else:
                take, left = left, left[:0]
            scores = in_title[take] * group
            for one in found:
                scores = scores + self._bm25(one.tf(docs[take]), docs[take], one.df)
            exact = np.concatenate((exact, scores))
            counted.append(take)
            batch *= 2
            if len(exact) >= needed:
                kth = np.partition(exact, len(exact) - needed)[len(exact) - needed]
                if not len(left) or high[left].max() < kth:
                    break
        return np.sort(np.concatenate(counted))

    def _order(
        self,
        docs: np.ndarray,
        scores: np.ndarray,
        in_title: np.ndarray,
        sort: str,
        needed: int | None,
    ) -> np.ndarray:
        """Positions into `docs`, best first (at least the first `needed` of them in order);
        ties keep the posts' own order."""
        if sort == "score":
            # Scores are >= 0, so this one number orders by (title group, score).
            primary = scores
            if in_title.any():
                primary = scores + in_title * (float(scores.max(initial=0.0)) + 1.0)
        elif sort == "date":
            primary = self._date_key[docs].astype(np.float64)
        else:
            primary = self._readers_key[docs].astype(np.float64)
        if needed is not None and 0 < needed < len(docs) // 4:
            # Only the page is shown: rank the posts whose primary key reaches the page's last
            # one (ties included, so the order is the same as a full sort), not all of them.
            cut = np.partition(primary, len(docs) - needed)[len(docs) - needed]
            keep = (primary >= cut).nonzero()[0]
            secondary = self._secondary_key(sort, docs[keep], scores[keep])
            return keep[np.lexsort((-secondary, -primary[keep]))]
        return np.lexsort((-self._secondary_key(sort, docs, scores), -primary))

    def _secondary_key(self, sort: str, docs: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """What breaks ties of the sort's own key: the date (newest first), or by date the
        score."""
        return scores if sort == "date" else self._date_key[docs]

    def forget_recent_terms(self) -> None:
        """Drop the remembered term matches (benchmarks time queries without them)."""
        with self._recent_lock:
            self._recent.clear()

    def _remembered(self, text: str) -> _Term:
        """The matches of a term, from the last RECENT_TERMS terms searched when possible."""
        with self._recent_lock:
            found = self._recent.get(text)
            if found is not None:
                self._recent.move_to_end(text)
                return found
        found = self._find(text)
        with self._recent_lock:
            self._recent[text] = found
            while len(self._recent) > RECENT_TERMS:
                self._recent.popitem(last=False)
        return found

    def _find(self, text: str) -> _Term:
        """All occurrences of a folded term."""
        ids = self._ids(text)
        if ids is not None and len(ids) == 1 and self._char_counted[ids[0]]:
            char = int(ids[0])
            low, high = int(self._char_offsets[char]), int(self._char_offsets[char + 1])
            counts = np.zeros(len(self.posts), dtype=np.int64)
            counts[self._char_posts[low:high]] = self._char_post_counts[low:high]
            in_titles = np.flatnonzero(self._title_chars == char)
            docs = np.searchsorted(self._title_offsets, in_titles, side="right") - 1
            return CountedTerm(None, counts, np.bincount(docs, minlength=len(self.posts)))
        if ids is not None and self._words.applies_to(text):
            counted = self._words.counts(text)
            if counted is not None:
                return CountedTerm(None, *counted)
        candidates, check, source = self._candidates(ids)
        many = ON_DEMAND_CANDIDATES + ON_DEMAND_PER_POST * len(self.posts)
        if check is not None and len(candidates) > many:
            ranges = None if source is None else self._dense_ranges(candidates, *source)
            return CheckedOnDemand(candidates, check, self._post_locator, ranges)
        if check is None:
            if source is None:
                return CountedTerm(candidates, *self._count_per_post(candidates))
            first, title_end, end = self._dense_ranges(candidates, *source)
            return CountedTerm(candidates, end - first, title_end - first)  # the pair's counts
        real = check(candidates)
        if source is None:
            positions = candidates[real]
            return CountedTerm(positions, *self._count_per_post(positions))
        return self._counted_dense(candidates, real, source)

    def _counted_dense(
        self, candidates: np.ndarray, real: np.ndarray, source: tuple[int, int, int]
    ) -> CountedTerm:
        """A term's occurrences counted from candidates of a dense pair (see _candidates), of
        which `real` hold it. Each post's candidates are a range read from the pair's rows, so
        only the candidates that do not hold the term need placing in posts, when they are few.
        (The frequent terms slowest to count in the generated corpus have none: 为什么, 的对比中,
        about 30,000 candidates each. Placing all of them took about 115 us.)"""
        n = len(self.posts)
        wrong = np.flatnonzero(~real)
        if len(wrong) >= 2 * n and n < PLACE_UNDER_POSTS:
            positions = candidates[real]
            return CountedTerm(positions, *self._count_per_post(positions))
        first, title_end, end = self._dense_ranges(candidates, *source)
        counts, title_counts = end - first, title_end - first
        if not len(wrong):
            return CountedTerm(candidates, counts, title_counts)
        if len(wrong) < 2 * n:
            post = np.searchsorted(end, wrong, side="right")
            counts -= np.bincount(post, minlength=n)
            title_counts -= np.bincount(post[wrong < title_end[post]], minlength=n)
            return CountedTerm(candidates[real], counts, title_counts)
        # Real candidates before each one (a 32-bit running sum is three times faster).
        found_before = np.zeros(len(real) + 1, np.int32 if len(real) < 2**31 else np.int64)
        np.cumsum(real, out=found_before[1:])
        before_post = found_before[first]
        counts = found_before[end] - before_post
        return CountedTerm(candidates[real], counts, found_before[title_end] - before_post)

    def _dense_ranges(
        self, candidates: np.ndarray, pair: int, shift: int, dropped: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For candidates from a pair kept per block (its positions plus `shift`, the first
        `dropped` of them cut off): per post, where the candidates whose pair lies in the post
        start, where those whose pair lies in its title end and where the post's end, as indices
        into `candidates` (every occurrence of the term in a post or title has its pair there)."""
        row = self._dense_rows[self._dense_rank[pair]]
        if len(row) != len(self.posts):
            row = np.add.reduceat(row, self._first_block, dtype=np.int64)
        end = np.cumsum(row, dtype=np.int64)
        if dropped:
            end -= dropped
            np.maximum(end, 0, out=end)
        np.minimum(end, len(candidates), out=end)
        first = np.empty_like(end)
        first[0] = 0
        first[1:] = end[:-1]
        title_end = first.copy()
        # A post's candidates start with those whose pair lies in its title. The first `dropped`
        # pairs, the text's first, are no candidates: they come off the first post's title
        # count, which the clip keeps within its candidates.
        offsets, posts, counts = self._dense_titles
        rank = self._dense_rank[pair]
        low, high = offsets[rank : rank + 2].tolist()
        if low < high:
            titled = posts[low:high]
            title_end[titled] += counts[low:high]
            if dropped:
                title_end[0] -= dropped
            np.clip(title_end, first, end, out=title_end)
        return first, title_end, end

    def _dense_title_counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """How often each pair kept per block lies in each title, by pair (offsets into the
        other two, by rank in dense_pairs), then post: the posts and counts. Titles are short,
        so this is small (87 KB at 1,500 posts, made in 4 ms); reading a pair's title
        candidates from it instead of placing each post's first candidate took _dense_ranges
        from 77-106 to 27-43 us."""
        n_docs = len(self.posts)
        ranks = len(self._dense_pairs)
        chars = self._title_chars.astype(np.int64)
        starts = self._title_offsets.astype(np.int64)
        if len(chars) < 2 or not ranks:
            return np.zeros(ranks + 1, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
        keys = chars[:-1] * self._base + chars[1:]
        # A pair within one title: not a title's last character and the next title's first.
        within = np.ones(len(keys), dtype=bool)
        ends = starts[1:-1]
        within[ends[(ends > 0) & (ends <= len(keys))] - 1] = False
        pair = np.searchsorted(self._keys, keys.astype(self._keys.dtype))
        pair[pair >= len(self._keys)] = 0
        within &= self._keys[pair] == keys
        rank = np.searchsorted(self._dense_pairs, pair)
        rank[rank >= ranks] = 0
        within &= self._dense_pairs[rank] == pair
        at = np.flatnonzero(within)
        post = np.searchsorted(starts, at, side="right") - 1
        cells, counts = np.unique(rank[at] * n_docs + post, return_counts=True)
        offsets = np.searchsorted(cells, np.arange(ranks + 1) * n_docs)
        return offsets.astype(np.int64), cells % n_docs, counts.astype(np.int64)

    def _ids(self, text: str) -> np.ndarray | None:
        """The term's character ids, or None if some character occurs nowhere (or no text)."""
        if not text:
            return None
        try:
            return np.array([self._id_of_char[c] for c in text], dtype=np.int64)
        except KeyError:
            return None

    def _candidates(
        self, ids: np.ndarray | None
    ) -> tuple[
        np.ndarray, Callable[[np.ndarray], np.ndarray] | None, tuple[int, int, int] | None
    ]:
        """Sorted start positions that may hold the term with these character ids, how
        to tell which of some of them do (a boolean mask; None when they all do), and when they
        come from a pair kept per block: (that pair, the shift from its positions, how many of
        its first positions were dropped), else None."""
        pos_type = self._first.dtype
        empty = np.zeros(0, dtype=pos_type)
        if ids is None:
            return empty, None, None
        if len(ids) == 1:
            char = ids[0]
            ends = self._seg_start[1:][self._seg_last_char == char] - self._seg_start.dtype.type(2)
            low, high = self._key_range(char * self._base, (char + 1) * self._base)
            found = np.concatenate((self._decode(low, high), ends))
            return np.sort(found).astype(pos_type), None, None
        # A term has a few pairs: Python lists here, numpy calls cost more than their work.
        id_list = ids.tolist()
        wanted = [first * self._base + second for first, second in itertools.pairwise(id_list)]
        keys, offsets = self._keys, self._offsets
        pairs = np.searchsorted(keys, np.array(wanted, dtype=keys.dtype)).tolist()
        found = zip(pairs, wanted, strict=True)
        if any(at >= len(keys) or keys.item(at) != key for at, key in found):
            return empty, None, None
        # Candidates from the rarest pair; the other characters are checked by gathering their
        # one-byte codes at candidate + offset (see _check).
        sizes = [offsets.item(at + 1) - offsets.item(at) for at in pairs]
        rarest = sizes.index(min(sizes))
        pair = pairs[rarest]
        starts = self._decode_list(pair)
        # Sorted: only the first and last few pairs are too near the text's ends for the term
        # (most often none: two looks instead of a search).
        lowest, highest = rarest, self._n_chars - len(ids) + 1 + rarest
        low, high = 0, len(starts)
        if high and (starts.item(0) < lowest or starts.item(-1) >= highest):
            bounds = np.array([lowest, highest], dtype=pos_type)
            low, high = np.searchsorted(starts, bounds).tolist()
            starts = starts[low:high]
        starts -= pos_type.type(rarest)  # a new array's slice: shifted in place
        source = (pair, -rarest, low) if pair in self._dense_rank else None
        if len(ids) == 2:
            return starts, None, source
        return starts, functools.partial(self._check, ids, pairs, rarest, {}), source

    def _check(
        self,
        ids: np.ndarray,
        pairs: list[int],
        rarest: int,
        pair_lists: dict[int, np.ndarray],
        starts: np.ndarray,
    ) -> np.ndarray:
        """Which candidate starts (from pair `rarest`) hold the whole term: the other characters
        are checked by gathering their one-byte codes at candidate + offset (one memory access
        per candidate instead of a binary search per pair; for terms over eight characters,
        eight codes at a time as 64-bit words); characters without a code of their own are then
        confirmed exactly with a pair holding them (binary search in that pair's list, decoded
        once per term into `pair_lists`)."""
        starts = starts.astype(np.intp)  # gathers convert other index types at every call
        term_codes = self._code_of_id[ids].tolist()
        unchecked = [at for at in range(len(ids)) if at not in (rarest, rarest + 1)]
        if len(ids) <= 8:
            # The text's codes from each unchecked offset on: gathered at the starts themselves.
            views = [(self._codes[at:], term_codes[at]) for at in unchecked]
            mask = np.ones(len(starts), dtype=bool)
            for low in range(0, len(starts), CHECK_BLOCK):
                block, ok = starts[low : low + CHECK_BLOCK], mask[low : low + CHECK_BLOCK]
                for codes, code in views:
                    ok &= codes.take(block) == code
        else:
            mask = self._check_codes(starts, term_codes)
        for at in (at for at in unchecked if term_codes[at] == self._shared_code):
            pair_at = min(at, len(ids) - 2)
            if pair_at not in pair_lists:
                pair_lists[pair_at] = self._decode_list(pairs[pair_at])
            found = pair_lists[pair_at]
            keep = np.flatnonzero(mask)
            shifted = (starts[keep] + pair_at).astype(found.dtype)  # else the list is cast
            where = np.minimum(np.searchsorted(found, shifted), len(found) - 1)
            mask[keep[found[where] != shifted]] = False
        return mask

    def _check_codes(self, starts: np.ndarray, term_codes: list[int]) -> np.ndarray:
        """Which candidate starts have the term's codes in the text (a boolean mask), compared
        eight at a time as 64-bit words. Candidates go in blocks, so that the words after the
        first one of each candidate are still in the cache when they are read."""
        windows = []
        for j in range(0, len(term_codes), 8):
            part = term_codes[j : j + 8]
            packed = sum(code << (8 * k) for k, code in enumerate(part))
            windows.append((np.uint64(packed), np.uint64((1 << (8 * len(part))) - 1)))
        words = self._code_words
        kept = []
        for block_start in range(0, len(starts), CHECK_BLOCK):
            block = starts[block_start : block_start + CHECK_BLOCK]
            word_at = block >> 3
            low_shift = ((block & 7) << 3).astype(np.uint64)
            high_shift = np.uint64(64) - low_shift  # a shift by 64 gives 0 in numpy
            following = words.take(word_at)
            ok = np.ones(len(block), dtype=bool)
            for j, (packed, mask) in enumerate(windows):
                current, following = following, words.take(word_at + (j + 1))
                window = (current >> low_shift) | (following << high_shift)
                ok &= (window & mask) == packed
            kept.append(ok)
        return np.concatenate(kept) if kept else np.zeros(0, dtype=bool)

    def _key_range(self, low_key: int, high_key: int) -> tuple[int, int]:
        """The pairs (indices into the key list) whose key is in [low_key, high_key)."""
        bounds = np.array([low_key, high_key], dtype=self._keys.dtype)
        low, high = np.searchsorted(self._keys, bounds).tolist()
        return low, high

    def _decode_list(self, pair: int) -> np.ndarray:
        """Positions of pair `pair` (an index into the key list), a new array of their type."""
        first, last = int(self._offsets[pair]), int(self._offsets[pair + 1])
        if pair in self._dense_rank:  # offsets in blocks, counts per block
            positions = np.repeat(self._block_start, self._dense_rows[self._dense_rank[pair]])
            positions += self._gaps[first:last]
            return positions
        pos_type = self._first.dtype
        wide_low, wide_high = self._wide_before[pair : pair + 2].tolist()
        if wide_high > wide_low:  # gaps written 0 after the first are kept whole elsewhere
            steps = self._gaps[first:last].astype(pos_type)
            steps[0] = 1
            steps[np.flatnonzero(steps == 0)] = self._wide_gaps[wide_low:wide_high]
            steps[0] = 0
        else:
            steps = self._gaps[first:last]
        # The list's first gap is 0; positions fit their type, so no sum does overflow it.
        positions = np.cumsum(steps, dtype=pos_type)
        positions += self._first[pair]
        return positions

    def _decode(self, low: int, high: int) -> np.ndarray:
        """Positions (int64) of pairs low..high-1 (indices into the key list), sorted within each
        pair (see index_build._GapCoder for the coding)."""
        dense = self._dense_pairs[np.searchsorted(self._dense_pairs, [low, high])[0] :]
        dense = dense[dense < high].tolist()
        if dense:  # the lists around each one kept per block are decoded apart from it
            parts, start = [], low
            for pair in dense:
                parts += [self._decode(start, pair), self._decode_list(pair).astype(np.int64)]
                start = pair + 1
            return np.concatenate([*parts, self._decode(start, high)])
        if low >= high:
            return np.zeros(0, dtype=np.int64)
        first, last = int(self._offsets[low]), int(self._offsets[high])
        steps = self._gaps[first:last].astype(np.int64)
        list_starts = self._offsets[low:high].astype(np.int64) - first
        wide_low, wide_high = int(self._wide_before[low]), int(self._wide_before[high])
        if wide_high > wide_low:
            steps[list_starts] = 1  # list starts are written 0 too: not wide gaps
            steps[np.flatnonzero(steps == 0)] = self._wide_gaps[wide_low:wide_high]
        steps[list_starts] = self._first[low:high]
        positions = np.cumsum(steps)
        if high - low > 1:
            # Each list restarts from its first position: remove what the lists before added.
            carried = np.zeros(high - low, dtype=np.int64)
            carried[1:] = positions[list_starts[1:] - 1]
            positions -= np.repeat(carried, np.diff(np.append(list_starts, last - first)))
        return positions

    def _count_per_post(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.posts)
        if len(positions) < 2 * n:  # fewer positions than post bounds: place each position
            docs = np.searchsorted(self._doc_start, positions, side="right") - 1
            counts = np.bincount(docs, minlength=n)
            in_title = positions < self._title_end[docs]
            return counts, np.bincount(docs[in_title], minlength=n)
        return self._post_locator.counts(positions)

    # ---- snippets -------------------------------------------------------------------------

    def _snippets(
        self, docs: np.ndarray, parsed: ParsedQuery, matches: dict[str, _Term]
    ) -> _SnippetPage:
        """For each post, where to make its excerpt: around the first body match of its rarest
        matching term (the anchors are found for the whole page at once)."""
        terms = sorted(matches, key=lambda t: (matches[t].df, -len(t)))
        anchors = np.full(len(docs), -1, dtype=np.int64)
        body_start = self._title_end[docs] + self._title_end.dtype.type(1)
        doc_end = self._doc_start[docs + 1].astype(np.int64)
        first_from = None  # where the first term's positions reach each body, when it has them
        for number, text in enumerate(terms):
            found = matches[text]
            todo: np.ndarray | slice = anchors < 0 if number else slice(None)
            if number and not todo.any():
                break
            if isinstance(found, CheckedOnDemand):
                anchors[todo] = found.first_at_or_after(docs[todo], body_start[todo])
                continue
            positions = found.positions
            if positions is None or not len(positions):
                continue
            where = np.searchsorted(positions, body_start[todo])
            if not number:
                first_from = where
            inside = where < len(positions)
            first = np.full(len(where), -1, dtype=np.int64)
            first[inside] = positions[where[inside]]
            first[first >= doc_end[todo]] = -1
            anchors[todo] = first
        highlight = parsed.positive_terms
        scan = [t for t in terms if matches[t].positions is None and not matches[t].lazy]
        coded = [(t, self._code_pattern(t)) for t in scan]
        patterns = tuple(pattern for _, pattern in coded if pattern is not None)
        uncoded = tuple(t for t, pattern in coded if pattern is None)
        grouping = self._grouping_sources(terms, matches)
        bodies: _Bodies | None = None
        if grouping:
            # Where each body starts and ends, and its first match of the first grouping term
            # among that term's positions (when it has them): a page's at once.
            pivots = grouping[0].positions
            if pivots is None:
                pivot_from = None
            elif pivots is matches[terms[0]].positions and first_from is not None:
                pivot_from = first_from.tolist()  # found above
            else:
                pivot_from = np.searchsorted(pivots, body_start).tolist()
            bodies = (body_start.tolist(), doc_end.tolist(), pivot_from)
        return _SnippetPage(
            self,
            docs.tolist(),
            anchors.tolist(),
            (highlight, uncoded, patterns),
            None if bodies is None else (grouping, bodies),
        )

    def _grouping_sources(
        self, terms: Sequence[str], matches: dict[str, _Term]
    ) -> tuple[_GroupSource, ...]:
        """For a query of several terms: how to find each term in a post's body that can be (by
        its byte codes or its positions), rarest first (see _grouped_anchor). Empty when fewer
        than two can: the snippet is then made around the rarest term's first match."""
        if len(terms) < 2:
            return ()
        sources = []
        for text in terms:
            positions = matches[text].positions
            pattern = self._code_pattern(text)
            if pattern is not None or positions is not None:
                sources.append(_GroupSource(len(text), pattern, positions))
        return tuple(sources) if len(sources) >= 2 else ()

    def _grouped_anchor(
        self, sources: tuple[_GroupSource, ...], body: int, end: int, pivot_from: int | None
    ) -> tuple[int, int] | None:
        """(segment, folded offset) where the snippet of a post shows the most terms of a
        query together: the start of the first group of matches in one paragraph, no longer
        than a snippet surely shows after its anchor, holding the most terms. None when no two
        terms' matches come that close (or the first term does not occur in the body).
        The post's body is [body, end); `pivot_from` is where the first term's positions reach
        it, when the term has positions.

        Groups are sought around the first GROUPED_PIVOTS body matches of the first term (the
        rarest in the archive), adding each other term's first match that keeps the group short
        enough: a bound on the time of a snippet made per keystroke. Plain Python on the post's
        codes: array steps, tried per snippet and for a page at once, were slower on so few."""
        codes = self._code_bytes
        reach = SNIPPET_CHARS - CONTEXT_BEFORE
        pivot, others = sources[0], sources[1:]
        seg_starts = self._seg_starts
        best: tuple[int, int] | None = None
        best_count = 0
        for at in pivot.matches(codes, body, end, GROUPED_PIVOTS, pivot_from):
            first, last = at, at + pivot.length
            count = 0
            seg = -1  # found only for a pivot with matches near: most have none
            for other in others:
                # Any match starting at `low` or after and ending by `high` keeps the group short.
                low = last - reach if last - reach > body else body
                high = first + reach if first + reach < end else end
                if other.pattern is not None:  # the common case inline: most pivots end here
                    near = codes.find(other.pattern, low, high)
                    if near < 0:
                        continue
                else:
                    near = other.first_within(codes, low, high)
                    if near is None:
                        continue
                if seg < 0:
                    seg = bisect.bisect_right(seg_starts, at) - 1
                    seg_begin, seg_end = seg_starts[seg], seg_starts[seg + 1] - 1
                if near < seg_begin or near + other.length > seg_end:
                    low, high = max(low, seg_begin), min(high, seg_end)
                    near = other.first_within(codes, low, high)
                    if near is None:
                        continue
                first, last = min(first, near), max(last, near + other.length)
                count += 1
            if count > best_count:
                best, best_count = (seg, first - seg_begin), count
                if count == len(others):
                    break
        return best

    def _segment_excerpt(self, doc: int, seg: int, at: int, terms: tuple[str, ...]) -> Highlighted:
        """The snippet of post `doc` around folded offset `at` of its segment `seg` (a paragraph
        of its body): what most snippets of a search are."""
        text = self.posts[doc].paragraphs[seg - self._first_seg.item(doc) - 1]
        folded_len = self._seg_starts[seg + 1] - self._seg_starts[seg] - 1
        same_offsets = self._merging_free and folded_len == len(text)
        return excerpt(
            text, terms, at, one_to_one=same_offsets, merging_free=self._merging_free
        )

    def _scanned_excerpt(
        self, doc: int, terms: tuple[str, ...], scan: tuple[str, ...], patterns: tuple[bytes, ...]
    ) -> Highlighted:
        """The snippet of post `doc` around the first body match of a term found without
        positions, else the post's opening. Such terms with byte `patterns` are looked for in
        the post's codes, which is exact (a post holding one only in its title reads no
        paragraph: that took 200 us); those without, `scan`, in its paragraphs."""
        post = self.posts[doc]
        first_seg = int(self._first_seg[doc])
        seg, at = self._first_in_body(doc, patterns) if patterns else (-1, None)
        if seg < 0:
            seg, at = first_seg + 1, None
            # Look for the characters that fold to the term's in the original text, where the
            # paragraph folds character for character: no folding of paragraphs that lack it.
            originals = "".join(self._sources.get(t, "") for t in scan if len(t) == 1)
            same_offsets = bool(self._doc_one_to_one[doc])
            for i, paragraph in enumerate(post.paragraphs if scan else ()):
                if same_offsets or self._one_to_one(paragraph, first_seg + 1 + i):
                    found = [k for k in (paragraph.find(o) for o in originals) if k >= 0]
                else:
                    folded = normalize(paragraph)
                    found = [k for k in (folded.find(t) for t in scan) if k >= 0]
                if found:
                    seg, at = first_seg + 1 + i, min(found)
                    break
            if not post.paragraphs:
                return Highlighted("")
        paragraph = post.paragraphs[seg - first_seg - 1]
        one_to_one = self._one_to_one(paragraph, seg)
        return excerpt(paragraph, terms, at, one_to_one=one_to_one, merging_free=self._merging_free)

    def _first_in_body(self, doc: int, patterns: tuple[bytes, ...]) -> tuple[int, int | None]:
        """(segment, folded offset) of the first body occurrence of one of these terms' byte
        codes (see _code_pattern) in the post's codes; (-1, None) if there is none."""
        body = self._title_end.item(doc) + 1
        end = self._doc_start.item(doc + 1)
        found = [k for k in (self._code_bytes.find(p, body, end) for p in patterns) if k >= 0]
        if not found:
            return -1, None
        anchor = min(found)
        seg = bisect.bisect_right(self._seg_starts, anchor) - 1
        return seg, anchor - self._seg_starts[seg]

    def _code_pattern(self, term: str) -> bytes | None:
        """The term's one-byte codes, if each of its characters has a code of its own."""
        codes = [self._code_of_char.get(c, self._shared_code) for c in term]
        return None if self._shared_code in codes else bytes(codes)

    def _one_to_one(self, paragraph: str, seg: int) -> bool:
        """Whether the segment folds character for character, without merging characters."""
        folded_len = int(self._seg_start[seg + 1]) - int(self._seg_start[seg]) - 1
        return self._merging_free and folded_len == len(paragraph)


class _SnippetPage:
    """The snippets of a page of hits, each made on first use: per hit its post and the text
    position of its anchor (-1 when it has none and the post is scanned). Plain lists: a hit
    asks for one slot, and only the slots shown are asked for (placing every anchor of the
    page in its paragraph took 30-40 us of array steps)."""

    __slots__ = ("_anchors", "_grouping", "_index", "_terms", "docs")

    def __init__(
        self,
        index: SearchIndex,
        docs: list[int],
        anchors: list[int],
        terms: tuple[tuple[str, ...], tuple[str, ...], tuple[bytes, ...]],
        grouping: tuple[tuple[_GroupSource, ...], _Bodies] | None,
    ) -> None:
        self._index = index
        self.docs = docs
        self._anchors = anchors
        self._terms = terms  # to highlight; to look for in paragraphs; byte codes to look for
        # Several terms: where to find each, to show them together, and the posts' bodies.
        self._grouping = grouping

    def snippet(self, slot: int) -> Highlighted:
        highlight, scan, patterns = self._terms
        doc = self.docs[slot]
        if self._grouping is not None:
            sources, (bodies, ends, pivot_from) = self._grouping
            start = None if pivot_from is None else pivot_from[slot]
            grouped = self._index._grouped_anchor(sources, bodies[slot], ends[slot], start)
            if grouped is not None:
                seg, at = grouped
                return self._index._segment_excerpt(doc, seg, at, highlight)
        anchor = self._anchors[slot]
        if anchor < 0:
            return self._index._scanned_excerpt(doc, highlight, scan, patterns)
        seg_starts = self._index._seg_starts
        seg = bisect.bisect_right(seg_starts, anchor) - 1
        return self._index._segment_excerpt(doc, seg, anchor - seg_starts[seg], highlight)


_Bodies = tuple[list[int], list[int], list[int] | None]
"""Per hit of a page: where its post's body starts, where it ends, and where the first grouping
term's positions reach it (when that term has positions)."""


class _GroupSource:
    """How a query's term is found in a post's body for placing a snippet: by binary search
    in its sorted positions, or by its byte codes (every character has a code of its own) in
    the post's codes. Its matches in a whole post are read from its positions when it has them
    (a scan of a post's codes took 13 us), a match near a place from its codes (under 1 us)."""

    __slots__ = ("_listed", "length", "pattern", "positions")

    def __init__(self, length: int, pattern: bytes | None, positions: np.ndarray | None) -> None:
        self.length = length
        self.pattern = pattern
        self.positions = positions
        self._listed = None if positions is None else memoryview(positions)  # Python ints

    def matches(
        self, codes: bytes | bytearray, body: int, end: int, most: int, start: int | None
    ) -> list[int]:
        """The first `most` matches in the body [body, end) (`codes`: the text's codes);
        `start` is the index of the first of its positions not before the body (None: it has
        no positions)."""
        if self._listed is not None:
            assert start is not None  # found for the whole page (SearchIndex._snippets)
            return [at for at in self._listed[start : start + most].tolist() if at < end]
        found: list[int] = []
        if self.pattern is not None:
            at = codes.find(self.pattern, body, end)
            while at >= 0 and len(found) < most:
                found.append(at)
                at = codes.find(self.pattern, at + 1, end)
        return found

    def first_within(self, codes: bytes | bytearray, low: int, high: int) -> int | None:
        """The first match starting at `low` or after and ending by `high`, if any (`codes`:
        the text's codes)."""
        if low >= high:
            return None
        if self.pattern is not None:
            at = codes.find(self.pattern, low, high)
            return None if at < 0 else at
        listed = self._listed
        assert listed is not None
        k = bisect.bisect_left(listed, low)
        if k < len(listed) and listed[k] + self.length <= high:
            return listed[k]
        return None


def _no_score(sort: str) -> str:
    return "date" if sort == "score" else sort
