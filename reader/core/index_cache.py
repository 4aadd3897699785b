"""Built search indexes kept on disk, so that reopening a library loads its index (tens of
milliseconds) instead of building it again (most of a second for the whole archive)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from types import CodeType

import numpy as np

from reader.core.index import SearchIndex
from reader.core.model import Post

log = logging.getLogger(__name__)

KEPT = 2
"""Indexes kept in the cache directory (the most recently written): the library read now and
the one before, each about twice its text's size."""
_HASHED_TOGETHER = 1024
"""Texts joined and encoded at a time for the key (the whole archive at once is a copy of it)."""
_PREFIX = "index-"
_SUFFIX = ".npz"
_BUILD_MODULES = (
    "reader.core.index",
    "reader.core.index_build",
    "reader.core.index_words",
    "reader.core.arrays",
    "reader.core.normalize",
)
"""The code whose output is cached: a change to any of it gives the cache new keys."""


def load_cached(
    posts: Sequence[Post], directory: Path
) -> tuple[SearchIndex | None, str | None]:
    """(The index of `posts` if one built by the same code from the same text is kept in
    `directory`, else None; the key to keep it under, None when nothing can be kept: see
    usable). A kept index that cannot be read is removed and passed over (and logged): it
    never costs more than building."""
    if not usable():
        return None, None
    posts = list(posts)
    key = cache_key(posts)
    path = directory / f"{_PREFIX}{key}{_SUFFIX}"
    arrays = _read(path)
    if arrays is None:
        return None, key
    try:
        index = SearchIndex(posts, arrays)
    except Exception:  # arrays of another layout under the same key
        log.warning("the kept search index %s does not fit its posts; building it", path)
        with contextlib.suppress(OSError):
            path.unlink()
        return None, key
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept (see KEPT)
    return index, key


def keep(index: SearchIndex, key: str, directory: Path) -> None:
    """Write the index's arrays under `key` (a temporary file renamed, so that no reader sees
    half of it; about 0.06 s for the archive's 48 MB), then remove all but the KEPT most
    recently used. A failure is logged, not raised: the index is only not kept."""
    try:
        _write(directory, key, index.arrays)
    except (OSError, ValueError) as error:
        log.warning("the search index could not be kept in %s (%s)", directory, error)


def usable() -> bool:
    """Whether the build code can be identified (its compiled code read, as from source, .pyc
    files and the PyInstaller bundle): else no index is kept, as none could be told apart
    from one built by another version."""
    return _code_digest() is not None


def cache_key(posts: Sequence[Post]) -> str:
    """A digest of everything the index's arrays are made from: the posts' titles and
    paragraphs in order (their lengths, then their text), the build code and numpy's version.
    About 55 ms for the 26 MB archive."""
    code = _code_digest()
    if code is None:
        raise RuntimeError("the build code cannot be identified: see usable()")
    texts = [text for post in posts for text in (post.title, *post.paragraphs)]
    digest = hashlib.sha256(code)
    digest.update(np.__version__.encode())
    digest.update(np.array([1 + len(post.paragraphs) for post in posts], np.int64).tobytes())
    digest.update(np.fromiter(map(len, texts), np.int64, len(texts)).tobytes())
    for start in range(0, len(texts), _HASHED_TOGETHER):
        joined = "".join(texts[start : start + _HASHED_TOGETHER])
        digest.update(joined.encode("utf-16", "surrogatepass"))
    return digest.hexdigest()[:32]


@functools.cache
def _code_digest() -> bytes | None:
    """A digest of the build modules' compiled code, None if one of them cannot be read."""
    digest = hashlib.sha256()
    for name in _BUILD_MODULES:
        spec = importlib.util.find_spec(name)
        loader = spec.loader if spec is not None else None
        try:
            code = loader.get_code(name) if hasattr(loader, "get_code") else None  # type: ignore[union-attr]
        except (ImportError, OSError):
            code = None
        if code is None:
            return None
        _digest_code(code, digest)
    return digest.digest()


def _digest_code(code: CodeType, digest: hashlib._Hash) -> None:
    """Feed what defines a code object (its bytecode, names and constants, nested code too)
    into `digest`. Not marshal.dumps(code): its bytes vary between processes, with the
    interpreter's reference counts and the hash seed's order of frozenset constants."""
    digest.update(code.co_code)
    digest.update(getattr(code, "co_exceptiontable", b""))
    digest.update(repr((code.co_name, code.co_names, code.co_varnames, code.co_freevars,
                        code.co_cellvars, code.co_argcount, code.co_posonlyargcount,
                        code.co_kwonlyargcount, code.co_flags)).encode())
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            _digest_code(constant, digest)
        else:
            digest.update(_constant_repr(constant).encode())


def _constant_repr(constant: object) -> str:
    if isinstance(constant, frozenset):  # in whatever order the hash seed gave
        return "frozenset(" + repr(sorted(map(_constant_repr, constant))) + ")"
    if isinstance(constant, tuple):
        return "(" + ", ".join(map(_constant_repr, constant)) + ",)"
    return repr(constant)


def _read(path: Path) -> dict[str, np.ndarray] | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        log.warning("the cached search index %s cannot be read (%s); building it", path, error)
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def _write(directory: Path, key: str, arrays: dict[str, np.ndarray]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{_PREFIX}", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(temp, directory / f"{_PREFIX}{key}{_SUFFIX}")
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _remove_all_but_recent(directory)


def _remove_all_but_recent(directory: Path) -> None:
    """Remove all but the KEPT most recently used indexes, and what a write cut short left
    (not one under way in another window: an hour old). Another process may be doing the same
    (or reading a file, which Windows does not let go): what cannot be removed is left."""
    def used(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    kept = sorted(directory.glob(f"{_PREFIX}*{_SUFFIX}"), key=used, reverse=True)
    an_hour_ago = time.time() - 3600
    left = [p for p in directory.glob(f".{_PREFIX}*.tmp") if used(p) < an_hour_ago]
    for old in kept[KEPT:] + left:
        with contextlib.suppress(OSError):
            old.unlink()
