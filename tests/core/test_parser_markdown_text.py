"""Post.markdown renders (Python-Markdown + arithmatex generic) to exactly the source text.

The check renders with the convention of interfaces.md, reads the HTML's text back, and matches
it against each source paragraph: text must be equal, and each formula's TeX between its
delimiters must equal the source's (`$x$` becomes `\\(x\\)` in a span.arithmatex).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import ClassVar

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymdownx import arithmatex

from reader.core import markdown_text
from reader.core.corpus import generate_corpus
from reader.core.markdown_text import paragraphs_to_markdown

# The convention of interfaces.md: Python-Markdown + pymdownx.arithmatex in generic mode. The
# pane also enables these common extensions; the escaping must hold with and without them.
BASE_EXTENSIONS = ["pymdownx.arithmatex"]
PANE_EXTENSIONS = ["pymdownx.arithmatex", "tables", "fenced_code", "sane_lists"]


def render(text: str, extensions: list[str] | None = None) -> str:
    md = markdown.Markdown(
        extensions=extensions or BASE_EXTENSIONS,
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    return md.convert(text)


@dataclass
class Math:
    tex: str
    display: bool


@dataclass
class _Node:
    tag: str
    math: bool
    parts: list[str | Math | _Node] = field(default_factory=list)

    def flatten(self) -> list[str | Math]:
        if self.math:
            text = "".join(_text(p) for p in self.parts)
            if text.startswith("\\(") and text.endswith("\\)"):
                return [Math(text[2:-2], display=False)]
            assert text.startswith("\\[") and text.endswith("\\]"), text
            return [Math(text[2:-2], display=True)]
        out: list[str | Math] = []
        for part in self.parts:
            out.extend(part.flatten() if isinstance(part, _Node) else [part])
        return out


def _text(part: str | Math | _Node) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, _Node):
        return "".join(_text(p) for p in part.parts)
    raise AssertionError("math inside math")


class _TreeBuilder(HTMLParser):
    VOID: ClassVar[set[str]] = {"br", "hr", "img"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", False)
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.stack[-1].parts.append("\n")
            return
        node = _Node(tag, any(k == "class" and "arithmatex" in (v or "") for k, v in attrs))
        self.stack[-1].parts.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack[-1].tag == tag, (self.stack[-1].tag, tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].parts.append(data)


def rendered_blocks(html: str) -> list[tuple[str, list[str | Math]]]:
    """Top-level blocks of rendered HTML: (tag, text pieces and formulas)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    blocks = []
    for part in builder.root.parts:
        if isinstance(part, str):
            assert not part.strip(), f"text outside a block: {part!r}"
            continue
        blocks.append((part.tag, part.flatten()))
    return blocks


def _math_forms(math: Math) -> str:
    tex = re.escape(math.tex)
    forms = [r"\$\$" + tex + r"\$\$", r"\\\[" + tex + r"\\\]"]
    if math.tex.startswith("\\begin{"):
        forms.append(tex)
    if not math.display:
        forms = [r"\$" + tex + r"\$", r"\\\(" + tex + r"\\\)", *forms]
    return "(?:" + "|".join(forms) + ")"


def matches_source(pieces: list[str | Math], source: str) -> bool:
    """True when the rendered pieces show exactly `source` (a formula in any of its delimiters)."""
    pattern = "".join(re.escape(p) if isinstance(p, str) else _math_forms(p) for p in pieces)
    return re.fullmatch(pattern, source, re.DOTALL) is not None


def assert_renders_to(
    text: str, paragraphs: list[str], extensions: list[str] | None = None
) -> list[tuple[str, list[str | Math]]]:
    blocks = rendered_blocks(render(text, extensions))
    assert len(blocks) == len(paragraphs), (text, blocks)
    for (tag, pieces), paragraph in zip(blocks, paragraphs, strict=True):
        assert tag in {"p", "div"}, (tag, paragraph, text)
        assert matches_source(pieces, paragraph), (paragraph, pieces, text)
    return blocks


# ---------------------------------------------------------------------------------------------

TRICKY = [
    "# 不是标题",
    "1. 不是列表",
    "2020. 年份开头",
    "- 不是列表项",
    "+ 也不是",
    "* 还不是",
    "> 不是引用",
    "---",
    "===",
    "~~~ 不是代码围栏",
    "``` 也不是",
    ": 不是定义",
    "**不是粗体** 和 *不是斜体* 和 _下划线_ 和 __双下划线__",
    "[不是链接](http://example.com) 和 ![不是图片](a.png) 和 [ref]",
    "[ref]: http://example.com",
    "<b>不是标签</b> 和 <http://example.com> 和 <!-- 注释 -->",
    "&amp; 和 &lt; 和 &#124; 和 & 单独",
    "反斜杠 \\ 和 \\\\ 和 \\* 和 \\$ 和 \\(",
    "| a | b |",
    "a | b",
    "`代码` 和 ``两个``",
    "费用是 $5 和 $6,不是公式",
    "$ x$ 不是公式, $x $ 也不是",
    "公式 $x_1 * y_1$ 和 $a<b>c$ 和 $\\{a\\}$ 里不转义",
    "括号公式 \\(a_b\\) 和文字",
    "文字里的 $$x$$ 不是独立公式",
    "转义的 \\\\$x$ 前面是两个反斜杠",
    "三个 \\\\\\$x$ 反斜杠",
    "\\begin{equation}x_1\\end{equation} 后面还有文字",
    "\\eqref{eq:final} 和 \\label{x}",
    "Tab\t分隔",
    "尾部两个空格  ",
    "  开头空格",
    "\u3000\u3000全角空格缩进",
    "By 苏剑林 | 2020-07-10 | 110996位读者 | 引用",
    "W!T!F! 这真的是VAE生成的效果?",
    "$x$",
    "$x$ $y$",
    "[\\(\\]\\)",
    "文字里的 [x] 和 \\[y\\] 不是公式块",
    "@#$%^&*()_+{}|:\"<>?~`-=[]\\;',./",
]

