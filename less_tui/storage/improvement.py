"""Queries of the improvement work: problems, ideas and PDSA cycles, and what the year's report reads
(the closed meetings' frozen values, the import dates)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Sequence

from sqlalchemy import select
from sqlmodel import Session

from .. import clock
from ..core import improvement as imp_core
from ..core import indicators as ind_core
from . import repo
from .models import (ImportBatch, ImprovementIdea, ImprovementProblem, Meeting, MeetingMeasure, PdsaCycle,
                     SupervisionSession, Training)


class NotFound(LookupError):
    """No such problem, idea or cycle in this unit."""


def problems(s: Session, unit_id: int) -> list[ImprovementProblem]:
    return list(s.scalars(select(ImprovementProblem).where(ImprovementProblem.unit_id == unit_id)
                          .order_by(ImprovementProblem.number)))


def ideas_of(s: Session, problem_ids: Sequence[int]) -> list[ImprovementIdea]:
    if not problem_ids:
        return []
    return list(s.scalars(select(ImprovementIdea).where(ImprovementIdea.problem_id.in_(list(problem_ids)))
                          .order_by(ImprovementIdea.problem_id, ImprovementIdea.number)))


def cycles_of(s: Session, idea_ids: Sequence[int]) -> list[PdsaCycle]:
    if not idea_ids:
        return []
    return list(s.scalars(select(PdsaCycle).where(PdsaCycle.idea_id.in_(list(idea_ids)))
                          .order_by(PdsaCycle.idea_id, PdsaCycle.start, PdsaCycle.id)))


def add_problem(s: Session, unit_id: int, text: str) -> ImprovementProblem:
    taken = s.scalars(select(ImprovementProblem.number).where(ImprovementProblem.unit_id == unit_id)).all()
    now = clock.now()
    p = ImprovementProblem(unit_id=unit_id, number=imp_core.next_number(taken), text=text, created_at=now,
                           updated_at=now)
    s.add(p)
    s.flush()
    repo.audit(s, "improvement.problem.add", unit_id, detail=str(p.number))
    return p


def problem(s: Session, unit_id: int, problem_id: int) -> ImprovementProblem:
    p = s.get(ImprovementProblem, problem_id)
    if p is None or p.unit_id != unit_id:
        raise NotFound(f"problem {problem_id}")
    return p


def idea(s: Session, unit_id: int, idea_id: int) -> tuple[ImprovementProblem, ImprovementIdea]:
    i = s.get(ImprovementIdea, idea_id)
    if i is None:
        raise NotFound(f"idea {idea_id}")
    return problem(s, unit_id, i.problem_id), i


def cycle(s: Session, unit_id: int, cycle_id: int) -> tuple[ImprovementIdea, PdsaCycle]:
    c = s.get(PdsaCycle, cycle_id)
    if c is None:
        raise NotFound(f"cycle {cycle_id}")
    return idea(s, unit_id, c.idea_id)[1], c


def set_problem_text(s: Session, unit_id: int, problem_id: int, text: str) -> None:
    p = problem(s, unit_id, problem_id)
    p.text, p.updated_at = text, clock.now()
    s.add(p)


def add_idea(s: Session, unit_id: int, problem_id: int, text: str, indicators: Sequence[str] = (),
             status: str = "planned") -> ImprovementIdea:
    p = problem(s, unit_id, problem_id)
    if status not in imp_core.STATUSES:
        raise ValueError(f"unknown status {status!r}")
    taken = s.scalars(select(ImprovementIdea.number).where(ImprovementIdea.problem_id == p.id)).all()
    now = clock.now()
    i = ImprovementIdea(problem_id=p.id, number=imp_core.next_number(taken), text=text, status=status,
                        indicators=json.dumps(list(indicators)), created_at=now, updated_at=now)
    s.add(i)
    s.flush()
    repo.audit(s, "improvement.idea.add", unit_id, detail=imp_core.idea_code(p.number, i.number))
    return i


def update_idea(s: Session, unit_id: int, idea_id: int, **fields) -> ImprovementIdea:
    """Change an idea's ``text``, ``status`` or ``indicators`` (a list of indicator keys)."""
    p, i = idea(s, unit_id, idea_id)
    if "status" in fields and fields["status"] not in imp_core.STATUSES:
        raise ValueError(f"unknown status {fields['status']!r}")
    if "indicators" in fields:
        fields["indicators"] = json.dumps(list(fields["indicators"]))
    old_status = i.status
    for k, v in fields.items():
        setattr(i, k, v)
    i.updated_at = clock.now()
    s.add(i)
    if i.status != old_status:
        repo.audit(s, "improvement.idea.status", unit_id,
                   detail=f"{imp_core.idea_code(p.number, i.number)} {old_status} -> {i.status}")
    return i


