"""`kexue-reader-cli check-render` as a user runs it: a real process rendering offscreen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

GOOD = """---
title: 好的<文章>
date: 2020-01-02
---
公式$\\alpha+\\beta$和

\\begin{equation}x = \\frac{1}{2}\\label{eq:a}\\end{equation}

引用$\\eqref{eq:a}$。
"""
BAD = """---
title: 坏的文章
date: 2020-01-03
---
坏公式$\\frac{1}{$和$\\nosuch{x}$。
"""


def check_render(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    return subprocess.run([sys.executable, "-m", "reader.cli", "check-render", *args],
                          capture_output=True, text=True, timeout=180, env=env)


def test_reports_formulas_text_and_errors(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.md").write_text(BAD, encoding="utf-8")
    done = check_render("--corpus", str(tmp_path), "--json")
    assert done.returncode == 1, done.stderr
    posts = {p["title"]: p for p in json.loads(done.stdout)["posts"]}
    good, bad = posts["好的<文章>"], posts["坏的文章"]
    assert good["formulas"] == ["\\alpha+\\beta",
                                "\\begin{equation}x = \\frac{1}{2}\\label{eq:a}\\end{equation}",
                                "\\eqref{eq:a}"]
    assert good["errors"] == []
    assert good["text"].startswith("好的<文章>\n") and "引用(1)。" in good["text"]
    assert good["ms"] > 0
    assert {(e["tex"], e["message"].split(":")[0]) for e in bad["errors"]} == {
        ("\\nosuch{x}", "Undefined control sequence \\nosuch"), ("\\frac{1}{", "Not typeset")}


def test_one_post_by_id_and_exit_zero_when_clean(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.md").write_text(BAD, encoding="utf-8")
    listed = json.loads(subprocess.run(
        [sys.executable, "-m", "reader.cli", "parse", str(tmp_path / "good.md"), "--json"],
        capture_output=True, text=True, check=True).stdout)
    good_id = listed["posts"][0]["id"]
    done = check_render("--corpus", str(tmp_path), "--post", good_id)
    assert done.returncode == 0, done.stderr
    assert "1 post(s), 3 formula(s), 0 error(s)" in done.stdout
    missing = check_render("--corpus", str(tmp_path), "--post", "nosuchid")
    assert missing.returncode == 2
    assert "no post with id nosuchid" in missing.stderr
