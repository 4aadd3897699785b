"""`kexue-reader --self-test` from the source tree, run as a separate process like a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.core.parser import parse_file
from reader.ui import selftest
from reader.ui.app import sample_path

ROOT = Path(__file__).resolve().parent.parent


def run_self_test(*args: str, **env: str) -> tuple[int, list[dict], str]:
    """Exit code, the JSON objects printed on stdout, and stderr; `args` after --self-test."""
    environment = {**os.environ, **env}
    # As a user would start it: no offscreen platform or Chromium flags set by the caller.
    for name in ("QT_QPA_PLATFORM", "QTWEBENGINE_CHROMIUM_FLAGS", "DISPLAY", "WAYLAND_DISPLAY"):
        if name not in env:
            environment.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "reader", "--self-test", *args], cwd=ROOT,
                          env=environment, capture_output=True, text=True, encoding="utf-8",
                          timeout=180)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, lines, done.stderr


def test_self_test_with_the_index_cache_switched_off_keeps_nothing() -> None:
    code, reports, stderr = run_self_test("--no-index-cache")
    assert len(reports) == 1, f"expected one JSON line, got {reports!r}\n{stderr[-2000:]}"
    assert code == 0 and reports[0]["ok"] is True
    assert reports[0]["checks"]["index_kept"]["value"] == {
        "usable": True, "kept": 0, "switched_off": True}


def test_self_test_passes_from_source(tmp_path: Path) -> None:
    output = tmp_path / "self-test.json"
    code, reports, stderr = run_self_test(KEXUE_READER_SELFTEST_OUTPUT=str(output))
    assert len(reports) == 1, f"expected one JSON line, got {reports!r}\n{stderr[-2000:]}"
    report = reports[0]
    assert report["ok"] is True, json.dumps(report, ensure_ascii=False, indent=1)
    assert code == 0
    assert set(report["checks"]) >= {"library_loaded", "formula_post_found", "formulas_typeset",
                                      "formula_errors", "search", "index_kept", "closed"}
    assert report["checks"]["index_kept"]["value"] == {
        "usable": True, "kept": 1, "switched_off": False}
    assert report["checks"]["formulas_typeset"]["value"] > 0
    assert report["checks"]["search"]["value"]["total"] > 0
    timings = report["timings_ms"]
    assert 0 < timings["window_shown"] <= timings["first_post_typeset"]
    assert report["frozen"] is False
    assert json.loads(output.read_text(encoding="utf-8")) == report


def test_a_step_that_never_finishes_fails_cleanly() -> None:
    code, reports, _stderr = run_self_test(KEXUE_READER_SELFTEST_TIMEOUT="0.001")
    assert code == 1
    assert len(reports) == 1
    assert reports[0]["ok"] is False
    assert reports[0]["error"].startswith("timed out waiting for")


def test_prepare_environment_without_display(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QT_QPA_PLATFORM", "QTWEBENGINE_CHROMIUM_FLAGS", "DISPLAY", "WAYLAND_DISPLAY",
                 "KEXUE_READER_HOME"):
        monkeypatch.delenv(name, raising=False)
    selftest.prepare_environment()
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    if sys.platform.startswith("linux"):
        assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
        assert "--disable-gpu" in flags
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        assert "--no-sandbox" in flags
    home = Path(os.environ["KEXUE_READER_HOME"])
    assert home.is_dir() and not any(home.iterdir())


def test_prepare_environment_keeps_the_callers_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --lang=zh-CN")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.delenv("KEXUE_READER_HOME", raising=False)
    selftest.prepare_environment()
    flags = os.environ["QTWEBENGINE_CHROMIUM_FLAGS"].split()
    assert flags.count("--no-sandbox") == 1
    assert "--lang=zh-CN" in flags


def test_the_sample_has_the_formula_post() -> None:
    posts = list(parse_file(sample_path()).posts)
    post = selftest.pick_formula_post(posts)
    assert post is not None
    assert selftest.FORMULA_POST_TITLE in post.title
    assert "\\begin{equation}" in post.markdown


def test_process_age_is_known_here() -> None:
    age = selftest.process_age_s()
    if sys.platform.startswith("linux") or sys.platform == "win32":
        assert age is not None and 0 <= age < 3600
