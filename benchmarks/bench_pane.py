"""Reading pane timings: select → first screen typeset, revisit, full typeset per formula, and the
naive approach (a fresh setHtml page with MathJax's combined tex-chtml.js per post) for comparison.

    .venv/bin/python benchmarks/bench_pane.py [--repeat 3]

Posts are built from the generated corpus (reader.core.corpus + the parser): realistic paragraphs
taken in order until the post has the wanted number of formulas.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.commands.check_render import prepare_qt_environment
from reader.core.corpus import generate_dump
from reader.core.model import Post, post_id
from reader.core.parser import parse_dump_text
from reader.core.render import clear_render_cache, render_post_html

MATH = re.compile(r'class="arithmatex"')
TARGET_FIRST_MS = 100.0
TARGET_REVISIT_MS = 50.0
TARGET_PER_FORMULA_MS = 2.0


def build_post(paragraph_pool: list[str], formulas: int, name: str) -> Post:
    chosen: list[str] = []
    count = 0
    for paragraph in paragraph_pool:
        n = len(MATH.findall(render_post_html(_post(name, [paragraph]))))
        if n == 0 and len(chosen) % 3:
            continue  # keep the text dense in formulas, as the math-heavy posts are
        chosen.append(paragraph)
        count += n
        if count >= formulas:
            break
    return _post(name, chosen)


def _post(title: str, paragraphs: list[str]) -> Post:
    date = dt.date(2024, 1, 1)
    return Post(id=post_id(title, date), title=title, author="苏剑林", date=date, readers=1,
                paragraphs=tuple(paragraphs),
                source="<bench>", line=1)


NAIVE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<script>
window.MathJax = {{
  loader: {{paths: {{mathjax: 'kexue://app/mathjax',
                    'mathjax-newcm': 'kexue://app/mathjax/fonts/mathjax-newcm'}}}},
  output: {{font: 'mathjax-newcm', fontPath: 'kexue://app/mathjax/fonts/mathjax-newcm'}},
  tex: {{inlineMath: [['\\\\(', '\\\\)']], tags: 'ams'}},
  // Speech needs fetch(), which Chromium refuses for custom schemes: without it the naive page
  // is faster than it would really be, so the ratio printed is conservative.
  options: {{menuOptions: {{settings: {{enrich: false, speech: false, braille: false}}}}}},
  startup: {{pageReady() {{
    return MathJax.startup.defaultPageReady().then(() => {{ document.title = 'done'; }});
  }}}}
}};
</script>
<script src="kexue://app/mathjax/tex-chtml.js"></script></head>
<body><h1>{title}</h1>{body}</body></html>"""


