"""Ranking, sorting, filters, paging and snippets of the search index."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_index import make_post

from reader.core.index import RECENT_TERMS, SearchIndex
from reader.core.normalize import normalize
from reader.core.snippets import excerpt, find_spans


def titles(results) -> list[str]:
    return [hit.post.title for hit in results.hits]


def test_title_matches_come_first_then_bm25() -> None:
    posts = [
        make_post("随笔", ["向量向量向量向量，说的是向量"], day=1),
        make_post("谈向量", ["别的内容"], day=2),
        make_post("杂记", ["向量一次，其余很长很长很长很长很长很长很长很长很长很长的文字"], day=3),
        make_post("无关", ["没有"], day=4),
    ]
    results = SearchIndex.build(posts).search("向量")
    assert titles(results) == ["谈向量", "随笔", "杂记"]
    assert [h.title_match for h in results.hits] == [True, False, False]
    assert results.hits[1].score > results.hits[2].score > 0


def test_title_group_needs_every_term_in_the_title() -> None:
    posts = [
        make_post("向量", ["梯度"], day=1),
        make_post("向量与梯度", ["无"], day=2),
    ]
    results = SearchIndex.build(posts).search("向量 梯度")
    assert titles(results) == ["向量与梯度", "向量"]
    assert [h.title_match for h in results.hits] == [True, False]


def test_ties_are_broken_by_date_newest_first() -> None:
    posts = [make_post(f"第{i}篇", ["同样的文字"], day=i) for i in range(4)]
    results = SearchIndex.build(posts).search("同样")
    assert titles(results) == ["第3篇", "第2篇", "第1篇", "第0篇"]


def test_sort_by_date_and_by_readers() -> None:
    posts = [
        make_post("甲", ["词"], day=1, readers=50),
        make_post("乙", ["词词词词"], day=3, readers=None),
        make_post("丙", ["词"], day=2, readers=900),
    ]
    index = SearchIndex.build(posts)
    assert titles(index.search("词", sort="date")) == ["乙", "丙", "甲"]
    assert titles(index.search("词", sort="readers")) == ["丙", "甲", "乙"]
    assert titles(index.search("词", sort="score"))[0] == "乙"
    with pytest.raises(ValueError):
        index.search("词", sort="length")  # type: ignore[arg-type]


def test_by_date_posts_of_one_day_are_ranked_by_score() -> None:
    posts = [
        make_post("甲", ["词"], day=1),
        make_post("乙", ["词词词"], day=1),
        make_post("丙", ["词"], day=2),
    ]
    index = SearchIndex.build(posts)
    assert titles(index.search("词", sort="date")) == ["丙", "乙", "甲"]
    assert titles(index.search("词", sort="date", limit=2)) == ["丙", "乙"]


def test_empty_query_lists_everything_by_date() -> None:
    posts = [make_post(str(i), ["x"], day=d) for i, d in enumerate([5, 1, 9])]
    results = SearchIndex.build(posts).search("  ")
    assert results.total == 3
    assert titles(results) == ["2", "0", "1"]
    assert results.terms == ()
    assert all(h.score == 0 for h in results.hits)


def test_filters_and_negation() -> None:
    posts = [
        make_post("注意力机制", ["transformer 的核心"], year=2019, author="苏剑林"),
        make_post("注意力的变体", ["线性 transformer"], year=2021, author="苏剑林"),
        make_post("线性代数", ["矩阵"], year=2020, author="Someone Else"),
    ]
    index = SearchIndex.build(posts)
    assert titles(index.search("transformer -线性")) == ["注意力机制"]
    assert titles(index.search("title:注意力 year:2021")) == ["注意力的变体"]
    assert sorted(titles(index.search("year:2019..2020"))) == ["注意力机制", "线性代数"]
    assert titles(index.search("author:someone")) == ["线性代数"]
    assert sorted(titles(index.search("-author:someone"))) == ["注意力机制", "注意力的变体"]
    assert titles(index.search("-title:注意力")) == ["线性代数"]
    assert titles(index.search("-year:2019..2020")) == ["注意力的变体"]
    bad = index.search("year:soon 矩阵")
    assert titles(bad) == ["线性代数"] and bad.message and "year:soon" in bad.message


def test_phrase_keeps_its_space() -> None:
    posts = [make_post("a", ["log n here"], day=1), make_post("b", ["n log"], day=2)]
    index = SearchIndex.build(posts)
    assert titles(index.search('"log n"')) == ["a"]
    assert sorted(titles(index.search("log n"))) == ["a", "b"]
    assert index.search('"log n"').terms == ("log n",)


def test_paging_counts_every_match() -> None:
    posts = [make_post(f"p{i}", ["共同"], day=i) for i in range(30)]
    index = SearchIndex.build(posts)
    first = index.search("共同", limit=10)
    rest = index.search("共同", limit=10, offset=10)
    everything = index.search("共同", limit=None)
    assert first.total == rest.total == everything.total == 30
    assert len(first.hits) == 10 and len(everything.hits) == 30
    assert titles(first) + titles(rest) == titles(everything)[:20]


def test_snippet_spans_point_at_the_displayed_text() -> None:
    paragraph = "开头……这里讲ＢＥＲＴ模型，还有Bert与bert。" + "很长的后文" * 30
    post = make_post("标题", ["第一段", paragraph])
    hit = SearchIndex.build([post]).search("bert").hits[0]
    snippet = hit.snippet
    assert snippet.spans
    for start, end in snippet.spans:
        assert normalize(snippet.text[start:end]) == "bert"
    assert snippet.text.endswith("…")
    assert "[[ＢＥＲＴ]]" in snippet.marked()


def test_snippet_around_a_late_match_starts_with_an_ellipsis() -> None:
    paragraph = "前文" * 100 + "目标词" + "后文" * 100
    hit = SearchIndex.build([make_post("t", [paragraph])]).search("目标词").hits[0]
    text, spans = hit.snippet.text, hit.snippet.spans
    assert text.startswith("…") and text.endswith("…")
    assert [text[a:b] for a, b in spans] == ["目标词"]
    assert len(text) < 120


def test_snippet_with_a_combining_accent_covers_the_whole_cluster() -> None:
    paragraph = "cafe\u0301 et café"
    snippet = SearchIndex.build([make_post("t", [paragraph])]).search("café").hits[0].snippet
    assert [snippet.text[a:b] for a, b in snippet.spans] == ["cafe\u0301", "café"]


def test_title_only_match_shows_the_opening_and_several_terms_are_marked() -> None:
    post = make_post("梯度下降", ["第一段讲别的。", "后面讲梯度和下降"])
    index = SearchIndex.build([post])
    only_title = index.search("title:下降").hits[0].snippet
    assert only_title.text == "第一段讲别的。" and only_title.spans == ()
    both = index.search("梯度 下降").hits[0].snippet
    assert [both.text[a:b] for a, b in both.spans] == ["梯度", "下降"]


def test_word_term_snippets_show_its_paragraph_or_the_opening_when_only_the_title_has_it() -> None:
    """A word term is counted per post without positions: its snippet is found in the post's
    codes, and a post holding it only in its title shows its opening."""
    in_body = make_post("一", ["开头没有", "中间也没有", "这里讲SoftMax函数"], day=2)
    in_title = make_post("softmax 入门", ["第一段讲别的。", "第二段"], day=1)
    index = SearchIndex.build([in_body, in_title])
    assert index._remembered("softmax").positions is None  # the path this test is about
    found = {hit.post.title: hit.snippet for hit in index.search("softmax").hits}
    body_snippet = found["一"]
    assert [body_snippet.text[a:b] for a, b in body_snippet.spans] == ["SoftMax"]
    assert found["softmax 入门"].text == "第一段讲别的。" and found["softmax 入门"].spans == ()


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab…ßＢB：:e\u0301 ", max_size=200),
    st.text(alphabet="ab…ßＢB：:e\u0301", min_size=1, max_size=3),
    st.integers(0, 200),
)
def test_excerpt_spans_are_matches(paragraph: str, term: str, anchor: int) -> None:
    folded_term = normalize(term)
    snippet = excerpt(paragraph, [folded_term], anchor)
    for start, end in snippet.spans:
        assert folded_term in normalize(snippet.text[start:end])
    for start, end in find_spans(paragraph, [folded_term]):
        assert folded_term in normalize(paragraph[start:end])


@pytest.mark.parametrize("sort", ["score", "date", "readers"])
def test_a_short_page_is_the_start_of_the_full_order(sort: str) -> None:
    """A small page ranks only the posts that can reach it: the order must not change."""
    posts = [
        make_post(
            f"{'词' if i % 7 == 0 else '文'}{i}",
            ["词" * (1 + i % 5) + "文" * (i % 3)],
            day=i % 11,
            readers=(i * 37) % 13 if i % 4 else None,
        )
        for i in range(120)
    ]
    index = SearchIndex.build(posts)
    for query in ["词", "", "-文"]:
        everything = titles(index.search(query, sort=sort, limit=None))
        for limit, offset in [(1, 0), (5, 0), (10, 3), (29, 0)]:
            page = titles(index.search(query, sort=sort, limit=limit, offset=offset))
            assert page == everything[offset : offset + limit], (query, limit, offset)


def test_remembered_terms_give_the_same_results_and_stay_bounded() -> None:
    posts = [make_post(f"t{i}", [f"词{i % 3} 文{i % 5}"], day=i) for i in range(40)]
    index = SearchIndex.build(posts)
    first = titles(index.search("词1 文2", limit=None))
    again = titles(index.search("词1 文2", limit=None))
    index.forget_recent_terms()
    cold = titles(index.search("词1 文2", limit=None))
    assert first == again == cold and first
    for i in range(40):
        index.search(f"t{i}")
    assert len(index._recent) <= RECENT_TERMS


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab向量ＢB：: ", max_size=200),
    st.text(alphabet="ab向量ＢB：:", min_size=1, max_size=3),
    st.integers(0, 200),
)
def test_one_to_one_excerpt_equals_the_mapped_one(paragraph: str, term: str, anchor: int) -> None:
    """Text that folds character for character may skip the offset map: same snippet."""
    folded_term = normalize(term)
    assert excerpt(paragraph, [folded_term], anchor, one_to_one=True) == excerpt(
        paragraph, [folded_term], anchor
    )


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab向量…ßＢB：:ﬁ½ ", max_size=200),
    st.text(alphabet="ab向量…ßＢB：:ﬁ½.s", min_size=1, max_size=3),
    st.integers(-2, 220),
    st.integers(1, 90),
)
def test_windowed_excerpt_equals_the_mapped_one(
    paragraph: str, term: str, anchor: int, width: int
) -> None:
    """Text without merging characters but with characters folding to several (`…`, `ß`) may
    fold only the window: same snippet as mapping the whole paragraph."""
    folded_term = normalize(term)
    windowed = excerpt(paragraph, [folded_term], anchor, merging_free=True, width=width)
    assert windowed == excerpt(paragraph, [folded_term], anchor, width=width)


def test_windowed_excerpt_of_a_long_paragraph_with_ellipses() -> None:
    paragraph = "开头……" + "前文" * 60 + "看这里的ＢＥＲＴ……和bert" + "后文" * 60
    at = normalize(paragraph).index("bert")
    snippet = excerpt(paragraph, ["bert"], at, merging_free=True)
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    assert [snippet.text[a:b] for a, b in snippet.spans] == ["ＢＥＲＴ", "bert"]
