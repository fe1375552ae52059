"""How soon what is typed is in the database, and how soon another session shows it (Pilot, headless,
demo clinic on SQLite). The tests check the mechanisms without a clock (tests/test_db_trouble.py,
test_multisession.py, test_ssh.py); these are the timing goals: typing without a pause is stored
within 1 s of each key, and another session shows a saved plan within 2.5 s."""

import asyncio
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LESS_TUI_TODAY", "2026-11-23")

from sqlmodel import Session, select  # noqa: E402

from less_tui.app import LessApp  # noqa: E402
from less_tui.config import validate  # noqa: E402
from less_tui.screens.decision import DecisionScreen  # noqa: E402
from less_tui.screens.queue import QueueScreen  # noqa: E402
from less_tui.services import demo  # noqa: E402
from less_tui.storage import repo  # noqa: E402
from less_tui.storage.db import open_engine  # noqa: E402
from less_tui.storage.models import Meeting  # noqa: E402

TODAY = dt.date(2026, 11, 23)
TEXT = "Kontakt med arbetsgivaren om anpassning av arbetsuppgifterna"


def stored(engine, case_no: int) -> str:
    with Session(engine) as s:
        m = s.scalars(select(Meeting).where(Meeting.date == TODAY)).one()
        r = next((r for r in repo.reviews_of_meeting(s, m.id) if r.case_no == case_no), None)
        return r.plan if r else ""


async def until(pilots, cond, limit: float = 60.0) -> float:
    t0 = time.perf_counter()
    while not cond():
        if time.perf_counter() - t0 > limit:
            raise RuntimeError("gave up waiting")
        for p in pilots:
            await p.pause(0.01)
    return time.perf_counter() - t0


async def open_case(pilot, app) -> DecisionScreen:
    await until([pilot], lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None)
    await pilot.press("enter")
    await until([pilot], lambda: isinstance(app.screen, DecisionScreen) and app.screen._ready)
    return app.screen


async def run() -> None:
    tmp = Path(tempfile.mkdtemp())
    engine = open_engine(f"sqlite:///{tmp / 'demo.db'}")
    cfg = validate({})
    demo.build_clinic(engine, cfg, today=TODAY)
    a, b = LessApp(cfg, engine, TODAY), LessApp(cfg, engine, TODAY)
    async with a.run_test(size=(120, 40)) as pa, b.run_test(size=(120, 40)) as pb:
        da = await open_case(pa, a)
        db = await open_case(pb, b)
        case_no = da.detail.row.case_no
        typed_at: list[float] = []
        lags: list[float] = []
        for ch in TEXT:  # a key every 0.1 s, no pause
            await pa.press(ch)
            typed_at.append(time.perf_counter())
            await pa.pause(0.1)
            plan, now = stored(engine, case_no), time.perf_counter()
            lags += [now - at for at in typed_at[len(lags):len(plan)]]  # keys newly in the database
        stored_at = shown_at = None
        t0 = time.perf_counter()
        while stored_at is None or shown_at is None:  # both looked at after every turn of the two apps
            if time.perf_counter() - t0 > 60:
                raise RuntimeError("gave up waiting")
            for p in (pa, pb):
                await p.pause(0.01)
            now = time.perf_counter()
            if stored_at is None and stored(engine, case_no) == TEXT:
                stored_at = now
                lags += [now - at for at in typed_at[len(lags):]]
            if stored_at is not None and shown_at is None and db.query_one("#plan").text == TEXT:
                shown_at = now
        shown = shown_at - stored_at
    print(f"typing without a pause, key to stored: median {statistics.median(lags):.2f} s, "
          f"max {max(lags):.2f} s (target <= 1 s)")
    print(f"saved to shown in the other session: {shown:.2f} s after the last save (target <= 2.5 s)")


if __name__ == "__main__":
    asyncio.run(run())
