"""`kexue-reader-cli search`: index dumps and Markdown files, answer one query or a file of them."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from reader.core.index import SearchIndex, SearchResults
from reader.core.parser import parse_paths

HELP = (
    "Search posts the way a browser's find does (exact text, Chinese included) and print the "
    "ranked results; one index answers every query of --queries."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query",
        nargs="?",
        help='the query: words, "a phrase", -excluded, title:x, author:x, year:2020 or '
        "year:2019..2021",
    )
    parser.add_argument(
        "--corpus",
        nargs="+",
        required=True,
        metavar="PATH",
        help="dumps (.txt), Markdown files (.md) or folders to index",
    )
    parser.add_argument(
        "--queries",
        metavar="FILE",
        help="answer every line of FILE as a query ('-' reads standard input); blank lines skipped",
    )
    parser.add_argument(
        "--limit", type=int, default=10, help="results shown per query (0: all); default 10"
    )
    parser.add_argument("--sort", choices=("score", "date", "readers"), default="score")
    parser.add_argument(
        "--json",
        action="store_true",
        help='print {"posts", "build_ms", "queries": [{"query", "total", "took_ms", "results"}]}; '
        'each snippet is {"text", "spans": [[start, end], ...]} (offsets in characters of text)',
    )


def _read_queries(args: argparse.Namespace) -> list[str] | str:
    """The queries to answer, or an error message."""
    # `--corpus A B 向量`: --corpus takes every word, so a last one that is no path is the query.
    if (
        args.query is None
        and args.queries is None
        and len(args.corpus) > 1
        and not Path(args.corpus[-1]).exists()
    ):
        args.query = args.corpus.pop()
    if args.query is not None and args.queries is not None:
        return "give either a QUERY or --queries FILE, not both"
    if args.query is not None:
        return [args.query]
    if args.queries is None:
        return "give a QUERY or --queries FILE"
    try:
        if args.queries == "-":
            text = sys.stdin.read()
        else:
            text = Path(args.queries).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return f"cannot read the queries file {args.queries}: {error}"
    return [line.strip() for line in text.splitlines() if line.strip()]


def _result_json(results: SearchResults, took_ms: float) -> dict[str, object]:
    entry: dict[str, object] = {
        "query": results.query,
        "total": results.total,
        "took_ms": round(took_ms, 3),
        "results": [
            {
                "id": hit.post.id,
                "title": hit.post.title,
                "date": hit.post.date.isoformat() if hit.post.date else None,
                "readers": hit.post.readers,
                "score": round(hit.score, 4),
                "title_match": hit.title_match,
                "snippet": hit.snippet.to_json(),
            }
            for hit in results.hits
        ],
    }
    if results.message:
        entry["message"] = results.message
    return entry


def _result_lines(results: SearchResults, took_ms: float) -> list[str]:
    lines = [f"{results.query!r}: {results.total} post(s) ({took_ms:.2f} ms)"]
    if results.message:
        lines.append(f"  note: {results.message}")
    for rank, hit in enumerate(results.hits, start=1):
        date = hit.post.date.isoformat() if hit.post.date else "no date"
        readers = f"{hit.post.readers:,} readers" if hit.post.readers is not None else "?"
        mark = " (title)" if hit.title_match else ""
        lines.append(f"  {rank:>3}. {hit.post.title}  [{date}, {readers}, {hit.score:.2f}{mark}]")
        if hit.snippet.text:
            lines.append(f"       {hit.snippet.marked()}")
    return lines


def run(args: argparse.Namespace) -> int:
    queries = _read_queries(args)
    if isinstance(queries, str):
        print(f"kexue-reader-cli search: {queries}", file=sys.stderr)
        return 2
    if args.limit < 0:
        print("kexue-reader-cli search: --limit must be 0 (all) or more", file=sys.stderr)
        return 2
    parsed = parse_paths(args.corpus)
    for diagnostic in parsed.diagnostics:
        if diagnostic.severity == "error":
            where = diagnostic.source + (f":{diagnostic.line}" if diagnostic.line else "")
            print(f"error: {where}: {diagnostic.message}", file=sys.stderr)
    started = time.perf_counter()
    index = SearchIndex.build(parsed.posts)
    build_ms = (time.perf_counter() - started) * 1000
    answers: list[tuple[SearchResults, float]] = []
    for query in queries:
        started = time.perf_counter()
        results = index.search(query, sort=args.sort, limit=args.limit or None)
        answers.append((results, (time.perf_counter() - started) * 1000))
    if args.json:
        report = {
            "posts": len(parsed.posts),
            "build_ms": round(build_ms, 1),
            "queries": [_result_json(results, took) for results, took in answers],
        }
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        lines = [f"{len(parsed.posts)} post(s) indexed in {build_ms:.0f} ms."]
        for results, took in answers:
            lines.append("")
            lines.extend(_result_lines(results, took))
        sys.stdout.write("\n".join(lines) + "\n")
    return 1 if parsed.has_errors else 0
