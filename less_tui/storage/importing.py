"""Storing validated certificate rows: all or nothing, in one transaction.

``store`` runs the steps below in one transaction, each a small function over named types: the
units (created when new, then locked), one ``import_batches`` row per file, the patients and the
doctors (new ones inserted, their ids returned by the insert), then unit by unit and patient by
patient the certificates that are new (case numbers first), the coordinator-status records, the
files' counts and the audit row."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterator, NamedTuple, Sequence

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from .. import clock
from ..config import Config
from ..i18n import t
from ..core import episodes as ep_core
from ..core.episodes import CaseSpan
from ..core.importer import Row
from . import repo
from .db import DatabaseError, db_reason, is_db_error, shown
from .models import CaseNumber, Certificate, Doctor, ImportBatch, Patient, StatusRecordRow, Unit

FLUSH_ROWS = 5000  # certificates (or status records) inserted at a time
IN_CHUNK = 900  # values in one ``IN (…)`` (SQLite's old limit on bound parameters is 999)


class ImportFile(NamedTuple):
    """One file's validated rows, as ``store`` takes them (a plain tuple in this order works too)."""

    name: str
    sha256: str
    kind: str  # "intyg" | "rehabstod"
    rows_read: int
    invalid_rows: int
    rows: list[Row]


class CertKey(NamedTuple):
    """What makes a certificate the same one again: a row imported twice is stored once."""

    patient_id: int
    diagnosis_code: str
    start: dt.date
    end: dt.date
    degree: int
    doctor_id: int


class StatusKey(NamedTuple):
    """A coordinator-status or rehab-plan record already there is not recorded again."""

    certificate_id: int
    as_of: dt.date
    kind: str
    value: str


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


@dataclass
class _Import:
    """What every step of one import needs: its transaction, settings, date, who and when."""

    s: Session
    cfg: Config
    files: list[ImportFile]
    as_of: dt.date
    summary: Summary
    progress: Callable[[int], None] | None
    user: str = field(default_factory=repo.os_user)
    now: dt.datetime = field(default_factory=clock.now)
    # {a unit as a row writes it: the unit's code}: case and spacing do not make another unit ("vc  a" is
    # "VC A" when the database or the config has it so; else its first spelling in the files)
    unit_names: dict[str, str] = field(default_factory=dict)

    def rows(self) -> Iterator[Row]:
        for f in self.files:
            yield from f.rows

    def unit_of(self, r: Row) -> str:
        code = r.unit or self.cfg.unit
        return self.unit_names.get(code, code)


def _unit_key(code: str) -> str:
    return " ".join(code.split()).casefold()


def _name_units(imp: _Import) -> None:
    """``imp.unit_names`` for every unit the rows write."""
    known = {_unit_key(c): c for c in repo.unit_codes(imp.s)}
    known.setdefault(_unit_key(imp.cfg.unit), imp.cfg.unit)
    for code in dict.fromkeys(r.unit for r in imp.rows() if r.unit):  # (in file order: the first spelling wins)
        imp.unit_names[code] = known.setdefault(_unit_key(code), " ".join(code.split()))


