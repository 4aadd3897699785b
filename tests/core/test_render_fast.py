"""The direct paragraphs → HTML route gives the same page as Markdown + arithmatex would."""

from __future__ import annotations

import html.parser

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.corpus import generate_dump
from reader.core.markdown_text import paragraphs_to_markdown
from reader.core.parser import parse_dump_text
from reader.core.render import markdown_to_html, paragraphs_to_html, sanitize


class _Events(html.parser.HTMLParser):
    """Elements and text as the browser's DOM would hold them (entities decoded, text merged)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, ...]] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, *sorted(f"{k}={v}" for k, v in attrs)))
        self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth == 0 and not data.strip():
            return  # whitespace between blocks
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", self.events[-1][1] + data)
        else:
            self.events.append(("text", data))


def dom(fragment: str) -> list[tuple[str, ...]]:
    parser = _Events()
    parser.feed(fragment)
    parser.close()
    return parser.events


def assert_same_page(paragraphs: list[str]) -> None:
    slow = markdown_to_html(paragraphs_to_markdown(paragraphs))
    fast = sanitize(paragraphs_to_html(paragraphs))
    assert dom(fast) == dom(slow)


def test_same_page_for_a_generated_corpus() -> None:
    posts = parse_dump_text(generate_dump(30, seed=3)).posts
    assert len(posts) == 30
    for post in posts:
        assert_same_page(list(post.paragraphs))


def test_same_page_for_tricky_paragraphs() -> None:
    assert_same_page([
        r"$a_1*b_2$ \\$x$ \$ $ y$ $x $ a\\b <b>&amp; | # x",
        "# 标题?\n- 列表\n1. 一\n  两个空格  \n> 引用",
        "\\begin{equation}a<b\\\\\nc&d\\end{equation}",
        "$$\nx\n$$  ",
        r"\[x\]",
        "\\[文字\\]\n",
        "$$a$$  \n",
        "\\begin{equation}b\\end{equation}\n",
        r"文字\(a\)和\[b\]与\begin{x}c\end{x}",
        "  前后空白  ",
        "NUL\x00STX\x02",
        "`代码` *强调* _下划线_ [链接](http://x) ![图](y)",
    ])


PIECES = st.sampled_from([
    "文字", "English", " ", "  ", "\n", "$", "$$", "\\", "\\\\", "\\(", "\\)", "\\[", "\\]",
    "\\begin{equation}", "\\end{equation}", "{", "}", "*", "_", "`", "[", "]", "(", ")", "<",
    ">", "&", "&amp;", "|", "#", "-", "1.", "=", "~", ":", "\t", "x", "^2", "\\alpha",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(PIECES, max_size=12).map("".join).filter(
    lambda p: "\n\n" not in p and p.strip()), min_size=1, max_size=4))
def test_same_page_for_random_paragraphs(paragraphs: list[str]) -> None:
    assert_same_page(paragraphs)
