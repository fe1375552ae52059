"""Who attends the meeting, changed during it from the command palette (someone came late, someone
was ill): the names separated by commas, the team's roster named below to copy from."""

from __future__ import annotations

from typing import Sequence

from ..i18n import t
from .base import KeySpec
from .field_dialog import FieldDialog


def parse_names(text: str, roster: Sequence[str] = ()) -> list[str]:
    """``"Kerstin Bronner,  sara  lindqvist,"`` → ``["Kerstin Bronner", "Sara Lindqvist"]``: each name once,
    a roster name however it was typed (case, spacing) spelt as the roster has it, so that its role follows
    it to the header and the minutes."""
    spelt = {" ".join(n.split()).casefold(): n for n in roster}
    names = (" ".join(n.split()) for n in text.split(",") if n.strip())
    return list(dict.fromkeys(spelt.get(n.casefold(), n) for n in names))


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
        current = {n.casefold() for n in self.current}
        others = [n for n in self.roster if n.casefold() not in current]
        return ([t("att.roster", names=", ".join(others))] if others else []) + [t("att.hint")]

    def check(self, text: str) -> tuple[list[str] | None, str]:
        names = parse_names(text, self.roster)
        return (names, "") if names else (None, t("att.need_one"))
