"""The homepage dump format: title line, `By … | date | N位读者 | 引用…` meta line, paragraphs.

One pass over the lines, holding one line back (a title is only known to be a title when the
next non-blank line is a meta line). Lines that are not part of a post (text before the first
post, sidebar chrome after a known sidebar heading) are each named in a diagnostic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

from reader.core.model import Diagnostic, Post, Severity, post_id

DEFAULT_AUTHOR = "苏剑林"

_SEP = r"\s*[|｜]\s*"
META_LINE = re.compile(
    r"By\s+(?P<author>[^|｜]*?)"
    + _SEP
    + r"(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})日?"
    + r"(?:"
    + _SEP
    + r"(?P<readers>\d{1,3}(?:[,，]\d{3})+|\d+)\s*位读者)?"
    # The first paragraph follows `| 引用`, a bare `|`, or 引用 with its separator lost.
    + r"\s*(?:(?:[|｜]\s*)?引用(?P<cited>.*)|[|｜](?P<rest>.*)|$)",
    re.DOTALL,
)

# Headings that start the sidebar or the page's footer when a saved page continues past its posts.
SIDEBAR_HEADINGS = frozenset(
    {
        "最近评论",
        "最新评论",
        "近期评论",
        "友情链接",
        "友情連結",
        "随机文章",
        "热门文章",
        "最新文章",
        "最近文章",
        "近期文章",
        "相关文章",
        "相关日志",
        "文章归档",
        "站内搜索",
        "智能搜索",
        "热门标签",
        "标签云",
        "分类目录",
        "文章分类",
        "本站统计",
        "站点统计",
        "发表评论",
        "发表你的看法",
        "Recent Comments",
        "Recent Posts",
        "Blogroll",
        "Archives",
        "Categories",
    }
)
# Also the site's own header line, with which the next saved page starts when several pages were
# concatenated without their sidebars.
_SIDEBAR_HEADING_PATTERN = re.compile(
    r"\d+\s*条评论|评论\s*[(（]\d+[)）]|\d+\s*Comments?|科学空间\s*[|｜]\s*Scientific Spaces"
)

# Display math blocks saved over several lines stay one paragraph; an unclosed opener is given up
# after this many lines so one stray `$$` cannot swallow the rest of a post.
MAX_DISPLAY_MATH_LINES = 200


_LONGEST_HEADING = 32
_DISPLAY_STARTS = ("$$", "\\[", "\\begin{")


def is_sidebar_heading(line: str) -> bool:
    return len(line) <= _LONGEST_HEADING and (
        line in SIDEBAR_HEADINGS or _SIDEBAR_HEADING_PATTERN.fullmatch(line) is not None
    )


@dataclass(slots=True)
class _Meta:
    author: str
    date: dt.date
    readers: int | None
    rest: str | None


def parse_meta_line(line: str) -> _Meta | str | None:
    """A meta line's fields; None if the line is not one; an explanation if it almost is."""
    if not line.startswith("By"):
        return None
    match = META_LINE.match(line)
    if match is None:
        return None
    try:
        date = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return (
            f"it looks like a post's meta line but "
            f"{match['year']}-{match['month']}-{match['day']} is not a real date"
        )
    readers = match["readers"]
    return _Meta(
        author=match["author"].strip() or DEFAULT_AUTHOR,
        date=date,
        readers=int(re.sub(r"[,，]", "", readers)) if readers else None,
        rest=(match["cited"] if match["cited"] is not None else match["rest"] or "").strip(),
    )


def opens_display_math(line: str) -> bool:
    if line.startswith("$$"):
        return line.count("$$") % 2 == 1
    if line.startswith("\\["):
        return "\\]" not in line
    if line.startswith("\\begin{"):
        return line.count("\\begin{") > line.count("\\end{")
    return False


def display_math_depth(opening: str, line: str, depth: int) -> int:
    """How open a display block started by `opening` is after `line` (0: closed). Call it with
    depth 0 on the opening line itself, then with each following line."""
    if opening.startswith("$$"):
        return (depth + line.count("$$")) % 2
    if opening.startswith("\\["):
        return 0 if "\\]" in line else 1
    return depth + line.count("\\begin{") - line.count("\\end{")


def closes_display_math(opening: str, block: list[str]) -> bool:
    """True when the lines of `block` (starting with `opening`) close the display block."""
    depth = 0
    for line in block:
        depth = display_math_depth(opening, line, depth)
    return depth <= 0


@dataclass(slots=True)
class _PostBuilder:
    title: str
    title_line: int
    meta: _Meta
    paragraphs: list[str] = field(default_factory=list)
    math_lines: list[tuple[int, str]] = field(default_factory=list)
    math_depth: int = 0


