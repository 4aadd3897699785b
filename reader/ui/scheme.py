"""The kexue:// URL scheme: serves the pane's page shell and MathJax from the package, read-only."""

from __future__ import annotations

import mimetypes
from importlib import resources
from importlib.resources.abc import Traversable

from PySide6.QtCore import QBuffer, QByteArray, QFile, QIODevice, QObject, QUrl
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

SCHEME = b"kexue"
HOST = "app"
SHELL_URL = QUrl("kexue://app/shell.html")

# The policy the shell runs under, sent both as an HTTP header and in shell.html (belt and braces):
# only this scheme may provide scripts, styles, fonts and images; no frames, forms, plugins or
# connections anywhere. 'unsafe-inline' styles are needed by MathJax's CHTML output, which writes
# style attributes; the post HTML itself carries none (render.py strips them).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self'; img-src 'self'; connect-src 'none'; media-src 'none'; object-src 'none'; "
    "frame-src 'none'; child-src 'none'; worker-src 'none'; form-action 'none'; base-uri 'none'"
)

# URL path prefix → folder of reader.resources served under it.
_FOLDERS = {"shell": "shell", "mathjax": "mathjax"}
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".woff2": "font/woff2",
    ".json": "application/json",
}


def register_scheme() -> None:
    """Declare kexue:// to QtWebEngine. Must run before the QApplication exists; safe to repeat."""
    if QWebEngineUrlScheme.schemeByName(QByteArray(SCHEME)).name() == QByteArray(SCHEME):
        return
    scheme = QWebEngineUrlScheme(QByteArray(SCHEME))
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    # Secure: a secure context, like https. CorsEnabled: MathJax's fonts are fetched with CORS.
    # Deliberately neither LocalScheme (a LocalScheme page may only load from it when it also has
    # LocalAccessAllowed) nor LocalAccessAllowed (which would let the page read file:// URLs):
    # kexue:// behaves like one remote https origin that can reach nothing else.
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.CorsEnabled
    )
    QWebEngineUrlScheme.registerScheme(scheme)


def _qt_resource(path: str) -> bytes | None:
    qfile = QFile(path)
    if not qfile.open(QIODevice.OpenModeFlag.ReadOnly):
        return None
    try:
        return bytes(qfile.readAll().data())
    finally:
        qfile.close()


def resolve(path: str) -> tuple[bytes, str] | None:
    """The bytes and MIME type served for a URL path like '/mathjax/startup.js', or None."""
    parts = [p for p in path.split("/") if p]
    if not parts or any(p in (".", "..") or "\\" in p for p in parts):
        return None
    if parts == ["shell.html"]:
        parts = ["shell", "shell.html"]
    if parts == ["qwebchannel.js"]:
        data = _qt_resource(":/qtwebchannel/qwebchannel.js")
        return (data, "text/javascript") if data is not None else None
    folder = _FOLDERS.get(parts[0])
    if folder is None or len(parts) < 2:
        return None
    node: Traversable = resources.files("reader.resources").joinpath(folder, *parts[1:])
    if not node.is_file():
        return None
    suffix = "." + parts[-1].rsplit(".", 1)[-1] if "." in parts[-1] else ""
    mime = _TYPES.get(suffix) or mimetypes.guess_type(parts[-1])[0] or "application/octet-stream"
    return node.read_bytes(), mime


class AppSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers kexue://app/... from the package; everything else fails with 'not found'."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache: dict[str, tuple[bytes, str] | None] = {}
        self.served: list[str] = []
        """Paths served, in order (tests and diagnostics read it)."""

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        url = job.requestUrl()
        if url.host() != HOST:
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        if bytes(job.requestMethod().data()) != b"GET":
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        path = url.path()
        if path not in self._cache:
            self._cache[path] = resolve(path)
        found = self._cache[path]
        if found is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        data, mime = found
        self.served.append(path)
        if mime == "text/html":
            job.setAdditionalResponseHeaders(
                {QByteArray(b"Content-Security-Policy"): [QByteArray(
                    CONTENT_SECURITY_POLICY.encode())]}
            )
        buffer = QBuffer(job)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(QByteArray(mime.encode()), buffer)