def process_cpu_ms(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc; 10 ms resolution), NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def first_screen_breakdown(pane, post: Post, filler: Post, show, wait) -> str:
    """One more first visit of `post` right after `filler`, as in the timed runs, with the
    page's milestones (kexue.timings()) put on the clock of show_post()."""
    from reader.core.render import clear_render_cache

    pane.run_js("kexue.forget()")
    show(filler)
    pane.run_js("kexue.timings()")  # drop earlier milestones
    clear_render_cache()
    wall_start = time.time() * 1000
    first, _full, _result = show(post)
    box: list[str] = []
    pane.run_js("JSON.stringify(kexue.timings())", box.append)
    wait(lambda: box)
    marks = json.loads(box[0])
    origin = next(float(m.split()[1]) for m in marks if m.startswith("origin "))
    offset = origin - wall_start  # Python → page: rendering the Markdown, then the page busy
    parts = [f"page starts {offset:.0f}"]
    for entry in marks:
        label, _, value = entry.rpartition(" ")
        if label in ("origin", "queued") or label.startswith("chunk"):
            continue
        parts.append(f"{label} {offset + float(value):.0f}")
        if label == "visible":
            break
    parts.append(f"post_shown in Python {first:.0f}")
    return " | ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median shown)")
    args = parser.parse_args()
    prepare_qt_environment()
    from reader.ui.scheme import register_scheme

    register_scheme()
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer, QUrl
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
    from PySide6.QtWebEngineWidgets import QWebEngineView
    from PySide6.QtWidgets import QApplication

    from reader.ui.readingpane import ReadingPane
    from reader.ui.scheme import SCHEME, AppSchemeHandler

    app = QApplication(["bench_pane"])
    pool = [p for post in parse_dump_text(generate_dump(400, seed=7)).posts
            for p in post.paragraphs]
    posts = {n: build_post(pool[i * 997 % len(pool):] + pool, n, f"bench-{n}-{i}")
             for i, n in enumerate((50, 200, 400))}
    warmup = build_post(pool[5000:], 60, "warm-up")
    warmup2 = build_post(pool[7000:], 150, "warm-up 2")
    filler = build_post(pool[9000:], 30, "filler")

    def wait(predicate, timeout: float = 120.0) -> None:
        loop = QEventLoop()
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise TimeoutError("benchmark step timed out")
            QTimer.singleShot(1, loop.quit)
            loop.exec()

    pane = ReadingPane(open_external=lambda url: None)
    pane.resize(1000, 800)
    pane.show()
    wait(lambda: pane.is_ready)
    events: dict[str, float] = {}
    pane.post_shown.connect(lambda i: events.setdefault("shown", time.perf_counter()))
    pane.typeset_finished.connect(lambda r: events.update(
        finished=time.perf_counter(), result=r))  # type: ignore[arg-type]

    cpu: dict[str, float] = {}

    def cpu_now() -> float:
        # The renderer (MathJax, layout) plus this process (Markdown, Chromium's browser side).
        return process_cpu_ms(pane.page().renderProcessPid()) + time.process_time() * 1000

    def on_shown(_id: str) -> None:
        cpu.setdefault("shown", cpu_now())

    pane.post_shown.connect(on_shown)

    def show(post: Post) -> tuple[float, float, dict]:
        events.clear()
        cpu.clear()
        cpu["start"] = cpu_now()
        started = time.perf_counter()
        pane.show_post(post)
        wait(lambda: "finished" in events)
        cpu["finished"] = cpu_now()
        return ((events["shown"] - started) * 1000, (events["finished"] - started) * 1000,
                events["result"])  # type: ignore[return-value]

    # A session that has shown a few posts: the JIT is warm and the font data loaded (the pane
    # fetches it after the first post). The very first post after start-up is slower.
    for post in (warmup, filler, warmup2, filler):
        pane.run_js("kexue.forget()")
        show(post)
    rows = []
    cpu_rows = []
    for n, post in posts.items():
        firsts, fulls, revisits, cpu_firsts, cpu_fulls, cpu_revisits = [], [], [], [], [], []
        for _ in range(args.repeat):
            # A post not shown for a while: drop it from the pane's cache by its key.
            pane.run_js("kexue.forget()")
            clear_render_cache()
            first, full, result = show(post)
            firsts.append(first)
            fulls.append(full)
            cpu_firsts.append(cpu["shown"] - cpu["start"])
            cpu_fulls.append(cpu["finished"] - cpu["start"])
            show(filler)
            revisits.append(show(post)[0])
            cpu_revisits.append(cpu["shown"] - cpu["start"])
            show(filler)
        formulas = len(result["formulas"])
        rows.append((n, formulas, statistics.median(firsts), statistics.median(revisits),
                     statistics.median(fulls)))
        cpu_rows.append((statistics.median(cpu_firsts), statistics.median(cpu_revisits),
                         statistics.median(cpu_fulls)))
    breakdown = first_screen_breakdown(pane, posts[200], filler, show, wait)
    pane.close()
    pane.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    naive = {}
    # The naive page is a data: URL (setHtml), which the pane's request guard refuses: give it
    # a plain profile that only serves kexue:// (MathJax) as the pane's does.
    profile = QWebEngineProfile(app)
    profile.installUrlSchemeHandler(SCHEME, AppSchemeHandler(profile))
    for n, post in posts.items():
        times = []
        for _ in range(args.repeat):
            view = QWebEngineView()
            page = QWebEnginePage(profile, view)
            view.setPage(page)
            view.resize(1000, 800)
            view.show()
            body = render_post_html(post)
            started = time.perf_counter()
            page.setHtml(NAIVE_PAGE.format(title=post.title, body=body), QUrl("kexue://app/"))
            wait(lambda page=page: page.title() == "done")
            times.append((time.perf_counter() - started) * 1000)
            view.close()
            view.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        naive[n] = statistics.median(times)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Reading pane benchmark: {os.cpu_count()} cores, load average {load:.1f}, "
          f"median of {args.repeat}; times from show_post() to the signal in Python")
    header = (f"{'formulas':>8}  {'first screen':>12}  {'revisit':>8}  {'full typeset':>12}  "
              f"{'ms/formula':>10}  {'naive page':>10}  {'naive/first':>11}  {'naive/full':>10}")
    print(header)
    print("-" * len(header))
    for n, formulas, first, revisit, full in rows:
        print(f"{formulas:>8}  {first:>10.0f}ms  {revisit:>6.0f}ms  {full:>10.0f}ms  "
              f"{full / formulas:>10.2f}  {naive[n]:>8.0f}ms  {naive[n] / first:>10.1f}x  "
              f"{naive[n] / full:>9.1f}x")
    print()
    print("CPU time over the same spans (renderer process + this process; 10 ms resolution):")
    print("on a busy machine this, not the wall time above, is what a quiet one would take")
    print(f"{'formulas':>8}  {'first screen':>12}  {'revisit':>8}  {'full typeset':>12}  "
          f"{'ms/formula':>10}")
    for (_, formulas, *_rest), (first_cpu, revisit_cpu, full_cpu) in zip(rows, cpu_rows,
                                                                          strict=True):
        print(f"{formulas:>8}  {first_cpu:>10.0f}ms  {revisit_cpu:>6.0f}ms  {full_cpu:>10.0f}ms  "
              f"{full_cpu / formulas:>10.2f}")
    print()
    print("Where the first screen of the 200-formula post went, one more run (ms since "
          "show_post(); pane.js milestones):")
    print("  " + breakdown)
    by_n = {r[0]: r for r in rows}
    checks = [
        ("first screen, 200 formulas", by_n[200][2], TARGET_FIRST_MS, "ms"),
        ("revisit, 200 formulas", by_n[200][3], TARGET_REVISIT_MS, "ms"),
        ("full typeset, 400 formulas", by_n[400][4] / by_n[400][1], TARGET_PER_FORMULA_MS,
         "ms/formula"),
    ]
    print()
    for name, value, target, unit in checks:
        verdict = "met" if value < target else "MISSED"
        print(f"target {name}: {value:.1f} {unit} (< {target:g}) {verdict}")
    print(json.dumps({"rows": rows, "cpu": cpu_rows, "naive": naive}), file=sys.stderr)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
