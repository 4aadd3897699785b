"""What the window opens at start: first run, the last library, paths given; drag and drop."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from reader.ui.app import _open_initial_library, build_parser, index_cache_dir
from reader.ui.state import default_cache_dir


def start(qtbot, window, argv: list[str]) -> None:
    args: argparse.Namespace = build_parser().parse_args(argv)
    with qtbot.waitSignal(window.library_loaded, timeout=30000):
        _open_initial_library(window, window.state, args)


def test_the_index_cache_is_on_unless_switched_off() -> None:
    assert index_cache_dir(build_parser().parse_args([])) == default_cache_dir()
    assert index_cache_dir(build_parser().parse_args(["--no-index-cache", "x.txt"])) is None


def test_first_run_opens_the_sample_with_a_welcome_note(qtbot, make_window) -> None:
    window = make_window()
    start(qtbot, window, [])
    assert len(window.posts) == 7
    assert window.welcome.isVisible()
    assert window.state.get("welcomed") is True


def test_later_runs_reopen_the_last_library_without_the_note(
        qtbot, make_window, sample, tmp_path: Path) -> None:
    copy = tmp_path / "mine.txt"
    shutil.copy(sample, copy)
    first = make_window([str(copy)])
    first.close()
    window = make_window()
    window.state.set("welcomed", True)
    start(qtbot, window, [])
    assert window.library.paths == [str(copy)]
    assert not window.welcome.isVisible()


def test_sample_flag_wins_over_the_last_library(qtbot, make_window, sample, tmp_path) -> None:
    copy = tmp_path / "mine.txt"
    shutil.copy(sample, copy)
    make_window([str(copy)]).close()
    window = make_window()
    start(qtbot, window, ["--sample"])
    assert Path(window.library.paths[0]).name == "kexue-homepage-sample.txt"


def test_recent_libraries_menu_lists_what_was_opened(make_window, sample) -> None:
    window = make_window([sample])
    window._fill_recent_menu()
    labels = [a.text() for a in window.recent_menu.actions()]
    assert labels == ["kexue-homepage-sample.txt"]


def test_dropping_files_opens_them(qtbot, make_window, sample) -> None:
    window = make_window()
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(sample)])
    event = QDropEvent(QPoint(10, 10).toPointF(), Qt.DropAction.CopyAction, data,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.library_loaded, timeout=30000):
        window.dropEvent(event)
    assert len(window.posts) == 7
