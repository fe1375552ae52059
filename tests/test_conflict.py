"""Two people saved the same plan (issue 10): the conflict dialog names who saved the other text and
when, is answered only with its buttons (Tab, Shift+Tab and the arrows move, Enter chooses), letters
answer nothing, Escape keeps both texts; a save made meanwhile brings the dialog back. Also: plan text
kept in a recovery file when the app must go (SIGHUP/SIGTERM) before it is saved, and given back when
the case is next opened; a language switch keeps the text in the editor.

Two apps on one database as tests/test_multisession.py runs them, SQLite and PostgreSQL. The UI is
moved only with ``pilot.press``; every wait is for a condition, polled.
"""

import datetime as dt
import os
import signal
import stat
import time

import pytest
from sqlalchemy import exc, select
from sqlmodel import Session

from less_tui import recovery
from less_tui.app import LessApp, install_exit_handlers
from less_tui.i18n import language
from less_tui.services.meeting import MeetingService
from less_tui.screens.decision import DecisionScreen
from less_tui.screens.dialogs import AddActionDialog, ConflictDialog, when_text
from less_tui.screens.queue import QueueScreen
from less_tui.storage import repo
from less_tui.storage.db import open_engine
from less_tui.storage.models import AuditLog, Meeting

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def engine_url(demo_url):
    e = open_engine(demo_url)
    yield e
    e.dispose()


async def wait_for(pilots, cond, what: str, timeout: float = 60.0):
    """Let the apps run (timers, workers) until ``cond()`` holds."""
    pilots = pilots if isinstance(pilots, list) else [pilots]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for p in pilots:
            await p.pause(0.05)
        if cond():
            return
    app = pilots[-1].app
    raise AssertionError(f"timed out waiting for {what}; screen {app.screen!r}, focus {app.focused!r}")


def stored_plan(engine, case_no: int) -> str | None:
    with Session(engine) as s:
        m = s.scalars(select(Meeting).where(Meeting.date == TODAY)).one()
        r = next((r for r in repo.reviews_of_meeting(s, m.id) if r.case_no == case_no), None)
        return r.plan if r else None


def saved_by(engine, user: str) -> dt.datetime:
    """The time of ``user``'s last plan save, from the audit log."""
    with Session(engine) as s:
        return s.scalars(select(AuditLog.ts).where(AuditLog.action == "review.plan", AuditLog.os_user == user)
                         .order_by(AuditLog.id.desc())).first()


async def open_first_case(pilot) -> DecisionScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "the queue")
    case_no = app.screen.shown_rows[0].case_no
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DecisionScreen) and app.screen._ready
                   and app.screen.detail.row.case_no == case_no, "the case")
    assert app.focused.id == "plan"
    return app.screen


def dialog_text(dlg: ConflictDialog) -> str:
    return "\n".join(str(w.render()) for w in dlg.query("Label, Static, Button"))


async def conflict(pa, pb, monkeypatch, engine) -> tuple[DecisionScreen, ConflictDialog]:
    """a (jessica) saves "Plan A"; b (kerstin), not seeing it, types "Plan B": b's dialog is up."""
    b = pb.app
    da = await open_first_case(pa)
    db = await open_first_case(pb)
    b.watcher.stop()  # b does not see a's save before its own
    monkeypatch.setenv("LOGNAME", "jessica")  # the OS user a's saves are made as
    await pa.press(*"Plan A")
    await wait_for([pa, pb], lambda: stored_plan(engine, da.detail.row.case_no) == "Plan A", "a's save")
    monkeypatch.setenv("LOGNAME", "kerstin")
    await pb.press(*"Plan B")
    await wait_for([pa, pb], lambda: isinstance(b.screen, ConflictDialog) and b.focused is not None
                   and b.focused.id == "both", "the conflict dialog, Keep both focused")
    return db, b.screen


def both(mine: str, theirs: str, user: str, when: dt.datetime) -> str:
    return f"{mine}\n\n── Text sparad av {user} {when_text(when)} ──\n{theirs}"


# ------------------------------------------------------------------ the dialog

