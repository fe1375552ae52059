"""The F2 "new action" dialog, driven by key presses only (Pilot), alone and inside the real app."""

import datetime as dt
from pathlib import Path

from helpers import workers_done
import pytest
from sqlalchemy import select
from sqlmodel import Session
from textual.app import App

from less_tui.app import HIGH_CONTRAST, LessApp
from less_tui.config import validate
from less_tui.i18n import set_language
from less_tui.screens.decision import DecisionScreen
from less_tui.screens.dialogs import AddActionDialog
from less_tui.storage.models import Action

TODAY = dt.date(2026, 11, 23)
DUE = dt.date(2026, 12, 23)
CFG = validate({})
ROSTER = [m.name for m in CFG.team]
CSS = Path(__file__).resolve().parent.parent / "less_tui" / "app.tcss"
FK = "Avstämningsmöte med Försäkringskassan"


class Harness(App):
    """Pushes one dialog on mount and keeps what it is dismissed with."""

    CSS_PATH = str(CSS)

    def __init__(self, theme: str = "textual-dark", **kw):
        super().__init__()
        self.kw = kw
        self.theme_wanted = theme
        self.results: list = []

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = self.theme_wanted
        kw = {"earliest": TODAY, "abbreviations": CFG.abbreviations, **self.kw}
        self.dialog = AddActionDialog(CFG.catalogue, ROSTER, DUE, **kw)
        self.push_screen(self.dialog, self.results.append)


async def start(app: Harness, pilot) -> AddActionDialog:
    await pilot.pause()
    assert isinstance(app.screen, AddActionDialog)
    return app.screen


async def typed(pilot, text: str) -> None:
    await pilot.press(*list(text))
    await pilot.pause()


def value(app, field: str) -> str:
    return app.screen.query_one(f"#{field}").value


def error_text(app) -> str:
    return str(app.screen.query_one("#action-error").render())


def suggestions(app, field: str) -> list[str]:
    lst = app.screen.query_one(f"#{field}-list")
    return [str(lst.get_option_at_index(i).prompt).strip("▸ ") for i in range(lst.option_count)]


def highlighted(app, field: str) -> str | None:
    lst = app.screen.query_one(f"#{field}-list")
    return None if lst.highlighted is None else suggestions(app, field)[lst.highlighted]


# ------------------------------------------------------------ 1. in the real app, what the database holds
async def settle(pilot, app):
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_f2_avst_kers_in_the_real_app(demo_engine, cfg, size):
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        for _ in range(20):
            await settle(pilot, app)
            if isinstance(app.screen, DecisionScreen):
                break
        d = app.screen
        assert isinstance(d, DecisionScreen)
        review_case, default_due = d.detail.row.case_no, d.detail.default_due
        before = len(d.detail.actions)
        await pilot.press("f2")
        await settle(pilot, app)
        assert isinstance(app.screen, AddActionDialog) and app.focused.id == "kind"
        assert all(app.screen.region.contains_region(app.screen.query_one(f"#{w}").region)
                   for w in ("kind", "owner", "due", "add", "cancel", "kind-list", "action-error"))
        await pilot.press("a", "v", "s", "t", "enter", "K", "e", "r", "s", "enter", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, DecisionScreen)
        assert len(d.detail.actions) == before + 1
    with Session(demo_engine) as s:
        newest = s.scalars(select(Action).order_by(Action.id.desc())).first()
        assert (newest.kind, newest.owner, newest.due, newest.status) == (FK, "Kerstin Bronner", default_due, "open")
        assert newest.id == d.detail.actions[-1].id and d.detail.row.case_no == review_case


async def test_the_real_app_uses_the_configured_abbreviations_and_escape_cancels(demo_engine):
    cfg = validate({"actions": {"abbreviations": {"SG": "fysioterapeut"}}})
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        for _ in range(20):
            await settle(pilot, app)
            if isinstance(app.screen, DecisionScreen):
                break
        d = app.screen
        with Session(demo_engine) as s:
            count = len(s.scalars(select(Action)).all())
        await pilot.press("f2")
        await settle(pilot, app)
        await pilot.press("s", "g")
        await pilot.pause()
        assert highlighted(app, "kind") == "Bedömning av fysioterapeut"
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is d  # back on the decision screen, nothing added
        await pilot.press("f2")
        await settle(pilot, app)
        await pilot.press("s", "g", "enter", "s", "a", "r", "a", "enter", "enter")
        await settle(pilot, app)
        assert app.screen is d
    with Session(demo_engine) as s:
        actions = s.scalars(select(Action).order_by(Action.id)).all()
        assert len(actions) == count + 1
        assert (actions[-1].kind, actions[-1].owner) == ("Bedömning av fysioterapeut", "Sara Lindqvist")


