"""Every key binding's id with its default keys, and the check of a key's name, without Textual.

``[keymap]`` in config.toml rebinds a binding by its id (``summary = "f5"``, ``mask = "m,f6"``).
The config is checked before anything loads Textual, so the ids live here: each ``Key(...)`` in
a screen or widget must name an id listed here with the same default keys (``screens/base.py``
refuses one that does not, and a test collects every binding of the app against this list).
"""

from __future__ import annotations

import unicodedata

DEFAULTS: dict[str, str] = {
    # the improvement work (improvement.ImprovementScreen and its dialogs; i and v on the summary)
    "improvement_new_problem": "p",
    "improvement_new_idea": "i",
    "improvement_new_cycle": "c",
    "improvement_status": "s",
    "improvement_indicator_1": "1",
    "improvement_indicator_2": "2",
    "improvement_indicator_3": "3",
    "improvement_indicator_4": "4",
    "improvement_back": "escape",
    "improvement_delete": "delete",
    "measures_cancel": "escape",
    "supervision_cancel": "escape",
    "training_cancel": "escape",
    "improvement": "i",
    "measures": "v",
    # the app (app.LessApp)
    "command_palette": "ctrl+p",
    "focus_next": "tab",
    "focus_previous": "shift+tab",
    # the case queue (queue.QueueScreen) and its table (queue.CaseTable)
    "summary": "s",
    "mask": "m",
    "filter": "slash",
    "reason": "r",
    "sort": "o",
    "show_all": "a",
    "meetings": "l",
    "projector": "p",
    "follow": "f9",
    "help": "question_mark,f1",
    "quit": "q",
    "clear_filter": "escape",
    "open": "enter",
    "queue_first_row": "home",
    "queue_last_row": "end",
    # the decision screen (decision.DecisionScreen) and its action tables (decision.ActionTable)
    "back": "escape",
    "next_case": "f8",
    "prev_case": "f7",
    "add_action": "f2",
    "copy_case": "f6",
    "action_done": "d",
    "action_drop": "x",
    "action_edit": "e",
    "action_delete": "delete",
    "first_row": "home",
    "last_row": "end",
    "yes_no_toggle": "space",
    "yes_no_toggle_enter": "enter",
    # the summary (summary.SummaryScreen) and its indicator table (summary.IndicatorTable)
    "summary_back": "escape",
    "next_indicator": "n",
    "close_meeting": "c",
    "export": "e",
    "indicator_first_row": "home",
    "indicator_last_row": "end",
    "summary_page_down": "pagedown",
    "summary_page_up": "pageup",
    # earlier meetings, help, welcome, reopen (meetings.py, help.py, welcome.py, reopen.py)
    "meetings_back": "escape",
    "meetings_open": "enter",
    "help_close": "escape,question_mark,f1,q",
    "reopen_cancel": "escape",
    "attendees_cancel": "escape",
    # dialogs (dialogs.py) and the drop-down list (widgets/select.py; Textual's own id)
    "confirm_yes": "y,j",
    "confirm_no": "n,escape",
    "action_suggest": "down",
    "action_suggest_back": "escape",
    "action_cancel": "escape",
    "conflict_both": "escape",
    "conflict_prev": "left,up",
    "conflict_next": "right,down",
    "conflict_page_up": "pageup",
    "conflict_page_down": "pagedown",
    "choice_cancel": "escape",
    "select.dismiss": "escape",
}

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")

# Textual's names of keys that are not characters (``textual.keys.Keys`` without modifiers; a test
# keeps this equal to Textual's list)
NAMED_KEYS = frozenset({
    "backspace", "delete", "down", "end", "enter", "escape", "home", "insert", "left", "pagedown",
    "pageup", "return", "right", "space", "tab", "up", *(f"f{n}" for n in range(1, 25)),
})

# Textual's short names of some characters (``KEY_NAME_REPLACEMENTS``)
_REPLACEMENTS = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
                 "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}


def character_key(char: str) -> str:
    """The name Textual gives the key of one typed character (``?`` is ``question_mark``)."""
    if char.isalnum():
        return char
    try:
        key = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        key = {"\t": "tab"}.get(char, char)
    return _REPLACEMENTS.get(key, key)


# the names of the characters on a keyboard that are not letters or digits (ASCII and Latin-1)
_CHARACTER_NAMES = frozenset(
    character_key(c) for c in map(chr, [*range(0x21, 0x7F), *range(0xA1, 0x100)]) if not c.isalnum()
)


def _is_key(key: str) -> bool:
    *mods, base = key.split("+")
    if any(m not in MODIFIERS for m in mods) or len(set(mods)) != len(mods):
        return False
    if len(base) == 1:
        return base.isalnum()  # a typed "?" is the key "question_mark"
    return base in NAMED_KEYS or base in _CHARACTER_NAMES


def bad_key(keys: str) -> str | None:
    """The first of the comma-separated ``keys`` that is no key's name, or None when all are."""
    for key in keys.split(","):
        if not _is_key(key):
            return key
    return None
