"""The search bar: search as you type, Enter / Esc, and a history walked with ↑ / ↓."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

MAX_HISTORY = 50

_COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                      | Qt.KeyboardModifier.MetaModifier)


class SearchBar(QLineEdit):
    """Emits `query_changed` once per burst of typing (coalesced with a zero-delay timer, so
    typing never waits for a search), `accepted` on Enter and `cleared` on Esc."""

    query_changed = Signal(str)
    accepted = Signal()
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Search  (/ or Ctrl+F)   e.g.  注意力 softmax  \"变分自编码器\"")
        self.setClearButtonEnabled(True)
        self._history: list[str] = []
        self._history_position: int | None = None
        self._draft = ""
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(0)
        self._coalesce.timeout.connect(lambda: self.query_changed.emit(self.text()))
        self.textEdited.connect(self._edited)

    # -- history --------------------------------------------------------------------------
    @property
    def history(self) -> list[str]:
        return list(self._history)

    def set_history(self, history: Sequence[str]) -> None:
        self._history = [h for h in history if isinstance(h, str) and h.strip()][-MAX_HISTORY:]
        self._history_position = None

    def remember(self) -> None:
        """Put the current query at the end of the history."""
        text = self.text().strip()
        if text:
            kept = [h for h in self._history if h != text][-(MAX_HISTORY - 1):]
            self._history = [*kept, text]
        self._history_position = None

    def _walk_history(self, step: int) -> None:
        if not self._history:
            return
        if self._history_position is None:
            if step > 0:
                return
            self._draft = self.text()
            position = len(self._history) - 1
        else:
            position = self._history_position + step
        if position < 0:
            return
        if position >= len(self._history):
            self._history_position = None
            self._set_text(self._draft)
            return
        self._history_position = position
        self._set_text(self._history[position])

    def _set_text(self, text: str) -> None:
        self.setText(text)
        self._coalesce.start()

    # -- typing ---------------------------------------------------------------------------
    def set_query(self, text: str) -> None:
        """Set the text as if typed."""
        self._history_position = None
        self._set_text(text)

    def _edited(self, _text: str) -> None:
        self._history_position = None
        self._coalesce.start()

    def set_delay(self, milliseconds: int) -> None:
        """Wait this long after a key before searching (0 = at the next turn of the event loop);
        the window raises it when searches are slow, so typing never waits for one."""
        self._coalesce.setInterval(max(0, milliseconds))

    def flush(self) -> None:
        """Run a pending coalesced search now (before Enter acts on the results)."""
        if self._coalesce.isActive():
            self._coalesce.stop()
            self.query_changed.emit(self.text())

    def event(self, event: QEvent) -> bool:
        # Keys without Ctrl/Alt belong to the text being typed: claim them so that no
        # single-key shortcut of the window (j, k, n, /, Space, ↑, ...) fires while typing.
        if event.type() == QEvent.Type.ShortcutOverride:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if not key_event.modifiers() & _COMMAND_MODIFIERS and key_event.key() != Qt.Key.Key_F11:
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.flush()
            self.remember()
            self.accepted.emit()
        elif key == Qt.Key.Key_Escape:
            self.remember()
            self.set_query("")
            self.flush()
            self.cleared.emit()
        elif key == Qt.Key.Key_Up:
            self._walk_history(-1)
        elif key == Qt.Key.Key_Down:
            self._walk_history(+1)
        else:
            super().keyPressEvent(event)
