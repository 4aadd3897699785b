"""Building the search index's arrays: fold the text, sort the character pairs, count every
character per post. See reader.core.index for the layout and how it is searched."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from reader.core.arrays import LOOKUP_CHUNK, distinct, look_up
from reader.core.index_words import CODED_CHARS, build_word_table
from reader.core.model import Post
from reader.core.normalize import (
    bmp_folds,
    code_points,
    fold_char,
    has_merging,
    merging_table,
    normalize,
)

_Folded = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool, np.ndarray]

COUNTED_CHARACTER_MIN = 4096
"""Characters occurring more often than this have their per-post counts kept (see
_character_postings); a rarer one's positions are few enough to sort at query time."""
GAP_LIMIT = 1 << 16
"""Gaps between a pair's positions below this are kept in 16 bits; larger ones on the side."""
BLOCK_CHARS = 1 << 16
"""Longest block (see _blocks): offsets in a block are kept in 16 bits."""
DENSE_PER_BLOCK = 4
"""A pair with this many positions per block or more keeps its counts per block: at most a
quarter more memory than its positions (see _GapCoder). Four rather than eight made the narrow
50,000-post corpus's pairs of about 300,000 positions dense (466 dense pairs instead of 231; index
1.66x -> 1.69x the text, wide corpus 1.87x -> 1.89x)."""
BYTE_CODED = 255
"""How many of the most frequent characters get a one-byte code of their own (the rest share
the code BYTE_CODED, and a term's character with that code is checked against its pair)."""


POSTINGS_BINS = 1 << 22
"""Most (post, counted character) cells counted at once (see _character_postings)."""
JOIN_SEGMENTS = 1024
"""Segments (titles, paragraphs) joined and encoded together when the text is laid out (64 at a
time took 33 ms at 1,500 posts, 1,024 25 ms, 4,096 28 ms)."""
COUNT_CHUNK = 1 << 20
"""Characters counted by one np.bincount call: it converts them to 64 bits first, and a
temporary of the whole text would be fresh memory pages every build."""


@dataclass(frozen=True)
class _FoldedText:
    """The folded titles and paragraphs end to end, each followed by a separator, as one array
    of character ids (see _Characters)."""

    ids: np.ndarray
    seg_start: np.ndarray
    seg_len: np.ndarray
    """Folded length of each segment."""
    merging_free: bool
    characters: _Characters


@dataclass(frozen=True)
class _Characters:
    """The folded text's characters: which and how often each occurs."""

    alphabet: np.ndarray
    """The folded text's distinct characters (code points, ascending); a character's id is its
    rank here, and the separator's id is len(alphabet)."""
    counts: np.ndarray
    """Occurrences of each character id."""
    fold_sources: np.ndarray


def build_arrays(posts: Sequence[Post]) -> dict[str, np.ndarray]:
    """Every array the index keeps, by name (see SearchIndex for what each holds)."""
    segments: list[str] = []
    first_seg = np.zeros(len(posts) + 1, dtype=np.int64)
    for i, post in enumerate(posts):
        first_seg[i] = len(segments)
        segments.append(post.title)
        segments.extend(post.paragraphs)
    first_seg[len(posts)] = len(segments)
    raw_len = np.fromiter(map(len, segments), dtype=np.int64, count=len(segments))
    # The pair sort is long numpy calls that release the GIL: the per-post tables are made on
    # this thread meanwhile, and the dense pairs' rows as the pair thread reads the sorted lists.
    with ThreadPoolExecutor(1, thread_name_prefix="index-pairs") as pool:
        text = _fold_text(segments, raw_len, pool)
        characters = text.characters
        n_ids = len(characters.alphabet) + 1
        n_chars = len(text.ids)
        block_start = _blocks(np.append(text.seg_start[first_seg[:-1]], n_chars))
        separators = text.seg_start + text.seg_len
        key_type = _PackedPairs.key_type(n_chars, n_ids)
        packing = None
        if key_type is not None:
            packing = _PackedPairs(text.ids, n_ids, key_type)
        read = _ReadLists()
        sorting = pool.submit(_sorted_pairs, read, text.ids, n_ids, separators, packing)
        sorting.add_done_callback(lambda _sorted: read.close())  # done or failed: no more lists
        if packing is not None:
            sorting.add_done_callback(lambda _sorted: packing.back_packed.set())  # failed early
            try:
                packing.pack(0, packing.middle)
            finally:  # else the pair thread would wait for ever
                packing.front_packed.set()
            # The per-post tables' loops of short numpy calls held the GIL against the pair
            # thread's packing loop: one build in five took 0.12 s instead of 0.035 s to pack.
            packing.back_packed.wait()
        arrays = _post_tables(segments, raw_len, first_seg, text, characters)
        # In the positions' type: numpy converts a list to its needles' type for each search.
        dense = _DenseRows(block_start.astype(_position_type(n_chars)))
        for positions, gaps, starts in read:
            dense.add(positions, gaps, starts)
        keys, offsets, positions, coder = sorting.result()
    dense_tables = dense.finish(positions, coder.gaps)
    arrays.update(
        coder.finish(positions, offsets, dense_tables["dense_pairs"]) | dense_tables,
        keys=keys,
        offsets=offsets,
    )
    arrays.update(merging_free=np.array(text.merging_free), fold_sources=characters.fold_sources)
    return arrays


