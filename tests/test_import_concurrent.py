"""Issue 10, "Two imports at once": two `less-tui import` processes started at the same moment into
one database (a new SQLite file, a new PostgreSQL database) both finish, complete, and no case number
names two patients. On SQLite an import that cannot get the database in time stops with a message."""

import dataclasses
import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from helpers import run
from less_tui.core import demo
from less_tui.core.importer import read_file

TODAY = dt.date(2026, 11, 23)
ENV = {"LESS_TUI_TODAY": TODAY.isoformat()}


def _files(tmp_path):
    """Two files of different patients, plus earlier certificates (another diagnosis) for some of
    the first file's patients in the second: both imports insert some of the same new patients."""
    a = demo.generate(TODAY, seed=11, episodes=4000, unit="VC Exempel")
    b = demo.generate(TODAY, seed=12, episodes=4000, unit="VC Exempel", serial_base=5)
    b += [dataclasses.replace(r, diagnosis_code="Z73.0", start=r.start - dt.timedelta(days=800),
                              end=r.start - dt.timedelta(days=790)) for r in a[:300]]
    pa, pb = tmp_path / "a.csv", tmp_path / "b.csv"
    demo.write_csv(a, pa)
    demo.write_csv(b, pb)
    return pa, pb


def _import_both(url, pa, pb, env):
    import os

    e = dict(os.environ, **env)
    procs = [subprocess.Popen([sys.executable, "-m", "less_tui", "import", "--db", url, "--as-of",
                               TODAY.isoformat(), "--json", str(p)], env=e, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for p in (pa, pb)]
    out = [p.communicate(timeout=300) for p in procs]
    for p, (so, se) in zip(procs, out):
        assert p.returncode == 0, se
        assert "Traceback" not in se
    return [json.loads(so) for so, _ in out]


def _check(url, pa, pb, summaries, before=None):
    files = (pa, pb) if before is None else (before, pa, pb)
    expected = {r.identity() for p in files for r in read_file(p, TODAY, "VC Exempel").rows}
    e = create_engine(url)
    try:
        with e.connect() as c:
            shared = c.execute(text(
                "SELECT unit_id, case_no FROM certificates GROUP BY unit_id, case_no "
                "HAVING COUNT(DISTINCT patient_id) > 1")).all()
            assert shared == [], f"{len(shared)} case numbers name two patients"
            assert c.execute(text("SELECT COUNT(*) FROM certificates")).scalar() == len(expected)
            assert sum(s["new_certificates"] for s in summaries) == len(expected)
            assert c.execute(text("SELECT COUNT(*) FROM import_batches")).scalar() == len(files)
            top = c.execute(text("SELECT MAX(case_no) FROM certificates")).scalar()
            assert c.execute(text("SELECT next_case_no FROM units")).scalar() == top + 1
            # every number is a row of case_numbers, the patient's own
            assert c.execute(text(
                "SELECT COUNT(*) FROM certificates JOIN case_numbers USING (unit_id, case_no, patient_id)"
            )).scalar() == len(expected)
    finally:
        e.dispose()


@pytest.mark.slow  # two imports of 4,000 episodes each
def test_two_sqlite_imports_at_once_both_complete_with_unique_case_numbers(tmp_path):
    pa, pb = _files(tmp_path)
    url = f"sqlite:///{tmp_path / 'new.db'}"  # a new file: both processes create the schema too
    summaries = _import_both(url, pa, pb, ENV)
    _check(url, pa, pb, summaries)


@pytest.mark.slow  # two imports of 4,000 episodes each
@pytest.mark.postgres
@pytest.mark.parametrize("known_doctors", [False, True], ids=["new-database", "doctors-known"])
def test_two_postgresql_imports_at_once_both_complete_with_unique_case_numbers(tmp_path, pg_url, known_doctors):
    pa, pb = _files(tmp_path)
    before = None
    summaries = []
    if known_doctors:  # the clinic's doctors are stored already: the imports insert no doctor, only certificates
        before = tmp_path / "before.csv"
        demo.write_csv(demo.generate(TODAY, seed=99, episodes=300, unit="VC Exempel"), before)
        p = run("import", "--db", pg_url, "--as-of", TODAY.isoformat(), "--json", str(before), env=ENV, check=True)
        summaries.append(json.loads(p.stdout))
    summaries += _import_both(pg_url, pa, pb, ENV)
    _check(pg_url, pa, pb, summaries, before)


def test_a_sqlite_import_that_cannot_get_the_database_stops_with_a_message(tmp_path):
    pa, _ = _files(tmp_path)
    db = tmp_path / "x.db"
    from less_tui.storage.db import open_engine

    open_engine(f"sqlite:///{db}").dispose()  # the schema (a dry run creates nothing)
    cfg = tmp_path / "c.toml"
    cfg.write_text("[import]\nlock_wait_seconds = 1\n", encoding="utf-8")
    other = sqlite3.connect(db)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        p = run("--config", str(cfg), "import", "--db", str(db), str(pa), env=ENV)
    finally:
        other.rollback()
        other.close()
    assert p.returncode == 2, p.stderr
    assert "databasen är upptagen av en annan import (eller skrivning) sedan 1 s; inget sparades" in p.stderr
    assert "Traceback" not in p.stderr
    c = sqlite3.connect(db)
    try:
        assert c.execute("SELECT COUNT(*) FROM certificates").fetchone()[0] == 0
        assert c.execute("SELECT COUNT(*) FROM import_batches").fetchone()[0] == 0
    finally:
        c.close()
    p = run("--config", str(cfg), "import", "--db", str(db), str(pa), env=ENV)  # free again
    assert p.returncode == 0, p.stderr


def test_migration_0005_gives_a_shared_case_number_back_to_one_patient(db_url):
    """A database where two imports at once already gave one number to two patients (before 0005):
    the upgrade keeps the number for the patient stored first, gives the other a new one (their case
    review follows), and from then on the database refuses such a certificate."""
    from alembic import command
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from less_tui.storage import db as dbmod
    from less_tui.storage.models import CaseNumber, CaseReview, Certificate, Doctor, Meeting, Patient, Unit

    e = dbmod.make_engine(db_url)
    command.upgrade(dbmod._alembic_config(e), "0004")
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)

    def cert(pid, start, case_no):
        return {"unit_id": 1, "patient_id": pid, "doctor_id": 1, "diagnosis_code": "F32.1", "diagnosis_text": "",
                "start": start, "end": start + dt.timedelta(days=20), "degree": 100, "case_no": case_no,
                "source": "intyg"}

    with e.begin() as c:
        c.execute(insert(Unit.__table__), [{"id": 1, "code": "VC Exempel", "name": "VC", "next_case_no": 3}])
        c.execute(insert(Patient.__table__), [{"id": 1, "pnr": "19760306-4192", "name": "A"},
                                              {"id": 2, "pnr": "19800101-0008", "name": "B"}])
        c.execute(insert(Doctor.__table__), [{"id": 1, "key": "name:Anna Berg", "name": "Anna Berg"}])
        c.execute(insert(Certificate.__table__), [
            {"id": 1, **cert(1, dt.date(2026, 9, 1), 1)}, {"id": 2, **cert(2, dt.date(2026, 9, 1), 1)},
            {"id": 3, **cert(2, dt.date(2026, 9, 20), 1)}, {"id": 4, **cert(2, dt.date(2025, 1, 1), 2)}])
        c.execute(insert(Meeting.__table__), [{"id": 1, "unit_id": 1, "date": dt.date(2026, 11, 23),
                                               "attendees": "[]", "status": "open", "created_by": "t"}])
        c.execute(insert(CaseReview.__table__), [
            {"meeting_id": 1, "patient_id": pid, "anchor_certificate_id": anchor, "case_no": 1, "plan": plan,
             "primary_assessor": "", "reasons": "[]", "facts": "{}", "version": 1, "updated_by": "t",
             "created_at": now, "updated_at": now} for pid, anchor, plan in ((1, 1, "A:s plan"), (2, 3, "B:s plan"))])
    e.dispose()
    e = dbmod.open_engine(db_url)
    try:
        with e.connect() as c:
            assert dict(c.execute(text("SELECT id, case_no FROM certificates")).all()) == {1: 1, 2: 3, 3: 3, 4: 2}
            assert dict(c.execute(text("SELECT plan, case_no FROM case_reviews")).all()) == {"A:s plan": 1,
                                                                                             "B:s plan": 3}
            assert c.execute(text("SELECT next_case_no FROM units")).scalar() == 4
            assert sorted(c.execute(text("SELECT case_no, patient_id FROM case_numbers")).all()) == [
                (1, 1), (2, 2), (3, 2)]
        with pytest.raises(IntegrityError):
            with e.begin() as c:  # patient 1 with patient 2's number
                c.execute(insert(Certificate.__table__), [cert(1, dt.date(2026, 10, 1), 3)])
        with pytest.raises(IntegrityError):
            with e.begin() as c:  # the number is one patient's
                c.execute(insert(CaseNumber.__table__), [{"unit_id": 1, "case_no": 3, "patient_id": 1}])
    finally:
        e.dispose()
