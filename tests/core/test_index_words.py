"""Terms of letters, digits and backslashes counted from the word table give what a substring
scan gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_index import corpora, ids, make_post

from reader.core import index_build, index_words
from reader.core.index import SearchIndex
from reader.core.normalize import normalize
from reader.core.query import reference_search

# Few letters so that words repeat and contain each other; upper case and full-width letters fold
# to them; TeX punctuation and Han characters end words.
WORDY = "abx1ＡB \\{}向"


@st.composite
def corpus_and_word_query(draw: st.DrawFn) -> tuple[list, str]:
    posts = draw(corpora(WORDY))
    terms = []
    for _ in range(draw(st.integers(1, 2))):
        post = draw(st.sampled_from(posts))
        source = normalize(draw(st.sampled_from([post.title, *post.paragraphs])))
        kind = draw(st.sampled_from(["slice", "word", "glued"]))
        if kind == "slice" and len(source) >= 3:
            start = draw(st.integers(0, len(source) - 3))
            term = source[start : start + draw(st.integers(3, 6))]
        elif kind == "glued":  # a word's end, then a word in braces: `\\b{x}`
            head = draw(st.text(alphabet="abx1B\\", min_size=1, max_size=3))
            term = head + "{" + draw(st.text(alphabet="abx1", min_size=1, max_size=2)) + "}"
        else:
            term = draw(st.text(alphabet="abx1B\\", min_size=3, max_size=5))
        prefix = draw(st.sampled_from(["", "", "-", "title:"]))
        terms.append(f'{prefix}"{term}"')
    return posts, " ".join(terms)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_and_word_query(), st.sampled_from([1, 2, 256]), st.sampled_from([3, 8, 1 << 16]))
def test_word_terms_match_the_substring_scan(
    case: tuple[list, str], max_words: int, chunk: int
) -> None:
    posts, query = case
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_words, "MAX_WORDS", max_words)  # small: the pair path takes over
        patch.setattr(index_words, "LOOKUP_CHUNK", chunk)  # small: words across chunks
        results = SearchIndex.build(posts).search(query, limit=None)
    expected = reference_search(posts, query)
    assert ids(results) == sorted(expected)
    assert results.total == len(expected)
    for hit in results.hits:  # snippets anchored through the byte codes mark real matches
        for start, end in hit.snippet.spans:
            assert any(t in normalize(hit.snippet.text[start:end]) for t in results.terms)


def test_word_terms_are_counted_per_post_without_positions() -> None:
    posts = [
        make_post("BOLD title", ["\\boldsymbol{x} and \\boldsymbol{y}", "boldsymbols"], day=1),
        make_post("other", ["ｂｏｌｄsymbol 向 bold"], day=2),
        make_post("none", ["bol dsymbol"], day=3),
    ]
    index = SearchIndex.build(posts)
    found = index._find("boldsymbol")
    assert found.positions is None  # the word table answered, not the pairs
    assert found.counts.tolist() == [3, 1, 0]
    assert index._find("bold").counts.tolist() == [4, 2, 0]
    assert index._find("bold").title_counts.tolist() == [1, 0, 0]
    results = index.search("boldsymbol")
    assert [h.post.title for h in results.hits] == ["BOLD title", "other"]
    shown = results.hits[1].snippet
    assert [shown.text[a:b] for a, b in shown.spans] == ["ｂｏｌｄsymbol"]


def test_tex_commands_are_words() -> None:
    posts = [
        make_post("t", ["$\\frac{a}{b}$ and $x\\in A$, \\\\frac"], day=1),
        make_post("u", ["frac \\fra"], day=2),
    ]
    index = SearchIndex.build(posts)
    assert index._find("\\frac").positions is None
    assert index._find("\\frac").counts.tolist() == [2, 0]
    assert index._find("\\in").counts.tolist() == [1, 0]
    assert index._find("frac").counts.tolist() == [2, 1]
    assert index._find("x\\i").counts.tolist() == [1, 0]


def test_commands_with_an_argument_are_counted_from_glued_words() -> None:
    posts = [
        make_post(
            "T{x}", ["$\\boldsymbol{x}+\\boldsymbol{xy}$ a\\boldsymbol{x}", "{x} b{x}b{x}"], day=1
        ),
        make_post("u", ["\\boldsymbol{x", "symbol{x}", "\\frac{1}{x}"], day=2),
    ]
    index = SearchIndex.build(posts)
    expected = {  # term: (counts per post, counts per title)
        "\\boldsymbol{x}": ([2, 0], [0, 0]),
        "symbol{x}": ([2, 1], [0, 0]),
        "b{x}": ([2, 0], [0, 0]),
        "t{x}": ([1, 0], [1, 0]),
        "c{1}": ([0, 1], [0, 0]),
        "l{xy}": ([1, 0], [0, 0]),
    }
    for term, (counts, title_counts) in expected.items():
        found = index._find(term)
        assert found.positions is None, term  # the glued table answered
        assert (found.counts.tolist(), found.title_counts.tolist()) == (counts, title_counts)
    # Not of that form: `}{x}` (the argument's word is not glued to what comes before).
    assert index._find("1}{x}").positions is not None
    assert index._find("1}{x}").counts.tolist() == [0, 1]
    hit = index.search('"\\boldsymbol{x}"').hits[0]
    assert [hit.snippet.text[a:b] for a, b in hit.snippet.spans] == ["\\boldsymbol{x}"] * 2


def test_overlapping_occurrences_inside_a_word_each_count() -> None:
    index = SearchIndex.build([make_post("t", ["aaaa aaa"], day=1)])
    assert index._find("aaa").positions is None
    assert index._find("aaa").counts.tolist() == [3]


def test_without_codes_for_every_letter_the_pairs_answer() -> None:
    posts = [make_post("t", ["abc abd", "xbc"], day=1), make_post("u", ["abcabc"], day=2)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_build, "BYTE_CODED", 2)  # too few codes to give each letter one
        index = SearchIndex.build(posts)
    assert not index._words.usable
    assert index._find("abc").positions is not None
    assert index._find("abc").counts.tolist() == [1, 2]


@pytest.mark.parametrize(
    "numbering",
    [{}, {"SLOTS_PER_WORD": 0}, {"_HASH_LOW": 0, "_HASH_HIGH": 0, "_HASH_LENGTH": 0}],
    ids=["table", "shared-slots", "dict"],
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.text(alphabet="ab0\\", min_size=1, max_size=24), min_size=1, max_size=6),
        min_size=1,
        max_size=5,
    ),
    st.data(),
)
def test_words_of_every_length_are_told_apart(
    numbering: dict[str, int], words: list[list[str]], data: st.DataObject
) -> None:
    """Words up to 16 letters are numbered by a hash (see _numbered: a table slot of their own,
    a slot shared with others, or, when the hash mixes two words up, a dict), longer ones by a
    dict: words sharing their first 8 or 16 letters must stay distinct, and so must `ab` and
    `ab0` (`0` has the byte code 0), counts per post exact."""
    posts = [make_post(f"t{i}", [" ".join(ws)], day=i) for i, ws in enumerate(words)]
    word = data.draw(st.sampled_from([w for ws in words for w in ws]))
    start = data.draw(st.integers(0, max(len(word) - 3, 0)))
    term = word[start : start + data.draw(st.integers(3, 20))]
    if len(term) < 3:
        term = word
    with pytest.MonkeyPatch.context() as patch:
        for name, value in numbering.items():
            patch.setattr(index_words, name, value)
        index = SearchIndex.build(posts)
    results = index.search(f'"{term}"', limit=None)
    assert ids(results) == sorted(reference_search(posts, f'"{term}"'))
    counts = index._words.counts(normalize(term)) if len(term) >= 3 else None
    if counts is not None:
        folded = normalize(term)
        expected = [sum(_occurrences(p, folded) for p in post.paragraphs) for post in posts]
        assert counts[0].tolist() == expected


def test_words_ending_in_the_first_code_are_not_shorter_words() -> None:
    """`0` gets byte code 0, so `xab0` and `xab` read as the same eight bytes: their lengths
    must tell them apart (see _numbered)."""
    posts = [make_post("0", ["xab0 xab xab"], day=1), make_post("1", ["xab xab00"], day=2)]
    index = SearchIndex.build(posts)
    assert index._words.usable
    assert index._words.counts("xab0")[0].tolist() == [1, 1]
    assert index._words.counts("xab00")[0].tolist() == [0, 1]
    assert index._words.counts("xab")[0].tolist() == [3, 2]
    assert index.search("xab0").total == 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=40), st.integers(1, 9))
def test_word_bounds_are_where_words_start_and_end(codes: list[int], chunk: int) -> None:
    """Codes below 3 are word codes: the bounds are every start and end of a run of them, read a
    chunk at a time (runs across chunks, at the text's start and end)."""
    expected = []
    for at in range(len(codes) + 1):
        inside = at < len(codes) and codes[at] < 3
        before = at > 0 and codes[at - 1] < 3
        if inside != before:
            expected.append(at)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_words, "LOOKUP_CHUNK", chunk)
        bounds = index_words._word_bounds(np.array(codes, dtype=np.uint8), 3)
    assert bounds.tolist() == expected


def _occurrences(text: str, term: str) -> int:
    return sum(text.startswith(term, i) for i in range(len(text)))
