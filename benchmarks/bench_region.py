"""Region scale: 200 units, about a million certificates. Indicators plus queue for one
unit, as its meeting's queue reads them one unit after another (target: p95 <= 50 ms), and for all 200
units: the region's report, `less-tui indicators --all-units` (target <= 2 s), with the processes it
uses by default (the cores available) and, for comparison, in one process."""

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LESS_TUI_TODAY", "2026-11-23")

from sqlmodel import Session  # noqa: E402

from less_tui.services import demo  # noqa: E402
from less_tui.config import validate  # noqa: E402
from less_tui.services import region, views  # noqa: E402
from less_tui.storage import repo  # noqa: E402
from less_tui.storage.db import open_engine  # noqa: E402
from less_tui import collector  # noqa: E402

TODAY = dt.date(2026, 11, 23)


def build(url: str, units: int) -> None:
    e = open_engine(url)
    cfg = validate({})
    t0 = time.perf_counter()
    res = demo.build_region(e, cfg, seed=1, units=units, today=TODAY)
    print(f"built {res.units} units, {res.certificates} certificates in {time.perf_counter() - t0:.0f} s")
    e.dispose()


def measure(url: str, units: int) -> tuple[float, float, float]:
    """(one unit's median, one unit's p95, all units), in seconds."""
    e = open_engine(url)
    times = []
    cfg = validate({})  # the region's settings (a unit is named by its row, not by the settings)
    with Session(e) as s:
        codes = [f"VC {i + 1:03d}" for i in range(units)]
        t_all = time.perf_counter()
        for code in codes:
            t0 = time.perf_counter()
            unit = repo.get_unit(s, code, create=False)
            views.overview_at(s, cfg, unit, TODAY)
            times.append(time.perf_counter() - t0)
        total = time.perf_counter() - t_all
    e.dispose()
    return statistics.median(times), sorted(times)[max(0, int(len(times) * 0.95) - 1)], total


def measure_report(url: str, workers: int | None) -> tuple[float, int]:
    """The region's report (every unit) with ``workers`` processes: (seconds, units reported)."""
    e = open_engine(url)
    try:
        t0 = time.perf_counter()
        figures = region.region_report(e, validate({}), TODAY, workers)
        return time.perf_counter() - t0, len(figures)
    finally:
        e.dispose()


def report_figures(url: str) -> tuple[float, int, float]:
    """The region's report: (median of 3 runs with the default processes, units reported, one run in
    one process), in seconds."""
    took, n = sorted(measure_report(url, None) for _ in range(3))[1]
    one, _ = measure_report(url, 1)
    return took, n, one


def report(url: str, units: int) -> None:
    med, p95, total = measure(url, units)
    name = url.split(':')[0]
    print(f"{name}: one unit median {med * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (target: p95 <= 50 ms); "
          f"units one after another {total:.2f} s")
    took, n, one = report_figures(url)
    print(f"{name}: region's report, all {n} units {took:.2f} s with {region.default_workers()} cores "
          f"(target <= 2 s; median of 3); in one process {one:.2f} s")


def make_pg() -> str:
    """A fresh PostgreSQL database on 127.0.0.1:5432 for the region; its URL."""
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS less_bench WITH (FORCE)")
        c.execute("CREATE DATABASE less_bench")
    return "postgresql+psycopg://postgres@127.0.0.1:5432/less_bench"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--db", help="a region database: a path (built there when missing, else reused) or a URL")
    ap.add_argument("--pg", action="store_true", help="also build and measure on PostgreSQL 127.0.0.1:5432")
    ap.add_argument("--default-collector", action="store_true",
                    help="Python's collector as it comes (else as the installed command sets it: less_tui/collector.py)")
    a = ap.parse_args()
    if not a.default_collector:
        collector.quiet()
    url = a.db if a.db and "://" in a.db else f"sqlite:///{a.db or Path(tempfile.mkdtemp()) / 'region.db'}"
    if not (a.db and (("://" in a.db) or Path(a.db).exists())):
        build(url, a.units)
    report(url, a.units)
    if a.pg:
        pg = make_pg()
        build(pg, a.units)
        report(pg, a.units)


if __name__ == "__main__":
    main()
