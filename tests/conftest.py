import contextlib
import datetime as dt
import os
import uuid

import pytest

TODAY = dt.date(2026, 11, 23)

# Pilot waits after every key press until the app is idle: it sleeps in windows of SLEEP_GRANULARITY
# (20 ms) until one passes in which the process used less than SLEEP_IDLE of CPU. Every key thus cost
# at least 40 ms (two such waits), most of the suite's time. Shorter windows keep the same rule (the
# app did next to no work for a whole window) and let a key that the app handles in 3 ms cost ~10 ms.
# Tests never rely on this wait alone: they wait for what they need (helpers ``until`` and the like).
import textual._wait as _textual_wait  # noqa: E402

_textual_wait.SLEEP_GRANULARITY = 0.005
_textual_wait.SLEEP_IDLE = 0.0005


def pytest_configure(config):
    # the collector as the app runs with it (``less_tui.collector``): the Pilot tests run the app in this
    # process
    from less_tui import collector

    collector.quiet()


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: two test processes per core. Many tests wait (for an app in tmux or over SSH to start,
    for a kill's random moment), and a second process per core keeps the core busy meanwhile. Measured
    on 2 cores: 295 s with 2 processes, 251 s with 3, 236 s with 4 (the cores then ~93 % busy)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 2 * cores


PG_ADMIN = os.environ.get("LESS_TUI_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pytest_collection_modifyitems(config, items):
    """The slow tests first (kept in order among themselves): with one test handed to each process at a
    time, the long ones then overlap each other and the short ones instead of finishing the run alone."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("slow") else 1 if item.get_closest_marker("e2e") else 2)


@pytest.fixture(autouse=True)
def _fixed_env(monkeypatch, tmp_path):
    monkeypatch.setenv("LESS_TUI_TODAY", TODAY.isoformat())
    monkeypatch.delenv("LESS_TUI_DB", raising=False)
    monkeypatch.delenv("LESS_TUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    from less_tui.i18n import set_language

    set_language("sv")


def _processes_of(folder: str) -> list[int]:
    """The processes (other than this one) whose environment names ``folder``: the apps an end-to-end
    test started in tmux or over SSH get their HOME and XDG folders under the test's temporary folder."""
    mark = folder.encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as f:
                if mark in f.read():
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.fixture(autouse=True)
def _no_app_left_behind(request, tmp_path):
    """After an end-to-end test, no app it started may live on (a stuck one once spun a core for the
    rest of the run, slowing every later test). What the test ended (tmux's kill-server hangs up on its
    apps) gets 20 s to go, which is twice the apps' own exit watchdog; what is left after that is
    killed, and the test fails."""
    yield
    if not (request.node.get_closest_marker("e2e") or request.node.get_closest_marker("slow")):
        return
    if not os.path.isdir("/proc"):
        return
    import signal
    import time

    end = time.monotonic() + 20.0
    left = _processes_of(str(tmp_path))
    while left and time.monotonic() < end:
        time.sleep(0.1)
        left = [pid for pid in _processes_of(str(tmp_path)) if _running(pid)]
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes still running 20 s after the test (killed now): {left}"


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for its parent."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def cfg():
    from less_tui.config import validate

    return validate({})


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3):
            return None
    except Exception as e:  # pragma: no cover - depends on the machine
        return f"no PostgreSQL server on 127.0.0.1:5432 ({type(e).__name__})"


_PG_REASON = _pg_available()


@contextlib.contextmanager
def _fixed_today():
    """LESS_TUI_TODAY for a session fixture (built before the autouse ``_fixed_env`` of a test)."""
    old = os.environ.get("LESS_TUI_TODAY")
    os.environ["LESS_TUI_TODAY"] = TODAY.isoformat()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("LESS_TUI_TODAY", None)
        else:
            os.environ["LESS_TUI_TODAY"] = old


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as c:
        c.execute(sql)


def _new_pg_database(template: str | None = None) -> str:
    """A new database with a unique name (safe under pytest-xdist), empty or a copy of ``template``."""
    name = f"less_test_{uuid.uuid4().hex[:10]}"
    _pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name


@pytest.fixture
def pg_url():
    if _PG_REASON:
        pytest.skip(_PG_REASON)
    name = _new_pg_database()
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_folder(tmp_path_factory):
    """The temporary folder of the whole run (pytest-xdist workers share the parent of theirs)."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


def _pg_template_name(run_folder) -> str:
    import hashlib

    return "less_tmpl_" + hashlib.sha1(str(run_folder).encode()).hexdigest()[:12]


@pytest.fixture(scope="session")
def pg_demo_template(tmp_path_factory):
    """The demo clinic in a PostgreSQL database, built once per run by the first test process that needs
    it (as ``demo_template``); ``pg_demo_url`` copies it with CREATE DATABASE … TEMPLATE. Dropped when
    the run ends (``pytest_sessionfinish``)."""
    if _PG_REASON:
        pytest.skip(_PG_REASON)
    name = _pg_template_name(_run_folder(tmp_path_factory))

    def build(done):
        from less_tui.services import demo
        from less_tui.config import validate
        from less_tui.storage.db import open_engine

        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # half-built by a killed run
        _pg_admin(f'CREATE DATABASE "{name}"')
        e = open_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
        try:
            with _fixed_today():
                demo.build_clinic(e, validate({}), seed=1, today=TODAY)
        finally:
            e.dispose()  # a template must have no connections when it is copied
        done.write_text(name)

    _built_once(tmp_path_factory, "pg-demo-template.done", build)
    return name


def pytest_sessionfinish(session):
    """The run's PostgreSQL template goes with the run (in the process that ran no test itself, or the
    only one)."""
    if os.environ.get("PYTEST_XDIST_WORKER") or _PG_REASON:
        return
    folder = session.config._tmp_path_factory.getbasetemp()
    if (folder / "pg-demo-template.done").exists():
        with contextlib.suppress(Exception):
            _pg_admin(f'DROP DATABASE IF EXISTS "{_pg_template_name(folder)}" WITH (FORCE)')


@pytest.fixture
def pg_demo_url(pg_demo_template):
    """A fresh PostgreSQL database holding the demo clinic (a copy of the session's template)."""
    name = _new_pg_database(template=pg_demo_template)
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """An empty SQLite database at the newest schema, migrated once per run; ``engine`` and
    ``migrated_db`` copy it instead of running every migration again for each test."""
    def build(path):
        from less_tui.storage.db import open_engine

        e = open_engine(f"sqlite:///{path}")
        with e.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        e.dispose()

    return _built_once(tmp_path_factory, "migrated-template.db", build)


def _copy_db(template, dst) -> None:
    """A database file copied whole (owner-only, as the app makes its files)."""
    import shutil

    shutil.copyfile(template, dst)
    os.chmod(dst, 0o600)


@pytest.fixture
def migrated_db(migrated_template, tmp_path):
    """The path of a new, empty SQLite database already at the newest schema."""
    dst = tmp_path / "migrated.db"
    _copy_db(migrated_template, dst)
    return dst


@pytest.fixture
def engine(db_url, request):
    from less_tui.storage.db import open_engine, sqlite_path

    path = sqlite_path(db_url)
    if path is not None and not path.exists():  # SQLite: the session's migrated copy (opening it finds it at head)
        _copy_db(request.getfixturevalue("migrated_template"), path)
    e = open_engine(db_url)
    yield e
    e.dispose()


def _built_once(tmp_path_factory, name: str, build):
    """A file built by the first test process that needs it and shared by the others of the run
    (pytest-xdist workers share the parent of their temporary folders); a lock makes the rest wait."""
    import fcntl

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            part = root / f"{name}.part"
            part.unlink(missing_ok=True)
            build(part)
            os.replace(part, path)
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """A demo clinic at the fixed date, built once per run (by one test process); tests copy it."""

    def build(path):
        with _fixed_today():
            from less_tui.services import demo
            from less_tui.config import validate
            from less_tui.storage.db import open_engine

            e = open_engine(f"sqlite:///{path}")
            demo.build_clinic(e, validate({}), seed=1, today=TODAY)
            with e.connect() as c:
                c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            e.dispose()

    return _built_once(tmp_path_factory, "demo-template.db", build)


@pytest.fixture
def demo_db(demo_template, tmp_path):
    import shutil

    dst = tmp_path / "demo.db"
    shutil.copy(demo_template, dst)
    return dst


@pytest.fixture
def demo_engine(demo_db):
    from less_tui.storage.db import open_engine

    e = open_engine(f"sqlite:///{demo_db}")
    yield e
    e.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_url(request, demo_db):
    """The demo clinic as a database URL: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{demo_db}"
    return request.getfixturevalue("pg_demo_url")


def plans_today(url: str) -> dict[int, str]:
    """{case number: plan} of today's meeting, read with a fresh engine."""
    from sqlalchemy import create_engine, text

    e = create_engine(url)
    try:
        with e.connect() as c:
            return {n: p for n, p in c.execute(text(
                "SELECT case_no, plan FROM case_reviews JOIN meetings ON meetings.id = case_reviews.meeting_id "
                "WHERE meetings.date = '2026-11-23' AND plan != ''"))}
    finally:
        e.dispose()


def integrity_ok(url: str) -> bool:
    """SQLite: PRAGMA integrity_check. PostgreSQL: amcheck over every B-tree index."""
    from sqlalchemy import create_engine, text

    e = create_engine(url)
    try:
        with e.connect() as c:
            if e.dialect.name == "sqlite":
                return c.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            c.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            c.execute(text(
                "SELECT bt_index_check(i.indexrelid, true) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
                "JOIN pg_am am ON am.oid = ic.relam WHERE am.amname = 'btree' "
                "AND ic.relnamespace = 'public'::regnamespace")).all()
            c.commit()
            return True
    finally:
        e.dispose()