async def test_the_dialog_names_who_and_when_letters_answer_nothing_escape_keeps_both(engine_url, cfg,
                                                                                      monkeypatch):
    engine = engine_url
    a, b = LessApp(cfg, engine, TODAY), LessApp(cfg, engine, TODAY)
    async with a.run_test(size=(120, 40)) as pa, b.run_test(size=(120, 40)) as pb:
        db, dlg = await conflict(pa, pb, monkeypatch, engine)
        case_no = db.detail.row.case_no
        when = saved_by(engine, "jessica")
        assert when is not None
        shown = dialog_text(dlg)
        assert f"jessica sparade den här planen {when_text(when)}" in shown
        assert "Plan A" in shown and "Plan B" in shown
        assert b.focused.id == "both"  # (Enter at once loses nothing)
        # letters, a space, digits: no answer, nothing saved, the hint says how to answer
        await pb.press(*"mtbjnyq 1", "M", "T")
        await wait_for(pb, lambda: "Skrivandet väntar" in str(dlg.query_one("#conflict-hint").render()),
                       "the hint about typing")
        assert b.screen is dlg and b.focused.id == "both"
        assert stored_plan(engine, case_no) == "Plan A"
        assert db.query_one("#plan").text == "Plan B"
        await pb.press("escape")  # keeps both, one after the other
        want = both("Plan B", "Plan A", "jessica", when)
        await wait_for(pb, lambda: stored_plan(engine, case_no) == want, "both texts saved")
        assert b.screen is db and db.query_one("#plan").text == want
        assert b.focused.id == "plan"
        await wait_for(pb, lambda: "Sparat" in str(db.query_one("#save-state").render()),
                       f"the saved line {db.query_one('#save-state').render()!s} {db._timer} {db.version} {db._resolving}")
        # and the other session shows the text both agreed on
        await wait_for([pa, pb], lambda: a.screen.query_one("#plan").text == want, "the text in a")


async def test_buttons_by_tab_and_arrows_enter_chooses(demo_engine, cfg, monkeypatch):
    a, b = LessApp(cfg, demo_engine, TODAY), LessApp(cfg, demo_engine, TODAY)
    async with a.run_test(size=(120, 40)) as pa, b.run_test(size=(120, 40)) as pb:
        db, dlg = await conflict(pa, pb, monkeypatch, demo_engine)
        case_no = db.detail.row.case_no
        walk = [("right", "mine"), ("right", "theirs"), ("left", "mine"), ("down", "theirs"), ("up", "mine"),
                ("tab", "theirs"), ("shift+tab", "mine"), ("left", "both"), ("shift+tab", "theirs")]
        for key, wid in walk:
            await pb.press(key)
            await wait_for(pb, lambda: b.focused is not None and b.focused.id == wid, f"{key} to #{wid}")
            assert b.screen is dlg
        await pb.press("enter")  # "Take theirs"
        await wait_for(pb, lambda: b.screen is db and db.query_one("#plan").text == "Plan A", "their text")
        await wait_for(pb, lambda: "Sparat" in str(db.query_one("#save-state").render()), "the saved line")
        assert stored_plan(demo_engine, case_no) == "Plan A"
        await pb.press(*" och mer")  # typing goes on from their text, with no new conflict
        await wait_for(pb, lambda: stored_plan(demo_engine, case_no) == "Plan A och mer", "the next save")
        assert b.screen is db


async def test_a_save_made_while_the_dialog_is_up_brings_it_back(engine_url, cfg, monkeypatch):
    """Someone saves again while b decides: b's answer is not written over it unseen; the dialog comes
    back with their newest text."""
    engine = engine_url
    a, b = LessApp(cfg, engine, TODAY), LessApp(cfg, engine, TODAY)
    async with a.run_test(size=(120, 40)) as pa, b.run_test(size=(120, 40)) as pb:
        db, dlg = await conflict(pa, pb, monkeypatch, engine)
        case_no = db.detail.row.case_no
        first = saved_by(engine, "jessica")
        monkeypatch.setenv("LOGNAME", "sara")
        other = MeetingService(engine, cfg, TODAY)
        other.queue()
        other.save_plan(case_no, "Plan A, ändrad", other.review_state(case_no)[1])
        await pb.press("enter")  # keep both (of what the dialog showed)
        await wait_for(pb, lambda: isinstance(b.screen, ConflictDialog) and b.screen is not dlg, "the dialog again")
        again = b.screen
        assert again.theirs == "Plan A, ändrad" and again.mine == both("Plan B", "Plan A", "jessica", first)
        assert "sara sparade" in dialog_text(again)
        assert stored_plan(engine, case_no) == "Plan A, ändrad"
        await pb.press("right", "enter")  # keep mine, knowingly
        await wait_for(pb, lambda: stored_plan(engine, case_no) == again.mine, "mine saved")


