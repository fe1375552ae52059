"""Import of 100,000 certificate rows against the floor measured in the same run:
Python's csv reading the same file plus sqlite3.executemany into one plain table. Then the peak
resident memory of a whole `less-tui import` process of 1,000,000 rows (BENCH_RSS_ROWS; 0 skips it).
Between them, where the import's time goes, part by part (BENCH_PHASES; 0 skips it)."""

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


def phases(n_rows: int = N) -> dict[str, float]:
    """Where a whole ``less-tui import`` of ``n_rows`` new rows spends its time, in seconds, measured part
    by part: the command's imports (a process that only imports them), then in this process reading and
    checking the file (of which: the personnummer checks alone), storing it (of which: the certificate
    insert alone, the driver's executemany into the real table), and the floor's two parts."""
    import hashlib

    from less_tui import config
    from less_tui.core import importer, pnr
    from less_tui.storage import db, importing

    tmp = Path(tempfile.mkdtemp())
    rows = demo.generate(dt.date(2026, 11, 23), seed=5, episodes=n_rows // 3 + 2000)[:n_rows]
    path = tmp / "big.csv"
    demo.write_csv(rows, path)
    del rows
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import less_tui.cli, less_tui.core.importer, less_tui.services.database, "
                    "less_tui.storage.importing"], check=True)
    out["process start and imports"] = time.perf_counter() - t0
    as_of = dt.date(2026, 11, 23)
    cfg = config.validate({})
    t0 = time.perf_counter()
    parsed = importer.read_file(path, as_of, cfg.unit)
    out["read and check the file"] = time.perf_counter() - t0
    pnrs = sorted({r.pnr for r in parsed.rows})
    t0 = time.perf_counter()
    for p in pnrs:
        pnr.normalize(p, as_of)
    out["  of which personnummer checks (personnummer library)"] = time.perf_counter() - t0
    engine = db.open_engine(f"sqlite:///{tmp / 'phases.db'}")
    t0 = time.perf_counter()
    importing.store(engine, cfg, [(str(path), hashlib.sha256(b"x").hexdigest(), "intyg", len(parsed.rows), 0,
                                   parsed.rows)], as_of)
    out["store (one transaction)"] = time.perf_counter() - t0
    con = sqlite3.connect(tmp / "phases.db")
    stored = con.execute('SELECT unit_id, patient_id, doctor_id, diagnosis_code, diagnosis_text, start, "end", degree, '
                         "signed, occupation, case_no, source, batch_id FROM certificates").fetchall()
    con.execute("BEGIN")
    con.execute("DELETE FROM certificates")
    t0 = time.perf_counter()
    con.executemany('INSERT INTO certificates (unit_id, patient_id, doctor_id, diagnosis_code, diagnosis_text, start, '
                    '"end", degree, signed, occupation, case_no, source, batch_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)',
                    stored)
    out["  of which the certificates' executemany (schema's keys and indexes)"] = time.perf_counter() - t0
    con.rollback()
    con.close()
    engine.dispose()
    t0 = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as f:
        data = list(csv.reader(f, delimiter=";"))[1:]
    out["floor: csv reading"] = time.perf_counter() - t0
    con = sqlite3.connect(tmp / "floor.db")
    con.execute("CREATE TABLE c (pnr, name, dx, start, end, degree, doctor, hsa, signed, occ, st, plan, unit)")
    t0 = time.perf_counter()
    con.executemany("INSERT INTO c VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", data)
    con.commit()
    out["floor: executemany into a plain table"] = time.perf_counter() - t0
    con.close()
    return out


def env_for_import() -> tuple[Path, dict]:
    return Path(tempfile.mkdtemp()), dict(os.environ, LESS_TUI_TODAY="2026-11-23")


def main() -> None:
    n, floor, ours, again = measure()
    print(f"rows: {n}")
    print(f"floor (csv + sqlite3.executemany): {floor:.2f} s")
    print(f"less-tui import (whole process, new rows): {ours:.2f} s  = {ours / floor:.1f}x the floor (target <= 3x)")
    print(f"less-tui import again (all rows known):   {again:.2f} s  = {again / floor:.1f}x the floor")
    if os.environ.get("BENCH_PHASES", "1") != "0":
        print("where the import's time goes (each part measured alone; BENCH_PHASES=0 skips this):")
        for what, secs in phases().items():
            print(f"  {what}: {secs:.2f} s")
    if RSS_ROWS:
        rows, mib, took = peak_rss(*env_for_import())
        print(f"less-tui import of {rows:,} rows (whole process): peak RSS {mib:.0f} MiB "
              f"(target <= 500 MB), {took:.0f} s")


if __name__ == "__main__":
    main()
