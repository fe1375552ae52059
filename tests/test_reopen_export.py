"""Exports from the app (a file for every format, only its path on screen, in exports/ beside the
database), `export --list`, reopening a closed meeting (CLI and palette), and --help of every command.

Pilot tests move the app only with ``pilot.press`` and wait for conditions."""

import datetime as dt
import grp
import json
import os
import re
import stat

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from helpers import SAMPLES, cli
from less_tui.app import LessApp
from less_tui.i18n import t
from less_tui.screens.dialogs import ChoiceDialog
from less_tui.screens.queue import QueueScreen
from less_tui.screens.reopen import ReopenDialog
from less_tui.screens.summary import SummaryScreen
from less_tui.services import views
from less_tui.storage import repo
from less_tui.storage.models import AuditLog, Meeting, MeetingIndicator, MeetingReopening
from test_keyboard import notices, palette_command, queue_ready, until

ENV = {"LESS_TUI_TODAY": "2026-11-23"}
CLOSED = dt.date(2026, 10, 23)  # the demo's last meeting, closed
# the demo database's exports: a folder of their own, and names that say so
MD_NAME = "demo-fmt-protokoll-VC_Exempel-2026-10-23.md"
DEMO_EXPORTS = "demo-exports"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def notes_of(app) -> list[str]:
    """Record what the app notifies (and still show it)."""
    seen: list[str] = []
    shown = app.notify

    def notify(message, *a, **kw):
        seen.append(str(message))
        return shown(message, *a, **kw)

    app.notify = notify
    return seen


def plans_and_patients(engine, date):
    from less_tui.services.minutes import gather
    from less_tui.config import validate

    m = gather(engine, validate({}), date)
    return [c.plan for c in m.cases if c.plan], [c.patient for c in m.cases]


def meeting_row(engine, date):
    with Session(engine, expire_on_commit=False) as s:
        return s.scalars(select(Meeting).where(Meeting.date == date)).one()


# ---------------------------------------------------------------- exports

async def test_markdown_from_the_app_is_a_file_beside_the_database(demo_engine, demo_db, cfg, tmp_path, monkeypatch):
    elsewhere = tmp_path / "server-cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the server's working directory: nothing may land here
    app = LessApp(cfg, demo_engine, CLOSED)
    async with app.run_test(size=(120, 40)) as pilot:
        notes = notes_of(app)
        await queue_ready(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None, "the summary")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the format dialog")
        assert str(app.screen.query_one(".choice-hint").render()) == "↑↓ väljer · Enter skriver · Esc avbryter"
        await pilot.press("enter")  # Markdown, the first choice
        out = demo_db.parent / DEMO_EXPORTS / MD_NAME
        await until(pilot, lambda: out.exists() and any(str(out) in n for n in notes), "the Markdown file")
    assert list(elsewhere.iterdir()) == []
    assert mode(out) == 0o600 and mode(out.parent) == 0o700
    note = next(n for n in notes if str(out) in n)
    assert note == t("sum.exported", path=str(out))  # the path, nothing of the minutes
    assert note.endswith("\n" + str(out))  # on a line of its own
    plans, patients = plans_and_patients(demo_engine, CLOSED)
    assert plans and patients
    text = out.read_text(encoding="utf-8")
    assert f"## {t('min.cases')}" in text
    for plan in plans:
        assert plan not in note and plan[:12] not in note
    for who in patients:
        assert who not in note and who in text
    listed = cli("export", "--list", "--db", str(demo_db), env=ENV, check=True).stdout.splitlines()
    assert str(out) in listed


def test_cli_export_without_o_goes_beside_the_database_and_is_listed(demo_db, tmp_path):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    p = cli("export", "--db", str(demo_db), "--meeting", "2026-10-23", "--format", "html", env=ENV, cwd=cwd)
    assert p.returncode == 0, p.stderr
    out = demo_db.parent / DEMO_EXPORTS / "demo-fmt-protokoll-VC_Exempel-2026-10-23.html"
    assert out.exists() and mode(out) == 0o600 and str(out) in p.stderr
    assert list(cwd.iterdir()) == []
    listed = cli("export", "--list", "--db", str(demo_db), env=ENV, check=True)
    assert listed.stdout.splitlines() == [str(out)]
    # Markdown without -o still goes to stdout, and writes nothing
    md = cli("export", "--db", str(demo_db), "--meeting", "2026-10-23", env=ENV, check=True).stdout
    assert md.startswith("# ") and sorted(os.listdir(out.parent)) == [out.name]


