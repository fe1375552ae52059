"""Demo and real data never mix: the demo builds a database of its own, and a real import refuses a
database that holds demo data. Real processes, the user data dir under a temporary XDG_DATA_HOME
(tests/conftest.py)."""

import hashlib
import os
import sqlite3
from pathlib import Path

from helpers import SAMPLES, cli

ENV = {"LESS_TUI_TODAY": "2026-11-23"}
TABLES = ("units", "patients", "doctors", "import_batches", "certificates", "status_records", "meetings",
          "case_reviews", "actions", "audit_log")


def _data_dir() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "less-tui"


def _counts(db: Path) -> dict[str, int]:
    c = sqlite3.connect(db)
    try:
        return {t: c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        c.close()


def _digest(db: Path) -> str:
    c = sqlite3.connect(db)
    try:
        return hashlib.sha256("\n".join(c.iterdump()).encode()).hexdigest()
    finally:
        c.close()


def test_demo_never_touches_the_default_database(tmp_path):
    real = _data_dir() / "less-tui.db"
    p = cli("demo", "--no-open", env=ENV, check=True)
    demo = _data_dir() / "demo.db"
    assert str(demo) in p.stdout
    assert _counts(demo)["certificates"] > 1000 and _counts(demo)["meetings"] == 12
    assert not real.exists() or _counts(real)["certificates"] == 0
    # the real database holds data: a demo run leaves it exactly as it was
    cli("import", str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    before = _digest(real)
    again = cli("demo", "--no-open", env=ENV, check=True)
    assert "inget lades till" in again.stdout
    assert _digest(real) == before
    # $LESS_TUI_DB names the real database, not the demo's
    env_db = tmp_path / "team.db"
    cli("demo", "--no-open", env={**ENV, "LESS_TUI_DB": str(env_db)}, check=True)
    assert not env_db.exists()


def test_demo_refuses_the_real_database(tmp_path):
    real = _data_dir() / "less-tui.db"
    p = cli("demo", "--no-open", "--db", str(real), env=ENV)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "demo.db" in p.stderr
    assert not real.exists()
    team = tmp_path / "team.db"
    p = cli("demo", "--no-open", "--db", str(team), env={**ENV, "LESS_TUI_DB": str(team)})
    assert p.returncode == 2 and not team.exists()
    # a database with real certificates never receives demo rows, --reset or not
    other = tmp_path / "other.db"
    cli("import", "--db", str(other), str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    before = _digest(other)
    for extra in ([], ["--reset"]):
        p = cli("demo", "--no-open", "--db", str(other), *extra, env=ENV)
        assert p.returncode == 2 and "riktiga intyg" in p.stderr, p.stderr
        assert _digest(other) == before


def test_demo_without_a_terminal_builds_then_says_how_to_open_it(tmp_path):
    db = tmp_path / "d.db"
    p = cli("demo", "--db", str(db), env=ENV)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert f"less-tui --db {db}" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert _counts(db)["certificates"] > 1000


def test_import_into_a_demo_database_refuses(demo_db):
    before_counts, before = _counts(demo_db), _digest(demo_db)
    for args in ([], ["--dry-run"], ["--skip-invalid", "--json"]):
        p = cli("import", "--db", str(demo_db), *args, str(SAMPLES / "intyg-exempel.csv"), env=ENV)
        assert p.returncode == 2, p.stderr
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and "demodata" in lines[0] and str(demo_db) in lines[0], p.stderr
        assert p.stdout == ""
    assert _counts(demo_db) == before_counts and _digest(demo_db) == before
    en = cli("--lang", "en", "import", "--db", str(demo_db), str(SAMPLES / "intyg-exempel.csv"), env=ENV)
    assert en.returncode == 2 and "holds demo data" in en.stderr


def test_a_demo_built_before_the_marker_is_recognised(demo_db):
    c = sqlite3.connect(demo_db)
    c.execute("UPDATE import_batches SET kind = 'intyg'")  # as the demo wrote them before
    c.commit()
    c.close()
    p = cli("import", "--db", str(demo_db), str(SAMPLES / "intyg-exempel.csv"), env=ENV)
    assert p.returncode == 2 and "demodata" in p.stderr


def test_real_imports_are_not_taken_for_demo_data(tmp_path):
    db = tmp_path / "x.db"
    cli("import", "--db", str(db), str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    cli("import", "--db", str(db), str(SAMPLES / "rehabstod-sjukfall-exempel.xlsx"), env=ENV, check=True)
