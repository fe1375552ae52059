"""Which database, opening it, and the administration of its file: what the command line and the
exports need of the database without importing ``storage`` (issue 13). Importing certificate files,
backup, restore and the move to PostgreSQL are here too; each keeps the storage layer's messages and
exceptions (``AdminError``, ``DatabaseError``), re-exported for the callers to catch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from sqlalchemy.engine import Engine, make_url

from ..config import Config
from ..i18n import t
from ..storage import admin as _admin
from ..storage import db as _db
from ..storage.admin import AdminError as AdminError
from ..storage.db import DB_FILE as DB_FILE
from ..storage.db import DatabaseError as DatabaseError

if TYPE_CHECKING:
    from ..storage.importing import Summary as ImportSummary

__all__ = ["DB_FILE", "AdminError", "DatabaseError", "resolve_url", "unusable", "sqlite_path", "database_file", "shown",
           "open_engine", "memory_engine", "import_files", "backup", "check_backup", "restore", "migrate"]


def resolve_url(db: str | None, config_url: str = "") -> str:
    """The database's URL: ``--db PATH|URL``, else $LESS_TUI_DB, else the config's, else the user
    data dir's ``less-tui.db``."""
    return _db.resolve_url(db, config_url)


def unusable(url: str) -> str:
    """Why ``url`` cannot hold a clinic's database, in words ("" when it can): a database in memory keeps
    nothing; only SQLite files and PostgreSQL through psycopg (``postgresql+psycopg://``) are supported."""
    from sqlalchemy.exc import ArgumentError

    try:
        u = make_url(url)
    except (ArgumentError, ValueError):  # (ValueError: a port that is not a number, "host:abc")
        return t("dberr.bad_url", db=_without_password(url))
    backend, _, driver = u.drivername.partition("+")  # (from the text: no dialect is loaded for an unknown one)
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return t("dberr.memory", db=url) if _db.sqlite_path(url) is None else ""
    if backend == "postgresql" and driver in ("", "psycopg"):  # (psycopg is SQLAlchemy's default for it)
        return ""
    return t("dberr.unsupported", db=u.render_as_string(hide_password=True))


def _without_password(url: str) -> str:
    """A URL that could not be parsed, shown without what may be its password (user:secret@host)."""
    import re

    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database, or one in memory)."""
    return _db.sqlite_path(url)


def database_file(engine: Engine) -> Path | None:
    """The file of the database ``engine`` opens (None when it is not a SQLite file)."""
    return _db.sqlite_path(engine.url.render_as_string(hide_password=False))


def shown(url: str) -> str:
    """A database as a person names it: the file of a SQLite URL, else the URL without its password."""
    return _db.shown(url)


def open_engine(url: str, group: str = "") -> Engine:
    """Open (and create or upgrade to the newest schema) the database at ``url``; ``DatabaseError``
    says why it cannot be."""
    return _db.open_engine(url, group=group)


def memory_engine() -> Engine:
    """An empty database in memory (what a dry run compares with when there is no database yet)."""
    return _db.open_engine("sqlite://")


def import_files(engine: Engine, cfg: Config, batches: Sequence[tuple[Any, ...]], as_of: dt.date,
                 dry_run: bool = False, progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Store the rows read from certificate files, all in one transaction (nothing with ``dry_run``):
    each batch is ``(file, sha256, kind, rows_read, rows_invalid, rows)``."""
    from ..storage.importing import store  # (only the import needs it)

    return store(engine, cfg, batches, as_of, dry_run=dry_run, progress=progress)


def _audit(url: str, action: str, detail: str) -> None:
    """A row in the database's audit log (a copy of every patient's data is made, or the database is
    replaced: the log review sees who and when)."""
    from ..storage import repo

    engine = _db.open_engine(url)
    try:
        with _db.session(engine) as s:
            if engine.dialect.name == "sqlite":  # (a busy database is waited for as an import waits, not 5 s)
                s.connection().exec_driver_sql("PRAGMA busy_timeout = 30000")
            repo.audit(s, action, detail=detail)
            s.commit()
    finally:
        engine.dispose()


def backup(url: str, dest: Path) -> dict[str, Any]:
    """A consistent, checked copy of the live SQLite database at ``dest`` (a new file, or a dated file
    in a folder): its ``path``, ``revision`` and row ``counts``. Audited (``db.backup``), in the copy too."""
    _audit(url, "db.backup", f"to={dest}")
    return _admin.backup(url, dest)


def check_backup(path: Path) -> dict[str, Any]:
    """Integrity, schema version and row ``counts`` of a backup file (``AdminError`` if it is not one)."""
    return _admin.check_file(path)


def restore(url: str, src: Path, unit: str | None = None) -> dict[str, Any]:
    """Put a checked backup back; the current database is copied ``aside`` first. Refused (``AdminError``)
    when it is the demo over a real database, or lacks the care unit ``unit`` the database holds."""
    info = _admin.restore(url, src, unit)
    _audit(url, "db.restore", f"from={src} aside={info['aside'] or '-'}")  # in the database now in place
    return info


def migrate(engine: Engine, dest_url: str) -> dict[str, tuple[int, str]]:
    """Copy this SQLite database into an empty PostgreSQL one: each table's row count and checksum,
    compared on both sides."""
    return _admin.migrate(engine, dest_url)
