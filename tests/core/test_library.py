"""The list's rows over a search: snippets are made for the rows shown, not the whole page."""

from __future__ import annotations

from test_index import make_post

from reader.core.index import SearchIndex
from reader.core.library import Library


def test_search_rows_make_their_snippet_only_when_read() -> None:
    posts = [make_post(f"标题{i}", [f"前文{i}向量后文"], day=i % 28 + 1) for i in range(60)]
    library = Library(["<test>"], posts, SearchIndex.build(posts))
    rows = library.listing("向量").fetch(60)
    assert len(rows) == 60
    # A search per keystroke must not pay for 60 snippets: none is made until a row asks.
    assert all(row.hit._snippet is None for row in rows)
    shown = rows[0].snippet
    assert shown is not None
    assert [shown.text[a:b] for a, b in shown.spans] == ["向量"]
    assert sum(row.hit._snippet is not None for row in rows) == 1


def test_a_list_of_posts_tells_where_a_post_comes_without_fetching() -> None:
    posts = [make_post(f"p{i}", ["text"], day=i + 1) for i in range(5)]
    library = Library(["x"], posts, SearchIndex.build(posts), [])
    listing = library.listing("", keep=lambda post: post.title != "p3")
    newest_first = [post.id for post in reversed(posts) if post.title != "p3"]
    assert [listing.position_of(post_id) for post_id in newest_first] == [0, 1, 2, 3]
    assert listing.position_of(posts[3].id) is None  # kept out
    assert library.listing("text").position_of is None  # search results cannot tell
