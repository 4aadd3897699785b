"""Prints how long opening a library takes in the main window: until its posts are listed, and
until they can be searched.

    QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu" \
        .venv/bin/python benchmarks/open_library.py [--posts 1500] [--repeat 5] [--cache [DIR]]

The library is a generated dump (reader.core.corpus, wide vocabulary, seed 0: 1,500 posts are
about 26 MB, the size of the whole archive) written to a temporary file; each open is timed from
`open_paths` to the list's first row and to `library_loaded` (the index built), in one process,
the first open first. Works on checkouts without the early list too (both times are then the
same), for comparisons. With --cache built indexes are kept as the app keeps them
(reader.core.index_cache), in DIR or else in the temporary folder: the first open builds and
keeps the index, the later ones load it; a second run with the same DIR times a restart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cache", nargs="?", const="", metavar="DIR",
                        help="keep built indexes, as the app does (in DIR)")
    args = parser.parse_args()

    from reader.ui.scheme import register_scheme

    register_scheme()
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from reader.core.corpus import generate_dump
    from reader.ui.mainwindow import MainWindow
    from reader.ui.state import AppState

    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "library.txt"
        dump.write_text(generate_dump(args.posts, seed=0, vocabulary="wide"), encoding="utf-8")
        cache_dir = Path(args.cache or Path(tmp) / "cache")
        cached = {"cache_dir": cache_dir} if args.cache is not None else {}
        window = MainWindow(AppState(Path(tmp) / "config", Path(tmp) / "data", **cached))
        window.show()
        listed: list[float] = []
        searchable: list[float] = []
        for _ in range(args.repeat):
            marks: dict[str, float] = {}

            def list_filled(*_args: object, marks: dict[str, float] = marks) -> None:
                if "listed" not in marks and window.model.rowCount():
                    marks["listed"] = time.perf_counter()

            def loaded(_count: int, marks: dict[str, float] = marks) -> None:
                marks["loaded"] = time.perf_counter()

            window.model.modelReset.connect(list_filled)
            window.library_loaded.connect(loaded)
            started = time.perf_counter()
            window.open_paths([str(dump)])
            while "loaded" not in marks:
                app.processEvents()
                time.sleep(0.001)
            window.model.modelReset.disconnect(list_filled)
            window.library_loaded.disconnect(loaded)
            listed.append((marks.get("listed", marks["loaded"]) - started) * 1000)
            searchable.append((marks["loaded"] - started) * 1000)
        print(f"{args.posts} posts, dump {dump.stat().st_size / 1e6:.1f} MB, {args.repeat} opens "
              f"in one process (ms from open_paths){', indexes kept' if cached else ''}")
        print("posts listed:    " + ", ".join(f"{v:.0f}" for v in listed)
              + f"   (median {statistics.median(listed):.0f})")
        print("search ready:    " + ", ".join(f"{v:.0f}" for v in searchable)
              + f"   (median {statistics.median(searchable):.0f})")
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
