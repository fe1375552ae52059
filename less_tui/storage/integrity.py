"""What ``less-tui doctor`` asks of a database, as plain data: its schema version, SQLite's
``PRAGMA quick_check``, amcheck over PostgreSQL's B-tree indexes, and the audit log's chain and the
rights the connected role has on it. The verdicts and their wording are ``services/health.py``'s."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from . import auditlog
from .db import HEAD, current_revision, make_engine

__all__ = ["HEAD", "open_engine", "revision", "quick_check", "index_check", "audit_verdict", "audit_rights"]


def open_engine(url: str, group: str = "") -> Engine:
    """An engine on the database at ``url`` as it is (no upgrade, nothing written but SQLite's own file
    preparation; the caller has checked that a SQLite file exists)."""
    return make_engine(url, group)


def revision(engine: Engine) -> str | None:
    """The schema's Alembic revision (None for a database without one)."""
    return current_revision(engine)


def quick_check(engine: Engine) -> list[str]:
    """SQLite's ``PRAGMA quick_check``: ``["ok"]``, or the problems it lists."""
    with engine.connect() as c:
        return [r[0] for r in c.execute(text("PRAGMA quick_check"))]


def index_check(engine: Engine) -> tuple[int, list[str]] | None:
    """PostgreSQL: amcheck's ``bt_index_check`` (with the heap) on every valid B-tree index of the
    database's schema: (how many were checked, ``"index: error"`` for each damaged one). None when the
    amcheck extension is not installed (it is not created here)."""
    with engine.connect() as c:
        if not c.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")).scalar():
            return None
        indexes = c.execute(text(
            "SELECT ic.oid, ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = ic.relam WHERE am.amname = 'btree' AND i.indisvalid AND i.indisready "
            "AND ic.relnamespace = current_schema()::regnamespace ORDER BY ic.relname")).all()
        bad = []
        for oid, index in indexes:
            try:
                with c.begin_nested():
                    c.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
            except Exception as e:  # the index (or its table) is damaged: name it, check the rest
                orig = getattr(e, "orig", None) or e
                bad.append(f"{index}: {str(orig).splitlines()[0] if str(orig) else type(orig).__name__}")
        c.rollback()
        return len(indexes), bad


def audit_verdict(engine: Engine) -> tuple[bool, str]:
    """The audit log's hash chain: (is it whole, the verdict in one line)."""
    with engine.connect() as c:
        v = auditlog.verify(c)
        return v.ok, auditlog.describe(v)


def audit_rights(engine: Engine) -> tuple[str, list[str]] | None:
    """PostgreSQL: the connected role and what it may do to the audit log that it should not (empty
    when nothing). None on SQLite."""
    with engine.connect() as c:
        rights = auditlog.privileges(c)
        if c.dialect.name != "postgresql":
            return None
        return c.exec_driver_sql("SELECT current_user").scalar(), rights
