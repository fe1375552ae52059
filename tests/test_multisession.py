"""Several sessions on one database: changes show up in the others within two seconds,
a conflicting edit is detected and never silently lost; follow mode. SQLite and PostgreSQL."""

import asyncio
import datetime as dt
import time

from helpers import workers_done
import pytest
from sqlmodel import Session

from less_tui.app import LessApp
from less_tui.screens.decision import DecisionScreen
from less_tui.screens.dialogs import ConflictDialog
from less_tui.storage import repo

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_engine(request, demo_db):
    from less_tui.storage.db import open_engine

    if request.param == "sqlite":
        e = open_engine(f"sqlite:///{demo_db}")
    else:
        e = open_engine(request.getfixturevalue("pg_demo_url"))
    yield e
    e.dispose()


async def settle(pilot):
    await pilot.pause()
    await workers_done(pilot.app)
    await pilot.pause()


async def wait_until(pilots, cond, timeout=60.0):
    """Let both apps run until ``cond()`` holds (a generous limit: the machine may be busy; how fast a
    change shows elsewhere is measured in benchmarks, not asserted here)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        for p in pilots:
            await p.pause(0.05)
    return cond()


def session_telling(cfg, engine):
    """A session (app) and the list its notifications go to (what the toasts say)."""
    app = LessApp(cfg, engine, TODAY)
    told: list[str] = []
    app.notify = lambda message, *a, **k: told.append(str(message))
    return app, told


async def first_case_by_keys(pilot) -> DecisionScreen:
    """The queue's first case, opened with Enter once the queue is shown."""
    app = pilot.app
    assert await wait_until([pilot], lambda: getattr(app.screen, "data", None) is not None)
    case_no = app.screen.shown_rows[0].case_no
    await pilot.press("enter")
    assert await wait_until([pilot], lambda: isinstance(app.screen, DecisionScreen)
                            and app.screen.detail.row.case_no == case_no and app.screen._ready)
    return app.screen


async def open_case(pilot, case_no):
    pilot.app.open_case(case_no)
    for _ in range(40):
        await settle(pilot)
        if isinstance(pilot.app.screen, DecisionScreen) and pilot.app.screen.detail.row.case_no == case_no:
            return pilot.app.screen
    raise AssertionError("case did not open")


async def test_edit_in_one_session_shows_in_the_other(shared_engine, cfg):
    a, b = LessApp(cfg, shared_engine, TODAY), LessApp(cfg, shared_engine, TODAY)
    async with a.run_test(size=(120, 40)) as pa, b.run_test(size=(120, 40)) as pb:
        await settle(pa)
        await settle(pb)
        case_no = pa.app.screen.shown_rows[0].case_no
        da = await open_case(pa, case_no)
        db = await open_case(pb, case_no)
        await pa.press(*list("Remiss till psykolog"))
        await asyncio.sleep(SAVE_WAIT)
        await settle(pa)
        t0 = time.monotonic()
        shown = await wait_until([pa, pb], lambda: db.query_one("#plan").text == "Remiss till psykolog")
        assert shown, f"not shown in the other session after {time.monotonic() - t0:.1f} s"
        # typing on in b goes after a's text, not in front of it (the cursor went to the start)
        await pb.press(*list(" ok"))
        assert await wait_until([pa, pb], lambda: db.query_one("#plan").text == "Remiss till psykolog ok")
        # a new action in b shows in a's form too
        db.app.service.add_action(case_no, "Kontakt med arbetsgivare", "Kerstin Bronner", None)
        assert await wait_until([pa, pb], lambda: len(da.detail.actions) == 1)


SAVE_WAIT = 0.6


async def test_conflicting_edit_is_detected_not_lost(shared_engine, cfg):
    a, b = LessApp(cfg, shared_engine, TODAY), LessApp(cfg, shared_engine, TODAY)
    async with a.run_test(size=(120, 40)) as pa, b.run_test(size=(120, 40)) as pb:
        await settle(pa)
        await settle(pb)
        case_no = pa.app.screen.shown_rows[1].case_no
        await open_case(pa, case_no)
        await open_case(pb, case_no)
        # both type before either sees the other's save
        b.watcher.stop()
        await pa.press(*list("Plan A"))
        await pb.press(*list("Plan B"))
        await asyncio.sleep(SAVE_WAIT)
        await settle(pa)
        await settle(pb)
        assert await wait_until([pa, pb], lambda: isinstance(b.screen, ConflictDialog)), b.screen
        with Session(shared_engine) as s:
            m = repo.meeting_at(s, repo.get_unit(s, cfg.unit).id, TODAY)
            (r,) = [r for r in repo.reviews_of_meeting(s, m.id) if r.case_no == case_no]
            assert r.plan == "Plan A"  # not overwritten silently
        dlg = b.screen
        assert dlg.mine == "Plan B" and dlg.theirs == "Plan A"
        await pb.press("m", "t")  # letters answer nothing
        await settle(pb)
        assert isinstance(b.screen, ConflictDialog)
        await pb.press("right", "enter")  # "Keep mine": b keeps its text, knowingly
        assert await wait_until([pb], lambda: not isinstance(b.screen, ConflictDialog))
        await settle(pb)
        with Session(shared_engine) as s:
            (r,) = [r for r in repo.reviews_of_meeting(s, m.id) if r.case_no == case_no]
            assert r.plan == "Plan B"


