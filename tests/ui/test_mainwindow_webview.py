"""The key table works while the reading pane (QWebEngineView) has keyboard focus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

NONE = Qt.KeyboardModifier.NoModifier
KEYS = [
    (Qt.Key.Key_Down, NONE, "next_post"), (Qt.Key.Key_Up, NONE, "previous_post"),
    (Qt.Key.Key_Home, NONE, "first_post"), (Qt.Key.Key_End, NONE, "last_post"),
    (Qt.Key.Key_Space, NONE, "page_down"), (Qt.Key.Key_PageDown, NONE, "page_down"),
    (Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier, "page_up"),
    (Qt.Key.Key_N, NONE, "next_match"), (Qt.Key.Key_M, NONE, "toggle_read"),
    (Qt.Key.Key_Question, NONE, "help"),
    (Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier, "zoom_in"),
    (Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier, "back"),
]


@pytest.fixture
def focused_pane(qtbot, make_window, sample):
    window = make_window([sample])
    with qtbot.waitSignal(window.reading_pane.post_shown, timeout=30000):
        window.select_post(window.model.post_at(2).id)
    target = window.reading_pane.focusProxy()
    assert target is not None and target is not window.reading_pane  # Chromium's widget
    target.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target)
    return window, target


@pytest.mark.parametrize(("key", "modifiers", "command"), KEYS)
def test_key_reaches_its_command_from_the_web_view(qtbot, focused_pane, key, modifiers,
                                                   command) -> None:
    window, target = focused_pane
    fired = []
    window.actions_by_command[command].triggered.connect(lambda *_: fired.append(command))
    qtbot.keyClick(target, key, modifiers)
    assert fired == [command]


def test_filter_refuses_the_override_only_for_table_keys(focused_pane) -> None:
    window, target = focused_pane
    space = QKeyEvent(QEvent.Type.ShortcutOverride, Qt.Key.Key_Space, NONE, " ")
    space.accept()  # as if Chromium wanted it for scrolling
    assert window._key_filter.eventFilter(target, space) is True
    assert not space.isAccepted()
    copy = QKeyEvent(QEvent.Type.ShortcutOverride, Qt.Key.Key_C,
                     Qt.KeyboardModifier.ControlModifier, "c")
    assert window._key_filter.eventFilter(target, copy) is False  # copying text stays the page's
