"""Exports as files: the entry point (``export_meeting``: gather, write whole, audit), the export
folder, file names and the listing. The data comes from ``services/minutes.py``; the writers beside
this module lay it out. No Textual here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..i18n import t
from .chart import warm_up  # noqa: F401  (the app warms the chart and Word up through here)
from ..core.minutes import FORMATS, ExportError

if TYPE_CHECKING:  # (the engine is the services' handle; only they and storage use SQLAlchemy)
    from sqlalchemy.engine import Engine

DEMO_FOLDER = "demo-exports"


def is_demo(engine: Engine) -> bool:
    """Does the database hold the synthetic demo clinic? (A database that cannot be read is not.)"""
    from ..services.minutes import is_demo as holds_demo

    return holds_demo(engine)


def export_folder(cfg: Config, engine: Engine, create: bool = True, demo: bool = False) -> Path:
    """Where exports go without ``-o``: ``export.folder`` when set; else ``exports/`` beside a SQLite
    database; else (PostgreSQL, or a database in memory) ``exports/`` in the user data directory.
    Never the working directory (a ForceCommand user on the server cannot reach it). The folder is
    made like the database's: owner-only, or the team group's when ``database.group`` is set. The
    folder itself must not be a symlink (patient data would go wherever it points). A ``demo``
    database has a folder of its own, ``demo-exports/`` beside it (or in the user data directory),
    whatever ``export.folder`` says: demo minutes never land among the real ones."""
    from ..safefile import check_folder, private_dir
    from ..services.database import database_file

    configured = cfg.export.folder
    name = DEMO_FOLDER if demo else "exports"
    if configured and not demo:
        folder = Path(configured).expanduser()
    else:
        db = database_file(engine)
        if db is None:
            from ..config import user_data_dir

            folder = user_data_dir() / name
        else:
            folder = db.parent / name
    if create:
        if folder.is_symlink():
            check_folder(folder, link_ok=False)  # says so, one line
        private_dir(folder, cfg.database.group)
        check_folder(folder, link_ok=False)
    return folder


def file_name(cfg: Config, date: dt.date, fmt: str, demo: bool = False) -> str:
    """``fmt-protokoll-UNIT-DATE.md`` in Swedish, ``fmt-minutes-UNIT-DATE.md`` in English (the current
    language), so that the two languages of one meeting are two files; ``demo-…`` from the demo. The
    unit's name is made safe for a file name (``VC Nord/Syd`` or ``../x`` never leaves the folder)."""
    from ..safefile import safe_name

    return f"{'demo-' if demo else ''}{t('exp.file_stem')}-{safe_name(cfg.unit)}-{date.isoformat()}.{fmt}"


def default_path(cfg: Config, engine: Engine, date: dt.date, fmt: str, demo: bool = False) -> Path:
    return export_folder(cfg, engine, demo=demo) / file_name(cfg, date, fmt, demo)


def list_exports(cfg: Config, engine: Engine) -> list[Path]:
    """The files in this database's export folder, oldest first (nothing when it does not exist yet)."""
    folder = export_folder(cfg, engine, create=False, demo=is_demo(engine))
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),  # not one being written
                  key=lambda p: (p.stat().st_mtime, p.name))


def export_meeting(engine: Engine, cfg: Config, meeting: str | dt.date = "latest", fmt: str = "md",
                   out: str | Path | None = None, identify: bool = False, lang: str | None = None,
                   to_file: bool = False) -> Path | str:
    """Write the minutes (md, docx, html) or the workbook (xlsx) and return the file's path. Markdown
    without ``out`` is returned as text, unless ``to_file`` (the app): then it goes to the export folder
    like every other format."""
    from ..i18n import language, set_language
    from ..safefile import check_target, group_id, write_file
    from ..services import minutes
    from . import docx, html, markdown, workbook

    if fmt not in FORMATS:
        raise ExportError(t("exp.bad_format", value=repr(fmt), choices=", ".join(FORMATS)))
    old = language()
    if lang:
        set_language(lang)
    try:
        shown = fmt == "md" and out is None and not to_file
        # minutes shown are logged as every export is, before they are shown (not shown if the log refuses)
        m = minutes.gather(engine, cfg, meeting, identify, printed=fmt if shown else "")
        if shown:
            return markdown.render(m)
        group = cfg.database.group
        path = Path(out) if out else default_path(cfg, engine, m.date, fmt, demo=m.demo)
        check_target(path)  # before rendering: a symlink, a folder or a missing folder is told at once
        # written whole into a new file (O_EXCL|O_NOFOLLOW) beside it, then renamed over it: a failure
        # leaves no empty or half-written file (and an earlier export of the same name as it was)
        if fmt == "md":
            render = lambda f: f.write(markdown.render(m).encode("utf-8"))  # noqa: E731
        elif fmt == "html":
            render = lambda f: f.write(html.render(m).encode("utf-8"))  # noqa: E731
        elif fmt == "docx":
            render = lambda f: docx.render(m, f)  # noqa: E731
        else:
            book = minutes.workbook(engine, cfg)
            render = lambda f: workbook.render(book, f)  # noqa: E731
        write_file(path, render, mode=0o660 if group else 0o600, gid=group_id(group) if group else None)
        minutes.record_export(engine, cfg, fmt, m.date, identify)
        return path
    finally:
        set_language(old)