def idea_indicators(i: ImprovementIdea) -> tuple[str, ...]:
    try:
        return tuple(k for k in json.loads(i.indicators or "[]") if isinstance(k, str))
    except ValueError:
        return ()


def add_cycle(s: Session, unit_id: int, idea_id: int, **fields) -> PdsaCycle:
    p, i = idea(s, unit_id, idea_id)
    imp_core.check_cycle_dates(fields.get("start"), fields.get("end"))
    now = clock.now()
    c = PdsaCycle(idea_id=i.id, created_at=now, updated_at=now, **fields)
    s.add(c)
    s.flush()
    repo.audit(s, "improvement.cycle.add", unit_id, detail=imp_core.idea_code(p.number, i.number))
    return c


def update_cycle(s: Session, unit_id: int, cycle_id: int, **fields) -> PdsaCycle:
    _, c = cycle(s, unit_id, cycle_id)
    imp_core.check_cycle_dates(fields.get("start", c.start), fields.get("end", c.end))
    for k, v in fields.items():
        setattr(c, k, v)
    c.updated_at = clock.now()
    s.add(c)
    return c


def delete_cycle(s: Session, unit_id: int, cycle_id: int) -> None:
    i, c = cycle(s, unit_id, cycle_id)
    p, _ = idea(s, unit_id, i.id)
    s.delete(c)
    repo.audit(s, "improvement.cycle.delete", unit_id, detail=f"{imp_core.idea_code(p.number, i.number)} "
               f"{c.start.isoformat() if c.start else '…'}–{c.end.isoformat() if c.end else '…'}")


def delete_idea(s: Session, unit_id: int, idea_id: int) -> int:
    """Remove an idea and its cycles (the audit row says how many); returns the number of cycles."""
    p, i = idea(s, unit_id, idea_id)
    cycles = cycles_of(s, [i.id])
    for c in cycles:
        s.delete(c)
    s.flush()
    s.delete(i)
    repo.audit(s, "improvement.idea.delete", unit_id,
               detail=f"{imp_core.idea_code(p.number, i.number)} (cycles {len(cycles)})")
    return len(cycles)


def delete_problem(s: Session, unit_id: int, problem_id: int) -> tuple[int, int]:
    """Remove a problem with its ideas and their cycles (the audit row says how many); returns
    (ideas, cycles) removed."""
    p = problem(s, unit_id, problem_id)
    ideas = ideas_of(s, [p.id])
    cycles = cycles_of(s, [i.id for i in ideas])
    for c in cycles:
        s.delete(c)
    s.flush()
    for i in ideas:
        s.delete(i)
    s.flush()
    s.delete(p)
    repo.audit(s, "improvement.problem.delete", unit_id,
               detail=f"{p.number} (ideas {len(ideas)}, cycles {len(cycles)})")
    return len(ideas), len(cycles)


