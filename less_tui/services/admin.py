"""What the command line does with meetings, indicators and the queue: one transaction per call,
plain data back (the command prints it). Refusals are ``services.errors`` exceptions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence, TypedDict

from sqlalchemy.engine import Engine

from ..config import Config
from ..core import indicators as ind_core
from ..core.queue import QueueItem
from ..storage import db, repo
from ..storage.models import pk
from . import views
from .errors import AlreadyClosed, MeetingExists, NotClosed, NotFound, ReasonRequired


def new_meeting(engine: Engine, cfg: Config, date: dt.date, names: Sequence[str] | None = None) -> None:
    """Create the unit's meeting on ``date`` (the roster's attendees unless ``names``)."""
    with db.session(engine) as s:
        unit = views.configured_unit(s, cfg)
        try:
            views.create_meeting(s, cfg, unit, date, names or None)
        except ValueError:  # the one reason: the date has a meeting already
            raise MeetingExists(date.isoformat()) from None
        s.commit()


def check_meeting_date(engine: Engine, cfg: Config, date: dt.date) -> None:
    """``TooFarAhead`` when no meeting is on ``date`` and it is more than a year ahead (the app would make it)."""
    with db.session(engine) as s:
        unit = views.configured_unit(s, cfg)
        views.check_new_meeting(s, unit, date)


def close_meeting(engine: Engine, cfg: Config, date: dt.date) -> ind_core.IndicatorSet:
    """Close the meeting on ``date``, freezing its indicator counts; ``NotFound`` without one,
    ``AlreadyClosed`` if it is closed."""
    with db.session(engine) as s:
        unit = views.configured_unit(s, cfg)
        m = repo.meeting_at(s, pk(unit), date)
        if m is None:
            raise NotFound(date.isoformat())
        if m.status == "closed":
            raise AlreadyClosed(date.isoformat())
        try:
            iset = views.close_meeting(s, cfg, unit, m)
        except ValueError as e:  # closed meanwhile
            raise AlreadyClosed(str(e)) from None
        s.commit()
        return iset


def reopen_meeting(engine: Engine, cfg: Config, date: dt.date, reason: str) -> None:
    """Reopen the closed meeting on ``date``; ``NotFound`` without one, ``NotClosed`` if it is open,
    ``ReasonRequired`` without a reason."""
    with db.session(engine) as s:
        unit = views.configured_unit(s, cfg)
        m = repo.meeting_at(s, pk(unit), date)
        if m is None:
            raise NotFound(date.isoformat())
        try:
            repo.reopen_meeting(s, unit, m, reason)
        except repo.NotClosed as e:
            raise NotClosed(str(e)) from None
        except repo.ReasonRequired as e:
            raise ReasonRequired(str(e)) from None
        s.commit()


class MeetingListed(TypedDict):
    """A meeting as ``meetings`` lists it (the command prints it, or writes it as JSON)."""

    date: str  # ISO
    status: str
    attendees: list[str]
    cases: int  # reviewed at the meeting


def meetings(engine: Engine, cfg: Config) -> list[MeetingListed]:
    """The unit's meetings, oldest first: date, status, attendees and the number of cases reviewed."""
    with db.session(engine) as s:
        unit = views.configured_unit(s, cfg)
        return [{"date": m.date.isoformat(), "status": m.status, "attendees": repo.attendees(m),
                 "cases": len(repo.recorded_reviews(s, pk(m)))} for m in repo.list_meetings(s, pk(unit))]


def indicators(engine: Engine, cfg: Config, at: dt.date
               ) -> tuple[ind_core.IndicatorSet, list[tuple[dt.date, dict[str, ind_core.Value]]]]:
    """The indicators at ``at``, and the frozen counts of every closed meeting (oldest first)."""
    with db.session(engine) as s:
        unit = views.configured_unit(s, cfg)
        return views.indicators_at(s, cfg, unit, at), repo.indicator_history(s, pk(unit))


@dataclass
class Listed:
    """A case of the queue with its patient's personnummer and name."""
    item: QueueItem
    pnr: str
    name: str


def queue(engine: Engine, cfg: Config, at: dt.date, limit: int = 0, identify: bool = False) -> list[Listed]:
    """The ranked queue at ``at`` (at most ``limit`` cases when > 0). With ``identify`` the listing is
    audited (``queue.identify``) with one ``queue.identified`` row per patient listed."""
    with db.session(engine) as s:
        unit = views.configured_unit(s, cfg)
        items = views.queue_at(s, cfg, unit, at)
        if limit > 0:
            items = items[:limit]
        pats = repo.patients_by_id(s, [it.episode.patient_id for it in items])
        if identify:  # the listing, then one row per patient listed (so `audit --patient` finds each)
            repo.audit(s, "queue.identify", unit.id, detail=f"at={at.isoformat()} cases={len(items)}")
            repo.audit_patients(s, "queue.identified", unit.id,
                                [(it.episode.patient_id, it.episode.case_no) for it in items],
                                detail=f"at={at.isoformat()}")
            s.commit()
        return [Listed(it, pats[it.episode.patient_id].pnr, pats[it.episode.patient_id].name) for it in items]
