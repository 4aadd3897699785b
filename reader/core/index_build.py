"""Building the search index's arrays: fold the text, sort the character pairs, count every
character per post. See reader.core.index for the layout and how it is searched."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from reader.core.index_words import CODED_CHARS, build_word_table
from reader.core.model import Post
from reader.core.normalize import code_points, fold_char, has_merging, merging_table, normalize

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
quarter more memory than its positions (see _gap_coded). Four rather than eight made the narrow
50,000-post corpus's pairs of about 300,000 positions dense (466 dense pairs instead of 231; index
1.66x -> 1.69x the text, wide corpus 1.87x -> 1.89x)."""
LOOKUP_CHUNK = 1 << 16
"""Elements a build step works on at a time when a whole-text temporary would cost more in
fresh memory pages than the work itself (see _look_up, _pair_index)."""
BYTE_CODED = 255
"""How many of the most frequent characters get a one-byte code of their own (the rest share
the code BYTE_CODED, and a term's character with that code is checked against its pair)."""


def build_arrays(posts: Sequence[Post]) -> dict[str, np.ndarray]:
    """Every array the index keeps, by name (see SearchIndex for what each holds)."""
    segments: list[str] = []
    first_seg = np.zeros(len(posts) + 1, dtype=np.int64)
    for i, post in enumerate(posts):
        first_seg[i] = len(segments)
        segments.append(post.title)
        segments.extend(post.paragraphs)
    first_seg[len(posts)] = len(segments)
    ids, alphabet, seg_start, seg_len, merging_free, fold_sources = _fold_segments(segments)
    base = len(alphabet) + 1
    block_start = _blocks(np.append(seg_start[first_seg[:-1]], len(ids)))
    # The pair sort is long numpy calls that release the GIL: the per-post tables are made on
    # this thread meanwhile (about half the build on two cores).
    with ThreadPoolExecutor(1, thread_name_prefix="index-pairs") as pool:
        pairs = pool.submit(_pair_index, ids, base, block_start)
        arrays = _post_tables(
            posts, segments, first_seg, ids, alphabet, seg_start, seg_len, merging_free
        )
        arrays.update(merging_free=np.array(merging_free), fold_sources=fold_sources)
        arrays.update(pairs.result())
    return arrays


def _post_tables(
    posts: Sequence[Post],
    segments: list[str],
    first_seg: np.ndarray,
    ids: np.ndarray,
    alphabet: np.ndarray,
    seg_start: np.ndarray,
    seg_len: np.ndarray,
    merging_free: bool,
) -> dict[str, np.ndarray]:
    """Everything but the pair index: where posts and segments lie, per-post counts of every
    character, byte codes and the word table."""
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
        doc_len=(np.add.reduceat(seg_len, doc_first) if len(posts) else seg_len[:0]).astype(
            np.uint32
        ),
        doc_one_to_one=_posts_folding_one_to_one(segments, seg_len, doc_first, merging_free),
    )
    arrays.update(_title_characters(ids, doc_start, title_end))
    char_counts = np.bincount(ids, minlength=base)[: base - 1]
    arrays.update(_character_postings(ids, base, doc_start, char_counts))
    arrays.update(_byte_codes(ids, char_counts, alphabet))
    arrays.update(
        build_word_table(arrays["codes"], arrays["code_of_id"], alphabet, doc_start, title_end)
    )
    return arrays


def _posts_folding_one_to_one(
    segments: list[str], seg_len: np.ndarray, doc_first: np.ndarray, merging_free: bool
) -> np.ndarray:
    """Per post: every segment folds character for character (offsets in the folded text are
    offsets in the original), so a snippet can look for a character without folding."""
    if not len(doc_first):
        return np.zeros(0, dtype=bool)
    raw_len = np.fromiter(map(len, segments), dtype=np.int64, count=len(segments))
    same = (raw_len == seg_len) & merging_free
    return np.logical_and.reduceat(same, doc_first)


