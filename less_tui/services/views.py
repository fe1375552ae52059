"""What the clinic's rules make of the stored rows, inside a service's transaction: episodes, the four
indicators, the queue, and the meeting rows that need the settings (the roster, the frozen counts).

Each function takes the session ``s`` of the service call that owns the transaction; ``storage.repo``
answers the queries, ``core`` computes, and the settings come from the ``Config`` passed in."""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

from sqlmodel import Session

from .. import clock
from ..config import Config
from ..core import episodes as ep_core
from ..core import improvement as imp_core
from ..core import indicators as ind_core
from ..core import queue as queue_core
from ..core.episodes import Episode
from ..storage import repo
from ..storage.models import Meeting, Unit, pk
from .errors import NotHeldYet, TooFarAhead, UnknownUnit


def configured_unit(s: Session, cfg: Config) -> Unit:
    """The care unit ``clinic.unit`` names; made when the database holds no unit yet (a new installation),
    ``UnknownUnit`` when it holds others but not this one (a typo in the config, or another clinic's
    database): never quietly a new, empty unit that the region's report then lists."""
    try:
        return existing_unit(s, cfg)
    except repo.NotFound:  # (no unit at all yet)
        return repo.get_unit(s, cfg.unit, name=cfg.clinic_name)


def existing_unit(s: Session, cfg: Config) -> Unit:
    """The care unit ``clinic.unit`` names, for a command that only reads (never made): ``UnknownUnit``
    when the database holds others, ``repo.NotFound`` when it holds none yet."""
    try:
        return repo.get_unit(s, cfg.unit, create=False)
    except repo.NotFound:
        others = repo.unit_codes(s)
        if others:
            raise UnknownUnit(cfg.unit, others) from None
        raise


def roster_attendees(cfg: Config) -> list[str]:
    """The roster's names that attend a meeting by default."""
    return [m.name for m in cfg.team if m.attendee]


def episodes_at(s: Session, unit_id: int, at: dt.date, max_gap_days: int) -> list[Episode]:
    return ep_core.build_episodes(repo.load_certs(s, unit_id), at, max_gap_days, repo.load_records(s, unit_id))


def live_episodes_at(s: Session, unit_id: int, at: dt.date, max_gap_days: int,
                     also_cert_ids: Iterable[int] = ()) -> list[Episode]:
    """The episodes of the patients with an episode ongoing at ``at`` (and of the certificates
    ``also_cert_ids``: follow-ups due, cases reviewed at a meeting), built by the same rule as
    ``episodes_at``: for those patients the episodes are identical. What the indicators and the queue
    need, without building every patient the unit ever had."""
    also = list(also_cert_ids)
    return ep_core.build_episodes(repo.load_live_certs(s, unit_id, at, also), at, max_gap_days,
                                  repo.load_live_records(s, unit_id, at, also))


def case_numbers_at(s: Session, unit_id: int, at: dt.date, max_gap_days: int, cert_ids: Iterable[int]
                    ) -> dict[int, int]:
    """{certificate id: the number of the case that holds it at ``at``} for ``cert_ids`` (reviews' anchor
    certificates). A review keeps the number its case had when it was taken up; a later import that
    back-fills the gap between two episodes makes one case of them, numbered by the smaller, and a
    follow-up is then found under that number."""
    ids = set(cert_ids)
    eps = ep_core.build_episodes(repo.load_certs_of_holders(s, unit_id, ids), at, max_gap_days, [])
    return {cid: e.case_no for e in eps if e.case_no for cid in e.cert_ids & ids}


def indicators_at(s: Session, cfg: Config, unit: Unit, at: dt.date,
                  episodes: list[Episode] | None = None) -> ind_core.IndicatorSet:
    eps = episodes if episodes is not None else live_episodes_at(s, pk(unit), at, cfg.max_gap_days)
    prev = repo.previous_closed(s, pk(unit), at)
    return ind_core.compute(eps, at, cfg.chapters, cfg.targets,
                            repo.frozen(s, pk(prev)) if prev else None, prev.date if prev else None)


def queue_at(s: Session, cfg: Config, unit: Unit, at: dt.date, episodes: list[Episode] | None = None,
             due: dict[int, int] | None = None) -> list[queue_core.QueueItem]:
    """The ranked queue; ``due`` (``repo.open_actions_due``) when the caller has already read it."""
    if due is None:
        due = repo.open_actions_due(s, pk(unit), at)
    eps = episodes if episodes is not None else live_episodes_at(s, pk(unit), at, cfg.max_gap_days, due)
    return queue_core.rank(eps, cfg.queue, due)


def overview_at(s: Session, cfg: Config, unit: Unit, at: dt.date
                ) -> tuple[ind_core.IndicatorSet, list[queue_core.QueueItem]]:
    """A unit's indicators and queue at ``at`` from one load of its live episodes (a region's report
    makes this for every unit)."""
    due = repo.open_actions_due(s, pk(unit), at)
    eps = live_episodes_at(s, pk(unit), at, cfg.max_gap_days, due)
    return indicators_at(s, cfg, unit, at, eps), queue_at(s, cfg, unit, at, eps, due)


def check_new_meeting(s: Session, unit: Unit, date: dt.date) -> None:
    """A meeting not made yet is planned at most a year ahead (``TooFarAhead``, a typo); one that exists
    opens whatever its date."""
    latest = imp_core.too_far_ahead(date, clock.today())
    if latest is not None and repo.meeting_at(s, pk(unit), date) is None:
        raise TooFarAhead(date, latest)


def create_meeting(s: Session, cfg: Config, unit: Unit, date: dt.date,
                   names: Sequence[str] | None = None) -> Meeting:
    """A new meeting (the roster's attendees unless ``names``); ``ValueError`` if the date has one,
    ``TooFarAhead`` if it is more than a year ahead."""
    check_new_meeting(s, unit, date)
    return repo.create_meeting(s, unit, date, roster_attendees(cfg) if names is None else names)


def open_or_create_meeting(s: Session, cfg: Config, unit: Unit, date: dt.date) -> Meeting:
    check_new_meeting(s, unit, date)
    return repo.open_or_create_meeting(s, unit, date, roster_attendees(cfg))


def close_meeting(s: Session, cfg: Config, unit: Unit, m: Meeting) -> ind_core.IndicatorSet:
    """Close the meeting with its indicators frozen as they are now; ``ValueError`` if it is closed,
    ``NotHeldYet`` if its date is after today (its figures would be those of a day not come)."""
    if m.status == "closed":
        raise ValueError(f"the meeting on {m.date.isoformat()} is already closed")
    if imp_core.not_held_yet(m.date, clock.today()):
        raise NotHeldYet(m.date, clock.today())
    iset = indicators_at(s, cfg, unit, m.date)
    repo.close_meeting(s, unit, m, iset.frozen() | ind_core.frozen_context(iset))
    return iset