async def test_the_dialog_fits_at_80x24(demo_engine, cfg, monkeypatch):
    a, b = LessApp(cfg, demo_engine, TODAY), LessApp(cfg, demo_engine, TODAY)
    async with a.run_test(size=(80, 24)) as pa, b.run_test(size=(80, 24)) as pb:
        _, dlg = await conflict(pa, pb, monkeypatch, demo_engine)
        await pb.pause()
        for wid in ("both", "mine", "theirs"):
            r = dlg.query_one(f"#{wid}").region
            assert r.height > 0 and r.right <= 80 and r.bottom <= 24, (wid, r)
        title = dlg.query_one(".dialog-title").region
        assert title.height > 0 and title.y >= 0
        assert dlg.query_one("#conflict").region.bottom <= 24


def test_both_keeps_one_text_when_the_other_holds_it():
    from less_tui.screens.dialogs import both_plans

    assert both_plans("", "Plan A", "jessica", None) == "Plan A"
    assert both_plans("Plan A", "  ", "jessica", None) == "Plan A"
    assert both_plans("Plan A och mer", "Plan A", "jessica", None) == "Plan A och mer"
    joined = both_plans("Plan B\n", "Plan A\n", "", dt.datetime(2026, 11, 23, 10, 14))
    assert joined == "Plan B\n\n── Text sparad av någon annan 2026-11-23 10:14 ──\nPlan A"


# ------------------------------------------------------------------ text kept at an exit

def failing_saves(monkeypatch):
    """Every plan save meets a database that is gone."""

    def gone(self, *a, **kw):
        raise exc.OperationalError("UPDATE case_reviews", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(MeetingService, "save_plan", gone)


async def test_sigterm_while_the_database_is_down_keeps_the_plan_and_gives_it_back(engine_url, cfg, monkeypatch):
    engine = engine_url
    exits: list[int] = []
    app = LessApp(cfg, engine, TODAY)
    old = {s: signal.getsignal(s) for s in (signal.SIGHUP, signal.SIGTERM)}
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            install_exit_handlers(app, exits.append)
            d = await open_first_case(pilot)
            case_no = d.detail.row.case_no
            with monkeypatch.context() as m:
                failing_saves(m)
                await pilot.press(*"Remiss till fysioterapeut")
                await wait_for(pilot, lambda: "Inte sparat ännu" in str(d.query_one("#save-state").render()),
                               "the not-saved line")
                os.kill(os.getpid(), signal.SIGTERM)  # the server stops the app
                await wait_for(pilot, lambda: exits == [143], "the exit of the signal handler")
            files = list(recovery.folder().glob("plan-*.json"))
            assert len(files) == 1
            assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
            assert stat.S_IMODE(recovery.folder().stat().st_mode) == 0o700
            kept = recovery.find(app.db_name(), cfg.unit, TODAY, case_no)
            assert kept is not None and kept.text == "Remiss till fysioterapeut" and kept.base == ""
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    assert stored_plan(engine, case_no) in (None, "")

    # the database is back; next time the case is opened the text is in the plan and saved
    app = LessApp(cfg, engine, TODAY)
    notes: list[str] = []
    real = app.notify
    # (before the app starts: the queue may load and give its notice before run_test hands over)
    app.notify = lambda message, **kw: (notes.append(str(message)), real(message, **kw))  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: any(f"ärende {case_no}" in n for n in notes), "the notice on the queue")
        d = await open_first_case(pilot)
        assert d.detail.row.case_no == case_no
        await wait_for(pilot, lambda: stored_plan(engine, case_no) == "Remiss till fysioterapeut", "the saved plan")
        assert d.query_one("#plan").text == "Remiss till fysioterapeut"
        await wait_for(pilot, lambda: not list(recovery.folder().glob("plan-*.json")), "the file removed")


