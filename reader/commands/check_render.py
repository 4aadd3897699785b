"""`kexue-reader-cli check-render`: typeset posts in the real reading pane, report bad formulas."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence

from reader.core.model import Post
from reader.core.parser import parse_paths

HELP = ("Render posts in the reading pane (offscreen) and list the formulas MathJax cannot "
        "typeset; exits 1 if there is any.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", nargs="+", required=True, metavar="PATH",
                        help="dumps (.txt), Markdown files or folders to read")
    parser.add_argument("--post", action="append", metavar="ID", default=[],
                        help="check only the post with this id (repeat for several)")
    parser.add_argument("--json", action="store_true",
                        help='print {"posts": [{"id", "title", "formulas", "errors", "text", '
                             '"ms"}]}')
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="give up on a post after this long (default 120)")


def prepare_qt_environment() -> None:
    """Offscreen when there is no display; Chromium's sandbox cannot run as root, no GPU needed."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")


def render_posts(posts: Sequence[Post], timeout: float) -> tuple[list[dict], list[str]]:
    """Each post typeset in a ReadingPane: its report, plus the pane's JavaScript errors."""
    prepare_qt_environment()
    from reader.ui.scheme import register_scheme

    register_scheme()
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from reader.ui.readingpane import ReadingPane

    _app = QApplication.instance() or QApplication(["kexue-reader-cli"])  # alive until return
    pane = ReadingPane(open_external=lambda url: None)
    pane.resize(1000, 800)
    pane.show()
    loop = QEventLoop()
    finished: dict[str, dict] = {}

    def on_finished(result: dict) -> None:
        finished[result["id"]] = result
        loop.quit()

    pane.typeset_finished.connect(on_finished)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    reports = []
    try:
        for post in posts:
            started = time.perf_counter()
            pane.show_post(post)
            while post.id not in finished and time.perf_counter() - started < timeout:
                timer.start(max(1, int((timeout - (time.perf_counter() - started)) * 1000)))
                loop.exec()
            result = finished.pop(post.id, None)
            if result is None:
                result = {"formulas": [], "text": "", "ms": round(timeout * 1000),
                          "errors": [{"tex": "", "message": f"timed out after {timeout:g} s"}]}
            reports.append({"id": post.id, "title": post.title, "formulas": result["formulas"],
                            "errors": result["errors"], "text": result["text"],
                            "ms": round(result["ms"], 1)})
        console = [f"{source}:{line}: {message}" for level, message, line, source
                   in pane.console_messages if level == "error"]
    finally:
        # The page must be gone before the profile, which lives until the application ends.
        pane.close()
        pane.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return reports, console


def run(args: argparse.Namespace) -> int:
    parsed = parse_paths(args.corpus)
    for diagnostic in parsed.diagnostics:
        if diagnostic.severity == "error":
            print(f"error: {diagnostic.source}: {diagnostic.message}", file=sys.stderr)
    posts = parsed.posts
    if args.post:
        wanted = set(args.post)
        posts = [p for p in posts if p.id in wanted]
        missing = wanted - {p.id for p in posts}
        if missing:
            print(f"error: no post with id {', '.join(sorted(missing))} in the corpus",
                  file=sys.stderr)
            return 2
    if not posts:
        print("error: no posts found in the corpus", file=sys.stderr)
        return 2
    reports, console = render_posts(posts, args.timeout)
    for message in console:
        print(f"pane error: {message}", file=sys.stderr)
    failed = [r for r in reports if r["errors"]]
    if args.json:
        json.dump({"posts": reports}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for report in failed:
            print(f"{report['id']}  {report['title']}")
            for error in report["errors"]:
                print(f"  {error['message']}: {error['tex']}")
        formulas = sum(len(r["formulas"]) for r in reports)
        errors = sum(len(r["errors"]) for r in reports)
        print(f"{len(reports)} post(s), {formulas} formula(s), {errors} error(s) "
              f"in {len(failed)} post(s).")
    return 1 if failed else 0
