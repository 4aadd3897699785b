"""`kexue-reader --self-test`: drive the real window on the bundled sample, print one JSON line.

It checks what a packaged build most often gets wrong (Qt plugins, QtWebEngine's helper process
and resources, MathJax files, the sample, search, the index cache) and times the start-up, from
the moment the process started, so that the frozen bundle and the source tree can be compared:

  {"ok": true, "checks": {...}, "timings_ms": {"window_shown": …, "first_post_typeset": …}, …}

Exit code 0 only when every check passed; any step that does not finish within the time limit
(60 s, or $KEXUE_READER_SELFTEST_TIMEOUT) fails the test instead of hanging.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from typing import Any

from reader.core.model import Post

TIMEOUT_ENV = "KEXUE_READER_SELFTEST_TIMEOUT"
OUTPUT_ENV = "KEXUE_READER_SELFTEST_OUTPUT"
"""When set, the JSON line is also written to this file (Windows GUI builds have no stdout)."""
DEFAULT_TIMEOUT_S = 60.0
# The sample's 3rd post, "最小熵原理（六）…", has \begin{equation} blocks.
FORMULA_POST_TITLE = "最小熵原理"
SEARCH_QUERY = "向量"


class SelfTestFailed(Exception):
    """A step did not finish in time or found something wrong."""


def prepare_environment() -> None:
    """Set up what the self-test needs before the QApplication exists.

    No display (a CI runner, ssh): Qt's offscreen platform. Root (containers): Chromium's sandbox
    cannot run, so --no-sandbox. A fresh, temporary settings home, so the test neither reads nor
    changes the user's library, marks or window layout, and opens the bundled sample.
    """
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in flags:
        flags.append("--no-sandbox")
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" and "--disable-gpu" not in flags:
        flags.append("--disable-gpu")
    if flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join(flags)
    home = tempfile.mkdtemp(prefix="kexue-reader-selftest-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["KEXUE_READER_HOME"] = home


def process_age_s() -> float | None:
    """Seconds since this process started (before Python itself), or None where unknown."""
    try:
        if sys.platform.startswith("linux"):
            with open("/proc/self/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            start_ticks = int(fields[19])  # field 22 of proc(5), counted after "(comm)"
            with open("/proc/uptime", encoding="ascii") as uptime:
                up_s = float(uptime.read().split()[0])
            return max(0.0, up_s - start_ticks / os.sysconf("SC_CLK_TCK"))
        if sys.platform == "win32":
            return _windows_process_age_s()
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    return None


def _windows_process_age_s() -> float:
    import ctypes
    from ctypes import wintypes

    creation, exited, kernel, user, now = (wintypes.FILETIME() for _ in range(5))
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    if not kernel32.GetProcessTimes(kernel32.GetCurrentProcess(), ctypes.byref(creation),
                                    ctypes.byref(exited), ctypes.byref(kernel),
                                    ctypes.byref(user)):
        raise OSError("GetProcessTimes failed")
    kernel32.GetSystemTimeAsFileTime(ctypes.byref(now))

    def ticks(value: Any) -> int:
        return (value.dwHighDateTime << 32) | value.dwLowDateTime

    return (ticks(now) - ticks(creation)) / 10_000_000  # FILETIME counts 100 ns


def pick_formula_post(posts: list[Post]) -> Post | None:
    """The sample post with display formulas, else any post with TeX in it."""
    for post in posts:
        if FORMULA_POST_TITLE in post.title and "\\begin{" in post.markdown:
            return post
    for post in posts:
        if "\\begin{equation}" in post.markdown or "$$" in post.markdown:
            return post
    return None


class _Run:
    """One self-test run: waits on the window's signals with a deadline, records the results."""

    def __init__(self, app: Any, window: Any, started_at: float) -> None:
        self.app, self.window = app, window
        timeout = float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT_S)
        self.deadline = time.perf_counter() + timeout
        age = process_age_s()
        # The origin of every timing: the process start where the OS tells it, else main().
        self.origin = time.perf_counter() - age if age is not None else started_at
        self.clock = "process start" if age is not None else "main() entered"
        self.checks: dict[str, Any] = {}
        self.timings: dict[str, int] = {"main_entered": self.ms(started_at)}
        self.typeset: list[dict[str, Any]] = []
        self.step = "starting"
        window.reading_pane.typeset_finished.connect(self._on_typeset)

    def ms(self, moment: float | None = None) -> int:
        return round(((time.perf_counter() if moment is None else moment) - self.origin) * 1000)

    def _on_typeset(self, result: dict) -> None:
        if not self.typeset:
            self.timings["first_post_typeset"] = self.ms()
        self.typeset.append(dict(result))

    def wait_for(self, step: str, condition: Callable[[], bool]) -> None:
        from PySide6.QtCore import QEventLoop

        self.step = step
        while not condition():
            if time.perf_counter() > self.deadline:
                raise SelfTestFailed(f"timed out waiting for: {step}")
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.005)

    def check(self, name: str, value: Any, passed: bool) -> None:
        self.checks[name] = {"ok": bool(passed), "value": value}

    def run(self) -> None:
        window = self.window
        self.wait_for("main window shown", lambda: window.isVisible() and bool(
            window.windowHandle() and window.windowHandle().isExposed()))
        self.timings["window_shown"] = self.ms()

        self.wait_for("sample library loaded", lambda: bool(window.posts))
        self.timings["library_loaded"] = self.ms()
        self.check("library_loaded", len(window.posts), len(window.posts) > 0)

        self.wait_for("first post typeset", lambda: bool(self.typeset))
        post = pick_formula_post(window.posts)
        self.check("formula_post_found", post.title if post else None, post is not None)
        if post is None:
            return
        seen = len(self.typeset)
        window.select_post(post.id)
        self.wait_for(f"post {post.id} typeset", lambda: any(
            result.get("id") == post.id for result in self.typeset[seen:]))
        self.timings["formula_post_typeset"] = self.ms()
        result = next(r for r in self.typeset[seen:] if r.get("id") == post.id)
        formulas, errors = result.get("formulas") or [], result.get("errors") or []
        self.check("formulas_typeset", len(formulas), len(formulas) > 0)
        self.check("formula_errors", errors[:5], not errors)

        window.set_query(SEARCH_QUERY)
        self.wait_for("search results", lambda: window.search_results is not None
                      and getattr(window.search_results, "query", SEARCH_QUERY) == SEARCH_QUERY)
        total = window.search_results.total
        self.check("search", {"query": SEARCH_QUERY, "total": total}, total > 0)
        self.timings["search_done"] = self.ms()

        # The index is kept for the next start: the bundle's build code must be identifiable.
        from reader.core import index_cache

        cache_dir = window.state.cache_dir
        if index_cache.usable() and cache_dir is not None:
            self.wait_for("search index kept", lambda: any(cache_dir.glob("index-*.npz")))
        kept = len(list(cache_dir.glob("index-*.npz"))) if cache_dir is not None else 0
        switched_off = cache_dir is None  # --no-index-cache
        self.check("index_kept", {"usable": index_cache.usable(), "kept": kept,
                                  "switched_off": switched_off},
                   switched_off or (index_cache.usable() and kept == 1))

        console = getattr(window.reading_pane, "console_messages", None)  # (level, text, …)
        if callable(console):
            console = console()
        if isinstance(console, list):
            errors = [m for m in console if str(m[0]).lower() == "error"]
            self.check("javascript_errors", [list(m) for m in errors[:5]], not errors)

        window.close()
        self.wait_for("window closed", lambda: not window.isVisible())
        self.check("closed", True, True)


def run(app: Any, window: Any, started_at: float) -> int:
    """Drive `window` through the self-test, print one JSON line, return the exit code."""
    test = _Run(app, window, started_at)
    error = None
    try:
        test.run()
    except SelfTestFailed as failure:
        error = str(failure)
    except Exception as failure:  # report a crash as a failed test, with where it happened
        error = f"{test.step}: {''.join(traceback.format_exception_only(failure)).strip()}"
    ok = error is None and bool(test.checks) and all(c["ok"] for c in test.checks.values())
    if window.isVisible():
        window.close()
    report: dict[str, Any] = {
        "ok": ok,
        "checks": test.checks,
        "timings_ms": test.timings,
        "clock": test.clock,
        "frozen": bool(getattr(sys, "frozen", False)),
        "executable": sys.executable,
    }
    if error is not None:
        report["error"] = error
    line = json.dumps(report, ensure_ascii=False)
    if sys.stdout is not None:
        print(line, flush=True)
    output = os.environ.get(OUTPUT_ENV)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(line + "\n")
    return 0 if ok else 1