DISPLAY = [
    "\\begin{equation}n > 8.33\\log N\\label{eq:final}\\end{equation}",
    "\\begin{equation}\\begin{aligned}\na =&\\, b \\\\\n"
    "=&\\, c_1 * d_2\n\\end{aligned}\\end{equation}",
    "$$\n\\sum_{i=1}^n x_i\n$$",
    "$$x_1 * x_2$$",
    "\\[\na_b\n\\]",
    "\\begin{align}\n# not a heading & x \\\\\n- y &= 1. z\n\\end{align}",
    "\\begin{equation*}x\\end{equation*}",
]


@pytest.mark.parametrize("extensions", [BASE_EXTENSIONS, PANE_EXTENSIONS])
def test_tricky_paragraphs_render_to_their_source(extensions: list[str]) -> None:
    assert_renders_to(paragraphs_to_markdown(TRICKY), TRICKY, extensions)


@pytest.mark.parametrize("extensions", [BASE_EXTENSIONS, PANE_EXTENSIONS])
def test_display_blocks_stay_verbatim_and_render_as_one_block(extensions: list[str]) -> None:
    text = paragraphs_to_markdown(["前文", *DISPLAY, "后文"])
    for block in DISPLAY:
        assert f"\n\n{block}\n\n" in text
    blocks = assert_renders_to(text, ["前文", *DISPLAY, "后文"], extensions)
    for tag, pieces in blocks[1:-1]:
        assert tag == "div"
        assert len(pieces) == 1 and isinstance(pieces[0], Math)


def test_inline_formulas_are_kept_byte_for_byte() -> None:
    paragraph = "公式 $x_1 * y_1$ 和 $a<b>c$ 以及 \\(\\mathcal{L}_{\\theta}\\) 的 *强调*"
    text = paragraphs_to_markdown([paragraph])
    assert "$x_1 * y_1$" in text and "$a<b>c$" in text and "\\(\\mathcal{L}_{\\theta}\\)" in text
    assert "\\*强调\\*" in text
    ((_tag, pieces),) = assert_renders_to(text, [paragraph])
    assert [p.tex for p in pieces if isinstance(p, Math)] == [
        "x_1 * y_1", "a<b>c", "\\mathcal{L}_{\\theta}"]


def test_formula_markdown_would_change_is_escaped_as_text_instead() -> None:
    # A backtick pair inside `$…$` would become a code span before math is found.
    paragraph = "奇怪的 $a`b`c$ 公式"
    assert_renders_to(paragraphs_to_markdown([paragraph]), [paragraph])


def test_control_characters_markdown_deletes_are_replaced_visibly() -> None:
    assert paragraphs_to_markdown(["a\x02b"]) == "a\ufffdb"


def test_generated_corpus_posts_render_to_their_paragraphs() -> None:
    for post in generate_corpus(6, seed=3).posts:
        assert_renders_to(paragraphs_to_markdown(post.paragraphs), list(post.paragraphs))


# Hypothesis: random paragraphs built from Markdown syntax, TeX pieces and prose.
_ATOMS = st.sampled_from([
    "$", "$$", "\\", "\\\\", "\\(", "\\)", "\\[", "\\]", "\\begin{equation}", "\\end{equation}",
    "\\begin{aligned}", "\\end{aligned}", "{", "}", "(", ")", "[", "]", "*", "**", "_", "__", "`",
    "#", "##", ">", "-", "+", "1.", "2)", "=", "~", ":", "|", "!", "<", ">", "<b>", "</b>", "&",
    "&amp;", "&#124;", ";", " ", "  ", "\t", "\u3000", "x", "y_1", "a^2", "\\alpha", "\\frac{1}{2}",
    "向量", "梯度", "模型", "。", ",", "BERT", "softmax", "http://x.y", "\\label{eq:1}", "&\\,",
])
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=4)
_LINE = st.lists(st.one_of(_ATOMS, _ATOMS, _TEXT), min_size=1, max_size=14).map("".join)


