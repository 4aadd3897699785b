r"""The search index's word table: for every run of MIN_TERM or more ASCII letters, digits and
backslashes in the folded text (a "word": `softmax`, `2048`, `\boldsymbol`, `x\in`), the posts
holding it and how often; likewise for every run of any length followed by a whole run in braces
(a "glued" word: `\boldsymbol{x}`, `\mathbb{e}`). A term made only of word characters occurs
only inside words as long as itself, and a term like `symbol{x}` only inside glued words, so its
count in a post is the sum over the few (glued) words containing it, instead of checking each of
its occurrences (`boldsymbol`, `\frac` and `\boldsymbol{x}` have tens of thousands)."""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter, defaultdict

import numpy as np

from reader.core.arrays import LOOKUP_CHUNK, distinct

WORD_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz\\"
"""Folded characters that make up words (upper case and full-width forms fold to these); the
backslash too, so that TeX commands are words."""
CODED_CHARS = WORD_CHARS + "{}"
"""Characters the index gives a byte code of its own whenever they occur: the table reads words
and glued words from the codes."""
MIN_TERM = 3
"""Shorter terms are found by their character pair, which is already cheap."""
MAX_WORDS = 256
"""A term inside more distinct words than this (`th`, `in`) is found by its pairs instead."""
_WORD = re.compile(f"[{re.escape(WORD_CHARS)}]+")
_GLUED = re.compile(f"[{re.escape(WORD_CHARS)}]+\\{{[{re.escape(WORD_CHARS)}]+\\}}")


def build_word_table(
    codes: np.ndarray,
    code_of_id: np.ndarray,
    alphabet: np.ndarray,
    doc_start: np.ndarray,
    title_end: np.ndarray,
) -> dict[str, np.ndarray]:
    """The word table's arrays (`word_*`, and `glued_*` for the commands with an argument).
    `codes` is the text's one-byte codes (reader.core.index_build); the table is empty (and the
    index checks occurrences instead) when some word character of the text has no code of its
    own, the glued table when `{` or `}` has none."""
    n_docs = len(doc_start) - 1
    n_chars = int(doc_start[-1]) if len(doc_start) else 0
    code_of_char = _own_codes(CODED_CHARS, code_of_id, alphabet)
    word_chars = [c for c in WORD_CHARS if _in(c, alphabet)]
    word_codes = [code_of_char.get(c) for c in word_chars]
    # The index gives the word characters the first codes (reader.core.index_build._byte_codes),
    # so a word is a run of codes below their number, read from the codes themselves.
    if not n_docs or word_codes != list(range(len(word_codes))) or len(codes) < n_chars + 8:
        return _empty("word") | _empty("glued")
    spell = bytes.maketrans(bytes(word_codes), "".join(word_chars).encode("ascii"))
    bounds = _word_bounds(codes[:n_chars], len(word_codes))
    token_start, token_end = bounds[0::2], bounds[1::2]
    # A word, "{", the next word and "}" with nothing between them: `\boldsymbol{x}`.
    with_glued = "{" in code_of_char and "}" in code_of_char and len(token_start) >= 2
    glued_at = np.zeros(0, dtype=np.int64)
    if with_glued:
        follows = token_end[:-1]
        glued = (codes[follows] == code_of_char["{"]) & (token_start[1:] == follows + 1)
        glued &= codes[token_end[1:]] == code_of_char["}"]
        glued_at = np.flatnonzero(glued)
    # A term of MIN_TERM or more characters lies only in words as long: shorter words (about
    # half of this archive's) are numbered only as parts of glued words.
    kept = token_end - token_start >= MIN_TERM
    kept[glued_at] = True
    kept[glued_at + 1] = True
    kept_at = np.flatnonzero(kept)
    words, kept_word = _word_ids(codes, token_start[kept_at], token_end[kept_at], spell)
    parts = np.empty(2 * n_docs, dtype=np.int64)  # post d: title 2d, body 2d + 1
    parts[0::2] = doc_start[:-1]
    parts[1::2] = title_end
    # Tokens come in text order: each part's tokens follow the ones of the parts before.
    first_in_part = np.searchsorted(token_start[kept_at], parts)
    kept_part = np.repeat(
        np.arange(len(parts)), np.diff(np.append(first_in_part, len(kept_at)))
    )
    arrays = _postings("word", words, kept_word, kept_part, n_docs)
    if not with_glued:
        return arrays | _empty("glued")
    token_word = np.empty(len(token_start), dtype=np.int64)
    token_word[kept_at] = kept_word
    token_part = np.empty(len(token_start), dtype=np.int64)
    token_part[kept_at] = kept_part
    at = glued_at
    pair_key = token_word[at] * len(words) + token_word[at + 1]
    glued_keys, glued_id = np.unique(pair_key, return_inverse=True)
    spelled = [
        words[head] + b"{" + words[argument] + b"}"
        for head, argument in zip(*np.divmod(glued_keys, len(words)), strict=True)
    ]
    return arrays | _postings("glued", spelled, glued_id.ravel(), token_part[at], n_docs)


