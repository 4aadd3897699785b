"""Terms checked on demand give the same posts, counts, order and snippets as counting all."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_index import ALPHABET, SIMPLE_ALPHABET, corpus_and_query, ids, make_post

from reader.core import index as index_module
from reader.core import index_build, index_terms
from reader.core.index import SearchIndex
from reader.core.normalize import normalize
from reader.core.query import reference_search


def on_demand(patch: pytest.MonkeyPatch, rounds: int = 4) -> None:
    patch.setattr(index_module, "ON_DEMAND_CANDIDATES", -(10**9))  # every 3+ character term
    patch.setattr(index_terms, "EXISTENCE_ROUNDS", rounds)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_and_query(SIMPLE_ALPHABET), st.sampled_from([0, 1, 4]))
def test_same_posts_as_the_substring_scan(case: tuple[list, str], rounds: int) -> None:
    posts, query = case
    with pytest.MonkeyPatch.context() as patch:
        on_demand(patch, rounds)
        results = SearchIndex.build(posts).search(query, limit=None)
    expected = reference_search(posts, query)
    assert ids(results) == sorted(expected)
    assert results.total == len(expected)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_and_query(ALPHABET))
def test_same_posts_with_merging_characters(case: tuple[list, str]) -> None:
    posts, query = case
    with pytest.MonkeyPatch.context() as patch:
        on_demand(patch)
        results = SearchIndex.build(posts).search(query, limit=None)
    assert ids(results) == sorted(reference_search(posts, query))


def _ranked(results) -> list[tuple[str, float, bool]]:
    return [(h.post.id, round(h.score, 12), h.title_match) for h in results.hits]


@pytest.mark.parametrize("sort", ["score", "date", "readers"])
def test_a_page_is_the_start_of_the_fully_counted_order(sort: str) -> None:
    """Pages rank only the posts that can reach them, from bounds on their counts; the order,
    scores and title flags must be those of counting everything."""
    phrase = "向量梯度"
    posts = [
        make_post(
            f"{phrase[: 2 + i % 3]}{i}",
            [phrase * (i % 6) + "向量梯" * (i % 4), f"{'梯度向量' * (i % 5)}向量"],
            day=i % 17,
            readers=(i * 37) % 13 if i % 4 else None,
        )
        for i in range(90)
    ]
    index = SearchIndex.build(posts)
    for query in ["向量梯度", "量梯度", "向量梯 梯度向", "量梯度 -梯度向量", "title:向量梯 度向量"]:
        everything = _ranked(index.search(query, sort=sort, limit=None))
        with pytest.MonkeyPatch.context() as patch:
            on_demand(patch, rounds=1)
            for limit, offset in [(0, 0), (0, 4), (1, 0), (5, 0), (10, 3), (29, 0), (200, 0)]:
                index.forget_recent_terms()
                page = index.search(query, sort=sort, limit=limit, offset=offset)
                assert _ranked(page) == everything[offset : offset + limit], (query, limit)
                assert page.total == len(everything)
                for hit in page.hits:  # anchored on a real occurrence in the body
                    spans = hit.snippet.spans
                    for start, end in spans:
                        assert any(t in normalize(hit.snippet.text[start:end]) for t in page.terms)
                    body = [normalize(p) for p in hit.post.paragraphs]
                    assert bool(spans) == any(t in p for t in page.terms for p in body)
        index.forget_recent_terms()


def test_on_demand_terms_count_only_what_the_page_needs() -> None:
    posts = [make_post(f"t{i}", ["向量梯度" * (1 + i % 3)], day=i % 28) for i in range(200)]
    index = SearchIndex.build(posts)
    with pytest.MonkeyPatch.context() as patch:
        on_demand(patch)
        results = index.search("量梯度", limit=5)
        found = index._recent["量梯度"]
    assert results.total == 200
    assert isinstance(found, index_terms.CheckedOnDemand)
    counted = int((found._counts >= 0).sum())
    assert 5 <= counted < 200  # only the posts that could reach the first five were counted


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    corpus_and_query(SIMPLE_ALPHABET),
    st.sampled_from([0, 1]),
    st.sampled_from([2, 5, 1 << 16]),
    st.booleans(),
    st.sampled_from([0, 1 << 30]),
)
def test_pairs_kept_per_block_give_the_same_pages(
    case: tuple[list, str], per_block: int, block_chars: int, lazy: bool, place_under: int
) -> None:
    """Pairs with many positions per block keep counts per block and offsets in blocks (posts
    cut into blocks of block_chars): same posts, scores, title flags and snippets as the plain
    lists, counted everywhere or on demand. Small corpora have no such pair: force them."""
    posts, query = case
    plain = SearchIndex.build(posts).search(query, limit=None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build, "DENSE_PER_BLOCK", per_block)
        patch.setattr(index_build, "BLOCK_CHARS", block_chars)
        patch.setattr(index_module, "PLACE_UNDER_POSTS", place_under)
        index = SearchIndex.build(posts)
        if lazy:
            on_demand(patch)
        for limit in (None, 3):
            results = index.search(query, limit=limit)
            assert results.total == plain.total
            assert _ranked(results) == _ranked(plain)[: limit or None]
            for hit, expected in zip(results.hits, plain.hits, strict=False):
                assert hit.snippet == expected.snippet
    if per_block == 0:
        assert len(index._dense_rank) == len(index._keys)  # every pair was kept per block


def _occurrences(text: str, term: str) -> int:
    """Occurrences of `term` in the folded `text`, overlapping ones each counted."""
    folded = normalize(text)
    return sum(folded.startswith(term, at) for at in range(len(folded)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="甲乙", max_size=8),
            st.lists(st.text(alphabet="甲乙丙", min_size=1, max_size=40), max_size=4),
        ),
        min_size=1,
        max_size=6,
    ),
    st.text(alphabet="甲乙", min_size=3, max_size=4),
    st.sampled_from([0, 1 << 30]),
)
# The rarest pair, 甲乙, second in the term: its first position, the text's first, is no
# candidate; the title holding it has no occurrence, the body after it one.
@example([("甲乙", ["乙甲乙丙"]), ("", ["乙甲丙乙甲丙乙甲"])], "乙甲乙", 0)
def test_terms_from_a_pair_kept_per_block_count_what_a_scan_counts(
    items: list[tuple[str, list[str]]], term: str, place_under: int
) -> None:
    """A term of three or more characters whose candidates come from a pair kept per block has
    exact counts per post and per title however many of its candidates fail the check: none,
    fewer than two per post (each placed in its post), or more (the real ones placed, or counted
    with a running sum). Two characters give many candidates that fail."""
    posts = [make_post(title, paragraphs, day=i) for i, (title, paragraphs) in enumerate(items)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build, "DENSE_PER_BLOCK", 0)
        patch.setattr(index_module, "PLACE_UNDER_POSTS", place_under)
        found = SearchIndex.build(posts)._find(term)
    in_titles = [_occurrences(post.title, term) for post in posts]
    in_posts = [
        t + sum(_occurrences(p, term) for p in post.paragraphs)
        for t, post in zip(in_titles, posts, strict=True)
    ]
    assert found.counts.tolist() == in_posts
    assert found.title_counts.tolist() == in_titles
