"""The query language and the normalisation it compares with."""

from __future__ import annotations

import unicodedata

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from reader.core import normalize as norm
from reader.core.query import YearRange, parse_query

# Letters, CJK, full-width forms, characters that fold to several, and merging characters.
TRICKY = "aAbB向量梯度:：ＢＥＲＴbert…ßẞİıﬁΣσς ½e\u0301\u0323ｶﾞㄱㅏ\u1100\u1161é"


def test_folding_examples() -> None:
    assert norm.normalize("ＢＥＲＴ") == "bert"
    assert norm.normalize("：") == ":"
    assert norm.normalize("……") == "......"
    assert norm.normalize("Straße") == "strasse"
    assert norm.normalize("e\u0301") == "é"
    assert norm.normalize("ｶﾞ") == "ガ"


def test_generated_tables_match_this_unicodedata() -> None:
    assert norm.compute_tables() == (norm._MERGING_CLASS, norm._RESIZING_CLASS)


def test_plane_tables_fold_every_character_as_fold_char_does() -> None:
    folds = norm.bmp_folds()
    merging = norm.merging_table()
    for cp in range(0x10000):
        folded = norm.fold_char(chr(cp))
        table_says = (int(folds.size[cp]), int(folds.first[cp]) if folds.size[cp] else None)
        if merging[cp] or 0xD800 <= cp <= 0xDFFF or max(folded) > "\uffff":
            assert table_says == (0, None), hex(cp)
        else:
            assert table_says == (len(folded), ord(folded[0])), hex(cp)
    assert (folds.single == np.where(folds.size == 1, folds.first, 0)).all()
    rows = folds.sources.T.tolist()
    assert rows == sorted(rows)
    assert all(norm.fold_char(chr(cp)) == chr(f) for f, cp in rows)
    assert len(rows) == int((folds.size == 1).sum())


@given(st.text(alphabet=TRICKY, max_size=30))
def test_offsets_point_at_the_original_characters(text: str) -> None:
    folded, starts, ends = norm.normalize_with_offsets(text)
    assert folded == norm.normalize(text)
    assert len(starts) == len(ends) == len(folded)
    for i, char in enumerate(folded):
        assert 0 <= starts[i] < ends[i] <= len(text)
        assert char in norm.normalize(text[starts[i] : ends[i]])
    assert starts == sorted(starts)


@given(st.text(max_size=40))
def test_fold_is_nfkc_casefold_without_merging_characters(text: str) -> None:
    if not norm.has_merging(text):
        assert norm.normalize(text) == unicodedata.normalize("NFKC", text).casefold()


@given(st.text(alphabet=TRICKY, max_size=80))
def test_has_merging_agrees_on_short_and_long_texts(text: str) -> None:
    expected = any(norm.merging_table()[ord(c)] for c in text)
    assert norm.has_merging(text) == expected
    assert norm.has_merging(text * 5) == expected


def test_terms_phrases_and_negation() -> None:
    parsed = parse_query('向量  "soft max" -梯度 -"a b" ＢＥＲＴ')
    assert parsed.terms == ["向量", "soft max", "bert"]
    assert parsed.excluded == ["梯度", "a b"]
    assert parsed.positive_terms == ("向量", "soft max", "bert")
    assert parsed.problems == []


def test_fields() -> None:
    parsed = parse_query('title:"词 向量" Author:苏 year:2019..2021 -year:2020 -title:x arXiv:1706')
    assert parsed.title_terms == ["词 向量"]
    assert parsed.authors == ["苏"]
    assert parsed.years == [YearRange(2019, 2021)]
    assert parsed.excluded_years == [YearRange(2020, 2020)]
    assert parsed.excluded_title == ["x"]
    assert parsed.terms == ["arxiv:1706"]


def test_open_year_ranges_and_swapped_bounds() -> None:
    assert parse_query("year:2019..").years == [YearRange(2019, None)]
    assert parse_query("year:..2019").years == [YearRange(None, 2019)]
    assert parse_query("year:2021..2019").years == [YearRange(2019, 2021)]


def test_problems_are_explained_and_the_rest_still_runs() -> None:
    parsed = parse_query('year:abc 向量 "open')
    assert parsed.years == []
    assert parsed.terms == ["向量", "open"]
    assert any("year:abc" in p for p in parsed.problems)
    assert any("not closed" in p for p in parsed.problems)
    parsed = parse_query("title: 向量")
    assert parsed.terms == ["向量"] and parsed.title_terms == []
    assert any("needs a value" in p for p in parsed.problems)


def test_a_lone_dash_is_a_term_and_empty_phrases_are_ignored() -> None:
    parsed = parse_query('- ""')
    assert parsed.terms == ["-"]
    assert parse_query("   ").is_empty


@given(st.text(alphabet=TRICKY + "𝐱𝐀，。？Ω\U0001f600：！；（）\u3000ＡßİΣ…", max_size=40))
def test_character_wise_fold_is_the_fold_of_text_without_merging_characters(text: str) -> None:
    """The snippet windows' fold: common full-width punctuation replaced, or a table lookup per
    character, NFKC + casefold all the same (characters folding to several, and those beyond
    the table's plane, included)."""
    if not norm.has_merging(text):
        assert norm.normalize_character_wise(text) == norm.normalize(text)


def test_character_wise_fold_of_full_width_punctuation_and_math_letters() -> None:
    assert norm.normalize_character_wise("梯度，ＢＥＲＴ？") == "梯度,bert?"
    assert norm.normalize_character_wise("𝐱，Ａ") == "x,a"
    assert norm.normalize_character_wise("Straße，") == "strasse,"
    assert norm.normalize_character_wise("ＢＥＲＴ：（是）？\u3000") == "bert:(是)? "


@given(st.text(alphabet=TRICKY + "𝐱，…℃㎡\U0001f100", max_size=60))
def test_resized_characters_are_those_whose_fold_is_not_one_character(text: str) -> None:
    expected = [(i, len(norm.fold_char(c))) for i, c in enumerate(text)]
    assert norm.resized_characters(text) == [(i, n) for i, n in expected if n != 1]
