"""Who attends the meeting, changed during it from the command palette (someone came late, someone
was ill): the names separated by commas, the team's roster named below to copy from."""

from __future__ import annotations

from ..i18n import t
from .base import KeySpec
from .field_dialog import FieldDialog


def parse_names(text: str) -> list[str]:
    """``"Kerstin Bronner,  Sara  Lindqvist,"`` → ``["Kerstin Bronner", "Sara Lindqvist"]`` (each name once)."""
    return list(dict.fromkeys(" ".join(n.split()) for n in text.split(",") if n.strip()))


class AttendeesDialog(FieldDialog):
    """The meeting's attendees in one field. Enter saves (at least one name), Esc cancels. Dismissed with
    the names, or None."""

    KEYS = [KeySpec("escape", "cancel", "btn.cancel", "attendees_cancel")]
    PREFIX = "attendees"
    FIELD_ID = "names"
    AUTO_FOCUS = "#names"

    def __init__(self, current: list[str], roster: list[str]):
        self.current = current
        self.roster = roster
        super().__init__()

    def title_text(self) -> str:
        return t("att.title")

    def label(self) -> str:
        return t("col.attendees")

    def initial(self) -> str:
        return ", ".join(self.current)

    def hints(self) -> list[str]:
        others = [n for n in self.roster if n not in self.current]
        return ([t("att.roster", names=", ".join(others))] if others else []) + [t("att.hint")]

    def check(self, text: str) -> tuple[list[str] | None, str]:
        names = parse_names(text)
        return (names, "") if names else (None, t("att.need_one"))
