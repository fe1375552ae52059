"""The meeting driven from the keyboard alone, as the coordinator does over SSH.

Every test here moves the UI only with ``pilot.press``: no ``.focus()``, no clicks, no action
methods called. Each waits for a condition (a screen, a focused widget, a row in the database).
"""

import time
import datetime as dt

from helpers import workers_done
import pytest
from sqlalchemy import select
from sqlmodel import Session

from less_tui.app import LessApp
from less_tui.core.episodes import COORDINATOR_STATUSES
from less_tui.i18n import t
from less_tui.screens.decision import DecisionScreen
from less_tui.screens.dialogs import AddActionDialog, ConfirmDialog
from less_tui.screens.help import HelpScreen
from less_tui.screens.queue import QueueScreen
from textual.command import CommandList
from less_tui.screens.summary import SummaryScreen
from less_tui.storage import repo
from less_tui.storage.models import Action, CaseReview, Meeting, StatusRecordRow

TODAY = dt.date(2026, 11, 23)
NEXT_MEETING = dt.date(2026, 12, 23)


async def until(pilot, cond, what: str, tries: int = 60):
    """Let the app work (events and workers) until ``cond()`` holds."""
    app = pilot.app
    for _ in range(tries):
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        if cond():
            return
    raise AssertionError(f"timed out waiting for {what}; screen {app.screen!r}, focus {app.focused!r}")


async def queue_ready(pilot):
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "the queue")
    return app.screen


async def on_case(pilot, case_no: int) -> DecisionScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, DecisionScreen) and app.screen.detail.row.case_no == case_no
                and app.screen._ready, f"case {case_no}")
    return app.screen


async def focused_is(pilot, wid: str):
    await until(pilot, lambda: pilot.app.focused is not None and pilot.app.focused.id == wid, f"focus on #{wid}")


async def palette_command(pilot, typed: str, label: str) -> None:
    """Ctrl+P, ``typed``, and wait until the command ``label`` is the highlighted one (Enter then runs it)."""
    from textual.command import CommandList

    app = pilot.app
    await pilot.press("ctrl+p")
    await until(pilot, lambda: app.screen.__class__.__name__ == "LessCommandPalette", "the palette")
    await pilot.press(*typed)

    def offered() -> bool:
        found = app.screen.query(CommandList)
        lst = found.first() if found else None
        return (lst is not None and lst.highlighted is not None
                and label in str(lst.get_option_at_index(lst.highlighted).prompt))

    await until(pilot, offered, f"{label!r} highlighted in the palette")


def notices(app) -> list[str]:
    """The notifications the app shows from now on (their text)."""
    seen: list[str] = []
    orig = app.notify
    app.notify = lambda message, *a, **k: (seen.append(str(message)), orig(message, *a, **k))[1]
    return seen


async def dialog(pilot, kind):
    await until(pilot, lambda: isinstance(pilot.app.screen, kind), kind.__name__)
    return pilot.app.screen


def title_line(app) -> str:
    return str(app.screen.query_one("#screen-title").render())


def db_state(engine, case_nos):
    with Session(engine) as s:
        m = s.scalars(select(Meeting).where(Meeting.date == TODAY)).one()
        reviews = {r.case_no: r for r in s.scalars(select(CaseReview).where(CaseReview.meeting_id == m.id))
                   if r.case_no in case_nos}
        actions = {n: [(a.kind, a.owner, a.due, a.status) for a in repo.actions_of(s, r.id)] for n, r in reviews.items()}
        records = [(r.kind, r.value) for r in s.scalars(select(StatusRecordRow).where(StatusRecordRow.meeting_id == m.id)
                                                         .order_by(StatusRecordRow.id))]
        return reviews, actions, records


@pytest.mark.parametrize("size,lang", [((120, 40), "sv"), ((80, 24), "sv"), ((80, 24), "en")])
async def test_a_whole_meeting_keys_only(demo_engine, cfg, size, lang):
    app = LessApp(cfg, demo_engine, TODAY, lang=lang)
    async with app.run_test(size=size) as pilot:
        q = await queue_ready(pilot)
        assert ("Ärendekö" if lang == "sv" else "Case queue") in title_line(app)
        third, fourth = q.shown_rows[2].case_no, q.shown_rows[3].case_no

        # ↓ ↓ Enter opens the third case, with the focus in the plan
        await pilot.press("down", "down", "enter")
        d = await on_case(pilot, third)
        assert ("Beslut" if lang == "sv" else "Decision") in title_line(app)
        assert app.focused.id == "plan"
        earlier = d.query_one("#history-actions").actions
        assert any(a.status == "open" for a in earlier), "the third case has an open action from before"
        await pilot.press(*"Plan tre")

        # F2 with suggestions: avst Enter Kers Enter Enter
        await pilot.press("f2")
        await dialog(pilot, AddActionDialog)
        await pilot.press(*"avst", "enter", *"Kers", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, DecisionScreen) and len(d.detail.actions) == 1,
                    "the first action")

        # Tab: this meeting's actions, coordinator status, primary assessment, rehab plan
        status_before = d.detail.row.coordinator_status
        await pilot.press("tab")
        await focused_is(pilot, "actions")
        await pilot.press("tab")
        await focused_is(pilot, "coordinator")
        await pilot.press("enter", "down", "enter")  # open the list, one down, pick
        want_status = COORDINATOR_STATUSES[COORDINATOR_STATUSES.index(status_before) + 1]
        await until(pilot, lambda: d.detail.row.coordinator_status == want_status, "the coordinator status")
        await pilot.press("tab")
        await focused_is(pilot, "assessor")
        await pilot.press("enter", "down", "enter")
        await until(pilot, lambda: d.detail.assessor == "doctor", "the primary assessment")
        await pilot.press("tab")
        await focused_is(pilot, "rehab-plan")
        plan_before = d.detail.row.rehab_plan
        await pilot.press("space")
        await until(pilot, lambda: d.detail.row.rehab_plan != plan_before, "the rehab plan")
        shown = str(d.query_one("#rehab-plan").render())
        assert (t("btn.yes") if not plan_before else t("btn.no")) in shown

        # round again to the earlier actions: d marks the highlighted one done
        await pilot.press("tab")
        await focused_is(pilot, "history-actions")
        table = d.query_one("#history-actions")
        open_row = next(i for i, a in enumerate(table.actions) if a.status == "open")
        for _ in range(open_row):
            await pilot.press("down")
        earlier_id = table.actions[open_row].id
        await pilot.press("d")
        await until(pilot, lambda: table.actions[open_row].status == "done", "the earlier action done")

        # Shift+Tab back to the plan; the letters pressed outside it were not typed into it
        await pilot.press("tab")
        await focused_is(pilot, "plan")
        assert d.query_one("#plan").text == "Plan tre"

        # a second action, then edit the first (owner) and remove the second
        await pilot.press("f2")
        await dialog(pilot, AddActionDialog)
        await pilot.press(*"psykolog", "enter", *"Jess", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, DecisionScreen) and len(d.detail.actions) == 2,
                    "the second action")
        await pilot.press("tab")
        await focused_is(pilot, "actions")
        await pilot.press("home", "e")
        await dialog(pilot, AddActionDialog)
        await pilot.press("tab")
        await focused_is(pilot, "owner")
        await pilot.press("ctrl+u", *"Sara", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, DecisionScreen)
                    and d.detail.actions[0].owner == "Sara Lindqvist", "the edited owner")
        await focused_is(pilot, "actions")
        await pilot.press("end", "delete")
        await dialog(pilot, ConfirmDialog)
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, DecisionScreen) and len(d.detail.actions) == 1,
                    "the removed action")

        # F8: the next case; a plan there too
        await pilot.press("f8")
        d4 = await on_case(pilot, fourth)
        assert app.focused.id == "plan"
        await pilot.press(*"Plan fyra")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen), "the queue")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None,
                    "the summary")
        assert ("Sammanfattning" if lang == "sv" else "Summary") in title_line(app)
        assert d4 is not None

    reviews, actions, records = db_state(demo_engine, {third, fourth})
    assert reviews[third].plan == "Plan tre" and reviews[fourth].plan == "Plan fyra"
    assert actions[third] == [("Avstämningsmöte med Försäkringskassan", "Sara Lindqvist", NEXT_MEETING, "open")]
    assert reviews[third].primary_assessor == "doctor"
    assert ("coordinator", want_status) in records
    assert ("rehab_plan", "nej" if plan_before else "ja") in records
    with Session(demo_engine) as s:
        assert s.get(Action, earlier_id).status == "done"


