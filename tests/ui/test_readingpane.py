"""ReadingPane's API as the main window uses it: posts, search highlights, paging, theme, cache."""

from __future__ import annotations

import datetime as dt
import itertools

from reader.core.model import Post, post_id


def make_post(title: str, paragraphs: list[str]) -> Post:
    date = dt.date(2022, 3, 4)
    return Post(id=post_id(title, date), title=title, author="苏剑林", date=date, readers=42,
                paragraphs=tuple(paragraphs),
                source="<test>", line=1)


LONG = make_post("长文", [
    f"第{i}段:Transformer的注意力$\\alpha_{{{i}}}$,Ｔｒａｎｓｆｏｒｍｅｒ全角。"
    for i in range(120)])
SHORT = make_post("短文", ["只有一段,提到注意力$x$。"])


def test_show_post_before_the_shell_is_ready_is_queued(qtbot) -> None:
    from reader.ui.readingpane import ReadingPane

    pane = ReadingPane()
    try:
        with qtbot.waitSignal(pane.typeset_finished, timeout=60000) as blocker:
            pane.show_post(SHORT)  # right away: the shell is still loading
            pane.show_post(LONG)   # only the last one is shown
        assert blocker.args[0]["id"] == LONG.id
        assert pane.is_ready
    finally:
        from PySide6.QtCore import QCoreApplication, QEvent

        pane.close()
        pane.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_switching_quickly_shows_only_the_last_post(reading_pane, qtbot) -> None:
    others = [make_post(f"文{i}", [f"第{i}篇$x_{i}$。"] * 40) for i in range(4)]
    results: list[dict] = []
    reading_pane.typeset_finished.connect(results.append)
    with qtbot.waitSignal(reading_pane.typeset_finished, timeout=60000,
                          check_params_cb=lambda r: r["id"] == LONG.id):
        for post in [*others, LONG]:
            reading_pane.show_post(post, terms=["注意力"])
            reading_pane.set_terms(["注意力"])  # terms arriving while formulas wait: harmless
    assert results[-1]["formulas"] == [f"\\alpha_{{{i}}}" for i in range(120)]
    assert results[-1]["errors"] == []
    assert reading_pane.eval_js("document.querySelectorAll('#pane article').length") == 1
    assert reading_pane.eval_js("document.querySelectorAll('mark.kx-hit').length") == 120


def test_post_shown_comes_before_typeset_finished(reading_pane, qtbot) -> None:
    events: list[str] = []
    reading_pane.post_shown.connect(lambda i: events.append("shown " + i))
    reading_pane.typeset_finished.connect(lambda r: events.append("finished " + r["id"]))
    reading_pane.show_and_wait(LONG)
    assert events == [f"shown {LONG.id}", f"finished {LONG.id}"]


def test_revisit_comes_from_the_cache_with_the_same_result(reading_pane) -> None:
    first = reading_pane.show_and_wait(LONG)
    reading_pane.show_and_wait(SHORT)
    again = reading_pane.show_and_wait(LONG)
    assert first["cached"] is False and again["cached"] is True
    assert again["formulas"] == first["formulas"] and len(first["formulas"]) == 120
    # The post left is kept in the page, hidden: not rendered and taking no room.
    shown = reading_pane.eval_js("[...document.querySelectorAll('#pane .kx-title')]"
                                 ".filter(t => t.checkVisibility()).map(t => t.textContent)")
    assert shown == [LONG.title]
    assert reading_pane.eval_js("[...document.querySelectorAll('#pane article.kx-hidden')]"
                                ".map(a => a.getBoundingClientRect().height)") == [0]


def test_posts_kept_hidden_take_no_room_and_are_bounded(reading_pane) -> None:
    reading_pane.show_and_wait(LONG)
    reading_pane.show_and_wait(SHORT)
    assert reading_pane.eval_js("document.documentElement.scrollHeight <= window.innerHeight")
    shorts = [make_post(f"短{i}", [f"公式$x_{{{i}}}$。"]) for i in range(26)]
    for post in shorts:
        reading_pane.show_and_wait(post)
    # 24 kept for revisits; only the 3 most recent stay in the page (hidden) with the one shown:
    # every hidden post made the next first screens slower.
    assert reading_pane.eval_js("kexue.cachedIds().length") == 24
    assert reading_pane.eval_js("document.querySelectorAll('#pane article').length") == 4
    again = reading_pane.show_and_wait(shorts[5])  # cached, out of the page: put back
    assert again["cached"] is True and again["formulas"] == ["x_{5}"]
    shown = reading_pane.eval_js("[...document.querySelectorAll('#pane .kx-title')]"
                                 ".filter(t => t.checkVisibility()).map(t => t.textContent)")
    assert shown == ["短5"]


