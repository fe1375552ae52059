"""The improvement work as the app and the command line use it: problems, ideas and PDSA cycles, and
the year's report data. Each call is one session and, for a change, one transaction."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ..config import Config
from ..core import improvement as imp_core
from ..storage import improvement as store
from ..storage import repo
from ..storage.repo import NotFound as NoUnit  # noqa: F401  (re-exported for callers)


class NoClosedMeeting(LookupError):
    """The year has no closed meeting of the unit: there is no indicator value to report."""


class ImprovementService:
    def __init__(self, engine: Engine, cfg: Config, unit_code: str | None = None):
        self.engine = engine
        self.cfg = cfg
        self.unit_code = unit_code or cfg.unit

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _unit_id(self, s: Session, create: bool = False) -> int:
        return repo.get_unit(s, self.unit_code, create=create, name=self.cfg.clinic_name).id

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
            out = {str(p.number): p.id for p in ps}
            numbers = {p.id: p.number for p in ps}
            for i in store.ideas_of(s, list(numbers)):
                out[imp_core.idea_code(numbers[i.problem_id], i.number)] = i.id
            return out

    def add_problem(self, text: str) -> int:
        with self._session() as s:
            p = store.add_problem(s, self._unit_id(s, create=True), text)
            s.commit()
            return p.id

    def set_problem_text(self, problem_id: int, text: str) -> None:
        with self._session() as s:
            store.set_problem_text(s, self._unit_id(s), problem_id, text)
            s.commit()

    def add_idea(self, problem_id: int, text: str, indicators: Sequence[str] = (), status: str = "planned") -> int:
        with self._session() as s:
            i = store.add_idea(s, self._unit_id(s), problem_id, text, indicators, status)
            s.commit()
            return i.id

    def update_idea(self, idea_id: int, **fields) -> None:
        with self._session() as s:
            store.update_idea(s, self._unit_id(s), idea_id, **fields)
            s.commit()

    def add_cycle(self, idea_id: int, **fields) -> int:
        with self._session() as s:
            c = store.add_cycle(s, self._unit_id(s), idea_id, **fields)
            s.commit()
            return c.id

    def update_cycle(self, cycle_id: int, **fields) -> None:
        with self._session() as s:
            store.update_cycle(s, self._unit_id(s), cycle_id, **fields)
            s.commit()

    # -------------------------------------------------------------- the year's report

    def report(self, year: int, demo: bool = False) -> imp_core.Report:
        """The year's report data. Patients are never read: only counts frozen at closing, the
        unit's import dates, the roster and the improvement work."""
        with self._session() as s:
            unit_id = self._unit_id(s)
            meetings = store.closed_meetings_of_year(s, unit_id, year)
            if not meetings:
                raise NoClosedMeeting(year)
            report = imp_core.Report(
                year=year, clinic=self.cfg.clinic_name, unit=self.unit_code,
                team=[(m["name"], m.get("role", "")) for m in self.cfg.team],
                meetings=[d for d, _ in meetings],
                indicators=imp_core.indicator_rows(meetings, self.cfg.targets),
                problems=store.work(s, unit_id),
                imports=store.import_dates_of_year(s, unit_id, year),
                demo=demo,
            )
            repo.audit(s, "report", unit_id, detail=f"year={year}")
            s.commit()
            return report


def year_of(value: str) -> int:
    """A report year as typed (``2023``); ValueError unless four digits."""
    if len(value) != 4 or not value.isascii() or not value.isdigit() or int(value) < 1900:
        raise ValueError(value)
    return int(value)
