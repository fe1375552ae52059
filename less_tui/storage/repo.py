"""Queries: everything the CLI, the app and the exports ask of the database."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import String, delete, func, select, type_coerce
from sqlmodel import Session

from .. import clock
from ..core import indicators as ind_core
from ..core.episodes import Cert, Episode, StatusRecord
from . import auditlog
from .auditlog import os_user, ssh_client  # noqa: F401  (used here, and by callers as repo.os_user)
from .models import (Action, AgendaItem, AuditLog, CaseReview, Certificate, Doctor, ImportBatch, Meeting, MeetingIndicator,
                     MeetingReopening, Patient, StatusRecordRow, Unit)


class NotFound(Exception):
    pass


class Conflict(Exception):
    """Someone else saved the same plan since it was read: their text, its version, and who saved it
    when (the operating-system user and the time of that save, from the audit log)."""

    def __init__(self, theirs: str, version: int, user: str = "", when: dt.datetime | None = None):
        self.theirs = theirs
        self.version = version
        self.user = user
        self.when = when
        super().__init__("the plan was changed by someone else")


def audit(s: Session, action: str, unit_id: int | None = None, patient_id: int | None = None,
          detail: str = "", case_no: int | None = None) -> None:
    """One audit row, hash-chained, in ``s``'s transaction (see ``auditlog.append``)."""
    auditlog.append(s, [auditlog.Entry(action, unit_id, patient_id, case_no, detail)])


def audit_patients(s: Session, action: str, unit_id: int | None, shown: Iterable[tuple[int, int | None]],
                   detail: str = "") -> int:
    """One audit row per patient shown identified, ``shown`` being (patient id, case number) pairs;
    ``audit --patient PNR`` finds each. Returns the number of rows written."""
    seen: set[int] = set()
    entries = []
    for pid, case_no in shown:
        if pid not in seen:
            seen.add(pid)
            entries.append(auditlog.Entry(action, unit_id, pid, case_no, detail))
    auditlog.append(s, entries)
    return len(entries)


# ---------------------------------------------------------------- units and patients

def get_unit(s: Session, code: str, create: bool = True, name: str = "") -> Unit:
    u = s.scalars(select(Unit).where(Unit.code == code)).first()
    if u is None:
        if not create:
            raise NotFound(f"no care unit {code!r} in the database")
        # two sessions starting at once on a new database both get the one unit
        insert_or_ignore(s, Unit, {"code": code, "name": name or code, "next_case_no": 1}, ["code"])
        u = s.scalars(select(Unit).where(Unit.code == code)).one()
    return u


def unit_codes_by_id(s: Session) -> dict[int, str]:
    """{unit id: its code}."""
    return {i: c for i, c in s.execute(select(Unit.id, Unit.code))}


def unit_codes(s: Session) -> list[str]:
    """Every care unit's code, in order."""
    return list(s.scalars(select(Unit.code).order_by(Unit.code)))


def insert_or_ignore(s: Session, model, values: dict, keys: list[str]) -> bool:
    """INSERT … ON CONFLICT (keys) DO NOTHING; True when this call inserted the row. Another session
    inserting the same key at the same moment is not an error: both then read the one row."""
    from sqlalchemy.exc import IntegrityError

    name = s.get_bind().dialect.name
    if name in ("sqlite", "postgresql"):
        if name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert

            stmt = insert(model.__table__).values(**values).on_conflict_do_nothing(index_elements=keys)
            return s.execute(stmt).rowcount == 1
        from sqlalchemy.dialects.postgresql import insert

        # RETURNING, as psycopg's rowcount is -1 for the INSERT SQLAlchemy adds RETURNING to anyway
        stmt = (insert(model.__table__).values(**values).on_conflict_do_nothing(index_elements=keys)
                .returning(*model.__table__.primary_key.columns))
        return s.execute(stmt).first() is not None
    from sqlalchemy import insert as plain_insert

    try:
        with s.begin_nested():
            s.execute(plain_insert(model.__table__).values(**values))
        return True
    except IntegrityError:
        return False


def patients_by_id(s: Session, ids: Iterable[int]) -> dict[int, Patient]:
    ids = list(set(ids))
    out: dict[int, Patient] = {}
    for i in range(0, len(ids), 900):
        for p in s.scalars(select(Patient).where(Patient.id.in_(ids[i:i + 900]))):
            out[p.id] = p
    return out


# ---------------------------------------------------------------- episodes

