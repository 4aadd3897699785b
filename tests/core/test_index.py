"""The index finds exactly what a substring scan of the normalised text finds."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reader.core import index as index_module
from reader.core import index_build
from reader.core.index import SearchIndex
from reader.core.model import Post, post_id
from reader.core.normalize import normalize
from reader.core.query import reference_search

# Few distinct characters so that random queries often match; full-width and case variants,
# characters that fold to several (… ß ﬁ), merging ones (combining accent, half-width voicing).
ALPHABET = "ab向量梯度 :：ＢBb…ßsﬁe\u0301ｶﾞ$\\"
SIMPLE_ALPHABET = "ab向量梯度 :：ＢBb…ß$\\"
# Beyond the Basic Multilingual Plane (folded on code points, not by table): 𝐱 folds to x.
ASTRAL_ALPHABET = "ab向量 :Bb…\U0001d431x\U0001f600"


def make_post(
    title: str,
    paragraphs: list[str] | tuple[str, ...],
    *,
    day: int = 1,
    year: int = 2020,
    readers: int | None = 100,
    author: str = "苏剑林",
) -> Post:
    date = dt.date(year, 1, 1) + dt.timedelta(days=day)
    return Post(
        id=post_id(title, date),
        title=title,
        author=author,
        date=date,
        readers=readers,
        paragraphs=tuple(paragraphs),
        source="<test>",
        line=1,
    )


def ids(results) -> list[str]:
    return sorted(hit.post.id for hit in results.hits)


def corpora(alphabet: str) -> st.SearchStrategy[list[Post]]:
    text = st.text(alphabet=alphabet, max_size=12)
    post = st.tuples(text, st.lists(text, max_size=4))
    return st.lists(post, min_size=1, max_size=8).map(
        lambda items: [make_post(t, ps, day=i) for i, (t, ps) in enumerate(items)]
    )


@st.composite
def corpus_and_query(draw: st.DrawFn, alphabet: str) -> tuple[list[Post], str]:
    posts = draw(corpora(alphabet))
    terms = []
    for _ in range(draw(st.integers(1, 3))):
        post = draw(st.sampled_from(posts))
        source = draw(st.sampled_from([post.title, *post.paragraphs]))
        if source and draw(st.booleans()):
            start = draw(st.integers(0, len(source) - 1))
            length = draw(st.integers(1, 5))
            term = source[start : start + length]
        else:
            term = draw(st.text(alphabet=alphabet, min_size=1, max_size=3))
        term = term.replace('"', "")
        if not term.strip():
            continue
        prefix = draw(st.sampled_from(["", "", "-", "title:"]))
        terms.append(f'{prefix}"{term}"')
    assume(terms)
    return posts, " ".join(terms)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_and_query(SIMPLE_ALPHABET))
def test_same_posts_as_the_substring_scan(case: tuple[list[Post], str]) -> None:
    posts, query = case
    results = SearchIndex.build(posts).search(query, limit=None)
    expected = reference_search(posts, query)
    assert ids(results) == sorted(expected)
    assert results.total == len(expected)


@pytest.mark.parametrize(
    "alphabet",
    [SIMPLE_ALPHABET, ALPHABET, ASTRAL_ALPHABET],
    ids=["in the plane", "merging characters", "beyond the plane"],
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), join_segments=st.integers(1, 3))
def test_same_posts_on_every_folding_path(
    alphabet: str, data: st.DataObject, join_segments: int
) -> None:
    """Text the lookup tables cannot fold (see index_build._fold_text) takes the other paths;
    text of the plane never leaves the table path. The text is encoded a few segments at a time
    (index_build._plane_units): a character beyond the plane may come in any part."""
    posts, query = data.draw(corpus_and_query(alphabet))

    def off_the_table_path(segments: list[str]) -> object:
        raise AssertionError("text of the plane left the table path")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build, "JOIN_SEGMENTS", join_segments)
        if alphabet == SIMPLE_ALPHABET:
            patch.setattr(index_build, "_fold_segments", off_the_table_path)
        results = SearchIndex.build(posts).search(query, limit=None)
    assert ids(results) == sorted(reference_search(posts, query))


@pytest.mark.parametrize(
    "key_types",
    [((64, np.uint64),), ((63, np.int64),), ((53, np.float64),), ()],
    ids=["unsigned", "signed", "double", "over-64-bits"],
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_same_posts_whatever_type_the_pair_keys_are_sorted_in(
    key_types: tuple[tuple[int, type], ...], data: st.DataObject
) -> None:
    """Pair keys are sorted in the fastest type they fit (index_build.KEY_TYPES), and by argsort
    when they need over 64 bits (a huge alphabet in a huge text): force each."""
    posts, query = data.draw(corpus_and_query(SIMPLE_ALPHABET))
    usual = index_build.build_arrays(posts)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build, "KEY_TYPES", key_types)
        forced = index_build.build_arrays(posts)
        results = SearchIndex.build(posts).search(query, limit=None)
    assert ids(results) == sorted(reference_search(posts, query))
    _assert_same_arrays(forced, usual)


@pytest.mark.parametrize("chunk", [1, 2, 5])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), gap_limit=st.integers(1, 3), dense_per_block=st.integers(1, 4))
def test_same_arrays_whatever_the_chunk_the_pairs_are_read_in(
    chunk: int, data: st.DataObject, gap_limit: int, dense_per_block: int
) -> None:
    """The sorted pairs are packed, read and gap coded a chunk at a time (thousands of pairs),
    and the dense lists found as chunks are read: with chunks of a few pairs, lists, wide gaps
    and dense lists span chunks."""
    posts, query = data.draw(corpus_and_query(SIMPLE_ALPHABET))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build, "GAP_LIMIT", gap_limit)
        patch.setattr(index_build, "DENSE_PER_BLOCK", dense_per_block)
        usual = index_build.build_arrays(posts)
        patch.setattr(index_build, "LOOKUP_CHUNK", chunk)
        chunked = index_build.build_arrays(posts)
        results = SearchIndex.build(posts).search(query, limit=None)
    assert ids(results) == sorted(reference_search(posts, query))
    _assert_same_arrays(chunked, usual)


def _assert_same_arrays(built: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert built.keys() == expected.keys()
    for name, array in expected.items():
        assert built[name].dtype == array.dtype, name
        assert built[name].shape == array.shape, name
        assert (built[name] == array).all(), name


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_and_query(SIMPLE_ALPHABET))
def test_same_posts_when_every_character_is_counted_per_post(case: tuple[list[Post], str]) -> None:
    """Frequent characters answer from per-post counts instead of positions: force that path."""
    posts, query = case
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build, "COUNTED_CHARACTER_MIN", 0)
        results = SearchIndex.build(posts).search(query, limit=None)
        one_band = index_build.build_arrays(posts)
        # The counts are made a band of posts at a time (POSTINGS_BINS cells): one post each.
        patch.setattr(index_build, "POSTINGS_BINS", 1)
        post_by_post = index_build.build_arrays(posts)
    assert ids(results) == sorted(reference_search(posts, query))
    for hit in results.hits:
        for start, end in hit.snippet.spans:
            assert any(t in normalize(hit.snippet.text[start:end]) for t in results.terms)
    _assert_same_arrays(post_by_post, one_band)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_and_query(SIMPLE_ALPHABET), st.integers(1, 3), st.integers(0, 4))
def test_same_posts_with_wide_gaps_and_shared_byte_codes(
    case: tuple[list[Post], str], gap_limit: int, byte_coded: int
) -> None:
    """Gaps too wide for 16 bits and characters without a byte code of their own are rare in
    small corpora: force both paths with tiny limits."""
    posts, query = case
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build, "GAP_LIMIT", gap_limit)
        patch.setattr(index_build, "BYTE_CODED", byte_coded)
        index = SearchIndex.build(posts)
    results = index.search(query, limit=None)
    expected = reference_search(posts, query)
    assert ids(results) == sorted(expected)
    assert results.total == len(expected)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora(SIMPLE_ALPHABET), st.integers(1, 3), st.integers(1, 3), st.integers(1, 5))
def test_every_pair_list_decodes_to_the_pairs_positions(
    posts: list[Post], gap_limit: int, dense_per_block: int, chunk: int
) -> None:
    """Each pair's positions, as gaps (some kept wide) or as offsets in blocks (a dense pair,
    whose wide gaps are dropped), decode to where the pair lies in the folded text, one list at
    a time and many at once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build, "GAP_LIMIT", gap_limit)
        patch.setattr(index_build, "DENSE_PER_BLOCK", dense_per_block)
        patch.setattr(index_build, "LOOKUP_CHUNK", chunk)
        index = SearchIndex.build(posts)
    text = "".join(
        normalize(segment) + "\x00" for post in posts for segment in (post.title, *post.paragraphs)
    )
    rank = {char: i for i, char in enumerate(map(chr, index.arrays["alphabet"].tolist()))}
    base = len(rank) + 1
    expected: dict[int, list[int]] = {}
    for at in range(len(text) - 1):
        if "\x00" not in text[at : at + 2]:
            key = rank[text[at]] * base + rank[text[at + 1]]
            expected.setdefault(key, []).append(at)
    keys = index.arrays["keys"].tolist()
    assert sorted(expected) == keys
    for pair, key in enumerate(keys):
        assert index._decode_list(pair).tolist() == expected[key]
    dense = set(index.arrays["dense_pairs"].tolist())
    wide = [
        b - a
        for pair, key in enumerate(keys)
        if pair not in dense
        for a, b in itertools.pairwise(expected[key])
        if b - a >= gap_limit
    ]
    assert index.arrays["wide_gaps"].tolist() == wide  # a dense list keeps none
    assert index._decode(0, len(keys)).tolist() == [at for key in keys for at in expected[key]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.text(alphabet="ab向量 ：ＢBß", min_size=5, max_size=40), min_size=1, max_size=6),
    st.data(),
    st.integers(1, 3),
)
def test_long_terms_checked_word_by_word(
    paragraphs: list[str], data: st.DataObject, block: int
) -> None:
    """Terms of 5 to 20 characters are checked eight codes at a time, candidates in blocks."""
    posts = [make_post(f"t{i}", [p, p[::-1]], day=i) for i, p in enumerate(paragraphs)]
    source = data.draw(st.sampled_from(paragraphs))
    start = data.draw(st.integers(0, len(source) - 1))
    term = source[start : start + data.draw(st.integers(5, 20))]
    if data.draw(st.booleans()):  # a near miss: one character changed
        at = data.draw(st.integers(0, len(term) - 1))
        term = term[:at] + data.draw(st.sampled_from("ab量")) + term[at + 1 :]
    assume(term.strip())
    query = f'"{term}"'
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_module, "CHECK_BLOCK", block)
        results = SearchIndex.build(posts).search(query, limit=None)
    assert ids(results) == sorted(reference_search(posts, query))


