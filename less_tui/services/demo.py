"""Fill a database with a synthetic clinic anchored at today, with a year of meetings."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine

from .. import clock
from ..config import Config
from ..core import demo as gen
from ..core.importer import Row
from ..storage import db, importing, repo
from ..storage.models import pk
from . import views

PLANS = [
    "Återbesök hos samma läkare om fyra veckor. Pröva deltid 50 % från nästa period.",
    "Patienten träffar rehabkoordinator. Kontakt med arbetsgivaren om anpassade arbetsuppgifter.",
    "Bedömning av psykolog (LESS: primär bedömning). Rehabplan upprättas med patienten.",
    "Fysioterapeut tar primär bedömning. Stegvis återgång, 25 % arbete från vecka 2.",
    "Avstämningsmöte med Försäkringskassan och arbetsgivaren inför dag 180.",
    "Fast läkarkontakt: samma läkare skriver fortsättningsintyg. Kurator för stödsamtal.",
    "Multiprofessionell konferens. Utred arbetsförmåga mot normalt förekommande arbete inför dag 365.",
]
ACTIONS = [
    ("Återbesök hos samma läkare", "Jessica Bylund"),
    ("Remiss till rehabkoordinator", "Kerstin Bronner"),
    ("Kontakt med arbetsgivare", "Kerstin Bronner"),
    ("Upprätta rehabplan med patienten", "Kerstin Bronner"),
    ("Pröva deltidssjukskrivning", "Jessica Bylund"),
    ("Bedömning av fysioterapeut", "Sara Lindqvist"),
    ("Avstämningsmöte med Försäkringskassan", "Kerstin Bronner"),
    ("Multiprofessionell konferens", "Niran El Kouni"),
]


@dataclass
class DemoResult:
    units: int
    certificates: int
    meetings: int


# The demo's import batches carry this kind (a real import is "intyg" or "rehabstod"): the marker that
# a database holds demo data, written in the same transaction as the demo's certificates.
DEMO_KIND = "demo"
DEMO_FILE = "demo.db"


def default_path() -> Path:
    """Where ``less-tui demo`` builds the demo clinic without ``--db``: beside, never in, the real database."""
    from ..config import user_data_dir

    return user_data_dir() / DEMO_FILE


def is_demo(engine: Engine) -> bool:
    """Does this database hold demo data? (Also recognises a demo built before the marker existed:
    a batch named "demo" whose checksum is that of its name, not of a file.)"""
    with db.session(engine) as s:
        if repo.batch_of_kind(s, DEMO_KIND):
            return True
        return repo.batch_named(s, "demo", hashlib.sha256(b"demo").hexdigest())


def has_certificates(engine: Engine) -> bool:
    with db.session(engine) as s:
        return repo.any_certificate(s)


def has_data(engine: Engine, unit_code: str) -> bool:
    with db.session(engine) as s:
        return repo.unit_certificate_count(s, unit_code) > 0


def _rows_batch(rows: list[Row], name: str) -> importing.ImportFile:
    sha = hashlib.sha256(name.encode()).hexdigest()
    return importing.ImportFile(name, sha, DEMO_KIND, len(rows), 0, rows)


def build_clinic(engine: Engine, cfg: Config, seed: int = 1, today: dt.date | None = None) -> DemoResult:
    today = today or clock.today()
    rows = gen.generate(today, seed=seed, unit=cfg.unit)
    importing.store(engine, cfg, [_rows_batch(rows, "demo")], as_of=today)
    rng = random.Random(seed * 7919)
    meetings = 0
    with db.session(engine) as s:
        unit = repo.get_unit(s, cfg.unit)
        unit.listed_patients = 12600
        unit.name = cfg.clinic_name
        s.add(unit)
        previous: list[int] = []  # action ids of the last meeting
        unit_id = pk(unit)
        for k in range(12, 0, -1):
            date = clock.add_months(today, -k)
            # the coordinator's work between meetings: statuses recorded as of this date
            eps = views.episodes_at(s, unit_id, date, cfg.max_gap_days)
            progress = (12 - k) / 11  # 0 .. 1 over the year
            recs: list[tuple[int, str, str]] = []
            for e in eps:
                if not e.ongoing or e.day_number() < 20:
                    continue
                anchor = max(e.certs, key=lambda c: (c.start, c.id)).id
                if not e.coordinator_contact and rng.random() < 0.05 + 0.10 * progress:
                    recs.append((anchor, "coordinator", rng.choice(["Kontaktad", "Aktiv", "Aktiv", "Uppföljning"])))
                if not e.rehab_plan and e.coordinator_contact and rng.random() < 0.04 + 0.16 * progress:
                    recs.append((anchor, "rehab_plan", "ja"))
            repo.add_status_records(s, unit_id, date, recs, source="import", os_user_name="demo")
            m = views.create_meeting(s, cfg, unit, date)
            m.started_at = dt.datetime.combine(date, dt.time(13, 0)).astimezone()
            # follow up the open actions of earlier meetings
            still_open = []
            for aid in previous:
                roll = rng.random()
                status = "done" if roll < 0.7 else ("dropped" if roll < 0.8 else "open")
                if status != "open":
                    repo.set_action_status(s, aid, status, pk(m))
                else:
                    still_open.append(aid)
            previous = still_open
            eps = views.episodes_at(s, unit_id, date, cfg.max_gap_days)
            items = views.queue_at(s, cfg, unit, date, eps)
            for it in items[: rng.randint(8, 14)]:
                e = it.episode
                r = repo.ensure_review(s, m, e, it.reasons)
                r.plan = rng.choice(PLANS)
                r.primary_assessor = rng.choice(["", "psychologist", "physiotherapist", "counsellor", "doctor"])
                r.updated_at = m.started_at
                s.add(r)
                for kind, owner in rng.sample(ACTIONS, rng.randint(1, 3)):
                    a = repo.add_action(s, pk(r), kind, owner, clock.add_months(date, cfg.meeting.cadence_months))
                    previous.append(pk(a))
                if rng.random() < 0.5 and not e.coordinator_contact:
                    repo.record_status(s, unit_id, e, "coordinator", "Kontaktad", date, pk(m))
                if rng.random() < 0.25 * (1 + progress) and not e.rehab_plan:
                    repo.record_status(s, unit_id, e, "rehab_plan", "ja", date, pk(m))
            s.flush()
            views.close_meeting(s, cfg, unit, m)
            m.closed_at = m.started_at + dt.timedelta(minutes=rng.randint(38, 52))
            s.add(m)
            meetings += 1
        repo.audit(s, "demo", unit_id, detail=f"seed={seed}")
        s.commit()
    return DemoResult(units=1, certificates=len(rows), meetings=meetings)


def build_region(engine: Engine, cfg: Config, seed: int = 1, units: int = 200, per_unit: int = 1500,
                 today: dt.date | None = None, progress: Callable[[int, int], None] | None = None) -> DemoResult:
    """About a million certificates over ``units`` care units (for benchmarks)."""
    today = today or clock.today()
    total = 0
    for i in range(units):
        code = f"VC {i + 1:03d}"
        rows = gen.generate(today, seed=seed * 1000 + i, episodes=per_unit, unit=code, serial_base=i * 7)
        importing.store(engine, cfg, [_rows_batch(rows, f"region-{i}")], as_of=today)
        total += len(rows)
        if progress:
            progress(i + 1, total)
    return DemoResult(units=units, certificates=total, meetings=0)