def load_certs(s: Session, unit_id: int) -> list[Cert]:
    q = (select(Certificate.id, Certificate.patient_id, Certificate.start, Certificate.end,
                Certificate.degree, Doctor.key, Doctor.name, Certificate.diagnosis_code,
                Certificate.signed, Certificate.case_no, Certificate.source)
         .join(Doctor, Doctor.id == Certificate.doctor_id)
         .where(Certificate.unit_id == unit_id))
    return [Cert(*r) for r in s.connection().execute(q).all()]  # Core, not ORM: a region loads millions


def load_certs_of(s: Session, unit_id: int, ids) -> list[Cert]:
    ids = list(ids)
    q = (select(Certificate.id, Certificate.patient_id, Certificate.start, Certificate.end,
                Certificate.degree, Doctor.key, Doctor.name, Certificate.diagnosis_code,
                Certificate.signed, Certificate.case_no, Certificate.source)
         .join(Doctor, Doctor.id == Certificate.doctor_id)
         .where(Certificate.unit_id == unit_id, Certificate.id.in_(ids)))
    return [Cert(*r) for r in s.execute(q)]


def live_patients(unit_id: int, at: dt.date, also_cert_ids: Iterable[int] = ()):
    """The patients of the unit with a certificate that started on or before ``at`` and ends on or after
    it (exactly those with an episode ongoing at ``at``), and the patients of ``also_cert_ids``."""
    live = select(Certificate.patient_id).where(Certificate.unit_id == unit_id, Certificate.start <= at,
                                                Certificate.end >= at)
    also = sorted(set(also_cert_ids))
    if also:
        live = live.union(select(Certificate.patient_id).where(Certificate.unit_id == unit_id,
                                                               Certificate.id.in_(also)))
    return live


def load_live_certs(s: Session, unit_id: int, at: dt.date, also_cert_ids: Iterable[int] = ()) -> list[Cert]:
    """Every certificate of the patients ``live_patients`` names (their whole history: an episode
    ongoing at ``at`` may have begun years before), in the order they were stored. A unit's indicators
    and queue need no other patient, and a region's unit has ten times more patients than ongoing
    episodes."""
    return _certs_of_patients(s, unit_id, live_patients(unit_id, at, also_cert_ids))


def load_certs_of_holders(s: Session, unit_id: int, cert_ids: Iterable[int]) -> list[Cert]:
    """Every certificate of the patients who hold the certificates ``cert_ids`` (their episodes as they
    are now: a later import may have merged two of them), in the order they were stored."""
    ids = sorted(set(cert_ids))
    if not ids:
        return []
    holders = select(Certificate.patient_id).where(Certificate.unit_id == unit_id, Certificate.id.in_(ids))
    return _certs_of_patients(s, unit_id, holders)


def _certs_of_patients(s: Session, unit_id: int, patients) -> list[Cert]:
    """The unit's certificates of the patients the query ``patients`` selects, in the order stored."""
    # the dates as the driver gives them (SQLite: ISO text, read here by ``date.fromisoformat``, several
    # times faster than the ORM's per-value conversion; PostgreSQL: dates already)
    q = (select(Certificate.id, Certificate.patient_id, type_coerce(Certificate.start, String),
                type_coerce(Certificate.end, String), Certificate.degree, Doctor.key, Doctor.name,
                Certificate.diagnosis_code, type_coerce(Certificate.signed, String), Certificate.case_no,
                Certificate.source)
         .join(Doctor, Doctor.id == Certificate.doctor_id)
         .where(Certificate.unit_id == unit_id, Certificate.patient_id.in_(patients.scalar_subquery())))
    rows = s.connection().execute(q).all()
    rows.sort(key=_first)  # in the order they were stored (sorted here: SQLite then reads by patient)
    if rows and rows[0][2].__class__ is str:  # SQLite: every date is ISO text (read in C, no call per value)
        iso = dt.date.fromisoformat
        return [Cert(i, p, iso(a), iso(b), d, k, n, dx, iso(sg) if sg is not None else None, cn, src)
                for i, p, a, b, d, k, n, dx, sg, cn, src in rows]
    return [Cert(i, p, _date(a), _date(b), d, k, n, dx, _date(sg) if sg is not None else None, cn, src)
            for i, p, a, b, d, k, n, dx, sg, cn, src in rows]


def _first(row) -> int:
    return row[0]


def _date(value) -> dt.date:
    return dt.date.fromisoformat(value) if value.__class__ is str else value


def load_live_records(s: Session, unit_id: int, at: dt.date, also_cert_ids: Iterable[int] = ()) -> list[StatusRecord]:
    """The status records of the certificates ``load_live_certs`` loads, as of ``at`` or earlier."""
    q = (select(StatusRecordRow.id, StatusRecordRow.certificate_id, StatusRecordRow.as_of,
                StatusRecordRow.kind, StatusRecordRow.value)
         .join(Certificate, Certificate.id == StatusRecordRow.certificate_id)
         .where(StatusRecordRow.unit_id == unit_id, StatusRecordRow.as_of <= at,
                Certificate.patient_id.in_(live_patients(unit_id, at, also_cert_ids).scalar_subquery())))
    return [StatusRecord(*r) for r in s.connection().execute(q)]


