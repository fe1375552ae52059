"""Busy, locked, full or closed: a database that does not answer never ends the app and never loses
what was typed; typing without a pause is saved; a plan is not stored into a meeting closed meanwhile;
two sessions starting on the same new meeting both get it. SQLite and PostgreSQL.

The UI is driven only with ``pilot.press``; every wait is for a condition (a line on screen, a row in
the database), polled, never a fixed sleep.
"""

import datetime as dt
import sqlite3
import threading
import time

import pytest
from sqlalchemy import event, exc, func, select
from sqlmodel import Session

from less_tui.app import LessApp
from less_tui.i18n import t
from less_tui.services.meeting import MeetingService, ReadOnly
from less_tui.screens.decision import DecisionScreen
from less_tui.screens.queue import QueueScreen
from less_tui.services import views
from less_tui.storage import repo
from less_tui.storage.db import open_engine
from less_tui.storage.models import AuditLog, Meeting, StatusRecordRow

TODAY = dt.date(2026, 11, 23)


def gone(what: str = "server closed the connection unexpectedly") -> exc.OperationalError:
    """What SQLAlchemy raises when PostgreSQL restarts under a session (or SQLite's disk fills up)."""
    return exc.OperationalError("UPDATE case_reviews SET plan=?", {}, Exception(what))


def failing(monkeypatch, name: str, times: int) -> list[int]:
    """``MeetingService.<name>`` raises a database error ``times`` times, then works."""
    real = getattr(MeetingService, name)
    calls = [0]

    def flaky(self, *a, **kw):
        calls[0] += 1
        if calls[0] <= times:
            raise gone("could not write to file: No space left on device" if calls[0] % 2 else
                       "server closed the connection unexpectedly")
        return real(self, *a, **kw)

    monkeypatch.setattr(MeetingService, name, flaky)
    return calls


