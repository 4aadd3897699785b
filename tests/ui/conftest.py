"""Fixtures for driving the main window offscreen with its state in a temporary folder."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import shiboken6

from reader.ui.app import sample_path


def pytest_configure(config: pytest.Config) -> None:
    # The kexue:// scheme must be declared before pytest-qt creates the QApplication.
    from reader.ui.scheme import register_scheme

    register_scheme()


@pytest.fixture
def sample() -> str:
    return str(sample_path())


def delete_now(widget: object) -> None:
    """Close and delete a widget, and with it its web pages, before the next test: QtWebEngine
    crashes at exit when a page outlives its profile."""
    from PySide6.QtCore import QCoreApplication, QEvent

    widget.close()  # type: ignore[attr-defined]
    widget.deleteLater()  # type: ignore[attr-defined]
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def make_window(qtbot, tmp_path: Path) -> Iterator[Callable[..., object]]:
    """make_window(paths) -> a shown MainWindow whose library is loaded; state lives in
    tmp_path/home, so a second call with the same tmp_path is a restart. With cache=True built
    indexes are kept in tmp_path/home/cache (else nowhere, so that every test builds)."""
    from reader.ui.mainwindow import MainWindow
    from reader.ui.state import AppState

    def make(paths: Sequence[str] | None = None, home: Path | None = None,
             cache: bool = False) -> MainWindow:
        home = home or tmp_path / "home"
        state = AppState(home / "config", home / "data",
                         cache_dir=home / "cache" if cache else None)
        window = MainWindow(state)
        windows.append(window)
        window.show()
        qtbot.waitExposed(window)
        if paths:
            with qtbot.waitSignal(window.library_loaded, timeout=30000):
                window.open_paths(list(paths))
        return window

    windows: list[MainWindow] = []
    yield make
    for window in windows:
        if shiboken6.isValid(window):
            delete_now(window)


@pytest.fixture
def reading_pane(qtbot) -> Iterator[object]:
    """A shown ReadingPane whose shell is loaded, with test helpers attached:
    `pane.eval_js(script)` returns a JavaScript expression's value, `pane.show_and_wait(post)`
    shows a post and returns typeset_finished's dict, and links the pane would open in the
    system browser are collected in `pane.opened_externally`. A JavaScript console error fails
    the test."""
    from reader.ui.readingpane import ReadingPane

    opened: list[object] = []
    pane = ReadingPane(open_external=opened.append)

    def eval_js(expression: str) -> object:
        with qtbot.waitCallback(timeout=20000) as callback:
            pane.run_js(f"JSON.stringify(({expression}))", callback)
        value = callback.args[0]
        return json.loads(value) if value else None

    def show_and_wait(post: object, **kwargs: object) -> dict:
        with qtbot.waitSignal(pane.typeset_finished, timeout=60000) as blocker:
            pane.show_post(post, **kwargs)  # type: ignore[arg-type]
        return blocker.args[0]

    pane.opened_externally = opened  # type: ignore[attr-defined]
    pane.eval_js = eval_js  # type: ignore[attr-defined]
    pane.show_and_wait = show_and_wait  # type: ignore[attr-defined]
    pane.resize(900, 700)
    pane.show()
    qtbot.waitUntil(lambda: pane.is_ready, timeout=30000)
    yield pane
    errors = [m for m in pane.console_messages if m[0] == "error"]
    delete_now(pane)
    assert not errors, f"JavaScript console errors: {errors}"