def records_of(s: Session, unit_id: int, cert_ids: Iterable[int]) -> list[StatusRecord]:
    """The status records of these certificates (one case's: what it shows when it is opened)."""
    ids = sorted(set(cert_ids))
    out: list[StatusRecord] = []
    for i in range(0, len(ids), 900):
        q = (select(StatusRecordRow.id, StatusRecordRow.certificate_id, StatusRecordRow.as_of,
                    StatusRecordRow.kind, StatusRecordRow.value)
             .where(StatusRecordRow.unit_id == unit_id, StatusRecordRow.certificate_id.in_(ids[i:i + 900])))
        out += [StatusRecord(*r) for r in s.connection().execute(q)]
    return out


def load_records(s: Session, unit_id: int) -> list[StatusRecord]:
    q = (select(StatusRecordRow.id, StatusRecordRow.certificate_id, StatusRecordRow.as_of,
                StatusRecordRow.kind, StatusRecordRow.value)
         .where(StatusRecordRow.unit_id == unit_id))
    return [StatusRecord(*r) for r in s.connection().execute(q)]


# ---------------------------------------------------------------- meetings

def meeting_at(s: Session, unit_id: int, date: dt.date) -> Meeting | None:
    return s.scalars(select(Meeting).where(Meeting.unit_id == unit_id, Meeting.date == date)).first()


def latest_meeting(s: Session, unit_id: int) -> Meeting | None:
    return s.scalars(select(Meeting).where(Meeting.unit_id == unit_id).order_by(Meeting.date.desc())).first()


def list_meetings(s: Session, unit_id: int) -> list[Meeting]:
    return list(s.scalars(select(Meeting).where(Meeting.unit_id == unit_id).order_by(Meeting.date)))


def previous_closed(s: Session, unit_id: int, before: dt.date) -> Meeting | None:
    return s.scalars(select(Meeting).where(Meeting.unit_id == unit_id, Meeting.status == "closed",
                                           Meeting.date < before).order_by(Meeting.date.desc())).first()


def frozen(s: Session, meeting_id: int, context: bool = False) -> dict[str, ind_core.Value]:
    """The indicator values the meeting's closing froze ({key: count and denominator}); with ``context``
    the context figures frozen beside them instead (``ind_core.frozen_context``: "ctx."-keys)."""
    rows = s.scalars(select(MeetingIndicator).where(MeetingIndicator.meeting_id == meeting_id))
    return {r.key: ind_core.Value(r.count, r.denominator) for r in rows
            if r.key.startswith(ind_core.CONTEXT_PREFIX) == context}


def set_attendees(s: Session, meeting_id: int, names: Sequence[str]) -> Meeting:
    """Who attends the meeting, as the team says it during the meeting (audited)."""
    m = s.get(Meeting, meeting_id)
    if m is None:
        raise NotFound(f"no meeting {meeting_id}")
    m.attendees = json.dumps(list(names), ensure_ascii=False)
    s.add(m)
    audit(s, "meeting.attendees", m.unit_id, detail=", ".join(names))
    return m


def attendees(m: Meeting) -> list[str]:
    try:
        return list(json.loads(m.attendees or "[]"))
    except ValueError:
        return []


def create_meeting(s: Session, unit: Unit, date: dt.date, names: Sequence[str]) -> Meeting:
    """A new meeting on ``date`` with the attendees ``names``; ``ValueError`` if the date has one."""
    if meeting_at(s, unit.id, date) is not None or not _insert_meeting(s, unit, date, names):
        raise ValueError(f"a meeting on {date.isoformat()} already exists for {unit.code}")
    return meeting_at(s, unit.id, date)


def _insert_meeting(s: Session, unit: Unit, date: dt.date, names: Sequence[str]) -> bool:
    """Insert the meeting unless it exists (even one another session inserts at this moment);
    True when this call made it."""
    made = insert_or_ignore(s, Meeting, {"unit_id": unit.id, "date": date, "status": "open",
                                         "attendees": json.dumps(list(names), ensure_ascii=False),
                                         "started_at": clock.now(), "created_by": os_user()},
                            ["unit_id", "date"])
    if made:
        audit(s, "meeting.create", unit.id, detail=date.isoformat())
    return made


