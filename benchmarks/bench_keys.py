"""Time from a key press to the screen updated: moving in the queue, and opening a case
(Pilot, headless, clinic scale). Target <= 50 ms."""

import asyncio
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LESS_TUI_TODAY", "2026-11-23")

from less_tui.services import demo  # noqa: E402
from less_tui.app import LessApp  # noqa: E402
from less_tui.config import validate  # noqa: E402
from less_tui.screens.decision import DecisionScreen  # noqa: E402
from less_tui.screens.queue import QueueScreen  # noqa: E402
from less_tui.storage.db import open_engine  # noqa: E402

TODAY = dt.date(2026, 11, 23)


async def run() -> None:
    tmp = Path(tempfile.mkdtemp())
    engine = open_engine(f"sqlite:///{tmp / 'demo.db'}")
    cfg = validate({})
    demo.build_clinic(engine, cfg, today=TODAY)
    app = LessApp(cfg, engine, TODAY)
    moves, opens = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(20):
            t0 = time.perf_counter()
            await pilot.press("down")
            await pilot.pause()
            moves.append(time.perf_counter() - t0)
        for _ in range(10):
            t0 = time.perf_counter()
            await pilot.press("enter")
            while not isinstance(app.screen, DecisionScreen):
                await pilot.pause(0.001)
            await pilot.pause()
            opens.append(time.perf_counter() - t0)
            await pilot.press("escape")
            while not isinstance(app.screen, QueueScreen):
                await pilot.pause(0.001)
            await pilot.press("down")
            await pilot.pause()
    print(f"move in the queue: median {statistics.median(moves) * 1000:.1f} ms, max {max(moves) * 1000:.1f} ms (target <= 50 ms)")
    print(f"open a case:       median {statistics.median(opens) * 1000:.1f} ms, max {max(opens) * 1000:.1f} ms (target <= 50 ms)")


if __name__ == "__main__":
    asyncio.run(run())
