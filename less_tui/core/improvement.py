"""The improvement work around the meeting: problems, ideas and PDSA cycles, and the year's report
as plain data. Pure rules: no database, no UI."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Mapping, Sequence

from .indicators import DIRECTIONS, INDICATOR_KEYS, Value
from .text import number, pct

# An idea is planned, being tested, introduced (the new way of working is the standard), or ended.
STATUSES = ("planned", "testing", "introduced", "ended")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: str) -> dt.date:
    """A date typed as ``YYYY-MM-DD`` and nothing else (ValueError for ``20230207``, ``2023-W06-2``,
    ``2023-2-7`` or a day that does not exist), spaces around it allowed."""
    s = text.strip()
    if not _ISO_DATE.fullmatch(s):
        raise ValueError(text)
    d = dt.date.fromisoformat(s)
    if not FIRST_YEAR <= d.year <= LAST_YEAR:  # a typo (0206 for 2026) or 9999: no meeting or certificate then
        raise ValueError(text)
    return d


def not_held_yet(d: dt.date, today: dt.date) -> bool:
    """A supervision session or a training is recorded once it has taken place, and a meeting is closed
    (its indicators frozen) once it has been held: a date after ``today`` is not that yet (for a session,
    a typo: 2027 for 2026; the next session due is worked out from the last one held)."""
    return d > today


def a_year_after(d: dt.date) -> dt.date:
    """The same day a year later (28 February for 29 February)."""
    try:
        return d.replace(year=d.year + 1)
    except ValueError:
        return d.replace(year=d.year + 1, day=28)


def too_far_ahead(d: dt.date, today: dt.date) -> dt.date | None:
    """A new meeting is planned at most a year ahead: beyond that the date is a typo (2030 for 2026), and a
    meeting there would be "the latest" the minutes export. The latest date allowed, or None if ``d`` is."""
    latest = a_year_after(today)
    return latest if d > latest else None


# the years a date of this work can have; beyond them a date is a typo (and a year after 9999 does not exist)
FIRST_YEAR, LAST_YEAR = 1900, 2199


class EndBeforeStart(ValueError):
    """A PDSA cycle whose end date is before its start date."""

    def __init__(self, start: dt.date, end: dt.date):
        super().__init__(f"end {end.isoformat()} is before start {start.isoformat()}")
        self.start, self.end = start, end


def check_cycle_dates(start: dt.date | None, end: dt.date | None) -> None:
    """A cycle ends on or after the day it starts (EndBeforeStart otherwise); either may be unknown."""
    if start is not None and end is not None and end < start:
        raise EndBeforeStart(start, end)


def idea_code(problem_no: int, idea_no: int) -> str:
    """``1.2``: the second idea of problem 1, as the improvement template numbers them."""
    return f"{problem_no}.{idea_no}"


def next_number(taken: Sequence[int]) -> int:
    """The next free number after the highest taken (1 for the first)."""
    return max(taken, default=0) + 1


def whole_pct(v: Value | None, lang: str | None = None) -> str:
    """A frozen value as a whole percentage, rounded once from its counts: 58/100 is ``58 %``."""
    if v is None or not v.denominator:
        return "–"
    return f"{number(Fraction(v.count * 100, v.denominator), 0, lang)} %"


def whole_number(v: Value | None, lang: str | None = None) -> str:
    """The same percentage without its sign (the later values of a report row): ``64``."""
    if v is None or not v.denominator:
        return "–"
    return number(Fraction(v.count * 100, v.denominator), 0, lang)


def target_text(target: float, direction: str, lang: str | None = None, signed: bool = False) -> str:
    """A target as the improvement template writes it in a line: ``80 %`` (at least), ``≤ 20 %`` (at most);
    ``signed`` (a table's target column): ``≥ 80 %`` too, the direction always said."""
    digits = 0 if (Fraction(repr(float(target))) * 100).denominator == 1 else 1
    return _direction(direction, signed) + pct(target, digits, lang)


def _direction(direction: str, signed: bool) -> str:
    return "≤ " if direction != "higher" else ("≥ " if signed else "")


@dataclass(frozen=True)
class CycleLine:
    plan: str
    do: str
    study: str
    act: str
    owner: str
    start: dt.date | None
    end: dt.date | None
    result: str
    id: int | None = None
    created: dt.date | None = None  # the day it was entered (None: not known)


@dataclass(frozen=True)
class IdeaLine:
    code: str
    text: str
    status: str
    indicators: tuple[str, ...]
    cycles: tuple[CycleLine, ...] = ()
    id: int | None = None
    created: dt.date | None = None  # the day it was entered (None: not known)
    changed: dt.date | None = None  # the day of its last change (its status, text or indicators)


@dataclass(frozen=True)
class ProblemLine:
    number: int
    text: str
    ideas: tuple[IdeaLine, ...] = ()
    id: int | None = None
    created: dt.date | None = None  # the day it was entered (None: not known)


def _entered_by(d: dt.date | None, last: dt.date) -> bool:
    return d is None or d <= last


def cycle_in_year(c: CycleLine, year: int) -> bool:
    """A cycle belongs to a year when it starts (its start date, else the day it was entered) on or
    before the year's last day and does not end (its end date) before the year's first."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return _entered_by(c.start or c.created, last) and (c.end is None or c.end >= first)


def _ended_before(i: IdeaLine, first: dt.date) -> bool:
    return i.status == "ended" and i.changed is not None and i.changed < first


def idea_in_year(i: IdeaLine, year: int) -> bool:
    """An idea belongs to a year when it was entered on or before the year's last day and was not ended
    (status avslutad, last changed) before the year's first day."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return _entered_by(i.created, last) and not _ended_before(i, first)


def of_year(problems: Sequence[ProblemLine], year: int) -> list[ProblemLine]:
    """The improvement work that was active in ``year``: each problem entered on or before the year's last
    day, unless every idea of it was ended before the year began (it was dealt with), with its ideas and
    their cycles of that year."""
    out = []
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for p in problems:
        if not _entered_by(p.created, last) or (p.ideas and all(_ended_before(i, first) for i in p.ideas)):
            continue
        ideas = tuple(replace(i, cycles=tuple(c for c in i.cycles if cycle_in_year(c, year)))
                      for i in p.ideas if idea_in_year(i, year))
        out.append(replace(p, ideas=ideas))
    return out


@dataclass(frozen=True)
class YearRow:
    """A value over the year's closed meetings (an indicator, or one of the team's measures): the first
    is the start value; None where there is none."""

    key: str
    target: float
    direction: str
    values: tuple[Value | None, ...]

    @property
    def start(self) -> Value | None:
        return self.values[0] if self.values else None

    def share_series(self, lang: str | None = None) -> str:
        """``58 %, 58, 64, 58, 61, 60`` — the start value with its sign, then each later meeting's."""
        if not self.values:
            return "–"
        return ", ".join([whole_pct(self.values[0], lang)] + [whole_number(v, lang) for v in self.values[1:]])

    def shares(self) -> list[float | None]:
        return [v.share if v is not None and v.denominator else None for v in self.values]


@dataclass(frozen=True)
class IndicatorRow(YearRow):
    """One indicator over the year's closed meetings."""

    def series(self, lang: str | None = None) -> str:
        return self.share_series(lang)


def parse_measure(text: str, kind: str) -> tuple[int, int | None] | None:
    """A measure's value as typed: a count (``12``), or for a share a count of a denominator (``12/40``).
    None when nothing is typed; ValueError when it is neither."""
    s = "".join(text.split())
    if not s:
        return None
    if kind == "count":
        if not (s.isascii() and s.isdigit()):
            raise ValueError(text)
        return int(s), None
    a, sep, b = s.partition("/")
    if not sep or not (a.isascii() and a.isdigit() and b.isascii() and b.isdigit()):
        raise ValueError(text)
    count, denominator = int(a), int(b)
    if denominator == 0 or count > denominator:
        raise ValueError(text)
    return count, denominator


def measure_value(v: Value | None, kind: str, lang: str | None = None) -> str:
    """``12`` (a count) or ``30 %`` (a share, whole per cent); ``–`` when none was entered."""
    if v is None:
        return "–"
    return str(v.count) if kind == "count" else whole_pct(v, lang)


def measure_target(target: float, direction: str, kind: str, lang: str | None = None, signed: bool = False) -> str:
    if kind == "share":
        return target_text(target, direction, lang, signed)
    return _direction(direction, signed) + number(target, 0 if float(target).is_integer() else 1, lang)


def measure_count_share(v: Value | None, kind: str, lang: str | None = None) -> str:
    """A measure's value as the minutes write it: ``7`` (a count) or ``12/40 30 %`` (a share, its counts
    and whole per cent); ``–`` when none was entered."""
    if v is None:
        return "–"
    return str(v.count) if kind == "count" else f"{v.count}/{v.denominator} {whole_pct(v, lang)}"


def measure_on_target(v: Value | None, target: float, direction: str, kind: str) -> bool | None:
    """Is the value at (or beyond, in its direction) the target? None without a value."""
    if v is None:
        return None
    if kind == "count":
        x: Fraction = Fraction(v.count)
    elif v.denominator:
        x = Fraction(v.count, v.denominator)
    else:
        return None
    goal = Fraction(repr(float(target)))
    return x >= goal if direction == "higher" else x <= goal


def measure_change(v: Value | None, previous: Value | None, direction: str, kind: str,
                   lang: str | None = None) -> tuple[str, str | None]:
    """The change since the previous meeting: (``↑ +3`` or ``↓ −5,0 p.e.``, its verdict ``better``,
    ``worse`` or ``unchanged``); (``–``, None) without both values. A share changes in percentage points
    from its counts (``core.text.change``)."""
    from .text import change

    if v is None or previous is None:
        return "–", None
    if kind == "share":
        c = change(v.count, v.denominator, previous.count, previous.denominator, direction, lang)
        return c.text(word=False), c.verdict
    diff = v.count - previous.count
    verdict = "unchanged" if diff == 0 else ("better" if (diff > 0) == (direction == "higher") else "worse")
    arrow = "↑" if diff > 0 else ("↓" if diff < 0 else "→")
    return f"{arrow} {number(diff, 0, lang, sign=True)}", verdict


@dataclass(frozen=True)
class MeasureRow(YearRow):
    """One of the team's own measures over the year's closed meetings (None: no value entered)."""

    name: str = ""
    kind: str = "count"

    dates: tuple[dt.date, ...] = ()  # the meetings of ``values``

    def entered(self) -> list[tuple[dt.date, Value]]:
        """(meeting, value) of the meetings where a value was entered, oldest first."""
        return [(d, v) for d, v in zip(self.dates, self.values) if v is not None]

    @property
    def first(self) -> tuple[dt.date, Value] | None:
        """The start value: the year's first meeting with a value (None: never entered)."""
        got = self.entered()
        return got[0] if got else None

    def series(self, lang: str | None = None) -> str:
        """The values entered, each with its unit (``30 %``), oldest first; ``–`` when none was."""
        return ", ".join(measure_value(v, self.kind, lang) for _, v in self.entered()) or "–"


@dataclass(frozen=True)
class SickShare:
    """Ongoing sick-leave episodes (every diagnosis) out of the unit's listed patients at a meeting."""

    date: dt.date
    ongoing: int
    listed: int

    @property
    def share(self) -> float | None:
        return self.ongoing / self.listed if self.listed else None


@dataclass(frozen=True)
class TrainingLine:
    """An insurance-medicine training a person of the team has taken (``doctor``: the roster names the
    person's role as a doctor's)."""

    person: str
    course: str
    date: dt.date
    doctor: bool


@dataclass(frozen=True)
class SupervisionLine:
    """A supervision session: its date, length, who led it and how many came."""

    date: dt.date
    minutes: int
    leader: str
    attendees: int


def trainings_by(team: Sequence[Mapping[str, Any]], trained: Sequence[tuple[str, str, dt.date]],
                 upto: dt.date | None = None) -> list[TrainingLine]:
    """The trainings (person, course, date) taken on or before ``upto`` (all when None), oldest first,
    each with whether the roster names the person a doctor."""
    roles = {m["name"]: m.get("role", "") for m in team}
    return [TrainingLine(person, course, date, is_doctor(roles.get(person, "")))
            for person, course, date in sorted(trained, key=lambda x: (x[2], x[0]))
            if upto is None or date <= upto]


@dataclass
class Report:
    year: int
    clinic: str
    unit: str
    team: list[tuple[str, str]]
    meetings: list[dt.date]
    indicators: list[IndicatorRow]
    problems: list[ProblemLine] = field(default_factory=list)
    imports: list[dt.date] = field(default_factory=list)
    demo: bool = False
    measures: list[MeasureRow] = field(default_factory=list)
    sick_shares: list[SickShare] = field(default_factory=list)
    region_share: float = 0.0
    country_share: float = 0.0
    trainings: list[TrainingLine] = field(default_factory=list)  # taken by the year's end
    lower_bound: bool = False  # doctor counts from a Rehabstöd export (minimums): "one doctor" may be too high
    supervisions: list[SupervisionLine] = field(default_factory=list)  # held in the year

    @property
    def trained(self) -> tuple[int, int]:
        """(doctors, other professions) trained by the year's end: each person once."""
        doctors = {x.person for x in self.trainings if x.doctor}
        others = {x.person for x in self.trainings if not x.doctor}
        return len(doctors), len(others)

    @property
    def start_date(self) -> dt.date | None:
        return self.meetings[0] if self.meetings else None

    def tested(self) -> list[IdeaLine]:
        """The ideas that were tested or introduced (or ended after a test): status past planned, or a cycle."""
        return [i for p in self.problems for i in p.ideas if i.status != "planned" or i.cycles]


def indicator_rows(meetings: Sequence[tuple[dt.date, dict[str, Value]]], targets: dict[str, float]
                   ) -> list[IndicatorRow]:
    """The four indicators' rows from the frozen values of the year's closed meetings (oldest first)."""
    return [IndicatorRow(key=k, target=float(targets.get(k, 0.8)), direction=DIRECTIONS[k],
                         values=tuple(frozen.get(k) for _, frozen in meetings))
            for k in INDICATOR_KEYS]


def measure_rows(measures: Sequence[Mapping[str, Any]], meetings: Sequence[dt.date],
                 history: Sequence[tuple[dt.date, dict[str, Value]]]) -> list[MeasureRow]:
    """The configured measures' rows over ``meetings`` from the values entered at them."""
    by_date = dict(history)
    return [MeasureRow(key=m["key"], name=m["name"], kind=m["kind"], target=float(m["target"]),
                       direction=m["direction"], values=tuple(by_date.get(d, {}).get(m["key"]) for d in meetings),
                       dates=tuple(meetings))
            for m in measures]


# ---------------------------------------------------------------- training and supervision

DOCTOR_WORDS = ("läkare", "doktor", "doctor", "physician", "luf")


def is_doctor(role: str) -> bool:
    """A roster role that names a doctor ("Läkare", "Försäkringsmedicinskt ansvarig läkare", "ST-läkare")."""
    low = role.lower()
    return any(w in low for w in DOCTOR_WORDS)


@dataclass(frozen=True)
class RollOut:
    """How far the LESS roll-out has come: trained people by profession, and the next supervision."""

    trained_doctors: int
    trained_others: int
    last_supervision: dt.date | None
    next_due: dt.date | None

    def overdue_days(self, today: dt.date) -> int:
        """Days the next supervision is overdue (0 when it is not)."""
        if self.next_due is None or today <= self.next_due:
            return 0
        return (today - self.next_due).days


def roll_out(team: Sequence[Mapping[str, Any]], trained: Sequence[str], supervision_dates: Sequence[dt.date],
             weeks: int) -> RollOut:
    """Trained = the people with at least one training; a person not on the roster counts as another
    profession. The next supervision is due ``weeks`` after the last one."""
    roles = {m["name"]: m.get("role", "") for m in team}
    people = set(trained)
    doctors = sum(1 for p in people if is_doctor(roles.get(p, "")))
    last = max(supervision_dates, default=None)
    return RollOut(doctors, len(people) - doctors, last, last + dt.timedelta(weeks=weeks) if last else None)