async def test_decision_focus_walk(demo_engine, cfg):
    """Tab and Shift+Tab visit every field of the decision screen in screen order, and come back."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("enter")
        d = await on_case(pilot, q.shown_rows[0].case_no)
        assert d.query("#history-actions"), "the first case has earlier actions"
        assert not d.detail.actions  # this meeting's actions are empty: skipped
        order = ["coordinator", "assessor", "rehab-plan", "history-actions", "plan"]
        for wid in order:
            await pilot.press("tab")
            await focused_is(pilot, wid)
        for wid in ["history-actions", "rehab-plan", "assessor", "coordinator", "plan"]:
            await pilot.press("shift+tab")
            await focused_is(pilot, wid)
        # with an action, the table of this meeting's actions comes right after the plan
        await pilot.press("f2")
        await dialog(pilot, AddActionDialog)
        await pilot.press(*"Kontakt med arb", "enter", *"Kerstin", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, DecisionScreen) and d.detail.actions, "an action")
        await focused_is(pilot, "plan")
        await pilot.press("tab")
        await focused_is(pilot, "actions")
        await pilot.press("shift+tab")
        await focused_is(pilot, "plan")


async def test_letters_outside_the_plan_are_not_typed_into_it(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("enter")
        d = await on_case(pilot, q.shown_rows[0].case_no)
        await pilot.press(*"abc")
        await pilot.press("shift+tab")
        await focused_is(pilot, "history-actions")
        table = d.query_one("#history-actions")
        before = [a.status for a in table.actions]
        await pilot.press("x")
        await until(pilot, lambda: table.actions[0].status != before[0], "the earlier action changed")
        await pilot.press("q", "e")  # e on an earlier meeting's action: a notice, nothing else
        await pilot.press("tab")
        await focused_is(pilot, "plan")
        assert d.query_one("#plan").text == "abc"
        assert isinstance(app.screen, DecisionScreen)


async def test_queue_moves_with_arrows_pages_home_end(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        q = await queue_ready(pilot)
        table = q.query_one("#cases")
        n = table.row_count
        assert n > 10
        await pilot.press("down", "down")
        await until(pilot, lambda: table.cursor_row == 2, "row 3")
        await pilot.press("up")
        await until(pilot, lambda: table.cursor_row == 1, "row 2")
        await pilot.press("end")
        await until(pilot, lambda: table.cursor_row == n - 1, "the last row")
        await pilot.press("home")
        await until(pilot, lambda: table.cursor_row == 0, "the first row")
        await pilot.press("pagedown")
        await until(pilot, lambda: table.cursor_row > 3, "a page down")
        row = table.cursor_row
        await pilot.press("enter")
        await on_case(pilot, q.shown_rows[row].case_no)


async def test_keys_typed_at_start_are_not_lost(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "down", "enter")  # at once, before the queue has loaded
        await until(pilot, lambda: isinstance(app.screen, DecisionScreen), "a case")
        q = app.queue_screen()
        assert app.screen.detail.row.case_no == q.shown_rows[2].case_no


async def test_f7_f8_stop_at_the_ends_and_follow_the_filter(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    notes = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.notify = lambda msg, **kw: notes.append(msg)
        q = await queue_ready(pilot)
        first = q.shown_rows[0].case_no
        await pilot.press("enter")
        await on_case(pilot, first)
        await pilot.press("f7")
        await until(pilot, lambda: t("dec.first_case") in notes, "the first-case notice")
        assert app.screen.detail.row.case_no == first
        await pilot.press("escape")
        await queue_ready(pilot)
        # a filter on a reason: F8 walks the filtered list only, and stops at its end
        await pilot.press("slash", *"heltid", "enter")
        await until(pilot, lambda: q.filter_text == "heltid", "the filter")
        shown = [r.case_no for r in q.shown_rows]
        assert 1 < len(shown) < len(q.data.rows)
        # said in the header, not only on the line under it (a filter left on went unnoticed: ↓ and Enter
        # then opened the one case it kept)
        head = str(q.query_one("#meeting-header").render())
        assert f"filtrerat: {len(shown)} av {len(q.data.rows)} visas (Esc: alla)" in head, head
        assert "Esc visar alla" in str(q.query_one("#queue-status").render())
        await pilot.press("end", "up", "enter")
        await on_case(pilot, shown[-2])
        await pilot.press("f8")
        await on_case(pilot, shown[-1])
        await pilot.press("f8")
        await until(pilot, lambda: t("dec.last_case") in notes, "the last-case notice")
        assert app.screen.detail.row.case_no == shown[-1]
        # a case the filter hides, opened from the palette: F8 and F7 say why they go nowhere
        hidden = next(r.case_no for r in q.data.rows if r.case_no not in shown)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.query(CommandList), "the palette")
        await pilot.press(*str(hidden))
        await until(pilot, lambda: any(f"{hidden}" in str(o.prompt)
                                       for o in app.screen.query_one(CommandList)._options[:1]), "the case offered")
        await pilot.press("enter")
        await on_case(pilot, hidden)
        await pilot.press("f8")
        await until(pilot, lambda: t("dec.not_in_list") in notes, "the not-in-the-list notice")
        assert app.screen.detail.row.case_no == hidden
        notes.clear()
        await pilot.press("f7")
        await until(pilot, lambda: t("dec.not_in_list") in notes, "the notice for F7 too")
        assert app.screen.detail.row.case_no == hidden


async def test_every_screen_shows_its_name(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        assert title_line(app).startswith("Case queue")
        await pilot.press("question_mark")
        await dialog(pilot, HelpScreen)
        assert title_line(app).startswith("Help")
        await pilot.press("escape")
        await pilot.press("l")
        await until(pilot, lambda: app.screen.__class__.__name__ == "MeetingsScreen", "the meetings")
        assert title_line(app).startswith("Meetings")
        await pilot.press("escape")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        assert title_line(app).startswith("Summary")


async def test_help_lists_the_apps_keys_first_translated(demo_engine, cfg):
    from textual.binding import Binding

    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("enter")
        await on_case(pilot, q.shown_rows[0].case_no)
        await pilot.press("f1")
        h = await dialog(pilot, HelpScreen)
        titles = [s.title for s in h.sections]
        assert titles == [t("help.app_keys"), t("help.field_keys"), t("help.textual_keys")]
        app_rows = dict((what, keys) for keys, what in h.sections[0].rows)
        assert app_rows[t("key.add_action")].lower() == "f2" and app_rows[t("key.next")].lower() == "f8"
        # q is typed into the plan: the help names Ctrl+Q (it named no way to quit at all)
        assert app_rows[t("key.quit")] == app.get_key_display(Binding("ctrl+q", ""))
        editing = [what for _, what in h.sections[2].rows]
        assert t("tx.undo") in editing  # the plan has the focus: its editing keys, in Swedish, last
        assert not any("Cursor" in what or "Delete" in what for _, what in h.rows)
        await pilot.press("escape")
        await pilot.press("shift+tab")
        await focused_is(pilot, "history-actions")
        await pilot.press("f1")
        h = await dialog(pilot, HelpScreen)
        field = dict((what, keys) for keys, what in h.sections[1].rows)
        assert field[t("key.done")] == "d" and field[t("key.drop")] == "x"
        assert field[t("key.delete_action")] == "Delete" or "del" in field[t("key.delete_action")].lower()
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DecisionScreen), "back on the case")
        await pilot.press("escape")
        await queue_ready(pilot)
        await pilot.press("f1")
        h = await dialog(pilot, HelpScreen)
        assert dict((what, keys) for keys, what in h.sections[0].rows)[t("key.quit")] == "q / ^q"


async def test_palette_exact_case_first_no_duplicates_translated(demo_engine, cfg):
    from textual.command import CommandList

    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("a")  # every qualifying case, so that there are numbers inside other numbers
        await until(pilot, lambda: len(q.data.rows) > 25, "every case")
        nos = [r.case_no for r in q.data.rows]
        # a case number that is part of other case numbers, so a fuzzy match alone would not put it first
        target = next(n for n in sorted(nos, key=lambda n: len(str(n)))
                      if sum(str(n) in str(m) for m in nos) > 1)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.query(CommandList), "the palette")

        def prompts():
            return [str(o.prompt) for o in app.screen.query_one(CommandList)._options]

        await until(pilot, lambda: len(prompts()) > 5, "the palette's entries")
        everything = prompts()
        assert len(everything) == len(set(everything)), "an entry listed twice"
        assert not any("{" in p for p in everything)
        assert not any(p.split("\n")[0] == p.split("\n")[-1] for p in everything if "\n" in p)
        await pilot.press(*str(target))
        await until(pilot, lambda: prompts() and prompts()[0].startswith(t("cmd.case", case=target, patient="")[:-1]),
                    "the exact case first")
        await pilot.press(*"qqqqzz")
        await until(pilot, lambda: any(t("cmd.no_matches") in p for p in prompts()), "the no-match line")
        assert not any("No matches" in p for p in prompts())
        for _ in "qqqqzz":
            await pilot.press("backspace")
        await pilot.press("enter")
        await on_case(pilot, target)


async def test_closed_meeting_is_read_only_from_the_keyboard(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, dt.date(2026, 10, 23))
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        assert q.data.meeting.closed
        await pilot.press("enter")
        d = await on_case(pilot, q.shown_rows[0].case_no)
        assert d.query_one("#plan").read_only
        notes = []
        orig = app.notify
        app.notify = lambda message, *a, **k: (notes.append(str(message)), orig(message, *a, **k))[1]
        await pilot.press(*"abc", "f2")
        # F2 is dimmed in the footer; pressed, it says why nothing opens (it did nothing at all)
        await until(pilot, lambda: t("dec.readonly") in notes, "the read-only notice")
        assert isinstance(app.screen, DecisionScreen) and d.query_one("#plan").text == d.detail.plan


async def test_a_closed_meetings_actions_offer_no_keys_that_do_nothing(demo_engine, cfg):
    """On a closed meeting the footer showed d Klar / x Stryk for its actions and the case said "Inga
    åtgärder ännu (F2 lägger till)"; the keys only said the meeting is closed (coordinator helper). Now they
    are dimmed like F2, say why when pressed, and an empty list says the meeting is closed."""
    from less_tui.screens.decision import ActionTable

    app = LessApp(cfg, demo_engine, dt.date(2026, 10, 23))
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("enter")
        d = await on_case(pilot, q.shown_rows[0].case_no)
        facts = d.facts_text().plain
        # the day counted to that meeting's date, not said to be today (coordinator helper)
        assert "sjukdag" not in facts or ("vid mötet 2026-10-23" in facts and " i dag" not in facts), facts
        seen_empty = False
        for i in range(1, len(q.shown_rows)):
            if not d.detail.actions:
                seen_empty = seen_empty or t("dec.no_actions_closed") in str(d.query_one("#no-actions").render())
            if d.detail.actions and seen_empty:
                break
            await pilot.press("f8")
            d = await on_case(pilot, q.shown_rows[i].case_no)
        assert seen_empty and d.detail.actions, "a closed meeting's case with actions and one without"
        for _ in range(8):
            if isinstance(app.focused, ActionTable) and app.focused.id == "actions":
                break
            await pilot.press("tab")
        table = app.focused
        assert isinstance(table, ActionTable) and table.id == "actions"
        done = [a for a in app.screen.active_bindings.values() if a.binding.action.startswith("request")]
        assert done and not any(a.enabled for a in done)  # dimmed in the footer
        notes = notices(app)
        before = [a.status for a in d.detail.actions]
        await pilot.press("d")
        await until(pilot, lambda: t("dec.readonly") in notes, "the read-only notice")
        assert [a.status for a in d.detail.actions] == before


async def test_close_confirmation_has_cancel_focused(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None,
                    "the summary")
        await pilot.press("c")
        await dialog(pilot, ConfirmDialog)
        assert app.focused.id == "no"
        await pilot.press("enter")  # a bare Enter never closes
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen), "back on the summary")
        with Session(demo_engine) as s:
            assert s.scalars(select(Meeting).where(Meeting.date == TODAY)).one().status == "open"
        await pilot.press("c")
        await dialog(pilot, ConfirmDialog)
        await pilot.press("tab")
        await focused_is(pilot, "yes")
        await pilot.press("tab")
        await focused_is(pilot, "no")
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data.meeting.closed,
                    "the closed meeting")


async def test_projector_mode_refuses_unmasking(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY, projector=True)
    notes = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.notify = lambda msg, **kw: notes.append(msg)
        q = await queue_ready(pilot)
        await pilot.press("m")
        await until(pilot, lambda: t("mask.projector_refused") in notes, "the refusal")
        assert app.masked
        cell = str(q.query_one("#cases").get_row_at(0)[2])
        assert cell == q.shown_rows[0].masked()
        await pilot.press("p", "m")  # projector off: unmasking is allowed again
        await until(pilot, lambda: not app.masked, "unmasked")


async def test_the_focused_fields_label_is_marked(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("enter")
        d = await on_case(pilot, q.shown_rows[0].case_no)

        def active():
            return [f.id or f.query_one("Label").render().plain for f in d.query(".field.-active")]

        await until(pilot, lambda: active() == ["plan-field"], "the plan's label marked")
        await pilot.press("tab")
        await until(pilot, lambda: active() == [t("dec.coordinator_status")], "the status label marked")
        await pilot.press("shift+tab", "shift+tab")
        await until(pilot, lambda: active() == ["history-field"], "the history label marked")


@pytest.mark.parametrize("where", ["queue", "summary", "meetings", "help", "export"])
async def test_focus_walk_on_the_other_screens(demo_engine, cfg, where):
    """Tab and Shift+Tab from the starting widget visit every interactive widget and come back.
    The summary has its indicator table and its scrolling page (to read the actions below at
    80x24); the other screens have one table or list. Home/End go to the first/last row."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        keys, start = {"queue": ([], "cases"), "summary": (["s"], "indicators"), "meetings": (["l"], "meetings"),
                       "help": (["f1"], "help-keys"), "export": (["s", "e"], "choices")}[where]
        for k in keys:
            await pilot.press(k)
            await pilot.pause()
        await focused_is(pilot, start)
        chain = [start, "summary"] if where == "summary" else [start]
        for i in range(1, len(chain) + 1):
            await pilot.press("tab")
            await focused_is(pilot, chain[i % len(chain)])
        for i in range(1, len(chain) + 1):
            await pilot.press("shift+tab")
            await focused_is(pilot, chain[-i % len(chain)])
        if where != "export":
            table = app.focused
            await until(pilot, lambda: table.row_count > 1, "rows")
            await pilot.press("end")
            await until(pilot, lambda: table.cursor_row == table.row_count - 1, "the last row")
            await pilot.press("home")
            await until(pilot, lambda: table.cursor_row == 0, "the first row")


