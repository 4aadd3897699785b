r"""The search index's word table: for every run of ASCII letters, digits and backslashes in the
folded text (a "word": `softmax`, `2048`, `\boldsymbol`, `x\in`), the posts holding it and how
often. A term made only of such characters occurs only inside words, so its count in a post is the
sum over the few words containing it, instead of checking each of its occurrences (`boldsymbol`
and `\frac` have tens of thousands)."""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter, defaultdict

import numpy as np

WORD_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz\\"
"""Folded characters that make up words (upper case and full-width forms fold to these); the
backslash too, so that TeX commands are words."""
MIN_TERM = 3
"""Shorter terms are found by their character pair, which is already cheap."""
MAX_WORDS = 256
"""A term inside more distinct words than this (`th`, `in`) is found by its pairs instead."""
_SPACE = 0x20
_WORD = re.compile(f"[{re.escape(WORD_CHARS)}]+")


def build_word_table(
    codes: np.ndarray,
    code_of_id: np.ndarray,
    alphabet: np.ndarray,
    doc_start: np.ndarray,
    title_end: np.ndarray,
) -> dict[str, np.ndarray]:
    """The word table's arrays. `codes` is the text's one-byte codes (reader.core.index_build);
    the table is empty (and the index checks occurrences instead) when some word character of
    the text has no code of its own."""
    n_docs = len(doc_start) - 1
    n_chars = int(doc_start[-1]) if len(doc_start) else 0
    table = bytearray([_SPACE]) * 256
    word_ids = np.searchsorted(alphabet, [ord(c) for c in WORD_CHARS])
    present = [
        (int(i), c)
        for i, c in zip(word_ids.tolist(), WORD_CHARS, strict=True)
        if i < len(alphabet) and alphabet[i] == ord(c)
    ]
    shared = int(code_of_id[-1]) if len(code_of_id) else 0
    if not n_docs or any(int(code_of_id[i]) == shared for i, _ in present):
        return _empty()
    for i, char in present:
        table[int(code_of_id[i])] = ord(char)
    text = codes[:n_chars].tobytes().translate(table)
    tokens = text.split()  # in text order; every other byte became a space
    vocabulary: defaultdict[bytes, int] = defaultdict(itertools.count().__next__)
    token_word = np.fromiter(map(vocabulary.__getitem__, tokens), np.int64, len(tokens))
    del tokens
    # Which title or body each token lies in: count the tokens starting in each of them.
    in_word = np.frombuffer(text, dtype=np.uint8) != _SPACE
    starts = np.empty(n_chars, dtype=np.uint8)
    starts[:1] = in_word[:1]
    np.greater(in_word[1:], in_word[:-1], out=starts[1:].view(bool))
    parts = np.empty(2 * n_docs, dtype=np.int64)  # post d: title 2d, body 2d + 1
    parts[0::2] = doc_start[:-1]
    parts[1::2] = title_end
    per_part = np.add.reduceat(starts, parts, dtype=np.int64)
    per_part[np.diff(parts, append=n_chars) == 0] = 0  # reduceat's value for an empty title
    token_part = np.repeat(np.arange(2 * n_docs, dtype=np.int64), per_part)
    keys = token_word * (2 * n_docs) + token_part
    keys.sort()
    run_start = np.flatnonzero(np.diff(keys, prepend=-1))
    run_key = keys[run_start]
    run_count = np.diff(np.append(run_start, len(keys)))
    word, part = np.divmod(run_key, 2 * n_docs)
    doc = part // 2
    in_title = part % 2 == 0
    # Counts with the title included: a post's title run and body run are neighbours.
    doc_key = word * n_docs + doc
    first = np.flatnonzero(np.diff(doc_key, prepend=-1))
    n_words = len(vocabulary)
    post_type = np.uint16 if n_docs <= 0xFFFF else np.uint32
    return {
        "word_vocabulary": np.frombuffer(b"\n".join(vocabulary), dtype=np.uint8).copy(),
        "word_offsets": np.searchsorted(word[first], np.arange(n_words + 1)).astype(np.uint32),
        "word_posts": doc[first].astype(post_type),
        "word_counts": np.add.reduceat(run_count, first).astype(np.uint32)
        if len(first)
        else np.zeros(0, dtype=np.uint32),
        "word_title_offsets": np.searchsorted(word[in_title], np.arange(n_words + 1)).astype(
            np.uint32
        ),
        "word_title_posts": doc[in_title].astype(post_type),
        "word_title_counts": run_count[in_title].astype(np.uint32),
    }


def _empty() -> dict[str, np.ndarray]:
    none = np.zeros(0, dtype=np.uint32)
    return {
        "word_vocabulary": np.zeros(0, dtype=np.uint8),
        "word_offsets": np.zeros(1, dtype=np.uint32),
        "word_posts": none,
        "word_counts": none,
        "word_title_offsets": np.zeros(1, dtype=np.uint32),
        "word_title_posts": none,
        "word_title_counts": none,
    }


class WordTable:
    """Per-post counts of letter-and-digit terms from the word table's arrays."""

    def __init__(self, arrays: dict[str, np.ndarray], n_docs: int) -> None:
        words = arrays["word_vocabulary"].tobytes().decode("ascii")
        self._text = words
        self._starts = [0] + [m.end() for m in re.finditer("\n", words)]
        self._n_docs = n_docs
        self._a = arrays
        self.usable = bool(words)

    def applies_to(self, term: str) -> bool:
        """Whether the table can count the term (made of word characters, not too short)."""
        return self.usable and len(term) >= MIN_TERM and _WORD.fullmatch(term) is not None

    def counts(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(occurrences per post, occurrences per post's title), overlapping ones each counted;
        None when the term lies in too many distinct words (the caller checks occurrences)."""
        hits = []
        at = self._text.find(term)
        while at >= 0:
            hits.append(at)
            if len(hits) > 4 * MAX_WORDS:
                return None
            at = self._text.find(term, at + 1)
        if not hits:
            return np.zeros(self._n_docs, np.int64), np.zeros(self._n_docs, np.int64)
        per_word = Counter(bisect.bisect_right(self._starts, at) - 1 for at in hits)
        if len(per_word) > MAX_WORDS:
            return None
        words = np.fromiter(per_word, dtype=np.int64, count=len(per_word))
        occurrences = np.fromiter(per_word.values(), dtype=np.int64, count=len(per_word))
        return (
            self._sum_rows("word_offsets", "word_posts", "word_counts", words, occurrences),
            self._sum_rows(
                "word_title_offsets", "word_title_posts", "word_title_counts", words, occurrences
            ),
        )

    def _sum_rows(
        self, offsets: str, posts: str, counts: str, words: np.ndarray, times: np.ndarray
    ) -> np.ndarray:
        bounds = self._a[offsets]
        low, high = bounds[words].astype(np.int64), bounds[words + 1].astype(np.int64)
        total = np.zeros(self._n_docs, dtype=np.int64)
        if len(words) == 1:
            row = slice(int(low[0]), int(high[0]))
            total[self._a[posts][row]] = self._a[counts][row].astype(np.int64) * int(times[0])
            return total
        take = np.concatenate(
            [np.arange(a, b) for a, b in zip(low.tolist(), high.tolist(), strict=True)]
        )
        weights = self._a[counts][take] * np.repeat(times, high - low)
        summed = np.bincount(self._a[posts][take], weights=weights, minlength=self._n_docs)
        return summed.astype(np.int64)
