import datetime as dt
import os
import uuid

import pytest

TODAY = dt.date(2026, 11, 23)
PG_ADMIN = os.environ.get("LESS_TUI_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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


@pytest.fixture
def pg_url():
    if _PG_REASON:
        pytest.skip(_PG_REASON)
    import psycopg

    name = f"less_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    yield url

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url):
    from less_tui.storage.db import open_engine

    e = open_engine(db_url)
    yield e
    e.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """A demo clinic at the fixed date, built once; tests copy it."""
    import os as _os

    old = _os.environ.get("LESS_TUI_TODAY")
    _os.environ["LESS_TUI_TODAY"] = TODAY.isoformat()
    try:
        from less_tui.services import demo
        from less_tui.config import validate
        from less_tui.storage.db import open_engine

        path = tmp_path_factory.mktemp("demo") / "demo.db"
        e = open_engine(f"sqlite:///{path}")
        demo.build_clinic(e, validate({}), seed=1, today=TODAY)
        with e.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        e.dispose()
        return path
    finally:
        if old is None:
            _os.environ.pop("LESS_TUI_TODAY", None)
        else:
            _os.environ["LESS_TUI_TODAY"] = old


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
    from less_tui.services import demo
    from less_tui.config import validate
    from less_tui.storage.db import open_engine

    url = request.getfixturevalue("pg_url")
    e = open_engine(url)
    demo.build_clinic(e, validate({}), seed=1, today=TODAY)
    e.dispose()
    return url


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
