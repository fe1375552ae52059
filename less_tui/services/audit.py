"""The audit log for the log review (``less-tui audit``): its rows as plain data, and its check."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from sqlalchemy.engine import Engine

from ..storage import auditlog, db, repo


class AuditRow(TypedDict):
    """One row of the log as ``less-tui audit`` shows it."""

    time: str  # ISO, local time, to the second
    user: str  # the operating-system user
    ssh_client: str
    action: str
    unit: str  # the care unit's code ("" for a row about no unit): a case number is a unit's own
    case: int | None  # the case number people use
    detail: str


def rows(engine: Engine, pnr: str | None = None, user: str | None = None,
         since: dt.date | None = None) -> list[AuditRow]:
    """The log's rows in order (only those about the patient ``pnr`` (normalised), by ``user``, on or
    after ``since``), each naming its case by the case number people use, never by an internal id."""
    with db.session(engine) as s:
        pid = None
        if pnr:
            pid = repo.patient_id_of(s, pnr)
            if pid is None:  # no such patient: no rows
                return []
        since_ts = dt.datetime.combine(since, dt.time()).astimezone() if since else None
        codes = repo.unit_codes_by_id(s)
        return [{"time": a.ts.astimezone().isoformat(timespec="seconds"), "user": a.os_user,
                 "ssh_client": a.ssh_client, "action": a.action,
                 "unit": codes.get(a.unit_id, "") if a.unit_id is not None else "", "case": a.case_no,
                 "detail": a.detail}
                for a in repo.audit_rows(s, pid, user, since_ts)]


def verify(engine: Engine) -> tuple[bool, str]:
    """Walk the hash chain: (is it whole, the verdict in one line)."""
    with db.session(engine) as s:
        v = auditlog.verify(s.connection())
    return v.ok, auditlog.describe(v)
