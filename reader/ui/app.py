"""The GUI entry point: parses the command line, creates the application and the main window."""

from __future__ import annotations

import argparse
import importlib.resources
import os
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

APP_NAME = "kexue-reader"


def sample_path() -> Path:
    """The bundled sample dump (a saved front page of kexue.fm)."""
    folder = importlib.resources.files("reader.resources") / "sample"
    resource = folder / "kexue-homepage-sample.txt"
    return Path(str(resource))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        description="Read an offline copy of 科学空间 (kexue.fm): dump files, Markdown files or "
                    "folders of them. Without a path, the last library is reopened.")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="dump file (.txt), Markdown file (.md) or folder to open")
    parser.add_argument("--sample", action="store_true", help="open the bundled sample")
    parser.add_argument("--theme", choices=("light", "dark", "auto"),
                        help="colour theme (default: the saved choice, else follow the system)")
    parser.add_argument("--no-index-cache", action="store_true",
                        help="build the search index every time: neither read nor write the "
                             "indexes kept in the user cache folder")
    parser.add_argument("--self-test", action="store_true",
                        help="open the window, exercise it, print one JSON line and exit")
    return parser


def index_cache_dir(args: argparse.Namespace) -> Path | None:
    """Where built search indexes are kept and looked for; None with --no-index-cache."""
    from reader.ui.state import default_cache_dir

    return None if args.no_index_cache else default_cache_dir()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the application; returns the process exit code."""
    started_at = time.perf_counter()
    args = build_parser().parse_args(argv)
    if args.self_test:
        from reader.ui import selftest  # offscreen/no-sandbox/temporary home: before QApplication

        selftest.prepare_environment()

    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from reader.ui.scheme import register_scheme

    register_scheme()  # must happen before the QApplication exists
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("kexue-reader")
    app.setDesktopFileName(APP_NAME)

    from reader.ui.mainwindow import MainWindow
    from reader.ui.state import AppState
    from reader.ui.theme import UI_FONT_FAMILIES, ThemeManager

    font = QFont(app.font())
    font.setFamilies(UI_FONT_FAMILIES)
    app.setFont(font)
    state = AppState(cache_dir=index_cache_dir(args))
    theme = ThemeManager(app, args.theme or state.get("theme") or "auto")
    window = MainWindow(state, theme)
    _report_uncaught_exceptions(window)
    _close_on_terminate(window)
    window.show()
    _open_initial_library(window, state, args)

    if args.self_test:
        from reader.ui import selftest

        code = int(selftest.run(app, window, started_at))
    else:
        code = int(app.exec())
    _tear_down(app, window, code)
    return code


def _open_initial_library(window: object, state: object, args: argparse.Namespace) -> None:
    from reader.ui.mainwindow import MainWindow
    from reader.ui.state import AppState

    assert isinstance(window, MainWindow) and isinstance(state, AppState)
    if args.paths:
        window.open_paths(args.paths)
        return
    if not args.sample:
        last = state.get("last_library")
        if isinstance(last, list) and last and all(
                isinstance(p, str) and os.path.exists(p) for p in last):
            window.open_paths(last)
            return
    window.open_paths([str(sample_path())])
    if not state.get("welcomed"):
        window.show_welcome()
        state.set("welcomed", True)


def _close_on_terminate(window: object) -> None:
    """Ctrl+C in the terminal and SIGTERM close the window the normal way (state saved)."""
    from PySide6.QtCore import QTimer

    def close(_signum: int, _frame: object) -> None:
        window.close()  # type: ignore[attr-defined]

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, close)
    # Python runs signal handlers only when it gets control; a light timer gives it some.
    wake = QTimer(window)  # type: ignore[arg-type]
    wake.timeout.connect(lambda: None)
    wake.start(200)


def _report_uncaught_exceptions(window: object) -> None:
    """A bug in a slot is shown in the diagnostics panel (and printed), not lost."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, tb: object) -> None:
        previous(kind, error, tb)  # type: ignore[arg-type]
        try:
            message = "".join(traceback.format_exception_only(kind, error)).strip()
            # A signal, so that an error on a worker thread is shown by the GUI thread.
            window.error_reported.emit(f"Internal error: {message}")  # type: ignore[attr-defined]
        except Exception:  # the window may be gone already
            pass

    sys.excepthook = hook


def _tear_down(app: object, window: object, code: int) -> None:
    """Delete the window (and its web view) before the application, so that QtWebEngine shuts
    down in order and the process exits at once."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.loader.stop()  # type: ignore[attr-defined]
    if window.loader.busy:  # type: ignore[attr-defined]
        # Indexing cannot be interrupted and a running QThread may not be destroyed: the state
        # is saved already (closeEvent), so leave at once rather than make the user wait.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    window.deleteLater()  # type: ignore[attr-defined]
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