async def test_pgdn_scrolls_the_summary_from_the_indicator_table(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None,
                    "the summary")
        await focused_is(pilot, "indicators")
        page = app.screen.query_one("#summary")
        assert page.max_scroll_y > 0 and page.scroll_y == 0
        await pilot.press("pagedown")
        await until(pilot, lambda: page.scroll_y > 0, "the page scrolled")
        await pilot.press("pageup")
        await until(pilot, lambda: page.scroll_y == 0, "back at the top")


async def test_the_queue_says_how_many_qualify_and_a_shows_them_all(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        d = q.data
        urgent = sum(1 for r in d.rows if r.follow_up or (r.checkpoint and r.checkpoint[1] <= 0))
        assert len(d.rows) == max(25, urgent) < d.qualifying  # what is due now is kept whatever the cap
        header = str(q.query_one("#meeting-header").render())
        assert f"{len(d.rows)} av {d.qualifying}" in header
        await pilot.press("a")
        await until(pilot, lambda: q.data is not d and len(q.data.rows) >= d.qualifying, "every case")
        fu = [r.follow_up for r in q.data.rows]
        assert fu == sorted(fu, reverse=True)
        assert q.query_one("#cases").row_count == len(q.data.rows)
        await pilot.press("a")
        await until(pilot, lambda: len(q.data.rows) == len(d.rows), "the meeting's queue again")


async def test_the_palette_offers_each_screens_keys_by_name(demo_engine, cfg):
    """Ctrl+P on the decision screen offers its keys by name (new action, next case, copy …) with the
    key beside each, once each; choosing one does what the key does, e.g. F2's dialog."""
    from textual.command import CommandList

    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("enter")
        await on_case(pilot, q.shown_rows[0].case_no)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.query(CommandList), "the palette")

        def prompts():
            return [str(o.prompt) for o in app.screen.query_one(CommandList)._options]

        for key, shown in (("key.next", "F8"), ("key.prev", "F7"), ("key.copy", "F6"), ("key.add_action", "F2")):
            name = t(key)
            await pilot.press(*name)
            await until(pilot, lambda: prompts() and prompts()[0].split("\n")[0] == name, f"{name} first")
            assert shown.lower() in prompts()[0].split("\n")[-1].lower(), prompts()[0]  # the key beside it
            assert [p.split("\n")[0] for p in prompts()].count(name) == 1, prompts()
            if key != "key.add_action":
                for _ in name:
                    await pilot.press("backspace")
        await pilot.press("enter")
        await dialog(pilot, AddActionDialog)


