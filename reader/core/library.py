"""A loaded library: its posts, their search index, and listings filtered by read/starred marks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

from reader.core.model import Diagnostic, Post

if TYPE_CHECKING:
    from reader.core.index import Highlighted, SearchHit, SearchIndex, SearchResults

SortKey = Literal["date", "readers", "score"]
SORT_KEYS: tuple[SortKey, ...] = ("date", "readers", "score")
PAGE_SIZE = 100
"""Search hits (with snippets) fetched by the first search of a query: a few screens' worth.
The list asks for more as the user scrolls, so each keystroke runs exactly one search."""


class Row(NamedTuple):
    """One line of the post list (a tuple: 50,000 of them are made in a few milliseconds)."""

    post: Post
    hit: SearchHit | None = None
    """While searching: the hit; else None."""

    @property
    def snippet(self) -> Highlighted | None:
        """While searching: the matched text with highlight spans. Made when first painted, so a
        keystroke pays for the rows on screen, not for the whole page of hits fetched."""
        return self.hit.snippet if self.hit is not None else None


@dataclass(slots=True)
class Library:
    """The posts of one library (from `paths`) with their index and parse diagnostics."""

    paths: list[str]
    posts: list[Post]
    index: SearchIndex | None
    """None while it is being built: the posts can be browsed already, not searched."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    by_id: dict[str, Post] = field(init=False, repr=False)
    _sorted: dict[str, list[Post]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id = {post.id: post for post in self.posts}
        self._sorted = {}

    def sorted(self, sort: SortKey) -> list[Post]:
        """All posts in `sort` order (cached: browsing switches back to it on every Esc)."""
        key = "readers" if sort == "readers" else "date"
        if key not in self._sorted:
            self._sorted[key] = sorted_posts(self.posts, key)  # type: ignore[arg-type]
        return self._sorted[key]

    def listing(self, query: str, sort: SortKey = "date", *,
                keep: Callable[[Post], bool] | None = None) -> Listing:
        """The posts matching `query` (all posts when blank) in `sort` order, kept by `keep`."""
        if not query.strip():
            return Listing.of_posts(self.sorted(sort), keep)
        if self.index is None:
            return Listing.waiting_for_index(query)
        return Listing.of_search(self.index, query, sort, keep)


def sorted_posts(posts: Sequence[Post], sort: SortKey) -> list[Post]:
    """Posts newest first ('date', also 'score' when nothing is searched) or most read first."""
    oldest = dt.date.min
    if sort == "readers":
        return sorted(posts, key=lambda p: (p.readers or -1, p.date or oldest), reverse=True)
    return sorted(posts, key=lambda p: (p.date or oldest, p.readers or -1), reverse=True)


def mark_filter(*, only_unread: bool, only_starred: bool, read: Collection[str],
                starred: Collection[str]) -> Callable[[Post], bool] | None:
    """A `keep` predicate for the list filters, or None when no filter is on."""
    if not (only_unread or only_starred):
        return None

    def keep(post: Post) -> bool:
        return (not only_unread or post.id not in read) and (
            not only_starred or post.id in starred)

    return keep


class Listing:
    """Rows of a list, fetched page by page so a 50,000-post list or result set stays cheap."""

    def __init__(self) -> None:
        self.query = ""
        self.total = 0
        """Matches of the query before the read/starred filters (all posts when no query)."""
        self.terms: tuple[str, ...] = ()
        self.message: str | None = None
        self.results: SearchResults | None = None
        """The index's answer for the first page (None when listing without a query)."""
        self._next: Callable[[int], list[Row]] = lambda _n: []
        self.exhausted = True
        self.position_of: Callable[[str], int | None] | None = None
        """Where a post comes in the list, None when it is not in it; known without fetching
        for a list of posts, not for search results (None then)."""

    @classmethod
    def of_posts(cls, posts: list[Post], keep: Callable[[Post], bool] | None) -> Listing:
        listing = cls()
        listing.total = len(posts)
        kept = posts if keep is None else [p for p in posts if keep(p)]
        position = 0

        def next_rows(count: int) -> list[Row]:
            nonlocal position
            chunk = [Row(p) for p in kept[position:position + count]]
            position += len(chunk)
            listing.exhausted = position >= len(kept)
            return chunk

        listing._next = next_rows
        listing.exhausted = not kept
        listing.position_of = lambda post_id: next(
            (i for i, post in enumerate(kept) if post.id == post_id), None)
        return listing

    @classmethod
    def waiting_for_index(cls, query: str) -> Listing:
        """No rows yet: the query runs once the index is built."""
        listing = cls()
        listing.query = query
        listing.message = "Indexing… the search runs when it is done"
        return listing

    @classmethod
    def of_search(cls, index: SearchIndex, query: str, sort: SortKey,
                  keep: Callable[[Post], bool] | None) -> Listing:
        listing = cls()
        listing.query = query
        first = index.search(query, sort=sort, limit=PAGE_SIZE, offset=0)
        listing.results = first
        listing.total, listing.terms, listing.message = first.total, first.terms, first.message
        pending = [first]
        offset = len(first.hits)

        def next_rows(count: int) -> list[Row]:
            nonlocal offset
            rows: list[Row] = []
            while len(rows) < count and (pending or offset < listing.total):
                results = pending.pop() if pending else index.search(
                    query, sort=sort, limit=max(count, PAGE_SIZE), offset=offset)
                if results is not first:
                    offset += len(results.hits)
                    if not results.hits:
                        offset = listing.total  # the index had fewer than it announced
                rows.extend(Row(h.post, h) for h in results.hits
                            if keep is None or keep(h.post))
            listing.exhausted = not pending and offset >= listing.total
            return rows

        listing._next = next_rows
        listing.exhausted = listing.total == 0
        return listing

    def fetch(self, count: int) -> list[Row]:
        """The next `count` or so rows ([] when exhausted)."""
        if self.exhausted:
            return []
        return self._next(count)