def test_search_terms_are_highlighted_with_nfkc_casefold(reading_pane, qtbot) -> None:
    counts: list[tuple[int, int]] = []
    reading_pane.matches_changed.connect(lambda i, n: counts.append((i, n)))
    reading_pane.show_and_wait(LONG, terms=["transformer"])
    # "Transformer" and full-width "Ｔｒａｎｓｆｏｒｍｅｒ" in each of 120 paragraphs.
    assert counts[-1] == (-1, 240)
    marks = reading_pane.eval_js("[...document.querySelectorAll('mark.kx-hit')].slice(0, 2)"
                                 ".map(m => m.textContent)")
    assert marks == ["Transformer", "Ｔｒａｎｓｆｏｒｍｅｒ"]
    reading_pane.set_terms(["注意力", "第119段"])
    qtbot.waitUntil(lambda: counts[-1] == (-1, 121), timeout=5000)
    reading_pane.set_terms([])
    qtbot.waitUntil(lambda: counts[-1] == (-1, 0), timeout=5000)
    assert reading_pane.eval_js("document.querySelectorAll('mark').length") == 0
    text = reading_pane.eval_js("document.querySelector('.kx-body p').textContent")
    assert text.startswith("第0段:Transformer的注意力")


def test_next_and_previous_match_move_and_scroll(reading_pane, qtbot) -> None:
    counts: list[tuple[int, int]] = []
    reading_pane.matches_changed.connect(lambda i, n: counts.append((i, n)))
    reading_pane.show_and_wait(LONG, terms=["第119段"])
    reading_pane.next_match()
    qtbot.waitUntil(lambda: counts[-1] == (0, 1), timeout=5000)
    assert reading_pane.eval_js("window.scrollY") > 1000
    assert reading_pane.eval_js("document.querySelector('mark.kx-current').textContent") \
        == "第119段"
    reading_pane.previous_match()
    qtbot.waitUntil(lambda: len(counts) >= 3, timeout=5000)
    assert counts[-1] == (0, 1)


def test_page_down_reaches_the_end_then_signals(reading_pane, qtbot) -> None:
    reading_pane.show_and_wait(LONG)
    ends: list[bool] = []
    reading_pane.end_reached.connect(lambda: ends.append(True))
    # The first paragraph still on screen: scrollY itself may shift as blocks below the screen
    # get laid out (content-visibility), the content shown must move on.
    top_paragraph = ("[...document.querySelectorAll('.kx-body p')]"
                     ".findIndex(p => p.getBoundingClientRect().bottom > 0)")
    tops = []
    for _ in range(200):
        reading_pane.page_down()
        tops.append(reading_pane.eval_js(top_paragraph))
        if ends:
            break
    assert ends == [True]
    # (A block just coming into view may settle a few pixels: allow one paragraph back.)
    assert all(b >= a - 1 for a, b in itertools.pairwise(tops))
    assert tops[0] > 0 and tops[-1] > tops[0] + 50
    assert reading_pane.eval_js("document.querySelector('.kx-body p:last-child')"
                                ".getBoundingClientRect().bottom <= window.innerHeight")
    reading_pane.page_up()
    qtbot.waitUntil(lambda: reading_pane.eval_js(top_paragraph) < tops[-1], timeout=5000)


def test_scrolling_reports_the_fraction_and_scroll_is_restored(reading_pane, qtbot) -> None:
    reading_pane.show_and_wait(LONG)
    with qtbot.waitSignal(reading_pane.scroll_changed, timeout=5000) as blocker:
        reading_pane.eval_js("(window.scrollTo(0, document.documentElement.scrollHeight), 1)")
    assert blocker.args == [LONG.id, 1.0]
    reading_pane.show_and_wait(SHORT)
    reading_pane.show_and_wait(LONG, scroll=0.5)
    fraction = reading_pane.eval_js(
        "window.scrollY / (document.documentElement.scrollHeight - window.innerHeight)")
    assert 0.4 < fraction < 0.6


