"""Start-up of the frozen bundle vs the source tree: alternate `--self-test` runs, one table.

Usage: .venv/bin/python benchmarks/package_startup.py [--runs 5] [--bundle dist/kexue-reader]
Build the bundle first (scripts/package or scripts/test-frozen). Timings come from the
self-test's JSON (milliseconds since the process started, as the OS reports it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURES = ("main_entered", "window_shown", "library_loaded", "first_post_typeset",
            "formula_post_typeset")


def self_test(command: list[str]) -> dict:
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("QT_QPA_PLATFORM", "QTWEBENGINE_CHROMIUM_FLAGS", "DISPLAY")}
    with tempfile.TemporaryDirectory() as work:
        output = Path(work, "report.json")
        environment["KEXUE_READER_SELFTEST_OUTPUT"] = str(output)
        done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True,
                              timeout=180)
        if not output.is_file():
            raise SystemExit(f"{command[0]}: no self-test report (exit {done.returncode})\n"
                             f"{done.stderr.decode(errors='replace')[-1500:]}")
        report = json.loads(output.read_text(encoding="utf-8"))
    if not report["ok"]:
        details = json.dumps(report, ensure_ascii=False)
        raise SystemExit(f"{command[0]}: self-test failed: {details}")
    return report["timings_ms"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "kexue-reader")
    args = parser.parse_args()
    frozen = args.bundle / ("kexue-reader.exe" if sys.platform == "win32" else "kexue-reader")
    if not frozen.is_file():
        print(f"no bundle at {args.bundle}: run scripts/package first", file=sys.stderr)
        return 2
    commands = {"source": [sys.executable, "-m", "reader", "--self-test"],
                "frozen": [str(frozen), "--self-test"]}
    results: dict[str, list[dict]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():  # alternate, so load changes hit both alike
            results[name].append(self_test(command))
    print(f"Self-test timings, ms since process start: median (min–max) of {args.runs} runs")
    print(f"{'measure':<24}{'source':>22}{'frozen':>22}")
    for measure in MEASURES:
        cells = []
        for name in commands:
            values = [run[measure] for run in results[name] if measure in run]
            cells.append(f"{statistics.median(values):.0f} ({min(values)}–{max(values)})"
                         if values else "—")
        print(f"{measure:<24}{cells[0]:>22}{cells[1]:>22}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
