"""The PySide6 layer: thin widgets wired to reader.core."""
