"""Keeps None alive under PySide6 6.12 on Python 3.11, whose void methods drop a reference to it.

Every call of a PySide6 method that returns nothing (QPainter.save, QFont.setBold, ...) returns
None without taking a reference to it. Python 3.12+ makes None immortal so nothing happens there,
but on 3.11 the count sinks with every call and, after some tens of thousands of calls (a few
minutes of scrolling), CPython aborts with "none_dealloc: deallocating None". Giving None the
huge reference count that 3.12 gives immortal objects makes the lost references harmless.
"""

from __future__ import annotations

import ctypes
import sys

IMMORTAL_REFCOUNT = 1 << 40
"""Far more void calls than any session makes (about 10^12)."""


def make_none_immortal() -> bool:
    """Raise None's reference count (Python < 3.12 only); True when it was changed."""
    if sys.version_info >= (3, 12):
        return False
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is the first field
    if refcount.value >= IMMORTAL_REFCOUNT // 2:
        return False
    refcount.value = IMMORTAL_REFCOUNT
    return True
