"""The visible text of Markdown posts' blocks: what search matches and snippets show."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.index import SearchIndex
from reader.core.markdown_plain import visible_text
from reader.core.markdown_text import MATH_IN_TEXT
from reader.core.parser import parse_markdown_text
from reader.core.render import markdown_to_html

AS_THE_PANE_SHOWS = [
    "## 第一节：背景",
    "# 标题 #",
    "这里有**加粗的梯度**和*斜体*，还有一个[链接到论文](https://arxiv.org/abs/1706.03762)以及`代码片段`。",
    "- 列表项一：梯度下降\n- 列表项二：动量",
    "1. 第一\n2. 第二",
    "> 引用：梯度是关键。",
    "> 多行\n> 引用",
    "a <span>b</span> c &amp; d &lt; e",
    "\\*不是强调\\* 和 \\_也不是\\_",
    "snake_case_name 与 _强调_ 以及 这是_强调_文字",
    "***粗斜***和**粗*斜*体**",
    '链接[文字 **粗**](http://x.y "标题")结束',
    "<https://kexue.fm> 自动链接",
    "| 表头一 | 表头二 |\n|---|:---:|\n| 格一 | 格二 |",
    "标题\n===",
    "---",
    "* * *",
    "[id]: http://example.com",
    "`a*b*c` 和 ``包含`反引号`的代码``",
    "- [ ] 任务一\n- [x] 任务二",
    "文字 <!-- 注释 --> 文字",
    "2020\\. 年份",
    "a\\\\b 反斜杠",
    "```python\nx = 1\n```",
    "~~~\n代码\n~~~",
    "1) 不是列表\n2) 也不是",
    "\\$不是公式\\$ 和 \\| 竖线",
    "- 一级\n    - 二级缩进\n- 一级二",
    "标题二\n---",
    "上标<sup>2</sup>和换行<br>之后",
    "a*b*c 乘法，价格 5*3=15 和 2*4",
    "**未闭合的粗体",
    "[^1]: 脚注内容",
    "> - 引用里的列表\n> - 第二项",
    "# 标题里 *强调* 与 `代码`",
    "&copy; 2020 &#x4e2d;",
    "foo_bar_baz 与 __双下划线__",
    "C++ 和 C# 语言，1\\. 不是列表，\\# 不是标题",
]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _shown(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("block", AS_THE_PANE_SHOWS)
def test_visible_text_is_the_text_the_reading_pane_shows(block: str) -> None:
    page = _Text()
    page.feed(markdown_to_html(block))
    assert _shown(visible_text(block)) == _shown("".join(page.parts))


@pytest.mark.parametrize(
    ("block", "formulas"),
    [
        ("这里 $a_1 * b_2$ 和 **粗体**", ["$a_1 * b_2$"]),
        (
            "公式 \\(x_i^*\\) 以及 _强调_ 和 $\\boldsymbol{x}_*$",
            ["\\(x_i^*\\)", "$\\boldsymbol{x}_*$"],
        ),
        (
            "文字$$a_b*c$$文字 **粗** \\begin{equation}a_1*b_1\\end{equation}",
            ["$$a_b*c$$", "\\begin{equation}a_1*b_1\\end{equation}"],
        ),
        ("- 列表里 $[a](b)$ 与 `c`", ["$[a](b)$"]),
    ],
)
def test_formulas_are_kept_as_written(block: str, formulas: list[str]) -> None:
    shown = visible_text(block)
    for formula in formulas:
        assert formula in shown
    assert "**" not in shown


def test_display_formulas_and_code_keep_every_character() -> None:
    assert visible_text("$$\nx_1 * y_1\n$$") == "$$\nx_1 * y_1\n$$"
    assert visible_text("```\n**不是粗体** _x_\n```") == "**不是粗体** _x_"


def test_images_show_their_alt_text_and_links_their_text() -> None:
    assert visible_text("![图片说明](https://kexue.fm/1.png)") == "图片说明"
    assert visible_text("![](https://kexue.fm/1.png)") == ""
    assert visible_text("见[这里][ref]。") == "见这里。"  # defined elsewhere in the post


@given(st.text(alphabet="向量梯度模型abcXYZ019，。：() \n", max_size=60))
def test_text_without_markup_is_unchanged(text: str) -> None:
    block = "\n".join(line.strip() for line in text.split("\n")).strip()
    assert visible_text(block) == block


def test_a_markdown_post_is_searched_and_shown_as_its_visible_text() -> None:
    source = (
        "---\ntitle: 测试\ndate: 2022-01-01\n---\n\n## 背景\n\n"
        "这里有**加粗的梯度**和*斜体*，还有[论文](https://arxiv.org/abs/1706.03762)。\n\n"
        "---\n\n![](https://kexue.fm/1.png)\n"
    )
    (post,) = parse_markdown_text(source, "a.md").posts
    assert post.paragraphs == ("背景", "这里有加粗的梯度和斜体，还有论文。")
    assert "**" in post.markdown  # the pane still renders the Markdown
    index = SearchIndex.build([post])
    assert index.search("加粗的梯度和斜体").total == 1
    assert index.search("**").total == 0
    assert index.search("arxiv").total == 0
    assert index.search("梯度").hits[0].snippet.marked() == "这里有加粗的[[梯度]]和斜体，还有论文。"


PLAIN_MATH_IN_TEXT = (
    r"(?<!\\)(?P<escapes>(?:\\{2})+)(?=\$|\\\(|\\\[|\\begin\{)"
    r"|(?<!\\)\$\$(?P<dollar2>(?:\\.|[^\\$\x02\x03])+?)\$\$"
    r"|(?<!\\)\$(?!\s)(?P<dollar>(?:\\.|[^\\$\x02\x03])+?)(?<!\s)\$"
    r"|(?<!\\)\\\((?P<round>(?:\\[^)]|[^\\\x02\x03])+?)\\\)"
    r"|(?<!\\)\\\[(?P<square>(?:\\[^\]]|[^\\\x02\x03])+?)\\\]"
    r"|(?<!\\)(?P<env>\\begin\{(?P<name>[A-Za-z]+\*?)\}(?:\\.|[^\\\x02\x03])+?\\end\{(?P=name)\})"
    r"|(?<!\\)(?P<ref>\\(?:eq)?ref\{[^{}\\]*\})"
)
"""The renderer's math pattern with each look-behind first, as it was written before: the fast
form in reader.core.markdown_text must find exactly the same."""

_PIECES = ["\\", "\\\\", "$", "$$", "(", ")", "[", "]", "{", "}", "begin{", "end{", "ref{"]
_PIECES += ["eqref{", "a", "x", " ", "\n", "\x02", "*", "向", "pmatrix", "equation"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_the_fast_math_pattern_finds_what_the_plain_one_finds(text: str) -> None:
    fast = [(m.span(), m.groupdict()) for m in re.finditer(MATH_IN_TEXT, text)]
    plain = [(m.span(), m.groupdict()) for m in re.finditer(PLAIN_MATH_IN_TEXT, text)]
    assert fast == plain