def test_export_list_when_there_is_nothing(tmp_path):
    cli("import", "--db", str(tmp_path / "x.db"), str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    p = cli("export", "--list", "--db", str(tmp_path / "x.db"), env=ENV)
    assert p.returncode == 0 and p.stdout == ""
    assert str(tmp_path / "exports") in p.stderr


def test_export_folder_for_postgres_and_from_the_config(cfg, tmp_path):
    from sqlalchemy import create_engine

    from less_tui.config import user_data_dir, validate
    from less_tui.exports import export_folder

    pg = create_engine("postgresql+psycopg://someone@db.example/less")  # never connected
    assert export_folder(cfg, pg, create=False) == user_data_dir() / "exports"
    mem = create_engine("sqlite://")
    assert export_folder(cfg, mem, create=False) == user_data_dir() / "exports"
    chosen = validate({"export": {"folder": str(tmp_path / "mine")}})
    assert export_folder(chosen, pg) == tmp_path / "mine" and mode(tmp_path / "mine") == 0o700


def test_exports_belong_to_the_team_group(demo_engine, demo_db):
    from less_tui.config import validate
    from less_tui.exports import export_meeting

    group = grp.getgrgid(os.getgid()).gr_name
    cfg = validate({"database": {"group": group}})
    out = export_meeting(demo_engine, cfg, CLOSED, "md", to_file=True)
    assert out.parent == demo_db.parent / DEMO_EXPORTS
    assert mode(out.parent) == 0o2770 and os.stat(out.parent).st_gid == os.getgid()
    assert mode(out) == 0o660


# ---------------------------------------------------------------- reopening

def test_reopen_and_close_again_from_the_cli(demo_db):
    from less_tui.storage.db import open_engine

    db = str(demo_db)
    p = cli("meeting", "reopen", "--db", db, "--date", "2026-10-23", env=ENV)
    assert p.returncode == 2 and "--reason" in p.stderr
    p = cli("meeting", "reopen", "--db", db, "--date", "2026-10-23", "--reason", "   ", env=ENV)
    assert p.returncode == 2 and t("reopen.reason_required") in p.stderr
    p = cli("meeting", "reopen", "--db", db, "--date", "2026-01-01", "--reason", "x", env=ENV)
    assert p.returncode == 2 and "2026-01-01" in p.stderr

    reason = "Fel *plan* i ärende 12 | rättas"
    cli("meeting", "reopen", "--db", db, "--date", "2026-10-23", "--reason", reason, env=ENV, check=True)
    audit = json.loads(cli("audit", "--db", db, "--json", env=ENV, check=True).stdout)
    row = [a for a in audit if a["action"] == "meeting.reopen"]
    assert len(row) == 1 and reason in row[0]["detail"] and "2026-10-23" in row[0]["detail"] and row[0]["user"]
    listed = {m["date"]: m["status"] for m in json.loads(cli("meeting", "list", "--db", db, "--json", env=ENV,
                                                              check=True).stdout)}
    assert listed["2026-10-23"] == "open"
    e = open_engine(f"sqlite:///{demo_db}")
    with Session(e) as s:
        m = s.scalars(select(Meeting).where(Meeting.date == CLOSED)).one()
        assert m.closed_at is None
        assert s.scalar(select(func.count(MeetingIndicator.id)).where(MeetingIndicator.meeting_id == m.id)) == 0
        (kept,) = s.scalars(select(MeetingReopening).where(MeetingReopening.meeting_id == m.id)).all()
        assert kept.reason == reason and kept.closed_at is not None and len(json.loads(kept.frozen)) == 4
    e.dispose()

    p = cli("meeting", "reopen", "--db", db, "--date", "2026-10-23", "--reason", "again", env=ENV)
    assert p.returncode == 2 and t("reopen.not_closed", date="2026-10-23") in p.stderr

    md_open = cli("export", "--db", db, "--meeting", "2026-10-23", env=ENV, check=True).stdout
    assert md_open.count(t("min.closed_at", time="")) == 1  # the undone closing, and why

    cli("meeting", "close", "--db", db, "--date", "2026-10-23", env=ENV, check=True)
    md = cli("export", "--db", db, "--meeting", "2026-10-23", env=ENV, check=True).stdout
    section = md.split(f"## {t('min.closings')}\n", 1)[1].split("\n## ", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("- ")]
    assert len(lines) == 2, section
    assert lines[0].startswith("- " + t("min.closed_at", time="")) and "öppnat igen" in lines[0]
    assert "Fel \\*plan\\* i ärende 12 \\| rättas" in lines[0]  # the reason, as text, not markup
    assert lines[1].startswith("- " + t("min.closed_at", time="")) and "öppnat igen" not in lines[1]
    first = lines[0].split()[3]  # "- Stängt 2026-10-23 13:43 · …": the meeting was held until then
    last = " ".join(lines[1].split()[2:4])  # "- Stängt 2026-10-23 16:52": and closed again after the reopening
    # (the time line said only the first holding: a reader took the meeting to have ended then)
    assert re.search(rf"\*\*{t('min.time')}:\*\* \d\d:\d\d–{first} \(öppnat igen efteråt, senast stängt "
                     rf"{last}\)\n", md), md

    en = cli("--lang", "en", "export", "--db", db, "--meeting", "2026-10-23", env=ENV, check=True).stdout
    assert "## Closings" in en and en.count("Closed ") == 2 and "reopened" in en

    html = demo_db.parent / "m.html"
    cli("export", "--db", db, "--meeting", "2026-10-23", "--format", "html", "-o", str(html), env=ENV, check=True)
    h = html.read_text(encoding="utf-8")
    assert h.count(t("min.closed_at", time="")) == 2 and "Fel *plan* i ärende 12 | rättas" in h

    from docx import Document

    docx = demo_db.parent / "m.docx"
    cli("export", "--db", db, "--meeting", "2026-10-23", "--format", "docx", "-o", str(docx), env=ENV, check=True)
    paras = [p.text for p in Document(str(docx)).paragraphs]
    assert t("min.closings") in paras
    assert sum(1 for p in paras if p.startswith(t("min.closed_at", time=""))) == 2
    assert any(reason in p for p in paras)

    # a meeting never reopened has no such section (the golden minutes stay as they are)
    other = cli("export", "--db", db, "--meeting", "2026-09-23", env=ENV)
    assert other.returncode == 0, other.stderr
    assert t("min.closings") not in other.stdout


def test_reopen_in_storage(engine, cfg):
    """SQLite and PostgreSQL: reopen needs a closed meeting and a reason; each closing is kept."""
    with Session(engine, expire_on_commit=False) as s:
        unit = repo.get_unit(s, cfg.unit)
        m = Meeting(unit_id=unit.id, date=CLOSED, status="open", started_at=dt.datetime.now().astimezone())
        s.add(m)
        s.flush()
        with pytest.raises(repo.NotClosed):
            repo.reopen_meeting(s, unit, m, "why")
        views.close_meeting(s, cfg, unit, m)
        s.commit()
        with pytest.raises(repo.ReasonRequired):
            repo.reopen_meeting(s, unit, m, " \n ")
        repo.reopen_meeting(s, unit, m, "first")
        s.commit()
        views.close_meeting(s, cfg, unit, m)  # the unfrozen counts can be frozen again
        s.commit()
        repo.reopen_meeting(s, unit, m, "second")
        views.close_meeting(s, cfg, unit, m)
        s.commit()
    with Session(engine) as s:
        assert [r.reason for r in repo.reopenings(s, m.id)] == ["first", "second"]
        assert len(repo.frozen(s, m.id)) == 4
        details = list(s.scalars(select(AuditLog.detail).where(AuditLog.action == "meeting.reopen")))
        assert details == ["2026-10-23 reason: first", "2026-10-23 reason: second"]
    from less_tui.services.minutes import gather

    assert len(gather(engine, cfg, CLOSED).closings) == 3


def test_migration_0004_up_and_down(db_url):
    from alembic import command
    from sqlalchemy import inspect

    from less_tui.storage import db as dbmod

    e = dbmod.make_engine(db_url)
    command.upgrade(dbmod._alembic_config(e), "0003")
    assert "meeting_reopenings" not in inspect(e).get_table_names()
    command.upgrade(dbmod._alembic_config(e), "head")
    assert "meeting_reopenings" in inspect(e).get_table_names()
    command.downgrade(dbmod._alembic_config(e), "0003")
    assert "meeting_reopenings" not in inspect(e).get_table_names()
    e.dispose()


async def _palette_reopen(pilot, app):
    await queue_ready(pilot)
    await palette_command(pilot, "igen", t("cmd.reopen"))
    await pilot.press("enter")
    return await _dialog(pilot, app)


async def _dialog(pilot, app):
    await until(pilot, lambda: isinstance(app.screen, ReopenDialog), "the reopen dialog")
    return app.screen


async def test_palette_reopens_with_a_reason(demo_engine, cfg):
    assert meeting_row(demo_engine, CLOSED).status == "closed"
    app = LessApp(cfg, demo_engine, CLOSED)
    async with app.run_test(size=(80, 24)) as pilot:
        d = await _palette_reopen(pilot, app)
        assert app.focused is not None and app.focused.id == "reason"
        await pilot.press("enter")  # no reason: refused, in the dialog
        await until(pilot, lambda: t("reopen.reason_required") in str(d.query_one("#reopen-error").render()),
                    "the message")
        assert isinstance(app.screen, ReopenDialog) and meeting_row(demo_engine, CLOSED).status == "closed"
        await pilot.press(*"Ny plan i arende 12", "enter")
        await until(pilot, lambda: meeting_row(demo_engine, CLOSED).status == "open"
                    and isinstance(app.screen, QueueScreen) and not app.service.meeting.closed, "the reopened meeting")
    with Session(demo_engine) as s:
        details = list(s.scalars(select(AuditLog.detail).where(AuditLog.action == "meeting.reopen")))
    assert details == ["2026-10-23 reason: Ny plan i arende 12"]

    from less_tui.services.minutes import gather
    from less_tui.services.meeting import MeetingService

    again = MeetingService(demo_engine, cfg, CLOSED)
    again.open()
    again.close()
    closings = gather(demo_engine, cfg, CLOSED).closings
    assert len(closings) == 2 and closings[0].reason == "Ny plan i arende 12" and closings[1].reopened_at is None


async def test_palette_reopen_escape_cancels(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, CLOSED)
    async with app.run_test(size=(120, 40)) as pilot:
        await _palette_reopen(pilot, app)
        await pilot.press(*"nej", "escape")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen), "the queue again")
        assert app.service.meeting.closed
    assert meeting_row(demo_engine, CLOSED).status == "closed"
    with Session(demo_engine) as s:
        assert s.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "meeting.reopen")) == 0


