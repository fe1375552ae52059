"""`less-tui doctor`: checks an installation on a server and says what to fix."""

from __future__ import annotations

import locale
import os
import shutil
import stat
import sys
from dataclasses import dataclass

from .i18n import t


@dataclass
class Check:
    name: str
    status: str  # "ok", "warn", "fail"
    detail: str
    fix: str = ""


def run_checks(config_path, db_url_fn, cfg_loader) -> list[Check]:
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
    from .storage.db import HEAD, current_revision, make_engine, sqlite_path

    shown = url
    try:
        from sqlalchemy.engine import make_url

        shown = make_url(url).render_as_string(hide_password=True)
        engine = make_engine(url, cfg.data["database"]["group"])
        rev = current_revision(engine)
        if rev == HEAD:
            out.append(Check(t("doc.database"), "ok", t("doc.db_ok", db=shown, revision=rev)))
        else:
            out.append(Check(t("doc.database"), "warn",
                             t("doc.db_old", db=shown, revision=rev or t("doc.none"), head=HEAD), t("doc.db_old_fix")))
        engine.dispose()
    except Exception as e:
        out.append(Check(t("doc.database"), "fail", f"{shown}: {type(e).__name__}: {str(e).splitlines()[0]}",
                         t("doc.db_fail_fix")))
    out.extend(audit_checks(url, cfg.data["database"]["group"]))
    path = sqlite_path(url)
    group = cfg.data["database"]["group"]
    if path is not None and path.exists():
        for p, kind in ((path.parent, "dir"), (path, "file")):
            mode = stat.S_IMODE(os.stat(p).st_mode)
            loose = mode & (0o007 if group else 0o077)
            if loose:
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


def audit_checks(url: str, group: str = "") -> list[Check]:
    """The audit log's hash chain (the first row where it breaks), and on PostgreSQL whether the role
    connected may change the log (it should not: README, PostgreSQL roles)."""
    from .storage import auditlog
    from .storage.db import HEAD, current_revision, make_engine

    out: list[Check] = []
    try:
        engine = make_engine(url, group)
    except Exception:
        return out  # the database check above says why
    try:
        if current_revision(engine) != HEAD:
            return [Check(t("doc.audit"), "warn", t("doc.audit_skipped"), t("doc.db_old_fix"))]
        with engine.connect() as c:
            v = auditlog.verify(c)
            out.append(Check(t("doc.audit"), "ok" if v.ok else "fail", auditlog.describe(v),
                             "" if v.ok else t("doc.audit_fix")))
            rights = auditlog.privileges(c)
            if c.dialect.name == "postgresql":
                role = c.exec_driver_sql("SELECT current_user").scalar()
                if rights:
                    out.append(Check(t("doc.audit"), "warn", t("doc.audit_roles", role=role, rights=", ".join(rights)),
                                     t("doc.audit_roles_fix")))
                else:
                    out.append(Check(t("doc.audit"), "ok", t("doc.audit_roles_ok", role=role)))
    except Exception as e:
        out.append(Check(t("doc.audit"), "fail", f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}",
                         t("doc.db_fail_fix")))
    finally:
        engine.dispose()
    return out
