"""PySide6 void calls must not be able to free None (see reader.ui.immortal_none)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject

import reader.ui  # noqa: F401 - importing the UI package applies the fix
from reader.ui.immortal_none import IMMORTAL_REFCOUNT, make_none_immortal


def test_many_void_calls_leave_none_alive() -> None:
    make_none_immortal()
    before = sys.getrefcount(None)
    assert before >= IMMORTAL_REFCOUNT // 2 or sys.version_info >= (3, 12)
    obj = QObject()
    for _ in range(200_000):  # more void calls than None has references without the fix
        obj.setObjectName("x")
    assert sys.getrefcount(None) > 0
