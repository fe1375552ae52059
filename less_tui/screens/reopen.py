"""Reopening a closed meeting from the command palette: the chair gives a reason."""

from __future__ import annotations

import datetime as dt

from ..i18n import t
from .base import KeySpec
from .field_dialog import FieldDialog


class ReopenDialog(FieldDialog):
    """Why the meeting is reopened. Keys only: type the reason, Enter reopens (an empty reason is
    refused with a message in the dialog), Escape cancels. Dismissed with the reason, or None."""

    KEYS = [KeySpec("escape", "cancel", "btn.cancel", "reopen_cancel")]
    PREFIX = "reopen"
    FIELD_ID = "reason"
    AUTO_FOCUS = "#reason"

    def __init__(self, date: dt.date):
        self.date = date
        super().__init__()

    def title_text(self) -> str:
        return t("reopen.title", date=self.date.isoformat())

    def question(self) -> str:
        return t("reopen.question")

    def label(self) -> str:
        return t("reopen.reason")

    def hints(self) -> list[str]:
        return [t("reopen.hint")]

    def check(self, text: str) -> tuple[str | None, str]:
        reason = " ".join(text.split())
        return (reason, "") if reason else (None, t("reopen.reason_required"))
