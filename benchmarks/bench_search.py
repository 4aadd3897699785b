"""Search benchmark: build time, memory and query latency of reader.core.index and its peers.

    .venv/bin/python benchmarks/bench_search.py          # 1,500 posts (about 25 MB), all peers
    .venv/bin/python benchmarks/bench_search.py --vocabulary narrow   # ~300 Han characters
    .venv/bin/python benchmarks/bench_search.py --posts 50000 --peers brute --check 20
    .venv/bin/python benchmarks/bench_search.py --peers none --cpu   # ours only, in CPU time
    .venv/bin/python benchmarks/bench_search.py --punctuation site   # Markdown sources' text

The corpus comes from reader.core.corpus (generate_dump) through the real parser, with the wide
vocabulary by default (thousands of Han characters, as in the archive; `--vocabulary narrow` for
the ~300-character one, whose repeated phrases make every character pair far more frequent).
The query set is drawn from the corpus text with a fixed seed: 1-4 Chinese characters, English
words, TeX fragments, phrases, several terms and negations, plus a few that match nothing. Every
peer answers the same queries on the same folded text; result sets are checked against the scan.
Timings print; nothing is asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peers.search_peers import BruteForce, Fts5Trigram, TantivyBigrams

from reader.core.corpus import generate_dump
from reader.core.index import SearchIndex
from reader.core.normalize import normalize
from reader.core.parser import parse_dump_text
from reader.core.query import parse_query

_clock = time.perf_counter
"""What builds and queries are timed with: wall clock, or with --cpu this process's CPU time
(steadier when other work shares the cores, but blind to waiting)."""

_HAN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[A-Za-z]{3,}")
_TEX = re.compile(r"\\[A-Za-z]+(?:\{[A-Za-z]\}| [A-Za-z])?")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def make_queries(posts: list, n: int, seed: int) -> list[tuple[str, str]]:
    """(category, query) pairs drawn from the posts' text."""
    rng = random.Random(seed)
    paragraphs = [p for post in posts for p in post.paragraphs]

    def sample(pattern: re.Pattern[str], length: int | None = None) -> str:
        while True:
            found = pattern.findall(rng.choice(paragraphs))
            found = [f for f in found if length is None or len(f) >= length]
            if found:
                text = rng.choice(found)
                if length is None:
                    return text
                start = rng.randrange(len(text) - length + 1)
                return text[start : start + length]

    makers: list[tuple[str, Callable[[], str]]] = [
        ("1 Han char", lambda: sample(_HAN, 1)),
        ("2 Han chars", lambda: sample(_HAN, 2)),
        ("3 Han chars", lambda: sample(_HAN, 3)),
        ("4 Han chars", lambda: sample(_HAN, 4)),
        ("English word", lambda: sample(_WORD)),
        ("TeX fragment", lambda: f'"{sample(_TEX)}"'),
        ("2-3 terms", lambda: " ".join(sample(_HAN, rng.randint(2, 4)) for _ in range(2))),
        ("negation", lambda: f"{sample(_HAN, 2)} -{sample(_HAN, rng.randint(2, 3))}"),
        (
            "no match",
            lambda: rng.choice(["量子纠缠", "blockchain", "\\oint", "龘"]) + str(rng.randint(0, 9)),
        ),
    ]
    queries = []
    for i in range(n):
        category, make = makers[i % len(makers)]
        queries.append((category, make()))
    return queries


def site_punctuation(posts: list) -> list:
    """The posts with the site's punctuation in their paragraphs (see --punctuation)."""
    full_width = str.maketrans({",": "，", ":": "：", "?": "？"})
    changed = []
    count = 0
    for post in posts:
        paragraphs = []
        for paragraph in post.paragraphs:
            paragraph = paragraph.translate(full_width)
            if count % 10 == 0:
                paragraph = paragraph.replace("。", "……", 1)
            count += 1
            paragraphs.append(paragraph)
        changed.append(dataclasses.replace(post, paragraphs=tuple(paragraphs)))
    return changed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_queries(
    search: Callable[[str], object], queries: list[str], repeat: int
) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {}
    for query in queries:
        search(query)  # warm
        for _ in range(repeat):
            started = _clock()
            search(query)
            samples.setdefault(query, []).append((_clock() - started) * 1000)
    return samples


