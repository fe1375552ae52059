"""Import of 100,000 certificate rows against the floor measured in the same run:
Python's csv reading the same file plus sqlite3.executemany into one plain table. Then the peak
resident memory of a whole `less-tui import` process of 1,000,000 rows (BENCH_RSS_ROWS; 0 skips it)."""

import csv
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from less_tui.core import demo

N = int(os.environ.get("BENCH_ROWS", "100000"))
RSS_ROWS = int(os.environ.get("BENCH_RSS_ROWS", "1000000"))
# A small process that runs the import and reports its peak RSS (getrusage of its waited-for child).
# Measured from here instead, a child forked from this process (which holds the generated rows) would
# count the parent's pages as its own until it execs.
PEAK = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True); "
        "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_rss(tmp: Path, env: dict, rss_rows: int = RSS_ROWS) -> tuple[int, float, float]:
    """(rows, peak RSS in MiB, seconds) of one `less-tui import` process of ``rss_rows`` new rows."""
    rows = demo.generate(dt.date(2026, 11, 23), seed=6, episodes=rss_rows // 3 + 2000)[:rss_rows]
    path = tmp / "million.csv"
    demo.write_csv(rows, path)
    n = len(rows)
    del rows
    db = tmp / "million.db"
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "less_tui", "import", "--db", str(db),
                          str(path)], check=True, capture_output=True, text=True, env=env).stdout.split()
    took = time.perf_counter() - t0
    code, kib = int(out[0]), int(out[1])
    assert code == 0, f"the import exited {code}"
    return n, kib / 1024, took


def measure(n_rows: int = N) -> tuple[int, float, float, float]:
    """(rows, floor, less-tui import of new rows, the same file again), in seconds."""
    tmp = Path(tempfile.mkdtemp())
    rows = demo.generate(dt.date(2026, 11, 23), seed=5, episodes=n_rows // 3 + 2000)[:n_rows]
    path = tmp / "big.csv"
    demo.write_csv(rows, path)

    t0 = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as f:
        data = list(csv.reader(f, delimiter=";"))[1:]
    con = sqlite3.connect(tmp / "floor.db")
    con.execute("CREATE TABLE c (pnr, name, dx, start, end, degree, doctor, hsa, signed, occ, st, plan, unit)")
    con.executemany("INSERT INTO c VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", data)
    con.commit()
    con.close()
    floor = time.perf_counter() - t0

    env = dict(os.environ, LESS_TUI_TODAY="2026-11-23")
    db = tmp / "less.db"
    subprocess.run([sys.executable, "-m", "less_tui", "init", "--path", str(tmp / "c.toml"), "--db", str(db)],
                   check=True, capture_output=True, env=env)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "less_tui", "import", "--db", str(db), str(path)], check=True,
                   capture_output=True, env=env)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "less_tui", "import", "--db", str(db), str(path)], check=True,
                   capture_output=True, env=env)
    again = time.perf_counter() - t0
    return len(rows), floor, ours, again


def env_for_import() -> tuple[Path, dict]:
    return Path(tempfile.mkdtemp()), dict(os.environ, LESS_TUI_TODAY="2026-11-23")


def main() -> None:
    n, floor, ours, again = measure()
    print(f"rows: {n}")
    print(f"floor (csv + sqlite3.executemany): {floor:.2f} s")
    print(f"less-tui import (whole process, new rows): {ours:.2f} s  = {ours / floor:.1f}x the floor (target <= 3x)")
    print(f"less-tui import again (all rows known):   {again:.2f} s  = {again / floor:.1f}x the floor")
    if RSS_ROWS:
        rows, mib, took = peak_rss(*env_for_import())
        print(f"less-tui import of {rows:,} rows (whole process): peak RSS {mib:.0f} MiB "
              f"(target <= 500 MB), {took:.0f} s")


if __name__ == "__main__":
    main()
