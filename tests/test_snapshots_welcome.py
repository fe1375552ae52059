"""The welcome screen (a database without certificates) at 80x24 and 120x40, in both languages.
Update with --snapshot-update after looking at the SVGs in the report."""

import datetime as dt

from helpers import workers_done
import pytest

from less_tui.app import LessApp

TODAY = dt.date(2026, 11, 23)
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


async def _settle(pilot):
    for _ in range(3):
        await pilot.pause()
        await workers_done(pilot.app)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_welcome(snap_compare, tmp_path, cfg, monkeypatch, size, lang):
    from less_tui.storage.db import open_engine

    db = tmp_path / "empty.db"
    monkeypatch.setenv("LESS_TUI_DB", str(db))  # the database the commands find by themselves: no --db shown
    engine = open_engine(f"sqlite:///{db}")
    app = LessApp(cfg, engine, TODAY, lang=lang)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_settle)
    engine.dispose()
