"""The plain data passed between layers: posts, diagnostics and parse results."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Literal

from reader.core.markdown_text import paragraphs_to_markdown

Severity = Literal["error", "warning", "info"]


def post_id(title: str, date: dt.date | None) -> str:
    """A post's stable id: depends only on its title and date, never on file or position."""
    key = f"{title.strip()}\n{date.isoformat() if date else ''}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something the user should know about an input: a skipped line, a bad file, a duplicate."""

    source: str
    """The file it concerns, as given by the user (or '<string>' for text parsed directly)."""
    line: int | None
    """1-based line number in that file, or None when it concerns the whole file."""
    severity: Severity
    """'error' (input could not be read), 'warning' (read, but something was off), 'info'."""
    message: str
    """A sentence a user can act on, in English."""

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "line": self.line,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Post:
    """One article of the archive, as read from a homepage dump or a Markdown file."""

    id: str
    """Stable id from title and date (see post_id)."""
    title: str
    author: str
    date: dt.date | None
    """Publication date; None only when a Markdown file gives none (reported as a warning)."""
    readers: int | None
    """Reader count shown by the blog ('110996位读者'), None when unknown."""
    paragraphs: tuple[str, ...]
    """The body as plain text, one string per paragraph (display math blocks are one paragraph);
    this is what search matches against, so terms never match across paragraph boundaries. For
    a Markdown file, the text its blocks show, without their markup (reader.core.markdown_plain)."""
    source: str
    """The file the post was read from."""
    line: int
    """1-based line in that file where the post starts (its title line or front matter)."""
    url: str | None = None
    """The original address of the post when known (Markdown front matter `url`)."""
    body_markdown: str | None = None
    """The body as written in a Markdown file; None for posts of a homepage dump, whose Markdown
    is derived from their paragraphs when asked for (building it for every post at load time
    took half of the parse time)."""

    @property
    def markdown(self) -> str:
        """The body as Markdown; rendering it shows exactly the source text, formulas untouched."""
        if self.body_markdown is not None:
            return self.body_markdown
        return paragraphs_to_markdown(self.paragraphs)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "author": self.author,
            "date": self.date.isoformat() if self.date else None,
            "readers": self.readers,
            "source": self.source,
            "line": self.line,
            "url": self.url,
            "markdown": self.markdown,
        }


@dataclass(slots=True)
class ParseResult:
    """What parsing some inputs produced: the posts (deduplicated) and every diagnostic."""

    posts: list[Post] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        """True when some input could not be read at all."""
        return any(d.severity == "error" for d in self.diagnostics)

    def to_json(self) -> dict[str, object]:
        return {
            "posts": [p.to_json() for p in self.posts],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }
