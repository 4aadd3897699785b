"""Gives the key table's keys back to the window's actions while the web view has focus."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QWidget

from reader.core.keymap import KEYMAP, Binding, keys_of, to_qt_key

_MODIFIER_MASK = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                  | Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.MetaModifier)


def claimed_keys(keymap: Iterable[Binding] = KEYMAP) -> set[tuple[Qt.Key, Qt.KeyboardModifier]]:
    """First key presses of every window/browse binding, as (key, modifiers)."""
    claimed = set()
    for binding in keymap:
        for key in keys_of(binding.command, [binding]):
            sequence = QKeySequence(to_qt_key(key))
            if sequence.count():
                first = sequence[0]
                claimed.add((first.key(), first.keyboardModifiers() & _MODIFIER_MASK))
    return claimed


class WebViewKeyFilter(QObject):
    """Chromium's render widget (the web view's focus proxy, created lazily) accepts the
    ShortcutOverride of keys it scrolls with (Space, Home, End, arrows), which would stop the
    window's shortcuts. Watching the view and each child it gets, this filter refuses the
    override for every key of the key table, so those keys run our commands instead."""

    def __init__(self, view: QWidget) -> None:
        super().__init__(view)
        self._view = view
        self._claimed = claimed_keys()
        view.installEventFilter(self)
        self._watch_children()

    def _watch_children(self) -> None:
        for child in self._view.findChildren(QWidget):
            child.removeEventFilter(self)  # never installed twice
            child.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ChildAdded and watched is self._view:
            QTimer.singleShot(0, self._watch_children)
        elif kind == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            modifiers = event.modifiers() & _MODIFIER_MASK
            loose = modifiers & ~Qt.KeyboardModifier.ShiftModifier  # '?' and '*' come shifted
            if (event.key(), modifiers) in self._claimed or (event.key(), loose) in self._claimed:
                event.ignore()
                return True
        return False