def _post_tables(
    segments: list[str],
    raw_len: np.ndarray,
    first_seg: np.ndarray,
    text: _FoldedText,
    characters: _Characters,
) -> dict[str, np.ndarray]:
    """Everything but the pair index: where posts and segments lie, per-post counts of every
    character, byte codes and the word table."""
    seg_start, seg_len, ids = text.seg_start, text.seg_len, text.ids
    alphabet = characters.alphabet
    base = len(alphabet) + 1
    pos_type = _position_type(len(ids))
    doc_first = first_seg[:-1]
    doc_start = np.append(seg_start[doc_first], len(ids)).astype(pos_type)
    title_end = (seg_start[doc_first] + seg_len[doc_first]).astype(pos_type)
    last_char = np.full(len(segments), base - 1, dtype=ids.dtype)
    filled = seg_len > 0
    last_char[filled] = ids[(seg_start + seg_len - 1)[filled]]
    arrays: dict[str, np.ndarray] = dict(
        alphabet=alphabet,
        doc_start=doc_start,
        title_end=title_end,
        seg_start=np.append(seg_start, len(ids)).astype(pos_type),
        seg_last_char=last_char,
        first_seg=first_seg.astype(np.uint32),
        doc_len=(np.add.reduceat(seg_len, doc_first) if len(doc_first) else seg_len[:0]).astype(
            np.uint32
        ),
        doc_one_to_one=_posts_folding_one_to_one(raw_len, seg_len, doc_first, text.merging_free),
    )
    arrays.update(_title_characters(ids, doc_start, title_end))
    arrays.update(_character_postings(ids, characters, doc_start))
    arrays.update(_byte_codes(ids, characters))
    arrays.update(
        build_word_table(arrays["codes"], arrays["code_of_id"], alphabet, doc_start, title_end)
    )
    return arrays


def _posts_folding_one_to_one(
    raw_len: np.ndarray, seg_len: np.ndarray, doc_first: np.ndarray, merging_free: bool
) -> np.ndarray:
    """Per post: every segment folds character for character (offsets in the folded text are
    offsets in the original), so a snippet can look for a character without folding."""
    if not len(doc_first):
        return np.zeros(0, dtype=bool)
    same = (raw_len == seg_len) & merging_free
    return np.logical_and.reduceat(same, doc_first)


