"""The region's report (``indicators --all-units``): every unit's figures, computed by worker processes,
must be exactly what each unit's own meeting sees when every patient of the unit is built."""

import datetime as dt
import json

import pytest
from sqlmodel import select

from helpers import cli
from less_tui.config import validate
from less_tui.services import demo, region, views
from less_tui.storage import db
from less_tui.storage.db import open_engine
from less_tui.storage.models import Unit, pk

TODAY = dt.date(2026, 11, 23)
# the demo clinic's year: follow-ups due, previous meetings, status records
DATES = [TODAY, dt.date(2026, 6, 15), dt.date(2026, 2, 2)]


def _expected(engine, cfg, at: dt.date) -> list[dict]:
    """Each unit's figures from every patient of the unit (not the live ones the report reads)."""
    out = []
    with db.session(engine) as s:
        for unit in s.exec(select(Unit).order_by(Unit.code)):
            every = views.episodes_at(s, pk(unit), at, cfg.max_gap_days)
            iset = views.indicators_at(s, cfg, unit, at, every)
            items = views.queue_at(s, cfg, unit, at, every)
            out.append({
                "code": unit.code, "ongoing": sum(1 for e in every if e.ongoing), "population": iset.population,
                "values": {i.key: (i.count, i.denominator) for i in iset.indicators},
                "previous": {i.key: (i.previous.count, i.previous.denominator)
                             for i in iset.indicators if i.previous} or None,
                "previous_date": iset.indicators[0].previous_date,
                "queue": len(items), "follow_ups": sum(1 for it in items if it.follow_up),
                "urgent": sum(1 for it in items if it.urgent)})
    return out


def _got(figures) -> list[dict]:
    return [{"code": f.code, "ongoing": f.ongoing, "population": f.population,
             "values": {k: (v.count, v.denominator) for k, v in f.values.items()},
             "previous": {k: (v.count, v.denominator) for k, v in f.previous.items()} if f.previous else None,
             "previous_date": f.previous_date, "queue": f.queue, "follow_ups": f.follow_ups, "urgent": f.urgent}
            for f in figures]


def _add_region_units(engine, cfg, units=3) -> None:
    demo.build_region(engine, cfg, seed=2, units=units, per_unit=80, today=TODAY)


def _check(engine, cfg) -> None:
    seen_follow_up = seen_previous = False
    for at in DATES:
        want = _expected(engine, cfg, at)
        assert len(want) == 4 and all(w["population"] for w in want), at
        for workers in (1, 2, 3):
            assert _got(region.region_report(engine, cfg, at, workers=workers)) == want, (at, workers)
        seen_follow_up |= any(w["follow_ups"] for w in want)
        seen_previous |= any(w["previous"] for w in want)
    # the comparison covered what the demo clinic holds: actions due and meetings closed before the date
    assert seen_follow_up and seen_previous


def test_the_region_report_agrees_with_every_unit_built_whole(demo_db):
    cfg = validate({})
    engine = open_engine(f"sqlite:///{demo_db}")
    try:
        _add_region_units(engine, cfg)
        _check(engine, cfg)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_region_report_agrees_on_postgresql(pg_demo_url):
    cfg = validate({})
    engine = open_engine(pg_demo_url)
    try:
        _add_region_units(engine, cfg)
        _check(engine, cfg)
    finally:
        engine.dispose()


def test_an_in_memory_database_is_reported_in_this_process(cfg):
    engine = open_engine("sqlite://")
    try:
        _add_region_units(engine, cfg, units=2)
        figures = region.region_report(engine, cfg, TODAY, workers=2)  # (a worker could not see it)
        assert [f.code for f in figures] == ["VC 001", "VC 002"] and all(f.population for f in figures)
    finally:
        engine.dispose()


def test_indicators_all_units_prints_every_unit_and_the_region(demo_db):
    cfg = validate({})
    engine = open_engine(f"sqlite:///{demo_db}")
    _add_region_units(engine, cfg)
    want = _expected(engine, cfg, TODAY)
    engine.dispose()
    p = cli("indicators", "--all-units", "--json", "--at", TODAY.isoformat(), "--db", str(demo_db), check=True)
    data = json.loads(p.stdout)
    assert [u["unit"] for u in data["units"]] == [w["code"] for w in want]
    for u, w in zip(data["units"], want):
        assert {k: (v["count"], v["denominator"]) for k, v in u["indicators"].items()} == w["values"]
        assert u["queue"]["cases"] == w["queue"] and u["queue"]["follow_ups"] == w["follow_ups"]
    for k, v in data["region"]["indicators"].items():  # the region's share: all units' counts pooled
        assert (v["count"], v["denominator"]) == (sum(w["values"][k][0] for w in want),
                                                  sum(w["values"][k][1] for w in want))
    text = cli("indicators", "--all-units", "--at", TODAY.isoformat(), "--db", str(demo_db), check=True).stdout
    assert "alla vårdenheter (4)" in text and "Alla enheter" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("VC ")]
    assert len(lines) == 4 and "Traceback" not in text
    bad = cli("indicators", "--all-units", "--workers", "-1", "--db", str(demo_db))
    assert bad.returncode != 0 and "--workers -1" in bad.stderr and "Traceback" not in bad.stderr
    alone = cli("indicators", "--workers", "2", "--db", str(demo_db))
    assert alone.returncode == 2 and "--all-units" in alone.stderr


