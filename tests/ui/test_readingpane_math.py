"""The reading pane typesets tricky posts: MathJax receives the TeX byte for byte, no errors,
equation numbers and \\eqref as on kexue.fm (also for labels defined further down)."""

from __future__ import annotations

import datetime as dt

from reader.core.model import Post, post_id

# (paragraph as in a dump, the formulas MathJax must receive from it, in order)
TRICKY: list[tuple[str, list[str]]] = [
    (r"乘积$a_1*b_2$与$a_3*b_4$不是强调。", [r"a_1*b_2", r"a_3*b_4"]),
    (r"集合$\{x\}$和换行$\begin{cases}a\\b\end{cases}$保留反斜杠。",
     [r"\{x\}", r"\begin{cases}a\\b\end{cases}"]),
    (r"不等式$x<y$与$a<b>c$不是标签,$[a](b)$不是链接,$|x|$不是表格。",
     [r"x<y", r"a<b>c", r"[a](b)", r"|x|"]),
    (r"中文公式$\text{中文}+\text{概率}$。", [r"\text{中文}+\text{概率}"]),
    ("\\begin{equation}\\begin{aligned}f(x) &= \\sum_i x_i \\\\\n"
     "&= \\boldsymbol{1}^{\\top}x\\end{aligned}\\label{eq:sum}\\end{equation}",
     ["\\begin{equation}\\begin{aligned}f(x) &= \\sum_i x_i \\\\\n"
      "&= \\boldsymbol{1}^{\\top}x\\end{aligned}\\label{eq:sum}\\end{equation}"]),
    (r"前向引用$\eqref{eq:later}$和后向引用$\eqref{eq:sum}$。",
     [r"\eqref{eq:later}", r"\eqref{eq:sum}"]),
    ("$$\n\\mathop{\\text{argmax}}_{\\theta}\\ \\cancel{x} \\xrightarrow{f} \\bra{\\psi}\n$$",
     ["\n\\mathop{\\text{argmax}}_{\\theta}\\ \\cancel{x} \\xrightarrow{f} \\bra{\\psi}\n"]),
    ("\\begin{align}a &= b \\label{eq:a1}\\\\\nc &\\coloneqq d \\label{eq:later}\\end{align}",
     ["\\begin{align}a &= b \\label{eq:a1}\\\\\nc &\\coloneqq d \\label{eq:later}\\end{align}"]),
    (r"由$\eqref{eq:a1}$可得$\color{red}{x}+\bbox[5px]{y}$。",
     [r"\eqref{eq:a1}", r"\color{red}{x}+\bbox[5px]{y}"]),
]


def make_post(paragraphs: list[str], title: str = "测试:公式") -> Post:
    date = dt.date(2020, 1, 1)
    return Post(id=post_id(title, date), title=title, author="苏剑林", date=date, readers=1,
                paragraphs=tuple(paragraphs),
                source="<test>", line=1)


def test_mathjax_receives_the_tex_verbatim_without_errors(reading_pane) -> None:
    post = make_post([p for p, _ in TRICKY])
    result = reading_pane.show_and_wait(post)
    assert result["id"] == post.id
    assert result["formulas"] == [tex for _, formulas in TRICKY for tex in formulas]
    assert result["errors"] == []


def test_equation_numbers_and_references_follow_ams_numbering(reading_pane) -> None:
    reading_pane.show_and_wait(make_post([p for p, _ in TRICKY]))
    tags = reading_pane.eval_js(
        "[...document.querySelectorAll('[id^=\"mjx-eqn\"]')].map(e => [e.id, e.textContent])")
    assert tags == [["mjx-eqn:eq:sum", "(1)"], ["mjx-eqn:eq:a1", "(2)"],
                    ["mjx-eqn:eq:later", "(3)"]]
    refs = reading_pane.eval_js(
        "[...document.querySelectorAll('mjx-container a')].map(a => [a.textContent,"
        " decodeURIComponent(a.getAttribute('href'))])")
    # equation (1) is eq:sum; the align gives (2) eq:a1 and (3) eq:later, defined after its use.
    assert refs == [["(3)", "#mjx-eqn:eq:later"], ["(1)", "#mjx-eqn:eq:sum"],
                    ["(2)", "#mjx-eqn:eq:a1"]]


