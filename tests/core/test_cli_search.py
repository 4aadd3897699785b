"""`kexue-reader-cli search`: one index, one or many queries, JSON and text output."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.corpus import generate_dump
from reader.core.parser import parse_dump_text
from reader.core.query import reference_search


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "dump.txt"
    path.write_text(generate_dump(12, seed=3), encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["search", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_one_query_as_json(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, "--corpus", str(corpus), "向量", "--limit", "3")
    posts = parse_dump_text(corpus.read_text(encoding="utf-8")).posts
    assert report["posts"] == len(posts) == 12
    assert report["build_ms"] >= 0
    (answer,) = report["queries"]
    assert answer["query"] == "向量"
    assert answer["total"] == len(reference_search(posts, "向量"))
    assert 0 < len(answer["results"]) <= 3
    first = answer["results"][0]
    assert set(first) >= {"id", "title", "date", "readers", "score", "snippet"}
    snippet = first["snippet"]
    assert [snippet["text"][a:b] for a, b in snippet["spans"]][:1] == ["向量"]


def test_queries_file_limit_zero_and_sort(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text('梯度\n\n"\\log N"\n-向量\nyear:1999\n', encoding="utf-8")
    report = run_json(
        capsys, "--corpus", str(corpus), "--queries", str(queries), "--limit", "0", "--sort", "date"
    )
    posts = parse_dump_text(corpus.read_text(encoding="utf-8")).posts
    answers = report["queries"]
    assert [a["query"] for a in answers] == ["梯度", '"\\log N"', "-向量", "year:1999"]
    for answer in answers:
        expected = reference_search(posts, answer["query"])
        assert answer["total"] == len(answer["results"]) == len(expected)
        assert sorted(r["id"] for r in answer["results"]) == sorted(expected)
        dates = [r["date"] for r in answer["results"]]
        assert dates == sorted(dates, reverse=True)


def test_human_output_marks_matches(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--corpus", str(corpus), "--limit", "1", "梯度"]) == 0
    out = capsys.readouterr().out
    assert "post(s) indexed" in out and "[[梯度]]" in out


def test_usage_errors(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--corpus", str(corpus)]) == 2
    assert "QUERY or --queries" in capsys.readouterr().err
    assert main(["search", "--corpus", str(corpus), "--queries", "/nonexistent/q.txt"]) == 2
    assert "cannot read the queries file" in capsys.readouterr().err
    assert main(["search", "--corpus", str(corpus), "x", "--limit", "-1"]) == 2


def test_unreadable_corpus_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "missing.txt"
    monkeypatch.setattr("sys.stdin", io.StringIO("向量\n"))
    assert main(["search", "--corpus", str(missing), "--queries", "-", "--json"]) == 1
    captured = capsys.readouterr()
    assert "missing.txt" in captured.err
    assert json.loads(captured.out)["posts"] == 0
