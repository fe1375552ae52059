"""Earlier meetings: open one (a closed one opens read-only)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable

from ..i18n import t
from ..widgets.plain import plain
from ..widgets.screen_title import ScreenTitle
from ..widgets.row_table import RowTable
from ..widgets.footer import LessFooter
from .base import AppKeyRef, DataScreen, KeySpec, Translated


class MeetingTable(Translated, RowTable):
    """The meetings, one a row; Enter opens the highlighted one (shown in the footer and the help)."""

    KEYS = [KeySpec("enter", "select_cursor", "key.open_meeting", "meetings_open")]

    def __init__(self, **kw):
        super().__init__(**kw)
        self.translate_bindings()


class MeetingsScreen(DataScreen):
    TITLE_KEY = "screen.meetings"
    KEYS = [KeySpec("escape", "back", "key.back", "meetings_back"),
            AppKeyRef("help")]

    class Loaded(Message):
        def __init__(self, rows):
            super().__init__()
            self.rows = rows

    def __init__(self):
        super().__init__()
        self.translate_bindings()
        self.rows = []

    def compose(self) -> ComposeResult:
        yield ScreenTitle(id="screen-title")
        yield MeetingTable(id="meetings")
        yield LessFooter()

    def on_mount(self) -> None:
        self.title = t(self.TITLE_KEY)
        self.query_one(DataTable).focus()
        self.load()

    @work(thread=True)
    def load(self) -> None:
        self.post_message(self.Loaded(self.less_app.service.meetings()))

    def on_meetings_screen_loaded(self, msg: Loaded) -> None:
        self.rows = msg.rows
        table = self.query_one(DataTable)
        table.clear(columns=True)
        rows = [[m.date.isoformat(), t("word.closed") if m.closed else t("word.open"), str(n),
                 plain(", ".join(m.attendees))] for m, n in self.rows]  # names: text, never markup
        # each column as wide as its widest cell, said outright: left to the table, they were once drawn as
        # wide as their headers only ("2026", "Kerstin B") and the dates could not be told apart
        for i, (key, label) in enumerate((("date", "col.date"), ("status", "col.status"), ("cases", "col.reviewed"),
                                          ("att", "col.attendees"))):
            width = max([len(t(label)), *(len(r[i]) if isinstance(r[i], str) else r[i].cell_len for r in rows)])
            table.add_column(t(label), key=key, width=width)
        table.add_rows(rows)
        for i, (m, _) in enumerate(self.rows):
            if m.date == self.less_app.service.date:
                table.move_cursor(row=i)

    @on(DataTable.RowSelected)
    def chosen(self, event: DataTable.RowSelected) -> None:
        m, _ = self.rows[event.cursor_row]
        self.less_app.switch_meeting(m.date)

    def action_back(self) -> None:
        self.app.pop_screen()