def _byte_codes(ids: np.ndarray, characters: _Characters) -> dict[str, np.ndarray]:
    """One byte per character of the text, for checking a term's candidates by gathering its
    characters: the word characters and braces (the word table reads words from these codes: the
    word characters of the text get the first codes, in the order of CODED_CHARS) and the most
    frequent other characters, BYTE_CODED in all, have their own code; the rest (and the
    separator) share the code BYTE_CODED."""
    alphabet, counts = characters.alphabet, characters.counts
    base = len(counts) + 1
    budget = min(BYTE_CODED, 255)
    word_cps = np.array([ord(c) for c in CODED_CHARS], dtype=np.int64)
    word = np.searchsorted(alphabet, word_cps)
    found = word < len(alphabet)
    word = word[found][alphabet[word[found]] == word_cps[found]]
    ranked = np.argsort(counts, kind="stable")[::-1]
    if len(word) <= budget:
        ranked = np.concatenate((word, ranked[~np.isin(ranked, word)]))
    chosen = ranked[:budget]
    code_of_id = np.full(base, BYTE_CODED, dtype=np.uint8)
    code_of_id[chosen] = np.arange(len(chosen), dtype=np.uint8)
    # Padded to whole 64-bit words with two to spare: SearchIndex reads the codes as words,
    # and looks for terms in them as bytes (the array's own memory: no copy).
    codes = np.frombuffer(bytearray((len(ids) + 23) // 8 * 8), dtype=np.uint8)
    codes.fill(BYTE_CODED)
    look_up(code_of_id, ids, out=codes[: len(ids)])
    return {"code_of_id": code_of_id, "codes": codes}


def _title_characters(
    ids: np.ndarray, doc_start: np.ndarray, title_end: np.ndarray
) -> dict[str, np.ndarray]:
    """Every title's character ids end to end, and where each title starts in that array."""
    lengths = (title_end.astype(np.int64) - doc_start[:-1]).astype(np.int64)
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.uint32)
    if not len(lengths):
        return {"title_chars": ids[:0], "title_offsets": offsets}
    # Index of each title character in the text: its title's start plus its rank in the title.
    starts = np.repeat(doc_start[:-1].astype(np.int64) - offsets[:-1], lengths)
    where = starts + np.arange(int(offsets[-1]))
    return {"title_chars": ids[where], "title_offsets": offsets}


def _character_postings(
    ids: np.ndarray, characters: _Characters, doc_start: np.ndarray
) -> dict[str, np.ndarray]:
    """Which posts hold each character occurring more than COUNTED_CHARACTER_MIN times, and how
    often (title included): a one-character query reads its posts and counts here instead of
    sorting its positions, which can be hundreds of thousands (rarer characters are found by
    their positions, which also place their snippets). Laid out by character:
    `char_posts[char_offsets[c]:char_offsets[c + 1]]` are the posts holding character id c, in
    order, `char_post_counts` the matching counts; `char_counted[c]` says whether c is kept."""
    n_docs = len(doc_start) - 1
    counted = characters.counts > COUNTED_CHARACTER_MIN
    counted_ids = np.flatnonzero(counted)
    base = len(characters.counts) + 1
    starts = doc_start.tolist()
    chars, posts, counts = [], [], []
    step = max(POSTINGS_BINS // max(len(counted_ids), 1), 1)
    # A table of counts per (post, counted character), a band of posts at a time, each post
    # counted on its own: its table of every character stays in the cache. Counting (post,
    # character) cells of a million characters at a time took 0.12 s at 1,500 posts, this 0.07 s.
    # Read by column, the table's cells come out by character, then post.
    for first in range(0, n_docs, step):
        last = min(first + step, n_docs)
        table = np.empty((last - first, len(counted_ids)), dtype=np.int64)
        for row, post in enumerate(range(first, last)):
            post_ids = ids[starts[post] : starts[post + 1]]
            np.bincount(post_ids, minlength=base).take(counted_ids, out=table[row])
        by_char = table.T
        char, post = np.nonzero(by_char)
        chars.append(char)
        posts.append(post + first)
        counts.append(by_char[char, post])
    all_chars = np.concatenate(chars) if chars else np.zeros(0, dtype=np.int64)
    all_posts = np.concatenate(posts) if posts else np.zeros(0, dtype=np.int64)
    all_counts = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)
    if len(chars) > 1:
        # (character, post) pairs are distinct, so any sort of the packed pair is the stable one.
        order = np.argsort(all_chars * n_docs + all_posts)
        all_chars, all_posts, all_counts = all_chars[order], all_posts[order], all_counts[order]
    post_type = np.uint16 if n_docs <= 0xFFFF else np.uint32
    count_type = np.uint16 if all_counts.max(initial=0) <= 0xFFFF else np.uint32
    return {
        "char_offsets": np.searchsorted(counted_ids[all_chars], np.arange(base)).astype(np.uint32),
        "char_posts": all_posts.astype(post_type),
        "char_post_counts": all_counts.astype(count_type),
        "char_counted": counted,
    }


def _fold_text(segments: list[str], raw_len: np.ndarray, pool: Executor) -> _FoldedText:
    """Fold every segment and lay them out end to end, each followed by a separator.

    Folding is done per distinct character with lookup tables (reader.core.normalize): the
    whole archive in a few array passes, on UTF-16 code units when every character lies in the
    Basic Multilingual Plane and none merges (_fold_plane), else on code points
    (_fold_segments, or one segment at a time for merging characters). The separator is an id
    no character has, so no character pair spans two segments. `pool` takes half of the
    plane's passes.
    """
    if not segments:
        return _ids_text(*_no_segments())
    return _fold_plane(segments, raw_len, pool) or _ids_text(*_fold_segments(segments))


def _fold_plane(segments: list[str], raw_len: np.ndarray, pool: Executor) -> _FoldedText | None:
    """The folded text (NUL separating segments) by table lookups on UTF-16 code units, or None
    when some character lies outside the Basic Multilingual Plane, may merge, or is NUL."""
    units = _plane_units(segments, raw_len)
    if units is None:
        return None
    # The code units are counted first, half on each thread: the alphabet, and so every
    # character's id, follows from which occur, and the text then goes from code units to ids
    # in one lookup (the pairs are sorted by ids: see _PackedPairs).
    half = len(units) // 2 // LOOKUP_CHUNK * LOOKUP_CHUNK
    counting = pool.submit(_bincount, units[half:], 0x10000)
    unit_counts = _bincount(units[:half], 0x10000) + counting.result()
    folds = bmp_folds()
    present = np.flatnonzero(unit_counts[1:]) + 1
    if unit_counts[0] != len(segments) or not folds.single[present].all():
        # A NUL in the text, or characters folding to several (or to none the tables know:
        # beyond the plane, merging).
        return _fold_plane_resizing(units, segments, raw_len)
    # Each character folds to one: its count goes to what it folds to.
    counts = np.bincount(folds.single, weights=unit_counts, minlength=0x10000)
    counts = counts.astype(np.int64)  # exact: below 2**53
    alphabet, id_of = _plane_alphabet(counts)
    unit_ids = id_of[folds.single]  # NUL, folding to itself, gets the separator's id
    # In the units' own memory when ids fit 16 bits (a chunk's index is converted to numpy's
    # index type before the gather writes): 25 MB fewer fresh pages at 1,500 posts.
    ids = units if id_of.dtype == units.dtype else np.empty(len(units), dtype=id_of.dtype)
    lookup = pool.submit(look_up, unit_ids, units[half:], ids[half:])
    look_up(unit_ids, units[:half], out=ids[:half])
    lookup.result()
    return _plane_text(ids, raw_len, counts, alphabet)


def _fold_plane_resizing(
    units: np.ndarray, segments: list[str], raw_len: np.ndarray
) -> _FoldedText | None:
    """_fold_plane's path for text with characters folding to several: the folded code points
    are laid out first, with room after each growing character."""
    folds = bmp_folds()
    symbols = look_up(folds.single, units)
    odd = np.flatnonzero(symbols == 0)
    grown = odd[units[odd] != 0]
    size = folds.size[units[grown]]
    if len(odd) - len(grown) != len(segments) or (size < 2).any():
        return None
    extra = size.astype(np.int64) - 1
    grown_at = grown + np.cumsum(extra) - extra
    # Each character in its new place, leaving room after the grown ones (a mask: repeat
    # converts its counts to 64 bits first, 4x slower at 12.6 M characters).
    spread = np.empty(len(symbols) + int(extra.sum()), dtype=symbols.dtype)
    moved = np.ones(len(spread), dtype=bool)
    for k in range(1, int(size.max()) if len(size) else 1):
        moved[grown_at[size > k] + k] = False
    spread[moved] = symbols
    symbols = spread
    grown_units = units[grown]
    for cp in distinct(grown_units).tolist():
        where = grown_at[grown_units == cp]
        for k, char in enumerate(fold_char(chr(cp))):
            symbols[where + k] = ord(char)
    raw_ends = np.cumsum(raw_len + 1) - 1
    seg_of = np.searchsorted(raw_ends, grown)
    seg_len = raw_len + np.bincount(seg_of, weights=extra, minlength=len(segments)).astype(
        np.int64
    )
    counts = _bincount(symbols, 0x10000)
    alphabet, id_of = _plane_alphabet(counts)
    return _plane_text(look_up(id_of, symbols), seg_len, counts, alphabet)


def _plane_alphabet(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The code points occurring (but NUL, the separator) by their counts, and the id of each
    code point of the plane (NUL's the separator's, len(alphabet))."""
    alphabet = np.flatnonzero(counts[1:]) + 1
    id_type = np.uint16 if len(alphabet) < 0xFFFF else np.uint32
    id_of = np.zeros(0x10000, dtype=id_type)
    id_of[alphabet] = np.arange(len(alphabet), dtype=id_type)
    id_of[0] = len(alphabet)
    return alphabet, id_of


def _plane_text(
    ids: np.ndarray, seg_len: np.ndarray, counts: np.ndarray, alphabet: np.ndarray
) -> _FoldedText:
    """A text folded on the plane's tables, from its ids, folded segment lengths and the count
    of every code point. Its fold sources are every character of the plane folding to one of
    the alphabet: a superset of the text's (see _fold_sources)."""
    folds = bmp_folds()
    sources = folds.sources[:, np.isin(folds.sources[0], alphabet)]
    seg_start = np.cumsum(seg_len + 1) - (seg_len + 1)
    characters = _Characters(alphabet, counts[alphabet], sources)
    return _FoldedText(ids, seg_start, seg_len, True, characters)


def _plane_units(segments: list[str], raw_len: np.ndarray) -> np.ndarray | None:
    """The segments' UTF-16 code units, each segment followed by NUL, or None when some
    character lies beyond the Basic Multilingual Plane (two units). Encoded JOIN_SEGMENTS at a
    time into one array: the whole text joined, then encoded, made two objects of its size in
    fresh memory pages every build (12,000 page faults at 1,500 posts, against 600), for the
    same time."""
    # Where each segment starts in the units if every character is one unit.
    starts = np.concatenate(([0], np.cumsum(raw_len + 1))).tolist()
    units = np.empty(starts[-1], dtype=np.uint16)
    for first in range(0, len(segments), JOIN_SEGMENTS):
        part = segments[first : first + JOIN_SEGMENTS]
        part.append("")  # a separator after the part's last segment too
        encoded = "\x00".join(part).encode("utf-16-le", "surrogatepass")
        low, high = starts[first], starts[first + len(part) - 1]
        if len(encoded) != 2 * (high - low):
            return None  # a surrogate pair
        units[low:high] = np.frombuffer(encoded, dtype=np.uint16)
    return units


def _ids_text(
    ids: np.ndarray,
    alphabet: np.ndarray,
    seg_start: np.ndarray,
    seg_len: np.ndarray,
    merging_free: bool,
    fold_sources: np.ndarray,
) -> _FoldedText:
    """A folded text laid out as character ids."""
    base = len(alphabet) + 1
    counts = np.bincount(ids, minlength=base)[: base - 1]
    characters = _Characters(alphabet, counts, fold_sources)
    return _FoldedText(ids, seg_start, seg_len, merging_free, characters)


def _fold_segments(segments: list[str]) -> _Folded:
    """Fold every segment and lay them out as character ids, each followed by a separator.

    Returns (ids, alphabet, segment starts, folded lengths, no merging characters, fold sources):
    `ids` holds
    each folded character's rank in `alphabet` (sorted code points) and len(alphabet) for the
    separators. The fold sources (see _fold_sources) let a snippet find a character in the
    unfolded text.
    """
    if not segments:
        return _no_segments()
    joined = "\x00".join(segments) + "\x00"
    codes = code_points(joined)
    present = np.flatnonzero(np.bincount(codes))
    folds = [fold_char(chr(cp)) for cp in present.tolist()]
    lengths = np.fromiter(map(len, folds), dtype=np.int64, count=len(folds))
    if (
        merging_table()[present].any()
        or joined.count("\x00") != len(segments)
        or not 0 < lengths.min() <= lengths.max() < 256
        or any("\x00" in f for f in folds[1:])
    ):
        return _fold_segments_one_by_one(segments)
    # NUL occurs only as the separator here (checked above), so it is no character of the text.
    alphabet = distinct(np.fromiter((ord(c) for f in folds[1:] for c in f), dtype=np.int64))
    separator = len(alphabet)
    id_type = np.uint16 if separator < 0xFFFF else np.uint32
    first_id = np.zeros(int(present[-1]) + 1, dtype=id_type)
    first_id[present[1:]] = np.searchsorted(alphabet, [ord(f[0]) for f in folds[1:]])
    first_id[0] = separator
    ids = look_up(first_id, codes)
    if lengths.max() > 1:
        size = np.zeros(len(first_id), dtype=np.uint8)
        size[present] = lengths
        per_char = size[codes]
        grown = np.flatnonzero(per_char > 1)
        extra = per_char[grown].astype(np.int64) - 1
        ids = np.repeat(ids, per_char)
        grown_at = grown + np.cumsum(extra) - extra
        spelled = dict(zip(present.tolist(), folds, strict=True))
        grown_codes = codes[grown]
        for cp in distinct(grown_codes).tolist():
            where = grown_at[grown_codes == cp]
            for k, char in enumerate(spelled[cp][1:], start=1):
                ids[where + k] = np.searchsorted(alphabet, ord(char))
    ends = np.flatnonzero(ids == separator)
    seg_start = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    sources = _fold_sources(present[1:].tolist(), folds[1:])
    return ids, alphabet, seg_start, ends - seg_start, True, sources


def _no_segments() -> _Folded:
    empty = np.zeros(0, dtype=np.int64)
    return np.zeros(0, dtype=np.uint32), empty, empty, empty, True, np.zeros((2, 0), np.int64)


def _fold_segments_one_by_one(
    segments: list[str],
) -> _Folded:
    """The exact path for text with merging characters (combining accents and the like)."""
    pieces = [normalize(s) for s in segments]
    seg_len = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    ends = np.cumsum(seg_len + 1) - 1
    seg_start = ends - seg_len
    codes = code_points("\x00".join(pieces) + "\x00")
    inner = np.ones(len(codes), dtype=bool)
    inner[ends] = False
    alphabet = distinct(codes[inner]).astype(np.int64)
    ids = _character_ids(codes, alphabet, ends)
    present = np.flatnonzero(np.bincount(code_points("".join(segments)))).tolist()
    sources = _fold_sources(present, [fold_char(chr(cp)) for cp in present])
    return ids, alphabet, seg_start, seg_len, not any(map(has_merging, segments)), sources


def _fold_sources(present: list[int], folds: list[str]) -> np.ndarray:
    """Rows (folded character, original character) for every character of the text that folds
    to a single character, sorted: the characters to look for in the unfolded text to find
    a folded one."""
    pairs = sorted((ord(f), cp) for cp, f in zip(present, folds, strict=True) if len(f) == 1)
    return np.array(pairs, dtype=np.int64).reshape(-1, 2).T.copy()


def _character_ids(codes: np.ndarray, alphabet: np.ndarray, separators: np.ndarray) -> np.ndarray:
    """Dense ids (rank in `alphabet`) for folded code points; separators get the highest id."""
    base = len(alphabet) + 1
    id_type = np.uint16 if base <= 0xFFFF else np.uint32
    lookup = np.full(int(codes.max(initial=0)) + 1, base - 1, dtype=id_type)
    lookup[alphabet] = np.arange(len(alphabet), dtype=id_type)
    ids = look_up(lookup, codes)
    ids[separators] = base - 1
    return ids


def _bincount(values: np.ndarray, minlength: int) -> np.ndarray:
    """np.bincount, COUNT_CHUNK values at a time."""
    total = np.zeros(minlength, dtype=np.int64)
    for start in range(0, len(values), COUNT_CHUNK):
        total += np.bincount(values[start : start + COUNT_CHUNK], minlength=minlength)
    return total


def _position_type(n_chars: int) -> type[np.unsignedinteger]:
    return np.uint32 if n_chars < 2**32 - 64 else np.uint64


def _blocks(doc_start: np.ndarray) -> np.ndarray:
    """Where each block starts: every post is a block, except that a post longer than
    BLOCK_CHARS is cut into blocks of that many characters (so an offset in a block fits 16
    bits)."""
    lengths = np.diff(doc_start.astype(np.int64))
    pieces = np.maximum((lengths + BLOCK_CHARS - 1) // BLOCK_CHARS, 1)
    first = np.cumsum(pieces) - pieces
    rank = np.arange(int(pieces.sum()), dtype=np.int64) - np.repeat(first, pieces)
    return np.repeat(doc_start[:-1].astype(np.int64), pieces) + rank * BLOCK_CHARS


KEY_TYPES: tuple[tuple[int, type[np.number]], ...] = (
    (53, np.float64),
    (63, np.int64),
    (64, np.uint64),
)
"""The types a pair's packed sort key can be sorted in, by the most bits the key may have:
numpy sorted 12.6 M keys here as doubles in 0.28 s, as signed in 0.34 s, as unsigned in 0.40 s
(a double holds every integer below 2**53 exactly, in the same order)."""


class _PackedPairs:
    """Every pair's sort key, (first id * ids + second id) << pos_bits | position, in one number
    (see KEY_TYPES), packed by two threads: the front half by the caller while the pair thread
    packs the back half (a tenth of the pair thread's work: its memory pages are fresh in a
    first build)."""

    def __init__(self, ids: np.ndarray, n_ids: int, key_type: type[np.number]) -> None:
        self.n_pairs = max(len(ids) - 1, 0)
        self.pos_bits = max(self.n_pairs.bit_length(), 1)
        self.keys = np.empty(self.n_pairs, dtype=key_type)
        self.middle = self.n_pairs // 2 // LOOKUP_CHUNK * LOOKUP_CHUNK
        self.front_packed = threading.Event()
        self.back_packed = threading.Event()
        self._ids = ids
        self._n_ids = n_ids

    @staticmethod
    def key_type(n_symbols: int, n_ids: int) -> type[np.number] | None:
        """The fastest type the keys can be sorted in, or None when they need over 64 bits."""
        n_pairs = max(n_symbols - 1, 0)
        bits = max(n_pairs.bit_length(), 1) + int(n_ids * n_ids - 1).bit_length()
        return next((kind for most, kind in KEY_TYPES if bits <= most), None)

    def pack(self, start: int, stop: int) -> None:
        """The keys of pairs start..stop-1, a chunk at a time: a temporary as large as the
        text costs more in fresh pages than the arithmetic (12.6 M pairs: 0.36 s before the
        sort and after, 0.11 s so), and each step of a chunk finds it in the cache."""
        first_bits = np.uint64(self._n_ids << self.pos_bits)
        shift = np.uint64(self.pos_bits)
        packed = np.empty(LOOKUP_CHUNK, dtype=np.uint64)
        for low in range(start, stop, LOOKUP_CHUNK):
            high = min(low + LOOKUP_CHUNK, stop)
            width = high - low
            chunk_ids = self._ids[low : high + 1]
            key = packed[:width]
            np.multiply(chunk_ids[:-1], first_bits, out=key, dtype=np.uint64)
            second = chunk_ids[1:].astype(np.uint64)
            second <<= shift
            second |= np.arange(low, high, dtype=np.uint64)
            key += second
            self.keys[low:high] = key  # exact in every type of KEY_TYPES the key fits


def _sorted_pairs(
    read: _ReadLists,
    ids: np.ndarray,
    n_ids: int,
    separators: np.ndarray,
    packing: _PackedPairs | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, _GapCoder]:
    """(keys, offsets, positions, gaps): the positions of every pair of adjacent ids (no
    separator in it: `separators` are where those lie), sorted by (pair key, position); the
    distinct keys (first id * ids + second id, in character ids); where each key's positions
    start; the gaps between them, coded on the way. Where lists start is told to `read` a
    chunk at a time. `packing` (when keys fit 64 bits) has its front half packed by the
    caller."""
    pos_type = _position_type(len(ids))
    n_pairs = max(len(ids) - 1, 0)
    key_type = np.uint32 if n_ids * n_ids < 2**32 else np.uint64
    broken = np.concatenate((separators, separators - 1))  # a pair ending or starting there
    broken = broken[(broken >= 0) & (broken < n_pairs)]
    n_real = n_pairs - len(distinct(broken))
    gaps = _GapCoder(n_real)
    if packing is None:  # an alphabet of over a million characters in a huge text: slower
        kept = np.ones(n_pairs, dtype=bool)
        kept[broken] = False
        where = np.flatnonzero(kept)
        pair_keys = ids[where].astype(np.uint64) * np.uint64(n_ids) + ids[where + 1]
        order = np.argsort(pair_keys, kind="stable")
        positions = where[order].astype(pos_type)
        pair_keys = pair_keys[order]
        changed = np.ones(n_real, dtype=bool)
        np.not_equal(pair_keys[1:], pair_keys[:-1], out=changed[1:])
        for start in range(0, n_real, LOOKUP_CHUNK):
            stop = min(start + LOOKUP_CHUNK, n_real)
            gaps.add(start, positions[start:stop], np.flatnonzero(changed[start:stop]))
        starts = np.flatnonzero(changed)
        read.publish(positions, gaps.gaps, starts)
        offsets = np.append(starts, n_real).astype(pos_type)
        return pair_keys[starts].astype(key_type), offsets, positions, gaps
    # One sort of the packed keys, numpy's vectorised sort of plain numbers; pairs with a
    # separator get the largest value, so they sort last and are cut off.
    packing.pack(packing.middle, n_pairs)
    packing.back_packed.set()  # on failure, build_arrays sets it once this thread is done
    packing.front_packed.wait()
    sorted_keys = packing.keys
    sorted_keys[broken] = (
        np.inf if sorted_keys.dtype.kind == "f" else np.iinfo(sorted_keys.dtype).max
    )
    sorted_keys.sort()
    # Read a chunk at a time (fresh memory pages cost more than the arithmetic: see
    # _PackedPairs). 32-bit positions go into the first half of the sorted keys' own memory,
    # each chunk's after it is read; wider ones get an array of their own.
    narrow = pos_type is np.uint32
    room = sorted_keys[:n_real].view(np.uint32)
    positions = room[:n_real] if narrow else np.empty(n_real, dtype=pos_type)
    # Read as signed integers when the keys fit: doubles convert to those faster here.
    read_type = np.uint64 if sorted_keys.dtype == np.uint64 else np.int64
    shift = read_type(packing.pos_bits)
    position_bits = read_type((1 << packing.pos_bits) - 1)
    chunk = np.empty(min(LOOKUP_CHUNK, n_real), dtype=read_type)
    new = np.empty(len(chunk), dtype=bool)
    starts, keys = [], []
    before = None  # the pair key of the position before the chunk
    for start in range(0, n_real, LOOKUP_CHUNK):
        stop = min(start + LOOKUP_CHUNK, n_real)
        packed = chunk[: stop - start]
        packed[:] = sorted_keys[start:stop]
        pair = packed >> shift
        new_list = new[: stop - start]
        new_list[0] = before is None or pair[0] != before
        np.not_equal(pair[1:], pair[:-1], out=new_list[1:])
        found = np.flatnonzero(new_list)
        starts.append(found + start)
        keys.append(pair[found])
        before = pair[-1]
        np.bitwise_and(packed, position_bits, out=packed)
        positions[start:stop] = packed  # over keys already read
        gaps.add(start, positions[start:stop], found)  # in 32 bits when they fit: half the traffic
        read.publish(positions, gaps.gaps, starts[-1])
    run_starts = np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
    pair_keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
    offsets = np.append(run_starts, n_real).astype(pos_type)
    return pair_keys.astype(key_type), offsets, positions, gaps


class _GapCoder:
    """The sorted position lists in 16 bits each, coded a chunk at a time as they are read.

    Every list but a dense one (see _DenseRows) keeps its first position whole (`first`) and
    every later one as the gap from the one before; a gap of GAP_LIMIT or more is written 0 (no
    real gap is 0) and kept in `wide_gaps`, `wide_before[k]` of them before pair k's list. Half
    the memory of 32-bit positions. A dense list's place in `gaps` is written by _DenseRows."""

    def __init__(self, n_positions: int) -> None:
        self.gaps = np.empty(n_positions, dtype=np.uint16)
        self._wide_at: list[np.ndarray] = []
        self._wide: list[np.ndarray] = []
        self._last = 0

    def add(self, start: int, positions: np.ndarray, list_starts: np.ndarray) -> None:
        """Code the chunk of positions from `start` on; `list_starts` are the indices in the
        chunk where a list starts, ascending."""
        if not len(positions):
            return
        gaps = np.empty(len(positions), dtype=positions.dtype)
        np.subtract(positions[1:], positions[:-1], out=gaps[1:])  # wraps at list starts
        starts_list = len(list_starts) and list_starts[0] == 0
        gaps[0] = 0 if starts_list else int(positions[0]) - self._last
        gaps[list_starts] = 0
        wide = np.flatnonzero(gaps >= GAP_LIMIT)
        self._wide_at.append(wide + start)
        self._wide.append(gaps[wide])
        gaps[wide] = 0
        self.gaps[start : start + len(gaps)] = gaps
        self._last = int(positions[-1])

    def finish(
        self, positions: np.ndarray, offsets: np.ndarray, dense: np.ndarray
    ) -> dict[str, np.ndarray]:
        """The arrays, once every chunk is coded: without the dense lists' wide gaps."""
        wide_at = np.concatenate(self._wide_at) if self._wide_at else np.zeros(0, np.int64)
        wide = np.concatenate(self._wide) if self._wide else positions[:0]
        if len(dense) and len(wide_at):
            # The dense lists' wide gaps, few or none (a dense list has several positions a
            # block), found from the lists' bounds: marking the list of every wide gap took
            # 6 ms at 1,500 posts (a million wide gaps), after the pair thread.
            listed = dense.astype(np.int64)
            low = np.searchsorted(wide_at, offsets[listed])
            high = np.searchsorted(wide_at, offsets[listed + 1])
            if (high > low).any():
                edges = np.bincount(low, minlength=len(wide_at) + 1)
                edges -= np.bincount(high, minlength=len(wide_at) + 1)
                kept = np.cumsum(edges[:-1]) == 0
                wide_at, wide = wide_at[kept], wide[kept]
        return {
            "first": positions[offsets[:-1]],
            "gaps": self.gaps,
            "wide_gaps": wide.astype(positions.dtype),
            "wide_before": np.searchsorted(wide_at, offsets).astype(offsets.dtype),
        }


class _ReadLists:
    """Where the sorted lists start, told by the pair thread a chunk at a time as it reads them,
    so that the caller can work on the lists already read meanwhile. Iterating gives (positions,
    gaps, list starts) until the pair thread is done."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[np.ndarray, np.ndarray, np.ndarray] | None] = (
            queue.SimpleQueue()
        )

    def publish(self, positions: np.ndarray, gaps: np.ndarray, starts: np.ndarray) -> None:
        """Lists start at `starts` (ascending, after any told before); the positions and gaps
        before the last of them are written."""
        self._queue.put((positions, gaps, starts))

    def close(self) -> None:
        self._queue.put(None)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        while (item := self._queue.get()) is not None:
            yield item


class _DenseRows:
    """The dense lists (DENSE_PER_BLOCK or more positions per block), each found once the next
    list's start is known: their counts per block (a row of `dense_rows` each, `dense_pairs`
    saying whose), and each position's offset in its block written to the list's place in the
    gaps. A search reads a dense pair's counts per post without placing its positions, and
    decodes them without a running sum."""

    def __init__(self, block_start: np.ndarray) -> None:
        self._block_start = block_start
        self._least = DENSE_PER_BLOCK * max(len(block_start), 1)
        self._open = np.zeros(0, dtype=np.int64)  # where the list not known complete starts
        self._open_number = 0  # and its number
        self._pairs: list[int] = []
        self._rows: list[np.ndarray] = []

    def add(self, positions: np.ndarray, gaps: np.ndarray, starts: np.ndarray) -> None:
        """Lists start at `starts`: those now complete are read if dense."""
        bounds = np.concatenate((self._open, starts))
        self._complete(positions, gaps, bounds)
        self._open_number += max(len(bounds) - 1, 0)
        self._open = bounds[-1:]

    def finish(self, positions: np.ndarray, gaps: np.ndarray) -> dict[str, np.ndarray]:
        """The tables, the last list (ending with the positions) included."""
        if len(self._open):
            self._complete(positions, gaps, np.append(self._open, len(positions)))
        self._open = self._open[:0]
        rows = (
            np.stack(self._rows)
            if self._rows
            else np.zeros((0, len(self._block_start)), dtype=np.int64)
        )
        row_type = np.uint16 if rows.max(initial=0) <= 0xFFFF else np.uint32
        return {
            "dense_pairs": np.array(self._pairs, dtype=np.uint32),
            "dense_rows": rows.astype(row_type),
            "block_start": self._block_start.astype(positions.dtype),
        }

    def _complete(self, positions: np.ndarray, gaps: np.ndarray, bounds: np.ndarray) -> None:
        """The lists between consecutive bounds, the first of them the open list's number."""
        block_start = self._block_start
        for k in np.flatnonzero(np.diff(bounds) >= self._least).tolist():
            low, high = int(bounds[k]), int(bounds[k + 1])
            listed = positions[low:high]
            row = np.diff(np.append(np.searchsorted(listed, block_start), high - low))
            np.subtract(listed, np.repeat(block_start, row), out=gaps[low:high], casting="unsafe")
            self._pairs.append(self._open_number + k)
            self._rows.append(row)