async def test_f8_and_f7_show_the_next_case_in_the_same_screen_and_keep_each_plan(demo_engine, cfg):
    """F8/F7 refill the decision screen's widgets (composing a new screen was most of the wait): each case
    shows its own facts, earlier decisions, plan, actions and statuses, typing lands on the case shown, and
    showing a case writes nothing."""
    from conftest import plans_today

    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        first, second = q.shown_rows[0].case_no, q.shown_rows[1].case_no
        with Session(demo_engine) as s:
            statuses_before = len(s.scalars(select(StatusRecordRow)).all())
        await pilot.press("enter")
        d = await on_case(pilot, first)
        assert d.query_one("#history-actions").actions  # the first case has earlier actions
        await pilot.press(*"Plan ett")
        await pilot.press("f8")
        d2 = await on_case(pilot, second)
        assert d2 is d  # the same screen, refilled
        assert f"{t('col.case')} {second}" in d.title and str(second) in str(d.query_one("#facts").render())
        assert d.query_one("#plan").text == d.detail.plan and app.focused.id == "plan"
        assert d.query_one("#coordinator").value == d.detail.row.coordinator_status
        assert d.query_one("#rehab-plan").value == d.detail.row.rehab_plan
        history = [a for h in d.detail.history for a in h.actions]
        assert d.query_one("#history-actions").actions == history
        assert d.query_one("#history-actions").display == bool(history)
        assert d.query_one("#no-history").display == (not d.detail.history)
        await pilot.press(*" två")  # the cursor is at the end of the plan shown
        await until(pilot, lambda: plans_today(str(demo_engine.url)).get(second, "").endswith(" två"), "plan two")
        await pilot.press("f7")
        await on_case(pilot, first)
        await until(pilot, lambda: d.query_one("#plan").text.endswith("Plan ett"), "the first plan back")
        await pilot.press(*" mer")  # goes on after what was written (the coordinator found it put first)
        await until(pilot, lambda: plans_today(str(demo_engine.url)).get(first, "").endswith("Plan ett mer"),
                    "the first plan continued")
        await pilot.press("escape")
        await queue_ready(pilot)
        await pilot.press("enter")  # opened anew from the queue: the cursor at the end too
        await on_case(pilot, first)
        await pilot.press(*" igen")
        await until(pilot, lambda: plans_today(str(demo_engine.url)).get(first, "").endswith("Plan ett mer igen"),
                    "the plan continued after opening it from the queue")
        await pilot.press("escape")
        await queue_ready(pilot)
    plans = plans_today(str(demo_engine.url))
    assert plans[first].endswith("Plan ett mer igen") and plans[second].endswith(" två")
    with Session(demo_engine) as s:
        assert len(s.scalars(select(StatusRecordRow)).all()) == statuses_before  # showing wrote no status


