"""The crash log: where the command line and the app write an unexpected error's traceback. A module of
its own so the app (which the command line starts) never imports the command line back."""

from __future__ import annotations

import datetime as dt
import sys
import traceback

from .i18n import t


def log_crash(error: BaseException | None = None) -> str:
    """Write the traceback (no local variables, SQL parameters hidden by the engine) to an
    owner-only crash.log in the data dir; return its path."""
    from . import config as config_mod

    from .safefile import append_file

    try:
        d = config_mod.user_data_dir()
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = d / "crash.log"
        entry = f"--- {dt.datetime.now().isoformat()} {' '.join(sys.argv)}\n"
        entry += "".join(traceback.format_exception(error)) if error is not None else traceback.format_exc()
        append_file(path, entry.encode("utf-8"), mode=0o600)  # never through a symlink planted there
        return str(path)
    except Exception:
        return t("cli.no_log")
