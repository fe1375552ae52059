"""The audit log: appending hash-chained rows, and checking the chain.

Each row carries ``prev_hash`` (the hash of the row before it, ``""`` for the first) and ``row_hash``,
SHA-256 over a canonical serialisation of its fields and ``prev_hash`` (``canonical`` below; that format
is a contract with every row ever written: change it only under a new version tag). Appends are
serialised on the one row of ``audit_chain`` (PostgreSQL ``SELECT … FOR UPDATE``; SQLite's write lock,
taken by a no-op UPDATE of that row) and the hash is computed in the same transaction, so two sessions
appending at once cannot fork the chain. ``audit_chain`` also holds the last row's id and hash, so rows
deleted from the end of the log show too.

No Textual, no Rich: the CLI's ``audit`` command and ``doctor`` use this.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from .. import clock
from .models import AuditChain, AuditLog

VERSION = "less-tui-audit-1"
GENESIS = ""
# A row written more than this much earlier than the row before it is reported as back-dated (rows are
# stamped under the append lock, so time only goes forward, save for clocks of different servers).
BACKDATE_TOLERANCE = dt.timedelta(minutes=5)

_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # = json.dumps(…, same options)
LOG = AuditLog.__table__
CHAIN = AuditChain.__table__


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return str(os.getuid())


def ssh_client() -> str:
    return (os.environ.get("SSH_CLIENT") or "").split(" ")[0]


def _ts(ts: dt.datetime) -> str:
    if ts.tzinfo is None:  # stored without an offset: UTC (sqlmodel's UTCDateTime)
        ts = ts.replace(tzinfo=dt.timezone.utc)
    return ts.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def canonical(ts: dt.datetime, os_user: str, ssh_client: str, action: str, unit_id: Optional[int],
              patient_id: Optional[int], case_no: Optional[int], detail: str, prev_hash: str) -> bytes:
    """The bytes a row's hash is taken over: a JSON array of the version tag and every field but the id."""
    return _JSON.encode([VERSION, _ts(ts), os_user, ssh_client, action, unit_id, patient_id, case_no, detail,
                         prev_hash]).encode("utf-8")


def row_hash(ts, os_user, ssh_client, action, unit_id, patient_id, case_no, detail, prev_hash) -> str:
    return hashlib.sha256(canonical(ts, os_user, ssh_client, action, unit_id, patient_id, case_no, detail,
                                    prev_hash)).hexdigest()


def hash_of(row) -> str:
    """The hash a stored row (anything with the columns as attributes) should carry."""
    return row_hash(row.ts, row.os_user, row.ssh_client, row.action, row.unit_id, row.patient_id, row.case_no,
                    row.detail, row.prev_hash or GENESIS)


@dataclass
class Entry:
    action: str
    unit_id: Optional[int] = None
    patient_id: Optional[int] = None
    case_no: Optional[int] = None
    detail: str = ""


def _lock_head(s: Session) -> tuple[int, str]:
    """Take the append lock for the rest of the transaction; (last row id, its hash)."""
    if s.get_bind().dialect.name == "postgresql":
        row = s.execute(text("SELECT last_id, last_hash FROM audit_chain WHERE id = 1 FOR UPDATE")).first()
    else:
        # SQLite: a write takes the database's one write lock, held until the transaction ends
        s.execute(text("UPDATE audit_chain SET last_id = last_id WHERE id = 1"))
        row = s.execute(text("SELECT last_id, last_hash FROM audit_chain WHERE id = 1")).first()
    if row is not None:
        return int(row[0]), row[1] or GENESIS
    # no head row (a database whose head row was removed): start it from the log's last row
    last = s.execute(select(LOG.c.id, LOG.c.row_hash).order_by(LOG.c.id.desc()).limit(1)).first()
    from .repo import insert_or_ignore

    insert_or_ignore(s, AuditChain, {"id": 1, "last_id": last[0] if last else 0,
                                     "last_hash": (last[1] or GENESIS) if last else GENESIS}, ["id"])
    return _lock_head(s)


def append(s: Session, entries: Iterable[Entry]) -> None:
    """Write ``entries`` to the audit log in ``s``'s transaction, chained to the row before; the lock on
    the chain is held until that transaction ends, so commit soon after."""
    entries = list(entries)
    if not entries:
        return
    s.flush()  # what the rows are about is written first
    last_id, prev = _lock_head(s)
    ts = clock.now()  # stamped under the lock: the log is in time order
    user, ssh = os_user(), ssh_client()
    values = []
    for e in entries:
        h = row_hash(ts, user, ssh, e.action, e.unit_id, e.patient_id, e.case_no, e.detail, prev)
        values.append({"ts": ts, "os_user": user, "ssh_client": ssh, "action": e.action, "unit_id": e.unit_id,
                       "patient_id": e.patient_id, "case_no": e.case_no, "detail": e.detail, "prev_hash": prev,
                       "row_hash": h})
        prev = h
    # executemany inserts in list order, so ids follow the chain; the lock keeps other appenders out, so
    # the newest row is the last of these
    s.execute(insert(LOG), values)
    last_id = s.execute(select(LOG.c.id).where(LOG.c.id > last_id, LOG.c.row_hash == prev)  # only the new rows
                        .order_by(LOG.c.id.desc()).limit(1)).scalar_one()
    s.execute(update(CHAIN).where(CHAIN.c.id == 1).values(last_id=last_id, last_hash=prev))


