"""The ``less-tui`` command. Heavy imports are deferred into the subcommands that need them;
nothing here imports Textual unless the app itself is started."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from . import clock, collector
from .i18n import indicator_labels, set_language, t

app = typer.Typer(add_completion=False, no_args_is_help=False, pretty_exceptions_enable=False,
                  help="less-tui: the monthly FMT meeting of a LESS clinic. Without a command: open "
                       "today's meeting in the terminal app.")
meeting_app = typer.Typer(help="Create, close, reopen and list meetings.", pretty_exceptions_enable=False)
app.add_typer(meeting_app, name="meeting")


class UserError(Exception):
    """Shown as it is, exit code 2."""


class State:
    db: str | None = None
    config_path: str | None = None
    lang: str | None = None
    _cfg = None

    @property
    def cfg(self):
        if self._cfg is None:
            from . import config as config_mod

            # the config's problems are told in the language asked for (--lang, else the file's own)
            set_language(self.lang or config_mod.declared_language(self.config_path) or "sv")
            self._cfg = config_mod.load(self.config_path)
            set_language(self.lang or self._cfg.language)
            if self._cfg.database.group:
                os.umask(0o007)  # the team group shares the database and its WAL files
        return self._cfg

    def url(self) -> str:
        """The database's URL, refused (exit 2, saying what is expected) when it cannot hold a clinic: a
        database in memory keeps nothing, and only SQLite files and PostgreSQL (psycopg) are supported."""
        from .services.database import resolve_url, unusable

        url = resolve_url(self.db, self.cfg.database.url)
        why = unusable(url)
        if why:
            raise UserError(why)
        return url

    def engine(self):
        """The database, made when it is new, with its own folder if need be (owner-only, or the team
        group's); a path whose folders are missing further up (``/nonexistent/dir/x.db``) is a typo, refused.
        The user data folder is made whatever is missing."""
        from .config import user_data_dir
        from .services.database import open_engine, sqlite_path

        url = self.url()
        path = sqlite_path(url)
        if path is not None and path.is_dir():  # (import and demo make a database: said as queue says it)
            raise UserError(t("file.is_folder", path=path))
        if path is not None and not path.parent.parent.exists() and path.parent != user_data_dir():
            missing = path.parent.parent
            while not missing.parent.exists():
                missing = missing.parent
            raise UserError(t("cli.no_db_folder", folder=missing))
        return open_engine(url, group=self.cfg.database.group)

    def existing_engine(self):
        """The database of a command that reads or changes what is there: a SQLite file that does not
        exist is an error naming it (a mistyped --db never makes a new, empty database)."""
        require_database(self.url())
        return self.engine()


state = State()


def require_database(url: str) -> None:
    """A SQLite database file must be there already (one line naming it, exit 2, when it is not)."""
    from .services.database import sqlite_path

    path = sqlite_path(url)
    if path is None:
        return
    if path.is_dir():
        raise UserError(t("file.is_folder", path=path))
    if not path.exists():
        raise UserError(t("cli.no_database", path=path))


def _date(value: str | None, name: str) -> dt.date:
    from .core.improvement import iso_date

    if value is None:
        return clock.today()
    try:
        return iso_date(value)  # YYYY-MM-DD only (Python's fromisoformat also takes 20261001, 2026-W40-4)
    except ValueError:
        raise UserError(t("cli.bad_date", option=name, value=repr(value))) from None


DbOpt = typer.Option(None, "--db", help="Database file or URL (else $LESS_TUI_DB, the config, the user data dir).")


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: Optional[str] = DbOpt,
    config: Optional[str] = typer.Option(None, "--config", help="Config file (else $LESS_TUI_CONFIG, ./config.toml, the user config dir)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Interface language: sv or en."),
    date: Optional[str] = typer.Option(None, "--date", help="Open the meeting of this date (default today)."),
    projector: bool = typer.Option(False, "--projector", help="Projector mode: high contrast, roomy rows, masked."),
):
    state.db = db or state.db
    state.config_path = config
    _check_lang(lang)
    state.lang = lang
    if lang is not None:
        set_language(lang)
    if ctx.invoked_subcommand is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            state.cfg  # the config's language
            raise UserError(t("cli.needs_terminal"))
        cfg = state.cfg
        at = _date(date, "--date")
        if state.db or os.environ.get("LESS_TUI_DB"):
            require_database(state.url())  # a database named on the command line is expected to be there
        engine = state.engine()
        _meeting_date_usable(engine, cfg, at)
        with collector.importing():  # (Textual and the screens: the collector off meanwhile)
            from .app import run_app

        code = run_app(cfg, engine, at, lang=state.lang or cfg.language,
                       projector=projector or cfg.ui.projector)
        if code:
            raise typer.Exit(code)


def _meeting_date_usable(engine, cfg, at: dt.date) -> None:
    """--date of a meeting not made yet: at most a year ahead (a typo otherwise), said before the app starts."""
    from .services import admin
    from .services.errors import TooFarAhead

    try:
        admin.check_meeting_date(engine, cfg, at)
    except TooFarAhead as e:
        raise UserError("--date " + t("meeting.too_far", date=at.isoformat(), latest=e.latest.isoformat())) from None


def _lang_option(lang: str | None) -> None:
    """A command's own ``--lang`` (``less-tui import F --lang en`` as well as ``less-tui --lang en import F``)."""
    if lang is not None:
        _check_lang(lang)
        state.lang = lang
        set_language(lang)


def _check_lang(lang: str | None) -> None:
    """--lang names sv or en; else say so, in the config's language (or Swedish)."""
    if lang is not None and lang not in ("sv", "en"):
        from .config import declared_language

        set_language(state.lang or declared_language(state.config_path) or "sv")
        raise UserError(t("cli.bad_lang", value=repr(lang)))


def _db_option(db: Optional[str]) -> None:
    if db:
        state.db = db


# ---------------------------------------------------------------- init and demo

@app.command()
def init(
    path: Optional[Path] = typer.Option(None, "--path", help="Where to write the config (default: the user config dir)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing config."),
    unit: Optional[str] = typer.Option(None, "--unit", help="The care unit's code."),
    name: Optional[str] = typer.Option(None, "--name", help="The clinic's name."),
    db: Optional[str] = DbOpt,
):
    """Write a starter config and create the database."""
    import tomli_w

    from . import config as config_mod

    _db_option(db)
    target = path or (config_mod.user_config_dir() / "config.toml")
    _check_config_target(target, made_here=path is None)
    if target.exists() and not force:
        set_language(state.lang or config_mod.declared_language(target) or "sv")
        raise UserError(t("cli.config_exists", path=target))
    data = config_mod.starter_config(unit, name)
    header = "# less-tui configuration; every key is documented in the config.toml of the source.\n"
    _write_config(target, (header + tomli_w.dumps(data)).encode("utf-8"), made_here=path is None)
    state.config_path = str(target)
    engine = state.engine()
    typer.echo(t("cli.init_done", path=target, db=engine.url.render_as_string(hide_password=True)))


def _check_config_target(target: Path, made_here: bool) -> None:
    """A symlink, a folder or a missing folder (of --path) is told before anything else."""
    from .safefile import FileTargetError, check_target

    if made_here and not target.parent.exists():
        return  # the user config folder is made
    try:
        check_target(target)
    except FileTargetError as e:
        raise UserError(str(e)) from None


def _write_config(target: Path, data: bytes, made_here: bool) -> None:
    """The starter config, written whole beside the target and renamed over it (never through a
    symlink, never into a folder). The user config folder is made when missing; a folder named
    with --path must exist."""
    from .safefile import FileTargetError, write_bytes

    if made_here:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        write_bytes(target, data, mode=0o600)
    except FileTargetError as e:
        raise UserError(str(e)) from None


@app.command()
def demo(
    seed: int = typer.Option(1, "--seed", help="Random seed (the same seed gives the same clinic)."),
    scale: str = typer.Option("clinic", "--scale", help="clinic: one clinic with a year of meetings; region: 200 units, about a million certificates (built only, not opened)."),
    reset: bool = typer.Option(False, "--reset", help="Delete the demo database first and build it again (SQLite file only)."),
    no_open: bool = typer.Option(False, "--no-open", help="Only build the demo database; do not open the meeting app on it."),
    db: Optional[str] = typer.Option(None, "--db", help="The demo database file or URL (default: demo.db in the user data dir). Never the real database."),
):
    """Build a realistic synthetic clinic anchored at today in a database of its own (demo.db), then
    open today's meeting on it. The real database is never touched."""
    from .services import demo as demo_mod
    from .config import user_data_dir
    from .services.database import DB_FILE, open_engine, resolve_url, sqlite_path

    cfg = state.cfg
    if scale not in ("clinic", "region"):
        raise UserError(t("cli.bad_scale", value=repr(scale)))
    group = cfg.database.group
    # only --db names the demo's database: $LESS_TUI_DB and the config name the real one
    url = resolve_url(db or state.db or str(demo_mod.default_path()))
    if url in (resolve_url(None, cfg.database.url), resolve_url(str(user_data_dir() / DB_FILE))):
        raise UserError(t("cli.demo_real_db", db=_shown(url)))
    engine = open_engine(url, group=group)
    if demo_mod.has_certificates(engine) and not demo_mod.is_demo(engine):
        engine.dispose()
        raise UserError(t("cli.demo_holds_real_data", db=_shown(url)))
    if reset:
        path = sqlite_path(url)
        if path is None:
            raise UserError(t("cli.reset_sqlite_only"))
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            q = Path(str(path) + suffix)
            if q.exists():
                q.unlink()
        engine = open_engine(url, group=group)
    shown = engine.url.render_as_string(hide_password=True)
    if scale == "clinic":
        if demo_mod.has_data(engine, cfg.unit):
            typer.echo(t("cli.demo_has_data", unit=cfg.unit))
        else:
            res = demo_mod.build_clinic(engine, cfg, seed=seed)
            typer.echo(t("cli.demo_done", units=res.units, certs=res.certificates, meetings=res.meetings,
                         db=shown))
    else:
        def prog(i, total):
            if sys.stderr.isatty():
                sys.stderr.write("\r" + t("cli.region_progress", done=i, certs=total))
                sys.stderr.flush()

        res = demo_mod.build_region(engine, cfg, seed=seed, progress=prog)
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        typer.echo(t("cli.demo_done", units=res.units, certs=res.certificates, meetings=res.meetings, db=shown))
    if no_open or scale == "region":
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(t("cli.demo_no_terminal", cmd=_demo_open_command(url)))
    with collector.importing():
        from .app import run_app

    code = run_app(cfg, engine, clock.today(), lang=state.lang or cfg.language, projector=cfg.ui.projector)
    if code:
        raise typer.Exit(code)


def _shown(url: str) -> str:
    """A database as a person names it: the file of a SQLite URL, else the URL without its password."""
    from .services.database import shown

    return shown(url)


def _demo_open_command(url: str) -> str:
    return f"less-tui --db {_shown(url)}"


# ---------------------------------------------------------------- import

@app.command("import")
def import_(
    files: List[Path] = typer.Argument(..., help="Certificate files (CSV or XLSX) or Rehabstöd exports."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="The import's as-of date (default today)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count, store nothing."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Store the valid rows and list the rest."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of the messages: sv or en."),
    db: Optional[str] = DbOpt,
):
    """Import certificate rows. All or nothing unless --skip-invalid; exit 2 on bad rows."""
    from .core.importer import ImportFailed, read_file
    from .services.database import import_files

    _lang_option(lang)
    _db_option(db)
    cfg = state.cfg
    at = _date(as_of, "--as-of")
    _refuse_demo_database()
    parsed = []
    fatal: list[str] = []
    for f in files:
        try:
            parsed.append(read_file(f, at, cfg.unit, cfg.import_limits))
        except ImportFailed as e:
            fatal.append(str(e))
    problems = [str(p) for pr in parsed for p in pr.problems]
    listed = _listed_problems([p for pr in parsed for p in pr.problems])
    for pr in parsed:
        for w in pr.warnings:
            typer.echo(t("cli.warning", text=w), err=True)
    if fatal or (problems and not skip_invalid):
        for line in fatal + listed:
            typer.echo(line, err=True)
        n = len(fatal) + len(problems)
        typer.echo(t("cli.import_failed", n=n), err=True)
        if as_json:
            typer.echo(_unstored_json(files, parsed, fatal, at, dry_run))
        raise typer.Exit(2)
    for line in listed:
        typer.echo(t("cli.skipped", problem=line) if line[:1] != "…" else line, err=True)
    total = sum(len(p.rows) for p in parsed)
    if problems and not total:  # --skip-invalid, and nothing was valid: nothing is stored, not even the files
        typer.echo(t("cli.nothing_valid"), err=True)
        if as_json:
            typer.echo(_unstored_json(files, parsed, fatal, at, dry_run))
        raise typer.Exit(2)
    engine = _dry_run_engine() if dry_run else state.engine()
    shown = [0]

    def progress(n: int) -> None:
        shown[0] += n
        if sys.stderr.isatty() and total >= 5000:
            done = shown[0] * 100 // max(total, 1)
            bar = "#" * (done // 4)
            sys.stderr.write(f"\r{t('cli.importing')} [{bar:<25}] {done:3d} %")
            sys.stderr.flush()

    batches = [(p.file, p.sha256, p.kind, p.rows_read, p.rows_read - len(p.rows), p.rows) for p in parsed]
    summary = import_files(engine, cfg, batches, at, dry_run=dry_run, progress=progress)
    if sys.stderr.isatty() and total >= 5000:
        sys.stderr.write("\n")
    if as_json:
        out = summary.to_json()
        out["stored"] = not dry_run
        # the rows left out, as data too (a script reading the JSON must not have to parse stderr)
        out["problems"] = _problems_json(parsed, [])
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        ongoing = ", ".join(f"{k}: {v}" for k, v in summary.ongoing_episodes.items())
        typer.echo(t("cli.import_summary", rows=summary.rows_read, new=summary.new_certificates,
                     known=summary.known_certificates, invalid=summary.invalid_rows,
                     patients=summary.patients, as_of=at.isoformat(), ongoing=ongoing))
        if dry_run:
            typer.echo(t("cli.dry_run"))
    if any(p.kind == "rehabstod" for p in parsed) and not as_json:
        typer.echo(t("ctx.lower_bound"))


PROBLEMS_SHOWN = 100  # problem lines printed; a file wrong in one column on every row is summed up after them


def _listed_problems(problems: list) -> list[str]:
    """The problem lines to print: every one up to ``PROBLEMS_SHOWN``; beyond that the first ones, then one
    line with how many more there are in which column (50,000 rows with "100,0" printed 50,000 lines);
    ``--json`` still lists every one."""
    lines = [str(p) for p in problems]
    if len(lines) <= PROBLEMS_SHOWN:
        return lines
    rest = problems[PROBLEMS_SHOWN:]
    per_column: dict[str, int] = {}
    for p in rest:
        name = p.message.split(":", 1)[0] if p.column else "–"
        per_column[name] = per_column.get(name, 0) + 1
    columns = ", ".join(f"{name} {n:,}".replace(",", "\u00a0") for name, n in
                        sorted(per_column.items(), key=lambda kv: -kv[1]))
    return lines[:PROBLEMS_SHOWN] + [t("cli.more_problems", n=f"{len(rest):,}".replace(",", "\u00a0"),
                                       columns=columns)]


def _problems_json(parsed, fatal: list[str]) -> list[dict]:
    """Every problem as data: file, line, column (None where there is none), message and the line printed."""
    import re

    out = []
    for text in fatal:  # a file that could not be read at all: "FILE:LINE:COLUMN: message"
        m = re.match(r"(.*):(\d+):(\d+): (.*)\Z", text, re.S)
        file, line, column, message = (m.group(1), int(m.group(2)) or None, int(m.group(3)) or None, m.group(4)) \
            if m else (None, None, None, text)
        out.append({"file": file, "line": line, "column": column, "message": message, "text": text})
    out += [{"file": p.file, "line": p.line, "column": p.column, "message": p.message, "text": str(p)}
            for pr in parsed for p in pr.problems]
    return out


def _unstored_json(files, parsed, fatal: list[str], at: dt.date, dry_run: bool) -> str:
    """The JSON of an import that stored nothing (a bad row without --skip-invalid, a file that could not
    be read, no valid row): the counts read, nothing new, and every problem."""
    rows_read = sum(p.rows_read for p in parsed)
    valid = sum(len(p.rows) for p in parsed)
    return json.dumps({
        "files": [str(f) for f in files], "as_of": at.isoformat(), "rows_read": rows_read, "valid_rows": valid,
        "invalid_rows": rows_read - valid, "new_certificates": 0, "known_certificates": 0, "patients": 0,
        "new_patients": 0, "status_records": 0, "ongoing_episodes": {}, "dry_run": dry_run, "stored": False,
        "problems": _problems_json(parsed, fatal)}, ensure_ascii=False, indent=2)


def _dry_run_engine():
    """The database a dry run compares with: the real one when it is there, else an empty one in
    memory (a dry run creates no database file, folder or config)."""
    from .services.database import memory_engine, sqlite_path

    path = sqlite_path(state.url())
    if path is not None and not path.exists():
        return memory_engine()
    return state.existing_engine()


def _refuse_demo_database() -> None:
    """Real certificates never go into a database that holds the demo clinic."""
    from .services.database import sqlite_path
    from .services.demo import is_demo

    url = state.url()
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return
    engine = state.engine()
    try:
        demo = is_demo(engine)
    finally:
        engine.dispose()
    if demo:
        raise UserError(t("cli.import_into_demo", db=_shown(url)))


# ---------------------------------------------------------------- meetings

def _plain_option(option: str, value: str) -> None:
    from .core.plaintext import describe, find_control

    at = find_control(value)
    if at is not None:
        raise UserError(t("cli.control_in_text", option=option, char=describe(value[at]), value=repr(value)))


@meeting_app.command("new")
def meeting_new(
    date: Optional[str] = typer.Option(None, "--date", help="The meeting's date, YYYY-MM-DD (default today)."),
    attendee: Optional[List[str]] = typer.Option(None, "--attendee", help="An attendee (repeat); default the roster's."),
    db: Optional[str] = DbOpt,
):
    """Create the meeting of a date (default today)."""
    from .services import admin
    from .services.errors import MeetingExists, TooFarAhead

    _db_option(db)
    cfg = state.cfg
    d = _date(date, "--date")
    for name in attendee or []:  # typed text is only text: no escape sequence reaches a screen later
        _plain_option("--attendee", name)
    names = [" ".join(n.split()) for n in attendee or []]
    if not all(names):
        raise UserError(t("sup.empty_name"))
    engine = state.existing_engine()
    try:
        admin.new_meeting(engine, cfg, d, names or None)
    except MeetingExists:
        raise UserError(t("cli.meeting_exists", date=d.isoformat(), unit=cfg.unit)) from None
    except TooFarAhead as e:
        raise UserError("--date " + t("meeting.too_far", date=d.isoformat(), latest=e.latest.isoformat())) from None
    typer.echo(t("cli.meeting_created", date=d.isoformat(), unit=cfg.unit))


@meeting_app.command("close")
def meeting_close(date: Optional[str] = typer.Option(None, "--date", help="The meeting's date, YYYY-MM-DD (default today)."),
                  db: Optional[str] = DbOpt):
    """Close a meeting (default today's), freezing its indicator counts."""
    from .services import admin
    from .services.errors import AlreadyClosed, NotFound, NotHeldYet

    _db_option(db)
    cfg = state.cfg
    d = _date(date, "--date")
    engine = state.existing_engine()
    try:
        admin.close_meeting(engine, cfg, d)
    except NotFound:
        raise UserError(t("cli.no_meeting_create", date=d.isoformat(), unit=cfg.unit)) from None
    except AlreadyClosed:
        raise UserError(t("cli.meeting_already_closed", date=d.isoformat())) from None
    except NotHeldYet as e:
        raise UserError(t("meeting.not_held", date=e.date.isoformat(), today=e.today.isoformat())) from None
    typer.echo(t("cli.meeting_closed", date=d.isoformat()))


@meeting_app.command("reopen")
def meeting_reopen(
    date: Optional[str] = typer.Option(None, "--date", help="The closed meeting's date (default today)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why it is reopened (required; audited and "
                                                                   "printed in the minutes)."),
    db: Optional[str] = DbOpt,
):
    """Reopen a closed meeting: its indicators are unfrozen and it can be edited until closed again."""
    from .services import admin
    from .services.errors import NotClosed, NotFound, ReasonRequired

    _db_option(db)
    cfg = state.cfg
    d = _date(date, "--date")
    if not (reason or "").strip():
        raise UserError("--reason: " + t("reopen.reason_required"))
    engine = state.existing_engine()
    try:
        admin.reopen_meeting(engine, cfg, d, reason or "")
    except NotFound:
        raise UserError(t("cli.no_meeting", date=d.isoformat(), unit=cfg.unit)) from None
    except NotClosed:
        raise UserError(t("reopen.not_closed", date=d.isoformat())) from None
    except ReasonRequired:  # (a reason of only spaces is refused above)
        raise UserError("--reason: " + t("reopen.reason_required")) from None
    typer.echo(t("cli.meeting_reopened", date=d.isoformat()))


@meeting_app.command("list")
def meeting_list(as_json: bool = typer.Option(False, "--json", help="Print the meetings as JSON."),
                 db: Optional[str] = DbOpt):
    """List the unit's meetings."""
    from .core.text import table
    from .services import admin

    _db_option(db)
    cfg = state.cfg
    engine = state.existing_engine()
    rows = admin.meetings(engine, cfg)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo(t("cli.no_meetings"))
        return
    typer.echo(table([t("col.date"), t("col.status"), t("col.reviewed"), t("col.attendees")],
                     [[r["date"], t("word.closed") if r["status"] == "closed" else t("word.open"), r["cases"],
                       ", ".join(r["attendees"])] for r in rows], right={2}))


# ---------------------------------------------------------------- indicators and queue

@app.command()
def indicators(at: Optional[str] = typer.Option(None, "--at", help="Evaluation date (default today)."),
               as_json: bool = typer.Option(False, "--json", help="Print the indicators as JSON."),
               all_units: bool = typer.Option(False, "--all-units", help="The region's report: every care unit in the database, one row each (counts and shares, no patient)."),
               workers: int = typer.Option(0, "--workers", help="With --all-units: processes to compute with (0: the cores available, at most 8; never more than the cores; 1: none)."),
               db: Optional[str] = DbOpt):
    """The four indicators at a date, with the change since the last closed meeting."""
    from .core import indicators as ind
    from .core.text import median, table
    from .present import delta_text, previous_share_text, share_text, target_text
    from .services import admin

    _db_option(db)
    cfg = state.cfg
    d = _date(at, "--at")
    if workers < 0:
        raise UserError(t("cli.bad_workers", value=workers))
    if workers and not all_units:
        raise UserError(t("cli.workers_without_all"))
    engine = state.existing_engine()
    if all_units:
        _region_indicators(engine, cfg, d, as_json, workers)
        return
    iset, hist = admin.indicators(engine, cfg, d)
    labels = indicator_labels()
    data = ind.to_json(iset, cfg.unit, labels)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(t("cli.indicators_title", date=d.isoformat(), unit=cfg.unit, n=iset.population))
    prev_date = next((i.previous_date for i in iset.indicators if i.previous_date), None)
    typer.echo(t("cli.previous", date=prev_date.isoformat()) if prev_date else t("cli.no_previous"))
    typer.echo("")
    rows = []
    for i in iset.indicators:
        trend = ind.sparkline([v[i.key].share if i.key in v else None for _, v in hist if _ < d][-12:] + [i.share])
        rows.append([labels[i.key], f"{i.count}/{i.denominator}", share_text(i.count, i.denominator),
                     previous_share_text(i), delta_text(i), target_text(i),
                     trend])
    typer.echo(table([t("col.indicator"), t("col.count"), t("col.now"), t("col.previous"), t("col.delta"),
                      t("col.target"), t("col.trend")], rows, right={1, 2, 3}))
    c = iset.context
    typer.echo("")
    ctx_rows = [[t("ctx.ongoing_total"), c.ongoing_total], [t("ctx.population"), iset.population]]
    ctx_rows += [[t("ctx.chapter", ch=k), v] for k, v in c.chapters.items()]
    ctx_rows += [[t("ctx.over_90"), c.over_90], [t("ctx.over_180"), c.over_180],
                 [t("ctx.three_plus"), c.three_plus_doctors],
                 [t("ctx.median"), median(c.median_length)]]
    typer.echo(table([t("sum.context"), t("col.value")], ctx_rows, right={1}))
    if c.lower_bound:
        typer.echo(t("ctx.lower_bound"))


def _region_indicators(engine, cfg, d: dt.date, as_json: bool, workers: int) -> None:
    """``indicators --all-units``: one row per unit, then the region's shares over all its units."""
    from .core import indicators as ind
    from .core.text import table
    from .present import share_text
    from .services.region import region_report

    figures = region_report(engine, cfg, d, workers or None)
    keys = ind.INDICATOR_KEYS
    total = {k: ind.Value(sum(f.values[k].count for f in figures), sum(f.values[k].denominator for f in figures))
             for k in keys}
    if as_json:
        def ind_json(f, k):
            i = f.indicator(k)
            return {"count": i.count, "denominator": i.denominator, "share": i.share, "target": i.target,
                    "on_target": i.on_target, "previous_share": i.previous.share if i.previous else None,
                    "delta_pp": i.delta_pp}

        data = {"date": d.isoformat(), "units": [
            {"unit": f.code, "name": f.name, "ongoing_total": f.ongoing, "population": f.population,
             "previous_meeting": f.previous_date.isoformat() if f.previous_date else None,
             "indicators": {k: ind_json(f, k) for k in keys},
             "doctor_counts_lower_bound": f.lower_bound,
             "queue": {"cases": f.queue, "follow_ups": f.follow_ups, "due_now": f.urgent}} for f in figures],
            "region": {"units": len(figures), "ongoing_total": sum(f.ongoing for f in figures),
                       "population": sum(f.population for f in figures),
                       "doctor_counts_lower_bound": any(f.lower_bound for f in figures),
                       "indicators": {k: {"count": v.count, "denominator": v.denominator, "share": v.share}
                                      for k, v in total.items()}}}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(t("cli.region_title", date=d.isoformat(), n=len(figures)))
    typer.echo("")
    def cell(lower_bound: bool, k: str, v) -> str:
        # a "one doctor" share from doctor counts that are minimums (a Rehabstöd export) is marked
        mark = " *" if lower_bound and k == "one_doctor" else ""
        return share_text(v.count, v.denominator) + mark

    rows = [[f.code, f.ongoing, f.population, *(cell(f.lower_bound, k, f.values[k]) for k in keys),
             f.queue, f.follow_ups] for f in figures]
    any_lower = any(f.lower_bound for f in figures)
    rows.append([t("cli.region_all"), sum(f.ongoing for f in figures), sum(f.population for f in figures),
                 *(cell(any_lower, k, total[k]) for k in keys),
                 sum(f.queue for f in figures), sum(f.follow_ups for f in figures)])
    typer.echo(table([t("col.unit"), t("col.ongoing"), t("col.n"), *(t(f"ind.short.{k}") for k in keys),
                      t("col.queue"), t("col.follow_ups")], rows, right=set(range(1, 9))))
    if any_lower:
        typer.echo("* " + t("ctx.lower_bound"))


@app.command()
def queue(at: Optional[str] = typer.Option(None, "--at", help="Evaluation date (default today)."),
          limit: int = typer.Option(0, "--limit", help="Show at most this many cases (0: all)."),
          identify: bool = typer.Option(False, "--identify", help="Show personnummer and names (audited)."),
          as_json: bool = typer.Option(False, "--json", help="Print the queue as JSON."),
          db: Optional[str] = DbOpt):
    """The ranked case queue at a date."""
    from .core import pnr as pnrmod
    from .core.text import table
    from .present import coordinator_status_text, doctors_text, patient_label, reasons_line
    from .services import admin

    _db_option(db)
    cfg = state.cfg
    d = _date(at, "--at")
    if limit < 0:
        raise UserError(t("cli.bad_limit", value=limit))
    engine = state.existing_engine()
    listed = admin.queue(engine, cfg, d, limit, identify)
    items = [x.item for x in listed]
    out = []
    for x in listed:
        e, it, p = x.item.episode, x.item, x
        out.append({
            "case": e.case_no, "patient": p.pnr if identify else patient_label(p.pnr, p.name),
            **({"name": p.name} if identify else {}),
            "age": pnrmod.age(p.pnr, d), "diagnosis": e.diagnosis, "chapter": e.chapter, "length": e.length,
            "day": e.day_number(), "degree": e.degree, "doctors": e.n_doctors,
            "doctors_lower_bound": e.lower_bound, "coordinator_status": e.coordinator_status,
            "rehab_plan": e.rehab_plan, "reasons": it.reasons, "score": it.score, "follow_up": it.follow_up,
            "start": e.start.isoformat(), "end": e.end.isoformat(),
        })
    if as_json:
        typer.echo(json.dumps({"date": d.isoformat(), "unit": cfg.unit, "cases": out}, ensure_ascii=False, indent=2))
        return
    typer.echo(t("cli.queue_title", date=d.isoformat(), unit=cfg.unit, n=len(out)))
    rows = []
    for it, o in zip(items, out):
        day = o["day"] if it.episode.ongoing else t("queue.ended_short")  # (a follow-up of a case that has ended)
        rows.append([o["case"], o["patient"], o["age"], o["diagnosis"], day, o["length"], f"{o['degree']} %",
                     doctors_text(o["doctors"], o["doctors_lower_bound"]), coordinator_status_text(o["coordinator_status"]),
                     reasons_line(it.reasons, it.checkpoint)])
    # the sick day as the app's queue shows it ("Sjukdag"), then the planned length
    typer.echo(table([t("col.case"), t("col.patient"), t("col.age"), t("col.diagnosis"), t("col.day"),
                      t("col.length"), t("col.degree"), t("col.doctors"), t("col.coordinator"), t("col.reasons")],
                     rows, right={0, 2, 4, 5, 6, 7}))


# ---------------------------------------------------------------- export

@app.command()
def export(
    meeting: str = typer.Option("latest", "--meeting", help="The meeting's date, or latest."),
    fmt: str = typer.Option("md", "--format", help="md, docx, html (minutes) or xlsx (indicator workbook)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (default: a file in the export folder; md without -o: stdout)."),
    identify: bool = typer.Option(False, "--identify", help="Write personnummer and names (audited)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of the minutes: sv or en."),
    list_: bool = typer.Option(False, "--list", help="Print the files in the export folder (export.folder, "
                                                    "else exports/ beside the database) and write nothing."),
    db: Optional[str] = DbOpt,
):
    """Write the minutes of a meeting, or the indicator workbook. Without -o a file goes to the export
    folder (Markdown without -o: stdout)."""
    from .exports import ExportError, export_folder, export_meeting, is_demo, list_exports
    from .services.errors import NoUnit

    _lang_option(lang)
    _db_option(db)
    cfg = state.cfg
    if meeting != "latest":
        _date(meeting, "--meeting")
    _check_format(fmt)
    if identify and fmt == "xlsx":  # the workbook holds counts and actions, no patient: nothing to identify
        raise UserError(t("exp.identify_xlsx"))
    engine = state.existing_engine()
    if list_:
        files = list_exports(cfg, engine)
        for f in files:
            typer.echo(str(f))
        if not files:
            typer.echo(t("cli.exports_none", folder=export_folder(cfg, engine, create=False, demo=is_demo(engine))),
                       err=True)
        return
    try:
        result = export_meeting(engine, cfg, meeting, fmt, output, identify=identify,
                                lang=state.lang or cfg.language)
    except ExportError as e:
        raise UserError(str(e)) from None
    except NoUnit:  # the unit has no row yet: nothing imported, no meeting
        raise UserError(t("cli.no_unit", unit=cfg.unit)) from None
    if isinstance(result, str):
        typer.echo(result, nl=False)
    else:
        typer.echo(t("min.written", path=result), err=True)


def _check_format(fmt: str) -> None:
    from .exports import FORMATS

    if fmt not in FORMATS:
        raise UserError(t("exp.bad_format", value=repr(fmt), choices=", ".join(FORMATS)))


# ---------------------------------------------------------------- audit

@app.command()
def audit(
    patient: Optional[str] = typer.Option(None, "--patient", help="Only rows about this personnummer."),
    user: Optional[str] = typer.Option(None, "--user", help="Only rows by this operating-system user."),
    since: Optional[str] = typer.Option(None, "--since", help="Only rows on or after this date."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
    verify: bool = typer.Option(False, "--verify", help="Check the log's hash chain; name the first row where "
                                                        "it breaks (exit 1)."),
    db: Optional[str] = DbOpt,
):
    """Show the audit log: who viewed or changed what, and when (for the log review)."""
    from .core import pnr as pnrmod
    from .core.text import table
    from .services import audit as audit_service

    _db_option(db)
    state.cfg
    if verify and (patient or user or since):  # (the chain is the whole log: a filter would be ignored)
        raise UserError(t("cli.verify_whole_log"))
    engine = state.existing_engine()
    if verify:
        _audit_verify(engine, as_json)
        return
    pnr = None
    if patient:
        try:
            pnr = pnrmod.normalize(patient, clock.today())
        except pnrmod.PnrError as e:
            raise UserError(f"--patient: {e}") from None
    d = _date(since, "--since") if since else None
    rows = audit_service.rows(engine, pnr, user or None, d)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    typer.echo(table([t("col.time"), t("col.user"), t("col.ssh"), t("col.event"), t("col.unit"), t("col.case"),
                      t("col.detail")],
                     [[r["time"], r["user"], r["ssh_client"], r["action"], r["unit"], r["case"] or "", r["detail"]]
                      for r in rows]))


def _audit_verify(engine, as_json: bool = False) -> None:
    """`audit --verify`: the chain's verdict in one line (``--json``: ``{"whole": …, "verdict": …}``); exit 1
    when it is broken."""
    from .services import audit as audit_service

    ok, verdict = audit_service.verify(engine)
    typer.echo(json.dumps({"whole": ok, "verdict": verdict}, ensure_ascii=False) if as_json else verdict)
    if not ok:
        raise typer.Exit(1)


# ---------------------------------------------------------------- server administration

@app.command()
def doctor(db: Optional[str] = DbOpt):
    """Check this installation: database, permissions, terminal, colours, locale. Exit 1 on a problem."""
    from .services.health import run_checks

    _db_option(db)
    checks = run_checks(state.config_path, state.url, lambda: state.cfg)
    for c in checks:
        typer.echo(f"[{t('doc.mark.' + c.status)}] {c.name}: {c.detail}")
        if c.fix and c.status != "ok":
            typer.echo(f"       {t('doc.fix')}: {c.fix}")
    if any(c.status == "fail" for c in checks):
        raise typer.Exit(1)


@app.command()
def backup(dest: str = typer.Argument(..., help="A new file, or a folder for a dated file."),
           db: Optional[str] = DbOpt):
    """A consistent copy of the live SQLite database (safe while people work in it)."""
    from .services.database import AdminError, backup as do_backup

    _db_option(db)
    url = state.url()
    if dest.endswith(("/", os.sep)) and not Path(dest).is_dir():  # a folder was meant: never a file named so
        raise UserError(t("file.no_folder", path=dest, folder=dest.rstrip("/" + os.sep) or dest))
    try:
        info = do_backup(url, Path(dest))
    except AdminError as e:
        raise UserError(str(e)) from None
    typer.echo(t("cli.backup_done", path=info["path"], revision=info["revision"],
                 certs=info["counts"]["certificates"], meetings=info["counts"]["meetings"]))


@app.command()
def restore(src: Path = typer.Argument(..., help="A backup made by `less-tui backup`."),
            yes: bool = typer.Option(False, "--yes", help="Do not ask."),
            db: Optional[str] = DbOpt):
    """Put a backup back after checking it; the current database is copied aside first."""
    from .services.database import AdminError, check_backup, restore as do_restore

    _db_option(db)
    url = state.url()  # (loads the config: its language)
    try:
        info = check_backup(src)
        holds = t("cli.restore_holds", units=", ".join(info["units"]) or "–",
                  certs=info["counts"].get("certificates", 0), meetings=info["counts"].get("meetings", 0))
        if not yes:
            if not sys.stdin.isatty():
                raise UserError(t("cli.restore_needs_yes") + f" ({src}: {holds})")
            typer.confirm(t("cli.restore_confirm", db=url, src=src, holds=holds), abort=True)
        info = do_restore(url, src, state.cfg.unit)
    except AdminError as e:
        raise UserError(str(e)) from None
    if info["aside"]:
        typer.echo(t("cli.restored", src=src, aside=info["aside"]))
    else:  # (there was no database at that place)
        typer.echo(t("cli.restored_new", src=src, db=_shown_db()))


@app.command()
def migrate(to: str = typer.Option(..., "--to", help="postgresql+psycopg://user@host/dbname (an empty database)"),
            db: Optional[str] = DbOpt):
    """Move this (SQLite) database into PostgreSQL; counts and checksums are compared."""
    from .services.database import AdminError, migrate as do_migrate, unusable

    _db_option(db)
    engine = state.existing_engine()
    if not to.startswith("postgresql"):  # (a path or a SQLite URL: the move is to PostgreSQL only)
        raise UserError(t("adm.bad_target", value=repr(to)))
    why = unusable(to)
    if why:
        raise UserError(why)
    try:
        sums = do_migrate(engine, to)
    except AdminError as e:
        raise UserError(str(e)) from None
    for name, (n, h) in sums.items():
        typer.echo(t("cli.migrated", name=f"{name:20}", n=f"{n:>9}", sha=h[:16]))


# ---------------------------------------------------------------- the year's improvement report

@app.command()
def report(
    year: str = typer.Option(..., "--year", help="The year, YYYY: its closed meetings give the indicator table."),
    fmt: str = typer.Option("md", "--format", help="md, docx or xlsx."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="File to write (default: a file in the export folder; md without -o: stdout)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of the report: sv or en."),
    db: Optional[str] = DbOpt,
):
    """Write the year's improvement report: team, problems and ideas, the indicator table of the year's
    closed meetings, what was tested and introduced, run charts. No patient data is read."""
    from .exports.report import FORMATS, ReportError, file_name, render_md, write
    from .services.improvement import ImprovementService, NoClosedMeeting, year_of
    from .services.errors import NoUnit

    _lang_option(lang)
    _db_option(db)
    cfg = state.cfg
    try:
        y = year_of(year)
    except ValueError:
        raise UserError(t("rep.bad_year", value=repr(year))) from None
    if fmt not in FORMATS:
        raise UserError(t("rep.bad_format", value=repr(fmt), choices=", ".join(FORMATS)))
    engine = state.existing_engine()
    from .exports import export_folder, is_demo

    demo = is_demo(engine)
    try:
        data = ImprovementService(engine, cfg).report(y, demo=demo)
    except (NoClosedMeeting, NoUnit):
        raise UserError(t("rep.no_meetings", unit=cfg.unit, year=y)) from None
    if fmt == "md" and output is None:
        typer.echo(render_md(data), nl=False)
        return
    path = output if output is not None else export_folder(cfg, engine, demo=demo) / file_name(cfg.unit, y, fmt, demo)
    try:
        written = write(data, fmt, Path(path), group=cfg.database.group)
    except ReportError as e:
        raise UserError(str(e)) from None
    typer.echo(t("rep.written", path=written), err=True)


# ---------------------------------------------------------------- training and supervision

supervision_app = typer.Typer(help="Record supervision sessions and the team's insurance-medicine training.",
                              pretty_exceptions_enable=False)
app.add_typer(supervision_app, name="supervision")


def _held_date(value: str | None) -> dt.date:
    """The --date of a supervision session or a training: a day that has been (default today)."""
    from .core.improvement import not_held_yet

    d = _date(value, "--date")
    if not_held_yet(d, clock.today()):
        raise UserError("--date " + t("sup.not_held", date=d.isoformat(), today=clock.today().isoformat()))
    return d


@supervision_app.command("add")
def supervision_add(
    date: Optional[str] = typer.Option(None, "--date", help="The session's date, YYYY-MM-DD (default today)."),
    minutes: int = typer.Option(..., "--minutes", help="Its length in minutes."),
    leader: str = typer.Option(..., "--leader", help="Who led it."),
    attendee: Optional[List[str]] = typer.Option(None, "--attendee", help="Who came (repeat)."),
    db: Optional[str] = DbOpt,
):
    """Record a supervision session (handledning): date, length, who led it, who came."""
    from .services.improvement import ImprovementService

    _db_option(db)
    cfg = state.cfg
    d = _held_date(date)
    if not 1 <= minutes <= 600:
        raise UserError(t("sup.bad_minutes", value=minutes))
    names = [" ".join(n.split()) for n in attendee or []]
    for name in [leader, *names]:
        _plain_option("--leader" if name is leader else "--attendee", name)
    if not leader.strip() or not all(names):
        raise UserError(t("sup.empty_name"))
    engine = state.existing_engine()
    ImprovementService(engine, cfg).add_supervision(d, minutes, " ".join(leader.split()), names)
    typer.echo(t("sup.added", date=d.isoformat(), minutes=minutes, n=len(names)))


@supervision_app.command("training")
def supervision_training(
    person: str = typer.Option(..., "--person", help="Who took it (a name on the roster, or any name)."),
    course: str = typer.Option(..., "--course", help="The training's name."),
    date: Optional[str] = typer.Option(None, "--date", help="When, YYYY-MM-DD (default today)."),
    db: Optional[str] = DbOpt,
):
    """Record an insurance-medicine training a person of the team has taken."""
    from .services.improvement import ImprovementService

    _db_option(db)
    cfg = state.cfg
    d = _held_date(date)
    _plain_option("--person", person)
    _plain_option("--course", course)
    if not person.strip() or not course.strip():
        raise UserError(t("sup.empty_name"))
    engine = state.existing_engine()
    ImprovementService(engine, cfg).add_training(" ".join(person.split()), " ".join(course.split()), d)
    typer.echo(t("sup.training_added", person=" ".join(person.split()), date=d.isoformat()))


@supervision_app.command("remove")
def supervision_remove(
    date: str = typer.Option(..., "--date", help="The date it was recorded for, YYYY-MM-DD."),
    leader: Optional[str] = typer.Option(None, "--leader", help="The session's leader (when two were that day)."),
    person: Optional[str] = typer.Option(None, "--person", help="Remove this person's training instead of a session."),
    db: Optional[str] = DbOpt,
):
    """Remove a supervision session (or, with --person, a training) recorded by mistake; audited."""
    from .services.improvement import Ambiguous, ImprovementService, NothingToRemove

    _db_option(db)
    cfg = state.cfg
    d = _date(date, "--date")
    if leader is not None and person is not None:
        raise UserError(t("sup.remove_one_kind"))
    engine = state.existing_engine()
    try:
        removed = ImprovementService(engine, cfg).remove_recorded(d, leader, person)
    except NothingToRemove:
        raise UserError(t("sup.nothing_to_remove", date=d.isoformat())) from None
    except Ambiguous as e:
        raise UserError(t("sup.ambiguous", matches="; ".join(e.matches))) from None
    typer.echo(t("sup.removed", what=removed))


@supervision_app.command("list")
def supervision_list(as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
                     db: Optional[str] = DbOpt):
    """The supervision sessions, the trainings taken, and when the next supervision is due."""
    from .core.text import table
    from .services.improvement import ImprovementService

    _db_option(db)
    cfg = state.cfg
    engine = state.existing_engine()
    svc = ImprovementService(engine, cfg)
    rows = svc.supervision_list()
    trainings = svc.training_list()
    ro = svc.roll_out()
    if as_json:
        typer.echo(json.dumps({
            "sessions": [{"date": d.isoformat(), "minutes": m, "leader": lead, "attendees": att}
                         for d, m, lead, att in rows],
            "trainings": [{"date": x.date.isoformat(), "person": x.person, "course": x.course, "doctor": x.doctor}
                          for x in trainings],
            "trained_doctors": ro.trained_doctors if ro else 0, "trained_others": ro.trained_others if ro else 0,
            "next_due": ro.next_due.isoformat() if ro and ro.next_due else None,
            "overdue_days": ro.overdue_days(clock.today()) if ro else 0}, ensure_ascii=False, indent=2))
        return
    typer.echo(table([t("col.date"), t("sup.col.minutes"), t("sup.col.leader"), t("col.attendees")],
                     [[d.isoformat(), str(m), lead, ", ".join(att)] for d, m, lead, att in rows], right={1}))
    if trainings:
        typer.echo("")
        typer.echo(table([t("col.date"), t("rep.col.person"), t("rep.col.profession"), t("rep.col.course")],
                         [[x.date.isoformat(), x.person, t("rep.doctor" if x.doctor else "rep.other_profession"),
                           x.course] for x in trainings]))
    from .present import supervision_line

    line = supervision_line(ro, clock.today())
    if line:
        typer.echo(line)


# ---------------------------------------------------------------- entry point

def command():
    """The command behind ``app``, with flags shown as flags in every --help: Typer prints a type
    after each option, and for a flag (--json, --projector, --help itself) that is a bare ``<bool>``."""
    import typer.main

    def plain(c) -> None:
        for p in [*c.params, c.get_help_option(typer.Context(c))]:  # the help option is made once, cached
            if p is not None and getattr(p, "is_flag", False):
                p.metavar = ""
        for sub in getattr(c, "commands", {}).values():
            plain(sub)

    cmd = typer.main.get_command(app)
    plain(cmd)
    return cmd


def _import_failed(err: BaseException) -> bool:
    """A file the importer could not read (``ImportFailed``). Only the importer raises it, so when it was
    never loaded (every command that reads no file: an export starts without it) the answer is no."""
    importer = sys.modules.get("less_tui.core.importer")
    return importer is not None and isinstance(err, importer.ImportFailed)


def _shown_db() -> str:
    """The database of this command as a person names it (its file, or its URL without the password)."""
    try:
        from .services.database import shown

        return shown(state.url())
    except Exception:
        return state.db or "?"


def main() -> None:
    os.umask(0o077)  # databases, exports and logs: owner only
    from .config import ConfigError
    from .safefile import FileTargetError
    from .services.errors import DatabaseError, UnknownUnit

    try:
        try:
            command()(prog_name="less-tui")
        finally:
            sys.stdout.flush()  # (a closed pipe is found here, not at exit where it could not be handled)
    except SystemExit as e:
        if e.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            sys.exit(141)  # Typer's answer to a closed pipe (EPIPE) is 1, the code of an internal error here
        raise
    except KeyboardInterrupt:
        sys.stderr.write(t("cli.interrupted") + "\n")
        sys.exit(130)
    except BrokenPipeError:  # the reader went first (`less-tui queue | head`): quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except (UserError, FileTargetError) as e:
        sys.stderr.write(f"less-tui: {e}\n")
        sys.exit(2)
    except UnknownUnit as e:  # clinic.unit is not in a database that holds other units (any command)
        sys.stderr.write(f"less-tui: {t('cli.unknown_unit', unit=e.unit, units=', '.join(e.units))}\n")
        sys.exit(2)
    except ConfigError as e:
        sys.stderr.write(f"{t('cli.config_problem')}\n{e}\n")
        sys.exit(2)
    except DatabaseError as e:
        sys.stderr.write(f"less-tui: {e}\n")
        sys.exit(2)
    except Exception as e:
        from .services.errors import db_reason, is_db_error

        if is_db_error(e):  # (a read-only file, a full disk, a lost server: said in words, exit 2)
            sys.stderr.write(f"less-tui: {t('cli.db_failed', db=_shown_db(), reason=db_reason(e))}\n")
            sys.exit(2)
        if _import_failed(e):
            sys.stderr.write(f"less-tui: {e}\n")
            sys.exit(2)
        from .crashlog import log_crash

        where = log_crash()
        sys.stderr.write(t("cli.internal_error", kind=type(e).__name__, where=where) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
