"""Guards the pinned PySide6 against a known refcount bug that crashes the app on Python 3.11."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_void_method_calls_keep_references_to_none() -> None:
    # PySide6 6.12 returned None from void methods without a reference; on Python 3.11 (where
    # None is not immortal) that aborted the process after a few minutes of scrolling.
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(200):
        obj.setObjectName("x")
    # Unrelated code may take a reference or two; the bug loses one per call (200 here).
    assert sys.getrefcount(None) >= before
