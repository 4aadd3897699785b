"""The reading pane: a QWebEngineView showing one post with MathJax, locked down and link-safe."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QApplication, QWidget

from reader.core.model import Post
from reader.core.render import render_meta_text, render_post_html
from reader.ui.scheme import SCHEME, SHELL_URL, AppSchemeHandler

log = logging.getLogger(__name__)

LIGHT_BACKGROUND = QColor("#fcfcfa")
DARK_BACKGROUND = QColor("#1d1f21")
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})


class RequestGuard(QWebEngineUrlRequestInterceptor):
    """Lets the page load only kexue:// URLs; every other request is blocked and remembered."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.blocked: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        if url.scheme().encode() != SCHEME:
            self.blocked.append(url.toString())
            log.info("blocked a request from the reading pane: %s", url.toString())
            info.block(True)


class PaneProfile(QWebEngineProfile):
    """An off-the-record profile that serves kexue:// and lets nothing else be loaded."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)  # no storage name: off the record, nothing written to disk
        self.scheme_handler = AppSchemeHandler(self)
        self.request_guard = RequestGuard(self)
        self.installUrlSchemeHandler(SCHEME, self.scheme_handler)
        self.setUrlRequestInterceptor(self.request_guard)


def shared_profile() -> PaneProfile:
    """The pane's off-the-record profile, one per application: scheme handler + request guard.

    It is parented to the QApplication, so it outlives every page that uses it.
    """
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("create the QApplication before a ReadingPane")
    profile = app.findChild(QWebEngineProfile, "kexue-pane-profile")
    if isinstance(profile, PaneProfile):
        return profile
    profile = PaneProfile(app)
    profile.setObjectName("kexue-pane-profile")
    profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
    profile.setPersistentCookiesPolicy(QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies)
    settings = profile.settings()
    attribute = QWebEngineSettings.WebAttribute
    for name, value in {
        "JavascriptEnabled": True,  # MathJax and the pane's own script; CSP keeps the post's out
        "JavascriptCanOpenWindows": False,
        "JavascriptCanAccessClipboard": False,
        "LocalContentCanAccessRemoteUrls": False,
        "LocalContentCanAccessFileUrls": False,
        "LocalStorageEnabled": False,
        "PluginsEnabled": False,
        "PdfViewerEnabled": False,
        "AutoLoadIconsForPage": False,
        "DnsPrefetchEnabled": False,
        "ErrorPageEnabled": False,
        "NavigateOnDropEnabled": False,
        "HyperlinkAuditingEnabled": False,
        "WebGLEnabled": False,
        "ScrollAnimatorEnabled": False,
    }.items():
        if hasattr(attribute, name):
            settings.setAttribute(getattr(attribute, name), value)
    return profile


class PanePage(QWebEnginePage):
    """Keeps the pane on its shell: link clicks go to the system browser, other navigation dies."""

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None,
                 open_external: Callable[[QUrl], object]) -> None:
        super().__init__(profile, parent)
        self._open_external = open_external
        self.console_messages: list[tuple[str, str, int, str]] = []
        """(level, message, line, source) of every JavaScript console message."""
        self.refused: list[str] = []

    def acceptNavigationRequest(
        self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        url = QUrl(url)
        is_shell = (url.scheme() == SHELL_URL.scheme() and url.host() == SHELL_URL.host()
                    and url.path() == SHELL_URL.path())
        if is_shell and nav_type != QWebEnginePage.NavigationType.NavigationTypeLinkClicked:
            return True  # loading (or reloading) the shell itself
        self.refused.append(url.toString())
        if (nav_type == QWebEnginePage.NavigationType.NavigationTypeLinkClicked
                and url.scheme() in EXTERNAL_SCHEMES):
            self._open_external(url)
        return False

    def javaScriptConsoleMessage(
        self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str, line: int,
        source: str,
    ) -> None:
        name = level.name.removesuffix("MessageLevel").lower()
        self.console_messages.append((name, message, line, source))
        log.log(logging.WARNING if name == "error" else logging.DEBUG,
                "pane console %s: %s (%s:%d)", name, message, source, line)


class _Bridge(QObject):
    """The object pane.js calls through the web channel."""

    def __init__(self, pane: ReadingPane) -> None:
        super().__init__(pane)
        self._pane = pane

    @Slot()
    def ready(self) -> None:
        self._pane._on_ready()

    @Slot(str)
    def postShown(self, post_id: str) -> None:
        self._pane.post_shown.emit(post_id)

    @Slot(str)
    def typesetFinished(self, payload: str) -> None:
        result = json.loads(payload)
        self._pane.last_result = result
        self._pane.typeset_finished.emit(result)

    @Slot(str, float)
    def scrollChanged(self, post_id: str, fraction: float) -> None:
        self._pane.scroll_changed.emit(post_id, fraction)

    @Slot()
    def endReached(self) -> None:
        self._pane.end_reached.emit()

    @Slot(int, int)
    def matchesChanged(self, current: int, total: int) -> None:
        self._pane.matches_changed.emit(current, total)


def post_key(post: Post, html: str) -> str:
    """Identifies a post's rendered content: a reloaded post with other text gets a new key."""
    return post.id + ":" + hashlib.blake2s(html.encode("utf-8"), digest_size=6).hexdigest()


