"""`less-tui` on a database without certificates: a welcome screen that says what to do next.
Keys only (pilot.press)."""

import asyncio
import datetime as dt
import time

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from textual.widgets import Static

from helpers import SAMPLES, workers_done
from less_tui.app import LessApp
from less_tui.screens.help import HelpScreen
from less_tui.screens.queue import QueueScreen
from less_tui.screens.welcome import WelcomeScreen
from less_tui.storage.models import Meeting
from less_tui.widgets.screen_title import ScreenTitle

TODAY = dt.date(2026, 11, 23)


async def _settle(pilot):
    for _ in range(3):
        await pilot.pause()
        await workers_done(pilot.app)


def _meetings(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count(Meeting.id)))


@pytest.mark.parametrize("lang,title,words", [("sv", "Välkommen", "Importera"), ("en", "Welcome", "Import")])
async def test_an_empty_database_opens_the_welcome_screen(engine, cfg, lang, title, words):
    app = LessApp(cfg, engine, TODAY, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, WelcomeScreen)
        assert str(screen.query_one(ScreenTitle).render()).startswith(title)
        texts = [str(w.render()) for w in screen.query("#welcome Static")]
        assert any(words in x for x in texts)
        url = engine.url.render_as_string(hide_password=True)
        shown = url.removeprefix("sqlite:///")  # a SQLite file is named by its path
        assert f"less-tui import --db {shown} " in str(screen.query_one("#import-command", Static).render())
        assert str(screen.query_one("#demo-command", Static).render()) == "less-tui demo"
        # all of it visible at 80x24, above the footer
        for w in screen.query("#welcome Static"):
            assert w.region.height > 0 and w.region.bottom <= 23, (w.id, w.region)
        await pilot.press("f1")
        await _settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await _settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("q")
        await _settle(pilot)
        assert not app.is_running
    assert _meetings(engine) == 0  # nothing was created on an empty database


async def test_the_default_database_needs_no_db_option(tmp_path, cfg, monkeypatch):
    from less_tui.storage.db import open_engine

    db = tmp_path / "team.db"
    monkeypatch.setenv("LESS_TUI_DB", str(db))
    engine = open_engine(f"sqlite:///{db}")
    app = LessApp(cfg, engine, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        assert str(app.screen.query_one("#import-command", Static).render()) == "less-tui import FIL.csv"
        await pilot.press("q")
        await _settle(pilot)
        assert not app.is_running
    engine.dispose()


async def test_certificates_imported_elsewhere_replace_the_welcome_with_the_queue(engine, cfg):
    from less_tui.core.importer import read_file
    from less_tui.storage.importing import store

    app = LessApp(cfg, engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        p = read_file(SAMPLES / "intyg-exempel.csv", TODAY, cfg.unit)
        store(engine, cfg, [(p.file, p.sha256, p.kind, p.rows_read, 0, p.rows)], TODAY)  # another session
        end = time.monotonic() + 60  # the change watcher sees it (a generous limit: the machine may be busy)
        while time.monotonic() < end:
            await _settle(pilot)
            if isinstance(app.screen, QueueScreen) and app.screen.data is not None:
                break
            await asyncio.sleep(0.1)
        assert isinstance(app.screen, QueueScreen) and app.screen.data.rows
        await pilot.press("q")
        await _settle(pilot)
    assert _meetings(engine) == 1


async def test_the_switch_to_the_queue_opens_the_meeting_in_a_worker_and_survives_database_errors(engine, cfg,
                                                                                                  monkeypatch):
    """Certificates arrive while the database is busy: opening the meeting fails twice. It runs in a
    thread worker (never on the event loop), a line says it cannot yet and when it tries again, and the
    queue follows when it can."""
    import threading

    from sqlalchemy import exc

    from less_tui.core.importer import read_file
    from less_tui.services.meeting import MeetingService
    from less_tui.storage.importing import store

    real_open = MeetingService.open
    on_main: list[bool] = []

    def busy_open(self):
        on_main.append(threading.current_thread() is threading.main_thread())
        if len(on_main) <= 2:
            raise exc.OperationalError("INSERT INTO meetings", {}, Exception("database is locked"))
        return real_open(self)

    app = LessApp(cfg, engine, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        welcome = app.screen
        monkeypatch.setattr(MeetingService, "open", busy_open)
        p = read_file(SAMPLES / "intyg-exempel.csv", TODAY, cfg.unit)
        store(engine, cfg, [(p.file, p.sha256, p.kind, p.rows_read, 0, p.rows)], TODAY)  # another session
        status = ""
        end = time.monotonic() + 60  # generous limits: the machine may be busy
        while time.monotonic() < end:
            await pilot.pause(0.05)
            if app.screen is welcome:
                status = str(welcome.query_one("#welcome-status", Static).render())
                if "Kan inte öppna mötet" in status:
                    break
        assert "Kan inte öppna mötet" in status and "Försöker igen om" in status, status
        end = time.monotonic() + 60
        while time.monotonic() < end:
            await pilot.pause(0.05)
            if isinstance(app.screen, QueueScreen) and app.screen.data is not None:
                break
        assert isinstance(app.screen, QueueScreen) and app.screen.data.rows
        assert app.is_running
        assert len(on_main) >= 3 and not any(on_main), on_main
        await pilot.press("q")
        await _settle(pilot)
    assert _meetings(engine) == 1
