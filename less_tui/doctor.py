"""`less-tui doctor`: checks an installation on a server and says what to fix."""

from __future__ import annotations

import locale
import os
import shutil
import stat
import sys
from dataclasses import dataclass


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
        where = str(cfg.path) if cfg.path else "built-in defaults (no config file found)"
        out.append(Check("config", "ok", where))
    except Exception as e:  # ConfigError
        out.append(Check("config", "fail", str(e), "fix the keys named above (see config.toml in the source)"))
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
            out.append(Check("database", "ok", f"{shown} reachable, schema {rev}"))
        else:
            out.append(Check("database", "warn", f"{shown} at schema {rev or 'none'}, newest is {HEAD}",
                             "run any less-tui command once (it upgrades, copying a SQLite file aside first)"))
        engine.dispose()
    except Exception as e:
        out.append(Check("database", "fail", f"{shown}: {type(e).__name__}: {str(e).splitlines()[0]}",
                         "check database.url / --db / $LESS_TUI_DB and that the server is running"))
    path = sqlite_path(url)
    group = cfg.data["database"]["group"]
    if path is not None and path.exists():
        for p, kind in ((path.parent, "dir"), (path, "file")):
            mode = stat.S_IMODE(os.stat(p).st_mode)
            loose = mode & (0o007 if group else 0o077)
            if loose:
                want = ("2770" if kind == "dir" else "660") if group else ("700" if kind == "dir" else "600")
                out.append(Check(f"permissions {kind}", "fail", f"{p} is {oct(mode)}: others can read patient data",
                                 f"chmod {want} {p}"))
            else:
                out.append(Check(f"permissions {kind}", "ok", f"{p} {oct(mode)}"))
        if group:
            import grp

            try:
                gid = grp.getgrnam(group).gr_gid
                if os.stat(path).st_gid != gid:
                    out.append(Check("group", "fail", f"{path} does not belong to group {group}",
                                     f"chgrp -R {group} {path.parent}"))
                else:
                    out.append(Check("group", "ok", f"shared with group {group}"))
            except KeyError:
                out.append(Check("group", "fail", f"no group {group!r}", f"groupadd {group}"))
    # terminal
    tty = sys.stdout.isatty()
    size = shutil.get_terminal_size((0, 0))
    if not tty:
        out.append(Check("terminal", "warn", "standard output is not a terminal",
                         "connect with ssh -t (a PTY) to run the app"))
    elif size.columns < 80 or size.lines < 24:
        out.append(Check("terminal", "fail", f"{size.columns}×{size.lines}", "make the window at least 80×24"))
    else:
        out.append(Check("terminal", "ok", f"{size.columns}×{size.lines}, TERM={os.environ.get('TERM', '')}"))
    colour = os.environ.get("TEXTUAL_COLOR_SYSTEM") or os.environ.get("COLORTERM") or ""
    term = os.environ.get("TERM", "")
    if colour in ("truecolor", "24bit") or "256" in term or colour in ("256", "standard"):
        out.append(Check("colours", "ok", f"COLORTERM={os.environ.get('COLORTERM', '')} TERM={term} "
                                          f"TEXTUAL_COLOR_SYSTEM={os.environ.get('TEXTUAL_COLOR_SYSTEM', '')}"))
    else:
        out.append(Check("colours", "warn", f"TERM={term!r}, COLORTERM unset",
                         "set TERM=xterm-256color, or COLORTERM=truecolor if the terminal has it "
                         "(SSH passes COLORTERM only with SendEnv/AcceptEnv)"))
    enc = (locale.getpreferredencoding(False) or "").lower()
    if "utf" in enc:
        out.append(Check("locale", "ok", enc))
    else:
        out.append(Check("locale", "fail", f"encoding {enc!r}: å, ä, ö will break",
                         "set LANG=sv_SE.UTF-8 or C.UTF-8 for the team accounts"))
    ssh = os.environ.get("SSH_CLIENT", "")
    out.append(Check("ssh", "ok" if ssh else "warn", f"SSH_CLIENT={ssh or '(not over SSH)'}",
                     "" if ssh else "fine on the console; over SSH the audit log records the client address"))
    return out
