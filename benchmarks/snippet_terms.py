"""Prints how many snippets of multi-term searches show every term, and what they cost.

    .venv/bin/python benchmarks/snippet_terms.py [--vocabulary wide|narrow] [--posts 1500]
        [--shown 20] [--code CHECKOUT]

The corpus and the multi-term queries are the search benchmark's (bench_search.make_queries,
its "2-3 terms" kind, plus a few mixing English and TeX with Chinese). For each query: the
snippets of its first `--shown` hits, how many mark every term, and the time to make them (best
of 7, terms remembered, so that the search itself is not timed). `--code` runs another
checkout's `reader` package, for A/B runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

MIXED = ["softmax 梯度", "\\boldsymbol 矩阵", "注意力 bert", "梯度 下降 优化", "transformer 位置"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocabulary", choices=("wide", "narrow"), default="wide")
    parser.add_argument("--posts", type=int, default=1500)
    parser.add_argument("--shown", type=int, default=20)
    parser.add_argument("--code", type=Path, help="checkout whose reader package searches")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    sys.path.insert(0, str((args.code or here.parent).resolve()))

    from reader.core.corpus import generate_dump
    from reader.core.index import SearchIndex
    from reader.core.normalize import normalize
    from reader.core.parser import parse_dump_text

    # Only now: bench_search puts this checkout first on the path.
    make_queries = importlib.import_module("bench_search").make_queries

    posts = parse_dump_text(generate_dump(args.posts, 0, args.vocabulary), "<generated>").posts
    index = SearchIndex.build(posts)
    queries = [q for kind, q in make_queries(posts, 180, 0) if kind == "2-3 terms"] + MIXED
    shown_all = made = 0
    total_ms = 0.0
    for query in queries:
        terms = [normalize(term) for term in query.split()]
        hits = index.search(query, limit=args.shown).hits
        for hit in hits:
            marked = [normalize(hit.snippet.text[a:b]) for a, b in hit.snippet.spans]
            shown_all += all(any(term in span for span in marked) for term in terms)
        made += len(hits)
        best = float("inf")
        for _ in range(7):
            hits = index.search(query, limit=args.shown).hits
            started = time.perf_counter()
            for hit in hits:
                hit.snippet  # noqa: B018 - made on first use: this is what is timed
            best = min(best, time.perf_counter() - started)
        total_ms += best * 1000
    print(f"{len(posts)} posts ({args.vocabulary}), code of {args.code or here.parent}")
    print(
        f"{len(queries)} queries, {made} snippets: {shown_all} ({shown_all / max(made, 1):.0%}) "
        f"mark every term; snippets made in {total_ms:.2f} ms in all, "
        f"{1000 * total_ms / max(made, 1):.1f} us each"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
