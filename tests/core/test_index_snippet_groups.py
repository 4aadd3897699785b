"""A snippet of a query of several terms shows them together where a post has them close."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_index import make_post

from reader.core import index as index_module
from reader.core import index_build
from reader.core.index import SearchIndex
from reader.core.normalize import normalize
from reader.core.snippets import CONTEXT_BEFORE, SNIPPET_CHARS, Highlighted

FILLER = "这一段只是铺垫。" * 12  # 96 characters: more than a snippet shows


def marked(snippet: Highlighted) -> list[str]:
    return [normalize(snippet.text[a:b]) for a, b in snippet.spans]


def shows(snippet: Highlighted, term: str) -> bool:
    return any(term in span for span in marked(snippet))


def only_hit(paragraphs: list[str], query: str, byte_coded: int | None = None) -> Highlighted:
    with pytest.MonkeyPatch.context() as patch:
        if byte_coded is not None:
            patch.setattr(index_build, "BYTE_CODED", byte_coded)
        index = SearchIndex.build([make_post("标题", paragraphs)])
    results = index.search(query)
    assert results.total == 1
    return results.hits[0].snippet


@pytest.mark.parametrize("byte_coded", [None, 1])  # own codes; else found by positions
def test_two_terms_are_shown_where_they_meet_not_where_the_rarer_first_occurs(
    byte_coded: int | None,
) -> None:
    paragraphs = ["先说梯度。" + FILLER, FILLER + "梯度下降是常用的方法"]
    snippet = only_hit(paragraphs, "梯度 下降", byte_coded)
    assert "梯度下降是常用的方法" in snippet.text
    assert marked(snippet) == ["梯度下降"]  # the two matches touch: one span


def test_an_english_word_and_a_chinese_term_are_shown_together() -> None:
    paragraphs = ["softmax 出现在开头。" + FILLER, FILLER + "对 softmax 求梯度时要小心"]
    snippet = only_hit(paragraphs, "softmax 梯度")
    assert "对 softmax 求梯度时要小心" in snippet.text
    assert shows(snippet, "softmax") and shows(snippet, "梯度")


def test_terms_in_neighbouring_paragraphs_are_not_together() -> None:
    # 梯度 ends a paragraph and 下降 starts the next: no snippet can show both from one.
    paragraphs = [FILLER + "梯度", "下降" + FILLER, FILLER, "而梯度下降在这里"]
    snippet = only_hit(paragraphs, "梯度 下降")
    assert "而梯度下降在这里" in snippet.text


def test_terms_too_far_apart_for_one_snippet_fall_back_to_the_first_match() -> None:
    paragraphs = ["甲梯度" + FILLER + "下降"]
    snippet = only_hit(paragraphs, "梯度 下降")
    assert snippet.text.startswith("甲梯度")
    assert shows(snippet, "梯度") and not shows(snippet, "下降")


def test_a_group_of_all_three_terms_wins_over_an_earlier_pair() -> None:
    paragraphs = ["梯度和下降先出现。" + FILLER, FILLER + "随机梯度下降的优化过程"]
    snippet = only_hit(paragraphs, "梯度 下降 优化")
    assert "随机梯度下降的优化过程" in snippet.text
    assert all(shows(snippet, term) for term in ("梯度", "下降", "优化"))


@pytest.mark.parametrize("query", ["梯度 下降", "下降 梯度"])  # the first looked for either side
def test_a_group_longer_than_a_snippet_shows_is_passed_over(query: str) -> None:
    reach = SNIPPET_CHARS - CONTEXT_BEFORE  # what a snippet shows from its anchor on
    too_long = FILLER + "梯度" + "长" * (reach - 3) + "下降" + FILLER
    just_fits = FILLER + "梯度" + "短" * (reach - 4) + "下降" + FILLER
    snippet = only_hit([too_long, just_fits], query)
    assert "短" in snippet.text and "长" not in snippet.text
    assert shows(snippet, "梯度") and shows(snippet, "下降")


def test_without_a_group_of_all_terms_the_first_of_the_largest_groups_is_shown() -> None:
    paragraphs = ["梯度。" + FILLER, FILLER + "甲组梯度下降", FILLER + "乙组梯度优化"]
    snippet = only_hit(paragraphs, "梯度 下降 优化")
    assert "甲组" in snippet.text and "乙组" not in snippet.text


def test_groups_are_sought_among_the_first_matches_only() -> None:
    """A bound on a snippet's time: past GROUPED_PIVOTS matches of the first term, a group is
    not looked for (the snippet shows the first match)."""
    lonely = "梯度。" + FILLER
    together = "梯度下降"
    pivots = index_module.GROUPED_PIVOTS
    within = only_hit([lonely] * (pivots - 1) + [together], "梯度 下降")
    assert shows(within, "下降")
    beyond = only_hit([lonely] * pivots + [together], "梯度 下降")
    assert beyond.text.startswith("梯度。") and not shows(beyond, "下降")


def _matches(text: str, term: str) -> list[int]:
    return [k for k in range(len(text)) if text.startswith(term, k)]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    paragraphs=st.lists(st.text(alphabet="ab向量 x：", max_size=120), min_size=1, max_size=4),
    data=st.data(),
    byte_coded=st.sampled_from([255, 2]),
)
def test_two_terms_close_in_a_paragraph_are_both_shown(
    paragraphs: list[str], data: st.DataObject, byte_coded: int
) -> None:
    """Whenever some paragraph holds matches of both terms close enough for one snippet (and
    neither term has more body matches than are looked at), the snippet shows both."""
    folded = [normalize(p) for p in paragraphs]
    terms = []
    for _ in range(2):
        source = data.draw(st.sampled_from([f for f in folded if f] or [""]))
        assume(source)
        start = data.draw(st.integers(0, len(source) - 1))
        term = source[start : start + data.draw(st.integers(1, 3))]
        assume(term.strip() == term and term)
        terms.append(term)
    first, second = terms
    assume(first != second)
    reach = SNIPPET_CHARS - CONTEXT_BEFORE
    for term in terms:
        assume(sum(len(_matches(f, term)) for f in folded) <= index_module.GROUPED_PIVOTS)
    close = any(
        max(a + len(first), b + len(second)) - min(a, b) <= reach
        for text in folded
        for a in _matches(text, first)
        for b in _matches(text, second)
    )
    snippet = only_hit(paragraphs, f'"{first}" "{second}"', byte_coded)
    for span in marked(snippet):  # what is marked is a match
        assert first in span or second in span
    if close:
        assert shows(snippet, first) and shows(snippet, second)


def test_a_match_before_the_paragraph_gives_way_to_one_in_it() -> None:
    """下降 ends the paragraph before 梯度's, within a snippet's reach, and also comes just
    before 梯度 in its paragraph: the group starts at that one, and the snippet with it."""
    before = CONTEXT_BEFORE + 20
    second = FILLER[:before] + "下降梯度" + FILLER
    snippet = only_hit([FILLER + "下降", second], "梯度 下降")
    assert snippet.text == "…" + second[before - CONTEXT_BEFORE :][:SNIPPET_CHARS] + "…"
    assert marked(snippet) == ["下降梯度"]


def test_a_post_s_group_is_sought_in_its_own_body() -> None:
    """The first term has no positions (an English word): its matches are looked for in the
    post's own codes, after those of the post before it (where both terms also meet)."""
    paragraph = FILLER + "后来 softmax 的梯度在这里" + FILLER
    posts = [
        make_post("乙", ["softmax梯度"], day=2),
        make_post("甲", ["softmax 在开头。" + FILLER, paragraph], day=1),
    ]
    index = SearchIndex.build(posts)
    second_post = next(h for h in index.search("softmax 梯度").hits if h.post.title == "甲")
    begin = paragraph.index("softmax") - CONTEXT_BEFORE
    assert second_post.snippet.text == "…" + paragraph[begin : begin + SNIPPET_CHARS] + "…"
    assert marked(second_post.snippet) == ["softmax", "梯度"]