async def wait_for(pilot, cond, what: str, timeout: float = 60.0):
    """Let the app run (timers, workers) until ``cond()`` holds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        await pilot.pause(0.05)
        if cond():
            return
    app = pilot.app
    raise AssertionError(f"timed out waiting for {what}; screen {app.screen!r}, focus {app.focused!r}")


def line(app) -> str:
    return str(app.screen.query_one("#save-state").render())


def stored_plan(engine, case_no: int) -> str | None:
    with Session(engine) as s:
        m = s.scalars(select(Meeting).where(Meeting.date == TODAY)).one()
        r = next((r for r in repo.reviews_of_meeting(s, m.id) if r.case_no == case_no), None)
        return r.plan if r else None


def record_notes(app) -> list[str]:
    notes: list[str] = []
    real = app.notify

    def notify(message, **kw):
        notes.append(str(message))
        real(message, **kw)

    app.notify = notify
    return notes


async def open_first_case(pilot) -> DecisionScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "the queue")
    case_no = app.screen.shown_rows[0].case_no
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DecisionScreen) and app.screen._ready
                   and app.screen.detail.row.case_no == case_no, "the case")
    assert app.focused.id == "plan"
    return app.screen


@pytest.fixture
def engine_url(demo_url):
    e = open_engine(demo_url)
    yield e, demo_url
    e.dispose()


# ------------------------------------------------------------------ locked, full, gone

async def test_locked_database_keeps_the_plan_and_saves_it_when_free(demo_engine, demo_db, cfg):
    """Another writer holds SQLite's write lock: the plan stays in the editor, a line says it is not
    saved yet, Escape does not leave it; when the lock goes the retry saves it and the line says so."""

    @event.listens_for(demo_engine, "connect")
    def short_busy(dbapi_conn, _record):  # after the app's own pragmas: give up on a lock after 0.2 s
        dbapi_conn.execute("PRAGMA busy_timeout=200")

    demo_engine.dispose()
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        d = await open_first_case(pilot)
        case_no = d.detail.row.case_no
        await pilot.press(*"Plan A")
        await wait_for(pilot, lambda: stored_plan(demo_engine, case_no) == "Plan A", "the first save")

        other = sqlite3.connect(str(demo_db), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # someone else writing, for as long as it takes
        try:
            await pilot.press(*" och B")
            await wait_for(pilot, lambda: "Inte sparat ännu" in line(app), "the not-saved line")
            assert t("db.locked") in line(app)
            await pilot.press("escape")  # leaving would lose it: stay
            await wait_for(pilot, lambda: "stanna kvar" in str(list(app._notifications)), "the stay notice")
            assert app.is_running and app.screen is d
            assert d.query_one("#plan").text == "Plan A och B"
            await pilot.press(*" C")  # typing goes on while it is locked
            await wait_for(pilot, lambda: d.query_one("#plan").text == "Plan A och B C", "the typing")
            assert stored_plan(demo_engine, case_no) == "Plan A"
        finally:
            other.rollback()
            other.close()
        await wait_for(pilot, lambda: stored_plan(demo_engine, case_no) == "Plan A och B C", "the retried save")
        await wait_for(pilot, lambda: "Sparat" in line(app), "the saved line")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen), "the queue")
    assert app.return_code in (None, 0)


async def test_database_errors_in_writes_end_nothing(engine_url, cfg, monkeypatch):
    """The plan, a status and an action meet a database that fails (disk full, server restarting) a few
    times: the app goes on, a line says not saved, each is saved by a retry, in the order made."""
    engine, _ = engine_url
    app = LessApp(cfg, engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        notes = record_notes(app)
        d = await open_first_case(pilot)
        case_no = d.detail.row.case_no
        plan_calls = failing(monkeypatch, "save_plan", 3)
        await pilot.press(*"Remiss")
        await wait_for(pilot, lambda: "Inte sparat ännu" in line(app), "the not-saved line")
        assert d.query_one("#plan").text == "Remiss"
        await wait_for(pilot, lambda: stored_plan(engine, case_no) == "Remiss", "the plan saved by a retry")
        await wait_for(pilot, lambda: "Sparat" in line(app), "the saved line")
        assert plan_calls[0] >= 4

        status_calls = failing(monkeypatch, "set_status", 2)
        before = d.detail.row.coordinator_status
        await pilot.press("tab")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "coordinator", "the status")
        await pilot.press("enter", "down", "enter")
        await wait_for(pilot, lambda: d.detail.row.coordinator_status != before, "the status chosen")
        want = d.detail.row.coordinator_status
        await wait_for(pilot, lambda: any("Inte sparat ännu" in n for n in notes), "the not-saved notice")

        def statuses():  # recorded at today's meeting
            with Session(engine) as s:
                m = s.scalars(select(Meeting).where(Meeting.date == TODAY)).one()
                return [(r.kind, r.value) for r in s.scalars(
                    select(StatusRecordRow).where(StatusRecordRow.meeting_id == m.id).order_by(StatusRecordRow.id))]

        assert ("coordinator", want) not in statuses()

        await wait_for(pilot, lambda: ("coordinator", want) in statuses(), "the status saved by a retry")
        assert status_calls[0] == 3
        await wait_for(pilot, lambda: any(t("db.saved_again") in n for n in notes), "the saved-again notice")

        failing(monkeypatch, "add_action", 2)
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "AddActionDialog", "the action dialog")
        await pilot.press(*"avst", "enter", *"Kers", "enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DecisionScreen) and len(d.detail.actions) == 1,
                       "the action saved by a retry")
        assert app.is_running
    assert app.return_code in (None, 0)


async def test_start_and_opening_a_case_survive_database_errors(demo_engine, cfg, monkeypatch):
    """At start the queue cannot be read: a line says so and it is tried again. Opening a case fails
    once: one line, the queue stays; Enter again opens it."""
    failing(monkeypatch, "queue", 2)
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        notes = record_notes(app)
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen)
                       and "Kan inte läsa kön" in str(app.screen.query_one("#queue-status").render()),
                       "the queue's not-read line")
        await wait_for(pilot, lambda: app.screen.data is not None, "the queue read by a retry")
        case_no = app.screen.shown_rows[0].case_no
        failing(monkeypatch, "case", 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Kunde inte öppna ärendet" in n for n in notes), "the open-failed line")
        assert isinstance(app.screen, QueueScreen) and app.is_running
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DecisionScreen)
                       and app.screen.detail.row.case_no == case_no, "the case on the second Enter")
    assert app.return_code in (None, 0)


async def test_quitting_with_an_unsaved_plan_asks_once_more(demo_engine, cfg, monkeypatch):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        notes = record_notes(app)
        d = await open_first_case(pilot)
        failing(monkeypatch, "save_plan", 10_000)
        await pilot.press(*"Ej sparad")
        await wait_for(pilot, lambda: "Inte sparat ännu" in line(app), "the not-saved line")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: any(t("app.quit_unsaved") in n for n in notes), "the quit notice")
        assert app.is_running and d.query_one("#plan").text == "Ej sparad"
        await pilot.press("ctrl+q")  # knowingly
        await wait_for(pilot, lambda: not app.is_running, "the app to end")
    from less_tui import recovery  # the text is kept for the next time the case is opened

    kept = recovery.find(app.db_name(), cfg.unit, TODAY, d.detail.row.case_no)
    assert kept is not None and kept.text == "Ej sparad"


@pytest.mark.postgres
async def test_postgres_going_away_keeps_the_plan(demo_url, cfg):
    """The PostgreSQL server stops taking connections and drops ours (as in a restart): not saved yet,
    the text stays; when it takes connections again the plan is saved."""
    if not demo_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    import psycopg

    name = demo_url.rsplit("/", 1)[1]

    def admin(sql: str) -> None:
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as c:
            c.execute(sql)

    engine = open_engine(demo_url)
    app = LessApp(cfg, engine, TODAY)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            d = await open_first_case(pilot)
            case_no = d.detail.row.case_no
            admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            try:
                await pilot.press(*"Plan under omstart")
                await wait_for(pilot, lambda: "Inte sparat ännu" in line(app), "the not-saved line")
                assert d.query_one("#plan").text == "Plan under omstart" and app.is_running
            finally:
                admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            await wait_for(pilot, lambda: stored_plan(engine, case_no) == "Plan under omstart", "the saved plan")
            await wait_for(pilot, lambda: "Sparat" in line(app), "the saved line")
    finally:
        engine.dispose()


# ------------------------------------------------------------------ typing without a pause

async def test_typing_without_a_pause_is_saved_every_second(demo_engine, cfg):
    """Typing without a pause is saved while the keys still come: a key does not put off the save
    (the save waits SAVE_DELAY after the last key, but never more than SAVE_MAX_DELAY after the first
    unsaved one). Checked on the app's own clock, not the wall clock, so a busy machine cannot fail it."""
    from less_tui.screens import decision

    app = LessApp(cfg, demo_engine, TODAY)
    text = "Kontakt med arbetsgivaren om anpassning av arbetsuppgifterna och om arbetstiden " * 8
    async with app.run_test(size=(120, 40)) as pilot:
        d = await open_first_case(pilot)
        case_no = d.detail.row.case_no
        # every save timer a key sets: (the key's time, first unsaved key's time, when it fires), all as
        # the screen computed them
        timers: list[tuple[float, float, float]] = []
        real_set_timer = d.set_timer

        def set_timer(delay, callback=None, *a, **kw):
            if callback == d._save_soon:
                timers.append((d._last_key, d._dirty_since, d._last_key + delay))
            return real_set_timer(delay, callback, *a, **kw)

        d.set_timer = set_timer
        typed, saved_while_typing = "", ""
        for ch in text:  # a key every 0.1 s: never the 0.4 s pause the save used to wait for
            await pilot.press(ch)
            typed += ch
            await pilot.pause(0.1)
            plan = stored_plan(demo_engine, case_no) or ""
            assert typed.startswith(plan), (typed, plan)  # never more than was typed, never garbage
            saved_while_typing = saved_while_typing or plan
            if saved_while_typing and len(typed) >= 30:
                break  # keys are still to come: the save did not wait for a pause
        assert saved_while_typing, "nothing was saved while the keys kept coming"
        assert typed != text
        assert len(timers) >= 2, timers  # the keys did set the save timer
        for key_at, dirty_since, fires_at in timers:
            # no key put the save later than SAVE_MAX_DELAY after the first unsaved key (the old bug:
            # every key restarted a SAVE_DELAY timer, so typing without a pause was never saved)
            assert fires_at <= max(dirty_since + decision.SAVE_MAX_DELAY, key_at + 0.01) + 1e-6, (
                key_at - dirty_since, fires_at - dirty_since)
            assert fires_at <= key_at + decision.SAVE_DELAY + 1e-6
        await wait_for(pilot, lambda: stored_plan(demo_engine, case_no) == typed, "the whole plan")