def work(s: Session, unit_id: int) -> list[imp_core.ProblemLine]:
    """Every problem of the unit with its ideas and their cycles, as plain data."""
    ps = problems(s, unit_id)
    ideas = ideas_of(s, [p.id for p in ps])
    cycles: dict[int, list[imp_core.CycleLine]] = {}
    for c in cycles_of(s, [i.id for i in ideas]):
        cycles.setdefault(c.idea_id, []).append(imp_core.CycleLine(
            plan=c.plan, do=c.do, study=c.study, act=c.act, owner=c.owner, start=c.start, end=c.end,
            result=c.result, id=c.id, created=_day(c.created_at)))
    by_problem: dict[int, list[imp_core.IdeaLine]] = {}
    numbers = {p.id: p.number for p in ps}
    for i in ideas:
        by_problem.setdefault(i.problem_id, []).append(imp_core.IdeaLine(
            code=imp_core.idea_code(numbers[i.problem_id], i.number), text=i.text, status=i.status,
            indicators=idea_indicators(i), cycles=tuple(cycles.get(i.id, ())), id=i.id,
            created=_day(i.created_at), changed=_day(i.updated_at)))
    return [imp_core.ProblemLine(number=p.number, text=p.text, ideas=tuple(by_problem.get(p.id, ())), id=p.id,
                                 created=_day(p.created_at))
            for p in ps]


def closed_meetings_of_year(s: Session, unit_id: int, year: int) -> list[tuple[dt.date, dict[str, ind_core.Value]]]:
    """The year's closed meetings (oldest first) with their frozen indicator values."""
    ms = s.scalars(select(Meeting).where(Meeting.unit_id == unit_id, Meeting.status == "closed",
                                         Meeting.date >= dt.date(year, 1, 1), Meeting.date <= dt.date(year, 12, 31))
                   .order_by(Meeting.date))
    return [(m.date, repo.frozen(s, m.id)) for m in ms]


def import_dates_of_year(s: Session, unit_id: int, year: int) -> list[dt.date]:
    """The as-of dates of the unit's imports in the year (each date once, oldest first)."""
    rows = s.scalars(select(ImportBatch.as_of).where(
        ImportBatch.unit_id == unit_id, ImportBatch.as_of >= dt.date(year, 1, 1),
        ImportBatch.as_of <= dt.date(year, 12, 31)).order_by(ImportBatch.as_of))
    return sorted(set(rows))


# ---------------------------------------------------------------- the team's own measures

def measures_of(s: Session, meeting_id: int) -> dict[str, ind_core.Value]:
    """{key: value} of a meeting (a count alone has denominator 0)."""
    rows = s.scalars(select(MeetingMeasure).where(MeetingMeasure.meeting_id == meeting_id))
    return {r.key: ind_core.Value(r.count, r.denominator or 0) for r in rows}


def set_measure(s: Session, unit_id: int, m: Meeting, key: str, count: int, denominator: int | None) -> None:
    """Write a measure's value at an open meeting (a closed one refuses: its values are frozen)."""
    repo.require_open(s, m.id)
    row = s.scalars(select(MeetingMeasure).where(MeetingMeasure.meeting_id == m.id,
                                                 MeetingMeasure.key == key)).first()
    if row is None:
        row = MeetingMeasure(meeting_id=m.id, key=key, count=count, denominator=denominator,
                             updated_by=repo.os_user(), updated_at=clock.now())
    else:
        row.count, row.denominator = count, denominator
        row.updated_by, row.updated_at = repo.os_user(), clock.now()
    s.add(row)
    repo.audit(s, "measure.set", unit_id, detail=f"{m.date.isoformat()} {key}={count}"
               + (f"/{denominator}" if denominator is not None else ""))


def measure_history(s: Session, unit_id: int, year: int | None = None) -> list[tuple[dt.date, dict[str, ind_core.Value]]]:
    """The measures of the unit's closed meetings (of ``year``, when given), oldest first."""
    q = select(Meeting).where(Meeting.unit_id == unit_id, Meeting.status == "closed")
    if year is not None:
        q = q.where(Meeting.date >= dt.date(year, 1, 1), Meeting.date <= dt.date(year, 12, 31))
    return [(m.date, measures_of(s, m.id)) for m in s.scalars(q.order_by(Meeting.date))]


