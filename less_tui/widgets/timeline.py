"""A certificate timeline: degree over time as block heights, doctor changes marked."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.widgets import Static

from ..i18n import t
from ..services.meeting import CertInfo

BLOCK = {25: "▂", 50: "▄", 75: "▆", 100: "█"}
# xterm-256 colours (exact in 256 colours as in true colour), far enough apart to tell 50 % from 75 %
STYLE = {25: "#5fd75f", 50: "#ffff5f", 75: "#ff8700", 100: "#ff0000"}


def render_timeline(certs: list[CertInfo], width: int, today: dt.date) -> Text:
    txt = Text()
    if not certs:
        return txt
    start = min(c.start for c in certs)
    end = max(c.end for c in certs)
    days = (end - start).days + 1
    width = max(10, width)
    per = max(1, -(-days // width))  # days per column, rounded up
    cols = -(-days // per)
    bar = Text()
    marks = [" "] * cols
    for i in range(cols):
        d0 = start + dt.timedelta(days=i * per)
        d1 = d0 + dt.timedelta(days=per - 1)
        cover = [c for c in certs if c.start <= d1 and c.end >= d0]
        if not cover:
            bar.append(" ")
            continue
        c = max(cover, key=lambda c: (c.start, c.degree))
        style = STYLE[c.degree] + (" dim" if d0 > today else "")
        bar.append(BLOCK[c.degree], style=style)
        for c2 in cover:
            if c2.doctor_changed and d0 <= c2.start <= d1:
                marks[i] = "▲"
    today_col = (today - start).days // per
    txt.append(bar)
    txt.append("\n")
    mark_line = "".join(marks)
    if 0 <= today_col < cols:
        mark_line = mark_line[:today_col] + ("┃" if mark_line[today_col] == " " else mark_line[today_col]) + mark_line[today_col + 1:]
    txt.append(mark_line, style="bold magenta")
    txt.append("\n")
    axis = f"{start.isoformat()}".ljust(max(0, cols - 10)) + end.isoformat()
    txt.append(axis[: max(cols, 21)], style="dim")
    txt.append(f"\n▲ {t('dec.doctor_change')}   ┃ {today.isoformat()}   ", style="dim")
    for deg in (25, 50, 75, 100):
        txt.append(f"{BLOCK[deg]} {deg} %  ", style=STYLE[deg])
    return txt


class Timeline(Static):
    DEFAULT_CSS = """
    Timeline { height: auto; padding: 0 1; }
    """

    def __init__(self, certs: list[CertInfo], today: dt.date, **kw):
        super().__init__("", **kw)
        self.certs = certs
        self.today = today

    def show(self, certs: list[CertInfo], today: dt.date) -> None:
        """Another case's certificates."""
        self.certs = certs
        self.today = today
        self.update(render_timeline(self.certs, max(20, self.size.width - 2), self.today))

    def on_resize(self) -> None:
        self.update(render_timeline(self.certs, self.size.width - 2, self.today))

    def on_mount(self) -> None:
        self.update(render_timeline(self.certs, max(20, self.size.width - 2), self.today))
