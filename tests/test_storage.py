"""Storage: migrations, imports, decisions that stay with their case, audit. SQLite and PostgreSQL."""

import datetime as dt
import os
import stat

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from less_tui.core.importer import Row
from less_tui.storage import db as dbmod
from less_tui.services import views
from less_tui.storage import importing, repo
from less_tui.storage.models import AuditLog, Certificate, Patient

D = dt.date
PNR = "19760306-4192"


def row(start, end, degree=100, doctor="Anna Berg", pnr=PNR, status=None, plan=None, dx="F32.1"):
    return Row(line=2, pnr=pnr, name="Sara Olsson", diagnosis_code=dx, diagnosis_text="", start=start, end=end,
               degree=degree, doctor=doctor, doctor_id=None, coordinator_status=status, rehab_plan=plan,
               unit="VC Exempel")


def store(engine, cfg, rows, as_of=D(2026, 11, 23)):
    return importing.store(engine, cfg, [("t.csv", "0" * 64, "intyg", len(rows), 0, rows)], as_of)


def counts(engine):
    with Session(engine, expire_on_commit=False) as s:
        return (s.scalar(select(func.count(Certificate.id))), s.scalar(select(func.count(Patient.id))))


def test_schema_is_at_head(engine):
    assert dbmod.current_revision(engine) == dbmod.head_revision() == dbmod.HEAD


def test_import_twice_changes_nothing(engine, cfg):
    rows = [row(D(2026, 9, 1), D(2026, 9, 30)), row(D(2026, 10, 1), D(2026, 12, 1), 50, "Omid Rahimi", status="Aktiv")]
    s1 = store(engine, cfg, rows)
    assert (s1.new_certificates, s1.known_certificates, s1.status_records) == (2, 0, 1)
    before = counts(engine)
    s2 = store(engine, cfg, rows)
    assert (s2.new_certificates, s2.known_certificates, s2.status_records) == (0, 2, 0)
    assert counts(engine) == before == (2, 1)
    assert s2.ongoing_episodes == {"VC Exempel": 1}


def test_an_imports_ongoing_count_is_the_rules(engine, cfg):
    """The summary's ongoing episodes (counted for the patients with a certificate covering the as-of
    date only) equal the episodes the rule builds from the whole unit, at dates before, inside and after
    the data (episodes that bridge a gap, ones that ended the day before, back-filled rows)."""
    from less_tui.core import demo
    from less_tui.core.episodes import ongoing

    today = D(2026, 11, 23)
    rows = demo.generate(today, seed=3, episodes=300)
    rows += [row(D(2026, 11, 1), D(2026, 11, 20)), row(D(2026, 11, 24), D(2026, 12, 20))]  # a gap of 3 days
    compared = 0
    for at in (D(2025, 6, 1), D(2026, 11, 21), D(2026, 11, 22), today, D(2027, 1, 10)):
        summary = store(engine, cfg, rows, as_of=at)
        with Session(engine) as s:
            unit = repo.get_unit(s, cfg.unit)
            expected = len(ongoing(views.episodes_at(s, unit.id, at, cfg.max_gap_days)))
        assert summary.ongoing_episodes == {cfg.unit: expected}, at
        compared += expected > 0
    assert compared >= 3


def test_dry_run_stores_nothing(engine, cfg):
    s = importing.store(engine, cfg, [("t.csv", "0" * 64, "intyg", 1, 0, [row(D(2026, 9, 1), D(2026, 9, 30))])],
                        D(2026, 11, 23), dry_run=True)
    assert s.new_certificates == 1
    assert counts(engine) == (0, 0)


def _decide(engine, cfg, at):
    with Session(engine, expire_on_commit=False) as s:
        unit = repo.get_unit(s, cfg.unit)
        m = views.create_meeting(s, cfg, unit, at)
        (e,) = [e for e in views.episodes_at(s, unit.id, at, cfg.max_gap_days) if e.ongoing]
        r = repo.ensure_review(s, m, e, ["long"])
        repo.save_plan(s, r.id, "Pröva deltid", r.version)
        repo.add_action(s, r.id, "Kontakt med arbetsgivare", "Kerstin Bronner", D(2026, 12, 23))
        s.commit()
        return e.case_no


def _history(engine, cfg, at):
    with Session(engine, expire_on_commit=False) as s:
        unit = repo.get_unit(s, cfg.unit)
        eps = [e for e in views.episodes_at(s, unit.id, at, cfg.max_gap_days) if e.ongoing]
        assert len(eps) == 1
        return eps[0].case_no, [(h.review.plan, [a.kind for a in h.actions]) for h in repo.history(s, unit.id, eps[0])]


def test_decision_stays_when_episode_is_extended(engine, cfg):
    store(engine, cfg, [row(D(2026, 10, 1), D(2026, 11, 30))])
    case = _decide(engine, cfg, D(2026, 11, 23))
    store(engine, cfg, [row(D(2026, 12, 1), D(2026, 12, 31), 50, "Omid Rahimi")], as_of=D(2026, 12, 5))
    assert _history(engine, cfg, D(2026, 12, 5)) == (case, [("Pröva deltid", ["Kontakt med arbetsgivare"])])


def test_decision_stays_when_an_earlier_certificate_arrives(engine, cfg):
    store(engine, cfg, [row(D(2026, 10, 1), D(2026, 11, 30))])
    case = _decide(engine, cfg, D(2026, 11, 23))
    store(engine, cfg, [row(D(2026, 9, 1), D(2026, 9, 30), 100, "Maja Lind")])
    got_case, hist = _history(engine, cfg, D(2026, 11, 23))
    assert got_case == case and hist == [("Pröva deltid", ["Kontakt med arbetsgivare"])]


