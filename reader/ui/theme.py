"""Light, dark and follow-the-system themes for the whole application (pyqtdarktheme)."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

ThemeChoice = Literal["light", "dark", "auto"]
THEMES: tuple[ThemeChoice, ...] = ("light", "dark", "auto")

# Accent used for highlights and the selection, readable on both themes.
ACCENT = {"light": "#1a5fb4", "dark": "#8ab4f8"}
# Matched text in the list: dark text on yellow in both themes (a dim yellow under light text
# reads worse on a dark background than a slightly muted bright one).
HIGHLIGHT_BACKGROUND = {"light": "#ffe97a", "dark": "#e8c55c"}
HIGHLIGHT_FOREGROUND = {"light": "#000000", "dark": "#000000"}
# The selected post in the list: a quiet tint with a bar in the accent colour, so the text on it
# keeps its full contrast.
SELECTION_BACKGROUND = {"light": "#dce8f8", "dark": "#2d3f57"}
# The list's background: the theme's dark list colour is near black, harsh beside the pane.
LIST_BACKGROUND = {"light": "#ffffff", "dark": "#1d1f21"}

# A stack of fonts that covers Chinese on Linux, macOS and Windows, so CJK text never falls back
# to boxes or to a random font.
UI_FONT_FAMILIES = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
                    "WenQuanYi Micro Hei", "Noto Sans", "DejaVu Sans", "sans-serif"]


def system_is_dark() -> bool:
    """The system colour scheme as Qt reports it (Unknown counts as light)."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


class ThemeManager(QObject):
    """Applies a theme choice and, for 'auto', follows the system's colour scheme live.

    pyqtdarktheme's own setup_theme("auto") starts a listener thread that keeps the process
    alive after the window closes, so only its stylesheet and palette loaders are used here and
    the system scheme is followed through QStyleHints.colorSchemeChanged.
    """

    dark_changed = Signal(bool)
    """Emitted when the effective theme changes (True = dark)."""

    def __init__(self, app: QApplication, choice: ThemeChoice = "auto") -> None:
        super().__init__(app)
        self._app = app
        self._choice: ThemeChoice = "auto"
        self._dark: bool | None = None
        app.styleHints().colorSchemeChanged.connect(self._system_scheme_changed)
        self.set_choice(choice)

    @property
    def choice(self) -> ThemeChoice:
        return self._choice

    @property
    def dark(self) -> bool:
        return bool(self._dark)

    def set_choice(self, choice: str) -> None:
        self._choice = choice if choice in THEMES else "auto"  # type: ignore[assignment]
        self._apply()

    def _system_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._choice == "auto":
            self._apply()

    def _apply(self) -> None:
        dark = system_is_dark() if self._choice == "auto" else self._choice == "dark"
        if dark == self._dark:
            return
        self._dark = dark
        apply_theme(self._app, dark)
        self.dark_changed.emit(dark)


def apply_theme(app: QApplication, dark: bool) -> None:
    """Set the palette and stylesheet of one theme on the application."""
    import qdarktheme  # imported late: it pulls in qtpy, not needed for the core or the CLI

    name = "dark" if dark else "light"
    colors = {"primary": ACCENT[name]}
    if not dark:  # the theme's default light foreground (#4d5157) is too faint for reading
        colors["foreground"] = "#202326"
    palette = qdarktheme.load_palette(name, custom_colors=colors)
    # Read posts are drawn with the disabled text colour; make sure it stays legible.
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text,
                     QColor("#9aa0a6" if dark else "#6b7075"))
    app.setPalette(palette)
    app.setStyleSheet(qdarktheme.load_stylesheet(name, custom_colors=colors))