def test_forward_reference_far_down_a_long_post_is_resolved(reading_pane) -> None:
    paragraphs = [r"开头先引用$\eqref{eq:end}$。"]
    paragraphs += [rf"第{i}段,公式$x_{{{i}}}^2$。" for i in range(150)]
    paragraphs += [rf"\begin{{equation}}y_{{{i}}} = {i}\end{{equation}}" for i in range(5)]
    paragraphs.append(r"\begin{equation}E = mc^2\label{eq:end}\end{equation}")
    result = reading_pane.show_and_wait(make_post(paragraphs))
    assert result["errors"] == []
    first_ref = reading_pane.eval_js("document.querySelector('mjx-container a').textContent")
    assert first_ref == "(6)"


def test_undefined_macro_and_label_are_reported(reading_pane) -> None:
    result = reading_pane.show_and_wait(make_post([r"坏公式$\notamacro x$和$\eqref{eq:none}$。"]))
    messages = {(e["tex"], e["message"]) for e in result["errors"]}
    assert (r"\notamacro x", r"Undefined control sequence \notamacro") in messages
    assert (r"\eqref{eq:none}", "Reference to an undefined label") in messages


def test_title_and_meta_are_text_not_html(reading_pane) -> None:
    post = make_post(["正文"], title="<b>粗</b> & <script>x</script>")
    result = reading_pane.show_and_wait(post)
    assert result["text"].startswith("<b>粗</b> & <script>x</script>\n苏剑林 | 2020-01-01")
    assert reading_pane.eval_js("document.querySelectorAll('.kx-title b, script:not([src])')"
                                ".length") == 0


def test_eqref_goes_to_the_equation_of_the_post_shown_after_switching(reading_pane, qtbot) -> None:
    # Two posts with the same label: both stay in the page (one hidden), so the id repeats.
    near = make_post([r"\begin{equation}b = 1\label{eq:x}\end{equation}",
                      r"见$\eqref{eq:x}$。"], title="近")
    far = make_post([r"开头引用$\eqref{eq:x}$。"]
                    + [rf"第{i}段,公式$x_{{{i}}}$。" for i in range(120)]
                    + [r"\begin{equation}a = 2\label{eq:x}\end{equation}"], title="远")
    for post in (near, far, near, far):  # near's article comes first in the page
        reading_pane.show_and_wait(post)
    assert reading_pane.eval_js("document.querySelectorAll('[id=\"mjx-eqn:eq:x\"]').length") == 2
    equation_on_screen = (
        "[...document.querySelectorAll('[id=\"mjx-eqn:eq:x\"]')].filter(e => {"
        " const r = e.getBoundingClientRect();"
        " return e.checkVisibility() && r.top >= 0 && r.bottom <= window.innerHeight; })"
        ".map(e => e.closest('article').querySelector('.kx-title').textContent)")
    reading_pane.eval_js("(document.querySelector('article:not(.kx-hidden) mjx-container a')"
                         ".click(), 1)")
    qtbot.waitUntil(lambda: reading_pane.eval_js(equation_on_screen) == ["远"], timeout=5000)
    assert reading_pane.eval_js("window.scrollY") > 1000
    reading_pane.show_and_wait(near)
    reading_pane.eval_js("window.scrollTo(0, 0), 1")
    reading_pane.eval_js("(document.querySelector('article:not(.kx-hidden) mjx-container a')"
                         ".click(), 1)")
    qtbot.waitUntil(lambda: reading_pane.eval_js(equation_on_screen) == ["近"], timeout=5000)
