"""`less-tui doctor`: checks an installation on a server and says what to fix. What it asks of the
database is ``storage/integrity.py``'s; the verdicts and their wording are here."""

from __future__ import annotations

import locale
import os
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine

from ..config import Config
from ..i18n import t
from .errors import db_reason


@dataclass
class Check:
    name: str
    status: str  # "ok", "warn", "fail"
    detail: str
    fix: str = ""


def run_checks(config_path: str | None, db_url_fn: Callable[[], str], cfg_loader: Callable[[], Config]
               ) -> list[Check]:
    out: list[Check] = []
    # configuration
    try:
        cfg = cfg_loader()
        where = str(cfg.path) if cfg.path else t("doc.config_defaults")
        out.append(Check(t("doc.config"), "ok", where))
    except Exception as e:  # ConfigError
        out.append(Check(t("doc.config"), "fail", str(e), t("doc.config_fix")))
        return out
    # database
    url = db_url_fn()
    from ..storage import integrity
    from .database import sqlite_path

    shown = url
    path = sqlite_path(url)
    if path is not None and not path.exists():  # doctor looks; it never makes a new, empty database
        out.append(Check(t("doc.database"), "fail", t("doc.no_db", db=path), t("doc.no_db_fix")))
    else:
        try:
            from sqlalchemy.engine import make_url

            shown = make_url(url).render_as_string(hide_password=True)
            engine = integrity.open_engine(url, cfg.database.group)
            try:
                rev = integrity.revision(engine)
                if rev == integrity.HEAD:
                    out.append(Check(t("doc.database"), "ok", t("doc.db_ok", db=shown, revision=rev)))
                else:
                    out.append(Check(t("doc.database"), "warn",
                                     t("doc.db_old", db=shown, revision=rev or t("doc.none"), head=integrity.HEAD),
                                     t("doc.db_old_fix")))
                out.append(integrity_check(engine))
            finally:
                engine.dispose()
        except Exception as e:
            out.append(Check(t("doc.database"), "fail", f"{shown}: {db_reason(e)}", _fix_for(e)))
        out.extend(audit_checks(url, cfg.database.group))
    group = cfg.database.group
    if path is not None and path.exists():
        for p, kind in ((path.parent, "dir"), (path, "file")):
            mode = stat.S_IMODE(os.stat(p).st_mode)
            loose = mode & (0o007 if group else 0o077)
            why = shared_directory(p) if kind == "dir" else []
            if loose and why:  # /tmp and the like: never advise loosening or tightening someone else's folder
                out.append(Check(t("doc.permissions_dir"), "fail",
                                 t("doc.shared_dir", path=p, mode=oct(mode), why=", ".join(why)),
                                 move_advice(path, group)))
            elif loose:
                want = ("2770" if kind == "dir" else "660") if group else ("700" if kind == "dir" else "600")
                out.append(Check(t(f"doc.permissions_{kind}"), "fail", t("doc.loose", path=p, mode=oct(mode)),
                                 f"chmod {want} {p}"))
            else:
                out.append(Check(t(f"doc.permissions_{kind}"), "ok", f"{p} {oct(mode)}"))
        if group:
            import grp

            try:
                gid = grp.getgrnam(group).gr_gid
                if os.stat(path).st_gid != gid:
                    out.append(Check(t("doc.group"), "fail", t("doc.not_group", path=path, group=group),
                                     f"chgrp -R {group} {path.parent}"))
                else:
                    out.append(Check(t("doc.group"), "ok", t("doc.group_ok", group=group)))
            except KeyError:
                out.append(Check(t("doc.group"), "fail", t("doc.no_group", group=repr(group)), f"groupadd {group}"))
    # terminal
    tty = sys.stdout.isatty()
    size = shutil.get_terminal_size((0, 0))
    if not tty:
        out.append(Check(t("doc.terminal"), "warn", t("doc.not_tty"), t("doc.not_tty_fix")))
    elif size.columns < 80 or size.lines < 24:
        out.append(Check(t("doc.terminal"), "fail", f"{size.columns}×{size.lines}", t("doc.small_fix")))
    else:
        out.append(Check(t("doc.terminal"), "ok", f"{size.columns}×{size.lines}, TERM={os.environ.get('TERM', '')}"))
    colour = os.environ.get("TEXTUAL_COLOR_SYSTEM") or os.environ.get("COLORTERM") or ""
    term = os.environ.get("TERM", "")
    if colour in ("truecolor", "24bit") or "256" in term or colour in ("256", "standard"):
        out.append(Check(t("doc.colours"), "ok", f"COLORTERM={os.environ.get('COLORTERM', '')} TERM={term} "
                                          f"TEXTUAL_COLOR_SYSTEM={os.environ.get('TEXTUAL_COLOR_SYSTEM', '')}"))
    else:
        out.append(Check(t("doc.colours"), "warn", t("doc.colours_unset", term=repr(term)), t("doc.colours_fix")))
    enc = (locale.getpreferredencoding(False) or "").lower()
    if "utf" in enc:
        out.append(Check(t("doc.locale"), "ok", enc))
    else:
        out.append(Check(t("doc.locale"), "fail", t("doc.locale_bad", enc=repr(enc)), t("doc.locale_fix")))
    ssh = os.environ.get("SSH_CLIENT", "")
    out.append(Check(t("doc.ssh"), "ok" if ssh else "warn", f"SSH_CLIENT={ssh or t('doc.no_ssh')}",
                     "" if ssh else t("doc.no_ssh_fix")))
    return out


