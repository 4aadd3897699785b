"""Prints how long building the search index takes: each build's wall clock and CPU time, a
process's first build apart from the later ones.

    .venv/bin/python benchmarks/build_index.py [--vocabulary wide|narrow] [--posts 1500]
        [--builds 5] [--code CHECKOUT]

The corpus is the search benchmark's (reader.core.corpus.generate_dump, seed 0, through the real
parser); the process builds a 10-post index first (imports and numpy's first calls), then the
whole one `--builds` times, dropping each index before the next. `--code` builds with another
checkout's `reader` package, for A/B runs: alternate processes of the two, the machine's speed
drifts by more than a build change saves.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocabulary", choices=("wide", "narrow"), default="wide")
    parser.add_argument("--posts", type=int, default=1500)
    parser.add_argument("--builds", type=int, default=5)
    parser.add_argument("--code", type=Path, help="checkout whose reader package builds")
    args = parser.parse_args()
    code = args.code or Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(code.resolve()))

    from reader.core.corpus import generate_dump
    from reader.core.index import SearchIndex
    from reader.core.parser import parse_dump_text

    posts = parse_dump_text(generate_dump(args.posts, 0, args.vocabulary), "<generated>").posts
    SearchIndex.build(posts[:10])
    walls, cpus = [], []
    for _ in range(args.builds):
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        index = SearchIndex.build(posts)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        del index
    print(
        f"{len(posts)} posts ({args.vocabulary} vocabulary), code of {code}: "
        f"{args.builds} builds in one process"
    )
    print("wall s: " + ", ".join(f"{t:.3f}" for t in walls))
    print("CPU s:  " + ", ".join(f"{t:.3f}" for t in cpus))
    if len(walls) > 1:
        print(
            f"first {walls[0]:.3f} s ({cpus[0]:.2f} s CPU); later {min(walls[1:]):.3f}–"
            f"{max(walls[1:]):.3f} s ({min(cpus[1:]):.2f}–{max(cpus[1:]):.2f} s CPU)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