def _byte_codes(
    ids: np.ndarray, counts: np.ndarray, alphabet: np.ndarray
) -> dict[str, np.ndarray]:
    """One byte per character of the text, for checking a term's candidates by gathering its
    characters: the word characters and braces (the word table reads words from these codes) and
    the most frequent other characters, BYTE_CODED in all, have their own code; the rest (and the
    separator) share the code BYTE_CODED."""
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
    # Padded to whole 64-bit words with two to spare: SearchIndex reads the codes as words.
    codes = np.full((len(ids) + 23) // 8 * 8, BYTE_CODED, dtype=np.uint8)
    _look_up(code_of_id, ids, out=codes[: len(ids)])
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
    ids: np.ndarray, base: int, doc_start: np.ndarray, char_counts: np.ndarray
) -> dict[str, np.ndarray]:
    """Which posts hold each character occurring more than COUNTED_CHARACTER_MIN times, and how
    often (title included): a one-character query reads its posts and counts here instead of
    sorting its positions, which can be hundreds of thousands (rarer characters are found by
    their positions, which also place their snippets). Laid out by character:
    `char_posts[char_offsets[c]:char_offsets[c + 1]]` are the posts holding character id c, in
    order, `char_post_counts` the matching counts; `char_counted[c]` says whether c is kept."""
    n_docs = len(doc_start) - 1
    bounds = doc_start.tolist()
    counted = char_counts > COUNTED_CHARACTER_MIN
    chars, counts, sizes = [], [], np.zeros(n_docs, dtype=np.int64)
    for doc in range(n_docs):
        per_char = np.bincount(ids[bounds[doc] : bounds[doc + 1]], minlength=base)[: base - 1]
        per_char *= counted
        present = np.flatnonzero(per_char)
        chars.append(present)
        counts.append(per_char[present])
        sizes[doc] = len(present)
    post_type = np.uint16 if n_docs <= 0xFFFF else np.uint32
    if not n_docs:
        empty = np.zeros(0, dtype=np.uint32)
        offsets = np.zeros(base, dtype=np.uint32)
        return {
            "char_offsets": offsets,
            "char_posts": empty,
            "char_post_counts": empty,
            "char_counted": counted,
        }
    all_chars = np.concatenate(chars).astype(np.int64)
    all_counts = np.concatenate(counts)
    all_counts = all_counts.astype(np.uint16 if all_counts.max(initial=0) <= 0xFFFF else np.uint32)
    docs = np.repeat(np.arange(n_docs, dtype=np.int64), sizes)
    # (character, post) pairs are distinct, so any sort of the packed pair is the stable one.
    order = np.argsort(all_chars * n_docs + docs)
    return {
        "char_offsets": np.searchsorted(all_chars[order], np.arange(base)).astype(np.uint32),
        "char_posts": docs[order].astype(post_type),
        "char_post_counts": all_counts[order],
        "char_counted": counted,
    }


def _fold_segments(segments: list[str]) -> _Folded:
    """Fold every segment and lay them out as character ids, each followed by a separator.

    Returns (ids, alphabet, segment starts, folded lengths, no merging characters, fold sources):
    `ids` holds
    each folded character's rank in `alphabet` (sorted code points) and len(alphabet) for the
    separators, so no pair of characters spans two segments. Folding is done per distinct
    character with lookup tables: the whole archive in a few array passes. The fold sources
    (see _fold_sources) let a snippet find a character in the unfolded text.
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
    alphabet = np.unique(np.fromiter((ord(c) for f in folds[1:] for c in f), dtype=np.int64))
    separator = len(alphabet)
    id_type = np.uint16 if separator < 0xFFFF else np.uint32
    first_id = np.zeros(int(present[-1]) + 1, dtype=id_type)
    first_id[present[1:]] = np.searchsorted(alphabet, [ord(f[0]) for f in folds[1:]])
    first_id[0] = separator
    ids = _look_up(first_id, codes)
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
        for cp in np.unique(grown_codes).tolist():
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
    alphabet = np.unique(codes[inner]).astype(np.int64)
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
    ids = _look_up(lookup, codes)
    ids[separators] = base - 1
    return ids


def _look_up(
    table: np.ndarray, index: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """table[index] for a long index array, a chunk at a time: numpy converts an index array to
    its own integer type before gathering, and a chunk's conversion stays in the cache (12.6 M
    characters: 18 against 73 ms)."""
    if out is None:
        out = np.empty(len(index), dtype=table.dtype)
    for start in range(0, len(index), LOOKUP_CHUNK):
        stop = start + LOOKUP_CHUNK
        table.take(index[start:stop], out=out[start:stop])
    return out


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


def _pair_index(ids: np.ndarray, base: int, block_start: np.ndarray) -> dict[str, np.ndarray]:
    """Positions of every pair of adjacent characters (no separator in it), sorted by
    (pair key, position), with the distinct keys and where each one's positions start."""
    separator = base - 1
    pos_type = _position_type(len(ids))
    n_pairs = max(len(ids) - 1, 0)
    broken = ids[:-1] == separator
    broken |= ids[1:] == separator
    n_real = n_pairs - int(np.count_nonzero(broken))
    pos_bits = max(n_pairs.bit_length(), 1)
    key_bits = int(base * base).bit_length()
    if pos_bits + key_bits <= 64:
        # One sort of (key << pos_bits | position), numpy's vectorised sort of plain integers;
        # pairs with a separator get the largest value, so they sort last and are cut off.
        # In place or a chunk at a time: a temporary as large as the text costs more in fresh
        # pages than the arithmetic (12.6 M pairs: 0.36 s before the sort and after, 0.11 s so).
        packed = ids[:-1].astype(np.uint64)
        packed *= np.uint64(base)
        packed += ids[1:]
        packed <<= np.uint64(pos_bits)
        for start in range(0, n_pairs, LOOKUP_CHUNK):
            stop = min(start + LOOKUP_CHUNK, n_pairs)
            packed[start:stop] |= np.arange(start, stop, dtype=np.uint64)
        packed[broken] = np.uint64(2**64 - 1)
        del broken
        packed.sort()
        packed = packed[:n_real]
        positions = np.empty(n_real, dtype=pos_type)
        position_bits = np.uint64((1 << pos_bits) - 1)
        chunk = np.empty(min(LOOKUP_CHUNK, n_real), dtype=np.uint64)
        for start in range(0, n_real, LOOKUP_CHUNK):
            stop = min(start + LOOKUP_CHUNK, n_real)
            np.bitwise_and(packed[start:stop], position_bits, out=chunk[: stop - start])
            positions[start:stop] = chunk[: stop - start]
        packed >>= np.uint64(pos_bits)
        keys = packed
    else:  # an alphabet of over a million characters in a huge text: slower but exact
        where = np.flatnonzero(~broken)
        pair_keys = ids[where].astype(np.uint64) * np.uint64(base) + ids[where + 1]
        order = np.argsort(pair_keys, kind="stable")
        positions = where[order].astype(pos_type)
        keys = pair_keys[order]
    if len(keys):
        starts = np.concatenate(([0], np.flatnonzero(keys[1:] != keys[:-1]) + 1))
    else:
        starts = np.zeros(0, dtype=np.int64)
    key_type = np.uint32 if base * base < 2**32 else np.uint64
    offsets = np.append(starts, len(keys)).astype(pos_type)
    return {"keys": keys[starts].astype(key_type), "offsets": offsets} | _gap_coded(
        positions, offsets, block_start
    )