# ------------------------------------------------------------ 2. finding entries
@pytest.mark.parametrize("query,kind", [
    ("psykolog", "Bedömning av psykolog"),
    ("FK", FK),
    ("fk", FK),
    ("forsakring", FK),
    ("AG", "Kontakt med arbetsgivare"),
    ("kontakt med arbetsgivare", "Kontakt med arbetsgivare"),  # the catalogue's spelling is kept
])
async def test_typing_finds_the_entry_and_enter_takes_it(query, kind):
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await typed(pilot, query)
        assert highlighted(app, "kind") == kind
        await pilot.press("enter")
        await pilot.pause()
        assert value(app, "kind") == kind and app.focused.id == "owner"
        await typed(pilot, "sara")
        await pilot.press("enter", "enter")
        await pilot.pause()
    assert app.results == [(kind, "Sara Lindqvist", DUE)]


async def test_suggestions_show_partial_matches_best_first_and_the_typed_text_last():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        assert suggestions(app, "kind") == CFG.catalogue and highlighted(app, "kind") is None
        await typed(pilot, "re")
        assert suggestions(app, "kind") == [
            "Remiss till rehabkoordinator", "Upprätta rehabplan med patienten", "Återbesök hos samma läkare",
            "Kontakt med arbetsgivare", "Multiprofessionell konferens", "”re” (egen text)"]
        assert highlighted(app, "kind") == "Remiss till rehabkoordinator"
        await pilot.press("tab")
        await pilot.pause()
        assert app.screen.query_one("#owner-list").display and not app.screen.query_one("#kind-list").display
        assert suggestions(app, "owner") == ROSTER


# ------------------------------------------------------------ 3. the list with ↑/↓
async def test_down_into_the_list_then_down_enter_picks_the_second():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await typed(pilot, "bed")
        await pilot.press("down")
        await pilot.pause()
        assert app.focused.id == "kind-list" and highlighted(app, "kind") == "Bedömning av psykolog"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert value(app, "kind") == "Bedömning av kurator" and app.focused.id == "owner"
        await typed(pilot, "jess")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert value(app, "owner") == "Jessica Bylund" and app.focused.id == "due"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("Bedömning av kurator", "Jessica Bylund", DUE)]


async def test_up_at_the_top_escape_and_typing_return_to_the_field():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await typed(pilot, "bed")
        await pilot.press("down", "up")
        await pilot.pause()
        assert app.focused.id == "kind"
        await pilot.press("down", "down", "escape")  # Escape in the list goes back, it does not cancel
        await pilot.pause()
        assert app.focused.id == "kind" and app.results == []
        await pilot.press("down", "down")
        await typed(pilot, " psyk")  # typing in the list goes on in the field
        assert app.focused.id == "kind" and value(app, "kind") == "bed psyk"
        assert highlighted(app, "kind") == "Bedömning av psykolog"
        await pilot.press("down", "backspace")
        await pilot.pause()
        assert app.focused.id == "kind" and value(app, "kind") == "bed psy"


async def test_keep_the_typed_text_with_the_last_option():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await typed(pilot, "Bedömning")
        assert suggestions(app, "kind")[-1] == "”Bedömning” (egen text)"
        await pilot.press("down", "end", "enter")
        await pilot.pause()
        assert value(app, "kind") == "Bedömning" and app.focused.id == "owner"
        await typed(pilot, "Kers")
        await pilot.press("down", "end", "enter", "enter")
        await pilot.pause()
    assert app.results == [("Bedömning", "Kers", DUE)]


async def test_nothing_matches_enter_keeps_the_text_and_markup_is_literal():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await typed(pilot, "[b]Ring[/b] pat")
        assert suggestions(app, "kind") == ["”[b]Ring[/b] pat” (egen text)"]
        await pilot.press("enter")
        await typed(pilot, "Dr [red]X")
        await pilot.press("enter")
        await pilot.press("ctrl+u")
        await typed(pilot, "[i]")
        await pilot.press("enter")
        await pilot.pause()
        assert "”[i]”" in error_text(app)
        await pilot.press("ctrl+u")
        await typed(pilot, "2027-01-31")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("[b]Ring[/b] pat", "Dr [red]X", dt.date(2027, 1, 31))]


