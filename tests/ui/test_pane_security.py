"""Hostile posts cannot run script, load anything or navigate the pane: a loopback HTTP server
stands in for the network and must receive no request."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QUrl
from PySide6.QtWebEngineCore import QWebEnginePage

from reader.core.model import Post, post_id


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"window.__pwned = true;")

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """(base URL, list of paths requested) of a loopback server on an ephemeral port."""
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()


def hostile_markdown(base: str) -> str:
    """A Markdown file's body (as a user might download one) trying every way out."""
    return "\n\n".join([
        "# 标题",
        f"<script>window.__pwned = true; fetch('{base}/script')</script>",
        f"<script src=\"{base}/script-src.js\"></script>",
        f"<img src=\"{base}/img\" onerror=\"fetch('{base}/onerror')\">",
        f"<p onmouseover=\"fetch('{base}/onmouseover')\">悬停</p>",
        f"[脚本链接](javascript:fetch('{base}/javascript-link'))",
        f"<a href=\"javascript:fetch('{base}/javascript-a')\">a</a>",
        f"<iframe src=\"{base}/iframe\"></iframe>",
        f"<meta http-equiv=\"refresh\" content=\"0;url={base}/refresh\">",
        f"<link rel=\"stylesheet\" href=\"{base}/link.css\">",
        f"<style>body {{ background: url({base}/style-url) }}</style>",
        f"<div style=\"background-image: url({base}/inline-style)\">样式</div>",
        f"<table><tr><td style=\"background: url({base}/td-style)\">格</td></tr></table>",
        f"![图]({base}/markdown-image.png)",
        f"<form action=\"{base}/form\" method=\"post\"><input name=q value=1>"
        "<button>go</button></form>",
        f"<object data=\"{base}/object\"></object><embed src=\"{base}/embed\">",
        f"<video src=\"{base}/video\" autoplay></video><audio src=\"{base}/audio\"></audio>",
        f"<svg><image href=\"{base}/svg-image\"/></svg>",
        f"<base href=\"{base}/base/\">",
        f"公式链接$\\href{{{base}/mathjax-href}}{{x}}$",
        f"公式脚本$\\href{{javascript:fetch('{base}/mathjax-js')}}{{y}}$",
        f"公式样式$\\style{{background-image: url({base}/mathjax-style)}}{{z}}$",
        "公式类$\\class{kx-title}{a}$和$\\cssId{pane}{b}$和$\\unicode{x263A}$",
    ])


def make_post(markdown: str) -> Post:
    date = dt.date(2021, 1, 1)
    return Post(id=post_id("hostile", date), title="<img src=x onerror=alert(1)>", author="a",
                date=date, readers=None, body_markdown=markdown, paragraphs=(), source="<test>",
                line=1)


def settle(qtbot, ms: int = 600) -> None:
    """Give any request the page might still make time to reach the server."""
    qtbot.wait(ms)


def csp_messages(pane) -> list[tuple[str, str, int, str]]:
    """Content-Security-Policy refusals are logged as console errors: take them out (so the
    fixture does not fail the test for them) and return them."""
    refusals = [m for m in pane.console_messages if "Content Security Policy" in m[1]]
    pane.console_messages[:] = [m for m in pane.console_messages if m not in refusals]
    return refusals


def test_hostile_post_runs_no_script_and_loads_nothing(reading_pane, server, qtbot) -> None:
    base, requests = server
    result = reading_pane.show_and_wait(make_post(hostile_markdown(base)))
    settle(qtbot)
    assert requests == []
    assert reading_pane.eval_js("window.__pwned === undefined") is True
    counts = reading_pane.eval_js(
        "['script', 'style', 'img', 'iframe', 'meta', 'link', 'form', 'input', 'button', 'object',"
        " 'embed', 'video', 'audio', 'svg', 'base', '[onerror]', '[onmouseover]',"
        " '[style*=\"url\"]', 'a[href^=\"javascript\"]']"
        ".map(s => [s, document.querySelectorAll('#pane ' + s).length]).filter(p => p[1])")
    assert counts == []
    assert result["errors"] == []
    # \class and \cssId were made safe: no element got the pane's own id or class.
    assert reading_pane.eval_js("document.querySelectorAll('#pane, .kx-title').length") == 2
    csp_messages(reading_pane)


def test_links_open_in_system_browser_not_in_pane(reading_pane, server, qtbot) -> None:
    base, requests = server
    markdown = f"[外部链接]({base}/clicked)\n\n公式链接$\\href{{{base}/math-clicked}}{{x}}$"
    reading_pane.show_and_wait(make_post(markdown))
    reading_pane.eval_js("document.querySelector('.kx-body p a').click()")
    qtbot.waitUntil(lambda: len(reading_pane.opened_externally) == 1, timeout=10000)
    reading_pane.eval_js("document.querySelector('mjx-container a').click()")
    qtbot.waitUntil(lambda: len(reading_pane.opened_externally) == 2, timeout=10000)
    settle(qtbot)
    assert [u.toString() for u in reading_pane.opened_externally] == [
        f"{base}/clicked", f"{base}/math-clicked"]
    assert requests == []
    assert reading_pane.url().toString() == "kexue://app/shell.html"


def test_navigation_other_than_link_clicks_is_refused(reading_pane, server, qtbot) -> None:
    base, requests = server
    reading_pane.show_and_wait(make_post("正文"))
    reading_pane.page().load(QUrl(f"{base}/loaded"))
    settle(qtbot)
    assert reading_pane.opened_externally == []
    # Chromium reports a scripted navigation as a link click, so it would go to the browser;
    # only the pane's own script runs, and it navigates nowhere.
    reading_pane.eval_js(f"(location.href = '{base}/scripted', 1)")
    settle(qtbot)
    assert requests == []
    assert f"{base}/loaded" in reading_pane.refused_navigations
    assert f"{base}/scripted" in reading_pane.refused_navigations
    assert reading_pane.eval_js("document.querySelector('.kx-body').textContent") == "正文"


def test_csp_blocks_what_a_sanitiser_bug_would_let_through(reading_pane, server, qtbot) -> None:
    base, requests = server
    reading_pane.show_and_wait(make_post("正文"))
    reading_pane.eval_js(
        "document.body.insertAdjacentHTML('beforeend',"
        f" '<img src=\"{base}/direct-img\"><iframe src=\"{base}/direct-frame\"></iframe>'"
        f" + '<link rel=stylesheet href=\"{base}/direct.css\">'), 1")
    reading_pane.eval_js(f"(fetch('{base}/direct-fetch').catch(() => 0), 1)")
    reading_pane.eval_js(
        f"(document.head.append(Object.assign(document.createElement('script'),"
        f" {{src: '{base}/direct.js'}})), 1)")
    settle(qtbot)
    assert requests == []
    assert csp_messages(reading_pane)


def test_request_guard_blocks_everything_but_the_app_scheme(reading_pane, server, qtbot) -> None:
    base, requests = server
    # A bare page on the pane's profile: no CSP and no link policy, only the interceptor.
    page = QWebEnginePage(reading_pane.profile)
    try:
        page.load(QUrl(f"{base}/intercepted"))
        settle(qtbot, 1000)
        page.load(QUrl("file:///etc/hostname"))
        settle(qtbot, 500)
    finally:
        page.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert requests == []
    assert f"{base}/intercepted" in reading_pane.blocked_requests
    assert "file:///etc/hostname" in reading_pane.blocked_requests
