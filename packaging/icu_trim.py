"""Rebuilds the bundle's ICU data library (Linux) with only the locales the reader needs.

PySide6's Linux wheels ship ICU for QtCore as libicudata.so.NN: 32 MB of locale data for ~800
locales (currency, time-zone, language and unit names, collation, spell-out rules). QtCore only
uses ICU for collation, text codecs and time-zone names, and the reader is Chinese and English,
so the locale data of every other language is removed (with ICU's own `icupkg`) and the rest
is linked back (with binutils) into a library of the same name and symbol. Converters,
normalisation, properties and break-iterator data are all kept. When `icupkg` or binutils are
missing, the full library stays and the build says so. Chromium's own ICU data
(resources/icudtl.dat) is not touched.

Usage (the spec calls it): python packaging/icu_trim.py BUNDLE_INTERNAL_DIR
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# yue: Cantonese, which the zh_Hant_HK data falls back to.
KEPT_LANGUAGES = frozenset({"root", "en", "zh", "yue"})
# Per-tree index and shared-string pool: never locale data, whatever their names look like.
KEPT_ALWAYS = frozenset({"res_index.res", "pool.res"})
_LOCALE_RESOURCE = re.compile(r"^([a-z]{2,3})(?:_[A-Za-z0-9]*)*\.res$")


def removable(item: str) -> bool:
    """Whether an item of the ICU data package (e.g. "curr/de_CH.res") is another language's."""
    name = item.rsplit("/", 1)[-1]
    if name in KEPT_ALWAYS:
        return False
    match = _LOCALE_RESOURCE.match(name)
    return match is not None and match.group(1) not in KEPT_LANGUAGES


def _data_symbol(library: Path) -> tuple[str, int, int]:
    """(symbol name, file offset, size) of the icudtNN_dat blob inside the library."""
    symbols = subprocess.run(["readelf", "-sW", "--dyn-syms", str(library)], check=True,
                             capture_output=True, text=True).stdout
    for line in symbols.splitlines():
        fields = line.split()
        if len(fields) >= 8 and re.fullmatch(r"icudt\d+_dat", fields[7]):
            address, size = int(fields[1], 16), int(fields[2], 0)
            break
    else:
        raise RuntimeError(f"no icudtNN_dat symbol in {library}")
    sections = subprocess.run(["readelf", "-SW", str(library)], check=True,
                              capture_output=True, text=True).stdout
    for line in sections.splitlines():
        match = re.search(r"\]\s+\.rodata\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if match:
            section_address, section_offset = int(match.group(1), 16), int(match.group(2), 16)
            return fields[7], address - section_address + section_offset, size
    raise RuntimeError(f"no .rodata section in {library}")


def trim(library: Path) -> tuple[int, int]:
    """Replace `library` (libicudata.so.NN) by a trimmed copy; returns (old size, new size)."""
    symbol, offset, size = _data_symbol(library)
    package = symbol.removesuffix("_dat") + "l"  # icupkg names items after the file: icudt73l
    soname = library.name
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        with open(library, "rb") as handle:
            handle.seek(offset)
            (work / f"{package}.dat").write_bytes(handle.read(size))
        (work / "full").mkdir()
        (work / "full" / f"{package}.dat").write_bytes((work / f"{package}.dat").read_bytes())
        items = subprocess.run(["icupkg", "-l", f"{package}.dat"], cwd=work, check=True,
                               capture_output=True, text=True).stdout.split()
        (work / "remove.txt").write_text("\n".join(i for i in items if removable(i)) + "\n")
        subprocess.run(["icupkg", "-r", "remove.txt", f"full/{package}.dat", f"{package}.dat"],
                       cwd=work, check=True, capture_output=True)
        (work / "data.s").write_text(
            f'\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n'
            f'\t.balign 16\n{symbol}:\n\t.incbin "{package}.dat"\n'
            f'\t.size {symbol}, . - {symbol}\n\t.section .note.GNU-stack,"",@progbits\n')
        # binutils alone (as, ld) link the blob into a library: no C compiler needed.
        subprocess.run(["as", "-o", "data.o", "data.s"], cwd=work, check=True,
                       capture_output=True)
        subprocess.run(["ld", "-shared", "-soname", soname, "-o", "trimmed.so", "data.o"],
                       cwd=work, check=True, capture_output=True)
        old = library.stat().st_size
        shutil.copyfile(work / "trimmed.so", library)
        return old, library.stat().st_size


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    libraries = glob.glob(os.path.join(argv[0], "**", "libicudata.so.*"), recursive=True)
    libraries = [Path(p) for p in libraries if not os.path.islink(p)]
    if not libraries:
        print("icu_trim: no libicudata in the bundle, nothing to do")
        return 0
    missing = [tool for tool in ("icupkg", "readelf", "as", "ld") if not shutil.which(tool)]
    if missing:
        print(f"icu_trim: WARNING {', '.join(missing)} not found (Debian: icu-devtools, "
              "binutils): the full ICU data stays in the bundle", file=sys.stderr)
        return 0
    for library in libraries:
        old, new = trim(library)
        print(f"icu_trim: {library.name} {old / 1e6:.1f} MB -> {new / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
