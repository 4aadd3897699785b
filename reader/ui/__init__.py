"""The PySide6 layer: thin widgets wired to reader.core."""

from reader.ui.immortal_none import make_none_immortal

# Before any PySide6 call: see immortal_none for the PySide6 6.12 / Python 3.11 refcount bug.
make_none_immortal()
