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
from ..core import episodes as ep_core
from ..core.episodes import Cert
from ..core.importer import Row
from . import repo
from .models import Certificate, Doctor, ImportBatch, Patient, StatusRecordRow, Unit


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


def _spans(s: Session, unit_id: int) -> list[Cert]:
    """Just enough of each certificate to count ongoing episodes."""
    q = select(Certificate.id, Certificate.patient_id, Certificate.start, Certificate.end).where(
        Certificate.unit_id == unit_id)
    return [Cert(i, p, st, en, 0, "", "", "") for i, p, st, en in s.execute(q)]


def store(
    engine: Engine,
    cfg: Config,
    batches: list[tuple[str, str, str, int, int, list[Row]]],
    as_of: dt.date,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Store rows from one or more files. ``batches``: (file name, sha256, kind, rows read,
    invalid rows, rows). One transaction: either everything is stored or nothing."""
    summary = Summary(files=[b[0] for b in batches], as_of=as_of, dry_run=dry_run)
    with Session(engine) as s:
        try:
            _store(s, cfg, batches, as_of, summary, progress)
            if dry_run:
                s.rollback()
            else:
                s.commit()
        except BaseException:
            s.rollback()
            raise
    return summary


def _store(s: Session, cfg: Config, batches, as_of: dt.date, summary: Summary, progress) -> None:
    now = clock.now()
    user = repo.os_user()
    all_rows: list[Row] = [r for b in batches for r in b[5]]
    summary.rows_read = sum(b[3] for b in batches)
    summary.invalid_rows = sum(b[4] for b in batches)
    summary.valid_rows = len(all_rows)
    summary.patients = len({r.pnr for r in all_rows})

    # units
    units: dict[str, Unit] = {}
    for code in sorted({r.unit or cfg.unit for r in all_rows} or {cfg.unit}):
        units[code] = repo.get_unit(s, code, create=True,
                                    name=cfg.clinic_name if code == cfg.unit else code)
    batch_ids: list[int] = []
    default_unit = units.get(cfg.unit) or next(iter(units.values()))
    for file, sha, kind, read, invalid, rows in batches:
        b = ImportBatch(unit_id=default_unit.id, file_name=file, sha256=sha, kind=kind, as_of=as_of,
                        rows_read=read, invalid_rows=invalid, os_user=user, created_at=now)
        s.add(b)
        s.flush()
        batch_ids.append(b.id)
    row_batch: dict[int, int] = {}
    for bid, b in zip(batch_ids, batches):
        for r in b[5]:
            row_batch[id(r)] = bid

    # patients
    pnrs = sorted({r.pnr for r in all_rows})
    pid: dict[str, int] = {}
    pname: dict[str, str] = {}
    for chunk in _chunks(pnrs):
        for i, p, n in s.execute(select(Patient.id, Patient.pnr, Patient.name).where(Patient.pnr.in_(chunk))):
            pid[p] = i
            pname[p] = n
    names: dict[str, str] = {}
    for r in all_rows:
        if r.name:
            names[r.pnr] = r.name
    new_p = [{"pnr": p, "name": names.get(p, "")} for p in pnrs if p not in pid]
    if new_p:
        s.connection().execute(insert(Patient.__table__), new_p)
        summary.new_patients = len(new_p)
        for chunk in _chunks([p["pnr"] for p in new_p]):
            for i, p in s.execute(select(Patient.id, Patient.pnr).where(Patient.pnr.in_(chunk))):
                pid[p] = i
    for p, n in names.items():  # fill in names that were missing
        if p in pname and not pname[p]:
            s.get(Patient, pid[p]).name = n

    # doctors
    dkeys: dict[str, tuple[str, str | None]] = {}
    for r in all_rows:
        dkeys.setdefault(r.doctor_key, (r.doctor, r.doctor_id))
    did: dict[str, int] = {}
    for chunk in _chunks(sorted(dkeys)):
        for i, k in s.execute(select(Doctor.id, Doctor.key).where(Doctor.key.in_(chunk))):
            did[k] = i
    new_d = [{"key": k, "name": v[0], "hsa_id": v[1]} for k, v in dkeys.items() if k not in did]
    if new_d:
        s.connection().execute(insert(Doctor.__table__), new_d)
        for chunk in _chunks([d["key"] for d in new_d]):
            for i, k in s.execute(select(Doctor.id, Doctor.key).where(Doctor.key.in_(chunk))):
                did[k] = i

    # per unit: dedupe, case numbers, insert
    by_unit: dict[str, list[Row]] = defaultdict(list)
    for r in all_rows:
        by_unit[r.unit or cfg.unit].append(r)
    done = 0
    known_by_batch: dict[int, int] = defaultdict(int)
    new_by_batch: dict[int, int] = defaultdict(int)
    for code, rows in by_unit.items():
        unit = units[code]
        pids = sorted({pid[r.pnr] for r in rows})
        existing: list[Cert] = []
        known_ids: dict[tuple, int] = {}
        for chunk in _chunks(pids):
            q = (select(Certificate.id, Certificate.patient_id, Certificate.start, Certificate.end,
                        Certificate.degree, Certificate.doctor_id, Certificate.diagnosis_code,
                        Certificate.case_no, Certificate.source)
                 .where(Certificate.unit_id == unit.id, Certificate.patient_id.in_(chunk)))
            for cid, p, st, en, deg, d, dx, case_no, src in s.execute(q):
                existing.append(Cert(cid, p, st, en, deg, str(d), "", dx, None, case_no, src))
                known_ids[(p, dx, st, en, deg, d)] = cid
        fresh: list[tuple[Row, tuple]] = []
        seen: set[tuple] = set()
        for r in rows:
            key = (pid[r.pnr], r.diagnosis_code, r.start, r.end, r.degree, did[r.doctor_key])
            if key in known_ids or key in seen:
                summary.known_certificates += 1
                known_by_batch[row_batch[id(r)]] += 1
                continue
            seen.add(key)
            fresh.append((r, key))
        temp = [Cert(-(i + 1), k[0], r.start, r.end, r.degree, str(k[5]), "", r.diagnosis_code, None, None,
                     r.source) for i, (r, k) in enumerate(fresh)]
        numbers, unit.next_case_no = ep_core.assign_case_numbers(existing + temp, cfg.max_gap_days,
                                                                 unit.next_case_no)
        s.add(unit)
        values = []
        for i, (r, k) in enumerate(fresh):
            values.append({
                "unit_id": unit.id, "patient_id": k[0], "doctor_id": k[5], "diagnosis_code": r.diagnosis_code,
                "diagnosis_text": r.diagnosis_text, "start": r.start, "end": r.end, "degree": r.degree,
                "signed": r.signed, "occupation": r.occupation, "case_no": numbers[-(i + 1)],
                "source": r.source, "batch_id": row_batch[id(r)],
            })
            new_by_batch[row_batch[id(r)]] += 1
        for chunk in _chunks(values, 5000):
            _bulk_insert_certificates(s, chunk)
            done += len(chunk)
            if progress:
                progress(len(chunk))
        summary.new_certificates += len(values)

        # coordinator-status and rehab-plan records, latest-starting certificate last (wins)
        status_rows = [r for r in rows if r.coordinator_status is not None or r.rehab_plan is not None]
        if status_rows:
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
                                 "value": value, "source": "import", "batch_id": row_batch[id(r)],
                                 "os_user": user, "created_at": now})
            if recs:
                s.connection().execute(insert(StatusRecordRow.__table__), recs)
                summary.status_records += len(recs)

    for bid in batch_ids:
        batch = s.get(ImportBatch, bid)
        batch.new_certificates = new_by_batch[bid]
        batch.known_certificates = known_by_batch[bid]
        s.add(batch)
    s.flush()
    for code, unit in units.items():
        summary.ongoing_episodes[code] = ep_core.count_ongoing(_spans(s, unit.id), as_of, cfg.max_gap_days)
        repo.audit(s, "import", unit.id, detail=f"files={len(batches)} new={summary.new_certificates}")