# ------------------------------------------------------------ 4. owner required, free text allowed
async def test_empty_owner_is_refused_then_a_free_text_owner_is_accepted():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await typed(pilot, "avst")
        await pilot.press("enter", "enter", "enter")  # kind, (empty) owner, due
        await pilot.pause()
        assert app.results == [] and isinstance(app.screen, AddActionDialog)
        assert app.focused.id == "owner"
        assert error_text(app) == "Skriv eller välj vem som är ansvarig."
        assert app.screen.query_one("#owner-field").has_class("-error")
        await typed(pilot, "Doktor Glas")
        assert error_text(app) == ""  # typing in the field clears the message
        await pilot.press("enter", "enter")
        await pilot.pause()
    assert app.results == [(FK, "Doktor Glas", DUE)]


async def test_empty_kind_is_refused():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await pilot.press("enter")
        await typed(pilot, "kers")
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert app.results == [] and app.focused.id == "kind"
        assert error_text(app) == "Skriv eller välj en åtgärd."
        await typed(pilot, "psyk")
        await pilot.press("enter", "enter", "enter")
        await pilot.pause()
    assert app.results == [("Bedömning av psykolog", "Kerstin Bronner", DUE)]


# ------------------------------------------------------------ 5. the due date
@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", "２０２６-１２-０１", "2026-02-30", "20261201", "", "2026-11-01",
                                 "2031-12-01"])
async def test_a_bad_due_date_is_refused_with_a_message(bad):
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await typed(pilot, "avst")
        await pilot.press("enter")
        await typed(pilot, "kers")
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused.id == "due" and value(app, "due") == DUE.isoformat()
        await pilot.press("ctrl+u")  # the field is selected on focus; clear it anyway
        if bad:
            await typed(pilot, bad)
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [] and app.focused.id == "due"
        msg = error_text(app)
        if bad == "2026-11-01":
            assert msg == "2026-11-01 är före 2026-11-23 – skriv 2026-11-23 eller senare."
        elif bad == "2031-12-01":  # a year typed wrong was taken (coordinator helper)
            assert msg == "2031-12-01 är mer än ett år fram – skriv ett datum senast 2027-11-23."
        else:
            assert f"”{bad}”" in msg or not bad
            assert "ÅÅÅÅ-MM-DD" in msg
        await pilot.press("ctrl+u")
        await typed(pilot, "2027-01-15")
        assert error_text(app) == ""
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [(FK, "Kerstin Bronner", dt.date(2027, 1, 15))]


async def test_the_due_date_is_selected_so_typing_replaces_it():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await typed(pilot, "avst")
        await pilot.press("enter")
        await typed(pilot, "kers")
        await pilot.press("enter")
        await typed(pilot, "2026-11-23")  # the earliest day itself is fine
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [(FK, "Kerstin Bronner", TODAY)]


# ------------------------------------------------------------ 6. Escape
@pytest.mark.parametrize("keys", [[], ["tab"], ["tab", "tab"], ["tab", "tab", "tab"], ["shift+tab"],
                                  ["b", "e", "d"], ["b", "down", "escape"]])
async def test_escape_cancels_from_anywhere(keys):
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await pilot.press(*keys, "escape")
        await pilot.pause()
        assert not isinstance(app.screen, AddActionDialog)
    assert app.results == [None]


# ------------------------------------------------------------ 7. the focus walk
async def test_tab_and_shift_tab_walk_round_the_dialog():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        assert app.focused.id == "kind"
        await typed(pilot, "bed")  # the suggestion lists are not in the Tab chain, even when filled
        for expected in ["owner", "due", "add", "cancel", "kind"]:
            await pilot.press("tab")
            await pilot.pause()
            assert app.focused.id == expected
        for expected in ["cancel", "add", "due", "owner", "kind"]:
            await pilot.press("shift+tab")
            await pilot.pause()
            assert app.focused.id == expected
        await pilot.press("down", "tab")  # from a list, Tab goes on to the next field
        await pilot.pause()
        assert app.focused.id == "owner"
        await pilot.press("shift+tab")
        await pilot.pause()
        assert app.focused.id == "kind"
        await pilot.press("tab", "tab", "tab", "enter")  # Enter on the Add button adds
        await pilot.pause()
        assert app.focused.id == "owner" and "ansvarig" in error_text(app)


async def test_enter_on_cancel_cancels():
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await pilot.press("shift+tab", "enter")
        await pilot.pause()
    assert app.results == [None]


