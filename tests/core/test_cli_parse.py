"""`kexue-reader-cli parse`: JSON output, the human summary and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from reader.cli import main

SEED = str(files("reader.resources") / "sample" / "kexue-homepage-sample.txt")
DATA = Path(__file__).resolve().parents[1] / "data"


def test_json_lists_posts_with_markdown_and_diagnostics(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", SEED, "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert len(output["posts"]) == 7
    first = output["posts"][0]
    assert set(first) >= {"id", "title", "author", "date", "readers", "source", "line", "markdown"}
    assert first["title"] == "强大的NVAE:以后再也不能说VAE生成的图像模糊了"
    assert first["date"] == "2020-07-10" and first["readers"] == 110996
    assert output["diagnostics"] == [
        {"source": SEED, "line": 30, "severity": "info",
         "message": output["diagnostics"][0]["message"]}
    ]


def test_json_keeps_chinese_unescaped(capsys: pytest.CaptureFixture[str]) -> None:
    main(["parse", SEED, "--json"])
    out = capsys.readouterr().out
    assert "苏剑林" in out and "\\u82cf" not in out


def test_warnings_still_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(DATA / "separators.txt"), "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert [d["severity"] for d in output["diagnostics"]] == ["warning"]


def test_unreadable_input_exits_one_and_still_prints_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["parse", str(DATA / "binary.txt"), SEED, "--json"]) == 1
    output = json.loads(capsys.readouterr().out)
    assert len(output["posts"]) == 7
    assert any(d["severity"] == "error" for d in output["diagnostics"])


def test_missing_file_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(DATA / "nope.txt")]) == 1
    assert "No such file" in capsys.readouterr().out


def test_human_summary_counts_posts_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", SEED, str(DATA / "concatenated-pages.txt")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("10 post(s) read from 2 path(s).")
    assert f"{SEED}: 7 post(s)" in out
    assert "concatenated-pages.txt: 3 post(s)" in out
    assert "110,996 readers" in out
    assert "more skipped line(s)" in out  # long runs of chrome lines are summarised
    assert "already read" in out


def test_usage_errors_exit_two() -> None:
    with pytest.raises(SystemExit) as no_paths:
        main(["parse"])
    assert no_paths.value.code == 2
    with pytest.raises(SystemExit) as bad_option:
        main(["parse", SEED, "--no-such-option"])
    assert bad_option.value.code == 2


def test_console_script_runs_as_a_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reader.cli", "parse", SEED, "--json"],
        capture_output=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout.decode("utf-8"))["posts"]) == 7
    usage = subprocess.run([sys.executable, "-m", "reader.cli", "parse"], capture_output=True,
                           check=False)
    assert usage.returncode == 2


def test_human_summary_of_a_large_corpus_stays_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reader.core.corpus import generate_dump

    path = tmp_path / "big.txt"
    path.write_text(generate_dump(80, seed=4), encoding="utf-8")
    assert main(["parse", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("80 post(s) read from 1 path(s).")
    assert "… and 30 more (use --json for all)" in out
    assert len(out.splitlines()) < 60