def open_or_create_meeting(s: Session, unit: Unit, date: dt.date, names: Sequence[str]) -> Meeting:
    """The meeting on ``date``, made if need be (with the attendees ``names``). Idempotent under a race:
    two sessions starting on the same new meeting at once both get the one meeting (no error on its
    unique key)."""
    m = meeting_at(s, unit.id, date)
    if m is None:
        _insert_meeting(s, unit, date, names)
        m = meeting_at(s, unit.id, date)
    return m


class MeetingClosed(Exception):
    """The meeting was closed (perhaps by another session): nothing more is written to it."""


def require_open(s: Session, meeting_id: int) -> None:
    """Raise ``MeetingClosed`` unless the meeting is open, in the transaction that will write to it,
    and keep it open until that transaction ends: PostgreSQL locks the meeting row (``FOR SHARE``;
    closing updates the row, so it waits), SQLite takes the database's write lock with a no-op
    update of the row (a close cannot commit in between; SQLite has one writer at a time)."""
    from sqlalchemy import text

    if s.get_bind().dialect.name == "sqlite":
        res = s.execute(text("UPDATE meetings SET status = status WHERE id = :id AND status = 'open'"),
                        {"id": meeting_id})
        ok = res.rowcount == 1
    else:
        status = s.execute(select(Meeting.status).where(Meeting.id == meeting_id)
                           .with_for_update(read=True)).scalar()
        ok = status == "open"
    if not ok:
        raise MeetingClosed(meeting_id)


def close_meeting(s: Session, unit: Unit, m: Meeting, values: dict[str, ind_core.Value]) -> None:
    """Close the meeting, freezing the indicator ``values`` ({key: count and denominator}) with it."""
    if m.status == "closed":
        raise ValueError(f"the meeting on {m.date.isoformat()} is already closed")
    for k, v in values.items():
        s.add(MeetingIndicator(meeting_id=m.id, key=k, count=v.count, denominator=v.denominator))
    m.status = "closed"
    m.closed_at = clock.now()
    s.add(m)
    audit(s, "meeting.close", unit.id, detail=m.date.isoformat())


class NotClosed(ValueError):
    """Only a closed meeting can be reopened."""


class ReasonRequired(ValueError):
    """Reopening a meeting needs a reason (it is audited and printed in the minutes)."""


def reopen_meeting(s: Session, unit: Unit, m: Meeting, reason: str) -> MeetingReopening:
    """Undo a closing: the meeting is open (writable) again and its indicators are live, not frozen.
    The closing's time and frozen counts are kept in ``meeting_reopenings``, with who and why, and
    the audit log gets a ``meeting.reopen`` row with the reason."""
    reason = " ".join((reason or "").split())
    if m.status != "closed":
        raise NotClosed(f"the meeting on {m.date.isoformat()} is open; only a closed meeting can be reopened")
    if not reason:
        raise ReasonRequired("a reason is required to reopen a meeting")
    was = frozen(s, m.id)
    row = MeetingReopening(meeting_id=m.id, closed_at=m.closed_at, reopened_at=clock.now(), reopened_by=os_user(),
                           reason=reason, frozen=json.dumps({k: [v.count, v.denominator] for k, v in was.items()}))
    s.add(row)
    s.execute(delete(MeetingIndicator).where(MeetingIndicator.meeting_id == m.id))
    m.status = "open"
    m.closed_at = None
    s.add(m)
    audit(s, "meeting.reopen", unit.id, detail=f"{m.date.isoformat()} reason: {reason}")
    s.flush()
    return row


def reopenings(s: Session, meeting_id: int) -> list[MeetingReopening]:
    """The closings of a meeting that were undone, oldest first."""
    return list(s.scalars(select(MeetingReopening).where(MeetingReopening.meeting_id == meeting_id)
                          .order_by(MeetingReopening.reopened_at, MeetingReopening.id)))


# ---------------------------------------------------------------- indicators and queue (their inputs)

def indicator_history(s: Session, unit_id: int) -> list[tuple[dt.date, dict[str, ind_core.Value]]]:
    """Each closed meeting's frozen indicator values, oldest first (one query: years of meetings are read
    by every summary and every minutes)."""
    q = (select(Meeting.date, MeetingIndicator.key, MeetingIndicator.count, MeetingIndicator.denominator)
         .outerjoin(MeetingIndicator, MeetingIndicator.meeting_id == Meeting.id)
         .where(Meeting.unit_id == unit_id, Meeting.status == "closed")
         .order_by(Meeting.date, MeetingIndicator.id))
    out: dict[dt.date, dict[str, ind_core.Value]] = {}
    for date, key, count, denominator in s.execute(q):
        values = out.setdefault(date, {})
        if key is not None and not key.startswith(ind_core.CONTEXT_PREFIX):
            values[key] = ind_core.Value(count, denominator)
    return list(out.items())


