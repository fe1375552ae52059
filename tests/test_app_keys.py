"""The app-wide keys (help, quit, masking, projector, follow): declared once on the app, offered by the
screens by id, rebound by one id on every screen; app state the screens follow themselves.

The UI is moved only with ``pilot.press``; each test waits for a condition."""

import datetime as dt
import re
from pathlib import Path

from textual.command import CommandList
from textual.coordinate import Coordinate

from helpers import workers_done
from less_tui.app import LessApp
from less_tui.i18n import t
from less_tui.screens.base import AppKeyRef, KeySpec, key_specs
from less_tui.screens.decision import DecisionScreen
from less_tui.screens.help import HelpScreen
from less_tui.screens.meetings import MeetingsScreen
from less_tui.screens.queue import CaseTable, QueueScreen
from less_tui.screens.summary import SummaryScreen
from less_tui.screens.welcome import WelcomeScreen

TODAY = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parent.parent
APP_ACTIONS = {k.action for k in LessApp.APP_KEYS}


async def until(pilot, cond, what: str, tries: int = 60):
    app = pilot.app
    for _ in range(tries):
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        if cond():
            return
    raise AssertionError(f"timed out waiting for {what}; screen {app.screen!r}, focus {app.focused!r}")


async def queue_ready(pilot) -> QueueScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "the queue")
    return app.screen


async def on_case(pilot, case_no: int) -> DecisionScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, DecisionScreen) and app.screen.detail.row.case_no == case_no
                and app.screen._ready, f"case {case_no}")
    return app.screen


def test_app_wide_keys_are_declared_once():
    """No screen declares an app-wide key itself; each one it offers is named by an id the app declares,
    and becomes a binding whose action runs on the app."""
    ids = [k.id for k in LessApp.APP_KEYS]
    assert len(ids) == len(set(ids)) and {"mask", "projector", "follow", "help", "quit"} <= set(ids)
    offered = {}
    for screen in (QueueScreen, DecisionScreen, SummaryScreen, MeetingsScreen, WelcomeScreen):
        own = [k for k in screen.KEYS if isinstance(k, KeySpec)]
        assert not [k for k in own if k.action in APP_ACTIONS], screen.__name__
        refs = [k.id for k in screen.KEYS if isinstance(k, AppKeyRef)]
        assert set(refs) <= set(ids), screen.__name__
        offered[screen.__name__] = refs
        for spec in key_specs(screen):
            if spec.id in refs:
                assert spec.action == "app." + LessApp.app_key(spec.id).action
    assert offered["QueueScreen"] == ["help", "mask", "projector", "follow", "quit"]  # help first: on any footer
    assert all("help" in refs for refs in offered.values())


def test_no_screen_is_recognised_by_its_class_name():
    found = [f"{p.relative_to(ROOT)}:{i}" for p in (ROOT / "less_tui").rglob("*.py")
             for i, line in enumerate(p.read_text().splitlines(), 1) if re.search(r"__class__\.__name__\s*==", line)]
    assert not found, found


async def test_one_id_rebinds_an_app_wide_key_on_every_screen(demo_engine):
    """``[keymap] help = "f3"`` moves help on the queue, the summary and the decision screen alike, and
    the help screen names the new key."""
    from less_tui.config import validate

    app = LessApp(validate({"keymap": {"help": "f3"}}), demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("f1")  # no longer help
        await pilot.pause()
        assert app.screen is q
        for go, back, kind in ((None, None, QueueScreen), (["s"], ["escape"], SummaryScreen),
                               (["enter"], ["escape"], DecisionScreen)):
            if go:
                await pilot.press(*go)
                await until(pilot, lambda: isinstance(app.screen, kind) and getattr(app.screen, "_ready", True),
                            kind.__name__)
            await pilot.press("f3")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen), f"help on {kind.__name__}")
            assert dict((what, keys) for keys, what in app.screen.rows)[t("key.help")] == "f3"
            if kind is SummaryScreen:  # its table's own Home/End and PgUp/PgDn, listed once (they were twice)
                keys = [k for k, _ in app.screen.rows]
                assert "PgUp / PgDn" not in keys and "Home / End" not in keys
                assert sum(k.lower() in ("home", "pgup", "pageup") for k in keys) == 2, keys
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, kind), kind.__name__)
            if back:
                await pilot.press(*back)
                await queue_ready(pilot)


