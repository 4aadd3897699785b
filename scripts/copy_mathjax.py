"""Copies the MathJax files the reading pane loads from node_modules into the package."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

# MathJax 4 is modular: the pane loads startup.js plus these components (see
# reader/resources/shell/), and the fonts come from the separate font package.
MATHJAX_PARTS = ["startup.js", "input", "output", "ui", "a11y", "adaptors", "core.js", "sre",
                 "loader.js", "LICENSE", "package.json", "tex-chtml.js"]
FONT_PACKAGE = "@mathjax/mathjax-newcm-font"


def copy(node_modules: Path, target: Path) -> None:
    mathjax = node_modules / "mathjax"
    font = node_modules / FONT_PACKAGE
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for part in MATHJAX_PARTS:
        src = mathjax / part
        if src.is_dir():
            shutil.copytree(src, target / part)
        elif src.is_file():
            shutil.copy2(src, target / part)
    font_target = target / "fonts" / "mathjax-newcm"
    shutil.copytree(font / "chtml", font_target / "chtml")
    # The font's data component: output/chtml loads it as [mathjax-newcm]/chtml.js.
    shutil.copy2(font / "chtml.js", font_target / "chtml.js")
    for name in ("LICENSE", "package.json"):
        if (font / name).exists():
            shutil.copy2(font / name, font_target / name)
    version = json.loads((mathjax / "package.json").read_text())["version"]
    (target / "VERSION").write_text(version + "\n")


if __name__ == "__main__":
    copy(Path(sys.argv[1]), Path(sys.argv[2]))
