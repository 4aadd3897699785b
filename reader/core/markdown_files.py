"""Markdown files with YAML front matter (title, date, author, readers, url) → one post each."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath

import yaml

from reader.core.dump_format import (
    DEFAULT_AUTHOR,
    closes_display_math,
    opens_display_math,
    split_lines,
)
from reader.core.markdown_plain import visible_text
from reader.core.model import Diagnostic, Post, post_id

# libyaml's parser when PyYAML has it (its wheels do): 0.1 against 0.6 ms a front matter, most of
# the time of reading a folder of Markdown posts.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """Safe YAML that leaves dates as text: PyYAML raises on `date: 2020-02-30`, which must be
    a warning about that field, not a lost front matter."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}

_FENCE = re.compile(r"^(`{3,}|~{3,})")
_BLOCK_OPENERS = "`~$\\"
"""The first characters of a line that may open a code fence or a display math block (see
dump_format.opens_display_math)."""


def _paragraphs(lines: list[str]) -> tuple[str, ...]:
    """Blocks separated by blank lines, never splitting a code fence or a display math block."""
    paragraphs: list[str] = []
    block: list[str] = []
    fence: str | None = None
    math_block: list[str] | None = None
    for raw in lines:
        line = raw.rstrip()
        stripped = line.strip()
        if fence is not None:
            block.append(line)
            if stripped.startswith(fence):
                fence = None
        elif math_block is not None:
            block.append(line)
            math_block.append(stripped)
            if closes_display_math(math_block[0], math_block):
                math_block = None
        elif not stripped:
            if block:
                paragraphs.append("\n".join(block).strip())
                block = []
        else:
            block.append(line)
            if stripped[0] not in _BLOCK_OPENERS:  # most lines: prose
                continue
            if match := _FENCE.match(stripped):
                fence = match.group(1)[0] * 3
            elif opens_display_math(stripped):
                math_block = [stripped]
    if block:
        paragraphs.append("\n".join(block).strip())
    return tuple(paragraphs)


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?", value)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    return None


def _as_readers(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str):
        digits = re.sub(r"[,，\s]|位读者$", "", value)
        return int(digits) if digits.isdigit() else None
    return None


def parse_markdown_text(text: str, source: str = "<string>") -> tuple[list[Post], list[Diagnostic]]:
    """One Markdown file → its post (title and date from front matter) and diagnostics."""
    diagnostics: list[Diagnostic] = []

    def note(line: int | None, message: str, severity: str = "warning") -> None:
        diagnostics.append(Diagnostic(source, line, severity, message))  # type: ignore[arg-type]

    lines = split_lines(text)
    meta: dict[str, object] = {}
    body_start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is None:
            note(
                1,
                "The front matter that starts on line 1 is never closed with a '---' line; "
                "the whole file was read as the post's body.",
            )
        else:
            try:
                loaded = yaml.load("\n".join(lines[1:end]), Loader=_FrontMatterLoader)
            except yaml.YAMLError as error:
                mark = getattr(error, "problem_mark", None)
                where = 1 + (mark.line + 1 if mark is not None else 0)
                note(
                    where,
                    f"The YAML front matter is not valid ({getattr(error, 'problem', error)}"
                    f", line {where}); title and date could not be read from it. "
                    "Its lines were kept as body text.",
                )
                loaded = None
            if isinstance(loaded, dict):
                meta = {str(k).lower(): v for k, v in loaded.items()}
                body_start = end + 1
            elif loaded is not None:
                note(
                    1,
                    "The front matter is not a list of 'key: value' lines; it was kept as "
                    "body text.",
                )
    else:
        note(
            1,
            "The Markdown file has no YAML front matter (a '---' block with title and date), "
            "so its title comes from its first heading or file name and it has no date.",
        )

    body_lines = lines[body_start:]
    title = str(meta["title"]).strip() if meta.get("title") not in (None, "") else ""
    if not title:
        heading = next((ln.lstrip("#").strip() for ln in body_lines if ln.startswith("# ")), "")
        title = heading or PurePath(source).stem or "Untitled"
        if meta:
            note(1, f"The front matter has no 'title'; the post is listed as \"{title}\".")
    date = _as_date(meta.get("date"))
    if date is None and meta:
        given = meta.get("date")
        note(
            1,
            "The front matter has no 'date'; add 'date: YYYY-MM-DD' so the post sorts and "
            "keeps its id."
            if given is None
            else f"The front matter's date {given!r} is not a date like 2020-07-10; the post has "
            "no date.",
        )
    readers = _as_readers(meta.get("readers")) if meta.get("readers") is not None else None
    if meta.get("readers") is not None and readers is None:
        note(1, f"The front matter's readers {meta.get('readers')!r} is not a count; ignored.")
    url = meta.get("url")
    author = str(meta.get("author") or "").strip() or DEFAULT_AUTHOR
    body = "\n".join(body_lines).strip("\n")
    post = Post(
        id=post_id(title, date),
        title=title,
        author=author,
        date=date,
        readers=readers,
        body_markdown=body,
        paragraphs=tuple(text for text in map(visible_text, _paragraphs(body_lines)) if text),
        source=source,
        line=1,
        url=str(url) if url else None,
    )
    return [post], diagnostics