def test_decisions_stay_when_two_episodes_merge(engine, cfg):
    store(engine, cfg, [row(D(2026, 8, 1), D(2026, 8, 31)), row(D(2026, 10, 1), D(2026, 11, 30))])
    with Session(engine, expire_on_commit=False) as s:  # a decision on the first episode, in August
        unit = repo.get_unit(s, cfg.unit)
        m = views.create_meeting(s, cfg, unit, D(2026, 8, 20))
        (e,) = [e for e in views.episodes_at(s, unit.id, D(2026, 8, 20), 5) if e.ongoing]
        first_case = e.case_no
        r = repo.ensure_review(s, m, e, [])
        repo.save_plan(s, r.id, "Augustiplan", r.version)
        s.commit()
    case = _decide(engine, cfg, D(2026, 11, 23))
    assert case != first_case
    store(engine, cfg, [row(D(2026, 9, 1), D(2026, 9, 30), 75, "Maja Lind")])  # fills the gap
    got_case, hist = _history(engine, cfg, D(2026, 11, 23))
    assert got_case == min(case, first_case)
    assert sorted(p for p, _ in hist) == ["Augustiplan", "Pröva deltid"]


def test_plan_conflict_is_detected(engine, cfg):
    store(engine, cfg, [row(D(2026, 10, 1), D(2026, 11, 30))])
    _decide(engine, cfg, D(2026, 11, 23))
    with Session(engine, expire_on_commit=False) as s:
        m = repo.meeting_at(s, repo.get_unit(s, cfg.unit).id, D(2026, 11, 23))
        (r,) = repo.reviews_of_meeting(s, m.id)
        v = r.version
        repo.save_plan(s, r.id, "A's text", v)
        s.commit()
    with Session(engine, expire_on_commit=False) as s:
        with pytest.raises(repo.Conflict) as ei:
            repo.save_plan(s, r.id, "B's text", v)
        assert ei.value.theirs == "A's text"


def test_meeting_close_freezes_and_previous_is_used(engine, cfg):
    store(engine, cfg, [row(D(2026, 10, 1), D(2026, 12, 30)), row(D(2026, 10, 1), D(2026, 12, 30), pnr="19650606-6940")])
    with Session(engine, expire_on_commit=False) as s:
        unit = repo.get_unit(s, cfg.unit)
        m = views.create_meeting(s, cfg, unit, D(2026, 10, 23))
        views.close_meeting(s, cfg, unit, m)
        s.commit()
    with Session(engine, expire_on_commit=False) as s:
        unit = repo.get_unit(s, cfg.unit)
        assert repo.frozen(s, m.id)["full_time"].count == 2
        iset = views.indicators_at(s, cfg, unit, D(2026, 11, 23))
        assert iset.by_key("full_time").previous_date == D(2026, 10, 23)
        with pytest.raises(ValueError):
            views.close_meeting(s, cfg, unit, repo.meeting_at(s, unit.id, D(2026, 10, 23)))


def test_audit_log_is_append_only(engine):
    with Session(engine, expire_on_commit=False) as s:
        repo.audit(s, "test")
        s.commit()
    for stmt in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with engine.connect() as c:
            with pytest.raises(Exception) as ei:
                c.execute(text(stmt))
                c.commit()
            assert "append-only" in str(ei.value)
    with Session(engine, expire_on_commit=False) as s:
        assert s.scalar(select(func.count(AuditLog.id))) == 1


def test_sqlite_file_is_owner_only_and_pragmas(tmp_path):
    path = tmp_path / "sub" / "x.db"
    e = dbmod.open_engine(f"sqlite:///{path}")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    with e.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_older_sqlite_database_is_copied_aside_then_upgraded(tmp_path, cfg, monkeypatch):
    from alembic import command

    path = tmp_path / "old.db"
    e = dbmod.make_engine(f"sqlite:///{path}")
    command.upgrade(dbmod._alembic_config(e), "0001")
    with e.begin() as c:  # a certificate as revision 0001 stored it (today's import needs today's schema)
        c.exec_driver_sql("INSERT INTO units (id, code, name, next_case_no) VALUES (1, 'VC Exempel', 'VC', 2)")
        c.exec_driver_sql(f"INSERT INTO patients (id, pnr, name) VALUES (1, '{PNR}', 'Sara Olsson')")
        c.exec_driver_sql("INSERT INTO doctors (id, key, name) VALUES (1, 'name:Anna Berg', 'Anna Berg')")
        c.exec_driver_sql(
            "INSERT INTO certificates (unit_id, patient_id, doctor_id, diagnosis_code, diagnosis_text, start, "
            "\"end\", degree, case_no, source) VALUES (1, 1, 1, 'F32.1', '', '2026-10-01', '2026-11-30', 100, 1, 'intyg')")
    e.dispose()
    e = dbmod.open_engine(f"sqlite:///{path}")
    assert dbmod.current_revision(e) == dbmod.HEAD
    backups = list(tmp_path.glob(f"old.db.before-{dbmod.HEAD}-*"))
    assert len(backups) == 1
    old = dbmod.make_engine(f"sqlite:///{backups[0]}")
    assert dbmod.current_revision(old) == "0001"
    assert counts(old) == counts(e) == (1, 1)


def test_unreachable_database_gives_a_clear_error():
    with pytest.raises(dbmod.DatabaseError) as ei:
        dbmod.open_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    assert "kan inte öppna databasen" in str(ei.value) and "secret" not in str(ei.value)
