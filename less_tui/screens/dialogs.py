"""Typed dialogs: each returns its answer through ``dismiss``."""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import t
from .base import Key, Translated


class ConfirmDialog(Translated, ModalScreen[bool]):
    KEYS = [Key("y,j", "yes", "btn.yes", "confirm_yes"), Key("n,escape", "no", "btn.no", "confirm_no")]

    def __init__(self, question: str):
        super().__init__()
        self.translate_bindings()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("btn.yes"), id="yes", variant="primary")
                yield Button(t("btn.no"), id="no")

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)


class AddActionDialog(Translated, ModalScreen["tuple[str, str, dt.date | None] | None"]):
    """Kind (catalogue or free text), owner (roster or free text), due date."""

    KEYS = [Key("escape", "cancel", "btn.cancel", "action_cancel")]

    def __init__(self, catalogue: list[str], roster: list[str], default_due: dt.date):
        super().__init__()
        self.translate_bindings()
        self.catalogue = catalogue
        self.roster = roster
        self.default_due = default_due

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(t("dec.new_action"), classes="dialog-title")
            yield Label(t("dec.kind"))
            yield Input(placeholder=self.catalogue[0] if self.catalogue else "", id="kind",
                        suggester=SuggestFromList(self.catalogue, case_sensitive=False))
            yield OptionList(*[Option(c, id=f"k{i}") for i, c in enumerate(self.catalogue)], id="kinds")
            yield Label(t("dec.owner"))
            yield Input(placeholder=self.roster[0] if self.roster else "", id="owner",
                        suggester=SuggestFromList(self.roster, case_sensitive=False))
            yield Label(t("dec.due"))
            yield Input(self.default_due.isoformat(), id="due")
            yield Static("", id="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("btn.add"), id="add", variant="primary")
                yield Button(t("btn.cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#kind", Input).focus()

    @on(OptionList.OptionSelected, "#kinds")
    def pick_kind(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#kind", Input).value = str(event.option.prompt)
        self.query_one("#owner", Input).focus()

    @on(Input.Submitted, "#kind")
    def kind_done(self) -> None:
        self.query_one("#owner", Input).focus()

    @on(Input.Submitted, "#owner")
    def owner_done(self) -> None:
        self.query_one("#due", Input).focus()

    @on(Input.Submitted, "#due")
    @on(Button.Pressed, "#add")
    def submit(self) -> None:
        kind = self.query_one("#kind", Input).value.strip()
        owner = self.query_one("#owner", Input).value.strip()
        due_text = self.query_one("#due", Input).value.strip()
        due = None
        if due_text:
            try:
                due = dt.date.fromisoformat(due_text)
            except ValueError:
                self.query_one("#dialog-error", Static).update(t("dec.bad_date", value=due_text))
                self.query_one("#due", Input).focus()
                return
        if not kind:
            self.query_one("#kind", Input).focus()
            return
        self.dismiss((kind, owner, due))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConflictDialog(Translated, ModalScreen[str]):
    """Two people saved the same plan: show both texts, the user chooses."""

    KEYS = [Key("m", "mine", "dec.keep_mine", "conflict_mine"), Key("t", "theirs", "dec.take_theirs", "conflict_theirs")]

    def __init__(self, mine: str, theirs: str, user: str = "?"):
        super().__init__()
        self.translate_bindings()
        self.mine = mine
        self.theirs = theirs
        self.user = user

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(t("dec.conflict", user=self.user), classes="dialog-title")
            with VerticalScroll():
                yield Label(t("dec.mine"), classes="dialog-sub")
                yield Static(self.mine or "–", classes="plan-text", markup=False)
                yield Label(t("dec.theirs"), classes="dialog-sub")
                yield Static(self.theirs or "–", classes="plan-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dec.keep_mine") + " (m)", id="mine", variant="primary")
                yield Button(t("dec.take_theirs") + " (t)", id="theirs")

    @on(Button.Pressed, "#mine")
    def action_mine(self) -> None:
        self.dismiss(self.mine)

    @on(Button.Pressed, "#theirs")
    def action_theirs(self) -> None:
        self.dismiss(self.theirs)


class ChoiceDialog(Translated, ModalScreen["str | None"]):
    """Pick one of a few options (for example the export format)."""

    KEYS = [Key("escape", "cancel", "btn.cancel", "choice_cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]):
        super().__init__()
        self.translate_bindings()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(label, id=value) for value, label in self.choices], id="choices")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
