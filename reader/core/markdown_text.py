"""Plain paragraphs → Markdown that renders to exactly the same text, with TeX left untouched.

The renderer uses Python-Markdown with `pymdownx.arithmatex` in generic mode. To keep formulas
byte for byte, this module finds math exactly as arithmatex does (its own regular expressions,
applied the same way) and escapes Markdown syntax only in the text between formulas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# arithmatex's inline patterns (pymdownx/arithmatex.py, smart_dollar on, "dollar" + "round"),
# rewritten so that every alternative starts with a literal `\` or `$` (each `(?<!\\)X` became
# `X(?<!\\X)`): the regex engine then skips to candidate characters instead of trying every
# position, which makes this about ten times faster. Same matches (checked by a test against
# arithmatex's own regex). The `esc` alternatives are arithmatex's escaped-backslash runs.
# The lazy `+?` loops became possessive `++` (no backtracking): a formula's body is tokenized
# one way only (a backslash always takes the next character), so both stop at the same place.
# A backslash may not take PARA (\x02, which never occurs in a paragraph): a formula must not
# reach into the next paragraph when a whole post is matched at once.
_DOLLAR = r"\$(?<!\\\$)(?!\s)(?:[^\\$\x02\x03]++|\\[^\x02])++(?<!\s)\$"
_ROUND = r"\\(?<!\\\\)\((?:[^\\\x02\x03]++|\\[^)\x02])++\\\)"
_INLINE_MATH = re.compile(
    r"\\(?<!\\\\)\\(?:\\\\)*(?=\$)(?P<esc>)"
    r"|" + _DOLLAR + r"|\\(?<!\\\\)\\(?:\\\\)*?(?=\\\()(?P<esc_round>)"
    r"|" + _ROUND,
    re.DOTALL,
)
# arithmatex's block pattern (a paragraph that is one display formula). Its lazy loops became
# greedy ones over possessive runs: the formula must end the paragraph, so matching backwards
# from the end finds the same closing delimiter (each closer starts at a token boundary: `\` or
# `$`), without trying every character on the way.
_BLOCK_MATH = re.compile(
    r"(?s)^(?:\$\$(?:[^\\$]++|\$|\\.)+\$\$"
    r"|\\\[(?:[^\\]++|\\[^\]])+\\\]"
    r"|\\begin\{(?P<env>[a-z]+\*?)\}(?:[^\\]++|\\.)+\\end\{(?P=env)\})[ ]*$"
)

# Math inside a paragraph, as the reading pane finds it (reader.core.render; also what a Markdown
# post's visible text keeps, reader.core.markdown_plain). arithmatex's own inline pattern knows
# `$…$` and `\(…\)` only, so display math glued to text (`文字$$x$$文字`, a `\begin{equation}`
# right after a sentence) would go through Markdown's escapes and emphasis; this one pattern
# finds all forms, leftmost first, so a `\begin{pmatrix}` inside `$…$` stays part of that inline
# formula. Pairs of backslashes right before a delimiter are escaped backslashes (text), as in
# arithmatex. A bare `\eqref{…}` in the text is math too, as MathJax's processRefs treats it on
# kexue.fm. Post.markdown made by this module escapes every `$` and backslash outside the formulas
# arithmatex finds, so for dump posts this finds exactly those formulas; the extra forms matter
# for Markdown files. Every alternative starts with a literal `\` or `$` (its `(?<!\\)X` written
# `X(?<!\\X)`, as for _INLINE_MATH above): the regex engine then jumps to those characters instead
# of trying seven alternatives at every position (a paragraph of six formulas took 1.5 ms with the
# look-behinds first), and a formula's body is read in possessive runs: it is read one way only
# (a backslash always takes the next character), so the lazy loops stopped where these stop.
# tests/core/test_markdown_plain.py checks it against the plain form.
MATH_IN_TEXT = (
    r"(?P<escapes>\\(?<!\\\\)\\(?:\\{2})*)(?=\$|\\\(|\\\[|\\begin\{)"
    r"|\$(?<!\\\$)\$(?P<dollar2>(?:[^\\$\x02\x03]++|\\.)++)\$\$"
    r"|\$(?<!\\\$)(?!\s)(?P<dollar>(?:[^\\$\x02\x03]++|\\.)++)(?<!\s)\$"
    r"|\\(?<!\\\\)\((?P<round>(?:[^\\\x02\x03]++|\\[^)])++)\\\)"
    r"|\\(?<!\\\\)\[(?P<square>(?:[^\\\x02\x03]++|\\[^\]])++)\\\]"
    r"|(?P<env>\\(?<!\\\\)begin\{(?P<name>[A-Za-z]+\*?)\}(?:\\.|[^\\\x02\x03])+?\\end\{(?P=name)\})"
    r"|(?P<ref>\\(?<!\\\\)(?:eq)?ref\{[^{}\\]*\})"
)

# Formulas containing these would be changed by Markdown before arithmatex sees them (code spans
# run first; entity-like text is decoded; tabs are expanded; a raw HTML tag at a line start is
# taken as an HTML block). Such rare formulas are escaped as text instead: the text still shows.
_ENTITY_LIKE = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.IGNORECASE)
_BLOCK_SYNTAX_LINE = re.compile(r"\n[ ]{0,3}(?:<[A-Za-z/!?]|~~~)")
# An inline formula spanning lines is still inside a paragraph block, so a continuation line that
# starts with block syntax (`#`, `>`, `-`, `1.`, `===`, …) would break it; only lines that start
# with a letter, a backslash or a few harmless characters are safe.
_UNSAFE_LINE_IN_INLINE_MATH = re.compile(r"\n(?![A-Za-z\\{}()^,.]|[^\x00-\x7f])")
_DISPLAY_STARTS = ("$$", "\\[", "\\begin{")

# Internally a post's text is one string: paragraphs separated by PARA, every verbatim formula
# replaced by SLOT. Both are control characters that Markdown itself deletes from its input, so
# they never occur in text that could round-trip; neither is whitespace nor syntax.
_PARA = "\x02"
_SLOT = "\x00"
# A display block paragraph stands in the joined text as this token, which the `$…$` pattern
# matches like any formula (formulas never cross PARA, so it cannot pair with anything else).
_BLOCK_TOKEN = "$" + _SLOT + "$"
# Without a pair of backslashes in the text the escape alternatives cannot match, and re.split
# with one capturing group cuts text and formulas apart in one C call.
_SPLIT_FORMULAS = re.compile(f"({_DOLLAR}|{_ROUND})", re.DOTALL)
# Without `\(` in the text only `$` can open a formula: a pattern starting with that one literal
# lets the regex engine jump between dollars (about ten times faster than a character class).
_SPLIT_DOLLAR_FORMULAS = re.compile(f"({_DOLLAR})", re.DOTALL)
# Matches (from the start) up to the first character outside every formula that escaping would
# change; formulas are consumed exactly as the split finds them (leftmost, same patterns).
_TEXT_TO_ESCAPE = re.compile(
    rf"(?:[^\\$`*_\[&<|\t]++|{_DOLLAR}|{_ROUND})*+[\\$`*_\[&<|\t]", re.DOTALL
)

# Characters escaped wherever they occur in text. `(` and `)` must NOT be escaped: `\(`/`\)` are
# arithmatex's inline math delimiters. `]` needs no escape once `[` is escaped, and `[` is an
# entity rather than `\[` because the pane's renderer also takes `\[…\]` inside text as math.
# Order matters:
# backslashes and ampersands first, before escapes that add them. (str.replace beats
# str.translate by far on non-ASCII text.)
_TEXT_ESCAPES = (
    ("\\", "\\\\"),
    ("&", "&amp;"),
    ("`", "\\`"),
    ("*", "\\*"),
    ("_", "\\_"),
    ("$", "\\$"),
    ("[", "&#91;"),
    ("<", "&lt;"),
    ("|", "&#124;"),
    ("\t", "&#9;"),
)
# Syntax that only counts at the start of a line: headers, quotes, lists, rules, setext lines.
_LINE_START_SYNTAX = re.compile(r"([\n\x02])(?:([#>+\-=~:])|(\d+)([.)]))")
_PARA_START_SYNTAX = re.compile(r"(\x02)(?:([#>+\-=~:])|(\d+)([.)]))")  # literal first: faster
_LINE_START_CHARS = frozenset("#>+-=~:0123456789")
_LINE_START_ENTITIES = {"=": "&#61;", "~": "&#126;", ":": "&#58;"}
# Whitespace Markdown would strip (paragraph start/end) or turn into <br> (two before a newline).
# (Two patterns, each starting with a character class, so the regex engine can skip ahead.)
_LEADING_SPACE = re.compile(r"([\n\x02])([^\S\n]+)")
_TRAILING_SPACE = re.compile(r"[^\S\n]+(?=[\n\x02])")


def _line_start_escape(match: re.Match[str]) -> str:
    boundary, char, digits, mark = match.groups()
    if char is not None:
        return boundary + (_LINE_START_ENTITIES.get(char) or "\\" + char)
    return boundary + digits + ("\\." if mark == "." else "&#41;")


def _entities(match: re.Match[str]) -> str:
    return "".join(f"&#{ord(ch)};" for ch in match.group(0))


def _boundary_then_entities(match: re.Match[str]) -> str:
    return match.group(1) + "".join(f"&#{ord(ch)};" for ch in match.group(2))


def _escape_framed(
    text: str, *, edges: bool = True, line_starts: bool = True, multiline: bool = True
) -> str:
    """Escape text that starts and ends with PARA (so every line start follows \\n or PARA).

    edges/line_starts=False skip the checks for edge whitespace/line-start syntax when the
    caller knows no line has them (the common case; saves two scans of the text).
    """
    for char, replacement in _TEXT_ESCAPES:
        if char in text:
            text = text.replace(char, replacement)
    return _escape_line_edges(text, edges=edges, line_starts=line_starts, multiline=multiline)


def _escape_line_edges(text: str, *, edges: bool, line_starts: bool, multiline: bool) -> str:
    """Only the line-start syntax and edge whitespace part of escaping (text framed by PARA)."""
    if edges:
        text = _TRAILING_SPACE.sub(_entities, _LEADING_SPACE.sub(_boundary_then_entities, text))
    if line_starts:
        syntax = _LINE_START_SYNTAX if multiline else _PARA_START_SYNTAX
        text = syntax.sub(_line_start_escape, text)
    return text


def escape_text(text: str) -> str:
    """Escape one paragraph of text (no math in it) so Markdown shows it literally."""
    return _escape_framed(_PARA + text + _PARA)[1:-1]


def _is_safe_math(tex: str, *, inline: bool = False) -> bool:
    # Substring tests first: the regexes only run when their trigger character is present.
    if any(char in tex for char in "`\t\x00\x02\x03"):
        return False
    if "&" in tex and ";" in tex and _ENTITY_LIKE.search(tex):
        return False
    if "\n" in tex:
        if _BLOCK_SYNTAX_LINE.search(tex):
            return False
        if inline and _UNSAFE_LINE_IN_INLINE_MATH.search(tex):
            return False
    return True


def is_display_block(paragraph: str) -> bool:
    """True when arithmatex renders the whole paragraph as one display formula (kept verbatim)."""
    return _is_display_block(paragraph)


def _is_display_block(paragraph: str) -> bool:
    return (paragraph.startswith(_DISPLAY_STARTS) and _BLOCK_MATH.match(paragraph) is not None
            and _is_safe_math(paragraph))


def _split_with_escapes(paragraph: str) -> list[str]:
    """[text, formula, …, text] for a paragraph with `\\\\` in it, emulating arithmatex's
    InlineProcessor: an escaped-backslash run is consumed and replaced by a placeholder, which the
    next search's look-behind then sees instead of a backslash."""
    work = paragraph
    parts: list[str] = []
    text_start = position = 0
    while (match := _INLINE_MATH.search(work, position)) is not None:
        start, end = match.span()
        if match.lastgroup is not None:
            work = work[:start] + "\x03" * (end - start) + work[end:]
        else:
            parts += (paragraph[text_start:start], paragraph[start:end])
            text_start = end
        position = end
    parts.append(paragraph[text_start:])
    return parts


