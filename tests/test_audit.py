"""The audit log: every patient shown identified is written (so `audit --patient` finds it), rows name
case numbers, the hash chain shows tampering (`audit --verify`, `doctor`), concurrent appends keep one
chain, existing rows get hashes in the migration. On PostgreSQL these tests connect as an app role
made by the README's GRANT/REVOKE recipe, which cannot TRUNCATE, DELETE, UPDATE or ALTER the log."""

import datetime as dt
import json
import re
import threading
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlmodel import Session

from conftest import _PG_REASON
from helpers import ROOT, SAMPLES, cli, workers_done
from less_tui.storage import auditlog, repo
from less_tui.storage.db import open_engine
from less_tui.storage.models import AuditLog

ENV = {"LESS_TUI_TODAY": "2026-11-23"}
TODAY = dt.date(2026, 11, 23)
PG_HOST = "host=127.0.0.1 port=5432"


# ---------------------------------------------------------------- the app role, from the README

def readme_recipe(owner: str, app: str, db: str) -> tuple[list[str], list[str]]:
    """The README's SQL for PostgreSQL roles (superuser part, owner part), with these names."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("**PostgreSQL roles.**", 1)[1]
    section = section.split("\n**3.", 1)[0]
    blocks, cur = [], []
    for line in section.splitlines():
        if line.startswith("    ") and line.strip():
            cur.append(line.strip())
        elif cur and line.strip():
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    sql = [b for b in blocks if all(ln.endswith(";") for ln in b)]
    assert len(sql) == 2, sql

    def named(stmt: str) -> str:
        stmt = re.sub(r"\bless_owner\b", owner, stmt)
        stmt = re.sub(r"\bless_app\b", app, stmt)
        return re.sub(r"\bregion\b", db, stmt)

    return [named(s) for s in sql[0]], [named(s) for s in sql[1]]


def _pg_superuser(*stmts: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_HOST} user=postgres dbname=test", autocommit=True) as c:
        for stmt in stmts:
            c.execute(stmt)


def _recipe_database(owner: str, app: str, template: str | None = None) -> str:
    """A new database set up by the README's recipe for the roles ``owner`` and ``app`` (made already):
    the superuser's database lines, then the schema made by the owner and the owner's grants; or, with
    ``template``, the superuser's lines making a copy of a database set up so (the schema, its owner,
    the grants and the rows come with the copy; the database's own grants are given again)."""
    import psycopg

    db = f"less_region_{uuid.uuid4().hex[:8]}"
    as_superuser, as_owner = readme_recipe(owner, app, db)
    stmts = [s for s in as_superuser if not s.startswith("CREATE ROLE")]
    if template:
        stmts = [s[:-1] + f' TEMPLATE "{template}";' if s.startswith("CREATE DATABASE") else s for s in stmts]
    _pg_superuser(*stmts)
    if template is None:
        open_engine(f"postgresql+psycopg://{owner}@127.0.0.1:5432/{db}").dispose()  # the owner makes the schema
        with psycopg.connect(f"{PG_HOST} user={owner} dbname={db}", autocommit=True) as c:
            for stmt in as_owner:
                c.execute(stmt)
    return db


