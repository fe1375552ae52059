"""The tables. Episodes are not stored: they are computed from certificates, so an
import that extends, back-fills or merges episodes never strands a decision. Decisions
and status records hang on an anchor certificate, and belong to whichever episode
holds that certificate."""

from __future__ import annotations

import datetime as dt
from typing import Optional, Protocol

from sqlalchemy import Column, ForeignKeyConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Unit(SQLModel, table=True):
    __tablename__ = "units"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True)
    name: str = ""
    listed_patients: Optional[int] = None
    next_case_no: int = 1


class Patient(SQLModel, table=True):
    __tablename__ = "patients"
    id: Optional[int] = Field(default=None, primary_key=True)
    pnr: str = Field(index=True, unique=True)
    name: str = ""


class Doctor(SQLModel, table=True):
    __tablename__ = "doctors"
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True)  # "hsa:<id>" or "name:<name>"
    name: str
    hsa_id: Optional[str] = None


class ImportBatch(SQLModel, table=True):
    __tablename__ = "import_batches"
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: Optional[int] = Field(default=None, foreign_key="units.id")
    file_name: str
    sha256: str
    kind: str = "intyg"
    as_of: dt.date
    rows_read: int = 0
    new_certificates: int = 0
    known_certificates: int = 0
    invalid_rows: int = 0
    os_user: str = ""
    created_at: dt.datetime


