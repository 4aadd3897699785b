"""The main window's benchmark still drives the window (it calls the loader's private steps, so
a change there can silently leave it timing an empty list)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_window_benchmark_lists_and_searches_a_library() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "window_list.py"), "--posts", "400"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    matches = re.search(r"matches for 'softmax 注意'\s+([\d,]+)", run.stdout)
    assert matches is not None, run.stdout
    assert int(matches.group(1).replace(",", "")) > 0
    assert "Esc, the current post last of the full list" in run.stdout
