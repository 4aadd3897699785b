"""Fixtures for driving the main window offscreen with its state in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import shiboken6

from reader.ui.app import sample_path


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
    tmp_path/home, so a second call with the same tmp_path is a restart."""
    from reader.ui.mainwindow import MainWindow
    from reader.ui.state import AppState

    def make(paths: Sequence[str] | None = None, home: Path | None = None) -> MainWindow:
        home = home or tmp_path / "home"
        state = AppState(home / "config", home / "data")
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