def _may_be_unsafe(text: str) -> bool:
    # Four substring tests beat one character-class regex on long non-ASCII text.
    return "`" in text or "&" in text or "\n" in text or "\t" in text


def split_inline_math(paragraph: str) -> list[str]:
    """[text, formula, text, formula, …, text]: the inline formulas arithmatex will find in a
    paragraph (delimiters included). Unsafe formulas are left in the text."""
    if "\\\\" in paragraph:
        parts = _split_with_escapes(paragraph)
    elif "\\(" in paragraph:
        parts = _SPLIT_FORMULAS.split(paragraph)
    else:
        parts = _SPLIT_DOLLAR_FORMULAS.split(paragraph)
    if len(parts) > 1 and _may_be_unsafe(paragraph):
        merged = [parts[0]]
        for index in range(1, len(parts), 2):
            if parts[index] == _BLOCK_TOKEN or _is_safe_math(parts[index], inline=True):
                merged += (parts[index], parts[index + 1])
            else:
                merged[-1] += parts[index] + parts[index + 1]
        parts = merged
    return parts


def paragraphs_to_markdown(paragraphs: Iterable[str]) -> str:
    """The body of a post as Markdown: one block per paragraph, separated by blank lines.

    Rendering it (Python-Markdown + arithmatex, generic mode) shows exactly the paragraphs' text;
    formulas are kept byte for byte. Paragraphs should not contain blank lines (the parsers
    never produce them); the control characters NUL and STX, which Markdown deletes, are shown
    as U+FFFD.
    """
    # The whole post is handled as one string (paragraphs joined by PARA, display blocks as
    # BLOCK_TOKEN) so the work happens in a few C-level passes instead of per paragraph.
    verbatim: list[str] = []  # display blocks (later: all verbatim pieces) in document order
    pieces: list[str] = []
    edges = line_starts = False
    for paragraph in paragraphs:
        if paragraph.startswith(_DISPLAY_STARTS) and _is_display_block(paragraph):
            verbatim.append(paragraph)
            pieces.append(_BLOCK_TOKEN)
            continue
        first = paragraph[:1]
        if first in _LINE_START_CHARS:
            line_starts = True
        if first.isspace() or paragraph[-1:].isspace():
            edges = True
        pieces.append(paragraph)
    joined = _PARA.join(pieces)
    if joined.count(_SLOT) != len(verbatim) or joined.count(_PARA) != max(len(pieces) - 1, 0):
        # A paragraph holds NUL or STX itself: show them as U+FFFD and start over (rare).
        originals = _restore(pieces, verbatim)
        return paragraphs_to_markdown(
            [p.replace(_SLOT, "\ufffd").replace(_PARA, "\ufffd") for p in originals]
        )
    multiline = "\n" in joined
    if multiline:
        edges = line_starts = True
    needs_escape_aware_split = "\\\\" in joined
    if not (needs_escape_aware_split or multiline or _may_be_unsafe(joined)) and (
        _TEXT_TO_ESCAPE.match(joined) is None
    ):
        # Common: no text outside the formulas needs escaping (checked in one regex pass, no
        # splitting); only paragraph starts and edges might, and they are never inside a formula.
        if edges or line_starts:
            joined = _escape_line_edges(
                _PARA + joined + _PARA, edges=edges, line_starts=line_starts, multiline=False
            )[1:-1]
        if verbatim:
            joined = _interleave(joined.split(_BLOCK_TOKEN), verbatim)
        return joined.replace(_PARA, "\n\n")
    if needs_escape_aware_split:
        # Rare: formulas are found paragraph by paragraph, each replaced by a SLOT.
        blocks = iter(verbatim)
        verbatim = []
        for index, piece in enumerate(pieces):
            if piece == _BLOCK_TOKEN:
                verbatim.append(next(blocks))
                pieces[index] = _SLOT
            else:
                parts = split_inline_math(piece)
                verbatim.extend(parts[1::2])
                pieces[index] = _SLOT.join(parts[0::2])
        texts = [_PARA.join(pieces)]
    else:
        # One split over the whole post; display blocks' tokens come out as formulas.
        parts = split_inline_math(joined)
        texts = parts[0::2]
        if len(parts) > 1:
            blocks = iter(verbatim)
            verbatim = [next(blocks) if f == _BLOCK_TOKEN else f for f in parts[1::2]]
    framed = _PARA + _SLOT.join(texts) + _PARA
    escaped = _escape_framed(framed, edges=edges, line_starts=line_starts, multiline=multiline)
    body = _interleave(escaped[1:-1].split(_SLOT), verbatim)
    return body.replace(_PARA, "\n\n")


def _interleave(texts: list[str], verbatim: list[str]) -> str:
    """texts[0] + verbatim[0] + texts[1] + … + texts[-1]."""
    if len(texts) != len(verbatim) + 1:
        raise AssertionError("formula placeholders were lost while escaping")
    return "".join([p for pair in zip(texts, [*verbatim, ""], strict=True) for p in pair])


def _restore(pieces: list[str], blocks: list[str]) -> list[str]:
    remaining = iter(blocks)
    return [next(remaining) if p == _BLOCK_TOKEN else p for p in pieces]


def paragraph_to_markdown(paragraph: str) -> str:
    """One paragraph (may span lines for display math) → a Markdown block."""
    return paragraphs_to_markdown((paragraph,))