async def test_a_conflict_met_while_typing_waits_for_the_pause(demo_engine, cfg):
    """Saving while typing meets the other session's plan mid-word: the dialog opens only when the
    typing pauses, with everything typed (no letter goes into the dialog)."""
    from less_tui.screens.dialogs import ConflictDialog

    a, b = LessApp(cfg, demo_engine, TODAY), LessApp(cfg, demo_engine, TODAY)
    async with a.run_test(size=(120, 40)) as pa, b.run_test(size=(120, 40)) as pb:
        da = await open_first_case(pa)
        await open_first_case(pb)
        b.watcher.stop()  # b does not see a's save before its own
        await pa.press(*"Plan A")
        await wait_for(pa, lambda: stored_plan(demo_engine, da.detail.row.case_no) == "Plan A", "a's save")
        db = b.screen
        text = "Plan B skrivs utan paus"
        typed, met = "", False
        for ch in text:  # a key every 0.1 s; the save after at most a second meets "Plan A"
            if isinstance(b.screen, ConflictDialog):
                break  # (only if the machine stalled the typing for longer than the pause)
            await pb.press(ch)
            typed += ch
            await pb.pause(0.1)
            met = met or db._conflict_waiting is not None
        assert met or typed != text, "no save met the other text while typing"
        await wait_for(pb, lambda: isinstance(b.screen, ConflictDialog), "the conflict dialog")
        assert b.screen.mine == typed and b.screen.theirs == "Plan A"
        assert db.query_one("#plan").text == typed  # no letter went into the dialog


