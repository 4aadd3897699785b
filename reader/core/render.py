"""Post → safe HTML fragment: Markdown with protected TeX, then an nh3 allow-list (no Qt here)."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections import OrderedDict

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX, AtomicString

from reader.core.markdown_text import (
    MATH_IN_TEXT,
    _is_display_block,  # the parser's own test, so both sides agree on what a display block is
    split_inline_math,
)
from reader.core.model import Post

# The math convention shared with reader/core/markdown_text.py: pymdownx.arithmatex in generic
# mode, so the page gets `\(…\)` in <span class="arithmatex"> and `\[…\]` in
# <div class="arithmatex">, the TeX between the delimiters exactly as written ("smart
# dollars": `$ 5 $` is not math).
ARITHMATEX_CONFIG: dict[str, object] = {"generic": True}
MATH_CLASS = "arithmatex"

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "code",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "s",
    "del",
    "ins",
    "sub",
    "sup",
    "small",
    "mark",
    "kbd",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "a",
    "span",
    "div",
    "abbr",
    "cite",
    "q",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"style", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
    "ol": {"start"},
}
ALLOWED_CLASSES = {
    "span": {MATH_CLASS, "kx-image"},
    "div": {MATH_CLASS},
    "code": {"language-python", "language-bash", "language-text"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_CACHE_SIZE = 64


class _MathInText(InlineProcessor):
    """Math inside a paragraph becomes span.arithmatex holding `\\(…\\)` or `\\[…\\]`."""

    _ESCAPED_BACKSLASH = f"{STX}{ord(chr(92))}{ETX}"

    def handleMatch(self, m: re.Match[str], data: str):  # type: ignore[override]
        if m.group("escapes"):
            return m.group("escapes").replace("\\\\", self._ESCAPED_BACKSLASH), m.start(0), m.end(0)
        inline = m.group("dollar") or m.group("round") or m.group("ref")
        tex = inline or m.group("dollar2") or m.group("square") or m.group("env")
        opening, closing = ("\\(", "\\)") if inline else ("\\[", "\\]")
        el = etree.Element("span", {"class": MATH_CLASS})
        el.text = AtomicString(opening + html.escape(tex, quote=False) + closing)
        return el, m.start(0), m.end(0)


class _ImagesAsLinks(Treeprocessor):
    """The pane loads nothing from outside: an image becomes a link that opens it in a browser."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag != "img":
                    continue
                link = etree.Element("a", {"href": child.get("src", "")})
                label = etree.SubElement(link, "span", {"class": "kx-image"})
                label.text = f"[图片: {child.get('alt') or child.get('src', '')}]"
                link.tail = child.tail
                parent.remove(child)
                parent.insert(index, link)


class _KexueExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.inlinePatterns.deregister("arithmatex-inline")
        md.inlinePatterns.register(_MathInText(MATH_IN_TEXT, md), "kexue-math", 190)
        md.treeprocessors.register(_ImagesAsLinks(md), "kexue-images", 0)


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "pymdownx.arithmatex",
            "tables",
            "fenced_code",
            "sane_lists",
            _KexueExtension(),
        ],
        extension_configs={"pymdownx.arithmatex": ARITHMATEX_CONFIG},
        output_format="html",
    )


def sanitize(fragment: str) -> str:
    """Keep only the allow-listed tags, attributes, classes and URL schemes of an HTML fragment."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "textarea", "title", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def markdown_to_html(text: str) -> str:
    """Markdown (with protected math) → sanitised HTML fragment."""
    return sanitize(_markdown().convert(text))


_DISPLAY_STARTS = ("$$", "\\[", "\\begin{")


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def paragraphs_to_html(paragraphs: tuple[str, ...] | list[str]) -> str:
    """The HTML that Markdown + arithmatex make of paragraphs_to_markdown(paragraphs), built
    directly: about twenty times faster, which matters for the first screen of a long post.

    Same DOM as the Markdown route (tests compare the two over a generated corpus): a display
    block becomes div.arithmatex with `\\[…\\]`, any other paragraph a <p> whose text is shown
    as written and whose inline formulas (found by the parser's split_inline_math) become
    span.arithmatex with `\\(…\\)`.
    """
    out: list[str] = []
    for paragraph in paragraphs:
        if "\x00" in paragraph or "\x02" in paragraph:
            paragraph = paragraph.replace("\x00", "\ufffd").replace("\x02", "\ufffd")
        if paragraph.startswith(_DISPLAY_STARTS) and _is_display_block(paragraph):
            # The block pattern ends in `[ ]*$`, which also allows one newline after the spaces.
            block = paragraph.rstrip("\n").rstrip(" ")
            tex = block if block.startswith("\\begin{") else block[2:-2]
            out.append(f'<div class="{MATH_CLASS}">\\[{_escape(tex)}\\]</div>')
            continue
        parts = split_inline_math(paragraph.strip("\n"))  # Markdown drops a block's edge newlines
        pieces = [_escape(parts[0])]
        for index in range(1, len(parts), 2):
            formula = parts[index]
            tex = formula[1:-1] if formula.startswith("$") else formula[2:-2]
            pieces.append(f'<span class="{MATH_CLASS}">\\({_escape(tex)}\\)</span>')
            pieces.append(_escape(parts[index + 1]))
        out.append("<p>" + "".join(pieces) + "</p>")
    return "\n".join(out)


_cache: OrderedDict[Post, str] = OrderedDict()


def render_post_html(post: Post) -> str:
    """The safe HTML fragment of a post's body (sanitised with nh3), TeX untouched.

    Results are memoised per post (all its fields) for a few dozen posts so revisiting is free.
    """
    key = post
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return cached
    if post.body_markdown is None:
        # A dump post, whose Markdown is its paragraphs escaped: the fast route, same page.
        rendered = sanitize(paragraphs_to_html(post.paragraphs))
    else:
        rendered = markdown_to_html(post.markdown)
    _cache[key] = rendered
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return rendered


def clear_render_cache() -> None:
    """Forget memoised renderings (benchmarks measure a first visit with it)."""
    _cache.clear()


def render_meta_text(post: Post) -> str:
    """The line under a post's title, as plain text (the pane puts it in with textContent)."""
    parts = [post.author] if post.author else []
    if post.date:
        parts.append(post.date.isoformat())
    if post.readers is not None:
        parts.append(f"{post.readers}位读者")
    return " | ".join(parts)
