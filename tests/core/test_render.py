"""Post → HTML: formulas reach the page byte for byte, text shows as written, HTML allow-listed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re

import pytest

from reader.core.model import Post, post_id
from reader.core.render import markdown_to_html, render_meta_text, render_post_html

MATH_ELEMENT = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.DOTALL)


def formulas(fragment: str) -> list[str]:
    """The TeX the page hands MathJax: the element text, unescaped, without its delimiters."""
    found = []
    for _, text in MATH_ELEMENT.findall(fragment):
        tex = html.unescape(text)
        assert tex[:2] in ("\\(", "\\[") and tex[-2:] in ("\\)", "\\]")
        found.append(tex[2:-2])
    return found


def make_post(paragraphs: list[str], title: str = "t") -> Post:
    date = dt.date(2020, 7, 10)
    return Post(id=post_id(title, date), title=title, author="苏剑林", date=date, readers=110996,
                paragraphs=tuple(paragraphs),
                source="<test>", line=1)


@pytest.mark.parametrize(("paragraph", "expected"), [
    (r"$a_1*b_2$ 和 $a_3*b_4$", [r"a_1*b_2", r"a_3*b_4"]),
    (r"$\{x\}$ 与 $a\\b$", [r"\{x\}", r"a\\b"]),
    (r"$x<y$ 与 $a<b>c$ 与 $a&b$", [r"x<y", r"a<b>c", r"a&b"]),
    (r"$[a](b)$ 与 $|x|$ 与 $|y|$", [r"[a](b)", r"|x|", r"|y|"]),
    (r"$\text{中文}$", [r"\text{中文}"]),
    (r"$\begin{pmatrix}a & b\\c & d\end{pmatrix}$", [r"\begin{pmatrix}a & b\\c & d\end{pmatrix}"]),
    ("\\begin{equation}\\begin{aligned}a&=b\\\\\nc&=d\\end{aligned}\\label{eq:x}\\end{equation}",
     ["\\begin{equation}\\begin{aligned}a&=b\\\\\nc&=d\\end{aligned}\\label{eq:x}\\end{equation}"]),
    ("\\begin{align}a &= b\\\\\nc &= d\\end{align}",
     ["\\begin{align}a &= b\\\\\nc &= d\\end{align}"]),
    ("$$\n\\sum_{i=1}^n x_i\n\\\\ y\n$$", ["\n\\sum_{i=1}^n x_i\n\\\\ y\n"]),
    (r"价格\$5,反斜杠\\,星号*与下划线_都是文字 $x$", ["x"]),
])
def test_tex_reaches_the_page_verbatim(paragraph: str, expected: list[str]) -> None:
    assert formulas(render_post_html(make_post([paragraph]))) == expected


def test_text_outside_math_shows_as_written() -> None:
    paragraph = r"# 不是标题 *不是强调* [不是链接](x) <b>不是标签</b> 1. 不是列表 | 表 | \$ $x$"
    fragment = render_post_html(make_post([paragraph]))
    text = html.unescape(re.sub(r"<[^>]+>", "", MATH_ELEMENT.sub("", fragment)))
    assert text.strip() == paragraph.replace("$x$", "").strip()


def test_display_math_inside_a_paragraph_of_a_markdown_file() -> None:
    fragment = markdown_to_html("文字$$x^2$$文字\\begin{equation}y\\end{equation}尾 $\\begin{cases}"
                                "a\\\\b\\end{cases}$ 和 \\eqref{eq:y}")
    assert formulas(fragment) == ["x^2", "\\begin{equation}y\\end{equation}",
                                  "\\begin{cases}a\\\\b\\end{cases}", "\\eqref{eq:y}"]


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=\"http://example.com\"></iframe>",
    "<meta http-equiv=\"refresh\" content=\"0;url=http://example.com\">",
    "<link rel=\"stylesheet\" href=\"http://example.com/a.css\">",
    "<style>body{background:url(http://example.com/x)}</style>",
    "<div style=\"background:url(http://example.com/x)\">x</div>",
    "<form action=\"http://example.com\"><input></form>",
    "<object data=\"x\"></object><embed src=\"x\"><svg onload=alert(1)></svg>",
    "<p onclick=\"alert(1)\" class=\"kx-title\" id=\"pane\">x</p>",
    "<base href=\"http://example.com/\">",
])
def test_raw_html_is_allow_listed(hostile: str) -> None:
    fragment = markdown_to_html(hostile)
    for bad in ("<script", "<img", "<iframe", "<meta", "<link", "<style", "<form", "<input",
                "<object", "<embed", "<svg", "<base", "javascript:", "onerror", "onclick",
                "onload", "url(", "kx-title", "id="):
        assert bad not in fragment.lower(), (bad, fragment)


def test_images_become_links_and_links_keep_only_safe_schemes() -> None:
    fragment = markdown_to_html("![图一](https://kexue.fm/a.png) [站](https://kexue.fm) "
                                "[邮件](mailto:a@b.c) [文件](file:///etc/passwd)")
    assert "<img" not in fragment
    assert '<a href="https://kexue.fm/a.png" rel="noopener noreferrer">' \
           '<span class="kx-image">[图片: 图一]</span></a>' in fragment
    assert 'href="https://kexue.fm"' in fragment and 'href="mailto:a@b.c"' in fragment
    assert "file:" not in fragment


def test_tables_keep_alignment_but_no_other_style() -> None:
    fragment = markdown_to_html("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert '<th style="text-align:left">a</th>' in fragment
    assert '<td style="text-align:right">2</td>' in fragment
    assert "url(" not in markdown_to_html('<table><tr><td style="text-align:left;'
                                          ' background:url(x)">1</td></tr></table>')


def test_meta_line_is_plain_text() -> None:
    post = make_post(["x"])
    assert render_meta_text(post) == "苏剑林 | 2020-07-10 | 110996位读者"


def test_rendering_is_cached_per_content() -> None:
    post = make_post(["$x$"])
    assert render_post_html(post) is render_post_html(post)
    changed = dataclasses.replace(post, paragraphs=("$y$",))
    assert formulas(render_post_html(changed)) == ["y"]
    written = dataclasses.replace(post, body_markdown="$z$")
    assert formulas(render_post_html(written)) == ["z"]


def test_renderer_and_cli_do_not_import_qt() -> None:
    import subprocess
    import sys

    code = ("import sys, reader.core.render, reader.cli; reader.cli.build_parser(); "
            "sys.exit('PySide6' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
