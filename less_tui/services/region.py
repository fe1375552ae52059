"""The region's report: every care unit's indicators and queue at a date, side by side.

A region runs many clinics on one database (PostgreSQL, or one SQLite file): this is what its
insurance-medicine lead reads across them. Each unit is computed exactly as its own meeting sees it
(``views.overview_at``: the live episodes, the four indicators, the ranked queue); only the figures
come back — counts and shares, no patient.

The work is spread over the machine's cores: the units are dealt out to a few worker processes, each
with its own connection (SQLite in WAL mode and PostgreSQL both serve concurrent readers). Workers are
forked, so they start with the program already imported; where fork is not available the units are
computed one after the other in this process."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ..config import Config
from ..i18n import t
from ..core import indicators as ind_core
from ..storage import db
from ..storage.models import Unit, pk
from . import views

# fewer units than this per worker are not worth a process of their own
UNITS_PER_WORKER = 20
MAX_WORKERS = 8


@dataclass(frozen=True)
class UnitFigures:
    """One unit's figures at a date: what the region's report prints for it."""

    code: str
    name: str
    ongoing: int  # ongoing episodes, every diagnosis chapter
    population: int  # ongoing episodes in the indicator chapters (the indicators' denominator)
    values: dict[str, ind_core.Value]  # the four indicators now
    targets: dict[str, float]
    previous: dict[str, ind_core.Value] | None  # frozen at the unit's last closed meeting before the date
    previous_date: dt.date | None
    queue: int  # cases that qualify for the queue
    follow_ups: int  # of them, with an action due
    urgent: int  # of them, due now (an action due or a rehab-chain checkpoint reached)
    lower_bound: bool = False  # doctor counts from a Rehabstöd export (minimums): "one doctor" may be too high

    def indicator(self, key: str) -> ind_core.Indicator:
        """The indicator ``key`` with its target and previous value (share, delta, on target)."""
        v = self.values[key]
        return ind_core.Indicator(key, v.count, v.denominator, self.targets[key], ind_core.DIRECTIONS[key],
                                  (self.previous or {}).get(key), self.previous_date if self.previous else None)


def unit_figures(s: Session, cfg: Config, unit: Unit, at: dt.date) -> UnitFigures:
    """One unit's figures, in the session ``s``."""
    iset, items = views.overview_at(s, cfg, unit, at)
    first = iset.indicators[0]
    prev = {i.key: i.previous for i in iset.indicators if i.previous is not None} or None
    return UnitFigures(
        code=unit.code, name=unit.name, ongoing=iset.context.ongoing_total, population=iset.population,
        values={i.key: ind_core.Value(i.count, i.denominator) for i in iset.indicators},
        targets={i.key: i.target for i in iset.indicators}, previous=prev,
        previous_date=first.previous_date if prev else None, queue=len(items),
        follow_ups=sum(1 for it in items if it.follow_up), urgent=sum(1 for it in items if it.urgent),
        lower_bound=iset.context.lower_bound)


def _figures_of(url: str, cfg: Config, at: dt.date, unit_ids: list[int]) -> list[UnitFigures]:
    """The figures of ``unit_ids``, on a connection of this process's own (a worker's task)."""
    engine = db.make_engine(url)  # (the schema was checked by the process that started the report)
    try:
        return _figures_of_engine(engine, cfg, at, unit_ids)
    finally:
        engine.dispose()


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # (not on every platform)
        return os.cpu_count() or 1


def _shared_database(engine: Engine) -> bool:
    """Can another process open this database? (An in-memory SQLite database is this process's own.)"""
    return engine.url.get_backend_name() != "sqlite" or db.sqlite_path(str(engine.url)) is not None


def region_report(engine: Engine, cfg: Config, at: dt.date, workers: int | None = None) -> list[UnitFigures]:
    """Every unit's figures at ``at``, in unit-code order, computed by up to ``workers`` processes
    (default: the cores available, at most ``MAX_WORKERS``; never more than the cores; 1: in this
    process)."""
    with db.session(engine) as s:
        units = [(pk(u), u.code) for u in s.exec(select(Unit).order_by(Unit.code))]
    ids = [uid for uid, _ in units]
    # (more processes than cores only wait for each other: a number asked for is held to the cores)
    n = min(workers, default_workers()) if workers else min(default_workers(), MAX_WORKERS,
                                                             max(1, len(ids) // UNITS_PER_WORKER))
    n = min(n, len(ids))
    url = engine.url.render_as_string(hide_password=False)
    if n <= 1 or "fork" not in multiprocessing.get_all_start_methods() or not _shared_database(engine):
        figures = _figures_of_engine(engine, cfg, at, ids)
    else:
        chunks = [ids[i::n] for i in range(n)]  # dealt out: each worker gets large and small units alike
        with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_figures_of, url, cfg, at, chunk) for chunk in chunks]
            figures = [f for fut in futures for f in fut.result()]
    order = {code: i for i, (_, code) in enumerate(units)}
    figures.sort(key=lambda f: order[f.code])
    return figures


def _figures_of_engine(engine: Engine, cfg: Config, at: dt.date, unit_ids: list[int]) -> list[UnitFigures]:
    try:
        with db.session(engine) as s:  # one transaction per process (a report made while an import runs
            # may show that import in some units and not yet in others; run it again for one moment's figures)
            return [unit_figures(s, cfg, s.get_one(Unit, uid), at) for uid in unit_ids]
    except Exception as e:
        if db.is_db_error(e):  # in the database's words, as an error that also crosses back from a worker
            shown = engine.url.render_as_string(hide_password=True)
            raise db.DatabaseError(t("dberr.region_read", db=shown, error=db.db_reason(e))) from None
        raise