@settings(max_examples=100, deadline=None)
@given(corpora(SIMPLE_ALPHABET), st.text(alphabet=SIMPLE_ALPHABET, min_size=1, max_size=2))
def test_one_and_two_character_queries(posts: list[Post], term: str) -> None:
    assume(term.strip() and '"' not in term)
    query = f'"{term}"'
    assert ids(SearchIndex.build(posts).search(query, limit=None)) == sorted(
        reference_search(posts, query)
    )


def test_every_character_of_a_long_term_is_checked() -> None:
    """Two terms differing in one character, whose pairs around it are made frequent so that
    both terms' candidates come from a pair they share: only the character check tells them
    apart, at every offset and length (one and several 64-bit words of codes)."""
    text = "梯度0123456789abcdefghij向量"
    for length in (5, 8, 9, 16, 17, 24):
        term = text[:length]
        for at in range(2, length):
            changed = term[:at] + "Z" + term[at + 1 :]
            around = (term[at - 1 : at + 2] + " " + changed[at - 1 : at + 2] + " ") * 3
            posts = [
                make_post("a", [term], day=1),
                make_post("b", [changed], day=2),
                make_post("c", [around], day=3),
            ]
            index = SearchIndex.build(posts)
            assert [h.post.title for h in index.search(f'"{term}"').hits] == ["a"], (length, at)
            assert [h.post.title for h in index.search(f'"{changed}"').hits] == ["b"], (length, at)