# ---------------------------------------------------------------- --help

COMMANDS = [[], ["init"], ["demo"], ["import"], ["indicators"], ["queue"], ["export"], ["audit"], ["doctor"],
            ["backup"], ["restore"], ["migrate"], ["report"], ["meeting"], ["meeting", "new"], ["meeting", "close"],
            ["meeting", "reopen"], ["meeting", "list"], ["supervision"], ["supervision", "add"],
            ["supervision", "training"], ["supervision", "remove"], ["supervision", "list"]]


def test_every_option_has_help_and_flags_show_no_type():
    from less_tui.cli import command

    found = []

    def walk(c, path):
        found.append(path)
        for p in c.params:
            assert getattr(p, "help", None), f"less-tui {' '.join(path)} {p.opts or p.name}: no help text"
        for name, sub in getattr(c, "commands", {}).items():
            walk(sub, [*path, name])

    walk(command(), [])
    assert sorted(found) == sorted(COMMANDS), "a command was added: add it to COMMANDS"
    for path in COMMANDS:
        p = cli(*path, "--help", env=ENV, check=True)
        assert "<bool>" not in p.stdout, f"less-tui {' '.join(path)} --help:\n{p.stdout}"
    top = cli("--help", env=ENV, check=True).stdout
    assert "--projector " in top
    flags = cli("export", "--help", env=ENV, check=True).stdout
    assert "--list" in flags and "--identify" in flags


