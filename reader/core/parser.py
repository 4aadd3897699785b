"""Reading inputs into posts: files and folders, dumps and Markdown, duplicates, progress, cancel.

The formats themselves live in dump_format (homepage dumps), markdown_files (Markdown with YAML
front matter) and decoding (bytes → text). Nothing here raises on bad input: every problem is a
Diagnostic in the ParseResult.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from reader.core import markdown_files
from reader.core.decoding import SNIFF_BYTES, binary_head_diagnostic, decode_bytes
from reader.core.dump_format import parse_dump_lines, split_lines
from reader.core.model import Diagnostic, ParseResult, Post

__all__ = [
    "DUMP_SUFFIXES",
    "MARKDOWN_SUFFIXES",
    "ParseCancelled",
    "parse_dump_text",
    "parse_file",
    "parse_markdown_text",
    "parse_paths",
]

DUMP_SUFFIXES = frozenset({".txt"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


class ParseCancelled(Exception):
    """Raised by parse_paths when should_cancel() returned True; nothing partial is returned."""


def _deduplicate(posts: Iterable[Post], diagnostics: list[Diagnostic]) -> list[Post]:
    kept: dict[str, Post] = {}
    for post in posts:
        first = kept.get(post.id)
        if first is None:
            kept[post.id] = post
            continue
        where = "the same file" if first.source == post.source else first.source
        same = "" if first.paragraphs == post.paragraphs else " (their texts differ)"
        diagnostics.append(
            Diagnostic(
                post.source,
                post.line,
                "warning",
                f'The post "{post.title}" ({post.date.isoformat() if post.date else "no date"}) '
                f"at line {post.line} was already read from {where}, line {first.line}{same}; "
                "only the first copy is kept.",
            )
        )
    return list(kept.values())


def parse_dump_text(text: str, source: str = "<string>") -> ParseResult:
    """Parse the text of a homepage dump (already decoded)."""
    posts, diagnostics = parse_dump_lines(split_lines(text), source)
    return ParseResult(_deduplicate(posts, diagnostics), diagnostics)


def parse_markdown_text(text: str, source: str = "<string>") -> ParseResult:
    """Parse one Markdown document with YAML front matter (title, date, author, readers, url)."""
    posts, diagnostics = markdown_files.parse_markdown_text(text, source)
    return ParseResult(posts, diagnostics)


def _is_markdown(path: Path) -> bool:
    return path.suffix.lower() in MARKDOWN_SUFFIXES


def _parse_one(
    path: Path,
    source: str,
    tick: Callable[[int, int], None] | None,
) -> tuple[list[Post], list[Diagnostic]]:
    """Read and parse one file; tick(lines_done, lines_total) reports progress within it."""
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
            refused = binary_head_diagnostic(head, source)
            if refused is not None:
                return [], refused.diagnostics
            data = head + stream.read()
    except OSError as error:
        reason = error.strerror or str(error)
        return [], [
            Diagnostic(
                source,
                None,
                "error",
                f"Could not read this file ({reason}); check that it exists "
                "and that you may read it.",
            )
        ]
    decoded = decode_bytes(data, source)
    if decoded.text is None:
        return [], decoded.diagnostics
    if _is_markdown(path):
        posts, diagnostics = markdown_files.parse_markdown_text(decoded.text, source)
    else:
        lines = split_lines(decoded.text)
        total = len(lines)
        progress = (lambda done: tick(done, total)) if tick is not None else None
        posts, diagnostics = parse_dump_lines(lines, source, tick=progress)
    return posts, decoded.diagnostics + diagnostics


def parse_file(path: str | os.PathLike[str]) -> ParseResult:
    """Parse one file: a homepage dump, or Markdown when its name ends in .md/.markdown."""
    source = os.fspath(path)
    posts, diagnostics = _parse_one(Path(source), source, None)
    return ParseResult(_deduplicate(posts, diagnostics), diagnostics)


def _walk(folder: Path) -> Iterator[Path]:
    """Dumps and Markdown files under a folder, in a stable order; hidden folders skipped."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            suffix = os.path.splitext(name)[1].lower()
            if not name.startswith(".") and (
                suffix in DUMP_SUFFIXES or suffix in MARKDOWN_SUFFIXES
            ):
                yield Path(root) / name


def _gather(
    paths: Iterable[str | os.PathLike[str]], diagnostics: list[Diagnostic]
) -> list[tuple[Path, str, int]]:
    """(path, source name, size) of every file to read, in the order given."""
    files: list[tuple[Path, str, int]] = []
    seen: set[Path] = set()
    for given in paths:
        source = os.fspath(given)
        path = Path(source)
        try:
            candidates = _candidates(path, source, diagnostics)
        except (OSError, ValueError) as error:  # e.g. a NUL in the name, a loop of links
            diagnostics.append(
                Diagnostic(source, None, "error", f"Could not open this path ({error}).")
            )
            continue
        for candidate, name in candidates:
            try:
                key = candidate.resolve()
                size = candidate.stat().st_size
            except (OSError, ValueError):
                key, size = candidate, 0
            if key in seen:
                continue
            seen.add(key)
            files.append((candidate, name, size))
    return files


def _candidates(
    path: Path, source: str, diagnostics: list[Diagnostic]
) -> list[tuple[Path, str]]:
    """The files one given path stands for (itself, or the supported files under a folder)."""
    if path.is_dir():
        found = list(_walk(path))
        if not found:
            diagnostics.append(
                Diagnostic(
                    source,
                    None,
                    "warning",
                    "This folder has no .txt dumps or .md/.markdown files "
                    "(subfolders included).",
                )
            )
        return [(p, str(p)) for p in found]
    if path.exists():
        return [(path, source)]
    diagnostics.append(
        Diagnostic(source, None, "error", "No such file or folder; check the path.")
    )
    return []


def parse_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> ParseResult:
    """Parse files and folders (recursively: *.txt dumps, *.md/*.markdown) into one library.

    Posts found more than once (same title and date) are kept once, with a warning. Never raises
    on bad input; raises ParseCancelled when should_cancel() turns True (checked between files
    and every few thousand lines).
    """
    diagnostics: list[Diagnostic] = []
    if isinstance(paths, str | os.PathLike):
        paths = [paths]  # one path given bare, not in a list: do not iterate its characters
    files = _gather(paths, diagnostics)
    total_bytes = sum(size for _, _, size in files)
    done_bytes = 0
    posts: list[Post] = []

    def check_cancel() -> None:
        if should_cancel is not None and should_cancel():
            raise ParseCancelled

    for path, source, size in files:
        check_cancel()

        def tick(
            lines_done: int, lines_total: int, _base: int = done_bytes, _size: int = size
        ) -> None:
            check_cancel()
            if on_progress is not None and lines_total:
                on_progress(_base + _size * lines_done // lines_total, total_bytes)

        file_posts, file_diagnostics = _parse_one(path, source, tick)
        posts.extend(file_posts)
        diagnostics.extend(file_diagnostics)
        done_bytes += size
        if on_progress is not None:
            on_progress(done_bytes, total_bytes)
    check_cancel()
    return ParseResult(_deduplicate(posts, diagnostics), diagnostics)
