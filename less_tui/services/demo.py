"""Fill a database with a synthetic clinic anchored at today, with a year of meetings."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sqlalchemy.engine import Engine
from sqlmodel import Session

from .. import clock
from ..config import Config
from ..storage import db, repo
from ..storage.models import pk
from . import views

if TYPE_CHECKING:
    from ..core.importer import Row
    from ..storage import importing

# (the generator and the import are imported by the builders only: ``is_demo`` is asked by every
# export and import, which should not load them)

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
    from ..storage import importing

    sha = hashlib.sha256(name.encode()).hexdigest()
    return importing.ImportFile(name, sha, DEMO_KIND, len(rows), 0, rows)


def build_clinic(engine: Engine, cfg: Config, seed: int = 1, today: dt.date | None = None) -> DemoResult:
    from ..core import demo as gen
    from ..storage import importing

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
                r = repo.ensure_review(s, m, e, it.reasons, it.checkpoint)
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
        add_improvement_work(s, unit_id, today)
        repo.audit(s, "demo", unit_id, detail=f"seed={seed}")
        s.commit()
    return DemoResult(units=1, certificates=len(rows), meetings=meetings)


# The clinic's improvement work over the demo's year, after seed 004 (a clinic's report, 2023): problems,
# ideas linked to indicators with their status, PDSA cycles; trainings of the roster and supervision.
# Dates are months before today (the demo's meetings are monthly); None: not set.
Cycle = tuple[str, str, str, str, str, int, "int | None", str]  # plan, do, study, act, owner, start, end, result
DEMO_WORK: list[tuple[str, int, list[tuple[str, list[str], str, int, list[Cycle]]]]] = [
    ("Läkarnas kalendrar är fullbokade: tid för sjukskrivningarna och en rehabplan med patienten saknas", 12, [
        ("Införa ett försäkringsmedicinskt team (FMT) som följer upp sjukskrivningarna varje månad",
         ["one_doctor", "coordinator_contact"], "introduced", 12, [
             ("FMT-möte en gång i månaden: verksamhetschef, rehabkoordinator och FMA-läkare",
              "Teamet har träffats varje månad sedan start", "Fler ärenden följs upp; fler har kontakt med "
              "rehabkoordinator", "Infört som standard, 45 minuter", "Kerstin Bronner", 12, 8, "Infört")]),
        ("Blankett för rehabplan som patienten fyller i före läkarbesöket", ["rehab_plan"], "ended", 11, [
            ("Läkarna delar ut blanketten vid besöket i fyra veckor", "Delades ut till ett tiotal patienter",
             "Läkarna tyckte att den var krånglig; få kom tillbaka ifyllda", "Avslutas: rehabplanen skrivs med "
             "rehabkoordinator i stället", "Jessica Bylund", 10, 9, "Avslutad")]),
        ("Rehabkoordinator träffar patienten för kartläggning vid sjukskrivningens start",
         ["coordinator_contact", "rehab_plan"], "testing", 6, [
             ("Sjuksköterskorna bokar kartläggningssamtal för patienter med arbetsrelaterad stress",
              "Telefontider hos rehabkoordinator varje vecka", "", "", "Kerstin Bronner", 3, None, "")]),
    ]),
    ("Rutiner för återbesök saknas: patienten förväntas själv boka uppföljningen", 12, [
        ("Sjukskrivande läkare bokar återbesöket själv innan intyget går ut", ["one_doctor"], "testing", 8, [
            ("FMA-läkaren och två läkare bokar återbesök till sig själva", "Gjort i åtta veckor",
             "Fler återbesök hos samma läkare", "Utöka till alla läkare", "Jessica Bylund", 6, 4,
             "Andelen med en läkare ökade i gruppen"),
            ("Alla läkare bokar återbesöket själva; påminnelse på läkarmötet", "", "", "", "Niran El Kouni",
             1, None, "")]),
        ("Pröva deltidssjukskrivning innan heltid", ["full_time"], "planned", 3, []),
    ]),
    ("Tvärprofessionella konferenser används inte fullt ut", 7, [
        ("Avsatt konferenstid 45 minuter i läkarnas och behandlarnas kalendrar", ["coordinator_contact"],
         "planned", 7, []),
    ]),
]
DEMO_TRAININGS = [("Jessica Bylund", "Försäkringsmedicin grundkurs", 11),
                  ("Kerstin Bronner", "LESS för rehabkoordinatorer", 10),
                  ("Niran El Kouni", "Försäkringsmedicin för verksamhetschefer", 9),
                  ("Sara Lindqvist", "Försäkringsmedicin för fysioterapeuter", 5)]
DEMO_SUPERVISION = [(4, 90, "Handledare från APC", ["Kerstin Bronner", "Niran El Kouni", "Jessica Bylund"]),
                    (1, 60, "Handledare från APC", ["Kerstin Bronner", "Jessica Bylund", "Sara Lindqvist"])]


def add_improvement_work(s: Session, unit_id: int, today: dt.date) -> None:
    """The demo clinic's improvement work, trainings and supervision (``DEMO_WORK``), each entered on the
    day of the meeting it belongs to."""
    from ..storage import improvement as store

    def day(months: int | None) -> dt.date | None:
        return None if months is None else clock.add_months(today, -months)

    def at(months: int) -> dt.datetime:
        return dt.datetime.combine(clock.add_months(today, -months), dt.time(13, 30)).astimezone()

    for text, p_month, ideas in DEMO_WORK:
        p = store.add_problem(s, unit_id, text)
        p.created_at = p.updated_at = at(p_month)
        for idea_text, indicators, status, i_month, cycles in ideas:
            i = store.add_idea(s, unit_id, pk(p), idea_text, indicators, status)
            last = min([i_month] + [c[5] if c[6] is None else c[6] for c in cycles])
            i.created_at, i.updated_at = at(i_month), at(last)
            for plan, do, study, act, owner, start, end, result in cycles:
                c = store.add_cycle(s, unit_id, pk(i), plan=plan, do=do, study=study, act=act, owner=owner,
                                    start=day(start), end=day(end), result=result)
                c.created_at, c.updated_at = at(start), at(start if end is None else end)
    for person, course, months in DEMO_TRAININGS:
        store.add_training(s, unit_id, person, course, clock.add_months(today, -months))
    for months, minutes, leader, attendees in DEMO_SUPERVISION:
        store.add_supervision(s, unit_id, clock.add_months(today, -months), minutes, leader, attendees)
    s.flush()


def build_region(engine: Engine, cfg: Config, seed: int = 1, units: int = 200, per_unit: int = 1500,
                 today: dt.date | None = None, progress: Callable[[int, int], None] | None = None) -> DemoResult:
    """About a million certificates over ``units`` care units (for benchmarks)."""
    from ..core import demo as gen
    from ..storage import importing

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