async def test_closing_from_the_palette_asks_once_the_summary_is_read(demo_engine, cfg):
    """The palette's "Stäng mötet" opened the summary and asked it to close before its figures were read:
    the screen said "Mötet är stängt." and nothing was closed (the meeting stayed open, no audit row; 4 of
    5 times from the queue, coordinator helper). Now the question comes once the figures are shown."""
    import threading

    from less_tui.screens.dialogs import ConfirmDialog

    today = dt.date(2026, 11, 23)
    app = LessApp(cfg, demo_engine, today)
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_ready(pilot)
        read = threading.Event()
        summary = app.service.summary

        def slow_summary():
            read.wait(30)
            return summary()

        app.service.summary = slow_summary
        notes = notices(app)
        await palette_command(pilot, t("cmd.close").lower(), t("cmd.close"))
        await pilot.press("enter")
        for _ in range(200):  # (not ``until``: it waits for the workers, and the summary's is held back)
            await pilot.pause(0.02)
            if isinstance(app.screen, SummaryScreen):
                break
        for _ in range(10):
            await pilot.pause()
        assert t("sum.closed") not in notes  # it is not closed, and was not said to be
        read.set()
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        assert meeting_row(demo_engine, today).status == "open"
        await pilot.press("y")
        await until(pilot, lambda: meeting_row(demo_engine, today).status == "closed", "the meeting closed")


async def test_a_meeting_not_held_yet_is_not_closed_from_the_summary(demo_engine, cfg):
    """Next month's meeting opened ahead (to see its list): closing it would freeze the figures of a day not
    come. The summary says so and the meeting stays open."""
    from less_tui.screens.dialogs import ConfirmDialog

    ahead = dt.date(2026, 12, 20)  # (today is 2026-11-23)
    app = LessApp(cfg, demo_engine, ahead)
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_ready(pilot)
        notes = notices(app)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None, "summary")
        await pilot.press("c")
        said = t("meeting.not_held", date="2026-12-20", today="2026-11-23")
        await until(pilot, lambda: said in notes, "not held yet, said")  # at once: no question first
        assert not isinstance(app.screen, ConfirmDialog) and t("sum.closed") not in notes
    assert meeting_row(demo_engine, ahead).status == "open"