async def test_follow_mode_shows_the_presenters_case(shared_engine, cfg):
    a, b = LessApp(cfg, shared_engine, TODAY), LessApp(cfg, shared_engine, TODAY)
    async with a.run_test(size=(120, 40)) as pa, b.run_test(size=(120, 40)) as pb:
        await settle(pa)
        await settle(pb)
        await pb.press("f9")  # b follows
        await settle(pb)
        case_no = pa.app.screen.shown_rows[2].case_no
        await open_case(pa, case_no)
        assert await wait_until(
            [pa, pb], lambda: isinstance(b.screen, DecisionScreen) and b.screen.detail.row.case_no == case_no)


async def test_a_meeting_closed_in_another_session_shows_on_the_open_case(shared_engine, cfg):
    """Session A closes the meeting while session B has a case open: B's case said nothing and still offered
    F2 and the actions' keys until B tried to save. Now the change brings it: the plan is read-only, F2 is
    dimmed and the screen says the meeting is closed."""
    from less_tui.i18n import t
    from less_tui.services import admin

    b, told = session_telling(cfg, shared_engine)
    async with b.run_test(size=(120, 40)) as pb:
        d = await first_case_by_keys(pb)
        assert not d.query_one("#plan").read_only and d.check_action("add_action", ()) is True
        admin.close_meeting(shared_engine, cfg, TODAY)  # the other session
        assert await wait_until([pb], lambda: d.query_one("#plan").read_only), "B did not notice the closing"
        assert d.check_action("add_action", ()) is None  # F2 dimmed in the footer
        assert t("dec.readonly") in told


async def test_follow_mode_waits_while_the_follower_types_or_has_a_dialog_open(shared_engine, cfg, monkeypatch):
    """(coordinator helper) The presenter moved on while the follower was typing a plan: the follower's next
    words went into the next case's plan; a half-filled action dialog closed without a word. Follow mode now
    waits until the follower has stopped typing (and closed the dialog), says so, then follows."""
    from less_tui.i18n import t
    from less_tui.screens.dialogs import AddActionDialog
    from less_tui.services.meeting import MeetingService

    monkeypatch.setattr(LessApp, "FOLLOW_QUIET", 0.6)
    presenter = MeetingService(shared_engine, cfg, TODAY, session_id="presenter")
    presenter.open()
    rows = presenter.queue().rows
    b, told = session_telling(cfg, shared_engine)
    tries: list[float] = []  # follow mode's looks at whether this session is still busy
    busy = b._follow_busy
    b._follow_busy = lambda: tries.append(time.monotonic()) or busy()
    async with b.run_test(size=(120, 40)) as pb:
        assert await wait_until([pb], lambda: getattr(b.screen, "data", None) is not None)
        mine = b.screen.shown_rows[0].case_no
        await pb.press("f9", "enter")
        assert await wait_until([pb], lambda: isinstance(b.screen, DecisionScreen)
                                and b.screen.detail.row.case_no == mine and b.screen._ready)
        await pb.press(*"Ett")
        other = next(r for r in rows if r.case_no != mine)
        presenter.case(other.case_no, other)  # the presenter opens another case
        assert await wait_until([pb], lambda: t("follow.waiting", case=other.case_no) in told)
        await pb.press(*" två", "f2")  # still typing, then a dialog
        assert await wait_until([pb], lambda: isinstance(b.screen, AddActionDialog))
        await pb.press(*"arbets")
        # follow mode looks twice more, with the dialog open and the keys past FOLLOW_QUIET: it stays
        seen = len(tries)
        quiet_from = time.monotonic() + LessApp.FOLLOW_QUIET
        assert await wait_until([pb], lambda: len(tries) >= seen + 2 and tries[-1] > quiet_from)
        assert isinstance(b.screen, AddActionDialog)
        await pb.press("escape")
        assert await wait_until([pb], lambda: isinstance(b.screen, DecisionScreen)
                                and b.screen.detail.row.case_no == other.case_no), "did not follow once done"
    with Session(shared_engine) as s:
        m = repo.meeting_at(s, repo.get_unit(s, cfg.unit).id, TODAY)
        plans = {r.case_no: r.plan for r in repo.reviews_of_meeting(s, m.id)}
    assert plans[mine] == "Ett två" and not plans.get(other.case_no)


async def test_a_meeting_reopened_in_another_session_opens_the_case_again(shared_engine, cfg):
    """(coordinator helper) Reopened in session A, session B's open case stayed "Mötet är stängt – endast
    läsning" until it was left and opened again. The change now makes it writable and says so."""
    from less_tui.i18n import t
    from less_tui.services import admin

    admin.new_meeting(shared_engine, cfg, TODAY)
    admin.close_meeting(shared_engine, cfg, TODAY)
    b, told = session_telling(cfg, shared_engine)
    async with b.run_test(size=(120, 40)) as pb:
        d = await first_case_by_keys(pb)
        assert d.query_one("#plan").read_only
        admin.reopen_meeting(shared_engine, cfg, TODAY, "Fel i protokollet")  # the other session
        assert await wait_until([pb], lambda: not d.query_one("#plan").read_only), "B did not notice the reopening"
        assert d.check_action("add_action", ()) is True and t("dec.reopened_elsewhere") in told
        await pb.press(*"Nu går det")
        assert await wait_until([pb], lambda: d.query_one("#plan").text.endswith("Nu går det"))
