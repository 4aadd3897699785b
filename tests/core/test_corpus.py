"""The corpus generator: deterministic, realistic, and read back exactly by the parser."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from reader.core.corpus import generate_corpus, generate_dump
from reader.core.parser import parse_dump_text


def test_same_seed_same_text_other_seed_other_text() -> None:
    assert generate_dump(5, seed=11) == generate_dump(5, seed=11)
    assert generate_dump(5, seed=11) != generate_dump(5, seed=12)


@pytest.mark.parametrize("vocabulary", ["narrow", "wide"])
def test_parser_reads_back_exactly_the_generated_posts(vocabulary: str) -> None:
    corpus = generate_corpus(40, seed=5, chrome_every=7, vocabulary=vocabulary)
    result = parse_dump_text(corpus.text, "corpus")
    got = [(p.title, p.author, p.date, p.readers, p.paragraphs, p.line) for p in result.posts]
    want = [(p.title, p.author, p.date, p.readers, p.paragraphs, p.line) for p in corpus.posts]
    assert got == want
    assert sorted(d.line for d in result.diagnostics) == list(corpus.chrome_lines)
    assert all(d.severity == "info" for d in result.diagnostics)


def test_generated_text_looks_like_the_blog() -> None:
    corpus = generate_corpus(60, seed=0)
    size = len(corpus.text.encode("utf-8"))
    assert 10_000 * 60 < size < 24_000 * 60  # about 16 KB per post
    paragraphs = [p for post in corpus.posts for p in post.paragraphs]
    inline = sum(1 for p in paragraphs if re.search(r"\$[^$]+\$", p))
    display = [p for p in paragraphs if p.startswith(("\\begin{", "$$"))]
    multi_line = [p for p in display if "\n" in p]
    assert inline > len(paragraphs) // 5
    assert len(display) > 60 and len(multi_line) > 10
    assert any("\\begin{aligned}" in p for p in multi_line)
    assert all(re.search(r"\\label\{eq:", p) for p in display if p.startswith("\\begin{equation}"))
    assert re.search(r"[\u4e00-\u9fff]{20}", corpus.text)
    assert re.search(r"\b(BERT|Transformer|softmax|GPT)\b", corpus.text)
    years = {post.date.year for post in corpus.posts}
    assert min(years) >= 2009 and max(years) <= 2025 and len(years) > 5
    assert len({post.title for post in corpus.posts}) == len(corpus.posts)


def test_command_line_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "corpus.txt"
    done = subprocess.run(
        [sys.executable, "-m", "reader.core.corpus", "3", "--seed", "2", "-o", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == generate_dump(3, seed=2)


def test_wide_vocabulary_is_as_varied_as_real_text() -> None:
    """The narrow vocabulary repeats ~300 Han characters; the wide one has thousands, like the
    archive (its 7-post sample alone has ~490 distinct Han characters in 3,300 characters)."""
    narrow, wide = (
        "".join(sum((post.paragraphs for post in generate_corpus(150, 1, vocabulary=v).posts), ()))
        for v in ("narrow", "wide")
    )

    def han(text: str) -> set[str]:
        return set(re.findall(r"[\u4e00-\u9fff]", text))

    assert len(han(narrow)) < 400 < 2500 < len(han(wide))
    assert len(han(wide[:3300])) > 350
    assert 0.8 < len(wide.encode()) / len(narrow.encode()) < 1.3  # about the same size per post