# ---------------------------------------------------------------- checking

@dataclass
class Break:
    """Where the chain breaks first. ``kind``: ``no_hash`` (a row not written by less-tui), ``changed``
    (the row differs from what was hashed), ``gap`` (the row before it was deleted or changed),
    ``backdated`` (earlier than the row before it), ``tail`` (rows at the end were deleted: the last
    recorded row ``row_id`` is gone or differs), ``no_head`` (the chain's head row is missing)."""

    kind: str
    row_id: Optional[int]
    ts: Optional[dt.datetime] = None
    action: str = ""


@dataclass
class Verdict:
    rows: int
    last_id: Optional[int]
    first_break: Optional[Break]

    @property
    def ok(self) -> bool:
        return self.first_break is None


def verify(conn) -> Verdict:
    """Walk the whole log in id order (a Connection or Session); the first break, if any."""
    head = conn.execute(select(CHAIN.c.last_id, CHAIN.c.last_hash).where(CHAIN.c.id == 1)).first()
    cols = (LOG.c.id, LOG.c.ts, LOG.c.os_user, LOG.c.ssh_client, LOG.c.action, LOG.c.unit_id, LOG.c.patient_id,
            LOG.c.case_no, LOG.c.detail, LOG.c.prev_hash, LOG.c.row_hash)
    prev, prev_ts, n, last, head_seen = GENESIS, None, 0, None, False
    found: Optional[Break] = None
    for r in conn.execute(select(*cols).order_by(LOG.c.id).execution_options(yield_per=2000)):
        n += 1
        last = r.id
        if found is not None:
            continue  # count the rest
        ts = r.ts if r.ts.tzinfo else r.ts.replace(tzinfo=dt.timezone.utc)
        if not r.row_hash:
            found = Break("no_hash", r.id, ts, r.action)
        elif hash_of(r) != r.row_hash:
            found = Break("changed", r.id, ts, r.action)
        elif (r.prev_hash or GENESIS) != prev:
            found = Break("gap", r.id, ts, r.action)
        elif prev_ts is not None and ts < prev_ts - BACKDATE_TOLERANCE:
            found = Break("backdated", r.id, ts, r.action)
        if head is not None and r.id == head.last_id:
            head_seen = r.row_hash == head.last_hash
        prev, prev_ts = r.row_hash or GENESIS, max(ts, prev_ts) if prev_ts else ts
    if found is None:
        if head is None:
            if n:
                found = Break("no_head", None)
        elif head.last_id and not head_seen:
            found = Break("tail", head.last_id)
    return Verdict(n, last, found)


def describe(v: Verdict) -> str:
    """One line for ``audit --verify`` and ``doctor``, in the language chosen."""
    from ..i18n import t

    b = v.first_break
    if b is None:
        return t("audit.intact", rows=v.rows, last=v.last_id if v.last_id is not None else "–")
    if b.kind in ("tail", "no_head"):
        return t("audit.broken_end", rows=v.rows, why=t(f"audit.why.{b.kind}", row=b.row_id))
    when = b.ts.astimezone().isoformat(timespec="seconds") if b.ts else "–"
    return t("audit.broken", row=b.row_id, time=when, action=b.action, why=t(f"audit.why.{b.kind}"))


def privileges(conn) -> list[str]:
    """PostgreSQL: what the connected role may do to the audit log that it should not (UPDATE, DELETE,
    TRUNCATE; owning it means ALTER and dropping its triggers too). Empty on SQLite."""
    if conn.dialect.name != "postgresql":
        return []
    row = conn.execute(text(
        "SELECT has_table_privilege(current_user, 'audit_log', 'UPDATE'), "
        "has_table_privilege(current_user, 'audit_log', 'DELETE'), "
        "has_table_privilege(current_user, 'audit_log', 'TRUNCATE'), "
        "pg_has_role(current_user, (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log' "
        "AND schemaname = current_schema()), 'USAGE')")).first()
    return [name for name, may in zip(("UPDATE", "DELETE", "TRUNCATE", "ALTER"), row) if may]