async def test_sighup_with_a_conflict_keeps_the_text_and_asks_when_opened(demo_engine, cfg, monkeypatch):
    """The line drops before a conflict was answered; when the case is opened again the other text is
    still there: the dialog asks, Escape keeps both."""
    exits: list[int] = []
    app = LessApp(cfg, demo_engine, TODAY)
    old = {s: signal.getsignal(s) for s in (signal.SIGHUP, signal.SIGTERM)}
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            install_exit_handlers(app, exits.append)
            d = await open_first_case(pilot)
            case_no = d.detail.row.case_no
            await pilot.press(*"Min plan")
            await wait_for(pilot, lambda: stored_plan(demo_engine, case_no) == "Min plan", "the first save")
            with monkeypatch.context() as m:
                failing_saves(m)
                await pilot.press(*" och mer")
                await wait_for(pilot, lambda: "Inte sparat ännu" in str(d.query_one("#save-state").render()),
                               "the not-saved line")
                os.kill(os.getpid(), signal.SIGHUP)
                await wait_for(pilot, lambda: exits == [0], "the exit of the signal handler")
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    monkeypatch.setenv("LOGNAME", "jessica")
    other = MeetingService(demo_engine, cfg, TODAY)
    other.queue()
    other.save_plan(case_no, "Jessicas plan", other.review_state(case_no)[1])
    monkeypatch.setenv("LOGNAME", "kerstin")

    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "queue")
        row = next(i for i, r in enumerate(app.screen.shown_rows) if r.case_no == case_no)
        await pilot.press(*["down"] * row, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictDialog), "the conflict dialog")
        dlg = app.screen
        assert dlg.mine == "Min plan och mer" and dlg.theirs == "Jessicas plan"
        assert stored_plan(demo_engine, case_no) == "Jessicas plan"
        await pilot.press("escape")
        want = both("Min plan och mer", "Jessicas plan", "jessica", saved_by(demo_engine, "jessica"))
        await wait_for(pilot, lambda: stored_plan(demo_engine, case_no) == want, "both saved")
        await wait_for(pilot, lambda: not list(recovery.folder().glob("plan-*.json")), "the file removed")


# ------------------------------------------------------------------ a language switch

async def switch_language(pilot, to: str):
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: pilot.app.screen.__class__.__name__ == "LessCommandPalette", "the palette")
    word = "engelska" if to == "en" else "Swedish"
    await pilot.press(*word)

    def first_entry() -> str:
        from textual.command import CommandList

        found = pilot.app.screen.query(CommandList)
        options = found.first()._options if found else []
        return str(options[0].prompt) if options else ""

    await wait_for(pilot, lambda: word in first_entry(), "the language entry first")
    await pilot.press("enter")
    await wait_for(pilot, lambda: language() == to, "the language switch")


async def test_a_language_switch_keeps_the_plan_saved_or_not(engine_url, cfg, monkeypatch):
    engine = engine_url
    app = LessApp(cfg, engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        d = await open_first_case(pilot)
        case_no = d.detail.row.case_no
        await pilot.press(*"Sparad")
        await wait_for(pilot, lambda: stored_plan(engine, case_no) == "Sparad", "the first save")
        with monkeypatch.context() as m:
            failing_saves(m)
            await pilot.press(*" och osparad")
            await wait_for(pilot, lambda: "Inte sparat ännu" in str(d.query_one("#save-state").render()),
                           "the not-saved line")
            await switch_language(pilot, "en")
            await wait_for(pilot, lambda: app.screen is d and d._ready and app.focused is not None
                           and app.focused.id == "plan", "the plan focused again")
            assert d.query_one("#plan").text == "Sparad och osparad"
            assert "Plan" in str(d.query_one("#plan-field Label").render())
            await pilot.press(*" text")  # at the cursor, which stayed at the end
            await wait_for(pilot, lambda: d.query_one("#plan").text == "Sparad och osparad text", "the typing")
        await wait_for(pilot, lambda: stored_plan(engine, case_no) == "Sparad och osparad text", "the retried save")


async def test_a_language_switch_keeps_what_is_typed_in_the_action_dialog(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first_case(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, AddActionDialog), "the action dialog")
        dlg = app.screen
        await pilot.press(*"Ring arbetsgivaren", "enter", *"Kerstin B")
        await wait_for(pilot, lambda: dlg.query_one("#owner").value == "Kerstin B", "the owner typed")
        await switch_language(pilot, "en")
        await wait_for(pilot, lambda: app.screen is dlg and app.focused is not None and app.focused.id == "owner",
                       "the owner field focused again")
        assert dlg.query_one("#kind").value == "Ring arbetsgivaren"
        assert dlg.query_one("#owner").value == "Kerstin B"
        await pilot.press(*"ronner")
        await wait_for(pilot, lambda: dlg.query_one("#owner").value == "Kerstin Bronner", "typing at the end")