async def test_the_next_case_opened_from_the_queue_is_shown_in_the_screen_kept(demo_engine, cfg):
    """Enter after Escape shows the case in the decision screen left (kept, not composed anew): the case
    asked for, with its own plan, history and statuses, typing lands on it, nothing of the last case
    shows or is written to it. Projector mode changes its styles: the kept screen goes, a new one is made."""
    from conftest import plans_today

    url = str(demo_engine.url)
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        first, second = q.shown_rows[0].case_no, q.shown_rows[1].case_no
        await pilot.press("enter")
        d = await on_case(pilot, first)
        await pilot.press(*"Först")
        await until(pilot, lambda: plans_today(url).get(first, "").endswith("Först"), "the first plan saved")
        await pilot.press("escape")
        await queue_ready(pilot)
        await pilot.press("down", "enter")
        d2 = await on_case(pilot, second)
        assert d2 is d  # the screen kept, refilled
        assert f"{t('col.case')} {second}" in d.title and str(second) in str(d.query_one("#facts").render())
        assert d.query_one("#plan").text == d.detail.plan and "Först" not in d.detail.plan
        assert app.focused.id == "plan"
        assert d.query_one("#coordinator").value == d.detail.row.coordinator_status
        history = [a for h in d.detail.history for a in h.actions]
        assert d.query_one("#history-actions").actions == history
        await pilot.press(*" Sedan")
        await until(pilot, lambda: plans_today(url).get(second, "").endswith(" Sedan"), "the second plan saved")
        assert plans_today(url)[first].endswith("Först") and "Sedan" not in plans_today(url)[first]
        await pilot.press("escape")
        await queue_ready(pilot)
        await pilot.press("p")  # projector mode: the kept screen's styles were for the other mode
        await until(pilot, lambda: app.projector, "projector mode")
        await pilot.press("up", "enter")
        d3 = await on_case(pilot, first)
        assert d3 is not d
        assert d3.query_one("#plan").text.endswith("Först")
        await pilot.press("escape")
        await queue_ready(pilot)


async def test_a_terminal_resized_while_a_case_screen_is_kept_gets_a_new_one(demo_engine, cfg):
    """The kept decision screen was laid out for the old size: after a resize the next case opened is
    shown in a screen made for the new one, which fits it."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        first = q.shown_rows[0].case_no
        await pilot.press("enter")
        d = await on_case(pilot, first)
        await pilot.press("escape")
        await queue_ready(pilot)
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: app.size.width == 80, "the new size")
        await pilot.press("enter")
        d2 = await on_case(pilot, first)
        assert d2 is not d and d2.size.width == 80
        plan = d2.query_one("#plan")
        assert plan.region.right <= 80 and plan.region.height > 0


async def test_the_next_case_shown_by_f8_is_not_saved_nor_said_saved(demo_engine, cfg):
    """F8 after typing: the plan typed is saved on its case; the next case, drawn at once, shows an empty
    save line and starts no save of its own (its plan as loaded is not something typed)."""
    from conftest import plans_today

    url = str(demo_engine.url)
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        first, second = q.shown_rows[0].case_no, q.shown_rows[1].case_no
        before = plans_today(url).get(second)
        await pilot.press("enter")
        await on_case(pilot, first)
        await pilot.press(*"abc")
        await pilot.press("f8")
        d = await on_case(pilot, second)
        await until(pilot, lambda: plans_today(url).get(first, "").endswith("abc"), "the first plan saved")
        await workers_done(app)
        await pilot.pause()
        await pilot.pause()
        assert d._timer is None and not d._said_saving and not d._saving
        assert str(d.query_one("#save-state").render()) == ""
        assert "abc" not in d.query_one("#plan").text and plans_today(url).get(second) == before


async def test_following_is_said_on_every_screen_until_f9_again(demo_engine, cfg):
    """F9 (follow the presenter) stays visible in the title line, not only in a passing notice."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        assert t("follow.marker") not in title_line(app)
        await pilot.press("f9")
        await until(pilot, lambda: t("follow.marker") in title_line(app), "the marker on the queue")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        await until(pilot, lambda: t("follow.marker") in title_line(app), "the marker on the summary")
        await pilot.press("escape")
        await queue_ready(pilot)
        await pilot.press("f9")
        await until(pilot, lambda: t("follow.marker") not in title_line(app), "the marker gone")


