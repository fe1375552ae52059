"""Reopening a closed meeting from the command palette: the chair gives a reason."""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ..i18n import t
from .base import KeySpec, Translated


class ReopenDialog(Translated, ModalScreen["str | None"]):
    """Why the meeting is reopened. Keys only: type the reason, Enter reopens (an empty reason is
    refused with a message in the dialog), Escape cancels."""

    KEYS = [KeySpec("escape", "cancel", "btn.cancel", "reopen_cancel")]
    AUTO_FOCUS = "#reason"
    DEFAULT_CSS = """
    ReopenDialog #reopen-field { height: 1; margin-top: 1; }
    ReopenDialog #reopen-field Label { width: auto; padding: 0 1 0 0; color: $text-muted; }
    ReopenDialog #reason { width: 1fr; background: $panel; }
    ReopenDialog #reopen-error { color: $error; height: auto; min-height: 1; margin-top: 1; }
    ReopenDialog .reopen-hint { color: $text-muted; }
    """

    def __init__(self, date: dt.date):
        super().__init__()
        self.translate_bindings()
        self.date = date

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="reopen-dialog"):
            yield Label(t("reopen.title", date=self.date.isoformat()), classes="dialog-title", markup=False)
            yield Static(t("reopen.question"), markup=False)
            with Horizontal(id="reopen-field"):
                yield Label(t("reopen.reason"), markup=False)
                yield Input(id="reason", compact=True)
            yield Static("", id="reopen-error", markup=False)
            yield Static(t("reopen.hint"), classes="reopen-hint", markup=False)

    @on(Input.Changed, "#reason")
    def typed(self) -> None:
        self.query_one("#reopen-error", Static).update("")

    @on(Input.Submitted, "#reason")
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        reason = " ".join(event.value.split())
        if not reason:
            self.query_one("#reopen-error", Static).update(t("reopen.reason_required"))
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
