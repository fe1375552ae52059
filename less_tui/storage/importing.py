"""Storing validated certificate rows: all or nothing, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from .. import clock
from ..config import Config
from ..i18n import t
from ..core import episodes as ep_core
from ..core.episodes import Cert
from ..core.importer import Row
from . import repo
from .db import DatabaseError, db_reason, is_db_error
from .models import CaseNumber, Certificate, Doctor, ImportBatch, Patient, StatusRecordRow, Unit


@dataclass
class Summary:
    files: list[str]
    rows_read: int = 0
    valid_rows: int = 0
    invalid_rows: int = 0
    new_certificates: int = 0
    known_certificates: int = 0
    patients: int = 0
    new_patients: int = 0
    status_records: int = 0
    ongoing_episodes: dict[str, int] = field(default_factory=dict)
    as_of: dt.date | None = None
    dry_run: bool = False

    def to_json(self) -> dict:
        return {
            "files": self.files, "as_of": self.as_of.isoformat() if self.as_of else None,
            "rows_read": self.rows_read, "valid_rows": self.valid_rows, "invalid_rows": self.invalid_rows,
            "new_certificates": self.new_certificates, "known_certificates": self.known_certificates,
            "patients": self.patients, "new_patients": self.new_patients,
            "status_records": self.status_records,
            "ongoing_episodes": self.ongoing_episodes, "dry_run": self.dry_run,
        }


def _chunks(seq: Sequence, n: int = 900):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


_CERT_COLS = ("unit_id", "patient_id", "doctor_id", "diagnosis_code", "diagnosis_text", "start", "end", "degree",
              "signed", "occupation", "case_no", "source", "batch_id")


def _bulk_insert_certificates(s: Session, rows: list[dict]) -> None:
    """SQLite: the driver's executemany with plain tuples (dates as ISO text, as SQLAlchemy
    stores them); elsewhere SQLAlchemy's insert. Same transaction either way."""
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        conn.execute(insert(Certificate.__table__), rows)
        return
    iso = dt.date.isoformat
    tuples = [(r["unit_id"], r["patient_id"], r["doctor_id"], r["diagnosis_code"], r["diagnosis_text"],
               iso(r["start"]), iso(r["end"]), r["degree"], iso(r["signed"]) if r["signed"] else None,
               r["occupation"], r["case_no"], r["source"], r["batch_id"]) for r in rows]
    cols = ", ".join(f'"{c}"' for c in _CERT_COLS)
    marks = ", ".join("?" for _ in _CERT_COLS)
    conn.exec_driver_sql(f"INSERT INTO certificates ({cols}) VALUES ({marks})", tuples)


def _ongoing(s: Session, unit_id: int, at: dt.date, max_gap_days: int) -> int:
    """Episodes of the unit ongoing at ``at``, counted from a sorted stream of certificate spans."""
    q = (select(Certificate.patient_id, Certificate.start, Certificate.end)
         .where(Certificate.unit_id == unit_id, Certificate.start <= at)
         .order_by(Certificate.patient_id, Certificate.start, Certificate.end)
         .execution_options(stream_results=True, yield_per=10000))
    return ep_core.count_ongoing_sorted(s.execute(q), at, max_gap_days)