def open_actions_due(s: Session, unit_id: int, at: dt.date) -> dict[int, int]:
    """{anchor certificate id: open actions due by ``at``} from meetings before ``at``."""
    q = (select(CaseReview.anchor_certificate_id, func.count(Action.id))
         .join(Action, Action.review_id == CaseReview.id)
         .join(Meeting, Meeting.id == CaseReview.meeting_id)
         .where(Meeting.unit_id == unit_id, Meeting.date < at, Action.status == "open",
                Action.due.is_not(None), Action.due <= at)
         .group_by(CaseReview.anchor_certificate_id))
    return {cid: n for cid, n in s.execute(q)}


# ---------------------------------------------------------------- reviews and actions

def facts_of(e: Episode) -> dict:
    return {"length": e.length, "degree": e.degree, "doctors": e.n_doctors, "diagnosis": e.diagnosis,
            "start": e.start.isoformat(), "end": e.end.isoformat(), "day": e.day_number(),
            "doctors_lower_bound": e.lower_bound}


def reviews_of_meeting(s: Session, meeting_id: int) -> list[CaseReview]:
    return list(s.scalars(select(CaseReview).where(CaseReview.meeting_id == meeting_id)
                          .order_by(CaseReview.created_at, CaseReview.id)))


def agenda(s: Session, meeting_id: int) -> list[int]:
    """The meeting's running order: the case numbers its list has shown, in the order first shown."""
    return list(s.scalars(select(AgendaItem.case_no).where(AgendaItem.meeting_id == meeting_id)
                          .order_by(AgendaItem.position, AgendaItem.id)))


def extend_agenda(s: Session, meeting_id: int, case_nos: Sequence[int]) -> list[int]:
    """Add the cases not on the meeting's running order yet after the others, in the order given, and
    return the whole order. Two sessions adding at once both keep what the other added (a case is on
    the list once)."""
    have = agenda(s, meeting_id)
    known = set(have)
    new = [c for c in dict.fromkeys(case_nos) if c and c not in known]
    if not new:
        return have
    start = len(have)
    for i, c in enumerate(new):
        insert_or_ignore(s, AgendaItem, {"meeting_id": meeting_id, "case_no": c, "position": start + i},
                         ["meeting_id", "case_no"])
    return agenda(s, meeting_id)


def recorded_reviews(s: Session, meeting_id: int, reviews: list[CaseReview] | None = None) -> list[CaseReview]:
    """The meeting's reviews where something is on record: a plan, an action, the primary assessor, or a
    coordinator status or rehab plan set at the meeting. One definition for "reviewed at this meeting":
    the queue's mark, the summary's count, the meetings list and the minutes all use it (a review row
    whose plan was cleared and whose actions were removed records nothing). ``reviews``: the meeting's
    reviews, when the caller has read them already."""
    if reviews is None:
        reviews = reviews_of_meeting(s, meeting_id)
    if not reviews:
        return []
    with_actions = set(s.scalars(select(Action.review_id).join(CaseReview, CaseReview.id == Action.review_id)
                                 .where(CaseReview.meeting_id == meeting_id)))
    with_status = {(p, c) for p, c in s.execute(
        select(Certificate.patient_id, Certificate.case_no)
        .join(StatusRecordRow, StatusRecordRow.certificate_id == Certificate.id)
        .where(StatusRecordRow.meeting_id == meeting_id))}
    return [r for r in reviews
            if r.plan.strip() or r.id in with_actions or r.primary_assessor not in ("", "none")
            or (r.patient_id, r.case_no) in with_status]


def review_for(s: Session, meeting_id: int, e: Episode) -> CaseReview | None:
    ids = list(e.cert_ids)
    return s.scalars(select(CaseReview).where(CaseReview.meeting_id == meeting_id,
                                              CaseReview.anchor_certificate_id.in_(ids))
                     .order_by(CaseReview.id)).first()


def ensure_review(s: Session, m: Meeting, e: Episode, reasons: Sequence[str],
                  checkpoint: tuple[int, int] | None = None) -> CaseReview:
    """The case's review at the meeting, made when it is first written to, with what the queue said of
    the case then: its reasons, and with its facts the rehab-chain checkpoint (day, days left), so that
    the minutes say "dag 90 om 12 d" as the meeting saw it, whatever a later import does to the episode."""
    r = review_for(s, m.id, e)
    if r is None:
        anchor = max(e.certs, key=lambda c: (c.start, c.id)).id
        now = clock.now()
        facts = facts_of(e) | {"checkpoint": list(checkpoint) if checkpoint else None}
        r = CaseReview(meeting_id=m.id, patient_id=e.patient_id, anchor_certificate_id=anchor,
                       case_no=e.case_no or 0, reasons=json.dumps(list(reasons)),
                       facts=json.dumps(facts), version=1, updated_by=os_user(),
                       created_at=now, updated_at=now)
        s.add(r)
        s.flush()
    return r