def _terminal_key(key: str, char: str | None):
    """A key as the terminal driver posts it (several of them can arrive in one read)."""
    from textual import events

    ev = events.Key(key, char)
    ev._sender = None
    return ev


async def test_text_typed_in_the_same_read_as_ctrl_q_is_saved_before_the_app_ends(demo_engine, cfg):
    """End, then a word, then Ctrl+Q in one read (a paste, a laggy SSH line): the word was held behind
    End while Ctrl+Q went past it, and the app quit without it (a coordinator's last words, lost with no
    warning). Ctrl+Q now waits its turn: the word is typed, saved, then the app ends."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        case_no = q.shown_rows[0].case_no
        await pilot.press("enter")
        await on_case(pilot, case_no)
        assert app.focused.id == "plan"
        for key, char in [("end", None), *((c, c) for c in "BURST"), ("ctrl+q", "\x11")]:
            app.post_message(_terminal_key(key, char))
        await until(pilot, lambda: not app.is_running, "the app to end")
    reviews, _, _ = db_state(demo_engine, {case_no})
    assert reviews[case_no].plan == "BURST"


async def test_a_status_set_on_the_case_updates_its_reasons_at_once(demo_engine, cfg):
    """REKO and rehab plan set on the decision screen: the reasons line said "ej REKO, ej rehabplan" until
    the case was left and opened again."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        i, row = next((i, r) for i, r in enumerate(q.shown_rows) if r.coordinator_status == "-"
                      and {"no_coordinator", "no_rehab_plan"} <= set(r.reasons))
        await pilot.press(*["down"] * i, "enter")
        d = await on_case(pilot, row.case_no)

        def facts() -> str:
            return str(d.query_one("#facts").render())

        assert t("reason.no_coordinator") in facts() and t("reason.no_rehab_plan") in facts()
        await pilot.press("tab")
        await focused_is(pilot, "coordinator")
        await pilot.press("enter", "down", "enter")  # "-" → Kontaktad
        await until(pilot, lambda: t("reason.no_coordinator") not in facts(), "ej REKO gone")
        assert t("reason.no_rehab_plan") in facts()
        await pilot.press("tab", "tab")
        await focused_is(pilot, "rehab-plan")
        # the footer says how the field changes (it showed nothing for Space)
        await until(pilot, lambda: "space Ja/Nej" in [s.text for s in app.screen._compositor.render_strips()][-1],
                    "space Ja/Nej in the footer")
        await pilot.press("space")
        await until(pilot, lambda: t("reason.no_rehab_plan") not in facts(), "ej rehabplan gone")
        assert t("reason.long") in facts()  # the other reasons stay


async def test_the_meetings_list_offers_enter_in_its_footer_and_enter_opens_one(demo_engine, cfg):
    """The meetings screen's footer said only "esc Tillbaka ? Hjälp" while Enter is how a meeting opens."""
    from less_tui.screens.meetings import MeetingsScreen

    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, MeetingsScreen) and app.screen.rows, "the meetings")
        await pilot.pause()
        footer = [s.text for s in app.screen._compositor.render_strips()][-1]
        assert t("key.open_meeting") in footer, footer
        # every date whole on the screen (the columns were once drawn as wide as their headers: "2026")
        screen_text = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert all(m.date.isoformat() in screen_text for m, _ in app.screen.rows[-5:]), screen_text
        earlier = app.screen.rows[-2][0].date  # the meeting before today's (the cursor is on today's)
        await pilot.press("up", "enter")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None
                    and app.screen.data.meeting.date == earlier, "the earlier meeting's queue")



async def test_a_restarted_app_is_where_the_meeting_was(demo_engine, cfg):
    """After a killed process or a dropped SSH line the coordinator starts the app again: the queue is in
    the meeting's running order and the cursor on the case the meeting last opened (said in a notice), so
    Enter opens it again; a first start has the cursor on the first case."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        assert q.query_one("CaseTable").cursor_row == 0
        order = [r.case_no for r in q.shown_rows]
        for _ in range(3):
            await pilot.press("down")
        await pilot.press("enter")
        await on_case(pilot, order[3])
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is q, "the queue again")
    again = LessApp(cfg, demo_engine, TODAY)
    notes: list[str] = []
    orig = again.notify
    again.notify = lambda message, *a, **k: (notes.append(str(message)), orig(message, *a, **k))[1]
    async with again.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        assert [r.case_no for r in q.shown_rows] == order
        await until(pilot, lambda: q.query_one("CaseTable").cursor_row == 3, "the cursor on the case last opened")
        assert t("queue.resumed", case=order[3]) in notes
        await pilot.press("enter")
        await on_case(pilot, order[3])


async def test_the_attendees_are_changed_during_the_meeting_from_the_palette(demo_engine, cfg):
    """Someone on the roster came after all: the palette's "Ändra deltagare" opens the names in one field;
    an empty list is refused, Enter saves, and the header and the minutes name them."""
    from less_tui.screens.attendees import AttendeesDialog
    from less_tui.services.minutes import gather

    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        before = list(app.service.meeting.attendees)
        late = next(m.name for m in cfg.team if m.name not in before)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.query(CommandList), "the palette")
        await pilot.press(*t("cmd.attendees"))
        await until(pilot, lambda: str(app.screen.query_one(CommandList)._options[0].prompt).startswith(
            t("cmd.attendees")), "the command first")
        await pilot.press("enter")
        d = await dialog(pilot, AttendeesDialog)
        assert d.query_one("#names").value == ", ".join(before)
        assert late in str(d.query_one(".attendees-hint").render())  # the roster to copy from
        await pilot.press(*f", {late}")  # typed after the names there (the field came with them all selected)
        await until(pilot, lambda: d.query_one("#names").value == ", ".join([*before, late]), "added at the end")
        await pilot.press("ctrl+u", "enter")  # (emptied) nothing is saved
        await until(pilot, lambda: str(d.query_one("#attendees-error").render()) == t("att.need_one"), "refused")
        # the late attendee typed in lower case with two spaces: the roster's name, with its role (coordinator
        # helper: "sara lindqvist" stayed so in the header and the minutes, without a role)
        await pilot.press(*", ".join([*before, "  ".join(late.lower().split())]), "enter")
        await until(pilot, lambda: app.screen is q and late in str(q.query_one("MeetingHeader").render()),
                    "the header with the late attendee")
    attendees = gather(demo_engine, cfg, TODAY).attendees
    assert [n for n, _ in attendees] == [*before, late] and attendees[-1][1]  # with the roster's role


async def test_the_palette_goes_to_the_decision_fields_by_name(demo_engine, cfg):
    """Ctrl+P "status" or "rehab" on a case found nothing: the coordinator status, assessment and rehab plan
    were reached by Tab only. The palette now offers each field by name and puts the cursor there."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("enter")
        await on_case(pilot, q.shown_rows[0].case_no)

        def first() -> str:
            options = app.screen.query_one(CommandList)._options
            return str(options[0].prompt).split("\n")[0] if options else ""

        for query, wid, label in (("rehab", "rehab-plan", "dec.rehab_plan"),
                                  ("status", "coordinator", "dec.goto_coordinator"),
                                  ("bedöm", "assessor", "dec.assessor")):
            await pilot.press("ctrl+p")
            await until(pilot, lambda: app.screen.query(CommandList), "the palette")
            await pilot.press(*query)
            await until(pilot, lambda: first().startswith(t("cmd.goto", field=t(label))), f"{label} offered")
            await pilot.press("enter")
            await focused_is(pilot, wid)


