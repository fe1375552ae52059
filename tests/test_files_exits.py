"""Files and exits: nothing is written through a symlink, a bad target is one line and exit 2, a
command that reads never makes a new database, a dry run creates nothing, doctor checks the
database's integrity and never advises changing a shared folder, the app gives the terminal back."""

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from helpers import SAMPLES, cli

ENV = {"LESS_TUI_TODAY": "2026-11-23"}
TMUX = shutil.which("tmux")
EXE = Path(sys.executable).parent / "less-tui"


def _one_line_exit_2(p, *expected: str) -> str:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "Traceback" not in p.stderr + p.stdout
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    for e in expected:
        assert e in lines[0], lines[0]
    return lines[0]


def _home(tmp_path) -> dict:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {**ENV, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config")}


@pytest.fixture
def victim(tmp_path):
    """A file someone wants overwritten, and a symlink to it; plus a dangling one (a file to be made)."""
    v = tmp_path / "victim.txt"
    v.write_text("keep me", encoding="utf-8")
    return v


# ---------------------------------------------------------------- export -o

@pytest.mark.parametrize("fmt", ["md", "docx", "html", "xlsx"])
def test_export_o_refuses_a_symlink(demo_db, tmp_path, victim, fmt):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / f"minutes.{fmt}"
    out.symlink_to(victim)
    p = cli("export", "--db", str(demo_db), "--meeting", "2026-10-23", "--format", fmt, "-o", str(out), env=ENV)
    _one_line_exit_2(p, str(out))
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert out.is_symlink()
    dangling = folder / f"new.{fmt}"
    dangling.symlink_to(tmp_path / f"made-through-the-link.{fmt}")
    p = cli("export", "--db", str(demo_db), "--meeting", "2026-10-23", "--format", fmt, "-o", str(dangling), env=ENV)
    _one_line_exit_2(p, str(dangling))
    assert not (tmp_path / f"made-through-the-link.{fmt}").exists()
    # nothing left behind beside them (no temporary file)
    assert sorted(x.name for x in folder.iterdir()) == sorted([out.name, dangling.name])


def test_export_o_missing_folder_or_a_folder_is_one_line(demo_db, tmp_path):
    p = cli("export", "--db", str(demo_db), "--format", "docx", "-o", str(tmp_path / "no" / "m.docx"), env=ENV)
    _one_line_exit_2(p, str(tmp_path / "no"))
    assert not (tmp_path / "no").exists()
    p = cli("--lang", "en", "export", "--db", str(demo_db), "--format", "md", "-o", str(tmp_path), env=ENV)
    _one_line_exit_2(p, str(tmp_path), "is a folder")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    p = cli("export", "--db", str(demo_db), "--format", "md", "-o", str(tmp_path / "file" / "m.md"), env=ENV)
    _one_line_exit_2(p, str(tmp_path / "file"))
    ok = cli("export", "--db", str(demo_db), "--format", "html", "-o", str(tmp_path / "m.html"), env=ENV)
    assert ok.returncode == 0, ok.stderr
    assert stat.S_IMODE(os.stat(tmp_path / "m.html").st_mode) == 0o600


def test_export_folder_that_is_a_symlink_is_refused(demo_engine, cfg, tmp_path, victim):
    from less_tui import exports as export
    from less_tui.safefile import FileTargetError

    elsewhere = tmp_path / "world-readable"
    elsewhere.mkdir()
    link = tmp_path / export.DEMO_FOLDER  # the demo database's own export folder, beside it
    link.symlink_to(elsewhere)
    with pytest.raises(FileTargetError, match="symbolisk länk"):
        export.export_meeting(demo_engine, cfg, "2026-10-23", "docx")
    assert list(elsewhere.iterdir()) == []


def test_a_symlink_planted_at_the_export_folders_file_is_refused(demo_engine, cfg, tmp_path, victim):
    from less_tui import exports as export
    from less_tui.safefile import FileTargetError

    cfg.export.folder = str(tmp_path / "ex")
    path = export.export_meeting(demo_engine, cfg, "2026-10-23", "html")
    path.unlink()
    path.symlink_to(victim)
    with pytest.raises(FileTargetError):
        export.export_meeting(demo_engine, cfg, "2026-10-23", "html")
    assert victim.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("unit", ["../../utanför", "VC Nord/Syd", "..", "a\\b:c*?", "\x1b[31mröd", ".dold", "   "])
def test_the_units_name_is_safe_for_a_file_name(demo_engine, cfg, tmp_path, unit):
    from less_tui import exports as export
    from less_tui.safefile import safe_name

    name = safe_name(unit)
    assert name and "/" not in name and "\\" not in name and ".." not in name and not name.startswith(".")
    assert name.isprintable() and len(name) <= 60
    cfg.export.folder = str(tmp_path / "ex")
    cfg.clinic.unit = unit
    path = export.default_path(cfg, demo_engine, __import__("datetime").date(2026, 10, 23), "md")
    assert path.parent == tmp_path / "ex"
    assert path.name.startswith("fmt-protokoll-") and path.name.endswith("-2026-10-23.md")
    assert safe_name("VC Åby Väst") == "VC_Åby_Väst"


# ---------------------------------------------------------------- backup, init, crash log, upgrade copy

def test_backup_refuses_a_symlink_and_a_missing_folder(demo_db, tmp_path, victim):
    dest = tmp_path / "b.db"
    dest.symlink_to(tmp_path / "through-the-link.db")
    p = cli("backup", "--db", str(demo_db), str(dest), env=ENV)
    _one_line_exit_2(p, str(dest))
    assert not (tmp_path / "through-the-link.db").exists()
    p = cli("backup", "--db", str(demo_db), str(tmp_path / "nej" / "b.db"), env=ENV)
    _one_line_exit_2(p, str(tmp_path / "nej"))
    assert not (tmp_path / "nej").exists()
    folder = tmp_path / "bk"
    folder.mkdir()
    ok = cli("backup", "--db", str(demo_db), str(folder), env=ENV)
    assert ok.returncode == 0, ok.stderr
    made = list(folder.iterdir())
    assert len(made) == 1 and made[0].name.endswith(".db")  # and no temporary folder left
    assert stat.S_IMODE(os.stat(made[0]).st_mode) == 0o600


def test_init_refuses_a_symlinked_config_even_with_force(tmp_path, victim):
    target = tmp_path / "config.toml"
    target.symlink_to(victim)
    for extra in ([], ["--force"]):
        p = cli("init", "--path", str(target), "--db", str(tmp_path / "x.db"), *extra, env=ENV)
        _one_line_exit_2(p, str(target))
    assert victim.read_text(encoding="utf-8") == "keep me"
    p = cli("init", "--path", str(tmp_path / "nej" / "config.toml"), "--db", str(tmp_path / "x.db"), env=ENV)
    _one_line_exit_2(p, str(tmp_path / "nej"))
    p = cli("init", "--path", str(tmp_path), "--db", str(tmp_path / "x.db"), env=ENV)
    _one_line_exit_2(p, str(tmp_path))


def test_init_makes_the_user_config_folder(tmp_path):
    env = _home(tmp_path)
    p = cli("init", "--db", str(tmp_path / "x.db"), "--unit", "VC Test", env=env)
    assert p.returncode == 0, p.stderr
    made = tmp_path / "home" / "config" / "less-tui" / "config.toml"
    assert "VC Test" in made.read_text(encoding="utf-8")
    assert stat.S_IMODE(os.stat(made).st_mode) == 0o600


def test_crash_log_is_never_written_through_a_symlink(tmp_path, victim, monkeypatch):
    from less_tui.crashlog import log_crash
    from less_tui.i18n import t

    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setattr("less_tui.config.user_data_dir", lambda: data)
    (data / "crash.log").symlink_to(victim)
    where = log_crash(ValueError("boom"))
    assert where == t("cli.no_log")
    assert victim.read_text(encoding="utf-8") == "keep me"
    (data / "crash.log").unlink()
    (data / "crash.log").symlink_to(tmp_path / "made-through-the-link.log")
    log_crash(ValueError("boom"))
    assert not (tmp_path / "made-through-the-link.log").exists()
    (data / "crash.log").unlink()
    assert log_crash(ValueError("first")) == str(data / "crash.log")
    log_crash(ValueError("second"))
    text = (data / "crash.log").read_text(encoding="utf-8")
    assert "ValueError: first" in text and "ValueError: second" in text  # appended, not replaced
    assert stat.S_IMODE(os.stat(data / "crash.log").st_mode) == 0o600
    assert sorted(p.name for p in data.iterdir()) == ["crash.log"]


def test_the_copy_before_an_upgrade_is_not_written_through_a_symlink(tmp_path, victim, monkeypatch):
    from less_tui.safefile import FileTargetError
    from less_tui.storage import db as dbmod

    url = f"sqlite:///{tmp_path / 'x.db'}"
    dbmod.open_engine(url).dispose()
    e = dbmod.make_engine(url)
    try:
        with e.begin() as c:  # one revision back: opening it upgrades and first copies it aside
            c.exec_driver_sql("UPDATE alembic_version SET version_num = '0003'")
        with e.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

        class Frozen(dbmod.dt.datetime):
            @classmethod
            def now(cls, tz=None):
                return cls(2026, 11, 23, 12, 0, 0)

        monkeypatch.setattr(dbmod.dt, "datetime", Frozen)
        aside = tmp_path / f"x.db.before-{dbmod.HEAD}-20261123120000"
        aside.symlink_to(victim)
        with pytest.raises(FileTargetError):
            dbmod.upgrade(e)
        assert victim.read_text(encoding="utf-8") == "keep me"
    finally:
        e.dispose()


def test_a_dangling_symlink_where_the_database_would_be_is_refused(tmp_path):
    db = tmp_path / "x.db"
    db.symlink_to(tmp_path / "made-through-the-link.db")
    p = cli("import", "--db", str(db), str(SAMPLES / "intyg-exempel.csv"), env=ENV)
    _one_line_exit_2(p, str(db))
    assert not (tmp_path / "made-through-the-link.db").exists()


# ---------------------------------------------------------------- a mistyped --db

@pytest.mark.parametrize("cmd", [["queue"], ["indicators"], ["export"], ["export", "--list"], ["audit"],
                                 ["meeting", "list"], ["meeting", "new"], ["meeting", "close"]])
def test_a_command_that_reads_never_makes_a_new_database(tmp_path, cmd):
    env = _home(tmp_path)
    db = tmp_path / "sub" / "mistyped.db"
    p = cli(*cmd, "--db", str(db), env=env)
    _one_line_exit_2(p, str(db))
    assert not db.exists() and not db.parent.exists()
    en = cli("--lang", "en", *cmd, "--db", str(db), env=env)
    _one_line_exit_2(en, str(db), "no such database")
    # the same through $LESS_TUI_DB
    p = cli(*cmd, env={**env, "LESS_TUI_DB": str(db)})
    _one_line_exit_2(p, str(db))
    assert not db.parent.exists()
    assert not (tmp_path / "home" / "data").exists()


def test_doctor_does_not_make_the_database_it_checks(tmp_path):
    db = tmp_path / "mistyped.db"
    p = cli("doctor", "--db", str(db), env=ENV)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert f"[FEL ] databas: {db}: finns inte" in p.stdout
    assert not db.exists()


def test_import_may_create_the_database(tmp_path):
    """With its own folder; folders missing further up are a typo, refused and not made."""
    p = cli("import", "--db", str(tmp_path / "no" / "new" / "x.db"), str(SAMPLES / "intyg-exempel.csv"), env=ENV)
    assert p.returncode == 2 and f"mappen {tmp_path / 'no'} finns inte" in p.stderr and not (tmp_path / "no").exists()
    db = tmp_path / "new" / "x.db"
    cli("import", "--db", str(db), str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    assert db.exists()
    q = cli("queue", "--db", str(db), "--json", env=ENV)
    assert q.returncode == 0, q.stderr


# ---------------------------------------------------------------- import --dry-run

def test_dry_run_creates_nothing(tmp_path):
    env = _home(tmp_path)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    db = tmp_path / "sub" / "x.db"
    p = cli("import", "--db", str(db), "--dry-run", "--json", str(SAMPLES / "intyg-exempel.csv"), env=env)
    assert p.returncode == 0, p.stderr
    assert '"new_certificates": 16' in p.stdout and '"dry_run": true' in p.stdout
    # the default database too (no --db): no data folder, no config, no database
    p = cli("import", "--dry-run", str(SAMPLES / "intyg-exempel.csv"), env=env)
    assert p.returncode == 0 and "Provkörning" in p.stdout, p.stderr
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


def test_dry_run_on_an_existing_database_counts_what_is_known(tmp_path):
    db = tmp_path / "x.db"
    cli("import", "--db", str(db), str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    p = cli("import", "--db", str(db), "--dry-run", "--json", str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    assert '"known_certificates": 16' in p.stdout and '"new_certificates": 0' in p.stdout


# ---------------------------------------------------------------- doctor

def test_doctor_checks_integrity_on_sqlite(demo_db, tmp_path):
    p = cli("doctor", "--db", str(demo_db), env=ENV)
    assert "[ok  ] integritet: PRAGMA quick_check: ok" in p.stdout, p.stdout
    bad = tmp_path / "bad.db"
    shutil.copy(demo_db, bad)
    os.chmod(tmp_path, 0o700)
    c = sqlite3.connect(bad)
    try:
        c.execute("PRAGMA journal_mode=DELETE")
        page = c.execute("PRAGMA page_size").fetchone()[0]
        root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_certificates_patient_id'").fetchone()
        if root is None:
            root = c.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index' AND rootpage > 1 "
                             "ORDER BY rootpage DESC LIMIT 1").fetchone()
    finally:
        c.close()
    with open(bad, "r+b") as f:  # scribble over an index's root page
        f.seek((root[0] - 1) * page + 8)
        f.write(os.urandom(page - 16))
    p = cli("doctor", "--db", str(bad), env=ENV)
    assert p.returncode == 1 and "Traceback" not in p.stderr + p.stdout
    assert "[FEL ] integritet: PRAGMA quick_check:" in p.stdout, p.stdout
    assert "less-tui restore" in p.stdout


@pytest.mark.parametrize("mode", [0o1777, 0o0777])
def test_doctor_never_advises_chmod_on_a_shared_folder(demo_db, tmp_path, mode):
    shared = tmp_path / "tmp"
    shared.mkdir()
    os.chmod(shared, mode)
    db = shared / "less-tui.db"
    shutil.copy(demo_db, db)
    os.chmod(db, 0o600)
    for lang, fail, fix in (("sv", "[FEL ] behörighet katalog", "åtgärd:"), ("en", "[FAIL] permissions dir", "fix:")):
        p = cli("--lang", lang, "doctor", "--db", str(db), env=ENV)
        assert p.returncode == 1
        out = p.stdout
        assert f"{fail}: {shared}" in out, out
        assert "chmod" not in out, out
        advice = next(ln for ln in out.splitlines() if ln.strip().startswith(fix) and "mv -n" in ln)
        assert str(db) in advice
    assert stat.S_IMODE(os.stat(shared).st_mode) == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a folder to another user")
def test_doctor_never_advises_chmod_on_someone_elses_folder(demo_db, tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    db = theirs / "less-tui.db"
    shutil.copy(demo_db, db)
    os.chown(theirs, 65534, -1)
    p = cli("--lang", "en", "doctor", "--db", str(db), env=ENV)
    assert "not by you" in p.stdout and "chmod" not in p.stdout and "mv -n" in p.stdout, p.stdout


def test_doctor_still_advises_chmod_on_the_users_own_folder(demo_db, tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    os.chmod(own, 0o755)
    db = own / "less-tui.db"
    shutil.copy(demo_db, db)
    p = cli("doctor", "--db", str(db), env=ENV)
    assert f"åtgärd: chmod 700 {own}" in p.stdout, p.stdout


def test_doctor_checks_every_btree_index_on_postgres(pg_url):
    from sqlalchemy import create_engine, text

    cli("import", "--db", pg_url, str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    e = create_engine(pg_url)
    try:
        with e.begin() as c:
            c.execute(text("DROP EXTENSION IF EXISTS amcheck"))
        p = cli("doctor", "--db", pg_url, env=ENV)
        assert "[obs ] integritet: tillägget amcheck finns inte" in p.stdout, p.stdout
        assert "CREATE EXTENSION amcheck" in p.stdout
        with e.begin() as c:
            c.execute(text("CREATE EXTENSION amcheck"))
            n = c.execute(text(
                "SELECT count(*) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am "
                "ON am.oid = ic.relam WHERE am.amname = 'btree' AND ic.relnamespace = 'public'::regnamespace"
            )).scalar()
        assert n >= 10
        p = cli("--lang", "en", "doctor", "--db", pg_url, env=ENV)
        assert f"[ok  ] integrity: amcheck over {n} B-tree indexes: ok" in p.stdout, p.stdout
    finally:
        e.dispose()


# ---------------------------------------------------------------- the app's exits, in a real terminal

@pytest.fixture
def shell(demo_db, tmp_path):
    """A shell in tmux, as a person has it: the app is started from it and the shell is there after."""
    if TMUX is None:
        pytest.skip("tmux is not installed (.ci/run installs it)")
    if not EXE.exists():
        pytest.skip(f"{EXE} is not installed")
    sock = str(tmp_path / "tmux.sock")
    name = f"sh-{uuid.uuid4().hex[:8]}"
    home = tmp_path / "home"
    home.mkdir()

    def tm(*args, check=True):
        return subprocess.run([TMUX, "-S", sock, *args], capture_output=True, text=True, check=check)

    env = (f"env -u COLUMNS -u LINES HOME={home} XDG_DATA_HOME={home}/data LESS_TUI_TODAY=2026-11-23 "
           f"LESS_TUI_DB={demo_db} TERM=xterm-256color PS1='READY$ '")
    tm("new-session", "-d", "-s", name, "-x", "120", "-y", "40", f"{env} sh")

    class S:
        pass

    s = S()
    s.tm, s.name, s.home, s.db = tm, name, home, demo_db
    # -J: a line the shell wrapped comes back whole (a long tmp_path, as under pytest-xdist, wraps a message)
    s.screen = lambda: tm("capture-pane", "-p", "-J", "-t", name, check=False).stdout
    s.flags = lambda: dict(zip(
        ["alternate_on", "mouse_any_flag", "mouse_standard_flag", "mouse_button_flag", "mouse_sgr_flag",
         "mouse_utf8_flag", "cursor_flag"],
        tm("display", "-p", "-t", name, "#{alternate_on} #{mouse_any_flag} #{mouse_standard_flag} "
           "#{mouse_button_flag} #{mouse_sgr_flag} #{mouse_utf8_flag} #{cursor_flag}").stdout.split()))

    def wait(cond, what, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            if cond():
                return
            time.sleep(0.1)
        raise AssertionError(f"{what}\n{s.screen()}\n{s.flags()}")

    s.wait = wait
    s.wait(lambda: "READY$" in s.screen(), "no prompt")
    s.type = lambda text: tm("send-keys", "-t", name, "-l", text)
    s.keys = lambda *k: tm("send-keys", "-t", name, *k)

    def app_pid() -> int:
        shell_pid = tm("display", "-p", "-t", name, "#{pane_pid}").stdout.strip()
        out = subprocess.run(["pgrep", "-P", shell_pid], capture_output=True, text=True).stdout.split()
        assert len(out) == 1, out
        return int(out[0])

    s.app_pid = app_pid
    yield s
    tm("kill-server", check=False)


def _prompt_after(s, marker: str) -> str:
    """The shell's prompt is back after the app: a command typed now runs; returns its answer
    (the exit code of the app)."""
    import re

    s.wait(lambda: s.flags()["alternate_on"] == "0", "the app did not end")
    s.type(f"echo {marker}=$?")
    s.keys("Enter")
    pattern = re.compile(rf"(?:^|READY\$ ){marker}=(\d+)\s*$", re.M)  # (typed ahead: echoed before the prompt)
    s.wait(lambda: pattern.search(s.screen()), "the shell did not answer")
    return pattern.search(s.screen()).group(1)


@pytest.mark.e2e
def test_sigterm_gives_the_terminal_back(shell):
    shell.type(f"{EXE}")
    shell.keys("Enter")
    shell.wait(lambda: "Ärendekö" in shell.screen(), "the queue did not open")
    flags = shell.flags()
    assert flags["alternate_on"] == "1" and flags["mouse_any_flag"] == "1"  # the app had them on
    os.kill(shell.app_pid(), signal.SIGTERM)
    shell.wait(lambda: shell.flags()["alternate_on"] == "0", "still on the alternate screen")
    flags = shell.flags()
    assert flags == {"alternate_on": "0", "mouse_any_flag": "0", "mouse_standard_flag": "0",
                     "mouse_button_flag": "0", "mouse_sgr_flag": "0", "mouse_utf8_flag": "0",
                     "cursor_flag": "1"}, flags
    assert _prompt_after(shell, "RC") == str(128 + signal.SIGTERM)
    assert "READY$" in shell.screen()


@pytest.mark.e2e
def test_an_internal_error_exits_non_zero_with_one_line(shell):
    """The installed command's own code path (main, the app, its crash handling), with one method made
    to fail as a bug would: the app ends, the terminal is back, the exit code is 1, the log is written."""
    py = Path(sys.executable)
    code = ("import sys; from less_tui import app; "
            "app.LessApp.show_summary = lambda self: 1/0; "
            "from less_tui.cli import main; sys.argv = ['less-tui']; main()")
    shell.type(f'{py} -c "{code}"')
    shell.keys("Enter")
    shell.wait(lambda: "Ärendekö" in shell.screen(), "the queue did not open")
    shell.keys("s")
    shell.wait(lambda: shell.flags()["alternate_on"] == "0", "the app did not end")
    assert _prompt_after(shell, "RC") == "1"
    screen = shell.screen()
    assert "less-tui: internt fel (ZeroDivisionError)" in screen and "Traceback" not in screen, screen
    log = shell.home / "data" / "less-tui" / "crash.log"
    assert "ZeroDivisionError" in log.read_text(encoding="utf-8")
    assert shell.flags()["mouse_any_flag"] == "0"


@pytest.mark.e2e
def test_the_app_on_a_mistyped_db_is_an_error_not_an_empty_meeting(shell, tmp_path):
    """A database named with --db (or $LESS_TUI_DB) is expected to be there: one line and exit 2, no
    empty meeting on a new file. The installation's own database (the config's, or the default) is
    still made on the first start, for the welcome screen."""
    db = tmp_path / "mistyped.db"
    shell.type(f"{EXE} --db {db}")
    shell.keys("Enter")
    assert _prompt_after(shell, "RC") == "2"
    assert f"less-tui: {db}: det finns ingen sådan databas" in shell.screen()
    assert not db.exists()
    shell.type(f"LESS_TUI_DB={db} {EXE}")
    shell.keys("Enter")
    assert _prompt_after(shell, "RC2") == "2"
    assert not db.exists()
    shell.type(f"env -u LESS_TUI_DB {EXE}")
    shell.keys("Enter")
    shell.wait(lambda: "Välkommen" in shell.screen(), "the welcome screen did not open")
    assert (shell.home / "data" / "less-tui" / "less-tui.db").exists()
    shell.keys("q")
    assert _prompt_after(shell, "RC3") == "0"


async def test_the_app_says_so_when_the_export_folder_is_a_symlink(demo_engine, demo_db, cfg, tmp_path):
    """The export goes nowhere and the app goes on, with one line saying why."""
    import datetime as dt

    from less_tui.app import LessApp
    from less_tui.screens.dialogs import ChoiceDialog
    from less_tui.screens.summary import SummaryScreen
    from test_keyboard import queue_ready, until
    from test_reopen_export import notes_of

    elsewhere = tmp_path / "world-readable"
    elsewhere.mkdir()
    from less_tui.exports import DEMO_FOLDER

    (demo_db.parent / DEMO_FOLDER).symlink_to(elsewhere)  # the demo database's export folder
    app = LessApp(cfg, demo_engine, dt.date(2026, 10, 23))
    async with app.run_test(size=(120, 40)) as pilot:
        notes = notes_of(app)
        await queue_ready(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None, "the summary")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the format dialog")
        await pilot.press("enter")
        await until(pilot, lambda: any("symbolisk länk" in n for n in notes), "the notice")
        assert app.is_running and isinstance(app.screen, SummaryScreen)
    assert list(elsewhere.iterdir()) == []
    assert app.return_code in (None, 0)


def test_the_systems_refusal_is_said_in_the_interfaces_language():
    """`export -o /sys/x.md` said "kan inte skriva: Permission denied": the system's words, in English."""
    import errno

    from less_tui.i18n import set_language
    from less_tui.safefile import os_reason

    try:
        set_language("sv")
        assert os_reason(PermissionError(errno.EACCES, "Permission denied")) == "åtkomst nekad"
        assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "disken är full"
        assert os_reason(OSError(errno.ELOOP, "Too many levels")) == "Too many levels"  # no words of its own
        set_language("en")
        assert os_reason(OSError(errno.EROFS, "Read-only file system")) == "the file system is read-only"
    finally:
        set_language("sv")


@pytest.mark.parametrize("command", [["meeting", "new", "--date", "2026-12-23"], ["queue", "--identify"],
                                     ["export", "--meeting", "latest"]])
def test_a_database_that_cannot_be_written_is_told_in_words_with_exit_2(demo_db, monkeypatch, command):
    """A read-only database file (or a full disk) under `meeting new`, `queue --identify` (its audit row)
    and an export: "internt fel (OperationalError)", exit 1 and a crash log (QA helper). Now the file and
    what is wrong, exit 2. (The error is raised where SQLite raises it, at the write; root may write a
    read-only file, so the file itself is not made read-only here.)"""
    from less_tui.storage import repo

    def refused(*a, **kw):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(repo, "audit", refused)
    monkeypatch.setattr(repo, "create_meeting", refused)
    p = cli("--db", str(demo_db), *command, env={"LESS_TUI_TODAY": "2026-11-23"})
    assert p.returncode == 2, p.stdout + p.stderr
    assert f"less-tui: {demo_db}: databasen går bara att läsa" in p.stderr, p.stderr
    assert "internt fel" not in p.stderr and "Traceback" not in p.stderr
    assert "# Protokoll" not in p.stdout  # an export that cannot be logged is not shown


def test_minutes_printed_to_the_terminal_are_logged_as_every_export(demo_db):
    """`export` without -o printed the minutes (case numbers, initials, plans) and logged nothing; with -o
    it did (both helpers)."""
    def exports() -> list[str]:
        with sqlite3.connect(demo_db) as con:
            return [d for (d,) in con.execute("select detail from audit_log where action = 'export' order by id")]

    before = exports()
    p = cli("--db", str(demo_db), "export", "--meeting", "latest", env={"LESS_TUI_TODAY": "2026-11-23"})
    assert p.returncode == 0 and "# Protokoll" in p.stdout
    assert exports()[len(before):] == ["md meeting=2026-10-23 identify=False to=stdout"]  # (the last closed)


def test_a_database_url_with_a_port_that_is_not_a_number_is_refused_in_words(tmp_path):
    for args in (["--db", "postgresql+psycopg://u:secret@h:abc/x", "queue"],
                 ["--db", str(tmp_path / "x.db"), "migrate", "--to", "postgresql+psycopg://u@bad host:abc/x"]):
        if args[-1] != "queue":
            cli("--db", str(tmp_path / "x.db"), "import", str(SAMPLES / "intyg-exempel.csv"), check=True)
        p = cli(*args)
        assert p.returncode == 2, p.stdout + p.stderr
        assert "är ingen databas-URL" in p.stderr and "secret" not in p.stderr and "internt fel" not in p.stderr


@pytest.mark.parametrize("command", [["import", str(SAMPLES / "intyg-exempel.csv")], ["queue"]])
def test_a_folder_given_as_the_database_is_named_as_a_folder(tmp_path, command):
    """`import --db DIR` said "kan inte öppna databasen …: unable to open database file" while `queue`
    said the folder is one (QA helper); both now say it the same way."""
    folder = tmp_path / "adir.db"
    folder.mkdir()
    p = cli("--db", str(folder), *command)
    assert p.returncode == 2, p.stdout + p.stderr
    assert p.stderr.strip() == f"less-tui: {folder}: är en mapp; förväntade ett filnamn"


def test_a_backup_onto_a_full_disk_names_the_backup_not_the_database(demo_db, tmp_path, monkeypatch):
    """`backup /full-fs/` ended in an internal error (sqlite3 "database or disk is full"; QA helper), and
    said of the database, it would have blamed the wrong disk: now the copy is named, nothing is left."""
    import types

    from less_tui.storage import admin

    class Full:
        def __init__(self, con):
            self.con = con

        def backup(self, target):
            raise sqlite3.OperationalError("database or disk is full")

        def __getattr__(self, name):
            return getattr(self.con, name)

    fake = types.SimpleNamespace(connect=lambda *a, **kw: Full(sqlite3.connect(*a, **kw)), Error=sqlite3.Error)
    monkeypatch.setattr(admin, "sqlite3", fake)
    dest = tmp_path / "backups"
    dest.mkdir()
    p = cli("--db", str(demo_db), "backup", f"{dest}/")
    assert p.returncode == 2, p.stdout + p.stderr
    assert f"less-tui: säkerhetskopian {dest}/less-tui-" in p.stderr and "kunde inte skrivas: disken är full" in p.stderr
    assert str(demo_db) not in p.stderr and list(dest.iterdir()) == []


def test_migrate_to_a_path_says_it_moves_to_postgresql(tmp_path):
    """(data QA helper) `migrate --to /path/x.db` answered "ange en SQLite-fil (en sökväg) eller postgresql…",
    inviting the very input it had refused."""
    db = tmp_path / "x.db"
    cli("--db", str(db), "import", str(SAMPLES / "intyg-exempel.csv"), check=True)
    for target in (str(tmp_path / "y.db"), f"sqlite:///{tmp_path / 'y.db'}"):
        p = cli("--db", str(db), "migrate", "--to", target)
        assert p.returncode == 2 and p.stderr.strip() == (
            f"less-tui: --to: hittade {target!r}; förväntade en URL postgresql+psycopg://…"), p.stderr
        assert not (tmp_path / "y.db").exists()


def test_doctor_on_a_damaged_file_says_so_and_to_restore(tmp_path):
    """(data QA helper) `doctor` on a file cut short printed "DatabaseError: (sqlite3.DatabaseError) database disk
    image is malformed" and advised checking that the server runs."""
    db = tmp_path / "x.db"
    cli("--db", str(db), "import", str(SAMPLES / "intyg-exempel.csv"), check=True)
    cut = tmp_path / "cut.db"
    cut.write_bytes(db.read_bytes()[:20000])
    p = cli("--db", str(cut), "doctor")
    assert p.returncode == 1 and "databasfilen är skadad" in p.stdout and "DatabaseError" not in p.stdout
    assert "less-tui restore FIL" in p.stdout and "servern är igång" not in p.stdout
