"""Screen snapshots at fixed terminal sizes, in both languages and in projector mode,
on a fixed demo seed and a fixed date (tests/conftest.py). Update with --snapshot-update
after looking at the SVGs in the report."""

import datetime as dt
import time

from helpers import workers_done
import pytest
from textual.widgets import Input, TextArea

from less_tui.app import LessApp

TODAY = dt.date(2026, 11, 23)
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


async def _settle(pilot):
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        await workers_done(app)
    for w in app.screen.query(TextArea):
        w.cursor_blink = False
    for w in app.screen.query(Input):
        w.cursor_blink = False
    await pilot.pause()


async def _open_first_case(pilot):
    await pilot.press("enter")
    for _ in range(20):
        await _settle(pilot)
        if pilot.app.screen.__class__.__name__ == "DecisionScreen":
            return
    raise AssertionError("no decision screen")


def _steps(screen: str):
    async def run_before(pilot):
        await _settle(pilot)
        if screen == "decision":
            await _open_first_case(pilot)
        elif screen == "summary":
            await pilot.press("s")
            await _settle(pilot)
        elif screen == "add-action":  # the F2 dialog with suggestions for "avst"
            await _open_first_case(pilot)
            await pilot.press("f2")
            await _settle(pilot)
            await pilot.press(*"avst")
        elif screen == "close":  # the close confirmation on the summary
            await pilot.press("s")
            await _settle(pilot)
            await pilot.press("c")
        elif screen == "help":  # help on the decision screen, the plan focused
            await _open_first_case(pilot)
            await pilot.press("f1")
        await _settle(pilot)
    return run_before


@pytest.mark.parametrize("screen", ["queue", "decision", "summary", "add-action", "close", "help"])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_screens(snap_compare, demo_engine, cfg, screen, size, lang):
    app = LessApp(cfg, demo_engine, TODAY, lang=lang)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_steps(screen))


@pytest.mark.parametrize("screen", ["queue", "decision", "summary"])
def test_projector(snap_compare, demo_engine, cfg, screen):
    app = LessApp(cfg, demo_engine, TODAY, projector=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_steps(screen))


CONFLICT_THEIRS = ("Remiss till psykolog för bedömning av stressreaktion. Kontakt med arbetsgivaren om "
                   "anpassade arbetsuppgifter.\nÅterbesök hos samma läkare om fyra veckor.")
CONFLICT_MINE = "Prova deltid 50 % i fyra veckor, sedan uppföljning"


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_conflict_dialog(snap_compare, demo_engine, cfg, size, lang, monkeypatch):
    """The conflict dialog: jessica saved at 10:14 while this session typed; "Keep both" focused."""
    import datetime as _dt

    from less_tui import clock
    from less_tui.services.meeting import MeetingService
    from less_tui.screens.dialogs import ConflictDialog

    monkeypatch.setattr(clock, "now", lambda: _dt.datetime(2026, 11, 23, 10, 14, 5).astimezone())
    app = LessApp(cfg, demo_engine, TODAY, lang=lang)

    async def run_before(pilot):
        await _settle(pilot)
        await _open_first_case(pilot)
        case_no = app.screen.detail.row.case_no
        app.watcher.stop()  # this session does not see the other save before its own
        monkeypatch.setenv("LOGNAME", "jessica")
        other = MeetingService(demo_engine, cfg, TODAY)
        other.queue()
        other.save_plan(case_no, CONFLICT_THEIRS, 0)
        # pasted (one event, as the terminal sends a paste): typed key by key on a busy machine, a pause of
        # CONFLICT_QUIET between two keys opened the dialog mid-text and the rest was typed into it
        from textual import events

        app.post_message(events.Paste(CONFLICT_MINE))
        end = time.monotonic() + 60  # a generous limit: the machine may be busy
        while time.monotonic() < end:
            await pilot.pause(0.05)
            if isinstance(app.screen, ConflictDialog) and app.focused is not None and app.focused.id == "both":
                break
        await _settle(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)