def summary(samples: dict[str, list[float]], only: set[str] | None = None) -> tuple[float, float]:
    values = [v for q, vs in samples.items() if only is None or q in only for v in vs]
    return (statistics.median(values), percentile(values, 0.99)) if values else (float("nan"),) * 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--vocabulary",
        choices=("wide", "narrow"),
        default="wide",
        help="corpus vocabulary (see reader.core.corpus.generate_corpus; default wide)",
    )
    parser.add_argument(
        "--punctuation",
        choices=("dump", "site"),
        default="dump",
        help="the dump's half-width punctuation (default), or the site's, as Markdown sources "
        "have it: full-width commas, colons and question marks, and `……` in every tenth "
        "paragraph",
    )
    parser.add_argument("--queries", type=int, default=180, help="size of the query set")
    parser.add_argument("--page", type=int, default=50, help="hits per first page (default 50)")
    parser.add_argument(
        "--shown", type=int, default=20, help="snippets made per query, as a list shows (20)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    parser.add_argument(
        "--peers",
        default="brute,fts5,tantivy",
        help="comma-separated: brute, fts5, tantivy, or none (default: all)",
    )
    parser.add_argument(
        "--check", type=int, default=0, help="check only this many queries' result sets (0: all)"
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time builds and queries in CPU time of this process instead of wall clock",
    )
    args = parser.parse_args(argv)
    if args.cpu:
        global _clock
        _clock = time.process_time
    peers_wanted = {p for p in args.peers.split(",") if p and p != "none"}

    started = time.perf_counter()
    dump = generate_dump(args.posts, args.seed, args.vocabulary)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    posts = parse_dump_text(dump, "<generated>").posts
    parsed_s = time.perf_counter() - started
    if args.punctuation == "site":
        posts = site_punctuation(posts)
    text_bytes = sum(
        len(p.title.encode()) + sum(len(x.encode()) for x in p.paragraphs) for p in posts
    )
    text_chars = sum(len(p.title) + sum(map(len, p.paragraphs)) for p in posts)
    print(
        f"corpus ({args.vocabulary} vocabulary, {args.punctuation} punctuation): "
        f"{len(posts)} posts, "
        f"dump {len(dump.encode()) / 1e6:.1f} MB, indexed text "
        f"{text_bytes / 1e6:.1f} MB UTF-8 ({text_chars / 1e6:.1f} M chars); generated in "
        f"{generated:.1f} s, parsed in {parsed_s:.1f} s"
    )
    del dump
    queries = make_queries(posts, args.queries, args.seed)
    query_texts = [q for _, q in queries]

    # Ours.
    gc.collect()
    SearchIndex.build(posts[:10])  # load the Unicode tables once, outside the timing
    builds = []
    for _ in range(3 if args.posts <= 5000 else 1):
        started = _clock()
        index = SearchIndex.build(posts)
        builds.append(_clock() - started)
    ours_build = min(builds)

    def ours(query: str) -> None:
        index.forget_recent_terms()  # time every query cold, as if its terms were new
        for hit in index.search(query, limit=args.page).hits[: args.shown]:
            hit.snippet  # noqa: B018 (made on first use: this is the cost being measured)

    ours_samples = time_queries(ours, query_texts, args.repeat)
    rows = [("reader.core.index (ours)", ours_build, index.nbytes, ours_samples, None, "")]

    # The folded text every peer works on.
    started = time.perf_counter()
    folded = [[normalize(p.title), *(normalize(x) for x in p.paragraphs)] for p in posts]
    fold_s = time.perf_counter() - started
    print(f"folding the text for the peers: {fold_s:.2f} s (added to each peer's build time)")

    engines = []
    if "brute" in peers_wanted:
        engines.append(BruteForce())
    if "fts5" in peers_wanted:
        engines += [Fts5Trigram(), Fts5Trigram(like_fallback=True)]
    if "tantivy" in peers_wanted:
        engines.append(TantivyBigrams())
    parsed_queries = {q: parse_query(q) for q in query_texts}
    check = query_texts if not args.check else query_texts[: args.check]
    brute = BruteForce()
    brute.build(folded)
    expected = {q: brute.matches(parsed_queries[q]) for q in check}
    mismatches_ours = [q for q in check if _ours_ids(index, q) != expected[q]]
    rows[0] = (*rows[0][:4], mismatches_ours, f"checked {len(check)} queries against the scan")

    for engine in engines:
        gc.collect()
        before = rss_bytes()
        started = _clock()
        engine.build(folded)
        build_s = _clock() - started + fold_s
        memory = engine.nbytes() or (rss_bytes() - before)
        repeat = 1 if isinstance(engine, BruteForce) else args.repeat
        answerable = [q for q in query_texts if engine.search(parsed_queries[q], 1) is not None]
        samples = time_queries(
            lambda q, e=engine: e.search(parsed_queries[q], args.page), answerable, repeat
        )
        wrong = [
            q for q in check if q in answerable and engine.matches(parsed_queries[q]) != expected[q]
        ]
        note = engine.note + f"; answers {len(answerable)}/{len(query_texts)} queries"
        rows.append((engine.name, build_s, memory, samples, wrong, note))
        del engine

    print()
    print(
        f"{len(query_texts)} queries, first page of {args.page} (+ total; ours also makes "
        f"{args.shown} snippets), {args.repeat} timed runs each; ratios compare with ours on the "
        "queries that peer answers; times in " + ("CPU time" if args.cpu else "wall clock")
    )
    print()
    print(
        "| engine | build s | memory MB | p50 ms | p99 ms | p50 / ours | p99 / ours | wrong sets |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, build_s, memory, samples, wrong, _ in rows:
        p50, p99 = summary(samples)
        o50, o99 = summary(ours_samples, set(samples))
        print(
            f"| {name} | {build_s:.2f} | {memory / 1e6:.0f} | {p50:.2f} | {p99:.2f} | "
            f"{p50 / o50:.1f}x | {p99 / o99:.1f}x | {len(wrong) if wrong is not None else '-'} |"
        )
    print()
    for name, *_, wrong, note in rows:
        print(f"- {name}: {note}" + (f"; wrong: {wrong[:5]}" if wrong else ""))
    print(
        f"- ours: index memory {index.nbytes / 1e6:.1f} MB = {index.nbytes / text_bytes:.2f}x the "
        f"indexed text's UTF-8 size; builds {', '.join(f'{b:.2f}' for b in builds)} s"
    )
    print()
    print("ours by query kind (ms):")
    for category in dict.fromkeys(c for c, _ in queries):
        subset = {q for c, q in queries if c == category}
        p50, p99 = summary(ours_samples, subset)
        totals = [index.search(q, limit=1).total for q in sorted(subset)[:10]]
        print(f"  {category:<14} p50 {p50:6.2f}  p99 {p99:6.2f}   e.g. totals {totals[:5]}")
    return 0


def _ours_ids(index: SearchIndex, query: str) -> set[int]:
    number = {id(p): i for i, p in enumerate(index.posts)}
    return {number[id(h.post)] for h in index.search(query, limit=None).hits}


if __name__ == "__main__":
    sys.exit(main())