# ---------------------------------------------------------------- training and supervision

def add_training(s: Session, unit_id: int, person: str, course: str, date: dt.date) -> Training:
    row = Training(unit_id=unit_id, person=person, course=course, date=date, created_at=clock.now())
    s.add(row)
    s.flush()
    repo.audit(s, "training.add", unit_id, detail=f"{date.isoformat()} {person}: {course}")
    return row


def trainings(s: Session, unit_id: int) -> list[Training]:
    return list(s.scalars(select(Training).where(Training.unit_id == unit_id).order_by(Training.date, Training.id)))


def add_supervision(s: Session, unit_id: int, date: dt.date, minutes: int, leader: str,
                    attendees: Sequence[str]) -> SupervisionSession:
    row = SupervisionSession(unit_id=unit_id, date=date, minutes=minutes, leader=leader,
                             attendees=json.dumps(list(attendees), ensure_ascii=False), created_at=clock.now())
    s.add(row)
    s.flush()
    repo.audit(s, "supervision.add", unit_id, detail=f"{date.isoformat()} {minutes} min, {leader}")
    return row


def supervisions(s: Session, unit_id: int) -> list[SupervisionSession]:
    return list(s.scalars(select(SupervisionSession).where(SupervisionSession.unit_id == unit_id)
                          .order_by(SupervisionSession.date, SupervisionSession.id)))


def remove_supervision(s: Session, unit_id: int, row: SupervisionSession) -> None:
    """A session recorded by mistake, removed (audited with what it said)."""
    repo.audit(s, "supervision.remove", unit_id, detail=f"{row.date.isoformat()} {row.minutes} min, {row.leader}")
    s.delete(row)


def remove_training(s: Session, unit_id: int, row: Training) -> None:
    """A training recorded by mistake, removed (audited with what it said)."""
    repo.audit(s, "training.remove", unit_id, detail=f"{row.date.isoformat()} {row.person}: {row.course}")
    s.delete(row)


def supervision_attendees(row: SupervisionSession) -> list[str]:
    try:
        return [x for x in json.loads(row.attendees or "[]") if isinstance(x, str)]
    except ValueError:
        return []


def _day(ts: dt.datetime | None) -> dt.date | None:
    """The local date of a stored time (a naive one is read as local time)."""
    return ts.astimezone().date() if ts is not None else None


def changed_between(s: Session, unit_id: int, after: dt.date | None, upto: dt.date
                    ) -> list[tuple[imp_core.IdeaLine, bool, tuple[imp_core.CycleLine, ...]]]:
    """The ideas changed after the day ``after`` (None: ever) up to and including ``upto``: (the idea,
    whether the idea itself was added or changed, e.g. its status, and its cycles added or changed
    then), in the improvement work's order."""
    def inside(ts: dt.datetime | None) -> bool:
        d = _day(ts)
        return d is not None and d <= upto and (after is None or d > after)

    ps = problems(s, unit_id)
    ideas = ideas_of(s, [p.id for p in ps])
    changed_cycles: dict[int, list[imp_core.CycleLine]] = {}
    for c in cycles_of(s, [i.id for i in ideas]):
        if inside(c.created_at) or inside(c.updated_at):
            changed_cycles.setdefault(c.idea_id, []).append(imp_core.CycleLine(
                plan=c.plan, do=c.do, study=c.study, act=c.act, owner=c.owner, start=c.start, end=c.end,
                result=c.result, id=c.id))
    numbers = {p.id: p.number for p in ps}
    out = []
    for i in sorted(ideas, key=lambda i: (numbers[i.problem_id], i.number)):
        own = inside(i.created_at) or inside(i.updated_at)
        cyc = tuple(changed_cycles.get(i.id, ()))
        if own or cyc:
            out.append((imp_core.IdeaLine(code=imp_core.idea_code(numbers[i.problem_id], i.number), text=i.text,
                                          status=i.status, indicators=idea_indicators(i), id=i.id), own, cyc))
    return out