# ------------------------------------------------------------------ closed meanwhile

async def test_plan_into_a_meeting_closed_elsewhere_is_refused(engine_url, cfg):
    engine, _ = engine_url
    app = LessApp(cfg, engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        notes = record_notes(app)
        d = await open_first_case(pilot)
        case_no = d.detail.row.case_no
        await pilot.press(*"Före")
        await wait_for(pilot, lambda: stored_plan(engine, case_no) == "Före", "the first save")
        # the save must find the close, not the change watcher (which, on a busy machine, could make
        # the editor read-only between two letters of " efter")
        app.watcher.stop()
        other = MeetingService(engine, cfg, TODAY)  # another session closes the meeting
        other.open()
        other.close()
        await pilot.press(*" efter")
        await wait_for(pilot, lambda: d.query_one("#plan").read_only, "the read-only editor")
        # the first save after the close turns the editor read-only; on a busy machine that can come
        # before the last letters (the save does not wait for a pause): what was typed until then stays
        # there to read and copy
        shown = d.query_one("#plan").text
        assert shown.startswith("Före ") and "Före efter".startswith(shown), shown
        assert t("dec.readonly") in str(d.query_one("#facts").render())
        assert "stängts i en annan session" in line(app)
        assert any("stängts i en annan session" in n for n in notes)
        assert stored_plan(engine, case_no) == "Före"
        await pilot.press(*"x")  # read-only now: nothing typed, nothing saved
        await wait_for(pilot, lambda: d.query_one("#plan").text == shown, "the unchanged editor")
        assert app.is_running
    assert stored_plan(engine, case_no) == "Före"


def test_close_and_save_at_once_the_save_is_refused(engine_url, cfg, monkeypatch):
    """The save read the meeting as open, the close commits, then the save writes: refused in the
    writing transaction (PostgreSQL: the row lock waits for the close; SQLite: the write lock)."""
    engine, _ = engine_url
    svc = MeetingService(engine, cfg, TODAY)
    case_no = svc.queue().rows[0].case_no
    svc.save_plan(case_no, "Första", 0)
    reached = threading.Event()
    real = repo.require_open

    def slow_require_open(s, meeting_id):
        reached.set()  # the save has read everything and is about to write
        return real(s, meeting_id)

    monkeypatch.setattr(repo, "require_open", slow_require_open)
    with Session(engine, expire_on_commit=False) as closer:
        unit = repo.get_unit(closer, cfg.unit)
        m = repo.meeting_at(closer, unit.id, TODAY)
        views.close_meeting(closer, cfg, unit, m)
        closer.flush()  # closed, not yet committed: the save must wait for it
        result: list = []

        def save():
            try:
                result.append(svc.save_plan(case_no, "Efter stängning", 2))
            except Exception as e:
                result.append(e)

        th = threading.Thread(target=save)
        th.start()
        assert reached.wait(10)
        closer.commit()
    th.join(20)
    assert len(result) == 1 and isinstance(result[0], ReadOnly), result
    assert svc.meeting.closed
    assert stored_plan(engine, case_no) == "Första"


# ------------------------------------------------------------------ two starting at once

NEW_DAY = dt.date(2026, 12, 23)


def test_meeting_creation_is_idempotent_when_the_check_loses_the_race(engine_url, cfg, monkeypatch):
    """The other session made the meeting between our look and our insert: we get theirs, no error."""
    engine, _ = engine_url
    first = MeetingService(engine, cfg, NEW_DAY).open()
    real = repo.meeting_at
    calls = [0]

    def stale(s, unit_id, date):
        calls[0] += 1
        return None if calls[0] == 1 else real(s, unit_id, date)  # the first look is from before theirs

    monkeypatch.setattr(repo, "meeting_at", stale)
    second = MeetingService(engine, cfg, NEW_DAY).open()
    assert second.id == first.id
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Meeting).where(Meeting.date == NEW_DAY)) == 1


def test_sessions_starting_together_on_a_new_meeting_all_get_it(engine_url, cfg):
    engine, url = engine_url
    n = 6
    barrier = threading.Barrier(n)
    got: list = []

    def start():
        e = open_engine(url)  # each its own engine, as separate processes have
        try:
            barrier.wait()
            got.append(MeetingService(e, cfg, NEW_DAY).open().id)
        except Exception as err:
            got.append(err)
        finally:
            e.dispose()

    threads = [threading.Thread(target=start) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert len(got) == n and all(isinstance(g, int) for g in got), got
    assert len(set(got)) == 1
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Meeting).where(Meeting.date == NEW_DAY)) == 1
        made = s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "meeting.create", AuditLog.detail == NEW_DAY.isoformat()))
        assert made == 1
