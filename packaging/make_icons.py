"""Renders the app icon (reader/resources/icons/kexue-reader.svg) to PNG, ICO and ICNS with Qt.

Run after editing the SVG: .venv/bin/python packaging/make_icons.py
The outputs are committed, so building a bundle needs no image tools.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "reader" / "resources" / "icons"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(ICONS / "kexue-reader.svg"))
    if not renderer.isValid():
        print("kexue-reader.svg is not a valid SVG", file=sys.stderr)
        return 1

    def render(size: int) -> QImage:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        return image

    for size in PNG_SIZES:
        render(size).save(str(ICONS / f"kexue-reader-{size}.png"))
    # Windows executables take an .ico, macOS bundles an .icns (Qt's image plugins write both).
    for name, size in (("kexue-reader.ico", 256), ("kexue-reader.icns", 512)):
        if not render(size).save(str(ICONS / name)):
            print(f"could not write {name} (Qt image plugin missing?)", file=sys.stderr)
            return 1
    del app
    print(f"wrote {len(PNG_SIZES)} PNGs, kexue-reader.ico and kexue-reader.icns to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