def test_terms_at_the_very_start_and_end() -> None:
    posts = [make_post("甲乙", ["丙丁", "戊己"], day=1), make_post("庚", ["辛壬"], day=2)]
    index = SearchIndex.build(posts)
    for query, expected in [("甲", 0), ("甲乙", 0), ("己", 0), ("戊己", 0), ("壬", 1), ("辛壬", 1)]:
        results = index.search(query)
        assert [h.post.id for h in results.hits] == [posts[expected].id], query


def test_no_match_across_paragraphs_or_title_and_body() -> None:
    posts = [make_post("梯度", ["下降的", "方法"], day=1), make_post("x", ["梯度下降"], day=2)]
    index = SearchIndex.build(posts)
    assert [h.post.id for h in index.search("梯度下降").hits] == [posts[1].id]
    assert index.search("的方").total == 0
    assert index.search("度下").total == 1
    assert index.search("降的").total == 1


def test_full_width_and_case_fold_both_ways() -> None:
    posts = [make_post("ＢＥＲＴ：预训练", ["用Softmax…"], day=1), make_post("bert:x", [], day=2)]
    index = SearchIndex.build(posts)
    assert index.search("bert:").total == 2
    assert index.search("ＢＥＲＴ：").total == 2
    assert index.search("SOFTMAX...").total == 1
    assert index.search("softmax…").total == 1