def store(
    engine: Engine,
    cfg: Config,
    batches: list[tuple[str, str, str, int, int, list[Row]]],
    as_of: dt.date,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Store rows from one or more files. ``batches``: (file name, sha256, kind, rows read,
    invalid rows, rows). One transaction: either everything is stored or nothing.

    Two imports at once take turns: on SQLite the transaction takes the write lock first (waiting up
    to ``import.lock_wait_seconds``), on PostgreSQL it locks the rows of its units, so case numbers are
    handed out by one import at a time (and the database refuses a number for two patients anyway).
    A database error raises DatabaseError with a message (nothing is stored)."""
    summary = Summary(files=[b[0] for b in batches], as_of=as_of, dry_run=dry_run)
    wait = cfg.import_.lock_wait_seconds
    try:
        with Session(engine) as s:
            try:
                _begin(s, wait)
                _store(s, cfg, batches, as_of, summary, progress)
                if dry_run:
                    s.rollback()
                else:
                    s.commit()
            except BaseException:
                s.rollback()
                raise
    except Exception as e:
        if not is_db_error(e):
            raise
        if _locked(e):
            raise DatabaseError(t("imp.busy", seconds=wait)) from None
        raise DatabaseError(t("imp.db_failed", reason=db_reason(e))) from None
    return summary


def _locked(err: BaseException) -> bool:
    orig = getattr(err, "orig", None) or err
    return "database is locked" in str(orig) or "database is busy" in str(orig)


def _begin(s: Session, wait: int) -> None:
    """SQLite: take the write lock now (BEGIN IMMEDIATE), waiting for another writer up to ``wait``
    seconds; a transaction that only took it at its first write could not wait (SQLITE_BUSY at once)."""
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait * 1000)}")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        conn.exec_driver_sql("PRAGMA busy_timeout = 5000")


def _insert_ignore(s: Session, table, rows: list[dict], keys: list[str]) -> None:
    """INSERT … ON CONFLICT (keys) DO NOTHING, in chunks: a row another import inserted at the same
    moment is then simply there."""
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(table).on_conflict_do_nothing(index_elements=keys)
    for chunk in _chunks(rows, 5000):
        s.connection().execute(stmt, chunk)


def _store(s: Session, cfg: Config, batches, as_of: dt.date, summary: Summary, progress) -> None:
    now = clock.now()
    user = repo.os_user()
    gap = cfg.max_gap_days

    def all_rows():
        for b in batches:
            yield from b[5]

    summary.rows_read = sum(b[3] for b in batches)
    summary.invalid_rows = sum(b[4] for b in batches)
    summary.valid_rows = sum(len(b[5]) for b in batches)

    # units, created when new, then locked (PostgreSQL) until the commit: imports into one unit take turns
    codes = sorted({r.unit or cfg.unit for r in all_rows()} or {cfg.unit})
    for code in codes:
        repo.get_unit(s, code, create=True, name=cfg.clinic_name if code == cfg.unit else code)
    units: dict[str, Unit] = {u.code: u for u in s.scalars(
        select(Unit).where(Unit.code.in_(codes)).order_by(Unit.code).with_for_update()
        .execution_options(populate_existing=True))}
    batch_ids: list[int] = []
    default_unit = units.get(cfg.unit) or units[codes[0]]
    for file, sha, kind, read, invalid, rows in batches:
        b = ImportBatch(unit_id=default_unit.id, file_name=file, sha256=sha, kind=kind, as_of=as_of,
                        rows_read=read, invalid_rows=invalid, os_user=user, created_at=now)
        s.add(b)
        s.flush()
        batch_ids.append(b.id)
        for r in rows:
            r.batch_id = b.id

    # patients (in personnummer order: two imports inserting the same new patients never deadlock)
    pnrs = sorted({r.pnr for r in all_rows()})
    summary.patients = len(pnrs)
    pid: dict[str, int] = {}
    pname: dict[str, str] = {}
    for chunk in _chunks(pnrs):
        for i, p, n in s.execute(select(Patient.id, Patient.pnr, Patient.name).where(Patient.pnr.in_(chunk))):
            pid[p] = i
            pname[p] = n
    names: dict[str, str] = {}
    for r in all_rows():
        if r.name:
            names[r.pnr] = r.name
    new_p = [p for p in pnrs if p not in pid]
    if new_p:
        _insert_ignore(s, Patient.__table__, [{"pnr": p, "name": names.get(p, "")} for p in new_p], ["pnr"])
        summary.new_patients = len(new_p)
        for chunk in _chunks(new_p):
            for i, p, n in s.execute(select(Patient.id, Patient.pnr, Patient.name).where(Patient.pnr.in_(chunk))):
                pid[p] = i
                pname[p] = n
    for p, n in names.items():  # fill in names that were missing
        if not pname[p]:
            s.get(Patient, pid[p]).name = n
    del pname, names

    # doctors
    dkeys: dict[str, tuple[str, str | None]] = {}
    for r in all_rows():
        dkeys.setdefault(r.doctor_key, (r.doctor, r.doctor_id))
    did: dict[str, int] = {}
    for chunk in _chunks(sorted(dkeys)):
        for i, k in s.execute(select(Doctor.id, Doctor.key).where(Doctor.key.in_(chunk))):
            did[k] = i
    new_d = [{"key": k, "name": dkeys[k][0], "hsa_id": dkeys[k][1]} for k in sorted(dkeys) if k not in did]
    if new_d:
        _insert_ignore(s, Doctor.__table__, new_d, ["key"])
        for chunk in _chunks([d["key"] for d in new_d]):
            for i, k in s.execute(select(Doctor.id, Doctor.key).where(Doctor.key.in_(chunk))):
                did[k] = i

    # per unit, patient by patient: dedupe, case numbers, insert; nothing per row is kept for the whole unit
    by_unit: dict[str, dict[int, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for r in all_rows():
        by_unit[r.unit or cfg.unit][pid[r.pnr]].append(r)
    known_by_batch: dict[int, int] = defaultdict(int)
    new_by_batch: dict[int, int] = defaultdict(int)
    for code in sorted(by_unit):
        unit = units[code]
        by_patient = by_unit[code]
        next_no = unit.next_case_no
        numbers: list[dict] = []  # new case numbers, stored before the certificates that carry them
        values: list[dict] = []

        def flush() -> None:
            if numbers:
                s.connection().execute(insert(CaseNumber.__table__), numbers)
                numbers.clear()
            if values:
                _bulk_insert_certificates(s, values)
                summary.new_certificates += len(values)
                if progress:
                    progress(len(values))
                values.clear()

        for chunk in _chunks(sorted(by_patient)):
            existing: dict[int, list[Cert]] = defaultdict(list)
            known: set[tuple] = set()
            q = (select(Certificate.id, Certificate.patient_id, Certificate.start, Certificate.end,
                        Certificate.degree, Certificate.doctor_id, Certificate.diagnosis_code,
                        Certificate.case_no, Certificate.source)
                 .where(Certificate.unit_id == unit.id, Certificate.patient_id.in_(chunk)))
            for cid, p, st, en, deg, d, dx, case_no, src in s.execute(q):
                existing[p].append(Cert(cid, p, st, en, deg, str(d), "", dx, None, case_no, src))
                known.add((p, dx, st, en, deg, d))
            status_rows: list[Row] = []
            for p in chunk:
                fresh: list[tuple[Row, int]] = []
                for r in by_patient[p]:
                    if r.coordinator_status is not None or r.rehab_plan is not None:
                        status_rows.append(r)
                    d = did[r.doctor_key]
                    key = (p, r.diagnosis_code, r.start, r.end, r.degree, d)
                    if key in known:
                        summary.known_certificates += 1
                        known_by_batch[r.batch_id] += 1
                        continue
                    known.add(key)
                    fresh.append((r, d))
                if not fresh:
                    continue
                temp = [Cert(-(i + 1), p, r.start, r.end, r.degree, str(d), "", r.diagnosis_code, None, None,
                             r.source) for i, (r, d) in enumerate(fresh)]
                first_new = next_no
                got, next_no = ep_core.assign_case_numbers(existing[p] + temp, gap, next_no)
                numbers.extend({"unit_id": unit.id, "case_no": n, "patient_id": p}
                               for n in range(first_new, next_no))
                for i, (r, d) in enumerate(fresh):
                    values.append({
                        "unit_id": unit.id, "patient_id": p, "doctor_id": d, "diagnosis_code": r.diagnosis_code,
                        "diagnosis_text": r.diagnosis_text, "start": r.start, "end": r.end, "degree": r.degree,
                        "signed": r.signed, "occupation": r.occupation, "case_no": got[-(i + 1)],
                        "source": r.source, "batch_id": r.batch_id,
                    })
                    new_by_batch[r.batch_id] += 1
                if len(values) >= 5000:
                    flush()
            flush()
            if status_rows:
                _store_status(s, unit, status_rows, pid, did, as_of, user, now, summary)
        unit.next_case_no = next_no
        s.add(unit)

    for bid in batch_ids:
        batch = s.get(ImportBatch, bid)
        batch.new_certificates = new_by_batch[bid]
        batch.known_certificates = known_by_batch[bid]
        s.add(batch)
    s.flush()
    for code, unit in units.items():
        summary.ongoing_episodes[code] = _ongoing(s, unit.id, as_of, gap)
        repo.audit(s, "import", unit.id, detail=f"files={len(batches)} new={summary.new_certificates}")


def _store_status(s: Session, unit: Unit, status_rows: list[Row], pid: dict[str, int], did: dict[str, int],
                  as_of: dt.date, user: str, now: dt.datetime, summary: Summary) -> None:
    """Coordinator-status and rehab-plan records of some patients' rows, the latest-starting
    certificate last (it wins)."""
    spids = sorted({pid[r.pnr] for r in status_rows})
    ids: dict[tuple, int] = {}
    for chunk in _chunks(spids):
        q = (select(Certificate.id, Certificate.patient_id, Certificate.diagnosis_code, Certificate.start,
                    Certificate.end, Certificate.degree, Certificate.doctor_id)
             .where(Certificate.unit_id == unit.id, Certificate.patient_id.in_(chunk)))
        for cid, *key in s.execute(q):
            ids[tuple(key)] = cid
    have: set[tuple] = set()
    for chunk in _chunks(spids):
        q = (select(StatusRecordRow.certificate_id, StatusRecordRow.as_of, StatusRecordRow.kind,
                    StatusRecordRow.value)
             .join(Certificate, Certificate.id == StatusRecordRow.certificate_id)
             .where(StatusRecordRow.unit_id == unit.id, Certificate.patient_id.in_(chunk)))
        have.update(tuple(x) for x in s.execute(q))
    recs = []
    for r in sorted(status_rows, key=lambda r: (r.start, r.line)):
        cid = ids[(pid[r.pnr], r.diagnosis_code, r.start, r.end, r.degree, did[r.doctor_key])]
        for kind, value in (("coordinator", r.coordinator_status), ("rehab_plan", r.rehab_plan)):
            if value is None or (cid, as_of, kind, value) in have:
                continue
            have.add((cid, as_of, kind, value))
            recs.append({"unit_id": unit.id, "certificate_id": cid, "as_of": as_of, "kind": kind,
                         "value": value, "source": "import", "batch_id": r.batch_id,
                         "os_user": user, "created_at": now})
    for chunk in _chunks(recs, 5000):
        s.connection().execute(insert(StatusRecordRow.__table__), chunk)
    summary.status_records += len(recs)
