"""The one clock. Every screen, export and test takes "today" from here.

Set ``LESS_TUI_TODAY=YYYY-MM-DD`` to fix the date (tests, snapshots, demos).
"""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    fixed = os.environ.get("LESS_TUI_TODAY", "").strip()
    if fixed:
        return dt.date.fromisoformat(fixed)
    return dt.date.today()


def now() -> dt.datetime:
    """Aware local time (on the fixed date, if one is set)."""
    current = dt.datetime.now().astimezone().replace(microsecond=0)
    fixed = os.environ.get("LESS_TUI_TODAY", "").strip()
    if fixed:
        d = dt.date.fromisoformat(fixed)
        current = current.replace(year=d.year, month=d.month, day=d.day)
    return current


def add_months(d: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the end of a shorter month."""
    import calendar

    m = d.month - 1 + months
    y = d.year + m // 12
    m = m % 12 + 1
    day = min(d.day, calendar.monthrange(y, m)[1])
    return dt.date(y, m, day)
