"""Who attends the meeting, changed during it from the command palette (someone came late, someone
was ill): the names separated by commas, the team's roster named below to copy from."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ..i18n import t
from .base import KeySpec, Translated


def parse_names(text: str) -> list[str]:
    """``"Kerstin Bronner,  Sara  Lindqvist,"`` → ``["Kerstin Bronner", "Sara Lindqvist"]`` (each name once)."""
    return list(dict.fromkeys(" ".join(n.split()) for n in text.split(",") if n.strip()))


class AttendeesDialog(Translated, ModalScreen["list[str] | None"]):
    """The meeting's attendees in one field. Enter saves (at least one name), Esc cancels."""

    KEYS = [KeySpec("escape", "cancel", "btn.cancel", "attendees_cancel")]
    AUTO_FOCUS = "#names"
    DEFAULT_CSS = """
    AttendeesDialog #attendees-field { height: 1; margin-top: 1; }
    AttendeesDialog #attendees-field Label { width: auto; padding: 0 1 0 0; color: $text-muted; }
    AttendeesDialog #names { width: 1fr; background: $panel; }
    AttendeesDialog #attendees-error { color: $error; height: auto; min-height: 1; margin-top: 1; }
    AttendeesDialog .attendees-hint { color: $text-muted; }
    """

    def __init__(self, current: list[str], roster: list[str]):
        super().__init__()
        self.translate_bindings()
        self.current = current
        self.roster = roster

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="attendees-dialog"):
            yield Label(t("att.title"), classes="dialog-title", markup=False)
            with Horizontal(id="attendees-field"):
                yield Label(t("col.attendees"), markup=False)
                yield Input(", ".join(self.current), id="names", compact=True)
            yield Static("", id="attendees-error", markup=False)
            others = [n for n in self.roster if n not in self.current]
            if others:
                yield Static(t("att.roster", names=", ".join(others)), classes="attendees-hint", markup=False)
            yield Static(t("att.hint"), classes="attendees-hint", markup=False)

    @on(Input.Changed, "#names")
    def typed(self) -> None:
        self.query_one("#attendees-error", Static).update("")

    @on(Input.Submitted, "#names")
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        names = parse_names(event.value)
        if not names:
            self.query_one("#attendees-error", Static).update(t("att.need_one"))
            return
        self.dismiss(names)

    def action_cancel(self) -> None:
        self.dismiss(None)
