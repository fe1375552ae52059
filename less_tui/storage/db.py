"""Engine, sessions and schema upgrades."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Iterator

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from ..i18n import t

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration; tests/test_storage.py checks it against the migrations folder. Opening a
# database already at this revision needs no Alembic import (faster start on the server).
HEAD = "0008"
DB_FILE = "less-tui.db"


class DatabaseError(Exception):
    """A database that cannot be opened or upgraded; the message says why."""


def is_db_error(err: BaseException | None) -> bool:
    """An error of the database itself (locked, busy, disk full, connection lost, server restarting):
    the app keeps what was typed and tries again instead of ending."""
    import errno
    import sqlite3

    from sqlalchemy import exc

    if isinstance(err, (exc.DBAPIError, exc.DisconnectionError, exc.TimeoutError, exc.ResourceClosedError,
                        sqlite3.Error)):
        return True
    try:
        import psycopg

        if isinstance(err, psycopg.Error):
            return True
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    return isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS)


def db_reason(err: BaseException) -> str:
    """What is wrong with the database, one short line in the user's language: locked, full or out of
    reach said in words, anything else in the database's own words (never the SQL or its parameters)."""
    orig = getattr(err, "orig", None) or err
    line = next((ln.strip() for ln in str(orig).splitlines() if ln.strip()), type(orig).__name__)
    low = line.lower()
    if "locked" in low or "busy" in low or "lock timeout" in low:
        return t("db.locked")
    if "full" in low or "no space" in low or "quota" in low:
        return t("db.full")
    if "readonly" in low or "read-only" in low or "read only" in low:
        return t("db.readonly")
    if any(w in low for w in ("connect", "closed", "terminat", "shut down", "shutdown", "refused", "broken",
                              "server", "recovery mode")):
        return t("db.gone")
    if "password authentication failed" in low or "no password supplied" in low:
        return t("db.auth")
    if "malformed" in low or "not a database" in low:
        return t("db.damaged")
    return line if len(line) <= 80 else line[:79] + "…"


def resolve_url(db: str | None, config_url: str = "") -> str:
    """--db PATH|URL, else $LESS_TUI_DB, else the config's URL, else the user data dir."""
    value = db or os.environ.get("LESS_TUI_DB") or config_url
    if not value:
        from ..config import user_data_dir

        value = str(user_data_dir() / DB_FILE)
    if "://" in value:
        return value
    path = Path(value).expanduser()
    if path.is_symlink() and not path.exists():  # a dangling link is kept, to be refused, never followed
        return f"sqlite:///{path.absolute()}"
    return f"sqlite:///{path.resolve()}"


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def shown(url: str) -> str:
    """A database as a person names it: the file of a SQLite URL, else the URL without its password."""
    path = sqlite_path(url)
    return str(path) if path is not None else make_url(url).render_as_string(hide_password=True)


def _prepare_sqlite_file(path: Path, group: str = "") -> None:
    """Create the directory and file owner-only (or owner and team group only) before
    SQLite touches them."""
    if not group:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            _create_new(path, 0o600)
        return
    import grp

    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise DatabaseError(t("dberr.no_group", group=repr(group))) from None
    new_dir = not path.parent.exists()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o770)
    if new_dir:
        os.chown(path.parent, -1, gid)
        os.chmod(path.parent, 0o2770)  # setgid: files made here belong to the group
    if not path.exists():
        _create_new(path, 0o660)
        os.chown(path, -1, gid)
        os.chmod(path, 0o660)


def _create_new(path: Path, mode: int) -> None:
    """A new database file, never through a symlink (a dangling one planted at the path is refused,
    not followed to create a file where it points)."""
    from ..safefile import NOFOLLOW, FileTargetError, check_target, os_reason

    check_target(path)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | NOFOLLOW, mode))
    except FileExistsError:  # made meanwhile (another session starting): SQLite opens it
        check_target(path)
    except OSError as e:
        raise FileTargetError(t("file.cannot_write", path=path, reason=os_reason(e))) from None


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str, group: str = "") -> Engine:
    path = sqlite_path(url)
    if path is not None:
        _prepare_sqlite_file(path, group)
        # hide_parameters: error messages (and so logs) never carry patient data from SQL parameters
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    elif url.startswith("sqlite"):
        from sqlalchemy.pool import StaticPool

        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool,
                               hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    return engine


def _alembic_config(engine: Engine):
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def upgrade(engine: Engine) -> str | None:
    """Bring the schema to the newest version. An existing SQLite file is copied aside
    first; returns the path of that copy, if one was made."""
    from alembic import command

    cur = current_revision(engine)
    head = head_revision()
    if cur == head:
        return None
    backup = None
    path = sqlite_path(str(engine.url))
    if cur is not None and path is not None and path.exists() and path.stat().st_size > 0:
        from ..safefile import write_file

        stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
        backup = path.with_name(f"{path.name}.before-{head}-{stamp}")
        with engine.connect() as conn:  # checkpoint the WAL so the copy is whole
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with open(path, "rb") as src:  # a new file beside it (never through a symlink), then renamed
            write_file(backup, lambda f: shutil.copyfileobj(src, f, 1 << 20), mode=0o600, overwrite=False)
    elif cur is None:
        tables = set(inspect(engine).get_table_names())
        # (another process may have upgraded it since the revision was read: then it has one now)
        if tables and "units" in tables and current_revision(engine) is None:
            raise DatabaseError(t("dberr.no_version", db=engine.url.render_as_string(hide_password=True)))
    command.upgrade(_alembic_config(engine), "head")
    return backup


def _at_head(engine: Engine) -> bool:
    from sqlalchemy import text

    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    except Exception:
        return False


@contextlib.contextmanager
def short_wait(s: Session, ms: int = 250) -> Iterator[None]:
    """A write in ``s`` that waits at most ``ms`` for another writer's lock (SQLite's busy timeout, put
    back afterwards): for a write that may be left for later rather than hold up the screen."""
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(ms)}")
    try:
        yield
    finally:
        try:
            conn.exec_driver_sql("PRAGMA busy_timeout = 5000")
        except Exception:  # (the connection is gone: a new one gets the default)
            pass


def open_engine(url: str, migrate: bool = True, group: str = "") -> Engine:
    try:
        engine = make_engine(url, group)
        if migrate and not _at_head(engine):
            upgrade(engine)
        return engine
    except DatabaseError:
        raise
    except Exception as e:  # connection refused, unreadable file, ...
        from ..safefile import FileTargetError

        if isinstance(e, FileTargetError):  # a symlink where the new database would be: said as it is
            raise
        shown = make_url(url).render_as_string(hide_password=True)
        first = str(e).splitlines()[0] if str(e) else ""
        error = db_reason(e) if is_db_error(e) else f"{type(e).__name__}: {first}"
        raise DatabaseError(t("dberr.cannot_open", db=shown, error=error)) from e


def session(engine: Engine) -> Session:
    """A unit of work for a service call: ``with session(engine) as s: …; s.commit()``. Nothing is
    written unless the service commits; objects stay readable after the commit (plain data for the
    caller). Services are the only callers; the TUI, the CLI and the exports ask a service."""
    return Session(engine, expire_on_commit=False)
