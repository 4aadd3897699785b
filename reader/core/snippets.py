"""Snippets: a short excerpt of a paragraph around a match, with the matches marked as spans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reader.core.normalize import (
    normalize_character_wise,
    normalize_with_offsets,
    resized_characters,
)

SNIPPET_CHARS = 80
"""Folded characters shown in a snippet (the original text may be a little longer or shorter)."""
CONTEXT_BEFORE = 20
"""Folded characters kept before the match the snippet is built around."""
ELLIPSIS = "…"


@dataclass(frozen=True)
class Highlighted:
    """A piece of displayed text with the [start, end) character offsets of matches in it."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def marked(self, before: str = "[[", after: str = "]]") -> str:
        """The text with each span wrapped in the given markers."""
        out: list[str] = []
        last = 0
        for start, end in self.spans:
            out.extend((self.text[last:start], before, self.text[start:end], after))
            last = end
        out.append(self.text[last:])
        return "".join(out)

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "spans": [list(span) for span in self.spans]}


def find_spans(text: str, terms: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """Where the (normalised) terms occur in `text`, as merged spans of the original text."""
    folded, starts, ends = normalize_with_offsets(text)
    return _merge(_folded_matches(folded, terms, 0, len(folded)), starts, ends, 0)


def excerpt(
    paragraph: str,
    terms: Sequence[str],
    anchor: int | None = None,
    *,
    one_to_one: bool = False,
    merging_free: bool = False,
    width: int = SNIPPET_CHARS,
) -> Highlighted:
    """About `width` characters of `paragraph` around the folded offset `anchor`, matches marked.

    `one_to_one` says the paragraph folds character for character and has no merging characters
    (known from the index), which spares computing the offset map; `merging_free` says only the
    latter, so that only the window is folded and mapped. Without an anchor the excerpt is the
    paragraph's start.
    """
    if one_to_one:
        # Character for character: fold only the window (long paragraphs are common in TeX).
        # This path makes most snippets of a search, a page of them per keystroke: kept lean.
        length = len(paragraph)
        at = 0 if anchor is None else min(max(anchor, 0), length)
        begin = max(0, min(at - CONTEXT_BEFORE, length - width))
        end = min(length, begin + width)
        shown = paragraph[begin:end]
        prefix = ELLIPSIS if begin else ""
        window = normalize_character_wise(shown)
        spans = _spans(window, terms, len(prefix))
        return Highlighted(prefix + shown + (ELLIPSIS if end < length else ""), spans)
    if merging_free:
        return _character_wise_excerpt(paragraph, terms, anchor, width)
    folded, starts, ends = normalize_with_offsets(paragraph)
    begin, end = _window(anchor, len(folded), width)
    matches = _folded_matches(folded, terms, begin, end)
    text_begin = starts[begin] if begin < len(folded) else len(paragraph)
    text_end = ends[end - 1] if end > 0 else 0
    prefix = ELLIPSIS if text_begin > 0 else ""
    suffix = ELLIPSIS if text_end < len(paragraph) else ""
    spans = _merge(matches, starts, ends, text_begin - len(prefix))
    return Highlighted(prefix + paragraph[text_begin:text_end] + suffix, spans)


def _character_wise_excerpt(
    paragraph: str, terms: Sequence[str], anchor: int | None, width: int
) -> Highlighted:
    """excerpt() of a paragraph without merging characters, which folds character by character:
    only the few characters whose fold is not one character long (`…`) move folded offsets, so
    only the window is folded and mapped. (Mapping a whole paragraph holding `……` took 115 us at
    180 characters and 270 us at 720, for each snippet made from it.)"""
    # A character's folded offset is never below its index, so the window lies in the folds of
    # the paragraph's first anchor + width characters: only those are looked at (finding the
    # resized characters of 344 took 20 us).
    resized = resized_characters(paragraph[: (0 if anchor is None else max(anchor, 0)) + width])
    if not resized:
        return excerpt(paragraph, terms, anchor, one_to_one=True, width=width)
    folded_len = len(paragraph) + sum(size - 1 for _, size in resized)
    begin, end = _window(anchor, folded_len, width)
    first, folded_first = (
        _character_at(begin, resized) if begin < folded_len else (len(paragraph), folded_len)
    )
    last = _character_at(end - 1, resized)[0] + 1 if end > 0 else 0
    shown = paragraph[first:last]
    prefix = ELLIPSIS if first > 0 else ""
    suffix = ELLIPSIS if last < len(paragraph) else ""
    folded = normalize_character_wise(shown)
    matches = _folded_matches(folded, terms, begin - folded_first, end - folded_first)
    # Each folded character's character in `shown`: one each, but for the resized ones.
    char_of: list[int] = []
    next_char = first
    for index, size in resized:
        if first <= index < last:
            char_of.extend(range(next_char - first, index - first))
            char_of.extend([index - first] * size)
            next_char = index + 1
    char_of.extend(range(max(next_char, first) - first, len(shown)))
    shift = len(prefix)
    spans = sorted((char_of[a] + shift, char_of[b - 1] + 1 + shift) for a, b in matches)
    return Highlighted(prefix + shown + suffix, _joined(spans))


def _character_at(folded_at: int, resized: list[tuple[int, int]]) -> tuple[int, int]:
    """(the character whose fold holds folded offset `folded_at`, where that fold starts), for
    a text folding character by character whose resized characters are `resized`."""
    shift = 0  # folded offset minus character index, before the character looked at
    for index, size in resized:
        fold_start = index + shift
        if folded_at < fold_start:
            break
        if folded_at < fold_start + size:
            return index, fold_start
        shift += size - 1
    return folded_at - shift, folded_at


def _window(anchor: int | None, length: int, width: int) -> tuple[int, int]:
    """[begin, end) of about `width` folded characters with `anchor` near the start."""
    anchor = 0 if anchor is None else min(max(anchor, 0), length)
    begin = max(0, anchor - CONTEXT_BEFORE)
    end = min(length, begin + width)
    return max(0, min(begin, end - width)), end


def _spans(window: str, terms: Sequence[str], shift: int) -> tuple[tuple[int, int], ...]:
    """Every occurrence of every term in `window`, moved right by `shift`, sorted, overlapping
    ones joined. (Not _folded_matches then a shift: this path makes most snippets, and the
    second pass cost about 2 us of 8 a snippet.)"""
    found: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        size = len(term)
        at = window.find(term)
        while at >= 0:
            found.append((at + shift, at + shift + size))
            at = window.find(term, at + 1)
    if len(terms) > 1:
        found.sort()
    return _joined(found)


def _folded_matches(
    folded: str, terms: Sequence[str], begin: int, end: int
) -> list[tuple[int, int]]:
    """Every occurrence of every term lying wholly inside folded[begin:end]."""
    found: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        at = folded.find(term, begin, end)
        while at >= 0:
            found.append((at, at + len(term)))
            at = folded.find(term, at + 1, end)
    return found


def _merge(
    matches: list[tuple[int, int]], starts: list[int], ends: list[int], shift: int
) -> tuple[tuple[int, int], ...]:
    """Folded matches → original spans minus `shift`, sorted, overlapping ones joined."""
    return _joined(sorted((starts[a] - shift, ends[b - 1] - shift) for a, b in matches))


def _joined(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted spans with the overlapping ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)