async def test_the_summary_says_how_many_cases_were_reviewed_as_the_queue_marks_them(demo_engine, cfg):
    """The README promised the summary's count of reviewed cases; the summary showed none."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        case = q.shown_rows[0].case_no
        await pilot.press("enter")
        d = await on_case(pilot, case)
        await pilot.press(*"Plan")
        await until(pilot, lambda: d._saved_text == "Plan", "saved")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is q and next(r for r in q.data.rows if r.case_no == case).decided,
                    "the queue's mark")
        marked = q.data.decided
        assert marked >= 1
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None, "the summary")
        head = str(app.screen.query_one("#summary-head").render())
        assert (t("sum.reviewed", n=marked) if marked != 1 else t("sum.reviewed_1")) in head, head


async def test_keys_typed_for_a_case_being_opened_wait_for_it_while_the_queue_reloads(demo_engine, cfg):
    """Escape, ↓, Enter and the next plan's words in one burst (a fast typist, a laggy SSH line, a busy
    server): the queue, shown again by Escape, reloads; when that reload finished before the next case was
    on screen, it handed on the keys held for the case: the words went to the queue and were lost, and the
    Escape after them too (the case stayed open, its plan empty; the next words landed in it). Now only the
    case's own screen hands on the keys typed for it."""
    import threading

    from conftest import plans_today

    url = str(demo_engine.url)
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        first, second = q.shown_rows[0].case_no, q.shown_rows[1].case_no
        await pilot.press("enter")
        await on_case(pilot, first)
        await pilot.press(*"A1")
        await until(pilot, lambda: plans_today(url).get(first) == "A1", "the first plan saved")
        # the next case's details wait until the queue's reload is done (as on a busy machine)
        go, reloaded = threading.Event(), threading.Event()
        service = app.service
        case, queue = service.case, service.queue

        def slow_case(*a, **kw):
            go.wait(30)
            return case(*a, **kw)

        def counted_queue(*a, **kw):
            try:
                return queue(*a, **kw)
            finally:
                reloaded.set()

        service.case, service.queue = slow_case, counted_queue
        shown = app.current_queue
        for key, char in [("escape", "\x1b"), ("down", None), ("enter", "\r"), ("B", "B"), ("2", "2"),
                          ("escape", "\x1b")]:
            app.post_message(_terminal_key(key, char))
        for _ in range(400):  # (not ``until``: it waits for the workers, and the case's is held back)
            await pilot.pause(0.05)
            if reloaded.is_set() and app.current_queue is not shown:
                break
        assert app.current_queue is not shown, "the queue's reload was not shown"
        for _ in range(5):
            await pilot.pause()
        go.set()
        await until(pilot, lambda: plans_today(url).get(second) == "B2", "the second plan saved")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen), "the queue again (the Escape typed last)")
        assert plans_today(url)[first] == "A1"


async def test_ctrl_q_with_an_action_half_typed_asks_first(demo_engine, cfg):
    """F2, "kurator", Enter, "Jessica B", Ctrl+Q: the app ended and the action was gone, with no word
    (coordinator helper). Now the first Ctrl+Q says the action is not added and stays; a second quits."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("enter")
        await on_case(pilot, q.shown_rows[0].case_no)
        await pilot.press("f2")
        await dialog(pilot, AddActionDialog)
        notes = notices(app)
        await pilot.press(*"kurator", "enter", *"Jessica B", "ctrl+q")
        await until(pilot, lambda: t("app.quit_action_typed") in notes, "the notice")
        assert app.is_running and isinstance(app.screen, AddActionDialog)
        assert app.screen.query_one("#owner").value == "Jessica B"
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running, "the app to end")


async def test_ctrl_q_with_an_empty_action_dialog_quits_at_once(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("enter")
        await on_case(pilot, q.shown_rows[0].case_no)
        await pilot.press("f2")
        await dialog(pilot, AddActionDialog)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running, "the app to end")


async def test_a_status_set_on_a_case_opened_from_the_palette_is_shown_again_after_f8_f7(demo_engine, cfg):
    """A case opened from the palette, REKO set to Kontaktad, F8, F7: the case came back saying "REKO: -"
    (coordinator helper). The queue reloaded as the palette closed and ended after the status was set, so its
    rows were older than the status; the case is now shown with the statuses stored when it is read."""
    import threading

    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        i, row = next((i, r) for i, r in enumerate(q.shown_rows[:-1]) if r.coordinator_status == "-" and i > 0)
        go = threading.Event()
        queue = app.service.queue

        calls = []

        def late_queue(*a, **kw):  # read now, delivered later (a busy machine)
            data = queue(*a, **kw)
            calls.append(data)
            go.wait(30)
            return data

        app.service.queue = late_queue
        await palette_command(pilot, str(row.case_no), t("cmd.case", case=row.case_no, patient=row.masked()))
        await pilot.press("enter")
        for _ in range(200):  # (not ``until``: it waits for the workers, and the queue's reload is held back)
            await pilot.pause(0.02)
            if isinstance(app.screen, DecisionScreen) and app.screen.detail.row.case_no == row.case_no \
                    and app.screen._ready:
                break
        d = app.screen
        assert isinstance(d, DecisionScreen) and d.detail.row.case_no == row.case_no
        await pilot.press("tab")
        for _ in range(100):
            await pilot.pause(0.02)
            if app.focused is not None and app.focused.id == "coordinator":
                break
        await pilot.press("enter", "down", "enter")  # "-" → Kontaktad
        for _ in range(300):
            await pilot.pause(0.02)
            _, _, records = db_state(demo_engine, set())
            if ("coordinator", "Kontaktad") in records and not app._writes:
                break
        assert ("coordinator", "Kontaktad") in records
        assert calls, "the queue reloaded as the palette closed"
        go.set()  # the queue's rows, read before the status was set, arrive now
        # (one of the late reads is shown: the one begun as the palette closed, or one begun after it, still
        # read before the status was written; which one ends last depends on the machine's load)
        await until(pilot, lambda: any(app.current_queue is c for c in calls), "the queue's late rows")
        app.service.queue = queue
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, DecisionScreen) and app.screen.detail.row.case_no
                    != row.case_no and app.screen._ready, "the next case")
        await pilot.press("f7")
        d = await on_case(pilot, row.case_no)
        assert d.query_one("#coordinator").value == "Kontaktad"
        assert "REKO: Kontaktad" in str(d.query_one("#facts").render())


async def test_a_filter_typed_in_one_read_filters_and_opens_the_case_it_finds(demo_engine, cfg):
    """"/620⏎" arriving in one read (a laggy SSH line): the digits and Enter reached the table before "/"
    had moved the focus to the filter, so nothing was filtered and Enter opened the case under the cursor
    (the top one), where the plan that followed was then typed."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        target = q.shown_rows[-1].case_no  # not under the cursor
        keys = [("slash", "/"), *((c, c) for c in str(target)), ("enter", "\r"), ("enter", "\r")]
        for key, char in keys:
            app.post_message(_terminal_key(key, char))
        await on_case(pilot, target)
        assert q.filter_text == str(target)


