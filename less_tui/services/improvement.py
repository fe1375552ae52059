"""The improvement work as the app and the command line use it: problems, ideas and PDSA cycles, and
the year's report data. Each call is one session and, for a change, one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence, TypedDict

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ..config import Config
from ..core import improvement as imp_core
from ..core.indicators import Value
from ..storage import improvement as store
from ..storage import repo
from ..storage.models import pk
from ..storage.repo import NotFound as NoUnit  # noqa: F401  (re-exported for callers)
from . import views
from .errors import ReadOnly

if TYPE_CHECKING:
    from typing_extensions import Unpack


class BadMeasure(ValueError):
    """A measure's value as typed is not one (``key``: which measure; the text as typed)."""

    def __init__(self, key: str, text: str):
        super().__init__(f"{key}: {text!r}")
        self.key, self.text = key, text


@dataclass(frozen=True)
class MeasureNow:
    """A configured measure at a meeting: its value there and at the previous closed meeting."""

    key: str
    name: str
    kind: str
    target: float
    direction: str
    value: Value | None
    previous: Value | None


class IdeaFields(TypedDict, total=False):
    """What ``update_idea`` can change (the keys given are changed)."""

    text: str
    status: str  # one of ``core.improvement.STATUSES``
    indicators: Sequence[str]  # indicator keys


class CycleFields(TypedDict, total=False):
    """A PDSA cycle's fields, as ``add_cycle`` and ``update_cycle`` take them."""

    plan: str
    do: str
    study: str
    act: str
    owner: str
    start: dt.date | None
    end: dt.date | None
    result: str


class NoClosedMeeting(LookupError):
    """The year has no closed meeting of the unit: there is no indicator value to report."""


class NothingToRemove(Exception):
    """No recorded supervision session or training matches."""


class Ambiguous(Exception):
    """More than one matches: ``matches`` in words."""

    def __init__(self, matches: list[str]):
        super().__init__("; ".join(matches))
        self.matches = matches


def _one(matches: list[str]) -> None:
    """Exactly one record matches (else ``NothingToRemove`` or ``Ambiguous``)."""
    if not matches:
        raise NothingToRemove()
    if len(matches) > 1:
        raise Ambiguous(matches)


