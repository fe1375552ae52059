"""Server administration: backup and restore, SQLite to PostgreSQL, doctor, permissions, audit."""

import json
import os
import sqlite3
import stat
import subprocess
import threading

import pytest

from helpers import SAMPLES, cli

ENV = {"LESS_TUI_TODAY": "2026-11-23"}


def _count(db, table="certificates"):
    c = sqlite3.connect(db)
    try:
        return c.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        c.close()


def test_backup_of_a_live_database_and_restore(demo_db, tmp_path):
    stop = threading.Event()

    def writer():  # someone keeps working while the backup runs
        c = sqlite3.connect(demo_db, timeout=10)
        i = 0
        while not stop.is_set():
            c.execute("INSERT INTO audit_log (ts, os_user, ssh_client, action, detail) "
                      "VALUES ('2026-11-23 10:00:00', 'x', '', 'test', ?)", (str(i),))
            c.commit()
            i += 1
        c.close()

    (tmp_path / "bk").mkdir()  # (a missing folder is an error, not made: tests/test_files_exits.py)
    th = threading.Thread(target=writer)
    th.start()
    try:
        p = cli("backup", "--db", str(demo_db), str(tmp_path / "bk" / "b.db"), env=ENV, check=True)
    finally:
        stop.set()
        th.join()
    b = tmp_path / "bk" / "b.db"
    assert "integritet ok" in p.stdout
    assert stat.S_IMODE(os.stat(b).st_mode) == 0o600
    assert _count(b) == _count(demo_db)
    assert cli("backup", "--db", str(demo_db), str(b), env=ENV).returncode == 2  # never overwrites
    # damage the live database's data, then restore
    c = sqlite3.connect(demo_db)
    c.execute("DELETE FROM actions")
    c.commit()
    c.close()
    p = cli("restore", "--db", str(demo_db), str(b), "--yes", env=ENV, check=True)
    assert _count(demo_db, "actions") > 0
    aside = p.stdout.strip().rsplit(" ", 1)[1]
    assert _count(aside, "actions") == 0  # the replaced database was kept
    # the copy and the replacement are in the audit log (data QA helper: neither was)
    rows = json.loads(cli("audit", "--db", str(demo_db), "--json", env=ENV, check=True).stdout)
    assert [r["action"] for r in rows if r["action"].startswith("db.")] == ["db.backup", "db.restore"]
    assert rows[-1]["detail"] == f"from={b} aside={aside}"


def test_restore_refuses_what_is_not_a_backup(demo_db, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not sqlite at all" * 100)
    p = cli("restore", "--db", str(demo_db), str(bad), "--yes", env=ENV)
    assert p.returncode == 2 and "inte en SQLite-databas" in p.stderr
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.commit()
    p = cli("restore", "--db", str(demo_db), str(other), "--yes", env=ENV)
    assert p.returncode == 2 and "inte en less-tui-databas" in p.stderr
    p = cli("restore", "--db", str(demo_db), str(other), env=ENV)  # no terminal, no --yes
    assert p.returncode == 2
    p = cli("restore", "--db", str(demo_db), str(tmp_path), "--yes", env=ENV)  # a folder: said so
    assert p.returncode == 2 and "är en mapp" in p.stderr, p.stderr


@pytest.mark.postgres
def test_migrate_sqlite_to_postgres(demo_db, pg_url):
    p = cli("migrate", "--db", str(demo_db), "--to", pg_url, env=ENV, check=True)
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    from less_tui.storage import models  # noqa: F401  (the tables)

    tables = set(SQLModel.metadata.tables)
    assert len(tables) == 21 and p.stdout.count("identiska") == len(tables)
    # every table came along, the improvement work's too (a list written by hand once left six behind)
    src = sqlite3.connect(demo_db)
    dest = create_engine(pg_url)
    with dest.connect() as c:
        for name in sorted(tables):
            n = src.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
            assert c.exec_driver_sql(f"SELECT COUNT(*) FROM {name}").scalar() == n, name
    dest.dispose()
    src.close()
    assert all(sqlite3.connect(demo_db).execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] for name in
               ("improvement_problems", "improvement_ideas", "pdsa_cycles", "trainings", "supervision_sessions"))
    a = json.loads(cli("indicators", "--db", str(demo_db), "--json", "--at", "2026-10-23", env=ENV, check=True).stdout)
    b = json.loads(cli("indicators", "--db", pg_url, "--json", "--at", "2026-10-23", env=ENV, check=True).stdout)
    assert a == b
    # ids continue after the copied ones
    cli("meeting", "new", "--db", pg_url, "--date", "2026-12-01", env=ENV, check=True)
    p = cli("migrate", "--db", str(demo_db), "--to", pg_url, env=ENV)
    assert p.returncode == 2 and "har redan data" in p.stderr


def test_doctor_names_what_to_fix(demo_db):
    p = cli("doctor", "--db", str(demo_db), env=ENV)
    assert "[ok  ] databas" in p.stdout and "[ok  ] behörighet fil" in p.stdout
    os.chmod(demo_db, 0o644)
    p = cli("doctor", "--db", str(demo_db), env=ENV)
    assert p.returncode == 1
    assert "[FEL ] behörighet fil" in p.stdout and f"åtgärd: chmod 600 {demo_db}" in p.stdout
    en = cli("--lang", "en", "doctor", "--db", str(demo_db), env=ENV)
    assert "[FAIL] permissions file" in en.stdout and f"fix: chmod 600 {demo_db}" in en.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create a group")