async def test_question_mark_is_help_on_the_decision_screen_outside_the_plan(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("enter")
        d = await on_case(pilot, q.shown_rows[0].case_no)
        await pilot.press("question_mark")  # in the plan: typed
        await until(pilot, lambda: d.query_one("#plan").text == "?", "the ? in the plan")
        assert app.screen is d
        await pilot.press("shift+tab")
        await until(pilot, lambda: app.focused is not None and app.focused.id == "history-actions", "the table")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is d, "the case again")
        assert d.query_one("#plan").text == "?"


async def test_the_hidden_queue_is_drawn_again_only_when_shown(demo_engine, cfg):
    """A decision marks its case ✔ in the queue, and unmasking from the palette shows the names there,
    without the queue being drawn while the decision screen hides it."""
    app = LessApp(cfg, demo_engine, TODAY, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        row = next(i for i, r in enumerate(q.shown_rows) if not r.decided)
        case = q.shown_rows[row]
        table = q.query_one(CaseTable)
        for _ in range(row):
            await pilot.press("down")
        await pilot.press("enter")
        d = await on_case(pilot, case.case_no)
        drawn = []
        render = q.render_table
        q.render_table = lambda: (drawn.append(1), render())[1]
        await pilot.press(*"Plan")
        # (the queue's rows are loaded anew when the database changes: the case is looked up by its number)
        await until(pilot, lambda: d._saved_text == "Plan" and next(
            r for r in q.data.rows if r.case_no == case.case_no).decided, "saved and marked")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.query(CommandList), "the palette")
        await pilot.press(*t("cmd.mask"))

        def first() -> str:
            options = app.screen.query_one(CommandList)._options
            return str(options[0].prompt).split("\n")[0] if options else ""

        await until(pilot, lambda: first() == t("cmd.mask"), "the masking command first")
        await pilot.press("enter")
        await until(pilot, lambda: not app.masked and app.screen is d, "unmasked")
        assert case.pnr in str(d.query_one("#facts").render())
        assert not drawn, "the hidden queue was drawn"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is q and drawn, "the queue drawn again")
        columns = [c.key.value for c in table.columns.values()]
        decided_col, patient_col = columns.index("decided"), columns.index("patient")
        assert "✔" in str(table.get_cell_at(Coordinate(row, decided_col)))
        assert case.pnr in str(table.get_cell_at(Coordinate(row, patient_col)))


async def test_a_language_switch_redraws_every_screen_in_the_stack(demo_engine, cfg):
    """Switched on the summary: the summary loads its words anew, and so does the queue under it, whose
    keys (the app-wide ones too) say what they do in English."""
    from less_tui.i18n import language

    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None,
                    "the summary")
        s = app.screen
        assert "Möte " in str(s.query_one("#summary-head").render())
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.query(CommandList), "the palette")
        await pilot.press(*"engelska")

        def first() -> str:
            options = app.screen.query_one(CommandList)._options
            return str(options[0].prompt) if options else ""

        await until(pilot, lambda: "engelska" in first(), "the language entry first")
        await pilot.press("enter")
        await until(pilot, lambda: language() == "en" and app.screen is s
                    and "Meeting " in str(s.query_one("#summary-head").render()), "the summary in English")
        await until(pilot, lambda: str(s.query_one("#screen-title").render()).startswith("Summary"),
                    "the summary's title line in English")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is q and "Meeting " in str(q.query_one("#meeting-header").render()),
                    "the queue in English")
        await until(pilot, lambda: str(q.query_one("#screen-title").render()).startswith("Case queue"),
                    "the queue's title line in English (it was switched behind the summary)")
        shown = {b.binding.description for b in q.active_bindings.values()}
        assert {"Summary", "Masking", "Help", "Quit"} <= shown, shown


async def test_ctrl_c_says_in_swedish_which_key_quits(demo_engine, cfg):
    """Ctrl+C does not quit a Textual app; its reminder of the key that does is in the user's language."""
    app = LessApp(cfg, demo_engine, TODAY)
    notes = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.notify = lambda msg, **kw: notes.append((msg, kw.get("title")))
        await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.shown_rows, "the queue")
        await pilot.press("ctrl+c")
        await until(pilot, lambda: notes, "the reminder")
        assert notes == [(t("app.quit_hint", quit_key="q"), t("app.quit_title"))]
        assert "Tryck q" in notes[0][0] and app.is_running
