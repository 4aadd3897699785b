"""Themes: the palette really changes, and 'auto' follows the system scheme signal."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from reader.ui.theme import ThemeManager


@pytest.fixture
def app(qapp):
    palette, sheet = qapp.palette(), qapp.styleSheet()
    yield qapp
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def window_lightness(app: QApplication) -> int:
    return app.palette().color(QPalette.ColorRole.Window).lightness()


def test_light_and_dark_palettes(qtbot, app) -> None:
    manager = ThemeManager(app, "dark")
    assert manager.dark and window_lightness(app) < 100
    with qtbot.waitSignal(manager.dark_changed) as signal:
        manager.set_choice("light")
    assert signal.args == [False]
    assert not manager.dark and window_lightness(app) > 180
    manager.set_choice("nonsense")
    assert manager.choice == "auto"


def test_auto_follows_the_system(qtbot, app, monkeypatch) -> None:
    import reader.ui.theme as theme

    monkeypatch.setattr(theme, "system_is_dark", lambda: False)
    manager = ThemeManager(app, "auto")
    assert not manager.dark
    monkeypatch.setattr(theme, "system_is_dark", lambda: True)
    with qtbot.waitSignal(manager.dark_changed):
        manager._system_scheme_changed(None)
    assert manager.dark
    manager.set_choice("light")
    manager._system_scheme_changed(None)  # an explicit choice ignores the system
    assert not manager.dark
