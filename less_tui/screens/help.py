"""Every key of the screen underneath, in the current language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ..i18n import t
from .base import Key, Translated


class HelpScreen(Translated, ModalScreen[None]):
    KEYS = [Key("escape,question_mark,f1,q", "close", "key.back", "help_close")]

    def __init__(self, screen_title: str, rows: list[tuple[str, str]]):
        super().__init__()
        self.translate_bindings()
        self.screen_title = screen_title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="help"):
            yield Label(t("help.title", screen=self.screen_title), classes="dialog-title")
            table = DataTable(cursor_type="none", show_header=False, id="help-keys")
            yield table
            yield Label(t("help.close"), classes="dim")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("key", "what")
        table.add_rows([[k, d] for k, d in self.rows])

    def action_close(self) -> None:
        self.dismiss(None)


def bindings_of(screen) -> list[tuple[str, str]]:
    """(keys, description) for the screen's own, its focused widget's and the app's bindings."""
    app = screen.app
    seen: dict[str, str] = {}
    nodes = [screen]
    if screen.focused is not None:
        nodes = list(screen.focused.ancestors_with_self)
    for node in [*nodes, app]:
        bmap = getattr(node, "_bindings", None)
        if bmap is None:
            continue
        by_action: dict[str, list[str]] = {}
        desc: dict[str, str] = {}
        keymap = getattr(app, "_keymap", {}) or {}
        for key, b in bmap:
            if not b.description:
                continue
            keys = keymap.get(b.id, None) if b.id else None
            shown = keys.replace(",", " / ") if keys else app.get_key_display(b)
            by_action.setdefault(b.action, [])
            if shown not in by_action[b.action]:
                by_action[b.action].append(shown)
            desc[b.action] = b.description
        for action, keys in by_action.items():
            label = desc[action]
            if label not in seen.values():
                seen[" / ".join(keys)] = label
    return list(seen.items())