def _drop_database(db: str) -> None:
    _pg_superuser(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_recipe_roles():
    """The README's two roles (owner, app), made once per test process, with a database set up by the
    recipe that the tests copy (``pg_roles``): the migrations run once, not for every test."""
    if _PG_REASON:
        pytest.skip(_PG_REASON)
    tag = uuid.uuid4().hex[:8]
    owner, app = f"less_owner_{tag}", f"less_app_{tag}"
    as_superuser, _ = readme_recipe(owner, app, "unused")
    _pg_superuser(*[s for s in as_superuser if s.startswith("CREATE ROLE")])
    made = []
    try:
        made.append(_recipe_database(owner, app))
        yield owner, app, made
    finally:
        for db in made:
            _drop_database(db)
        _pg_superuser(f'DROP ROLE IF EXISTS "{app}"', f'DROP ROLE IF EXISTS "{owner}"')


@pytest.fixture(scope="session")
def pg_recipe_demo(pg_recipe_roles):
    """A copy of the recipe's database holding the demo clinic, built by the app role (imports,
    meetings, reviews, actions, statuses, closings: everything the app writes), once per test process."""
    from conftest import _fixed_today
    from less_tui.config import validate

    owner, app, made = pg_recipe_roles
    db = _recipe_database(owner, app, template=made[0])
    made.append(db)
    with _fixed_today():
        _demo(f"postgresql+psycopg://{app}@127.0.0.1:5432/{db}", validate({}))
    return db


def _recipe_copy(owner: str, app: str, template: str):
    db = _recipe_database(owner, app, template=template)
    try:
        yield f"postgresql+psycopg://{owner}@127.0.0.1:5432/{db}", f"postgresql+psycopg://{app}@127.0.0.1:5432/{db}"
    finally:
        _drop_database(db)


@pytest.fixture
def pg_roles(pg_recipe_roles):
    """A PostgreSQL database set up as the README says: the schema made by an owner role, the app's
    role with the README's grants. Yields (owner URL, app URL)."""
    owner, app, made = pg_recipe_roles
    yield from _recipe_copy(owner, app, made[0])


@pytest.fixture
def pg_roles_demo(pg_recipe_roles, pg_recipe_demo):
    """``pg_roles`` holding the demo clinic that the app role built."""
    owner, app, _ = pg_recipe_roles
    yield from _recipe_copy(owner, app, pg_recipe_demo)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def urls(request, migrated_db):
    """(URL the app uses, URL of the schema's owner): one SQLite file, or the PostgreSQL app and owner roles."""
    if request.param == "sqlite":
        url = f"sqlite:///{migrated_db}"
        return url, url
    owner_url, app_url = request.getfixturevalue("pg_roles")
    return app_url, owner_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_urls(request):
    """``urls`` holding the demo clinic (on PostgreSQL: built by the app role)."""
    if request.param == "sqlite":
        url = f"sqlite:///{request.getfixturevalue('demo_db')}"
        return url, url
    owner_url, app_url = request.getfixturevalue("pg_roles_demo")
    return app_url, owner_url


def _rows(url: str) -> list:
    e = create_engine(url)
    try:
        with e.connect() as c:
            return list(c.execute(select(AuditLog.__table__).order_by(AuditLog.id)))
    finally:
        e.dispose()


def _verify(url: str) -> auditlog.Verdict:
    e = create_engine(url)
    try:
        with e.connect() as c:
            return auditlog.verify(c)
    finally:
        e.dispose()


def _owner_sql(owner_url: str, *stmts: str, params: dict | None = None) -> None:
    """Run statements as the schema's owner with the append-only triggers out of the way (what someone
    who owns the database could do)."""
    e = create_engine(owner_url)
    try:
        with e.begin() as c:
            if c.dialect.name == "sqlite":
                c.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
                c.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
            else:
                c.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
            for s in stmts:
                c.execute(text(s), params or {})
    finally:
        e.dispose()


# ---------------------------------------------------------------- patients shown identified

def _demo(url: str, cfg) -> None:
    from less_tui.services import demo

    e = open_engine(url)
    demo.build_clinic(e, cfg, seed=1, today=TODAY)
    e.dispose()


# one test process builds the app role's demo clinic (pg_recipe_demo) for both tests that use it
@pytest.mark.xdist_group("pg_recipe_demo")
def test_identified_listings_write_every_patient_with_its_case_number(demo_urls, tmp_path):
    url, _ = demo_urls  # on PostgreSQL: built by the app role
    q = json.loads(cli("queue", "--db", url, "--identify", "--json", env=ENV, check=True).stdout)["cases"]
    assert len(q) >= 5
    for c in (q[0], q[-1]):
        found = json.loads(cli("audit", "--db", url, "--patient", c["patient"], "--json", env=ENV, check=True).stdout)
        mine = [r for r in found if r["action"] == "queue.identified"]
        assert [r["case"] for r in mine] == [c["case"]]
        assert [r["unit"] for r in mine] == ["VC Exempel"]  # a case number is its unit's (data QA helper)
        assert all("patient_id" not in r for r in found)  # rows name the case, not an internal id
    cli("export", "--db", url, "--meeting", "2026-10-23", "--identify", "-o", str(tmp_path / "m.md"), env=ENV,
        check=True)
    written = re.findall(r"(\d{8}-\d{4})", (tmp_path / "m.md").read_text(encoding="utf-8"))
    assert written
    for pnr in {written[0], written[-1]}:
        found = json.loads(cli("audit", "--db", url, "--patient", pnr, "--json", env=ENV, check=True).stdout)
        assert any(r["action"] == "export.identified" and r["case"] for r in found), pnr
    rows = _rows(url)
    events = {r.action: r.detail for r in rows if r.action in ("queue.identify", "export.identify")}
    assert f"cases={len(q)}" in events["queue.identify"]
    assert sum(r.action == "queue.identified" for r in rows) == len({c["patient"] for c in q})
    # every row about a patient names its case; none names a review or an action by its id
    assert all(r.case_no for r in rows if r.patient_id is not None)
    assert not [r.detail for r in rows if re.search(r"\b(review|action)=\d", r.detail)]
    p = cli("audit", "--db", url, "--verify", env=ENV)
    assert p.returncode == 0 and f"{len(rows)} rader, hashkedjan är hel" in p.stdout


async def _until(pilot, cond, what: str, tries: int = 80):
    for _ in range(tries):
        await pilot.pause()
        await workers_done(pilot.app)
        await pilot.pause()
        if cond():
            return
    raise AssertionError(f"timed out waiting for {what}")


def _audit(engine, action: str) -> list[AuditLog]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


async def test_unmasking_writes_each_patient_shown(demo_engine, cfg):
    from less_tui.app import LessApp
    from less_tui.screens.decision import DecisionScreen
    from less_tui.screens.queue import QueueScreen

    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "the queue")
        rows = app.screen.data.rows
        assert _audit(demo_engine, "screen.identified") == []  # masked: nobody shown identified yet
        await pilot.press("m")
        await _until(pilot, lambda: not app.masked, "unmasked")
        shown = _audit(demo_engine, "screen.identified")
        assert {(a.patient_id, a.case_no) for a in shown} == {(r.patient_id, r.case_no) for r in rows}
        assert len(_audit(demo_engine, "screen.unmask")) == 1
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, DecisionScreen), "the case")
        view = _audit(demo_engine, "case.view")[-1]
        assert view.case_no == rows[0].case_no and "identified=yes" in view.detail
        await pilot.press("escape", "m")
        await _until(pilot, lambda: app.masked and isinstance(app.screen, QueueScreen), "masked again")
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, DecisionScreen), "the case")
        await _until(pilot, lambda: "identified=no" in _audit(demo_engine, "case.view")[-1].detail, "masked view")
    assert len(_audit(demo_engine, "screen.identified")) == len(shown)  # masked: nothing more