async def test_text_typed_into_the_list_of_actions_is_not_taken_as_commands(demo_engine, cfg, monkeypatch):
    """Typing " efter" with the earlier actions' list focused (thinking it was the plan): its "e" opened the edit
    dialog and the rest went into the action's name. A key that is no command there now says where the focus
    is, and the letters typed with it are not taken as commands; after a pause d marks an action done, says
    so and how to undo it (d again)."""
    from less_tui.screens.decision import ActionTable

    # (generous: a busy machine may take a while between two keys of one burst)
    monkeypatch.setattr(ActionTable, "TYPING_PAUSE", 1.5)
    monkeypatch.setattr(ActionTable, "COMMAND_WAIT", 3.0)
    app = LessApp(cfg, demo_engine, TODAY)
    told: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.notify = lambda message, *a, **k: told.append(str(message))
        q = await queue_ready(pilot)
        case_no = q.shown_rows[0].case_no
        await pilot.press("enter")
        d = await on_case(pilot, case_no)
        history = d.query_one("#history-actions", ActionTable)
        assert history.actions and app.focused.id == "plan"
        await pilot.press("shift+tab")
        await focused_is(pilot, "history-actions")
        before = [(a.id, a.status) for a in history.actions]
        await pilot.press(*" efter")
        await until(pilot, lambda: t("dec.typing_in_actions") in told, "where the focus is, said")
        assert isinstance(app.screen, DecisionScreen) and app.focused is history  # no dialog opened
        assert [(a.id, a.status) for a in history.actions] == before
        assert told.count(t("dec.typing_in_actions")) == 1  # once for the burst
        await until(pilot, lambda: time.monotonic() >= history._typing_until, "the pause over")
        # a sentence starting with a command letter, after the pause: its "d" waits to see what follows (a
        # long wait here: a busy machine may take a while between two keys of one burst)
        monkeypatch.setattr(ActionTable, "COMMAND_WAIT", 3.0)
        await pilot.press(*"dags för avstämning")
        # (its "d" waited; the "a" after it ended the wait: nothing is pending, nothing was asked of an action)
        await until(pilot, lambda: history._pending is None, "the d's wait ended")
        assert [(a.id, a.status) for a in history.actions] == before and isinstance(app.screen, DecisionScreen)
        await until(pilot, lambda: time.monotonic() >= history._typing_until, "the pause over again")
        monkeypatch.setattr(ActionTable, "COMMAND_WAIT", 0.4)
        # x on a done action, then x again: back to done (not open, "försenad")
        i = next(i for i, a in enumerate(history.actions) if a.status == "done")
        await pilot.press("home", *["down"] * i)
        first = history.actions[i]
        await until(pilot, lambda: history.cursor_row == i, "on the done action")
        await pilot.press("x")
        await until(pilot, lambda: first.status == "dropped", "dropped")
        await until(pilot, lambda: any("struken (x igen ångrar)" in m for m in told), "how to undo it, said")
        await until(pilot, lambda: history._pending is None, "x handled")
        await pilot.press("x")
        await until(pilot, lambda: first.status == "done", "done again")
        assert any(m.endswith("är klar igen.") for m in told)
        # d then ↓ at once: the action d was pressed on is marked, not the one the cursor moved to (verifying
        # helper: the row under the cursor when the wait ended was marked)
        await until(pilot, lambda: history._pending is None, "x handled")
        i = next(i for i, a in enumerate(history.actions[:-1]) if a.status == "open")
        await pilot.press("home", *["down"] * i)
        await until(pilot, lambda: history.cursor_row == i, "on an open action")
        pressed_on, below = history.actions[i], history.actions[i + 1]
        below_was = below.status
        await pilot.press("d", "down")
        await until(pilot, lambda: pressed_on.status == "done", "the action d was pressed on, done")
        assert below.status == below_was


async def test_a_case_number_in_the_palette_never_opens_another_case(demo_engine, cfg):
    """(coordinator helper) Ctrl+P "795", a case beyond the list's 30: the palette offered case 461 (its patient
    born 1979) first and Enter opened it. Digits now match case numbers only, and a number not on the list
    says how to see every case."""
    from textual.command import CommandList

    from less_tui.services.meeting import MeetingService

    every = [r.case_no for r in MeetingService(demo_engine, cfg, TODAY, session_id="x").queue(show_all=True).rows]
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        shown = {r.case_no for r in q.shown_rows}
        beyond = next(n for n in every if n not in shown and not any(str(s).startswith(str(n)) for s in shown))
        notes = notices(app)
        hint = t("cmd.case_not_listed", case=beyond, shown=len(shown), total=q.data.qualifying)
        await palette_command(pilot, str(beyond), hint)
        prompts = [str(o.prompt) for o in app.screen.query_one(CommandList)._options]
        assert not any(p.startswith("Ärende ") for p in prompts if p != hint), prompts  # no other case offered
        await pilot.press("enter")
        await until(pilot, lambda: hint in notes, "the hint said")
        assert isinstance(app.screen, QueueScreen)
        # a number on the list: that case first, then those that begin with it
        await palette_command(pilot, str(q.shown_rows[3].case_no), f"Ärende {q.shown_rows[3].case_no} ")
        await pilot.press("enter")
        await on_case(pilot, q.shown_rows[3].case_no)
