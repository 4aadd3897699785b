"""Prints the size report of a kexue-reader bundle: unpacked, compressed, and the biggest parts.

Usage: .venv/bin/python scripts/package_sizes.py [BUNDLE_DIR] [--archive PATH] [--top N]
       [--check]   (exit 1 when a budget is exceeded)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

MB = 1_000_000
UNPACKED_BUDGET = 300 * MB
COMPRESSED_BUDGET = 100 * MB

# (label, test on the path relative to the bundle's _internal/ folder, "/"-separated)
GROUPS: tuple[tuple[str, str], ...] = (
    ("MathJax", "reader/resources/mathjax/"),
    ("reader resources (sample, icons, shell)", "reader/resources/"),
    ("QtWebEngineCore library",
     "libQt6WebEngineCore|Qt6WebEngineCore.dll|QtWebEngineCore.framework/Versions"),
    ("QtWebEngine resources (.pak, icudtl)", "/resources/|/Resources/"),
    ("ICU (Qt Core's Unicode data)", "libicu"),
    ("Qt translations + Chromium locales", "/translations/|qtwebengine_locales"),
    ("Qt plugins", "/plugins/"),
    ("other Qt libraries", "PySide6/Qt/lib/|PySide6/Qt6|lib/Qt"),
    ("PySide6/shiboken6 bindings", "PySide6/|shiboken6/"),
    ("numpy (+ OpenBLAS)", "numpy"),
    ("Python runtime (libpython, extension modules)", "libpython|/python3.|base_library.zip"),
)


def bundle_files(bundle: Path) -> list[tuple[str, int]]:
    """(relative path, size in bytes) of every regular file; symlinks count once, as links."""
    files = []
    for root, _dirs, names in os.walk(bundle):
        for name in names:
            path = Path(root, name)
            if path.is_symlink():
                continue
            files.append((path.relative_to(bundle).as_posix(), path.stat().st_size))
    return files


def group_of(relative: str) -> str:
    if "/" not in relative and relative.split(".")[0] == "kexue-reader" and (
            relative.endswith(".exe") or "." not in relative):
        return "executable (+ the app's Python bytecode)"
    inner = relative.split("_internal/", 1)[-1]
    for label, patterns in GROUPS:
        if any(pattern in inner for pattern in patterns.split("|")):
            return label
    return "other libraries and files"


def report(bundle: Path, archive: Path | None, top: int) -> tuple[int, int | None]:
    files = bundle_files(bundle)
    total = sum(size for _path, size in files)
    compressed = archive.stat().st_size if archive else None
    print(f"Bundle: {bundle}  ({len(files)} files; MB = 10^6 bytes, apparent sizes)")
    print(f"{'':2}{'measure':<40}{'MB':>9}{'budget':>9}  verdict")
    print(f"{'':2}{'unpacked':<40}{total / MB:>9.1f}{UNPACKED_BUDGET / MB:>9.0f}  "
          f"{'ok' if total <= UNPACKED_BUDGET else 'OVER'}")
    if compressed is not None:
        verdict = "ok" if compressed <= COMPRESSED_BUDGET else "OVER"
        print(f"{'':2}{'compressed (' + archive.name + ')':<40}{compressed / MB:>9.1f}"
              f"{COMPRESSED_BUDGET / MB:>9.0f}  {verdict}")
    groups: dict[str, int] = defaultdict(int)
    for path, size in files:
        groups[group_of(path)] += size
    print("\nBy part:")
    for label, size in sorted(groups.items(), key=lambda item: -item[1]):
        print(f"  {label:<48}{size / MB:>9.1f} MB  {100 * size / total:5.1f} %")
    print(f"\nBiggest {top} files:")
    for path, size in sorted(files, key=lambda item: -item[1])[:top]:
        print(f"  {size / MB:>8.1f} MB  {path}")
    return total, compressed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", default="dist/kexue-reader", type=Path)
    parser.add_argument("--archive", type=Path, help="the compressed archive of the bundle")
    parser.add_argument("--top", type=int, default=15, help="how many of the biggest files")
    parser.add_argument("--check", action="store_true", help="exit 1 when over a budget")
    args = parser.parse_args(argv)
    if not args.bundle.is_dir():
        print(f"no bundle at {args.bundle}: build it with scripts/package", file=sys.stderr)
        return 2
    if args.archive is not None and not args.archive.is_file():
        print(f"no archive at {args.archive}", file=sys.stderr)
        return 2
    total, compressed = report(args.bundle, args.archive, args.top)
    over = total > UNPACKED_BUDGET or (compressed or 0) > COMPRESSED_BUDGET
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