def test_one_character_queries_include_segment_ends() -> None:
    posts = [make_post("a", ["b"], day=1), make_post("c", ["xb", "ya"], day=2)]
    index = SearchIndex.build(posts)
    assert index.search("a").total == 2
    assert index.search("b").total == 2
    assert index.search("z").total == 0


def test_unknown_characters_and_empty_index() -> None:
    index = SearchIndex.build([make_post("a", ["b"])])
    assert index.search("龘").total == 0
    assert index.search("-龘").total == 1
    empty = SearchIndex.build([])
    assert empty.search("a").total == 0
    assert empty.search("").total == 0


def test_text_with_nul_characters_is_still_exact() -> None:
    posts = [make_post("a\x00b", ["c\x00"], day=1), make_post("ab", ["c"], day=2)]
    index = SearchIndex.build(posts)
    assert index.search("\x00b").total == 1
    assert index.search("ab").total == 1
    assert index.search("c").total == 2


@pytest.mark.parametrize("step", ["_post_tables", "_sorted_pairs", "_character_postings"])
def test_a_failing_build_step_raises_instead_of_hanging(step: str) -> None:
    """The pair thread waits for the front half of the keys: a failure on either thread must
    end both."""

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError(step)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build, step, fail)
        assert _build_error() == step


def test_a_failure_packing_the_front_half_does_not_leave_the_pair_thread_waiting() -> None:
    pack = index_build._PackedPairs.pack

    def fail_front(self: index_build._PackedPairs, start: int, stop: int) -> None:
        if not threading.current_thread().name.startswith("index-pairs"):  # the caller's half
            raise RuntimeError("front")
        pack(self, start, stop)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build._PackedPairs, "pack", fail_front)
        assert _build_error() == "front"


def test_a_failure_packing_the_back_half_does_not_leave_the_caller_waiting() -> None:
    """The caller waits for the pair thread's half before its per-post tables."""
    pack = index_build._PackedPairs.pack

    def fail_back(self: index_build._PackedPairs, start: int, stop: int) -> None:
        if threading.current_thread().name.startswith("index-pairs"):
            raise RuntimeError("back")
        pack(self, start, stop)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build._PackedPairs, "pack", fail_back)
        assert _build_error() == "back"


def _build_error() -> str:
    """The message of the RuntimeError a build raised, from a thread given 30 s to finish."""
    posts = [make_post("ab向量", ["梯度 ab", "向量"], day=1), make_post("cd", ["ab"], day=2)]
    raised: list[str] = []

    def build() -> None:
        try:
            SearchIndex.build(posts)
        except RuntimeError as error:
            raised.append(str(error))

    worker = threading.Thread(target=build, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the build hangs"
    assert len(raised) == 1
    return raised[0]
