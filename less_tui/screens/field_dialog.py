"""A dialog of one text field, keys only: a title, what is asked, the field with its label, a line saying
what is wrong, hints. Enter checks the text (``check``) and gives the answer; Esc gives None."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from .base import Translated


class FieldDialog(Translated, ModalScreen[Any]):
    """Subclasses name their ids (``PREFIX``: ``#PREFIX-dialog``, ``#PREFIX-field``, ``#PREFIX-error``,
    ``.PREFIX-hint``; the field ``#FIELD_ID``, focused first: ``AUTO_FOCUS``) and say the words; ``check``
    returns (answer, problem)."""

    PREFIX = "field"
    FIELD_ID = "value"
    DEFAULT_CSS = """
    FieldDialog .one-field { height: 1; margin-top: 1; }
    FieldDialog .one-field Label { width: auto; padding: 0 1 0 0; color: $text-muted; }
    FieldDialog .one-field Input { width: 1fr; background: $panel; }
    FieldDialog .field-error { color: $error; height: auto; min-height: 1; margin-top: 1; }
    FieldDialog .field-hint { color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.translate_bindings()

    # the words, by the subclass
    def title_text(self) -> str:
        raise NotImplementedError

    def question(self) -> str:
        return ""

    def label(self) -> str:
        raise NotImplementedError

    def initial(self) -> str:
        return ""

    def hints(self) -> list[str]:
        return []

    def check(self, text: str) -> tuple[Any, str]:
        """(the answer, "") for text that will do, else (None, what is wrong)."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        p = self.PREFIX
        with Vertical(classes="dialog", id=f"{p}-dialog"):
            yield Label(self.title_text(), classes="dialog-title", markup=False)
            if self.question():
                yield Static(self.question(), markup=False)
            with Horizontal(id=f"{p}-field", classes="one-field"):
                yield Label(self.label(), markup=False)
                # (typing adds to what is there: the whole text selected on focus was replaced by the first key)
                yield Input(self.initial(), id=self.FIELD_ID, compact=True, select_on_focus=False)
            yield Static("", id=f"{p}-error", classes="field-error", markup=False)
            for hint in self.hints():
                yield Static(hint, classes=f"{p}-hint field-hint", markup=False)

    @on(Input.Changed)
    def typed(self) -> None:
        self.query_one(f"#{self.PREFIX}-error", Static).update("")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        answer, problem = self.check(event.value)
        if problem:
            self.query_one(f"#{self.PREFIX}-error", Static).update(problem)
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