class DumpParser:
    """Feeds lines of one dump in order; collects posts and diagnostics. Linear, one line held."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.posts: list[Post] = []
        self.diagnostics: list[Diagnostic] = []
        self._held: tuple[int, str] | None = None
        self._post: _PostBuilder | None = None
        self._chrome_from: tuple[int, str] | None = None  # sidebar heading that started chrome

    def feed(self, number: int, raw_line: str) -> None:
        line = raw_line.strip()
        if not line:
            return
        meta = parse_meta_line(line) if line.startswith("By") else None
        if isinstance(meta, _Meta):
            self._start_post(number, meta)
            return
        if isinstance(meta, str):
            self._warn(
                number,
                f"Line {number}: {meta}, so it was kept as body text. "
                "Fix the date if it should start a post.",
            )
        self._release_held()
        self._held = (number, line)

    def feed_all(self, lines: Iterable[str], first_number: int = 1) -> int:
        """Feed many lines; returns the number after the last. Same result as feed() per line,
        with the common case (an ordinary body line releasing an ordinary held line) inlined."""
        number = first_number - 1
        for number, raw_line in enumerate(lines, start=first_number):
            line = raw_line.strip()
            if not line:
                continue
            held = self._held
            post = self._post
            if (
                held is not None
                and post is not None
                and not post.math_lines
                and self._chrome_from is None
                and not line.startswith("By")
            ):
                text = held[1]
                if not text.startswith(_DISPLAY_STARTS) and (
                    len(text) > _LONGEST_HEADING or not is_sidebar_heading(text)
                ):
                    post.paragraphs.append(text)
                    self._held = (number, line)
                    continue
            self.feed(number, line)
        return number + 1

    def finish(self) -> None:
        self._release_held()
        self._end_post(next_line=None)

    def _warn(self, number: int | None, message: str, severity: Severity = "warning") -> None:
        self.diagnostics.append(Diagnostic(self.source, number, severity, message))

    def _start_post(self, meta_number: int, meta: _Meta) -> None:
        held = self._held
        self._held = None
        self._end_post(next_line=held[0] if held else meta_number)
        if held is None:
            title, title_line = f"Untitled post (line {meta_number})", meta_number
            self._warn(
                meta_number,
                f"Line {meta_number} is a post's meta line with no title line "
                f'before it; the post is listed as "{title}".',
            )
        else:
            title_line, title = held
        self._chrome_from = None
        self._post = _PostBuilder(title, title_line, meta)
        if meta.rest:
            self._add_body_line(meta_number, meta.rest)

    def _release_held(self) -> None:
        if self._held is None:
            return
        number, line = self._held
        self._held = None
        if self._chrome_from is None and is_sidebar_heading(line):
            self._flush_math(unclosed_before=number)
            self._chrome_from = (number, line)
        if self._post is None:
            self._warn(
                number,
                f"Line {number} comes before the first post (a title line followed by a "
                f'"By … | date | …" line), so it was skipped as page text: "{line}"',
                "info",
            )
        elif self._chrome_from is not None:
            heading_line, heading = self._chrome_from
            if heading_line == number:
                message = (
                    f'Line {number} is the sidebar heading "{line}": the page\'s sidebar starts '
                    "here and lasts until the next post, so it was skipped."
                )
            else:
                message = (
                    f'Line {number} is page chrome after the sidebar heading "{heading}" '
                    f'(line {heading_line}), so it was skipped: "{line}"'
                )
            self._warn(number, message, "info")
        else:
            self._add_body_line(number, line)

    def _add_body_line(self, number: int, line: str) -> None:
        post = self._post
        assert post is not None
        if post.math_lines:
            post.math_lines.append((number, line))
            post.math_depth = display_math_depth(post.math_lines[0][1], line, post.math_depth)
            if post.math_depth <= 0:
                post.paragraphs.append("\n".join(text for _, text in post.math_lines))
                post.math_lines = []
            elif len(post.math_lines) >= MAX_DISPLAY_MATH_LINES:
                self._flush_math(unclosed_before=None)
        elif opens_display_math(line):
            post.math_lines.append((number, line))
            post.math_depth = display_math_depth(line, line, 0)
        else:
            post.paragraphs.append(line)

    def _flush_math(self, unclosed_before: int | None) -> None:
        """Give up on an unclosed display block: its lines become ordinary paragraphs."""
        post = self._post
        if post is None or not post.math_lines:
            return
        first = post.math_lines[0][0]
        if unclosed_before is None:
            where = (
                f"within {MAX_DISPLAY_MATH_LINES} lines"
                if post.math_lines[MAX_DISPLAY_MATH_LINES - 1 :]
                else "before the end of the file"
            )
        else:
            where = f"before line {unclosed_before}"
        self._warn(
            first,
            f"Display math opened on line {first} is not closed {where}; its "
            "lines were kept as separate paragraphs. Check the formula's end.",
        )
        post.paragraphs.extend(text for _, text in post.math_lines)
        post.math_lines = []

    def _end_post(self, next_line: int | None) -> None:
        post = self._post
        if post is None:
            return
        if post.math_lines:
            self._flush_math(unclosed_before=next_line)
        paragraphs = tuple(post.paragraphs)
        meta = post.meta
        self.posts.append(
            Post(
                id=post_id(post.title, meta.date),
                title=post.title,
                author=meta.author,
                date=meta.date,
                readers=meta.readers,
                paragraphs=paragraphs,
                source=self.source,
                line=post.title_line,
            )
        )
        self._post = None


def split_lines(text: str) -> list[str]:
    """Lines as editors number them: CRLF, CR and LF all end a line; a BOM is dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def parse_dump_lines(
    lines: Iterable[str],
    source: str,
    *,
    every: int = 4096,
    tick: Callable[[int], None] | None = None,
) -> tuple[list[Post], list[Diagnostic]]:
    """Parse the lines of one dump. `tick(lines_done)` is called every `every` lines."""
    parser = DumpParser(source)
    iterator = iter(lines)
    number = 1
    while True:
        chunk = list(islice(iterator, every))
        if not chunk:
            break
        number = parser.feed_all(chunk, number)
        if tick is not None:
            tick(number - 1)
    parser.finish()
    if not parser.posts and parser.diagnostics:
        parser.diagnostics.append(
            Diagnostic(
                source,
                None,
                "warning",
                "No posts were found: a post is a title line followed by a line like "
                '"By 苏剑林 | 2020-07-10 | 110996位读者 | 引用…".',
            )
        )
    return parser.posts, parser.diagnostics