def _gap_coded(
    positions: np.ndarray, offsets: np.ndarray, block_start: np.ndarray
) -> dict[str, np.ndarray]:
    """The sorted position lists in 16 bits each. A list of DENSE_PER_BLOCK or more positions
    per block (`dense_pairs`, ascending) keeps how many fall in each block (a row of
    `dense_rows`) and each one's offset in its block: a search reads its counts per post
    without placing the positions, and decodes them without a running sum. Every other list
    keeps its first position whole (`first`) and every later one as the gap from the one before;
    a gap of GAP_LIMIT or more is written 0 (no real gap is 0) and kept in `wide_gaps`,
    `wide_before[k]` of them before pair k's list. Half the memory of 32-bit positions."""
    gaps = np.empty(len(positions), dtype=positions.dtype)
    np.subtract(positions[1:], positions[:-1], out=gaps[1:])  # wraps at list starts: see below
    list_starts = offsets[:-1]
    gaps[list_starts] = 0
    sizes = np.diff(offsets.astype(np.int64))
    dense = np.flatnonzero(sizes >= DENSE_PER_BLOCK * max(len(block_start), 1))
    bounds = [(int(offsets[k]), int(offsets[k + 1])) for k in dense.tolist()]
    for low, high in bounds:
        gaps[low:high] = 1  # not wide gaps: overwritten by block offsets below
    wide = np.flatnonzero(gaps >= GAP_LIMIT)
    narrow = gaps.astype(np.uint16)
    narrow[wide] = 0
    rows = np.zeros((len(dense), len(block_start)), dtype=np.uint32)
    for row, (low, high) in zip(rows, bounds, strict=True):
        listed = positions[low:high]
        row[:] = np.diff(np.append(np.searchsorted(listed, block_start), high - low))
        narrow[low:high] = listed - np.repeat(block_start, row)
    row_type = np.uint16 if rows.max(initial=0) <= 0xFFFF else np.uint32
    return {
        "first": positions[list_starts],
        "gaps": narrow,
        "wide_gaps": gaps[wide],
        "wide_before": np.searchsorted(wide, offsets).astype(offsets.dtype),
        "dense_pairs": dense.astype(np.uint32),
        "dense_rows": rows.astype(row_type),
        "block_start": block_start.astype(positions.dtype),
    }
