"""Prints how the main window copes with a big library: list fill, key moves, search as you type.

    QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu" \
        .venv/bin/python benchmarks/window_list.py [--posts 50000]

Posts are generated (reader.core.corpus) and repeated with new titles and dates until there
are --posts of them, each cut to its first paragraphs so 50,000 fit in memory and index quickly.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def make_posts(count: int) -> list:
    from reader.core.corpus import generate_dump
    from reader.core.model import post_id
    from reader.core.parser import parse_dump_text

    base = parse_dump_text(generate_dump(300, seed=7)).posts
    posts = []
    start = dt.date(2009, 1, 1)
    for i in range(count):
        post = base[i % len(base)]
        title = f"{post.title} ({i})"
        date = start + dt.timedelta(days=i % 6000)
        paragraphs = post.paragraphs[:4]
        posts.append(dataclasses.replace(post, id=post_id(title, date), title=title, date=date,
                                         paragraphs=paragraphs))
    return posts


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=50_000)
    args = parser.parse_args()

    from reader.ui.scheme import register_scheme

    register_scheme()
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from reader.core.index import SearchIndex
    from reader.core.library import Library
    from reader.ui.mainwindow import MainWindow
    from reader.ui.state import AppState

    rows: list[tuple[str, str]] = []
    started = time.perf_counter()
    posts = make_posts(args.posts)
    rows.append(("generate posts", f"{(time.perf_counter() - started):.1f} s"))
    started = time.perf_counter()
    index = SearchIndex.build(posts)
    rows.append(("SearchIndex.build", f"{(time.perf_counter() - started):.1f} s"))

    home = Path(tempfile.mkdtemp())
    window = MainWindow(AppState(home / "c", home / "d"))
    window.resize(1280, 820)
    window.show()
    library = Library(["bench"], posts, index, [])

    def show(library: Library) -> None:  # as the loader does: posts listed, then searchable
        window._show_library(library)
        window._library_ready(library)

    rows.append(("show library (list filled, first post)",
                 f"{timed(lambda: show(library)):.0f} ms"))
    app.processEvents()
    window.focus_list()

    def key(k: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> float:
        return timed(lambda: (QTest.keyClick(window.post_list, k, modifiers), app.processEvents()))

    moves = [key(Qt.Key.Key_J) for _ in range(200)]
    rows.append(("j (next post), median of 200", f"{statistics.median(moves):.1f} ms"))
    rows.append(("G (last post, fetches all rows)",
                 f"{key(Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier):.0f} ms"))
    rows.append(("g g (first post)", f"{key(Qt.Key.Key_G) + key(Qt.Key.Key_G):.0f} ms"))
    bar = window.post_list.verticalScrollBar()
    steps = 200

    def scroll() -> None:
        for i in range(steps):
            bar.setValue(bar.maximum() * i // steps)
            window.post_list.viewport().repaint()

    rows.append((f"scroll the list, {steps} repaints", f"{timed(scroll) / steps:.1f} ms each"))
    window.focus_search()
    typing = []
    queries = ("s", "so", "sof", "soft", "softm", "softma", "softmax", "softmax 注", "softmax 注意")
    for query in queries:
        typing.append(timed(lambda q=query: (window.set_query(q), app.processEvents())))
    rows.append(("search as you type, per keystroke (median / max)",
                 f"{statistics.median(typing):.0f} / {max(typing):.0f} ms"))
    rows.append(("matches for 'softmax 注意'", f"{window.search_results.total:,}"))
    rows.append(("Esc (clear search, full list back)",
                 f"{timed(lambda: (window.clear_search(), app.processEvents())):.0f} ms"))
    # The same with the current post at the end of the full list: clearing fetches its rows.
    window.focus_list()
    key(Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    window.set_query("softmax")
    app.processEvents()
    rows.append(("Esc, the current post last of the full list",
                 f"{timed(lambda: (window.clear_search(), app.processEvents())):.0f} ms"))

    width = max(len(name) for name, _ in rows)
    print(f"Main window with {args.posts:,} posts")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return 0


if __name__ == "__main__":
    sys.exit(main())
