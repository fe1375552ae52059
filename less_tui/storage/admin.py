"""Backup, restore and moving a clinic from SQLite to PostgreSQL, with checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from . import models  # noqa: F401  (registers the tables)
from ..i18n import t as _t  # (t is a table in the loops below)
from .db import HEAD, db_reason, open_engine, sqlite_path

# every table of the schema, parents before children: taken from the tables themselves, so a table added
# later is copied by ``migrate`` and counted by the checks (a list written out by hand missed the six of
# the improvement work, and moving a clinic to PostgreSQL left its problems, ideas, PDSA cycles, measures,
# trainings and supervision behind without a word)
TABLE_ORDER = [t.name for t in SQLModel.metadata.sorted_tables]


class AdminError(Exception):
    pass


def backup(url: str, dest: Path) -> dict:
    """A consistent copy of a live SQLite database (the online backup API), then checked. It is made
    in a private temporary folder beside ``dest`` and only then given its name: a symlink at
    ``dest`` or a missing folder is refused, an existing file is never replaced, a failed backup
    leaves nothing."""
    from ..safefile import FileTargetError, check_folder, check_target, private_workdir, put_in_place

    src = sqlite_path(url)
    if src is None:
        raise AdminError(_t("adm.backup_sqlite_only"))
    if not src.exists():
        raise AdminError(_t("adm.no_database", path=src))
    dest = Path(dest)
    try:
        if dest.is_dir():  # (a symlink to a folder is a folder the user named)
            dest = dest / f"less-tui-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.db"
        check_target(dest, overwrite=False)
        check_folder(dest.parent, dest)
        with private_workdir(dest.parent) as work:
            tmp = work / "backup.db"
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            s = sqlite3.connect(str(src), timeout=30)
            d = sqlite3.connect(str(tmp))
            try:
                s.backup(d)
                d.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.Error as e:  # (the copy's own disk full, most often: said of the copy, not the database)
                raise AdminError(_t("adm.backup_failed", path=dest, reason=db_reason(e))) from None
            finally:
                d.close()
                s.close()
            info = check_file(tmp)
            os.chmod(tmp, 0o600)
            put_in_place(tmp, dest, overwrite=False)
    except FileTargetError as e:
        raise AdminError(str(e)) from None
    return {**info, "path": str(dest)}


def check_file(path: Path) -> dict:
    """Integrity, schema version and row counts of a SQLite file (refuses anything else)."""
    path = Path(path)
    if path.is_dir():
        raise AdminError(_t("file.is_folder", path=path))
    if not path.is_file():
        raise AdminError(_t("adm.no_file", path=path))
    with open(path, "rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise AdminError(_t("adm.not_sqlite", path=path))
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as e:  # (a file cut short: said of this file, not of the database)
            raise AdminError(_t("adm.integrity", path=path, detail=str(e))) from None
        if ok != "ok":
            raise AdminError(_t("adm.integrity", path=path, detail=ok))
        try:
            rev = con.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            raise AdminError(_t("adm.not_less", path=path)) from None
        try:
            present = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            # an older backup may lack a newer table (restoring it upgrades the schema)
            counts = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLE_ORDER if t in present}
            units, demo = _units_and_demo(con) if "units" in present else ([], False)
        except sqlite3.DatabaseError as e:
            raise AdminError(_t("adm.integrity", path=path, detail=str(e))) from None
    finally:
        con.close()
    return {"path": str(path), "revision": rev[0] if rev else None, "counts": counts, "units": units,
            "demo": demo}


def _units_and_demo(con: sqlite3.Connection) -> tuple[list[str], bool]:
    """The care units a SQLite less-tui database holds, and whether it holds the demo clinic (its import
    batch of kind "demo", or one named "demo" whose checksum is that of its name: ``services.demo.is_demo``)."""
    units = [r[0] for r in con.execute("SELECT code FROM units ORDER BY code")]
    demo = con.execute("SELECT 1 FROM import_batches WHERE kind = 'demo' OR (file_name = 'demo' AND sha256 = ?) "
                       "LIMIT 1", (hashlib.sha256(b"demo").hexdigest(),)).fetchone() is not None
    return units, demo


def known_revisions() -> set[str]:
    """Every schema revision this less-tui has a migration for."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from .db import MIGRATIONS

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}


