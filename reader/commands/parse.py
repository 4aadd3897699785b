"""`kexue-reader-cli parse`: read dumps and Markdown files, print the posts and diagnostics."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence

from reader.core.model import Diagnostic, ParseResult
from reader.core.parser import parse_paths

HELP = "Read homepage dumps (.txt), Markdown files and folders; list the posts found."

# Consecutive skipped-chrome diagnostics are summarised in the human-readable output.
_SHOWN_PER_GROUP = 3
_POSTS_LISTED = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a dump (.txt), a Markdown file (.md) or a folder (read recursively)")
    parser.add_argument("--json", action="store_true",
                        help='print {"posts": [...], "diagnostics": [...]} as JSON')


def _summary_lines(result: ParseResult, paths: Sequence[str]) -> list[str]:
    lines = [f"{len(result.posts)} post(s) read from {len(paths)} path(s)."]
    per_source = Counter(post.source for post in result.posts)
    for source, count in per_source.items():
        lines.append(f"  {source}: {count} post(s)")
    if result.posts:
        lines.append("")
        for post in result.posts[:_POSTS_LISTED]:
            date = post.date.isoformat() if post.date else "no date"
            readers = f"{post.readers:,} readers" if post.readers is not None else "readers unknown"
            lines.append(f"  {date}  {post.title}  ({readers}; {post.source}:{post.line})")
        if len(result.posts) > _POSTS_LISTED:
            lines.append(f"  … and {len(result.posts) - _POSTS_LISTED} more (use --json for all)")
    if result.diagnostics:
        lines.append("")
        lines.append(f"{len(result.diagnostics)} diagnostic(s):")
        lines.extend(_diagnostic_lines(result.diagnostics))
    return lines


def _diagnostic_lines(diagnostics: Sequence[Diagnostic]) -> list[str]:
    lines: list[str] = []
    run: list[Diagnostic] = []

    def flush() -> None:
        for diagnostic in run[:_SHOWN_PER_GROUP]:
            lines.append(_format(diagnostic))
        if len(run) > _SHOWN_PER_GROUP:
            lines.append(f"  … and {len(run) - _SHOWN_PER_GROUP} more skipped line(s) like these "
                         "(use --json to see them all)")
        run.clear()

    for diagnostic in diagnostics:
        if diagnostic.severity == "info" and "skipped" in diagnostic.message and (
                not run or run[-1].source == diagnostic.source):
            run.append(diagnostic)
            continue
        flush()
        lines.append(_format(diagnostic))
    flush()
    return lines


def _format(diagnostic: Diagnostic) -> str:
    where = diagnostic.source + (f":{diagnostic.line}" if diagnostic.line is not None else "")
    return f"  {diagnostic.severity}: {where}: {diagnostic.message}"


def run(args: argparse.Namespace) -> int:
    result = parse_paths(args.paths)
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write("\n".join(_summary_lines(result, args.paths)) + "\n")
    return 1 if result.has_errors else 0