def integrity_check(engine: Engine) -> Check:
    """SQLite: ``PRAGMA quick_check``. PostgreSQL: amcheck's ``bt_index_check`` (with the heap) on
    every valid B-tree index of the database's schema; the extension is not created here."""
    from ..storage import integrity

    name = t("doc.integrity")
    if engine.dialect.name == "sqlite":
        rows = integrity.quick_check(engine)
        if rows == ["ok"]:
            return Check(name, "ok", t("doc.integrity_ok", check="PRAGMA quick_check"))
        detail = "; ".join(rows[:3]) + (" …" if len(rows) > 3 else "")
        return Check(name, "fail", t("doc.integrity_bad", check="PRAGMA quick_check", detail=detail),
                     t("doc.integrity_fix"))
    if engine.dialect.name != "postgresql":
        return Check(name, "warn", engine.dialect.name)
    found = integrity.index_check(engine)
    if found is None:
        return Check(name, "warn", t("doc.no_amcheck"), t("doc.no_amcheck_fix"))
    n, bad = found
    check = t("doc.integrity_indexes", n=n)
    if bad:
        return Check(name, "fail", t("doc.integrity_bad", check=check, detail="; ".join(bad[:3])),
                     t("doc.integrity_fix"))
    return Check(name, "ok", t("doc.integrity_ok", check=check))


def shared_directory(folder: Path) -> list[str]:
    """Why a folder is shared with others (sticky, writable by everyone, or someone else's); empty
    when it is the user's own. Its permissions are not this user's to change."""
    st = os.stat(folder)
    why = []
    if st.st_mode & stat.S_ISVTX:
        why.append(t("doc.shared_sticky"))
    if st.st_mode & stat.S_IWOTH:
        why.append(t("doc.shared_world"))
    if st.st_uid != os.geteuid():
        try:
            import pwd

            owner = pwd.getpwuid(st.st_uid).pw_name
        except (KeyError, ImportError):
            owner = str(st.st_uid)
        why.append(t("doc.shared_owner", owner=owner))
    return why


def move_advice(db: Path, group: str) -> str:
    """Move the database out of a shared folder (into the user data dir, or a folder for the group)."""
    if group:
        return t("doc.move_db_group", group=group, db=db)
    from ..config import user_data_dir

    return t("doc.move_db", folder=user_data_dir(), db=db)


def audit_checks(url: str, group: str = "") -> list[Check]:
    """The audit log's hash chain (the first row where it breaks), and on PostgreSQL whether the role
    connected may change the log (it should not: README, PostgreSQL roles)."""
    from ..storage import integrity

    out: list[Check] = []
    try:
        engine = integrity.open_engine(url, group)
    except Exception:
        return out  # the database check above says why
    try:
        if integrity.revision(engine) != integrity.HEAD:
            return [Check(t("doc.audit"), "warn", t("doc.audit_skipped"), t("doc.db_old_fix"))]
        ok, verdict = integrity.audit_verdict(engine)
        out.append(Check(t("doc.audit"), "ok" if ok else "fail", verdict, "" if ok else t("doc.audit_fix")))
        found = integrity.audit_rights(engine)
        if found is not None:
            role, rights = found
            if rights:
                out.append(Check(t("doc.audit"), "warn", t("doc.audit_roles", role=role, rights=", ".join(rights)),
                                 t("doc.audit_roles_fix")))
            else:
                out.append(Check(t("doc.audit"), "ok", t("doc.audit_roles_ok", role=role)))
    except Exception as e:
        out.append(Check(t("doc.audit"), "fail", db_reason(e), _fix_for(e)))
    finally:
        engine.dispose()
    return out


def _fix_for(err: BaseException) -> str:
    """What to do about a database that failed a check: a damaged file is put back from a backup; else the
    URL and the server are checked."""
    return t("doc.integrity_fix") if db_reason(err) == t("db.damaged") else t("doc.db_fail_fix")