def _word_bounds(codes: np.ndarray, n_word_codes: int) -> np.ndarray:
    """Where each word starts and ends, alternately: the offsets where the text goes from codes
    below n_word_codes to the others or back (its ends counting as the others). A chunk at a
    time: two whole-text masks were 25 MB of fresh memory pages at 1,500 posts."""
    pieces = []
    in_word = np.zeros(LOOKUP_CHUNK + 1, dtype=bool)  # [0]: the last code before the chunk
    edges = np.empty(LOOKUP_CHUNK, dtype=bool)
    for start in range(0, len(codes), LOOKUP_CHUNK):
        chunk = codes[start : start + LOOKUP_CHUNK]
        chunk_in_word = in_word[: len(chunk) + 1]
        np.less(chunk, n_word_codes, out=chunk_in_word[1:])
        chunk_edges = edges[: len(chunk)]
        np.not_equal(chunk_in_word[1:], chunk_in_word[:-1], out=chunk_edges)
        pieces.append(np.flatnonzero(chunk_edges) + start)
        in_word[0] = chunk_in_word[-1]
    if in_word[0]:  # a word ends the text
        pieces.append(np.array([len(codes)]))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)


def _word_ids(
    codes: np.ndarray, token_start: np.ndarray, token_end: np.ndarray, spell: bytes
) -> tuple[list[bytes], np.ndarray]:
    """The distinct words (spelled through the `spell` translation) and each token's word, from
    the text's codes (at least eight more after the last token). A word of up to sixteen codes
    is two 64-bit numbers and its length, its codes read with those after it masked off, and is
    numbered by array steps (_numbered); longer words go through a dict. At 1,500 posts (670,000
    tokens), looking every token up in a dict took 0.19 s, a search for words of up to 8 letters
    and a dict for 9-16 letters 0.09 s, this 0.05 s."""
    # Eight codes from every offset of the text: an unaligned view, read by fancy indexing.
    eight = np.ndarray((len(codes) - 8,), dtype="<u8", buffer=codes, strides=(1,))
    length = token_end - token_start
    masks = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
    fits = np.flatnonzero(length <= 16)
    fit_length = length[fits].astype(np.uint64)
    low = eight[token_start[fits]] & masks[np.minimum(fit_length, 8)]
    high = np.zeros(len(fits), dtype=np.uint64)
    middle = np.flatnonzero(fit_length > 8)
    high_at = token_start[fits[middle]] + 8
    high[middle] = eight[high_at] & masks[fit_length[middle] - 8]
    token_word = np.empty(len(token_start), dtype=np.int64)
    numbered = _numbered(low, high, fit_length)
    if numbered is None:  # not told apart by array steps: every such word through the dict
        words: list[bytes] = []
        vocabulary = _long_words(0)
        spelled_fits = map(_spelled, low.tolist(), high.tolist(), fit_length.tolist())
        numbers = map(vocabulary.__getitem__, spelled_fits)
        token_word[fits] = np.fromiter(numbers, np.int64, len(fits))
    else:
        token_word[fits], holder = numbered
        at = (low[holder].tolist(), high[holder].tolist(), fit_length[holder].tolist())
        words = [word.translate(spell) for word in map(_spelled, *at)]
        vocabulary = _long_words(len(words))
    long = np.flatnonzero(length > 16)
    spelled_long = (
        codes[start:end].tobytes()
        for start, end in zip(token_start[long].tolist(), token_end[long].tolist(), strict=True)
    )
    token_word[long] = np.fromiter(map(vocabulary.__getitem__, spelled_long), np.int64, len(long))
    return words + [word.translate(spell) for word in vocabulary], token_word