def restore(url: str, src: Path, unit: str | None = None) -> dict:
    """Put a backup back: checked first, the current database copied aside, then replaced. Refused when it
    is not this database's: the demo clinic over a real database (they never mix, as ``import`` keeps
    them apart), or a backup without the care unit ``unit`` (``clinic.unit``) that the database holds
    (another clinic's file)."""
    target = sqlite_path(url)
    if target is None:
        raise AdminError(_t("adm.restore_sqlite_only"))
    from ..safefile import FileTargetError, check_target

    try:
        check_target(target)  # never restored through a symlink planted where the database would be
    except FileTargetError as e:
        raise AdminError(str(e)) from None
    info = check_file(src)
    if info["revision"] not in known_revisions():
        raise AdminError(_t("adm.newer_schema", path=src, revision=repr(info["revision"]), head=HEAD))
    if target.exists():
        _same_clinic(target, src, info, unit)
    elif info["demo"]:  # (where the database belongs: the demo has its own file, `less-tui demo` makes it)
        raise AdminError(_t("adm.restore_demo", src=src, db=target))
    elif unit and info["units"] and unit not in info["units"]:  # put in place, the config would not find it
        raise AdminError(_t("adm.restore_other_unit_new", src=src, unit=unit, units=", ".join(info["units"])))
    aside = None
    if target.exists():
        aside = target.with_name(f"{target.name}.before-restore-{dt.datetime.now().strftime('%Y%m%d%H%M%S')}")
        backup(url, aside)
    s = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    d = sqlite3.connect(str(target), timeout=30)
    try:
        s.backup(d)
    finally:
        d.close()
        s.close()
    open_engine(url).dispose()  # upgrades an older backup
    info["aside"] = str(aside) if aside else None
    return info


def _same_clinic(target: Path, src: Path, info: dict, unit: str | None) -> None:
    """Refuse a backup that is not this database's (``restore``)."""
    con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        try:
            units, demo = _units_and_demo(con)
        except sqlite3.DatabaseError:  # (the database is damaged or empty: what a restore is for)
            return
    finally:
        con.close()
    if info["demo"] and not demo:
        raise AdminError(_t("adm.restore_demo", src=src, db=target))
    if unit and unit in units and unit not in info["units"]:
        raise AdminError(_t("adm.restore_other_unit", src=src, unit=unit,
                            units=", ".join(info["units"]) or _t("adm.no_units")))


def _norm(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.timezone.utc)
        return v.astimezone(dt.timezone.utc).isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return str(int(v))
    return str(v)


def checksums(engine_or_conn) -> dict[str, tuple[int, str]]:
    """(row count, SHA-256 over every row in id order) per table."""
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as c:
            return checksums(c)
    c = engine_or_conn
    md = SQLModel.metadata
    out = {}
    for name in TABLE_ORDER:
        t = md.tables[name]
        h = hashlib.sha256()
        n = 0
        for row in c.execute(select(t).order_by(t.c.id)):
            h.update("\x1f".join(_norm(v) for v in row).encode())
            h.update(b"\x1e")
            n += 1
        out[name] = (n, h.hexdigest())
    return out


def migrate(src: Engine, dest_url: str) -> dict[str, tuple[int, str]]:
    """Copy every row of a SQLite database into an empty PostgreSQL database, then compare
    counts and checksums table by table. Nothing is changed in the source."""
    if not dest_url.startswith("postgresql"):
        raise AdminError(_t("adm.bad_target", value=repr(dest_url)))
    dest = open_engine(dest_url)
    md = SQLModel.metadata
    with dest.connect() as c:
        if c.execute(select(func.count()).select_from(md.tables["units"])).scalar():
            raise AdminError(_t("adm.target_not_empty"))
    with src.connect() as s, dest.begin() as d:
        # the new database's empty chain head gives way to the source's (its log is copied as it is)
        d.execute(md.tables["audit_chain"].delete())
        for name in TABLE_ORDER:
            t = md.tables[name]
            batch = []
            for row in s.execute(select(t).order_by(t.c.id)):
                batch.append(dict(row._mapping))
                if len(batch) >= 5000:
                    d.execute(insert(t), batch)
                    batch = []
            if batch:
                d.execute(insert(t), batch)
            d.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                           f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))
        a, b = checksums(s), checksums(d)
        bad = [n for n in TABLE_ORDER if a[n] != b[n]]
        if bad:  # raising here rolls the copy back: the target stays empty
            raise AdminError(_t("adm.differs", tables=", ".join(
                _t("adm.differs_table", name=n, a=a[n][0], b=b[n][0]) for n in bad)))
    dest.dispose()
    return a