async def test_without_masking_the_queue_and_each_case_view_are_written_per_patient(demo_db, demo_engine):
    from less_tui.app import LessApp
    from less_tui.config import validate
    from less_tui.screens.decision import DecisionScreen
    from less_tui.screens.queue import QueueScreen

    cfg = validate({"privacy": {"mask_on_screen": False}})
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "the queue")
        assert not app.masked
        rows = app.screen.data.rows
        shown = _audit(demo_engine, "screen.identified")
        assert {(a.patient_id, a.case_no) for a in shown} == {(r.patient_id, r.case_no) for r in rows}
        assert _audit(demo_engine, "screen.unmask") == []  # never masked, so never unmasked
        await pilot.press("down", "enter")
        await _until(pilot, lambda: isinstance(app.screen, DecisionScreen), "the case")
        second = rows[1]
    found = json.loads(cli("audit", "--db", str(demo_db), "--patient", second.pnr, "--json", env=ENV,
                           check=True).stdout)
    assert ("screen.identified", second.case_no) in {(r["action"], r["case"]) for r in found}
    views = [r for r in found if r["action"] == "case.view"]
    assert views and views[-1]["case"] == second.case_no and "identified=yes" in views[-1]["detail"]


# ---------------------------------------------------------------- the hash chain

def _some_rows(url: str, cfg) -> None:
    """A few dozen audit rows, written by the app (on PostgreSQL: its role)."""
    cli("import", "--db", url, str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    cli("queue", "--db", url, "--identify", env=ENV, check=True)
    cli("meeting", "new", "--db", url, env=ENV, check=True)


TAMPER = {
    # kind: (statements as the owner, triggers dropped; the row the break is reported at, from (first, last))
    "changed": (["UPDATE audit_log SET detail = 'nothing to see' WHERE id = :k"], "changed", lambda f, l: f + 2),
    "backdated": (["UPDATE audit_log SET ts = ts - INTERVAL '3 days' WHERE id = :k"], "changed", lambda f, l: f + 2),
    "deleted": (["DELETE FROM audit_log WHERE id = :k"], "gap", lambda f, l: f + 3),
    "end_deleted": (["DELETE FROM audit_log WHERE id >= :k2"], "tail", lambda f, l: l),
}


@pytest.mark.parametrize("how", sorted(TAMPER))
def test_verify_and_doctor_name_the_first_row_where_the_chain_breaks(urls, cfg, how):
    url, owner_url = urls
    _some_rows(url, cfg)
    rows = _rows(url)
    first, last = rows[0].id, rows[-1].id
    assert len(rows) >= 6 and _verify(url).ok
    stmts, kind, at = TAMPER[how]
    if owner_url.startswith("sqlite"):  # SQLite has no INTERVAL
        stmts = [s.replace("ts - INTERVAL '3 days'", "datetime(ts, '-3 days')") for s in stmts]
    _owner_sql(owner_url, *stmts, params={"k": first + 2, "k2": last - 1})
    v = _verify(url)
    assert (v.first_break.kind, v.first_break.row_id) == (kind, at(first, last))
    p = cli("audit", "--db", url, "--verify", env=ENV)
    assert p.returncode == 1
    assert (f"rad {at(first, last)}" in p.stdout) if kind != "tail" else (f", {last}, saknas" in p.stdout), p.stdout
    d = cli("--lang", "en", "doctor", "--db", url, env=ENV)
    assert d.returncode == 1 and re.search(r"\[FAIL\] audit log: The audit log .*is broken", d.stdout), d.stdout


def test_rows_written_without_a_hash_or_back_dated_with_one_are_found(urls, cfg):
    url, owner_url = urls
    _some_rows(url, cfg)
    last = _rows(url)[-1]
    # the app's own role can add rows: one without a hash …
    e = create_engine(url)
    try:
        with e.begin() as c:
            c.execute(AuditLog.__table__.insert().values(ts=last.ts, os_user="x", ssh_client="", action="case.view",
                                                         detail=""))
        bare = _rows(url)[-1].id
        v = _verify(url)
        assert (v.first_break.kind, v.first_break.row_id) == ("no_hash", bare)
        assert cli("audit", "--db", url, "--verify", env=ENV).returncode == 1
        _owner_sql(owner_url, "DELETE FROM audit_log WHERE id = :k", params={"k": bare})
        assert _verify(url).ok
        # … and one chained correctly but dated two days before the row it follows
        ts = last.ts - dt.timedelta(days=2)
        h = auditlog.row_hash(ts, "x", "", "case.view", None, None, None, "", last.row_hash)
        with e.begin() as c:
            c.execute(AuditLog.__table__.insert().values(ts=ts, os_user="x", ssh_client="", action="case.view",
                                                         detail="", prev_hash=last.row_hash, row_hash=h))
            new = c.execute(select(func.max(AuditLog.id))).scalar()
            c.execute(text("UPDATE audit_chain SET last_id = :i, last_hash = :h"), {"i": new, "h": h})
    finally:
        e.dispose()
    v = _verify(url)
    assert (v.first_break.kind, v.first_break.row_id) == ("backdated", new)
    p = cli("--lang", "en", "audit", "--db", url, "--verify", env=ENV)
    assert p.returncode == 1 and f"broken at row {new}" in p.stdout and "back-dated" in p.stdout


def test_two_sessions_appending_at_once_keep_one_chain(urls):
    url, _ = urls
    e = open_engine(url)
    errors = []
    start = threading.Barrier(4)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(25):
                with Session(e) as s:
                    repo.audit(s, "test.concurrent", detail=f"writer={n} i={i}")
                    s.commit()
        except Exception as ex:  # pragma: no cover - reported below
            errors.append(ex)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    e.dispose()
    assert errors == []
    rows = _rows(url)
    assert len(rows) == 100
    prevs = [r.prev_hash for r in rows]
    assert len(set(prevs)) == len(prevs)  # no two rows follow the same row: the chain did not fork
    v = _verify(url)
    assert v.ok and v.rows == 100, v


def test_migration_gives_existing_rows_their_hashes(db_url):
    from alembic import command

    from less_tui.storage import db as dbmod

    e = dbmod.make_engine(db_url)
    command.upgrade(dbmod._alembic_config(e), "0004")
    with e.begin() as c:  # rows as less-tui wrote them before 0006
        for i, (ts, action, pid) in enumerate([("2026-11-20 08:00:00", "import", None),
                                                ("2026-11-20 08:05:00", "case.view", 7),
                                                ("2026-11-21 09:00:00", "export", None)]):
            c.execute(text("INSERT INTO audit_log (ts, os_user, ssh_client, action, unit_id, patient_id, detail) "
                           "VALUES (:ts, 'kerstin', '10.0.0.5', :a, 1, :p, :d)"),
                      {"ts": ts, "a": action, "p": pid, "d": f"n={i}"})
    command.upgrade(dbmod._alembic_config(e), "head")
    v = _verify(db_url)
    assert v.ok and v.rows == 3
    with Session(e) as s:  # a new row chains onto them
        repo.audit(s, "after", detail="x")
        s.commit()
    v = _verify(db_url)
    assert v.ok and v.rows == 4
    # the append-only triggers are back after the migration rewrote the old rows
    for stmt in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with e.begin() as c:
                c.execute(text(stmt))
    e.dispose()


# ---------------------------------------------------------------- the app's role on PostgreSQL

@pytest.mark.postgres
@pytest.mark.xdist_group("pg_recipe_demo")
def test_app_role_cannot_change_the_audit_log_and_does_the_apps_work(pg_roles_demo, cfg, tmp_path):
    import psycopg

    from less_tui.services.meeting import MeetingService

    owner_url, app_url = pg_roles_demo  # the demo: imports, meetings, reviews, actions, statuses, closings as the app role
    e = open_engine(app_url)
    svc = MeetingService(e, cfg, TODAY, session_id="t")
    svc.open()
    row = svc.queue().rows[0]
    detail = svc.case(row.case_no, row)
    _, v = svc.save_plan(row.case_no, "Deltid 50 %", detail.version)
    a = svc.add_action(row.case_no, "Kontakt med arbetsgivare", "Kerstin", None)
    svc.set_action_status(a.id, "done")
    svc.delete_action(svc.add_action(row.case_no, "Fel", "Kerstin", None).id)
    svc.set_status(row.case_no, "coordinator", "Aktiv")
    svc.close()
    svc.reopen("Ett beslut saknades")
    e.dispose()
    out = cli("export", "--db", app_url, "--identify", "-o", str(tmp_path / "m.md"), env=ENV)
    assert out.returncode == 0, out.stderr
    p = cli("audit", "--db", app_url, "--verify", env=ENV)
    assert p.returncode == 0 and "hashkedjan är hel" in p.stdout
    d = cli("doctor", "--db", app_url, env=ENV).stdout
    assert "får bara läsa och lägga till rader i granskningsloggen" in d
    role = app_url.split("//", 1)[1].split("@", 1)[0]
    db = app_url.rsplit("/", 1)[1]
    for stmt in ("TRUNCATE audit_log", "DELETE FROM audit_log", "UPDATE audit_log SET action = 'x'",
                 "ALTER TABLE audit_log ADD COLUMN x integer", "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
                 "DROP TRIGGER audit_log_no_change ON audit_log"):
        with psycopg.connect(f"{PG_HOST} user={role} dbname={db}") as c:
            with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.InvalidGrantOperation)):
                c.execute(stmt)
    assert _verify(app_url).ok
    # the owner may (and doctor says so); the triggers still refuse it a DELETE
    assert "DELETE" in cli("--lang", "en", "doctor", "--db", owner_url, env=ENV).stdout
    owner = owner_url.split("//", 1)[1].split("@", 1)[0]
    with psycopg.connect(f"{PG_HOST} user={owner} dbname={db}") as c:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            c.execute("DELETE FROM audit_log")


def test_verify_speaks_json_and_refuses_a_filter_it_would_ignore(tmp_path):
    """(data QA helper) `audit --verify --json` printed plain text, and `--verify --patient X` ignored the filter."""
    from helpers import SAMPLES

    db = str(tmp_path / "a.db")
    cli("import", "--db", db, str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    out = json.loads(cli("audit", "--verify", "--json", "--db", db, env=ENV, check=True).stdout)
    assert out["whole"] is True and "hashkedjan är hel" in out["verdict"]
    p = cli("audit", "--verify", "--user", "root", "--db", db, env=ENV)
    assert p.returncode == 2 and "--verify prövar hela loggens hashkedja" in p.stderr