def _spelled(low: int, high: int, length: int) -> bytes:
    """A word's codes from its two numbers and its length."""
    return (low | high << 64).to_bytes(16, "little")[:length]


_HASH_LOW = 0x9E3779B97F4A7C15
_HASH_HIGH = 0xC2B2AE3D27D4EB4F
_HASH_LENGTH = 0x165667B19E3779F9
_SLOT_HASH = 0xFF51AFD7ED558CCD
SLOTS_PER_WORD = 16
"""Slots of the word numbering's table per distinct word: about 6% of words share a slot (and
are found by a search instead)."""


def _long_words(first_number: int) -> defaultdict[int | bytes, int]:
    """A dict numbering each new key it is asked for, from first_number on."""
    return defaultdict(itertools.count(first_number).__next__)


def _numbered(
    low: np.ndarray, high: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Number the distinct (low, high, length): (each one's number, an index holding each
    number's), or None when the hash does not tell them apart (then a dict must).

    Each pair is hashed to 64 bits, and each distinct hash to a slot of a table by a multiply
    and a shift: a hash alone in its slot is numbered by the table, the others by a search
    (np.searchsorted of 540,000 hashes took 25 ms). The hash is checked: every word must equal
    the word held for its number."""
    with np.errstate(over="ignore"):
        hashed = low * np.uint64(_HASH_LOW) + high * np.uint64(_HASH_HIGH)
        hashed += length * np.uint64(_HASH_LENGTH)
        hashes = distinct(hashed)
        bits = max(int(SLOTS_PER_WORD * len(hashes)).bit_length(), 1)
        shift = np.uint64(64 - bits)
        slot_of_hash = (hashes * np.uint64(_SLOT_HASH)) >> shift
        slots = (hashed * np.uint64(_SLOT_HASH)) >> shift
    alone = np.bincount(slot_of_hash, minlength=1 << bits)[slot_of_hash] == 1
    table = np.full(1 << bits, -1, dtype=np.int64)
    table[slot_of_hash[alone]] = np.flatnonzero(alone)
    number = table[slots]
    shared = np.flatnonzero(number < 0)
    number[shared] = np.searchsorted(hashes, hashed[shared])
    holder = np.empty(len(hashes), dtype=np.int64)
    holder[number] = np.arange(len(number))
    for part in (low, high, length):
        if (part[holder][number] != part).any():
            return None
    return number, holder


def _own_codes(chars: str, code_of_id: np.ndarray, alphabet: np.ndarray) -> dict[str, int]:
    """The byte code of each of these characters that occurs in the text and has its own."""
    shared = int(code_of_id[-1]) if len(code_of_id) else 0
    found = {}
    for char in chars:
        if _in(char, alphabet):
            code = int(code_of_id[int(np.searchsorted(alphabet, ord(char)))])
            if code != shared:
                found[char] = code
    return found


def _in(char: str, alphabet: np.ndarray) -> bool:
    at = int(np.searchsorted(alphabet, ord(char)))
    return at < len(alphabet) and int(alphabet[at]) == ord(char)


def _postings(
    name: str, spelled: list[bytes], item: np.ndarray, part: np.ndarray, n_docs: int
) -> dict[str, np.ndarray]:
    """For items (words) numbered 0..len(spelled)-1 occurring in the given parts (title 2d, body
    2d + 1 of post d): their spellings, and the posts holding each with counts, all of a post
    and of its title only."""
    keys = item * (2 * n_docs) + part
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
    n_items = len(spelled)
    post_type = np.uint16 if n_docs <= 0xFFFF else np.uint32
    return {
        f"{name}_vocabulary": np.frombuffer(b"\n".join(spelled), dtype=np.uint8).copy(),
        f"{name}_offsets": np.searchsorted(word[first], np.arange(n_items + 1)).astype(np.uint32),
        f"{name}_posts": doc[first].astype(post_type),
        f"{name}_counts": np.add.reduceat(run_count, first).astype(np.uint32)
        if len(first)
        else np.zeros(0, dtype=np.uint32),
        f"{name}_title_offsets": np.searchsorted(word[in_title], np.arange(n_items + 1)).astype(
            np.uint32
        ),
        f"{name}_title_posts": doc[in_title].astype(post_type),
        f"{name}_title_counts": run_count[in_title].astype(np.uint32),
    }


def _empty(name: str) -> dict[str, np.ndarray]:
    none = np.zeros(0, dtype=np.uint32)
    return {
        f"{name}_vocabulary": np.zeros(0, dtype=np.uint8),
        f"{name}_offsets": np.zeros(1, dtype=np.uint32),
        f"{name}_posts": none,
        f"{name}_counts": none,
        f"{name}_title_offsets": np.zeros(1, dtype=np.uint32),
        f"{name}_title_posts": none,
        f"{name}_title_counts": none,
    }


class WordTable:
    """Per-post counts of word terms (`softmax`, `\\frac`) and of glued terms (`\\boldsymbol{x}`,
    `l{x}`: the end of a word, then a whole word in braces) from the table's arrays."""

    def __init__(self, arrays: dict[str, np.ndarray], n_docs: int) -> None:
        self._words = _Vocabulary(arrays, "word", n_docs)
        self._glued = _Vocabulary(arrays, "glued", n_docs)
        self.usable = self._words.usable

    def applies_to(self, term: str) -> bool:
        """Whether the table can count the term (made of word characters, not too short, or a
        glued term)."""
        if len(term) < MIN_TERM or not self.usable:
            return False
        if _WORD.fullmatch(term) is not None:
            return True
        return self._glued.usable and _GLUED.fullmatch(term) is not None

    def counts(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(occurrences per post, occurrences per post's title), overlapping ones each counted;
        None when the term lies in too many distinct words (the caller checks occurrences)."""
        table = self._words if _WORD.fullmatch(term) is not None else self._glued
        return table.counts(term)


class _Vocabulary:
    """One table: its items spelled one per line, and their posts and counts."""

    def __init__(self, arrays: dict[str, np.ndarray], name: str, n_docs: int) -> None:
        spelled = arrays[f"{name}_vocabulary"].tobytes().decode("ascii")
        self._text = spelled
        self._starts = [0] + [m.end() for m in re.finditer("\n", spelled)]
        self._n_docs = n_docs
        self._a = arrays
        self._name = name
        self.usable = bool(spelled)

    def counts(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """See WordTable.counts: the term is found in the spellings, and the rows of the items
        holding it are summed, each times the term's occurrences in it."""
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
        return self._sum_rows("", words, occurrences), self._sum_rows("title_", words, occurrences)

    def _sum_rows(self, which: str, words: np.ndarray, times: np.ndarray) -> np.ndarray:
        bounds = self._a[f"{self._name}_{which}offsets"]
        posts = self._a[f"{self._name}_{which}posts"]
        counts = self._a[f"{self._name}_{which}counts"]
        low, high = bounds[words].astype(np.int64), bounds[words + 1].astype(np.int64)
        total = np.zeros(self._n_docs, dtype=np.int64)
        if len(words) == 1:
            row = slice(int(low[0]), int(high[0]))
            total[posts[row]] = counts[row].astype(np.int64) * int(times[0])
            return total
        take = np.concatenate(
            [np.arange(a, b) for a, b in zip(low.tolist(), high.tolist(), strict=True)]
        )
        weights = counts[take] * np.repeat(times, high - low)
        summed = np.bincount(posts[take], weights=weights, minlength=self._n_docs)
        return summed.astype(np.int64)
