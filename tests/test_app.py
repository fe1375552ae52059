"""Pilot tests of the app (the whole keyboard-only meeting is in test_keyboard.py)."""

import datetime as dt

from helpers import workers_done
import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from less_tui.app import LessApp
from less_tui.screens.decision import DecisionScreen
from less_tui.screens.help import HelpScreen
from less_tui.screens.queue import QueueScreen
from less_tui.screens.summary import SummaryScreen
from less_tui.storage.models import Meeting

TODAY = dt.date(2026, 11, 23)


def make_app(engine, cfg, **kw):
    return LessApp(cfg, engine, TODAY, **kw)


async def settle(pilot, app):
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()


async def open_first_case(pilot, app):
    await settle(pilot, app)
    await pilot.press("enter")
    for _ in range(20):
        await settle(pilot, app)
        if isinstance(app.screen, DecisionScreen):
            return app.screen
    raise AssertionError(f"no decision screen: {app.screen}")


async def test_queue_opens_on_todays_meeting(demo_engine, cfg):
    app = make_app(demo_engine, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        q = app.screen
        assert isinstance(q, QueueScreen) and "Ärendekö" in q.title
        assert q.data.meeting.date == TODAY and not q.data.meeting.closed
        rows = q.data.rows
        assert 10 <= len(rows) <= 40
        fu = [r.follow_up for r in rows]
        assert fu == sorted(fu, reverse=True) and fu[0]
        table = q.query_one("#cases")
        assert table.row_count == len(rows)
        # masked by default: no personnummer on screen
        cell = str(table.get_row_at(0)[2])
        assert cell == rows[0].masked() and "-" not in cell
    with Session(demo_engine) as s:
        m = s.scalars(select(Meeting).where(Meeting.date == TODAY)).one()
        assert m.status == "open"


async def test_plan_survives_escape_and_restart(demo_engine, cfg):
    app = make_app(demo_engine, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        d = await open_first_case(pilot, app)
        case_no = d.detail.row.case_no
        await pilot.press(*list("Deltid 50 %"))
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("q")
    app2 = make_app(demo_engine, cfg)
    async with app2.run_test(size=(120, 40)) as pilot:
        d = await open_first_case(pilot, app2)
        assert d.detail.row.case_no == case_no
        assert d.query_one("#plan").text == "Deltid 50 %"


async def test_mask_toggle_filter_and_help(demo_engine, cfg):
    app = make_app(demo_engine, cfg, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        q = app.screen
        assert "Case queue" in q.title
        first = q.shown_rows[0]
        await pilot.press("m")
        await settle(pilot, app)
        assert not app.masked
        assert first.pnr in str(q.query_one("#cases").get_row_at(0)[2])
        await pilot.press("m")
        await pilot.press("slash", *list(str(first.case_no)), "enter")
        await settle(pilot, app)
        assert any(r.case_no == first.case_no for r in q.shown_rows)
        assert len(q.shown_rows) < len(q.data.rows)
        await pilot.press("escape")
        await pilot.press("question_mark")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.rows)
        assert "Summary" in keys.values() and "Masking" in keys.values()
    with Session(demo_engine) as s:
        from less_tui.storage.models import AuditLog

        assert s.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "screen.unmask")) == 1


async def test_keymap_from_config(demo_engine):
    from less_tui.config import validate

    cfg = validate({"keymap": {"summary": "f5"}})
    app = make_app(demo_engine, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        await settle(pilot, app)
        assert isinstance(app.screen, SummaryScreen)


async def test_export_from_the_summary(demo_engine, cfg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = LessApp(cfg, demo_engine, dt.date(2026, 10, 23))
    notes = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.notify = lambda msg, **kw: notes.append(msg)
        await settle(pilot, app)
        await pilot.press("s")
        await settle(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        await pilot.press("down", "enter")  # Word
        await settle(pilot, app)
    # beside the demo database (tmp_path/demo.db), in its own folder, named as demo minutes
    out = tmp_path / "demo-exports" / "demo-fmt-protokoll-VC_Exempel-2026-10-23.docx"
    assert out.exists()
    assert any(str(out.name) in n for n in notes)


async def test_summary_agrees_with_the_minutes(demo_engine, cfg):
    from less_tui.services.minutes import gather

    app = LessApp(cfg, demo_engine, dt.date(2026, 10, 23))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("s")
        await settle(pilot, app)
        data = app.screen.data
        table = app.screen.query_one("#indicators")
        shown = [str(table.get_row_at(i)[1]) for i in range(4)]
    m = gather(demo_engine, cfg, dt.date(2026, 10, 23))
    from less_tui import present

    assert len(m.indicator_rows) == len(data.indicators.indicators) == len(shown) == 4
    for i, row, cell in zip(data.indicators.indicators, m.indicator_rows, shown):
        # the minutes' row says the summary's figures in the same words: count, share, change
        assert row[1] == f"{i.count}/{i.denominator}" and cell.startswith(row[1])
        assert row[2] == present.share_text(i.count, i.denominator) and row[4] == present.delta_text(i)
    # the summary and the minutes follow up the same actions: the last meeting's, and what is still
    # open from meetings before it
    assert {k: len(v) for k, v in data.last_actions.items()} == {k: len(v) for k, v in m.followups.items()}
    assert ([(n, a.kind, a.meeting_date) for v in data.last_actions.values() for n, a in v]
            == [(a.case_no, a.kind, a.meeting_date) for v in m.followups.values() for a in v])
    older = [a for v in data.last_actions.values() for _, a in v if a.meeting_date != data.last_meeting]
    assert older and all(a.status == "open" and a.meeting_date < data.last_meeting for a in older)


async def test_an_unexpected_error_shows_one_line_and_logs(demo_engine, cfg, tmp_path, capsys):
    """No traceback reaches the user: one line, and the details in an owner-only crash log."""
    import os
    import stat

    app = make_app(demo_engine, cfg)
    with pytest.raises(RuntimeError):  # Pilot re-raises for the test; a user sees only the line below
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app)

            def boom():
                raise RuntimeError("deliberate")

            app.call_later(boom)
            await pilot.pause()
    assert app.return_code == 1
    err = capsys.readouterr().err
    assert "internt fel (RuntimeError)" in err and "Traceback" not in err and "deliberate" not in err
    assert len(err.strip().splitlines()) == 1, err  # one line (from the catalogue), the terminal wraps it
    log = tmp_path / "xdg-data" / "less-tui" / "crash.log"
    assert "RuntimeError: deliberate" in log.read_text()
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600


async def test_a_thread_worker_of_a_closed_screen_still_finds_the_app(demo_engine, cfg):
    """A save or reload that is still running in a thread when its screen is popped (or the app
    shuts down) must reach the app: without a context variable Textual walks the DOM, which ends
    at None once the screen is gone (CI saw NoActiveAppError end a test's app that way)."""
    import threading

    app = make_app(demo_engine, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        d = await open_first_case(pilot, app)
        await pilot.press("escape")
        for _ in range(20):
            await settle(pilot, app)
            if isinstance(app.screen, QueueScreen):
                break
        assert app._spare is d  # kept for the next case opened; let it go, as a mode change does
        app.drop_spare()
        for _ in range(20):
            await settle(pilot, app)
            if d.parent is None:
                break
        assert isinstance(app.screen, QueueScreen) and d.parent is None
        found = []
        t = threading.Thread(target=lambda: found.append(d.app))  # no context copied: as a worker thread
        t.start()
        t.join()
        assert found == [app]
