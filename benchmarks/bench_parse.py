"""Parse throughput on a generated corpus (default: 1,500 posts ≈ 25 MB, seed 0).

    .venv/bin/python benchmarks/bench_parse.py [--posts 1500] [--seed 0] [--repeat 5]

Prints one table: each stage's best and median wall time over the repeats, CPU time, and MB/s
(of UTF-8 input). "parse_file" is the whole job (read + decode + parse); the other rows
break it down. "Markdown, all posts" is the cost of `Post.markdown` for every post, which the
parser no longer pays: a dump post's Markdown is derived when it is asked for. "parse_paths
(Markdown folder)" reads the same posts written as one Markdown file each (YAML front matter,
then the post's Markdown), as an archive of Markdown posts is opened; its MB/s are of those files.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
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
from reader.core.markdown_files import parse_markdown_text
from reader.core.markdown_text import paragraphs_to_markdown
from reader.core.model import Post
from reader.core.parser import parse_dump_text, parse_file, parse_paths


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
        markdown_folder = Path(folder) / "markdown"
        markdown_folder.mkdir()
        files = [_markdown_file(post) for post in posts]
        for number, text in enumerate(files):
            (markdown_folder / f"{number:05d}.md").write_text(text, encoding="utf-8")
        file_bytes = [text.encode("utf-8") for text in files]
        markdown_mb = sum(map(len, file_bytes)) / 1e6
        folder_stages: list[tuple[str, Callable[[], object]]] = [
            ("parse_paths (Markdown folder)", lambda: parse_paths([markdown_folder])),
            ("  decode bytes", lambda: [decode_bytes(b, "x") for b in file_bytes]),
            ("  Markdown files", lambda: [parse_markdown_text(t, "x.md") for t in files]),
        ]
        folder_rows = [(name, *_time(function, args.repeat)) for name, function in folder_stages]

    print(f"corpus: {args.posts} posts, seed {args.seed}, {megabytes:.1f} MB UTF-8, "
          f"{len(lines):,} lines (generated in {generate_seconds:.2f} s)")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'stage':30} {'best ms':>9} {'median ms':>10} {'cpu ms':>8} {'MB/s':>7}")
    for size, table in ((megabytes, rows), (markdown_mb, folder_rows)):
        for name, best, median, cpu in table:
            print(f"{name:30} {best * 1000:9.0f} {median * 1000:10.0f} {cpu * 1000:8.0f} "
                  f"{size / best:7.1f}")
    return 0


def _markdown_file(post: Post) -> str:
    """The post as a Markdown file with front matter (a JSON string is a YAML scalar)."""
    date = post.date.isoformat() if post.date else ""
    return (
        f"---\ntitle: {json.dumps(post.title, ensure_ascii=False)}\ndate: {date}\n"
        f"author: {json.dumps(post.author, ensure_ascii=False)}\nreaders: {post.readers or 0}\n"
        f"---\n\n{post.markdown}\n"
    )


if __name__ == "__main__":
    sys.exit(main())