def test_dark_theme_and_zoom(reading_pane, qtbot) -> None:
    reading_pane.show_and_wait(SHORT)
    light = reading_pane.eval_js("getComputedStyle(document.body).color")
    reading_pane.set_dark(True)
    assert reading_pane.eval_js("document.documentElement.classList.contains('dark')") is True
    dark = reading_pane.eval_js("getComputedStyle(document.body).color")
    formula = reading_pane.eval_js("getComputedStyle(document.querySelector('mjx-container'))"
                                   ".color")
    assert light != dark and formula == dark
    reading_pane.set_zoom(1.5)
    assert reading_pane.zoomFactor() == 1.5


def test_clear_empties_the_pane(reading_pane, qtbot) -> None:
    reading_pane.show_and_wait(SHORT)
    reading_pane.setHtml("")  # what a caller with nothing to show does
    qtbot.waitUntil(lambda: reading_pane.eval_js("document.getElementById('pane')"
                                                 ".childElementCount") == 0, timeout=5000)
    assert reading_pane.url().toString() == "kexue://app/shell.html"
    assert reading_pane.show_and_wait(SHORT)["cached"] is True


def test_what_the_reader_looks_at_stays_put_while_formulas_above_are_typeset(
        reading_pane, qtbot) -> None:
    paragraphs = []
    for i in range(60):
        paragraphs.append(f"第{i}段文字,公式$y_{{{i}}}$。")
        paragraphs.append(f"\\begin{{equation}}\\sum_{{k=1}}^{{{i + 2}}} \\frac{{x_k}}{{k^2}}"
                          f"\\end{{equation}}")
    post = make_post("锚定", paragraphs)
    target = "document.querySelectorAll('.kx-body p')[45]"
    # Small background steps, so the jump below lands while many formulas above still wait.
    chunk = reading_pane.eval_js("kexue.setChunk(8)")
    try:
        finished = qtbot.waitSignal(reading_pane.typeset_finished, timeout=60000)
        with qtbot.waitSignal(reading_pane.post_shown, timeout=60000):
            reading_pane.show_post(post)
        # Jump down at once, while most formulas above are still placeholders.
        before = reading_pane.eval_js(f"({target}.scrollIntoView(), {target}"
                                      ".getBoundingClientRect().top)")
        pending = reading_pane.eval_js("document.querySelectorAll('mjx-lazy').length")
        finished.wait()
    finally:
        reading_pane.eval_js(f"kexue.setChunk({chunk})")
    assert pending > 20  # the test means something only if formulas were still waiting
    assert reading_pane.eval_js("document.querySelectorAll('mjx-lazy').length") == 0
    after = reading_pane.eval_js(f"{target}.getBoundingClientRect().top")
    assert abs(after - before) <= 2


def test_first_screen_typesets_what_is_on_screen_and_little_more(reading_pane) -> None:
    paragraphs = []
    for i in range(40):
        paragraphs.append(f"第{i}段,公式$a_{{{i}}}$与$\\frac{{b_{{{i}}}}}{{c}}$,文字。" * 3)
        paragraphs.append(f"\\begin{{equation}}\\sum_{{k=1}}^{{{i + 2}}} \\frac{{x_k}}{{k^2}}"
                          f" = \\int_0^1 f_{{{i}}}(t)\\,dt\\end{{equation}}")
    post = make_post("首屏", paragraphs)
    reading_pane.eval_js("kexue.reportScreens(true)")
    try:
        reading_pane.show_and_wait(post)
        report = reading_pane.eval_js("kexue.screenReport()")
    finally:
        reading_pane.eval_js("kexue.reportScreens(false)")
    # Everything on screen was typeset when post_shown went out; the first screen typeset
    # about what the screen holds (placeholders take no room, so what they show on screen is
    # not what fits once typeset), not every formula of a screenful of placeholders.
    assert report["waiting"] == 0 and report["typeset"] >= 4
    assert report["first"] <= report["typeset"] + 6


def test_text_reported_holds_every_paragraph_of_a_long_post(reading_pane) -> None:
    # Blocks far below the screen are never laid out (content-visibility): the text must not
    # depend on what the browser happened to render.
    result = reading_pane.show_and_wait(LONG)
    lines = result["text"].split("\n")
    assert lines[:2] == [LONG.title, "苏剑林 | 2022-03-04 | 42位读者"]
    paragraphs = [line for line in lines[2:] if line]
    assert len(paragraphs) == 120
    assert paragraphs[119] == "第119段:Transformer的注意力𝛼119,Ｔｒａｎｓｆｏｒｍｅｒ全角。"