class ImprovementService:
    def __init__(self, engine: Engine, cfg: Config, unit_code: str | None = None):
        self.engine = engine
        self.cfg = cfg
        self.unit_code = unit_code or cfg.unit

    def _session(self) -> Session:
        from ..storage.db import session

        return session(self.engine)

    def _unit_id(self, s: Session, create: bool = False) -> int:
        if create and self.unit_code == self.cfg.unit:  # (never quietly a new unit for a mistyped clinic.unit)
            from .views import configured_unit

            return pk(configured_unit(s, self.cfg))
        return pk(repo.get_unit(s, self.unit_code, create=create, name=self.cfg.clinic_name))

    # -------------------------------------------------------------- the work

    def work(self) -> list[imp_core.ProblemLine]:
        with self._session() as s:
            try:
                unit_id = self._unit_id(s)
            except repo.NotFound:
                return []
            return store.work(s, unit_id)

    def ids(self) -> dict[str, int]:
        """{"1": problem id, "1.2": idea id}: what a screen needs to change a line it shows."""
        with self._session() as s:
            try:
                unit_id = self._unit_id(s)
            except repo.NotFound:
                return {}
            ps = store.problems(s, unit_id)
            out = {str(p.number): pk(p) for p in ps}
            numbers = {pk(p): p.number for p in ps}
            for i in store.ideas_of(s, list(numbers)):
                out[imp_core.idea_code(numbers[i.problem_id], i.number)] = pk(i)
            return out

    def add_problem(self, text: str) -> int:
        with self._session() as s:
            p = store.add_problem(s, self._unit_id(s, create=True), text)
            s.commit()
            return pk(p)

    def set_problem_text(self, problem_id: int, text: str) -> None:
        with self._session() as s:
            store.set_problem_text(s, self._unit_id(s), problem_id, text)
            s.commit()

    def add_idea(self, problem_id: int, text: str, indicators: Sequence[str] = (), status: str = "planned") -> int:
        with self._session() as s:
            i = store.add_idea(s, self._unit_id(s), problem_id, text, indicators, status)
            s.commit()
            return pk(i)

    def update_idea(self, idea_id: int, **fields: Unpack[IdeaFields]) -> None:
        with self._session() as s:
            store.update_idea(s, self._unit_id(s), idea_id, **fields)
            s.commit()

    def add_cycle(self, idea_id: int, **fields: Unpack[CycleFields]) -> int:
        with self._session() as s:
            c = store.add_cycle(s, self._unit_id(s), idea_id, **fields)
            s.commit()
            return pk(c)

    def update_cycle(self, cycle_id: int, **fields: Unpack[CycleFields]) -> None:
        with self._session() as s:
            store.update_cycle(s, self._unit_id(s), cycle_id, **fields)
            s.commit()

    def delete_problem(self, problem_id: int) -> tuple[int, int]:
        """Remove a problem with its ideas and their cycles (audited); returns (ideas, cycles) removed."""
        with self._session() as s:
            removed = store.delete_problem(s, self._unit_id(s), problem_id)
            s.commit()
            return removed

    def delete_idea(self, idea_id: int) -> int:
        """Remove an idea with its cycles (audited); returns the number of cycles removed."""
        with self._session() as s:
            removed = store.delete_idea(s, self._unit_id(s), idea_id)
            s.commit()
            return removed

    def delete_cycle(self, cycle_id: int) -> None:
        with self._session() as s:
            store.delete_cycle(s, self._unit_id(s), cycle_id)
            s.commit()

    # -------------------------------------------------------------- the team's own measures

    def measures_at(self, date: dt.date) -> list[MeasureNow]:
        """Each configured measure's value at the meeting of ``date`` and at the closed meeting before."""
        if not self.cfg.measures:
            return []
        with self._session() as s:
            try:
                unit_id = self._unit_id(s)
            except repo.NotFound:
                return []
            m = repo.meeting_at(s, unit_id, date)
            now = store.measures_of(s, pk(m)) if m else {}
            prev_m = repo.previous_closed(s, unit_id, date)
            prev = store.measures_of(s, pk(prev_m)) if prev_m else {}
        return [MeasureNow(key=d.key, name=d.name, kind=d.kind, target=d.target,
                           direction=d.direction, value=now.get(d.key), previous=prev.get(d.key))
                for d in self.cfg.measures]

    def set_measures(self, date: dt.date, typed: dict[str, str]) -> int:
        """Write the values typed for the meeting of ``date`` (an empty field is left as it is), all or
        nothing. BadMeasure names the first value that is not one; ReadOnly when the meeting
        is closed (its values are frozen). Returns how many were written."""
        kinds = {d.key: d.kind for d in self.cfg.measures}
        parsed: dict[str, tuple[int, int | None]] = {}
        for key, text in typed.items():
            if key not in kinds:
                raise BadMeasure(key, text)
            try:
                value = imp_core.parse_measure(text, kinds[key])
            except ValueError:
                raise BadMeasure(key, text) from None
            if value is not None:
                parsed[key] = value
        with self._session() as s:
            unit_id = self._unit_id(s)
            m = repo.meeting_at(s, unit_id, date)
            if m is None:
                raise repo.NotFound(date.isoformat())
            try:
                for key, (count, denominator) in parsed.items():
                    store.set_measure(s, unit_id, m, key, count, denominator)
            except repo.MeetingClosed:  # closed (perhaps elsewhere): the app's word for it is ReadOnly
                raise ReadOnly() from None
            s.commit()
        return len(parsed)

    def testing_by_indicator(self) -> dict[str, list[str]]:
        """{indicator key: codes of the ideas being tested for it} (the summary shows them)."""
        out: dict[str, list[str]] = {}
        for p in self.work():
            for i in p.ideas:
                if i.status == "testing":
                    for k in i.indicators:
                        out.setdefault(k, []).append(i.code)
        return out

    def listed_patients(self) -> int:
        """The unit's listed patients: ``less.listed_patients`` from config, else the unit's own figure
        (0: not known)."""
        if self.cfg.less.listed_patients:
            return self.cfg.less.listed_patients
        with self._session() as s:
            try:
                return repo.get_unit(s, self.unit_code, create=False).listed_patients or 0
            except repo.NotFound:
                return 0

    # -------------------------------------------------------------- training and supervision

    def add_training(self, person: str, course: str, date: dt.date) -> None:
        with self._session() as s:
            store.add_training(s, self._unit_id(s, create=True), person, course, date)
            s.commit()

    def remove_recorded(self, date: dt.date, leader: str | None = None, person: str | None = None) -> str:
        """Remove a supervision session (``leader`` narrows it) or, with ``person``, a training recorded on
        ``date`` by mistake: what was removed, in words. ``NothingToRemove`` when none matches, ``Ambiguous``
        (with the matches in words) when more than one does."""
        def same(a: str, b: str) -> bool:
            return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()

        with self._session() as s:
            try:
                unit_id = self._unit_id(s)
            except repo.NotFound:
                raise NothingToRemove() from None
            if person is not None:
                trained = [x for x in store.trainings(s, unit_id) if x.date == date and same(x.person, person)]
                words = [f"{x.date.isoformat()} {x.person}: {x.course}" for x in trained]
                _one(words)
                store.remove_training(s, unit_id, trained[0])
            else:
                held = [x for x in store.supervisions(s, unit_id)
                        if x.date == date and (leader is None or same(x.leader, leader))]
                words = [f"{x.date.isoformat()} {x.minutes} min, {x.leader}" for x in held]
                _one(words)
                store.remove_supervision(s, unit_id, held[0])
            s.commit()
            return words[0]

    def add_supervision(self, date: dt.date, minutes: int, leader: str, attendees: Sequence[str]) -> None:
        with self._session() as s:
            store.add_supervision(s, self._unit_id(s, create=True), date, minutes, leader, attendees)
            s.commit()

    def roll_out(self) -> imp_core.RollOut | None:
        """Trained counts and the next supervision; None when nothing of the roll-out is recorded."""
        with self._session() as s:
            try:
                unit_id = self._unit_id(s)
            except repo.NotFound:
                return None
            trained = [x.person for x in store.trainings(s, unit_id)]
            dates = [x.date for x in store.supervisions(s, unit_id)]
        if not trained and not dates:
            return None
        return imp_core.roll_out([m.model_dump() for m in self.cfg.team], trained, dates, self.cfg.less.supervision_weeks)

    def training_list(self) -> list[imp_core.TrainingLine]:
        """Every training recorded (oldest first), each with whether the roster names the person a doctor."""
        with self._session() as s:
            try:
                unit_id = self._unit_id(s)
            except repo.NotFound:
                return []
            rows = [(x.person, x.course, x.date) for x in store.trainings(s, unit_id)]
        return imp_core.trainings_by([m.model_dump() for m in self.cfg.team], rows)

    def supervision_list(self) -> list[tuple[dt.date, int, str, list[str]]]:
        with self._session() as s:
            try:
                unit_id = self._unit_id(s)
            except repo.NotFound:
                return []
            return [(x.date, x.minutes, x.leader, store.supervision_attendees(x)) for x in store.supervisions(s, unit_id)]

    # -------------------------------------------------------------- the year's report

    def report(self, year: int, demo: bool = False) -> imp_core.Report:
        """The year's report data. Patients are never read: only counts frozen at closing, the
        unit's import dates, the roster and the improvement work."""
        with self._session() as s:
            unit_id = self._unit_id(s)
            meetings = store.closed_meetings_of_year(s, unit_id, year)
            if not meetings:
                raise NoClosedMeeting(year)
            dates = [d for d, _ in meetings]
            unit = repo.get_unit(s, self.unit_code, create=False)
            listed = self.cfg.less.listed_patients or (unit.listed_patients or 0)
            sick: list[imp_core.SickShare] = []
            if listed:
                for d in dates:  # ongoing episodes of every diagnosis: a count, never a patient
                    eps = views.episodes_at(s, unit_id, d, self.cfg.max_gap_days)
                    sick.append(imp_core.SickShare(d, sum(1 for e in eps if e.ongoing), listed))
            report = imp_core.Report(
                year=year, clinic=self.cfg.clinic_name, unit=self.unit_code,
                team=[(m.name, m.role) for m in self.cfg.team],
                meetings=[d for d, _ in meetings],
                indicators=imp_core.indicator_rows(meetings, self.cfg.targets),
                problems=imp_core.of_year(store.work(s, unit_id), year),
                imports=store.import_dates_of_year(s, unit_id, year),
                lower_bound=repo.unit_has_lower_bounds(s, unit_id),
                demo=demo,
                measures=imp_core.measure_rows([m.model_dump() for m in self.cfg.measures], dates, store.measure_history(s, unit_id, year)),
                sick_shares=sick,
                region_share=self.cfg.less.region_sick_share,
                country_share=self.cfg.less.country_sick_share,
                trainings=imp_core.trainings_by([m.model_dump() for m in self.cfg.team],
                                                [(x.person, x.course, x.date) for x in store.trainings(s, unit_id)],
                                                upto=dt.date(year, 12, 31)),
                supervisions=[imp_core.SupervisionLine(x.date, x.minutes, x.leader, len(store.supervision_attendees(x)))
                              for x in store.supervisions(s, unit_id) if x.date.year == year],
            )
            repo.audit(s, "report", unit_id, detail=f"year={year}")
            s.commit()
            return report


def year_of(value: str) -> int:
    """A report year as typed (``2023``); ValueError unless four digits."""
    if len(value) != 4 or not value.isascii() or not value.isdigit() or int(value) < 1900:
        raise ValueError(value)
    return int(value)
