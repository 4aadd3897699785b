"""What a block of a Markdown post shows as text: its markup removed, its formulas as written.

A post read from a Markdown file keeps its Markdown for the reading pane; its paragraphs, which
search matches and snippets show, are this text, as for a post of a homepage dump. So `**` or a
link's address finds nothing, `加粗的梯度和斜体` finds `**加粗的梯度**和*斜体*`, and a snippet reads
like the page. The rules follow the pane's renderer (Python-Markdown with tables, fenced code and
sane lists; reader.core.render) for what archives of posts hold: headings, emphasis, links,
images (their alt text), code, lists, quotes, tables, raw HTML, entities and escapes. Math is
found as the pane finds it (markdown_text.MATH_IN_TEXT) and never touched.
"""

from __future__ import annotations

import html
import re

from reader.core.markdown_text import _DOLLAR, _ROUND, MATH_IN_TEXT, is_display_block

_MATH = re.compile(MATH_IN_TEXT)
_SYNTAX_STARTS = frozenset(" \t#>-*+=_|[0123456789")
"""The first characters of a line that block syntax can start with (up to three spaces first)."""
_BLOCK_STARTS = _SYNTAX_STARTS | frozenset("`~")
_MARKUP_OUTSIDE_MATH = re.compile(
    rf"(?:[^*_`\[\]!<>&\\$]++|{_DOLLAR}|{_ROUND}|\$)*+[*_`\[\]!<>&\\]", re.DOTALL
)
"""Matches up to the first character outside `$…$` and `\\(…\\)` that may be markup (or start
another form of formula)."""
_FENCE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})")

# Block syntax at the start of a line: quote markers, then a heading's hashes or a list marker.
_QUOTE = re.compile(r"^[ ]{0,3}(?:>[ ]?)+")
_HEADING = re.compile(r"[ ]{0,3}#{1,6}(?:[ \t]+|$)")
_HEADING_END = re.compile(r"[ \t]+#+[ \t]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}\.)[ \t]+")
# Lines that show nothing: rules and setext underlines, table delimiter rows, link definitions.
_SILENT_LINE = re.compile(
    r"[ ]{0,3}(?:([-*_=])(?:[ \t]*\1){2,}"
    r"|\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?"
    r"|\[[^\]]+\]:[ \t]*\S+.*)[ \t]*$"
)

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_DESTINATION = r"\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+(?:\"[^\"]*\"|'[^']*'))?[ \t]*\)"
_IMAGE = re.compile(r"!\[([^\]]*)\](?:" + _DESTINATION + r"|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]+)\](?:" + _DESTINATION + r"|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^<>\s]+)>")
_HTML = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>", re.DOTALL)
# Python-Markdown's emphasis: `*` anywhere, `_` only not inside a word ("smart" emphasis).
_STAR_EMPHASIS = re.compile(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_UNDERSCORE_EMPHASIS = re.compile(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)", re.DOTALL)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()>#+\-.!$|])")
"""A backslash escape: the pane's Markdown escapes these characters (its ESCAPED_CHARS)."""
_TABLE_PIPE = re.compile(r"[ \t]*(?<!\\)\|[ \t]*")
_SET_ASIDE_FROM = 0xE000
_SET_ASIDE = re.compile("[\ue000-\ue07f]")
_UNESCAPED = {_SET_ASIDE_FROM + code: code for code in range(128)}
_AS_WRITTEN = {_SET_ASIDE_FROM + code: "\\" + chr(code) for code in range(128)}


def visible_text(block: str) -> str:
    """The text a Markdown block (a paragraph, a heading, a list, a fenced code block, a display
    formula...) shows, lines kept; "" when it shows none (a rule, an image without alt text)."""
    if is_display_block(block):
        return block
    if "\n" not in block and block[:1] not in _BLOCK_STARTS:  # one line of prose: most blocks
        return _inline_text(block).strip()
    lines = block.split("\n")
    opening = _FENCE.match(lines[0])
    if opening is not None:
        closing = lines[-1].strip()
        closed = len(lines) > 1 and closing.startswith(opening.group(1)) and not closing.strip("`~")
        return "\n".join(lines[1 : -1 if closed else None])
    shown = []
    table = len(lines) > 1 and _SILENT_LINE.match(lines[1]) is not None and "|" in lines[1]
    for line in lines:
        if line[:1] not in _SYNTAX_STARTS:  # most lines: prose, a formula
            shown.append(_TABLE_PIPE.sub(" ", line).strip() if table else line)
            continue
        if _SILENT_LINE.match(line):
            continue
        line = _QUOTE.sub("", line, count=1)
        heading = _HEADING.match(line)
        if heading is not None:
            line = _HEADING_END.sub("", line[heading.end() :])
        else:
            line = _LIST_ITEM.sub("", line, count=1)
        if table:
            line = _TABLE_PIPE.sub(" ", line).strip()
        shown.append(line)
    return _inline_text("\n".join(shown)).strip()


def _inline_text(text: str) -> str:
    """The text of a block's inline content: formulas as written, code as written, the rest
    without its markup."""
    # Most blocks have no markup outside their `$…$` and `\(…\)`: one match of arithmatex's
    # patterns tells (4,449 blocks: 11 ms, against 49 for the pane's full pattern, which also
    # finds the other forms of math; a backslash outside those formulas counts as markup, so
    # they go there).
    if _MARKUP_OUTSIDE_MATH.match(text) is None:
        return text
    pieces = []
    done = 0
    for math in _MATH.finditer(text):
        if math.group("escapes"):
            continue
        pieces += (_without_markup(text[done : math.start()]), math.group(0))
        done = math.end()
    pieces.append(_without_markup(text[done:]))
    return "".join(pieces)


def _without_markup(text: str) -> str:
    if not any(mark in text for mark in "*_`[]!<>&\\"):
        return text  # most text of a post: nothing to remove
    # An escaped character is set aside first (so `\*` opens no emphasis and `\`` no code),
    # as a private-use character, unless the text has those already (then escapes go last).
    escaped = "\\" in text and _SET_ASIDE.search(text) is None
    if escaped:
        text = _ESCAPE.sub(lambda found: chr(_SET_ASIDE_FROM + ord(found.group(1))), text)
    pieces = []
    done = 0
    for code in _CODE_SPAN.finditer(text):
        shown = code.group(2).strip()
        pieces += (_plain(text[done : code.start()]), shown.translate(_AS_WRITTEN))
        done = code.end()
    pieces.append(_plain(text[done:]))
    joined = "".join(pieces)
    return joined.translate(_UNESCAPED) if escaped else _ESCAPE.sub(r"\1", joined)


def _plain(text: str) -> str:
    text = _HTML.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    for pattern in (_STAR_EMPHASIS, _UNDERSCORE_EMPHASIS):
        while True:  # nested emphasis: `***a** b*`
            text, count = pattern.subn(r"\2", text)
            if not count:
                break
    return html.unescape(text)