def save_plan(s: Session, review_id: int, text: str, expected_version: int) -> int:
    """Save the plan if nobody else saved since ``expected_version``; returns the new version.

    The check and the write are one conditional UPDATE, so two sessions saving at the same
    moment cannot both win: the second gets ``Conflict`` with the text that is stored."""
    from sqlalchemy import update

    r = s.get(CaseReview, review_id)
    if r is None:
        raise NotFound(f"review {review_id}")
    s.refresh(r)
    if r.plan == text:
        return r.version
    if r.version != expected_version:
        raise conflict_of(s, r)
    now = clock.now()
    res = s.execute(update(CaseReview)
                    .where(CaseReview.id == review_id, CaseReview.version == expected_version)
                    .values(plan=text, version=expected_version + 1, updated_by=os_user(), updated_at=now)
                    .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        s.refresh(r)
        raise conflict_of(s, r)
    s.refresh(r)
    audit(s, "review.plan", _unit_of(s, r), patient_id=r.patient_id, detail=f"version={r.version}", case_no=r.case_no)
    return r.version


def plan_saved_by(s: Session, r: CaseReview) -> tuple[str, dt.datetime | None]:
    """Who saved the stored version of the plan, and when: the audit row of that save (the newest
    one, found by walking the log backwards from its end), else what the review row says."""
    row = s.execute(select(AuditLog.os_user, AuditLog.ts)
                    .where(AuditLog.action == "review.plan", AuditLog.patient_id == r.patient_id,
                           AuditLog.case_no == r.case_no, AuditLog.detail == f"version={r.version}")
                    .order_by(AuditLog.id.desc()).limit(1)).first()
    if row is not None:
        return row[0], row[1]
    return r.updated_by, r.updated_at


def conflict_of(s: Session, r: CaseReview) -> Conflict:
    """The ``Conflict`` for the stored review ``r`` (its text, version, and who saved it when)."""
    user, when = plan_saved_by(s, r)
    return Conflict(r.plan, r.version, user, when)


def set_assessor(s: Session, review_id: int, value: str) -> None:
    r = s.get(CaseReview, review_id)
    if r is not None and r.primary_assessor != value:
        r.primary_assessor = value
        r.updated_at = clock.now()
        s.add(r)
        audit(s, "review.assessor", _unit_of(s, r), patient_id=r.patient_id, detail=f"assessor={value}",
              case_no=r.case_no)


def _unit_of(s: Session, r: CaseReview | None) -> int | None:
    """The care unit of a review (its meeting's): an audit row names it, a case number being a unit's own."""
    if r is None:
        return None
    return s.scalar(select(Meeting.unit_id).where(Meeting.id == r.meeting_id))


def actions_of(s: Session, review_id: int) -> list[Action]:
    return list(s.scalars(select(Action).where(Action.review_id == review_id).order_by(Action.id)))


def add_action(s: Session, review_id: int, kind: str, owner: str, due: dt.date | None) -> Action:
    a = Action(review_id=review_id, kind=kind, owner=owner, due=due, status="open", created_at=clock.now())
    s.add(a)
    s.flush()
    r = s.get(CaseReview, review_id)
    audit(s, "action.add", _unit_of(s, r), patient_id=r.patient_id if r else None, case_no=r.case_no if r else None,
          detail=_action_words(a))
    return a


def update_action(s: Session, action_id: int, **fields) -> Action:
    """Set ``fields`` of the action; the audit log names only the fields whose value changed (nothing
    changed: nothing is written or logged)."""
    a = s.get(Action, action_id)
    if a is None:
        raise NotFound(f"action {action_id}")
    changed = sorted(k for k, v in fields.items() if getattr(a, k) != v)
    if not changed:
        return a
    for k in changed:
        setattr(a, k, fields[k])
    s.add(a)
    r = s.get(CaseReview, a.review_id)
    audit(s, "action.update", _unit_of(s, r), patient_id=r.patient_id if r else None, case_no=r.case_no if r else None,
          detail=_action_words(a) + " changed=" + ",".join(changed))
    return a


def delete_action(s: Session, action_id: int) -> None:
    a = s.get(Action, action_id)
    if a is None:
        raise NotFound(f"action {action_id}")
    r = s.get(CaseReview, a.review_id)
    words = _action_words(a)
    s.delete(a)
    s.flush()  # the row first, then the audit row (the chain's lock is always taken last)
    audit(s, "action.delete", _unit_of(s, r), patient_id=r.patient_id if r else None, case_no=r.case_no if r else None,
          detail=words)


def _action_words(a: Action) -> str:
    """An action in an audit row, as the minutes name it (not by its internal id)."""
    return (f"kind={a.kind!r} owner={a.owner!r} due={a.due.isoformat() if a.due else '-'} status={a.status}")


def set_action_status(s: Session, action_id: int, status: str, meeting_id: int | None = None) -> Action:
    if status not in ("open", "done", "dropped"):
        raise ValueError(status)
    return update_action(s, action_id, status=status, status_changed_at=clock.now(),
                         status_meeting_id=meeting_id)


def record_status(s: Session, unit_id: int, e: Episode, kind: str, value: str, as_of: dt.date,
                  meeting_id: int | None) -> None:
    anchor = max(e.certs, key=lambda c: (c.start, c.id)).id
    s.add(StatusRecordRow(unit_id=unit_id, certificate_id=anchor, as_of=as_of, kind=kind, value=value,
                          source="meeting" if meeting_id else "manual", meeting_id=meeting_id,
                          os_user=os_user(), created_at=clock.now()))
    audit(s, f"status.{kind}", unit_id, e.patient_id, detail=value, case_no=e.case_no)


@dataclass
class HistoryEntry:
    meeting_date: dt.date
    review: CaseReview
    actions: list[Action]


def history(s: Session, unit_id: int, e: Episode, before: dt.date | None = None) -> list[HistoryEntry]:
    """Earlier decisions for this patient, this episode and any earlier one (meetings before
    ``before``), newest first."""
    q = (select(CaseReview, Meeting.date).join(Meeting, Meeting.id == CaseReview.meeting_id)
         .where(Meeting.unit_id == unit_id, CaseReview.patient_id == e.patient_id))
    if before is not None:
        q = q.where(Meeting.date < before)
    out = []
    for r, d in s.execute(q.order_by(Meeting.date.desc())):
        out.append(HistoryEntry(d, r, actions_of(s, r.id)))
    return out


def actions_of_meeting(s: Session, meeting_id: int) -> list[tuple[CaseReview, Action]]:
    q = (select(CaseReview, Action).join(Action, Action.review_id == CaseReview.id)
         .where(CaseReview.meeting_id == meeting_id).order_by(Action.owner, Action.due, Action.id))
    return [(r, a) for r, a in s.execute(q)]


def open_actions(s: Session, unit_id: int, up_to: dt.date | None = None) -> list[tuple[Meeting, CaseReview, Action]]:
    q = (select(Meeting, CaseReview, Action).join(CaseReview, CaseReview.meeting_id == Meeting.id)
         .join(Action, Action.review_id == CaseReview.id)
         .where(Meeting.unit_id == unit_id, Action.status == "open"))
    if up_to is not None:
        q = q.where(Meeting.date <= up_to)
    return [(m, r, a) for m, r, a in s.execute(q.order_by(Action.owner, Action.due, Action.id))]


@dataclass
class FollowUp:
    meeting: Meeting  # the meeting that decided the action
    review: CaseReview
    action: Action


def followups(s: Session, unit_id: int, at: dt.date) -> tuple[Meeting | None, dict[str, list[FollowUp]]]:
    """What the meeting at ``at`` follows up, the same for its summary and its minutes: every action of
    the last closed meeting before it, under its status now ("done", "open", "dropped"), and every
    action of an earlier meeting that is still open (under "open", with the meeting that decided it).
    Each list is ordered by due date (none last), case number and action id. Returns (the last closed
    meeting or None, the lists); without a closed meeting before ``at`` there is nothing to follow up."""
    prev = previous_closed(s, unit_id, at)
    out: dict[str, list[FollowUp]] = {}
    if prev is None:
        return None, out
    for r, a in actions_of_meeting(s, prev.id):
        out.setdefault(a.status, []).append(FollowUp(prev, r, a))
    for m, r, a in open_actions(s, unit_id, up_to=prev.date):
        if m.id != prev.id:
            out.setdefault("open", []).append(FollowUp(m, r, a))
    for lst in out.values():
        lst.sort(key=lambda f: (f.action.due or dt.date.max, f.review.case_no, f.action.id))
    return prev, out


# ---------------------------------------------------------------- case views (follow mode)

def _case_view_detail(case_no: int, meeting_date: dt.date, session_id: str, identified: bool) -> str:
    return (f"case={case_no} meeting={meeting_date.isoformat()} session={session_id}"
            f" identified={'yes' if identified else 'no'}")


def _detail_fields(detail: str) -> dict[str, str]:
    """The ``key=value`` words of a detail written by ``_case_view_detail``."""
    return dict(w.split("=", 1) for w in detail.split() if "=" in w)


def audit_case_view(s: Session, unit_id: int, patient_id: int, case_no: int, meeting_date: dt.date,
                    session_id: str, identified: bool) -> None:
    """The audit row of a case opened at a meeting (``case.view``), saying which session opened it and
    whether the screen showed the patient identified; ``latest_case_view`` reads these rows back."""
    audit(s, "case.view", unit_id, patient_id, case_no=case_no,
          detail=_case_view_detail(case_no, meeting_date, session_id, identified))


def latest_case_view(s: Session, unit_id: int, meeting_date: dt.date, exclude_session: str,
                     window: int = 50) -> int | None:
    """The case another session most recently opened at the meeting on ``meeting_date``: the unit's
    newest ``case.view`` rows (by their columns: unit, action, case number), of the meeting and not of
    ``exclude_session``."""
    q = (select(AuditLog.case_no, AuditLog.detail)
         .where(AuditLog.unit_id == unit_id, AuditLog.action == "case.view", AuditLog.case_no.is_not(None))
         .order_by(AuditLog.id.desc()).limit(window))
    day = meeting_date.isoformat()
    for case_no, detail in s.execute(q):
        f = _detail_fields(detail)
        if f.get("meeting") == day and f.get("session") != exclude_session:
            return case_no
    return None


# ---------------------------------------------------------------- small questions

def unit_has_certificates(s: Session, unit_code: str) -> bool:
    return s.scalar(select(Certificate.id).join(Unit, Unit.id == Certificate.unit_id)
                    .where(Unit.code == unit_code).limit(1)) is not None


def unit_certificate_count(s: Session, unit_code: str) -> int:
    u = s.scalars(select(Unit).where(Unit.code == unit_code)).first()
    if u is None:
        return 0
    return s.scalar(select(func.count(Certificate.id)).where(Certificate.unit_id == u.id)) or 0


def any_certificate(s: Session) -> bool:
    return s.scalar(select(Certificate.id).limit(1)) is not None


def meeting_of_action(s: Session, action_id: int) -> int | None:
    """The id of the meeting whose review the action belongs to (None: no such action)."""
    return s.scalar(select(CaseReview.meeting_id).join(Action, Action.review_id == CaseReview.id)
                    .where(Action.id == action_id))


def unit_has_lower_bounds(s: Session, unit_id: int) -> bool:
    """Does the unit hold certificates from a Rehabstöd export (one row per episode, its last doctor only:
    doctor counts from them are minimums)?"""
    return s.scalar(select(Certificate.id).where(Certificate.unit_id == unit_id, Certificate.source == "rehabstod")
                    .limit(1)) is not None


def batch_of_kind(s: Session, kind: str) -> bool:
    """Is there an import batch of ``kind``?"""
    return s.scalar(select(ImportBatch.id).where(ImportBatch.kind == kind).limit(1)) is not None


def batch_named(s: Session, file_name: str, sha256: str) -> bool:
    """Is there an import batch of this file name and checksum?"""
    return s.scalar(select(ImportBatch.id).where(ImportBatch.file_name == file_name,
                                                ImportBatch.sha256 == sha256).limit(1)) is not None


def add_status_records(s: Session, unit_id: int, as_of: dt.date, records: Sequence[tuple[int, str, str]],
                       source: str = "import", os_user_name: str = "") -> None:
    """Statuses recorded as of ``as_of``: (certificate id, kind, value) each, in one INSERT."""
    from sqlalchemy import insert

    if records:
        s.execute(insert(StatusRecordRow), [
            {"unit_id": unit_id, "certificate_id": c, "as_of": as_of, "kind": kind, "value": v,
             "source": source, "os_user": os_user_name, "created_at": clock.now()} for c, kind, v in records])


def patient_id_of(s: Session, pnr: str) -> int | None:
    return s.scalar(select(Patient.id).where(Patient.pnr == pnr))


def audit_rows(s: Session, patient_id: int | None = None, user: str | None = None,
               since: dt.datetime | None = None) -> list[AuditLog]:
    """Audit rows in log order, only those about ``patient_id``, by ``user`` or at or after ``since``."""
    q = select(AuditLog).order_by(AuditLog.id)
    if patient_id is not None:
        q = q.where(AuditLog.patient_id == patient_id)
    if user:
        q = q.where(AuditLog.os_user == user)
    if since is not None:
        q = q.where(AuditLog.ts >= since)
    return list(s.scalars(q))
