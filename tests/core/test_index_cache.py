"""Search indexes kept on disk: loaded only for the same text built by the same code, never
trusted when damaged, and a failure to keep one costs nothing but the keeping."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from types import CodeType

import numpy as np
import pytest
from test_index import make_post

from reader.core import index_cache
from reader.core.index import SearchIndex
from reader.core.model import Post


def library(extra: str = "") -> list[Post]:
    return [
        make_post("向量与梯度", ["词向量的 softmax", r"$\boldsymbol{x}$ 与 BERT" + extra], day=1),
        make_post("注意力", ["梯度下降", "ＢＥＲＴ：向量"], day=2),
    ]


QUERIES = ("向量", "bert", "softmax", r"\boldsymbol{x}", "梯度 -注意", "量")


def test_a_kept_index_is_loaded_and_answers_as_the_built_one(tmp_path: Path) -> None:
    posts = library()
    assert index_cache.load_cached(posts, tmp_path)[0] is None
    built = SearchIndex.build(posts)
    index_cache.keep(built, index_cache.cache_key(posts), tmp_path)
    loaded, _key = index_cache.load_cached(posts, tmp_path)
    assert loaded is not None
    assert loaded.arrays.keys() == built.arrays.keys()
    for name, array in built.arrays.items():
        assert loaded.arrays[name].dtype == array.dtype, name
        assert np.array_equal(loaded.arrays[name], array), name
    for query in QUERIES:
        ours, theirs = loaded.search(query, limit=None), built.search(query, limit=None)
        assert [h.post.id for h in ours.hits] == [h.post.id for h in theirs.hits], query
        assert [h.snippet for h in ours.hits] == [h.snippet for h in theirs.hits], query


def test_the_key_follows_the_text_and_where_it_is_split() -> None:
    posts = library()
    same = library()
    changed = library("。")
    joined = [make_post(posts[0].title, ["".join(posts[0].paragraphs)], day=1), posts[1]]
    first, second = posts[0].paragraphs
    moved = [make_post(posts[0].title, [first + second[0], second[1:]], day=1), posts[1]]
    reordered = [posts[1], posts[0]]
    key = index_cache.cache_key(posts)
    assert index_cache.cache_key(same) == key
    for other in (changed, joined, moved, reordered):
        assert index_cache.cache_key(other) != key


def test_another_texts_index_is_not_loaded(tmp_path: Path) -> None:
    posts = library()
    index_cache.keep(SearchIndex.build(posts), index_cache.cache_key(posts), tmp_path)
    other = library("另一段")
    assert index_cache.load_cached(other, tmp_path)[0] is None


def test_a_damaged_index_is_removed_and_built_again(tmp_path: Path) -> None:
    posts = library()
    key = index_cache.cache_key(posts)
    index_cache.keep(SearchIndex.build(posts), key, tmp_path)
    (path,) = tmp_path.glob("index-*.npz")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert index_cache.load_cached(posts, tmp_path) == (None, key)
    assert not path.exists()


def test_arrays_missing_from_a_kept_index_are_not_trusted(tmp_path: Path) -> None:
    posts = library()
    key = index_cache.cache_key(posts)
    arrays = dict(SearchIndex.build(posts).arrays)
    del arrays["keys"]
    np.savez(tmp_path / f"index-{key}.npz", **arrays)
    assert index_cache.load_cached(posts, tmp_path) == (None, key)


def test_only_the_most_recently_used_indexes_are_kept(tmp_path: Path) -> None:
    assert index_cache.KEPT == 2
    first, second, third = (library(str(k)) for k in range(3))
    for hours_ago, posts in ((2, first), (1, second)):
        key = index_cache.cache_key(posts)
        index_cache.keep(SearchIndex.build(posts), key, tmp_path)
        then = time.time() - 3600 * hours_ago
        os.utime(tmp_path / f"index-{key}.npz", (then, then))
    assert index_cache.load_cached(first, tmp_path)[0] is not None  # used again: recent
    index_cache.keep(SearchIndex.build(third), index_cache.cache_key(third), tmp_path)
    assert len(list(tmp_path.glob("index-*.npz"))) == 2
    assert index_cache.load_cached(second, tmp_path)[0] is None
    assert index_cache.load_cached(first, tmp_path)[0] is not None
    assert index_cache.load_cached(third, tmp_path)[0] is not None


def test_a_directory_that_cannot_be_written_only_loses_the_keeping(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    posts = library()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    index_cache.keep(SearchIndex.build(posts), index_cache.cache_key(posts), blocked)
    assert "could not be kept" in caplog.text
    assert index_cache.load_cached(posts, blocked)[0] is None


def test_what_a_cut_short_write_left_is_removed_once_it_is_an_hour_old(tmp_path: Path) -> None:
    stale, fresh = tmp_path / ".index-stale.tmp", tmp_path / ".index-fresh.tmp"
    for path in (stale, fresh):
        path.write_bytes(b"half an index")
    then = time.time() - 2 * 3600
    os.utime(stale, (then, then))
    posts = library()
    index_cache.keep(SearchIndex.build(posts), index_cache.cache_key(posts), tmp_path)
    assert not stale.exists()
    assert fresh.exists()  # maybe another window's write under way


def test_the_build_code_is_identified_from_source() -> None:
    assert index_cache.usable()


def test_nothing_is_kept_when_the_build_code_cannot_be_identified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_cache, "_code_digest", lambda: None)
    assert index_cache.load_cached(library(), tmp_path) == (None, None)
    with pytest.raises(RuntimeError):
        index_cache.cache_key(library())


def test_the_key_is_the_same_in_every_process() -> None:
    """Another start of the app (another hash seed, other reference counts) must find the
    index kept by this one; a set constant in the build code iterates in the hash seed's order."""
    script = (
        "import sys; sys.path.insert(0, 'tests/core'); from test_index_cache import "
        "library, code_digest; from reader.core.index_cache import cache_key; "
        "code = compile(sys.argv[1], 'm', 'exec', dont_inherit=True); "
        "print(cache_key(library()), code_digest(code).hex())"
    )
    words = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")
    set_constant = "x in {" + ", ".join(f"'{word}'" for word in words) + "}"
    root = Path(__file__).resolve().parent.parent.parent
    answers = {
        subprocess.run(
            [sys.executable, "-c", script, set_constant], cwd=root, capture_output=True,
            text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2", "3", "4")
    }
    digest = code_digest(compile(set_constant, "m", "exec", dont_inherit=True)).hex()
    assert answers == {f"{index_cache.cache_key(library())} {digest}"}


def code_digest(code: CodeType) -> bytes:
    digest = hashlib.sha256()
    index_cache._digest_code(code, digest)
    return digest.digest()


def test_the_code_digest_does_not_depend_on_who_else_holds_the_constants() -> None:
    """What varied the keys between starts of the app: marshal's bytes for a constant depend on
    its reference count (held elsewhere or not, at that moment, by another thread)."""
    source = 'def f():\n    return ("a-b c", 1.5, frozenset({"x", "y"}))\n'
    alone, shared = compile(source, "m", "exec"), compile(source, "m", "exec")
    (function,) = (c for c in shared.co_consts if isinstance(c, CodeType))
    held_elsewhere = list(function.co_consts)
    assert code_digest(alone) == code_digest(shared)
    assert held_elsewhere  # held until here
    other = compile(source.replace("1.5", "2.5"), "m", "exec")
    assert code_digest(other) != code_digest(alone)
