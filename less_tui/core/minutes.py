"""The minutes and the workbook as plain data: everything they show, the text already formatted (by
``present.py``, in the language of the export). The writers (``markdown``, ``html``, ``docx``,
``workbook``) only lay it out; ``services/minutes.py`` builds it. No database and no Textual here.

Without ``identify`` no personnummer or full name is in the model anywhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import TypeVar, cast

from .plaintext import strip_controls

FORMATS = ("md", "docx", "html", "xlsx")


class ExportError(Exception):
    pass


@dataclass
class ActionLine:
    case_no: int
    kind: str
    owner: str  # as typed ("" when nobody)
    due: str  # "2026-11-23", "2026-11-23 (försenad)" when overdue, "–" without a date
    status: str  # "open", "done", "dropped"
    status_text: str  # the status in words
    meeting_date: dt.date  # the meeting that decided it
    dates: str = ""  # a follow-up's dates in words: ", klart senast 2026-08-30 (försenad 92 dagar), beslutat …"


@dataclass
class CaseLine:
    case_no: int
    patient: str  # masked ("AB 1976") unless identified
    reasons: str  # the queue's reason words, e.g. "dag 90 om 12 d, ≥3 läkare, långt"
    length: str
    degree: str  # "100 %"
    doctors: str  # "3", "≥3" (lower bound)
    coordinator_status: str  # in the language of the export
    rehab_plan: str  # "ja" / "nej"
    assessor: str
    plan: str  # as typed (several lines allowed)
    actions: list[ActionLine]


@dataclass
class Closing:
    """One closing of the meeting, and its reopening if it was undone."""

    text: str  # "Stängt 2026-10-23 14:02 · öppnat igen 2026-10-24 09:10 av kerstin"
    reason: str  # why it was reopened, as typed ("" for the closing that holds)
    closed_at: dt.datetime | None
    reopened_at: dt.datetime | None = None  # None: the meeting is still closed by this closing
    reopened_by: str = ""


@dataclass
class ChartSeries:
    label: str
    shares: list[float | None]  # 0–1, one per date of ``Minutes.chart_dates``
    target: float  # 0–1


@dataclass
class CycleChange:
    """A PDSA cycle added or changed since the last meeting (texts as typed)."""

    dates: str  # "2026-10-01–2026-10-31", "–" for a date not set
    plan: str
    owner: str
    result: str


@dataclass
class IdeaChange:
    """An idea of the improvement work whose status or PDSA cycles changed since the last meeting."""

    code: str  # "1.2"
    text: str  # as typed
    status: str  # in words ("testas")
    indicators: str  # the indicators it aims at, in words ("" when none)
    cycles: list[CycleChange]


@dataclass
class Minutes:
    clinic: str
    unit: str
    date: dt.date
    status: str  # "open" or "closed"
    title: str
    notes: list[str]  # what the reader must know first (a draft, the demo clinic)
    time: str  # "13:00–13:45"
    attendees: list[tuple[str, str]]  # (name, role or "")
    next_meeting: str
    closings: list[Closing]  # only when the meeting was ever reopened, oldest first
    todo: dict[str, list[ActionLine]]  # open actions by owner
    previous: str  # "Jämfört med mötet 2026-09-23" / "no earlier closed meeting"
    indicator_headers: list[str]  # the last column is the trend (sparkline)
    indicator_rows: list[list[str]]
    context: list[tuple[str, str]]  # (label, figure) beside the indicators
    lower_bound_note: str  # "" unless doctor counts are lower bounds
    chart_dates: list[dt.date]
    chart: list[ChartSeries]
    cases: list[CaseLine]
    followups: dict[str, list[ActionLine]]  # "done", "open", "dropped"
    demo: bool = False  # made from the synthetic demo clinic
    ideas: list[IdeaChange] = field(default_factory=list)  # changed since the last meeting
    ideas_since: str = ""  # "Sedan mötet 2026-09-23" / "" (no earlier meeting)
    identify: bool = False
    identities: list[str] = field(default_factory=list)  # what was written when identified
    # the team's own measures (config [[less.measures]]) beside the indicators; empty when none is configured
    measure_headers: list[str] = field(default_factory=list)
    measure_rows: list[list[str]] = field(default_factory=list)  # name, now, previous, change, target, on target


@dataclass
class MeetingRow:
    """One meeting's line of the workbook."""

    date: dt.date
    status: str  # in words
    values: dict[str, tuple[int, int] | None]  # indicator key: (count, denominator)
    measures: dict[str, tuple[int, int]] = field(default_factory=dict)  # the team's measures entered: (count,
    # denominator, 0 for a count)


@dataclass
class WorkbookAction:
    meeting: dt.date
    case_no: int
    kind: str
    owner: str
    due: dt.date | None
    status: str  # in words


@dataclass
class WorkbookMeasure:
    """One of the team's own measures (config [[less.measures]]) in the workbook."""

    key: str
    name: str
    kind: str  # "count" or "share"
    target: float  # a count, or a share 0–1
    direction: str


@dataclass
class Workbook:
    keys: list[str]  # the indicators, in order
    short: dict[str, str]  # key: short name (column headers)
    labels: dict[str, str]  # key: full name (chart titles)
    targets: dict[str, float]  # key: target share 0–1
    meetings: list[MeetingRow]
    actions: list[WorkbookAction]
    measures: list[WorkbookMeasure] = field(default_factory=list)  # empty when none is configured
    note: str = ""  # said under the values (doctor counts from a Rehabstöd export are minimums)


_T = TypeVar("_T")


def clean(value: _T) -> _T:
    """``value`` (the minutes, or any part of them) with control characters removed from every text
    (tab and line ends kept): Word's XML and Excel's cells cannot hold them, a terminal or a mail
    client would act on them."""
    # the copy has the type of ``value`` (a str for a str, a list for a list, the same dataclass), which
    # the checker cannot follow through the isinstance branches
    return cast(_T, _clean(value))


def _clean(value: object) -> object:
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_clean(v) for v in value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _clean(getattr(value, f.name)) for f in fields(value) if f.init})
    return value
