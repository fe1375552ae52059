"""Every key of the screen underneath, in the current language: the app's own keys first."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.keys import key_to_character
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Select, TextArea

from ..i18n import CATALOGUES, language, t
from ..widgets.screen_title import ScreenTitle
from ..widgets.row_table import RowTable
from ..widgets.yes_no import YesNo
from .base import KeySpec, Translated, key_specs

# Textual's text-editing actions that the help screen explains, in the catalogue as "tx.<action>"
TEXT_ACTIONS = ["cursor_word_left", "cursor_word_right", "cursor_line_start", "cursor_line_end",
                "delete_word_left", "delete_to_start_of_line", "delete_to_end_of_line_or_delete_line",
                "undo", "redo", "cut", "copy", "paste"]


@dataclass
class HelpSection:
    title: str
    rows: list[tuple[str, str]]


class HelpScreen(Translated, ModalScreen[None]):
    TITLE_KEY = "screen.help"
    KEYS = [KeySpec("escape,question_mark,f1,q", "close", "key.back", "help_close")]

    def __init__(self, screen_title: str, sections: list[HelpSection]):
        super().__init__()
        self.translate_bindings()
        self.screen_title = screen_title
        self.sections = sections

    @property
    def rows(self) -> list[tuple[str, str]]:
        """Every (keys, what) row, sections in order."""
        return [row for s in self.sections for row in s.rows]

    def compose(self) -> ComposeResult:
        yield ScreenTitle(id="screen-title")
        with Vertical(classes="dialog wide", id="help"):
            yield Label(t("help.title", screen=self.screen_title), classes="dialog-title", markup=False)
            yield RowTable(show_header=False, id="help-keys", zebra_stripes=False)
            yield Label(t("help.close"), classes="dim")

    def on_mount(self) -> None:
        self.title = t(self.TITLE_KEY)
        self.sub_title = self.screen_title
        table = self.query_one(DataTable)
        table.add_columns(t("help.col_key"), t("help.col_what"))
        for i, section in enumerate(self.sections):
            if not section.rows:
                continue
            table.add_row(Text(section.title, style="bold underline"), "")
            for keys, what in section.rows:
                table.add_row(Text(keys, style="bold"), Text(what))
        table.focus()
        self.fit()

    def on_resize(self) -> None:
        self.fit()

    def fit(self) -> None:
        """The key table scrolls inside the dialog; the dialog's title and closing line stay in view."""
        self.query_one(DataTable).styles.max_height = max(5, self.app.size.height - 8)

    def action_close(self) -> None:
        self.dismiss(None)


def _display(app, keys: str) -> str:
    return " / ".join(app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))


def _own_rows(app, node, focused=None) -> list[tuple[str, str]]:
    """The keys ``node`` declares (the app-wide keys it offers too), as the keymap binds them. A key the
    focused field takes as typed text (``?`` in the plan) is left out of a row that has another (F1)."""
    keymap = getattr(app, "_keymap", {}) or {}
    rows: list[tuple[str, str]] = []
    for k in key_specs(node):
        if k.action in ("scroll_top", "scroll_bottom"):
            continue  # shown once, as "Home / End", with the field's keys
        keys = [key.strip() for key in keymap.get(k.id, k.keys).split(",")]
        if k.action.removeprefix("app.") == "quit" and "ctrl+q" not in keys:
            keys.append("ctrl+q")  # Textual's own quit key: it works on every screen, also where q is typed text
        if focused is not None and focused is not node:
            keys = [key for key in keys if not focused.check_consume_key(key, key_to_character(key))] or keys
        rows.append((_display(app, ",".join(keys)), k.help_text()))
    return rows


def _field_rows(focused) -> list[tuple[str, str]]:
    """What the focused kind of field does with the keys Textual gives it, in the catalogue's words."""
    rows = [("Tab", t("key.next_field")), ("Shift+Tab", t("key.prev_field"))]
    if isinstance(focused, DataTable):
        # (a table that gives PgUp/PgDn or Home/End its own meaning lists them with its keys, once)
        own = {key.strip() for k in key_specs(focused) if k.action not in ("scroll_top", "scroll_bottom")
               for key in k.keys.split(",")}
        rows += [("↑ / ↓", t("key.move"))]
        if not own & {"pageup", "pagedown"}:
            rows += [("PgUp / PgDn", t("key.page"))]
        if not own & {"home", "end"}:
            rows += [("Home / End", f"{t('key.first_row')} / {t('key.last_row')}")]
    elif isinstance(focused, Select):
        rows += [("Enter / ↑ / ↓", t("key.select_open"))]
    elif isinstance(focused, YesNo):
        rows += [("Space / Enter", t("key.toggle"))]
    return rows


def _text_rows(app, focused) -> list[tuple[str, str]]:
    if not isinstance(focused, TextArea):
        return []
    catalogue = CATALOGUES[language()]
    by_action: dict[str, list[str]] = {}
    for key, b in focused._bindings:
        action = b.action
        if action in TEXT_ACTIONS and f"tx.{action}" in catalogue:
            shown = app.get_key_display(b)
            if shown not in by_action.setdefault(action, []):
                by_action[action].append(shown)
    return [(" / ".join(by_action[a]), t(f"tx.{a}")) for a in TEXT_ACTIONS if a in by_action]


def bindings_of(screen) -> list[HelpSection]:
    """The screen's and the app's own keys, then the focused field's, then Textual's editing keys."""
    app = screen.app
    focused = screen.focused
    own = _own_rows(app, screen, focused)
    seen = {what for _, what in own}
    own += [row for row in _own_rows(app, app, focused) if row[1] not in seen]
    if t("key.quit") not in {what for _, what in own}:  # (where q is typed text: the decision screen)
        own.append((_display(app, "ctrl+q"), t("key.quit")))
    sections = [HelpSection(t("help.app_keys"), own)]
    field: list[tuple[str, str]] = []
    if focused is not None:
        for node in focused.ancestors_with_self:
            if node is screen:
                break
            field += _own_rows(app, node)
        field += _field_rows(focused)
    seen |= {what for _, what in own}
    field = [row for row in field if row[1] not in seen]
    sections.append(HelpSection(t("help.field_keys"), field))
    sections.append(HelpSection(t("help.textual_keys"), _text_rows(app, focused)))
    return sections