async def test_the_focused_field_is_marked():
    app = Harness(theme="less-high-contrast")
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await start(app, pilot)
        for field in ["kind", "owner", "due"]:
            marked = [f for f in ("kind", "owner", "due") if dialog.query_one(f"#{f}-field").has_class("-active")]
            assert marked == [field] == [app.focused.id]
            for f in ("kind", "owner", "due"):
                label = dialog.query_one(f"#{f}-field .act-label")
                assert (label.styles.background.a > 0) == (f == field)
            await pilot.press("tab")
            await pilot.pause()


# ------------------------------------------------------------ 8. editing an action
async def test_the_edit_variant_is_prefilled_and_returns_the_edits():
    app = Harness(initial=("Kontakt med arbetsgivare", "Sara Lindqvist", dt.date(2027, 1, 10)))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await start(app, pilot)
        assert str(dialog.query_one(".dialog-title").render()) == "Ändra åtgärd"
        assert str(dialog.query_one("#add").label) == "Spara"
        assert (value(app, "kind"), value(app, "owner"), value(app, "due")) == (
            "Kontakt med arbetsgivare", "Sara Lindqvist", "2027-01-10")
        await pilot.press("tab", "ctrl+u")
        await typed(pilot, "niran")
        await pilot.press("enter")
        await typed(pilot, "2027-02-01")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("Kontakt med arbetsgivare", "Niran El Kouni", dt.date(2027, 2, 1))]


async def test_enter_through_an_edit_changes_nothing_even_free_text_and_an_old_date():
    old = dt.date(2026, 10, 1)  # before `earliest`, but it is the action's own date
    app = Harness(initial=("Bedömning", "Kers", old))
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        assert highlighted(app, "kind") is None  # a prefilled free text is not replaced by a suggestion
        await pilot.press("enter", "enter", "enter")
        await pilot.pause()
    assert app.results == [("Bedömning", "Kers", old)]


async def test_edit_in_english():
    set_language("en")
    app = Harness(initial=("Kontakt med arbetsgivare", "Sara Lindqvist", None))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await start(app, pilot)
        assert str(dialog.query_one(".dialog-title").render()) == "Edit action"
        assert str(dialog.query_one("#add").label) == "Save"
        assert value(app, "due") == DUE.isoformat()  # no date yet: the default is offered
        await pilot.press("ctrl+u")
        await typed(pilot, "zz")
        assert suggestions(app, "kind") == ["“zz” (own text)"]
        await pilot.press("enter", "enter", "ctrl+u", "enter")
        await pilot.pause()
        assert "YYYY-MM-DD" in error_text(app)
        await typed(pilot, "2027-03-03")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("zz", "Sara Lindqvist", dt.date(2027, 3, 3))]


# ------------------------------------------------------------ 9. it fits
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_everything_is_inside_the_screen(size, lang):
    set_language(lang)
    app = Harness()
    async with app.run_test(size=size) as pilot:
        dialog = await start(app, pilot)
        await typed(pilot, "e")  # a long suggestion list
        await pilot.press("enter", "enter", "enter")  # an error message
        await pilot.pause()
        assert error_text(app)
        screen = dialog.region
        box = dialog.query_one("#action-dialog").region
        assert screen.contains_region(box)
        for wid in ("kind", "owner", "due", "add", "cancel", "owner-list", "action-error", "kind-field",
                    "owner-field", "due-field"):
            region = dialog.query_one(f"#{wid}").region
            assert region.height >= 1 and box.contains_region(region), wid
        assert dialog.query_one(".dialog-title").region.height == 1
        assert dialog.query_one("#owner-list").region.height >= 3


async def test_suggestions_show_only_under_the_field_that_has_the_focus():
    """Once the owner is picked, its list goes away: on the due date no suggestions are shown."""
    app = Harness()
    async with app.run_test(size=(80, 24)) as pilot:
        d = await start(app, pilot)
        await typed(pilot, "avst")
        assert d.query_one("#kind-list").display and not d.query_one("#owner-list").display
        await pilot.press("enter")
        await typed(pilot, "kers")
        assert d.query_one("#owner-list").display and not d.query_one("#kind-list").display
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused.id == "due"
        assert not d.query_one("#owner-list").display and not d.query_one("#kind-list").display
        await pilot.press("shift+tab")  # back on the owner: its suggestions again
        await pilot.pause()
        assert d.query_one("#owner-list").display
