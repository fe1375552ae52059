"""The decision screen as the room sees it at 80x24 and 120x40: every action of the case in view and
whole, the certificates' timeline in view, the facts broken only between their parts. Keys only."""

import datetime as dt

import pytest

from less_tui.app import LessApp
from less_tui.i18n import t
from less_tui.screens.decision import ActionTable, _flow
from less_tui.screens.dialogs import AddActionDialog, ConfirmDialog
from less_tui.widgets.timeline import Timeline

from test_keyboard import dialog, focused_is, on_case, queue_ready, until

TODAY = dt.date(2026, 11, 23)


def fully_shown(table: ActionTable) -> bool:
    """Every row of the table is in its view, and every column fits (no sideways scrolling)."""
    rows = sum(table.rows[k].height for k in table.rows)
    view = table.scrollable_content_region
    return view.height >= 1 + rows and table.virtual_size.width <= view.width


async def add_action(pilot, kind_text: str, owner_text: str):
    await pilot.press("f2")
    await dialog(pilot, AddActionDialog)
    await pilot.press(*kind_text, "enter", *owner_text, "enter", "enter")
    await until(pilot, lambda: not isinstance(pilot.app.screen, AddActionDialog), "the dialog to close")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_action_is_in_view_and_whole_after_adding_and_removing(demo_engine, cfg, size):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=size) as pilot:
        q = await queue_ready(pilot)
        third = q.shown_rows[2].case_no
        await pilot.press("down", "down", "enter")
        d = await on_case(pilot, third)
        await add_action(pilot, "avst", "Kers")
        await add_action(pilot, "psykolog", "Jess")
        table = d.query_one("#actions", ActionTable)
        await until(pilot, lambda: len(table.actions) == 2 and fully_shown(table), "two actions in view")
        # every cell whole: the texts wrap inside their columns instead of being cut
        shown = [" ".join(str(table.get_cell_at((r, c))).split()) for r in range(2) for c in range(4)]
        assert "Avstämningsmöte med Försäkringskassan" in shown and "Jessica Bylund" in shown, shown
        await pilot.press("tab")
        await focused_is(pilot, "actions")
        await pilot.press("delete")
        await dialog(pilot, ConfirmDialog)
        await pilot.press("y")
        await until(pilot, lambda: len(table.actions) == 1, "one action left")
        await until(pilot, lambda: fully_shown(table), "the remaining action in view")
        assert table.region.height >= 4 and d.query_one("#decision").region.contains_region(table.region)


async def test_the_timeline_and_the_plan_are_in_view_when_a_case_opens(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        third = q.shown_rows[2].case_no
        await pilot.press("down", "down", "enter")
        d = await on_case(pilot, third)
        form = d.query_one("#decision")
        await until(pilot, lambda: form.region.contains_region(d.query_one(Timeline).region)
                    and form.region.contains_region(d.query_one("#plan").region), "timeline and plan in view")


async def test_shift_tab_from_the_plan_brings_the_top_of_the_form_back(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        q = await queue_ready(pilot)
        third = q.shown_rows[2].case_no
        await pilot.press("down", "down", "enter")
        d = await on_case(pilot, third)
        form = d.query_one("#decision")
        assert form.scroll_y > 0  # at 80x24 the plan needs the form scrolled
        await pilot.press("shift+tab")
        await focused_is(pilot, "history-actions")
        table = d.query_one("#history-actions")
        await until(pilot, lambda: form.region.overlaps(table.region), "the earlier actions in view")
        # the earlier actions are the first field: the form shows as much of its top as the table allows
        assert form.scroll_y < d.query_one("#plan-field").region.y + form.scroll_y
        assert table.region.y - form.region.y <= form.region.height


async def test_earlier_actions_do_not_offer_edit_or_remove(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        await pilot.press("enter")
        await on_case(pilot, q.shown_rows[0].case_no)
        await pilot.press("shift+tab")
        await focused_is(pilot, "history-actions")
        await until(pilot, lambda: "d" in app.active_bindings, "the table's bindings")
        assert "e" not in app.active_bindings and "delete" not in app.active_bindings
        assert "x" in app.active_bindings


def test_facts_break_only_between_their_parts():
    parts = [("Sjukfall 2026-02-26 – 2026-12-14", ""), ("sjukdag 271 i dag", "bold"),
             ("planerad längd 292 dagar", ""), ("Dag 180 passerad för 8 dagar sedan", "bold reverse")]
    for width in (40, 50, 78, 118):
        lines = _flow(parts, width).plain.split("\n")
        assert all(len(line) <= width for line in lines), (width, lines)
        for text, _ in parts:  # each part whole on one line
            assert any(text in line for line in lines), (width, text, lines)
        assert not any(line.endswith("·") or line.startswith(" ") for line in lines)
    assert _flow(parts, 200).plain.count("\n") == 0


async def test_an_ended_episode_says_it_ended(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        ended = [i for i, r in enumerate(q.shown_rows) if r.end < TODAY]
        if not ended:
            await pilot.press("a")  # every qualifying case
            await until(pilot, lambda: q.data is not None and q.data.show_all, "all cases")
            ended = [i for i, r in enumerate(q.shown_rows) if r.end < TODAY]
        assert ended, "the demo clinic has an ended episode with an action due"
        row = q.shown_rows[ended[0]]
        await pilot.press(*["down"] * ended[0], "enter")
        d = await on_case(pilot, row.case_no)
        facts = d.facts_text().plain
        assert t("dec.ended", end=row.end.isoformat(), length=row.length) in facts
        assert t("dec.day_now", day=row.day) not in facts


async def test_the_highlighted_action_is_always_in_view_at_80x24(demo_engine, cfg):
    """Three actions with long owners at 80x24: Tab to them and ↓ to the last; its row is on screen.
    ↑ on the first earlier action shows the top of the form (the timeline)."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        q = await queue_ready(pilot)
        third = q.shown_rows[2].case_no
        await pilot.press("down", "down", "enter")
        d = await on_case(pilot, third)
        await add_action(pilot, "psyk", "Dr Anna Svensson, psykolog")
        await add_action(pilot, "avst", "Kers")
        await add_action(pilot, "kontakt med arb", "Niran")
        table = d.query_one("#actions", ActionTable)
        await until(pilot, lambda: len(table.actions) == 3, "three actions")
        assert d.query_one("#decision").region.contains_region(d.query_one("#plan").region)  # typing stays seen
        await pilot.press("tab")
        await focused_is(pilot, "actions")
        await pilot.press("down", "down")
        form = d.query_one("#decision")
        await until(pilot, lambda: table.cursor_row == 2 and form.region.contains_region(table.region),
                    "the whole table, the last row highlighted, in view")
        await pilot.press("shift+tab", "shift+tab")  # the plan, then the earlier actions
        await focused_is(pilot, "history-actions")
        await pilot.press("up")
        await until(pilot, lambda: form.region.contains_region(d.query_one(Timeline).region), "the timeline")