def test_workers_asked_for_are_held_to_the_cores(demo_db, monkeypatch):
    cfg = validate({})
    engine = open_engine(f"sqlite:///{demo_db}")
    try:
        _add_region_units(engine, cfg)
        made = []
        real = region.ProcessPoolExecutor

        def pool(n, **kw):
            made.append(n)
            return real(n, **kw)

        monkeypatch.setattr(region, "ProcessPoolExecutor", pool)
        monkeypatch.setattr(region, "default_workers", lambda: 2)
        assert len(region.region_report(engine, cfg, TODAY, workers=100)) == 4
        assert made == [2]
    finally:
        engine.dispose()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_database_error_in_the_report_is_one_line_and_exit_2(demo_db, monkeypatch, workers):
    """A unit that cannot be read (the database locked, the server gone) ends the report with the
    database's words, from this process or from a worker, and no traceback."""
    import sqlite3

    real = views.overview_at

    def failing(s, cfg, unit, at):
        if unit.code == "VC 002":
            raise sqlite3.OperationalError("database is locked")
        return real(s, cfg, unit, at)

    cfg = validate({})
    engine = open_engine(f"sqlite:///{demo_db}")
    _add_region_units(engine, cfg)
    engine.dispose()
    monkeypatch.setattr(views, "overview_at", failing)  # (a forked worker has it too)
    p = cli("indicators", "--all-units", "--workers", workers, "--db", str(demo_db))
    assert p.returncode == 2, p.stderr
    assert "kunde inte läsa vårdenheternas siffror" in p.stderr and "databasen är låst" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout and len(p.stderr.strip().splitlines()) == 1


def test_doctor_counts_from_rehabstod_are_said_to_be_minimums_everywhere(tmp_path):
    """(data QA helper) `indicators` said the doctor counts of a Rehabstöd export are minimums, but the region's
    report, the year's report and the indicator workbook gave the one-doctor share without a word."""
    import json

    from openpyxl import load_workbook

    from helpers import SAMPLES, cli

    db = str(tmp_path / "r.db")
    env = {"LESS_TUI_TODAY": "2026-11-23"}
    cli("import", "--db", db, str(SAMPLES / "rehabstod-sjukfall-exempel.xlsx"), env=env, check=True)
    note = "Läkarantal från Rehabstöd-export är minimivärden"
    region = json.loads(cli("indicators", "--all-units", "--json", "--db", db, env=env, check=True).stdout)
    assert [u["doctor_counts_lower_bound"] for u in region["units"]] == [True]
    assert region["region"]["doctor_counts_lower_bound"] is True
    text = cli("indicators", "--all-units", "--db", db, env=env, check=True).stdout
    assert f"* {note}" in text and " %" in text and " % *" in text
    cli("meeting", "new", "--db", db, env=env, check=True)
    cli("meeting", "close", "--db", db, env=env, check=True)
    report = cli("report", "--year", "2026", "--format", "md", "-o", str(tmp_path / "r.md"), "--db", db, env=env,
                 check=True)
    assert report.returncode == 0 and note in (tmp_path / "r.md").read_text(encoding="utf-8")
    cli("export", "--format", "xlsx", "-o", str(tmp_path / "w.xlsx"), "--db", db, env=env, check=True)
    cells = [c.value for row in load_workbook(tmp_path / "w.xlsx").active.iter_rows() for c in row]
    assert note in cells


def test_a_units_case_and_spacing_do_not_make_another_unit(tmp_path):
    """(data QA helper) `vc a` and `VC  A` in the vardenhet column became units apart from `VC A`, and the
    region's report listed five units for three. As with doctors' names, they are one unit now: the
    spelling the database (or the config) has, else the first one in the file."""
    import sqlite3

    from helpers import cli

    rows = ["personnummer;diagnos;startdatum;slutdatum;grad;lakare;vardenhet",
            "19850606-6664;M75.1;2026-10-01;2026-12-30;100;A B;VC A",
            "19900101-1239;F32.1;2026-10-01;2026-12-30;100;A B;vc a",
            "19700101-1233;F32.1;2026-10-01;2026-12-30;100;A B;VC  A",
            "19600114-8565;F32.1;2026-10-01;2026-12-30;100;A B;vc  exempel"]
    f = tmp_path / "u.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    db = str(tmp_path / "u.db")
    env = {"LESS_TUI_TODAY": "2026-11-23"}
    out = cli("import", "--db", db, str(f), env=env, check=True).stdout
    assert "VC A: 3, VC Exempel: 1" in out
    f.write_text(rows[0] + "\n19850808-5670;M75.1;2026-10-01;2026-12-30;100;A B; vc A \n", encoding="utf-8")
    cli("import", "--db", db, str(f), env=env, check=True)
    assert sorted(sqlite3.connect(db).execute("SELECT code FROM units").fetchall()) == [("VC A",), ("VC Exempel",)]