@dataclass
class _FileCounts:
    """Per import batch (file): certificates that were new and those already stored."""

    new: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    known: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def _chunks(seq: Sequence, n: int = IN_CHUNK):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def store(
    engine: Engine,
    cfg: Config,
    batches: Sequence[ImportFile | tuple],
    as_of: dt.date,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Store rows from one or more files (``batches``: one ``ImportFile`` each). One transaction:
    either everything is stored or nothing.

    Two imports at once take turns: on SQLite the transaction takes the write lock first (waiting up
    to ``import.lock_wait_seconds``), on PostgreSQL it locks the rows of its units, so case numbers are
    handed out by one import at a time (and the database refuses a number for two patients anyway).
    A database error raises DatabaseError with a message (nothing is stored)."""
    files = [ImportFile._make(b) for b in batches]
    summary = Summary(files=[f.name for f in files], as_of=as_of, dry_run=dry_run)
    wait = cfg.import_.lock_wait_seconds
    try:
        with Session(engine) as s:
            try:
                _begin(s, wait)
                _store(_Import(s, cfg, files, as_of, summary, progress))
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
        raise DatabaseError(t("imp.db_failed", db=shown(engine.url.render_as_string(hide_password=False)), reason=db_reason(e))) from None
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


def _store(imp: _Import) -> None:
    """The steps of one import, in one transaction (the module's docstring tells them)."""
    _count_rows(imp)
    _name_units(imp)
    units = _lock_units(imp)
    batch_ids = _add_batches(imp, units.get(imp.cfg.unit) or next(iter(units.values())))
    patient_ids = _patient_ids(imp)
    doctor_ids = _doctor_ids(imp)
    counts = _FileCounts()
    for code, by_patient in sorted(_rows_by_unit(imp, patient_ids).items()):
        _store_unit(imp, units[code], by_patient, doctor_ids, counts)
    _update_batches(imp, batch_ids, counts)
    imp.s.flush()
    for code, unit in units.items():
        imp.summary.ongoing_episodes[code] = _ongoing(imp.s, unit.id, imp.as_of, imp.cfg.max_gap_days)
        repo.audit(imp.s, "import", unit.id, detail=f"files={len(imp.files)} new={imp.summary.new_certificates}")


def _count_rows(imp: _Import) -> None:
    imp.summary.rows_read = sum(f.rows_read for f in imp.files)
    imp.summary.invalid_rows = sum(f.invalid_rows for f in imp.files)
    imp.summary.valid_rows = sum(len(f.rows) for f in imp.files)


def _lock_units(imp: _Import) -> dict[str, Unit]:
    """The units of the rows (the configured one when there is no row), created when new, then locked
    (PostgreSQL) until the commit: imports into one unit take turns."""
    codes = sorted({imp.unit_of(r) for r in imp.rows()} or {imp.cfg.unit})
    for code in codes:
        repo.get_unit(imp.s, code, create=True, name=imp.cfg.clinic_name if code == imp.cfg.unit else code)
    return {u.code: u for u in imp.s.scalars(
        select(Unit).where(Unit.code.in_(codes)).order_by(Unit.code).with_for_update()
        .execution_options(populate_existing=True))}


def _add_batches(imp: _Import, unit: Unit) -> list[int]:
    """One ``import_batches`` row per file; each row remembers its batch."""
    ids = []
    stmt = insert(ImportBatch.__table__).returning(ImportBatch.__table__.c.id)
    for f in imp.files:
        batch_id = imp.s.connection().execute(stmt, {
            "unit_id": unit.id, "file_name": f.name, "sha256": f.sha256, "kind": f.kind, "as_of": imp.as_of,
            "rows_read": f.rows_read, "new_certificates": 0, "known_certificates": 0,
            "invalid_rows": f.invalid_rows, "os_user": imp.user, "created_at": imp.now}).scalar_one()
        ids.append(batch_id)
        for r in f.rows:
            r.batch_id = batch_id
    return ids


def _insert_new(s: Session, table, rows: list[dict], key: str) -> dict[str, int]:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING key, id, in chunks: {key: id} of the rows this
    insert made. A row another import inserted at the same moment is simply there (and not returned)."""
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key], table.c.id)
    out: dict[str, int] = {}
    for chunk in _chunks(rows, FLUSH_ROWS):
        out.update((k, i) for k, i in s.connection().execute(stmt, chunk))
    return out


def _patient_ids(imp: _Import) -> dict[str, int]:
    """{personnummer: patient id} for every row's patient, new patients inserted (in personnummer order:
    two imports inserting the same new patients never deadlock) and missing names filled in."""
    s = imp.s
    pnrs = sorted({r.pnr for r in imp.rows()})
    imp.summary.patients = len(pnrs)
    names = {r.pnr: r.name for r in imp.rows() if r.name}  # the last name given wins
    ids: dict[str, int] = {}
    unnamed: list[str] = []  # stored patients without a name
    for chunk in _chunks(pnrs):
        for pid, pnr, name in s.execute(select(Patient.id, Patient.pnr, Patient.name).where(Patient.pnr.in_(chunk))):
            ids[pnr] = pid
            if not name:
                unnamed.append(pnr)
    new = [p for p in pnrs if p not in ids]
    if new:
        imp.summary.new_patients = len(new)
        ids.update(_insert_new(s, Patient.__table__, [{"pnr": p, "name": names.get(p, "")} for p in new], "pnr"))
        raced = [p for p in new if p not in ids]  # inserted by another import meanwhile (PostgreSQL)
        for chunk in _chunks(raced):
            for pid, pnr, name in s.execute(select(Patient.id, Patient.pnr, Patient.name).where(Patient.pnr.in_(chunk))):
                ids[pnr] = pid
                if not name:
                    unnamed.append(pnr)
    _fill_names(s, [{"pid": ids[p], "pname": names[p]} for p in unnamed if p in names])
    return ids


def _fill_names(s: Session, values: list[dict]) -> None:
    """Names a file gives to patients stored without one."""
    if values:
        t_ = Patient.__table__
        s.connection().execute(update(t_).where(t_.c.id == bindparam("pid")).values(name=bindparam("pname")), values)


class _DoctorRow(NamedTuple):
    key: str  # "hsa:ID" or "name:NAME" (Row.doctor_key)
    name: str
    hsa_id: str | None


def _doctor_ids(imp: _Import) -> dict[str, int]:
    """{doctor key: doctor id} for every row's doctor, new doctors inserted (in key order)."""
    doctors: dict[str, _DoctorRow] = {}
    for r in imp.rows():
        if r.doctor_key not in doctors:
            doctors[r.doctor_key] = _DoctorRow(r.doctor_key, r.doctor, r.doctor_id)
    keys = sorted(doctors)
    ids: dict[str, int] = {}
    for chunk in _chunks(keys):
        ids.update((k, i) for k, i in imp.s.execute(select(Doctor.key, Doctor.id).where(Doctor.key.in_(chunk))))
    new = [doctors[k]._asdict() for k in keys if k not in ids]
    if new:
        ids.update(_insert_new(imp.s, Doctor.__table__, new, "key"))
        raced = [d["key"] for d in new if d["key"] not in ids]
        for chunk in _chunks(raced):
            ids.update((k, i) for k, i in imp.s.execute(select(Doctor.key, Doctor.id).where(Doctor.key.in_(chunk))))
    return ids


def _rows_by_unit(imp: _Import, patient_ids: dict[str, int]) -> dict[str, dict[int, list[Row]]]:
    """{unit code: {patient id: rows}}."""
    by_unit: dict[str, dict[int, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for r in imp.rows():
        by_unit[imp.unit_of(r)][patient_ids[r.pnr]].append(r)
    return by_unit


@dataclass
class _Pending:
    """New case numbers and certificates of a unit not yet inserted (the numbers go first: each
    certificate refers to its number's row)."""

    imp: _Import
    unit_id: int
    numbers: list[tuple[int, int, int]] = field(default_factory=list)  # (unit id, case number, patient id)
    certificates: list[tuple] = field(default_factory=list)

    def add(self, patient_id: int, new_numbers: range, rows: list[tuple[Row, int]], case_nos: list[int]) -> None:
        unit_id = self.unit_id
        self.numbers.extend((unit_id, n, patient_id) for n in new_numbers)
        # one tuple per certificate, in ``_CERT_COLS`` order (a hundred thousand dicts cost more than the insert)
        self.certificates.extend(
            (unit_id, patient_id, doctor_id, r.diagnosis_code, r.diagnosis_text, r.start, r.end, r.degree,
             r.signed, r.occupation, case_no, r.source, r.batch_id)
            for (r, doctor_id), case_no in zip(rows, case_nos))
        if len(self.certificates) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        s = self.imp.s
        if self.numbers:
            conn = s.connection()
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("INSERT INTO case_numbers (unit_id, case_no, patient_id) VALUES (?, ?, ?)",
                                     self.numbers)
            else:
                conn.execute(insert(CaseNumber.__table__),
                             [{"unit_id": u, "case_no": n, "patient_id": p} for u, n, p in self.numbers])
            self.numbers.clear()
        if self.certificates:
            _bulk_insert_certificates(s, self.certificates)
            self.imp.summary.new_certificates += len(self.certificates)
            if self.imp.progress:
                self.imp.progress(len(self.certificates))
            self.certificates.clear()


def _store_unit(imp: _Import, unit: Unit, by_patient: dict[int, list[Row]], doctor_ids: dict[str, int],
                counts: _FileCounts) -> None:
    """A unit's new certificates, patient by patient in chunks: what is already stored is counted and
    left, the rest gets its case numbers; nothing per row is kept for the whole unit."""
    pending = _Pending(imp, unit.id)
    next_no = unit.next_case_no
    for chunk in _chunks(sorted(by_patient)):
        known, spans = _stored_certificates(imp.s, unit.id, chunk)
        status_rows: list[tuple[int, Row]] = []
        for p in chunk:
            fresh: list[tuple[Row, int]] = []  # (row, doctor id) of the certificates not yet stored
            for r in by_patient[p]:
                if r.coordinator_status is not None or r.rehab_plan is not None:
                    status_rows.append((p, r))
                doctor_id = doctor_ids[r.doctor_key]
                key = CertKey(p, r.diagnosis_code, r.start, r.end, r.degree, doctor_id)
                if key in known:
                    imp.summary.known_certificates += 1
                    counts.known[r.batch_id] += 1
                    continue
                known.add(key)
                fresh.append((r, doctor_id))
                counts.new[r.batch_id] += 1
            if fresh:
                first_new = next_no
                case_nos, next_no = ep_core.number_new_certificates(
                    spans[p], [(r.start, r.end) for r, _ in fresh], imp.cfg.max_gap_days, next_no)
                pending.add(p, range(first_new, next_no), fresh, case_nos)
        pending.flush()
        if status_rows:
            _store_status(imp, unit, status_rows, doctor_ids)
    unit.next_case_no = next_no
    imp.s.add(unit)


def _stored_certificates(s: Session, unit_id: int, patient_ids: Sequence[int]
                         ) -> tuple[set[CertKey], dict[int, list[CaseSpan]]]:
    """The unit's stored certificates of these patients: their keys, and each patient's periods with
    their case numbers."""
    keys: set[CertKey] = set()
    spans: dict[int, list[CaseSpan]] = defaultdict(list)
    q = (select(Certificate.patient_id, Certificate.diagnosis_code, Certificate.start, Certificate.end,
                Certificate.degree, Certificate.doctor_id, Certificate.case_no)
         .where(Certificate.unit_id == unit_id, Certificate.patient_id.in_(patient_ids)))
    for p, dx, start, end, degree, doctor_id, case_no in s.execute(q):
        keys.add(CertKey(p, dx, start, end, degree, doctor_id))
        spans[p].append(CaseSpan(start, end, case_no))
    return keys, spans


_CERT_COLS = ("unit_id", "patient_id", "doctor_id", "diagnosis_code", "diagnosis_text", "start", "end", "degree",
              "signed", "occupation", "case_no", "source", "batch_id")


def _bulk_insert_certificates(s: Session, rows: list[tuple]) -> None:
    """Rows as tuples in ``_CERT_COLS`` order. SQLite: the driver's executemany (dates as ISO text, as
    SQLAlchemy stores them); elsewhere SQLAlchemy's insert. Same transaction either way."""
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        conn.execute(insert(Certificate.__table__), [dict(zip(_CERT_COLS, r)) for r in rows])
        return
    iso = dt.date.isoformat
    tuples = [(u, p, d, dx, dxt, iso(st), iso(en), g, iso(sg) if sg else None, occ, cn, src, b)
              for u, p, d, dx, dxt, st, en, g, sg, occ, cn, src, b in rows]
    cols = ", ".join(f'"{c}"' for c in _CERT_COLS)
    marks = ", ".join("?" for _ in _CERT_COLS)
    conn.exec_driver_sql(f"INSERT INTO certificates ({cols}) VALUES ({marks})", tuples)


def _store_status(imp: _Import, unit: Unit, status_rows: list[tuple[int, Row]], doctor_ids: dict[str, int]
                  ) -> None:
    """Coordinator-status and rehab-plan records of some patients' rows ((patient id, row) pairs), the
    latest-starting certificate last (it wins)."""
    patients = sorted({p for p, _ in status_rows})
    ids = _certificate_ids(imp.s, unit.id, patients)
    have = _status_keys(imp.s, unit.id, patients)
    recs = []
    for p, r in sorted(status_rows, key=lambda pr: (pr[1].start, pr[1].line)):
        cid = ids[CertKey(p, r.diagnosis_code, r.start, r.end, r.degree, doctor_ids[r.doctor_key])]
        for kind, value in (("coordinator", r.coordinator_status), ("rehab_plan", r.rehab_plan)):
            if value is None:
                continue
            key = StatusKey(cid, imp.as_of, kind, value)
            if key in have:
                continue
            have.add(key)
            recs.append({"unit_id": unit.id, "certificate_id": cid, "as_of": imp.as_of, "kind": kind,
                         "value": value, "source": "import", "batch_id": r.batch_id,
                         "os_user": imp.user, "created_at": imp.now})
    for chunk in _chunks(recs, FLUSH_ROWS):
        imp.s.connection().execute(insert(StatusRecordRow.__table__), chunk)
    imp.summary.status_records += len(recs)


def _certificate_ids(s: Session, unit_id: int, patient_ids: Sequence[int]) -> dict[CertKey, int]:
    """{key: certificate id} of the unit's certificates of these patients (stored earlier or just now)."""
    ids: dict[CertKey, int] = {}
    for chunk in _chunks(patient_ids):
        q = (select(Certificate.patient_id, Certificate.diagnosis_code, Certificate.start, Certificate.end,
                    Certificate.degree, Certificate.doctor_id, Certificate.id)
             .where(Certificate.unit_id == unit_id, Certificate.patient_id.in_(chunk)))
        for *key, cid in s.execute(q):
            ids[CertKey._make(key)] = cid
    return ids


def _status_keys(s: Session, unit_id: int, patient_ids: Sequence[int]) -> set[StatusKey]:
    """The status records the unit holds for these patients' certificates."""
    have: set[StatusKey] = set()
    for chunk in _chunks(patient_ids):
        q = (select(StatusRecordRow.certificate_id, StatusRecordRow.as_of, StatusRecordRow.kind,
                    StatusRecordRow.value)
             .join(Certificate, Certificate.id == StatusRecordRow.certificate_id)
             .where(StatusRecordRow.unit_id == unit_id, Certificate.patient_id.in_(chunk)))
        have.update(StatusKey._make(x) for x in s.execute(q))
    return have


def _update_batches(imp: _Import, batch_ids: list[int], counts: _FileCounts) -> None:
    """Each file's counts of new and already stored certificates, on its ``import_batches`` row."""
    t_ = ImportBatch.__table__
    stmt = (update(t_).where(t_.c.id == bindparam("bid"))
            .values(new_certificates=bindparam("new"), known_certificates=bindparam("known")))
    imp.s.connection().execute(stmt, [{"bid": b, "new": counts.new[b], "known": counts.known[b]}
                                      for b in batch_ids])


def _ongoing(s: Session, unit_id: int, at: dt.date, max_gap_days: int) -> int:
    """Episodes of the unit ongoing at ``at``, counted from a sorted stream of certificate spans: those
    of the patients with a certificate covering ``at`` (``repo.live_patients``; an episode ongoing at
    ``at`` has one), not the unit's whole history."""
    q = (select(Certificate.patient_id, Certificate.start, Certificate.end)
         .where(Certificate.unit_id == unit_id, Certificate.start <= at,
                Certificate.patient_id.in_(repo.live_patients(unit_id, at).scalar_subquery()))
         .order_by(Certificate.patient_id, Certificate.start, Certificate.end)
         .execution_options(stream_results=True, yield_per=10000))
    return ep_core.count_ongoing_sorted(s.execute(q), at, max_gap_days)