WAITING = "document.querySelectorAll('mjx-lazy').length"


def test_held_background_work_waits_but_formulas_scrolled_to_are_typeset(
        reading_pane, qtbot) -> None:
    """While a library is indexed the main window holds the pane's eager work (the formulas
    below the first screen); a reader who scrolls still sees formulas, not TeX."""
    finished: list[dict] = []
    reading_pane.typeset_finished.connect(finished.append)
    reading_pane.hold_background(True)
    with qtbot.waitSignal(reading_pane.post_shown, timeout=60000):
        reading_pane.show_post(LONG)
    qtbot.waitUntil(lambda: reading_pane.eval_js(WAITING) > 60, timeout=10000)
    qtbot.wait(500)
    assert finished == [] and reading_pane.eval_js(WAITING) > 60
    last = "[...document.querySelectorAll('.kx-body .arithmatex')].at(-1)"
    reading_pane.eval_js("(window.scrollTo(0, document.documentElement.scrollHeight), 1)")
    qtbot.waitUntil(lambda: reading_pane.eval_js(
        f"!!{last}.querySelector('mjx-container') && !{last}.querySelector('mjx-lazy')"),
        timeout=10000)
    assert reading_pane.eval_js(WAITING) > 30  # the middle of the post still waits
    assert finished == []
    with qtbot.waitSignal(reading_pane.typeset_finished, timeout=60000) as blocker:
        reading_pane.hold_background(False)
    assert blocker.args[0]["id"] == LONG.id and len(blocker.args[0]["formulas"]) == 120
    assert reading_pane.eval_js(WAITING) == 0


def test_a_post_shown_while_background_work_is_held_does_not_wait_for_it(
        reading_pane, qtbot) -> None:
    reading_pane.hold_background(True)
    with qtbot.waitSignal(reading_pane.post_shown, timeout=60000):
        reading_pane.show_post(LONG)
    with qtbot.waitSignal(reading_pane.post_shown, timeout=10000,
                          check_params_cb=lambda post_id: post_id == SHORT.id):
        reading_pane.show_post(SHORT)
    with qtbot.waitSignal(reading_pane.typeset_finished, timeout=60000) as blocker:
        reading_pane.hold_background(False)
    assert blocker.args[0]["id"] == SHORT.id


def test_a_term_inside_a_formula_marks_the_formula(reading_pane, qtbot) -> None:
    post = make_post("公式", ["先看文字 log 的用法。", "$$\\log N + \\Log n$$",
                            "再看$\\log N$和$x$,又是 log。"])
    counts: list[tuple[int, int]] = []
    reading_pane.matches_changed.connect(lambda i, n: counts.append((i, n)))
    reading_pane.show_and_wait(post, terms=["\\LOG n"])  # folded as the index folds
    assert counts[-1] == (-1, 2)  # the display formula and the first inline one
    marked = "[...document.querySelectorAll('.kx-hit-math')]"
    assert reading_pane.eval_js(f"{marked}.map(e => e.tagName)") == ["DIV", "SPAN"]
    assert reading_pane.eval_js(f"{marked}.every(e => e.querySelector('mjx-container'))")
    reading_pane.set_terms(["log"])  # in the text twice and in both formulas
    qtbot.waitUntil(lambda: counts[-1] == (-1, 4), timeout=5000)
    visited = []
    for step in range(4):
        reading_pane.next_match()
        qtbot.waitUntil(lambda step=step: counts[-1] == (step, 4), timeout=5000)
        visited.append(reading_pane.eval_js("document.querySelector('.kx-current').tagName"))
    assert visited == ["MARK", "DIV", "SPAN", "MARK"]  # in the page's order
    reading_pane.set_terms([])
    qtbot.waitUntil(lambda: counts[-1] == (-1, 0), timeout=5000)
    count = "document.querySelectorAll('{}').length"
    assert reading_pane.eval_js(count.format(".kx-hit-math, .kx-current")) == 0
    assert reading_pane.eval_js(count.format(".arithmatex mjx-container")) == 3