_DISPLAY_FORMS = [
    "\\begin{{equation}}{}\\end{{equation}}",
    "$${}$$",
    "\\[{}\\]",
    "\\begin{{align}}\n{}\n\\end{{align}}",
]


def _paragraph(lines: list[str]) -> str:
    return "\n".join(lines)


_PARAGRAPH = st.one_of(
    _LINE,
    _LINE,
    st.lists(_LINE, min_size=2, max_size=3).map(_paragraph),
    st.tuples(st.sampled_from(_DISPLAY_FORMS), _LINE).map(lambda t: t[0].format(t[1])),
)


def _valid(paragraph: str) -> bool:
    # The parsers never give empty paragraphs or blank lines inside one.
    return bool(paragraph) and all(line.strip() for line in paragraph.split("\n"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PARAGRAPH.filter(_valid), min_size=1, max_size=5))
def test_any_paragraphs_render_to_exactly_their_text(paragraphs: list[str]) -> None:
    assert_renders_to(paragraphs_to_markdown(paragraphs), paragraphs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PARAGRAPH.filter(_valid), min_size=1, max_size=4))
def test_any_paragraphs_render_to_exactly_their_text_with_pane_extensions(
    paragraphs: list[str],
) -> None:
    assert_renders_to(paragraphs_to_markdown(paragraphs), paragraphs, PANE_EXTENSIONS)


# The fast regexes must find exactly what arithmatex's own regexes find.
_ORIGINAL_INLINE = re.compile(
    f"(?:{arithmatex.RE_SMART_DOLLAR_INLINE}|{arithmatex.RE_BRACKET_INLINE})", re.DOTALL)
_BLOCK_ALTERNATIVES = "|".join(
    [arithmatex.RE_DOLLAR_BLOCK, arithmatex.RE_BRACKET_BLOCK, arithmatex.RE_TEX_BLOCK])
_ORIGINAL_BLOCK = re.compile(f"(?s)^(?:{_BLOCK_ALTERNATIVES})[ ]*$")


def _original_split(paragraph: str) -> list[str]:
    work, parts, text_start, position = paragraph, [], 0, 0
    while (m := _ORIGINAL_INLINE.search(work, position)) is not None:
        start, end = m.span()
        if m.group(1) or m.group(4):
            work = work[:start] + "\x03" * (end - start) + work[end:]
        else:
            parts += (paragraph[text_start:start], paragraph[start:end])
            text_start = end
        position = end
    parts.append(paragraph[text_start:])
    return parts


@settings(max_examples=600, deadline=None)
@given(_PARAGRAPH)
def test_fast_math_regexes_agree_with_arithmatex(paragraph: str) -> None:
    fast = markdown_text._split_with_escapes(paragraph)
    assert fast == _original_split(paragraph)
    if "\\\\" not in paragraph:
        assert markdown_text._SPLIT_FORMULAS.split(paragraph) == fast
    assert (markdown_text._BLOCK_MATH.match(paragraph) is None) == (
        _ORIGINAL_BLOCK.match(paragraph) is None)
    if "\\\\" not in paragraph:
        texts = "".join(fast[0::2])
        needs_escape = any(c in texts for c in "\\$`*_[&<|\t")
        assert (markdown_text._TEXT_TO_ESCAPE.match(paragraph) is not None) == needs_escape


def _render_with_the_pane(text: str) -> list[tuple[str, list[str | Math]]]:
    render = pytest.importorskip("reader.core.render")
    return rendered_blocks(render.markdown_to_html(text))


def test_the_pane_renderer_shows_tricky_paragraphs_and_corpus_posts_as_written() -> None:
    samples = [TRICKY, ["前文", *DISPLAY, "后文"]]
    samples += [list(post.paragraphs) for post in generate_corpus(3, seed=9).posts]
    for paragraphs in samples:
        blocks = _render_with_the_pane(paragraphs_to_markdown(paragraphs))
        assert len(blocks) == len(paragraphs)
        for (_tag, pieces), paragraph in zip(blocks, paragraphs, strict=True):
            assert matches_source(pieces, paragraph), (paragraph, pieces)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PARAGRAPH.filter(_valid), min_size=1, max_size=4))
def test_the_pane_renderer_shows_any_paragraphs_as_written(paragraphs: list[str]) -> None:
    blocks = _render_with_the_pane(paragraphs_to_markdown(paragraphs))
    assert len(blocks) == len(paragraphs)
    for (_tag, pieces), paragraph in zip(blocks, paragraphs, strict=True):
        assert matches_source(pieces, paragraph), (paragraph, pieces)


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["$`\\", "\\begin{equation}$\\end{equation}"],
        ["a $x\\", "$y$ b"],
        ["\\(a\\", ")\\) c"],
        ["x\x00y", "p\x02q"],
        [],
    ],
)
def test_formulas_never_reach_across_paragraphs(paragraphs: list[str]) -> None:
    text = paragraphs_to_markdown(paragraphs)
    expected = [p.replace("\x00", "\ufffd").replace("\x02", "\ufffd") for p in paragraphs]
    if expected:
        assert_renders_to(text, expected)
    else:
        assert text == ""
