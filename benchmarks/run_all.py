"""Every row of issue 11's table in one run, printed as a table with the goal beside each figure.

    python benchmarks/run_all.py                 # everything (the million-row import and the region take minutes)
    python benchmarks/run_all.py --quick         # without the 1,000,000-row peak RSS
    python benchmarks/run_all.py --only keys,start
    python benchmarks/run_all.py --pg            # the region on PostgreSQL (127.0.0.1:5432) as well

Start, import and export are ratios to a floor measured in the same run (a minimal Textual app; csv +
sqlite3.executemany; `python -c "import sqlmodel"`), so a busy machine inflates both sides; keys, region
and memory are absolute figures on this machine. This is not a test: nothing here fails on a figure."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

PARTS = ("start", "keys", "import", "rss", "region", "export")


def ms(x: float) -> str:
    return f"{x * 1000:.0f} ms"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def machine() -> str:
    try:
        load = " load %.1f %.1f %.1f" % os.getloadavg()
    except OSError:
        load = ""
    return f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()},{load}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the 1,000,000-row peak RSS")
    ap.add_argument("--only", help=f"comma-separated parts: {','.join(PARTS)}")
    ap.add_argument("--units", type=int, default=200, help="units of the region (200)")
    ap.add_argument("--rows", type=int, default=100_000, help="rows of the import against its floor (100,000)")
    ap.add_argument("--rss-rows", type=int, default=1_000_000, help="rows of the peak RSS import (1,000,000)")
    ap.add_argument("--pg", action="store_true", help="the region on PostgreSQL too")
    ap.add_argument("--repeat", type=int, default=5, help="runs of start and export (medians)")
    a = ap.parse_args()
    parts = set(a.only.split(",")) if a.only else set(PARTS)
    if unknown := parts - set(PARTS):
        raise SystemExit(f"unknown part(s): {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    if a.quick:
        parts.discard("rss")
    rows: list[tuple[str, str, str, str]] = []  # what, figure, goal, met

    def step(name: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {name} …", file=sys.stderr, flush=True)

    if "start" in parts:
        import bench_startup

        step("start")
        base, ours = bench_startup.measure(a.repeat)
        rows.append(("start to the queue with cases vs a minimal Textual app (tmux)",
                     f"{ours / base:.2f}x ({ms(ours)} vs {ms(base)})", "<= 1.5x", verdict(ours / base <= 1.5)))
    if "keys" in parts:
        import bench_keys

        step("keys")
        res = asyncio.run(bench_keys.measure())
        for key, what, goal in (("open", "key to screen: open a case (Enter)", 0.050),
                                ("next", "key to screen: next case (F8)", 0.050),
                                ("prev", "key to screen: previous case (F7)", 0.050),
                                ("move", "key to screen: move in the queue (no Pilot settle)", 0.020)):
            xs = res[key]
            rows.append((what, f"median {ms(statistics.median(xs))}, max {ms(max(xs))}", f"<= {ms(goal)}",
                         verdict(statistics.median(xs) <= goal)))
    if "import" in parts:
        import bench_import

        step("import")
        n, floor, ours, again = bench_import.measure(a.rows)
        rows.append((f"import {n:,} rows, whole process, vs csv + sqlite3.executemany",
                     f"{ours / floor:.1f}x ({ours:.1f} s vs {floor:.1f} s)", "<= 3x", verdict(ours / floor <= 3)))
        rows.append((f"import the same {n:,} rows again (all known)", f"{again / floor:.1f}x", "(no goal)", ""))
    if "rss" in parts:
        import bench_import

        step("rss")
        n, mib, took = bench_import.peak_rss(Path(tempfile.mkdtemp()), dict(os.environ, LESS_TUI_TODAY="2026-11-23"),
                                             a.rss_rows)
        rows.append((f"import {n:,} rows, peak resident memory", f"{mib:.0f} MiB ({took:.0f} s)", "<= 500 MB",
                     verdict(mib * 1.048576 <= 500)))
    if "region" in parts:
        import bench_region

        urls = [("SQLite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'region.db'}")]
        if a.pg:
            urls.append(("PostgreSQL", None))
        for label, url in urls:
            step(f"region ({label})")
            url = url or bench_region.make_pg()
            bench_region.build(url, a.units)
            med, p95, total = bench_region.measure(url, a.units)
            rows.append((f"region {a.units} units, one unit's indicators + queue ({label})",
                         f"p95 {ms(p95)} (median {ms(med)})", "p95 <= 50 ms", verdict(p95 <= 0.050)))
            took, n, one = bench_region.report_figures(url)
            rows.append((f"region, all {n} units: the region's report, `indicators --all-units` ({label})",
                         f"{took:.2f} s on {bench_region.region.default_workers()} cores (one process {one:.2f} s, "
                         f"one unit after another {total:.2f} s)", "<= 2 s", verdict(took <= 2)))
    if "export" in parts:
        import bench_export

        step("export")
        base, md, docx = bench_export.measure(a.repeat)
        rows.append(('export --format md vs python -c "import sqlmodel"', f"{md / base:.2f}x ({ms(md)} vs {ms(base)})",
                     "<= 1.5x", verdict(md / base <= 1.5)))
        rows.append(("export --format docx vs the same", f"{docx / base:.2f}x", "(no goal)", ""))

    print(f"\nmachine: {machine()}  ({time.strftime('%Y-%m-%d %H:%M')})\n")
    print("| what | measured | goal | |")
    print("|---|---|---|---|")
    for what, figure, goal, met in rows:
        print(f"| {what} | {figure} | {goal} | {met} |")


if __name__ == "__main__":
    main()
