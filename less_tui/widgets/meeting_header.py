"""The bar above the queue: meeting date, attendees, the meeting clock and progress."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from .. import clock
from ..core.plaintext import one_line
from ..i18n import t
from ..services.meeting import MeetingInfo


class MeetingHeader(Static):
    DEFAULT_CSS = """
    MeetingHeader { height: auto; padding: 0 1; background: $panel; color: $text; }
    """

    def __init__(self, length_minutes: int, **kw):
        super().__init__("", **kw)
        self.length_minutes = length_minutes
        self.meeting: MeetingInfo | None = None
        self.done = 0
        self.total = 0
        self.masked = True
        self.projector = False
        self.extra = ""

    def on_mount(self) -> None:
        self.set_interval(15, self.refresh_text)

    def show(self, meeting: MeetingInfo, done: int, total: int, masked: bool, extra: str = "",
             projector: bool = False) -> None:
        self.meeting, self.done, self.total, self.masked, self.extra = meeting, done, total, masked, extra
        self.projector = projector
        self.refresh_text()

    def elapsed(self) -> int:
        m = self.meeting
        if m is None or m.started_at is None:
            return 0
        end = m.closed_at if m.closed and m.closed_at else clock.now()
        return max(0, int((end - m.started_at).total_seconds() // 60))

    def refresh_text(self) -> None:
        m = self.meeting
        if m is None:
            return
        el = self.elapsed()
        over = el > self.length_minutes
        txt = Text()
        txt.append(t("queue.meeting", date=m.date.isoformat()), style="bold")
        txt.append("  ·  ")
        txt.append(t("queue.clock", elapsed=el, length=self.length_minutes), style="bold red" if over else "bold")
        txt.append("  ·  ")
        txt.append(t("queue.progress", done=self.done, total=self.total), style="bold")
        txt.append("  ·  ")
        txt.append(t("queue.masked") if self.masked else t("queue.unmasked"),
                   style="" if self.masked else "bold reverse")
        if self.projector:
            txt.append("  ·  ")
            txt.append(t("queue.projector"), style="bold")
        if m.closed:
            txt.append("  ·  ")
            txt.append(t("queue.readonly"), style="italic")
        if self.extra:
            txt.append("  ·  " + self.extra)
        txt.append("\n")
        txt.append(t("col.attendees") + ": " + one_line(", ".join(m.attendees)), style="dim")  # text only
        self.update(txt)
