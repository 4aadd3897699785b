"""Parse throughput on a generated corpus (default: 1,500 posts ≈ 25 MB, seed 0).

    .venv/bin/python benchmarks/bench_parse.py [--posts 1500] [--seed 0] [--repeat 5]

Prints one table: each stage's best and median wall time over the repeats, CPU time, and MB/s
(of UTF-8 input). "parse_file" is the whole job (read + decode + parse); the other rows
break it down. "Markdown, all posts" is the cost of `Post.markdown` for every post, which the
parser no longer pays: a dump post's Markdown is derived when it is asked for.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.core.corpus import generate_corpus
from reader.core.decoding import decode_bytes
from reader.core.dump_format import parse_dump_lines, split_lines
from reader.core.markdown_text import paragraphs_to_markdown
from reader.core.parser import parse_dump_text, parse_file


def _time(function: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """(best wall, median wall, best CPU) in seconds."""
    walls, cpus = [], []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), statistics.median(walls), min(cpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    corpus = generate_corpus(args.posts, args.seed)
    generate_seconds = time.perf_counter() - started
    data = corpus.text.encode("utf-8")
    megabytes = len(data) / 1e6
    lines = split_lines(corpus.text)
    posts = parse_dump_text(corpus.text).posts
    assert len(posts) == args.posts, "the parser must read back every generated post"

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.txt"
        path.write_bytes(data)
        stages: list[tuple[str, Callable[[], object]]] = [
            ("parse_file (all)", lambda: parse_file(path)),
            ("parse_dump_text", lambda: parse_dump_text(corpus.text)),
            ("  decode bytes", lambda: decode_bytes(data, "x")),
            ("  split lines", lambda: split_lines(corpus.text)),
            ("  dump format", lambda: parse_dump_lines(lines, "x")),
            ("Markdown, all posts", lambda: [paragraphs_to_markdown(p.paragraphs) for p in posts]),
        ]
        rows = [(name, *_time(function, args.repeat)) for name, function in stages]

    print(f"corpus: {args.posts} posts, seed {args.seed}, {megabytes:.1f} MB UTF-8, "
          f"{len(lines):,} lines (generated in {generate_seconds:.2f} s)")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'stage':22} {'best ms':>9} {'median ms':>10} {'cpu ms':>8} {'MB/s':>7}")
    for name, best, median, cpu in rows:
        print(f"{name:22} {best * 1000:9.0f} {median * 1000:10.0f} {cpu * 1000:8.0f} "
              f"{megabytes / best:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
