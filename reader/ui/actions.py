"""QActions, menus and the `?` help overlay, all generated from the key table in core.keymap."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QLabel, QMainWindow, QMenu, QScrollArea, QVBoxLayout, QWidget

from reader.core.keymap import KEYMAP, Binding, commands, describe, keys_of, to_qt_key, validate

MENU_ORDER = ("File", "Go", "Search", "Post", "View", "Help")
SCOPE_NOTE = {"window": "", "browse": "", "search": "in the search bar"}


def build_actions(window: QMainWindow, handlers: Mapping[str, Callable[[], object]],
                  keymap: Iterable[Binding] = KEYMAP) -> dict[str, QAction]:
    """One QAction per command with window/browse keys, added to `window` so its shortcuts work
    wherever focus is in the window. Commands of the search scope are left to the search bar."""
    table = list(keymap)
    problems = validate(table, handlers)
    if problems:
        raise ValueError("key table is inconsistent: " + "; ".join(problems))
    actions: dict[str, QAction] = {}
    for command in commands(table):
        first = describe(command, table)
        if first.scope == "search":
            continue
        action = QAction(first.description, window)
        action.setObjectName(command)
        action.setShortcuts([QKeySequence(to_qt_key(k)) for k in keys_of(command, table)])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(first.checkable)
        handler = handlers[command]
        action.triggered.connect(lambda _checked=False, run=handler: run())
        window.addAction(action)
        actions[command] = action
    return actions


def build_menus(window: QMainWindow, actions: Mapping[str, QAction],
                keymap: Iterable[Binding] = KEYMAP) -> dict[str, QMenu]:
    """The menu bar, each command under the menu its binding names, in table order."""
    table = list(keymap)
    menus: dict[str, QMenu] = {}
    for name in MENU_ORDER:
        menus[name] = window.menuBar().addMenu(f"&{name}")
    for command in commands(table):
        menu_name = next((b.menu for b in table if b.command == command and b.menu), None)
        if menu_name and command in actions:
            if menu_name not in menus:
                menus[menu_name] = window.menuBar().addMenu(menu_name)
            menus[menu_name].addAction(actions[command])
    return menus


def pretty_key(key: str) -> str:
    """How a key is shown to people: 'Space', 'Shift+Space', 'g g', 'Alt+←'."""
    arrows = {"Left": "←", "Right": "→", "Up": "↑", "Down": "↓"}
    parts = key.split("+")
    parts[-1] = arrows.get(parts[-1], parts[-1])
    return "+".join(parts) if key != "Ctrl++" else "Ctrl++"


def help_html(keymap: Iterable[Binding] = KEYMAP) -> str:
    """The key table as an HTML table grouped by menu (what the `?` overlay shows)."""
    table = list(keymap)
    groups: dict[str, list[tuple[str, str]]] = {}
    for command in commands(table):
        first = describe(command, table)
        keys = [k for b in table if b.command == command for k in b.keys]
        if not keys:
            continue
        group = next((b.menu for b in table if b.command == command and b.menu), None)
        note = SCOPE_NOTE[first.scope]
        description = first.description + (f" <i>({note})</i>" if note else "")
        shown = " &nbsp;or&nbsp; ".join(f"<b>{html.escape(pretty_key(k))}</b>" for k in keys)
        groups.setdefault(group or "Search bar", []).append((shown, description))
    parts = ["<table cellspacing='0' cellpadding='3'>"]
    for name in (*MENU_ORDER, "Search bar"):
        if name not in groups:
            continue
        parts.append(f"<tr><td colspan='2'><br><big><b>{html.escape(name)}</b></big></td></tr>")
        parts.extend(f"<tr><td style='padding-right:18px'>{keys}</td><td>{description}</td></tr>"
                     for keys, description in groups[name])
    parts.append("</table>")
    return "".join(parts)


class HelpOverlay(QFrame):
    """A panel over the window listing every key; any key or click closes it."""

    closed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("helpOverlay")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        title = QLabel("<h2>Keys</h2><p>Single letters work when the list or the post has focus"
                       " (not while typing in the search bar). Press any key to close.</p>")
        title.setWordWrap(True)
        self.body = QLabel(help_html())
        self.body.setTextFormat(Qt.TextFormat.RichText)
        scroll = QScrollArea()
        scroll.setWidget(self.body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 12)
        layout.addWidget(title)
        layout.addWidget(scroll)
        self.hide()
        parent.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        parent = self.parentWidget()
        width = min(720, parent.width() - 40)
        height = parent.height() - 60
        self.setGeometry((parent.width() - width) // 2, 30, width, height)

    def toggle(self) -> None:
        if self.isVisible():
            self.close_overlay()
        else:
            self._place()
            self.show()
            self.raise_()
            self.setFocus()

    def close_overlay(self) -> None:
        self.hide()
        self.closed.emit()

    def keyPressEvent(self, event: object) -> None:
        self.close_overlay()

    def mousePressEvent(self, event: object) -> None:
        self.close_overlay()
