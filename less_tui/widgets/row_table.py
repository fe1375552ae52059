"""A table of rows moved with the keyboard: ↑/↓, PgUp/PgDn, and Home/End to the first/last row."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable


class RowTable(DataTable):
    # Textual's Home/End move between columns; in a table of rows they go to the first/last row
    BINDINGS = [Binding("home", "scroll_top", show=False), Binding("end", "scroll_bottom", show=False)]

    def __init__(self, **kw):
        kw.setdefault("cursor_type", "row")
        super().__init__(**kw)