def test_team_group_shares_the_database(tmp_path):
    group = "lesstuitest"
    subprocess.run(["groupadd", "-f", group], check=True)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[database]\ngroup = "{group}"\n', encoding="utf-8")
    db = tmp_path / "shared" / "less.db"
    cli("--config", str(cfg), "import", "--db", str(db), str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    import grp

    gid = grp.getgrnam(group).gr_gid
    assert os.stat(db).st_gid == gid and stat.S_IMODE(os.stat(db).st_mode) == 0o660
    assert stat.S_IMODE(os.stat(db.parent).st_mode) == 0o2770
    p = cli("--config", str(cfg), "doctor", "--db", str(db), env=ENV)
    assert "[ok  ] grupp" in p.stdout


def test_every_command_touching_patient_data_is_audited(tmp_path, db_url):
    db = db_url
    cli("import", "--db", db, str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    cli("queue", "--db", db, "--identify", env=ENV, check=True)
    cli("meeting", "new", "--db", db, env=ENV, check=True)
    cli("export", "--db", db, "--identify", env=ENV, check=True)
    cli("export", "--db", db, "--format", "html", "-o", str(tmp_path / "m.html"), env=ENV, check=True)
    cli("meeting", "close", "--db", db, env=ENV, check=True)
    rows = json.loads(cli("audit", "--db", db, "--json", env=ENV, check=True).stdout)
    actions = [r["action"] for r in rows]
    for a in ("import", "queue.identify", "meeting.create", "export.identify", "export", "meeting.close"):
        assert a in actions, a
    assert all(r["user"] for r in rows)
    mine = json.loads(cli("audit", "--db", db, "--json", "--user", rows[0]["user"], env=ENV, check=True).stdout)
    assert len(mine) == len(rows)
    none = json.loads(cli("audit", "--db", db, "--json", "--user", "nobody-else", env=ENV, check=True).stdout)
    assert none == []
    pat = json.loads(cli("audit", "--db", db, "--json", "--patient", "19760306-4192", env=ENV, check=True).stdout)
    # nobody has opened this patient's case, but `queue --identify` listed it by name
    assert [(r["action"], r["case"]) for r in pat] == [("queue.identified", 5)]


def test_audit_rows_carry_the_ssh_client(tmp_path, db_url):
    db = db_url
    cli("import", "--db", db, str(SAMPLES / "intyg-exempel.csv"),
        env={**ENV, "SSH_CLIENT": "127.0.0.9 50000 22"}, check=True)
    rows = json.loads(cli("audit", "--db", db, "--json", env=ENV, check=True).stdout)
    assert rows[-1]["ssh_client"] == "127.0.0.9"


def test_restore_refuses_another_clinics_backup_the_demo_and_names_a_damaged_file(demo_db, tmp_path):
    """(data QA helper) Another clinic's backup, or the demo database, was put over the real database without a
    word; a backup cut short was reported as the live database being malformed."""
    sample = SAMPLES / "intyg-exempel.csv"
    real, other = tmp_path / "real.db", tmp_path / "other.db"
    cli("import", "--db", str(real), str(sample), env=ENV, check=True)
    z = tmp_path / "z.toml"
    z.write_text('[clinic]\nname = "Z"\nunit = "VC Z"\n', encoding="utf-8")
    cli("--config", str(z), "import", "--db", str(other), str(sample), env=ENV, check=True)
    before = _count(real)
    p = cli("restore", "--db", str(real), str(other), "--yes", env=ENV)
    assert p.returncode == 2 and p.stderr.strip() == (
        f"less-tui: {other} har inte vårdenheten VC Exempel (clinic.unit), som databasen har; den har VC Z. "
        "Är det rätt säkerhetskopia?")
    p = cli("restore", "--db", str(real), str(demo_db), "--yes", env=ENV)
    assert p.returncode == 2 and "är demodatabasen; den läggs inte över den riktiga databasen" in p.stderr
    (tmp_path / "bk").mkdir()
    cli("backup", "--db", str(real), str(tmp_path / "bk" / "b.db"), env=ENV, check=True)
    cut = tmp_path / "cut.db"
    cut.write_bytes((tmp_path / "bk" / "b.db").read_bytes()[:20000])
    p = cli("restore", "--db", str(real), str(cut), "--yes", env=ENV)
    assert p.returncode == 2 and p.stderr.startswith(f"less-tui: {cut}: integritetskontrollen misslyckades")
    # without --yes (no terminal) it says what the backup holds
    p = cli("restore", "--db", str(real), str(tmp_path / "bk" / "b.db"), env=ENV)
    assert p.returncode == 2 and "vårdenhet VC Exempel, 16 intyg, 0 möten" in p.stderr
    assert _count(real) == before and not list(tmp_path.glob("real.db.before-restore-*"))  # nothing replaced
    cli("restore", "--db", str(real), str(tmp_path / "bk" / "b.db"), "--yes", env=ENV, check=True)  # its own: fine
    # where no database is yet (verifying helper: "den tidigare databasen ligger i None", no check at all)
    new = tmp_path / "new.db"
    p = cli("restore", "--db", str(new), str(other), "--yes", env=ENV)
    assert p.returncode == 2 and "har inte vårdenheten VC Exempel (clinic.unit); den har VC Z" in p.stderr
    p = cli("restore", "--db", str(new), str(demo_db), "--yes", env=ENV)
    assert p.returncode == 2 and "är demodatabasen" in p.stderr and not new.exists()
    p = cli("restore", "--db", str(new), str(tmp_path / "bk" / "b.db"), "--yes", env=ENV, check=True)
    assert p.stdout.strip() == f"återställde {tmp_path / 'bk' / 'b.db'} till {new}"