class ReadingPane(QWebEngineView):
    """Shows posts with MathJax in a page shell loaded once; see docs/reading-pane.md."""

    shell_ready = Signal()
    """The shell and MathJax are loaded (show_post may be called before; it is queued)."""
    post_shown = Signal(str)
    """Post id, when its first screen is typeset."""
    typeset_finished = Signal(dict)
    """{"id", "formulas": [TeX, ...], "errors": [{"tex", "message"}], "ms", "first_ms", "text"}"""
    scroll_changed = Signal(str, float)
    """Post id and scroll fraction 0..1, a little after the reader scrolls."""
    end_reached = Signal()
    """page_down() was called while already at the bottom."""
    matches_changed = Signal(int, int)
    """Index of the current search match (-1 if none chosen) and the number of matches."""

    def __init__(self, parent: QWidget | None = None, *, dark: bool = False,
                 open_external: Callable[[QUrl], object] | None = None) -> None:
        super().__init__(parent)
        self._ready = False
        self._pending: list[str] = []
        self._dark = dark
        self.last_result: dict | None = None
        self.profile = shared_profile()
        self._page = PanePage(self.profile, self, open_external or QDesktopServices.openUrl)
        self._page.setBackgroundColor(DARK_BACKGROUND if dark else LIGHT_BACKGROUND)
        self._channel = QWebChannel(self._page)
        self._bridge = _Bridge(self)
        self._channel.registerObject("bridge", self._bridge)
        self._page.setWebChannel(self._channel)
        self.setPage(self._page)
        self.setContextMenuPolicy(self.contextMenuPolicy().NoContextMenu)
        self._page.load(SHELL_URL)

    # -- public API (docs/reading-pane.md; interfaces.md) ----------------------------------------

    @property
    def is_ready(self) -> bool:
        return self._ready

    @property
    def console_messages(self) -> list[tuple[str, str, int, str]]:
        return self._page.console_messages

    @property
    def blocked_requests(self) -> list[str]:
        return self.profile.request_guard.blocked

    @property
    def refused_navigations(self) -> list[str]:
        return self._page.refused

    def show_post(self, post: Post, *, terms: Sequence[str] = (), scroll: float = 0.0) -> None:
        html = render_post_html(post)
        payload = {
            "id": post.id,
            "key": post_key(post, html),
            "title": post.title,
            "meta": render_meta_text(post),
            "html": html,
            "terms": list(terms),
            "scroll": min(max(float(scroll), 0.0), 1.0),
        }
        self._call("show", payload)

    def clear(self) -> None:
        """Show nothing (no post selected)."""
        self._call("clear")

    def setHtml(self, html: str, baseUrl: QUrl | str | None = None) -> None:
        """The pane only ever shows its shell: setHtml("") clears it, other HTML is refused."""
        if html:
            raise ValueError("the reading pane shows posts with show_post(), not setHtml()")
        self.clear()

    def hold_background(self, held: bool) -> None:
        """Hold (or let go on with) the pane's eager background work: typesetting a post's
        formulas below its first screen, loading the font data. The main window holds it while a
        library is indexed, which then gets the CPU; formulas scrolled to are still typeset."""
        self._call("holdBackground", bool(held))

    def set_terms(self, terms: Sequence[str]) -> None:
        self._call("setTerms", list(terms))

    def next_match(self) -> None:
        self._call("nextMatch")

    def previous_match(self) -> None:
        self._call("previousMatch")

    def page_down(self) -> None:
        self._call("pageDown")

    def page_up(self) -> None:
        self._call("pageUp")

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        self._page.setBackgroundColor(DARK_BACKGROUND if dark else LIGHT_BACKGROUND)
        self._call("setDark", bool(dark))

    def set_zoom(self, factor: float) -> None:
        self.setZoomFactor(min(max(factor, 0.25), 5.0))

    def run_js(self, script: str, callback: Callable[[object], None] | None = None) -> None:
        """Run JavaScript in the shell (tests, check-render); the callback gets its result."""
        if callback is None:
            self._page.runJavaScript(script, 0)
        else:
            self._page.runJavaScript(script, 0, callback)

    # -- internals -------------------------------------------------------------------------------

    def _call(self, function: str, *args: object) -> None:
        script = f"window.kexue.{function}({', '.join(json.dumps(a) for a in args)})"
        if self._ready:
            self._page.runJavaScript(script, 0)
        elif function == "show":
            # Only the latest post matters; terms/theme calls before it are replayed in order.
            self._pending = [s for s in self._pending if not s.startswith("window.kexue.show(")]
            self._pending.append(script)
        else:
            self._pending.append(script)

    def _on_ready(self) -> None:
        if self._ready:
            return
        self._ready = True
        self._page.runJavaScript(f"window.kexue.setDark({json.dumps(self._dark)})", 0)
        for script in self._pending:
            self._page.runJavaScript(script, 0)
        self._pending.clear()
        self.shell_ready.emit()