class CaseNumber(SQLModel, table=True):
    """A case number belongs to one patient within one unit. An episode shows the smallest number of its
    certificates; every certificate's number is one of these rows, for its own patient (the foreign key
    on ``certificates``), so no number can name two patients' cases, however many imports run at once."""

    __tablename__ = "case_numbers"
    __table_args__ = (
        UniqueConstraint("unit_id", "case_no", name="uq_case_number"),
        UniqueConstraint("unit_id", "case_no", "patient_id", name="uq_case_number_patient"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id")
    case_no: int
    patient_id: int = Field(foreign_key="patients.id")


class Certificate(SQLModel, table=True):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("unit_id", "patient_id", "diagnosis_code", "start", "end", "degree", "doctor_id",
                         name="uq_certificate_identity"),
        Index("ix_certificates_unit_patient", "unit_id", "patient_id"),
        ForeignKeyConstraint(["unit_id", "case_no", "patient_id"],
                             ["case_numbers.unit_id", "case_numbers.case_no", "case_numbers.patient_id"],
                             name="fk_certificates_case_number"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    patient_id: int = Field(foreign_key="patients.id", index=True)
    doctor_id: int = Field(foreign_key="doctors.id")
    diagnosis_code: str
    diagnosis_text: str = ""
    start: dt.date
    end: dt.date
    degree: int
    signed: Optional[dt.date] = None
    occupation: Optional[str] = None
    case_no: int
    source: str = "intyg"
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batches.id")


class StatusRecordRow(SQLModel, table=True):
    __tablename__ = "status_records"
    __table_args__ = (Index("ix_status_records_unit_cert", "unit_id", "certificate_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    certificate_id: int = Field(foreign_key="certificates.id", index=True)
    as_of: dt.date
    kind: str  # "coordinator" | "rehab_plan"
    value: str
    source: str = "import"  # "import" | "meeting"
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batches.id")
    meeting_id: Optional[int] = Field(default=None, foreign_key="meetings.id")
    os_user: str = ""
    created_at: dt.datetime


class Meeting(SQLModel, table=True):
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("unit_id", "date", name="uq_meeting_unit_date"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    date: dt.date
    attendees: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))  # JSON list
    status: str = "open"  # "open" | "closed"
    started_at: Optional[dt.datetime] = None
    closed_at: Optional[dt.datetime] = None
    created_by: str = ""


class AgendaItem(SQLModel, table=True):
    """The meeting's running order: each case its list has shown, in the order first shown. The cases keep
    their places while statuses and actions change their ranks, and after a restart (a killed process, a
    dropped SSH line) or in a second session the team sees the same order; a case shown once stays on the
    list until the meeting ends."""

    __tablename__ = "meeting_agenda"
    __table_args__ = (UniqueConstraint("meeting_id", "case_no", name="uq_meeting_agenda_case"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    case_no: int
    position: int


class MeetingIndicator(SQLModel, table=True):
    __tablename__ = "meeting_indicators"
    __table_args__ = (UniqueConstraint("meeting_id", "key", name="uq_meeting_indicator"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    key: str
    count: int
    denominator: int


class MeetingReopening(SQLModel, table=True):
    """A closing undone (``less-tui meeting reopen``): when the meeting had been closed, who reopened
    it, when and why. Reopening unfreezes the meeting, so the counts that closing froze are kept here
    (JSON ``{key: [count, denominator]}``). The minutes list every closing from these rows."""

    __tablename__ = "meeting_reopenings"
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    closed_at: Optional[dt.datetime] = None
    reopened_at: dt.datetime
    reopened_by: str = ""
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    frozen: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class CaseReview(SQLModel, table=True):
    __tablename__ = "case_reviews"
    __table_args__ = (UniqueConstraint("meeting_id", "anchor_certificate_id", name="uq_review_anchor"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    patient_id: int = Field(foreign_key="patients.id", index=True)
    anchor_certificate_id: int = Field(foreign_key="certificates.id", index=True)
    case_no: int
    plan: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    primary_assessor: str = ""
    reasons: str = "[]"  # JSON list, the queue reasons when reviewed
    facts: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # JSON snapshot
    version: int = 1
    updated_by: str = ""
    created_at: dt.datetime
    updated_at: dt.datetime


class Action(SQLModel, table=True):
    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_status_due", "status", "due"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="case_reviews.id", index=True)
    kind: str = ""
    owner: str = ""
    due: Optional[dt.date] = None
    status: str = "open"  # "open" | "done" | "dropped"
    status_changed_at: Optional[dt.datetime] = None
    status_meeting_id: Optional[int] = Field(default=None, foreign_key="meetings.id")
    created_at: dt.datetime


class AuditLog(SQLModel, table=True):
    """Append-only (the database refuses UPDATE and DELETE), and hash-chained: ``row_hash`` is SHA-256
    over the row's fields and ``prev_hash``, the hash of the row before it (``storage/auditlog.py``).
    Rows are written only by ``auditlog.append``, which serialises writers on ``audit_chain``."""

    __tablename__ = "audit_log"
    id: Optional[int] = Field(default=None, primary_key=True)
    ts: dt.datetime
    os_user: str
    ssh_client: str = ""
    action: str
    unit_id: Optional[int] = None
    patient_id: Optional[int] = None
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    case_no: Optional[int] = None  # the case the row is about, as people name it
    prev_hash: Optional[str] = None
    row_hash: Optional[str] = None  # NULL: a row not written by less-tui (``audit --verify`` says so)


class AuditChain(SQLModel, table=True):
    """One row (id 1): the last audit row and its hash. Appending locks it (PostgreSQL ``FOR UPDATE``,
    SQLite's write lock), so two sessions cannot fork the chain; ``audit --verify`` checks that the log
    still ends at this row (rows deleted from the end)."""

    __tablename__ = "audit_chain"
    id: Optional[int] = Field(default=None, primary_key=True)
    last_id: int = 0
    last_hash: str = ""


class ImprovementProblem(SQLModel, table=True):
    """A problem of the unit's improvement work (numbered 1, 2, 3 … within the unit)."""

    __tablename__ = "improvement_problems"
    __table_args__ = (UniqueConstraint("unit_id", "number", name="uq_improvement_problem_number"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    number: int
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: dt.datetime
    updated_at: dt.datetime


class ImprovementIdea(SQLModel, table=True):
    """An idea to solve a problem (1.1, 1.2 …): its status, the indicators it aims at (JSON list of
    keys) and its PDSA cycles."""

    __tablename__ = "improvement_ideas"
    __table_args__ = (UniqueConstraint("problem_id", "number", name="uq_improvement_idea_number"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="improvement_problems.id", index=True)
    number: int
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = "planned"  # "planned" | "testing" | "introduced" | "ended"
    indicators: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    created_at: dt.datetime
    updated_at: dt.datetime


class PdsaCycle(SQLModel, table=True):
    """One plan-do-study-act cycle of an idea."""

    __tablename__ = "pdsa_cycles"
    id: Optional[int] = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="improvement_ideas.id", index=True)
    plan: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    do: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    study: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    act: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    owner: str = ""
    start: Optional[dt.date] = None
    end: Optional[dt.date] = None
    result: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: dt.datetime
    updated_at: dt.datetime


class MeetingMeasure(SQLModel, table=True):
    """A value of one of the team's own measures (``[[less.measures]]``) at a meeting: a count, and for
    a share its denominator. Written while the meeting is open; closing the meeting freezes it."""

    __tablename__ = "meeting_measures"
    __table_args__ = (UniqueConstraint("meeting_id", "key", name="uq_meeting_measure"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    key: str
    count: int
    denominator: Optional[int] = None
    updated_by: str = ""
    updated_at: dt.datetime


class Training(SQLModel, table=True):
    """An insurance-medicine training a person of the team has taken (the LESS roll-out)."""

    __tablename__ = "trainings"
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    person: str
    course: str
    date: dt.date
    created_at: dt.datetime


class SupervisionSession(SQLModel, table=True):
    """A supervision session (handledning): when, how long, who led it and who came (JSON list)."""

    __tablename__ = "supervision_sessions"
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    date: dt.date
    minutes: int
    leader: str = ""
    attendees: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    created_at: dt.datetime


class _Stored(Protocol):
    @property
    def id(self) -> Optional[int]: ...


def pk(row: _Stored) -> int:
    """The primary key of a row read from the database or flushed to it (the models declare ``id``
    optional only because a row not yet flushed has none); ``ValueError`` for such a row."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it has not been flushed to the database")
    return row.id
