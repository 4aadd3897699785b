"""The real `kexue-reader` process: starts on the sample, saves its state, exits promptly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXECUTABLE = Path(sys.executable).with_name("kexue-reader")


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not EXECUTABLE.exists(), reason="kexue-reader is not installed in this venv")
def test_real_process_opens_the_sample_and_exits_quickly_when_closed(tmp_path: Path) -> None:
    env = dict(os.environ, KEXUE_READER_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
    process = subprocess.Popen([str(EXECUTABLE), "--sample"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    settings = tmp_path / "config" / "settings.json"
    marks = tmp_path / "data" / "marks.json"

    def loaded() -> bool:
        try:
            return "last_library" in json.loads(settings.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False

    try:
        assert wait_for(loaded, 60), "the window never loaded the sample"
        assert process.poll() is None, "the process ended on its own"
        closed_at = time.monotonic()
        process.send_signal(signal.SIGTERM)  # closes the window like Ctrl+Q
        code = process.wait(timeout=20)
        elapsed = time.monotonic() - closed_at
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = process.stderr.read().decode("utf-8", "replace")
    assert code == 0, stderr[-2000:]
    assert elapsed < 2.0, f"took {elapsed:.2f} s to exit"
    state = json.loads(settings.read_text(encoding="utf-8"))
    assert state["welcomed"] is True  # first run: the welcome note was shown
    assert "kexue-homepage-sample.txt" in state["last_library"][0]
    assert json.loads(marks.read_text(encoding="utf-8"))["read"]  # the first post was opened


@pytest.mark.skipif(not EXECUTABLE.exists(), reason="kexue-reader is not installed in this venv")
def test_state_survives_the_process_being_killed(tmp_path: Path) -> None:
    env = dict(os.environ, KEXUE_READER_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
    process = subprocess.Popen([str(EXECUTABLE), "--sample"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    marks = tmp_path / "data" / "marks.json"

    def first_post_marked_read() -> bool:
        try:
            return bool(json.loads(marks.read_text(encoding="utf-8"))["read"])
        except (OSError, ValueError, KeyError):
            return False

    try:
        # Opening the sample shows (and marks read) its first post; that must reach the disk
        # within a second, without any clean shutdown.
        assert wait_for(first_post_marked_read, 60)
    finally:
        process.kill()
        process.wait()
    assert first_post_marked_read()
    assert not list((tmp_path / "data").glob("*.tmp"))
