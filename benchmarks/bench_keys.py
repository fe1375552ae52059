"""Time from a key press to the screen updated, at clinic scale (headless): moving in the queue, opening a
case (Enter), the next and the previous case (F8 / F7). Target <= 20 ms for a move, <= 50 ms for a case.

Measured WITHOUT Pilot's settling: the app's ``_display`` (every frame the compositor hands to the driver; a
headless driver computes the frame too, it only does not write it) is wrapped to note when each frame is
made. A key's figure is from just before the key event is sent to the first frame that shows its result
(the queue's cursor on the next row; the decision screen of the case asked for). Pilot's ``press`` still
drives the app, but the time it then spends waiting for the app to go idle is not counted.

``--profile FILE`` writes a cProfile of the case openings (``python -m pstats FILE``). ``BENCH_SETTLE=0.1``
waits that many seconds after each case key before the next (a person reads the case first); the
default, 0, presses the keys as fast as the app settles."""

from __future__ import annotations

import argparse
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
from less_tui.screens.queue import CaseTable, QueueScreen  # noqa: E402
from less_tui.storage.db import open_engine  # noqa: E402
from less_tui import collector  # noqa: E402

collector.quiet()  # as the installed command runs the app (less_tui/launch.py)

TODAY = dt.date(2026, 11, 23)
SETTLE = float(os.environ.get("BENCH_SETTLE", "0"))


class FrameClock:
    """Notes the time of the first frame, after ``arm``, for which ``shown()`` holds."""

    def __init__(self, app: LessApp):
        self.app = app
        self.shown = None
        self.at: float | None = None
        original = app._display

        def display(screen, renderable):
            if renderable is not None and self.shown is not None and self.at is None and self.shown():
                self.at = time.perf_counter()
            return original(screen, renderable)

        app._display = display  # type: ignore[method-assign]

    def arm(self, shown) -> float:
        self.shown, self.at = shown, None
        return time.perf_counter()

    async def wait(self, pilot, t0: float) -> float:
        while self.at is None:
            if time.perf_counter() - t0 > 30:
                raise SystemExit("no frame showed the key's result within 30 s")
            await pilot.pause(0.005)
        return self.at - t0


def _case_shown(app: LessApp, case_no: int):
    def shown() -> bool:
        s = app.screen
        return isinstance(s, DecisionScreen) and s.detail.row.case_no == case_no and s.is_mounted
    return shown


async def measure(profile: str | None = None, moves_n: int = 20, cases_n: int = 10) -> dict[str, list[float]]:
    tmp = Path(tempfile.mkdtemp())
    engine = open_engine(f"sqlite:///{tmp / 'demo.db'}")
    cfg = validate({})
    demo.build_clinic(engine, cfg, today=TODAY)
    app = LessApp(cfg, engine, TODAY)
    res: dict[str, list[float]] = {"move": [], "open": [], "next": [], "prev": []}
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        while not (isinstance(app.screen, QueueScreen) and app.screen.shown_rows):
            await pilot.pause(0.01)
        await app.workers.wait_for_complete()
        await pilot.pause()
        clock = FrameClock(app)
        q = app.screen
        table = q.query_one(CaseTable)
        rows = len(q.shown_rows)
        for _ in range(min(moves_n, rows - 1)):
            want = table.cursor_row + 1
            t0 = clock.arm(lambda: app.screen is q and table.cursor_row == want)
            await pilot.press("down")
            res["move"].append(await clock.wait(pilot, t0))
        await pilot.press("home")
        await pilot.pause()
        if prof:
            prof.enable()
        for i in range(min(cases_n, rows - 2)):
            no = q.shown_rows[table.cursor_row].case_no
            t0 = clock.arm(_case_shown(app, no))
            await pilot.press("enter")
            res["open"].append(await clock.wait(pilot, t0))
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.pause(SETTLE)
            nxt = q.shown_rows[q.shown_rows.index(next(r for r in q.shown_rows if r.case_no == no)) + 1].case_no
            t0 = clock.arm(_case_shown(app, nxt))
            await pilot.press("f8")
            res["next"].append(await clock.wait(pilot, t0))
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.pause(SETTLE)
            t0 = clock.arm(_case_shown(app, no))
            await pilot.press("f7")
            res["prev"].append(await clock.wait(pilot, t0))
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.pause(SETTLE)
            await pilot.press("escape")
            while not isinstance(app.screen, QueueScreen):
                await pilot.pause(0.005)
            await pilot.press("down")
            await pilot.pause()
        if prof:
            prof.disable()
            prof.dump_stats(profile)
    engine.dispose()
    return res


def describe(xs: list[float]) -> str:
    return f"median {statistics.median(xs) * 1000:.0f} ms, max {max(xs) * 1000:.0f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", help="write a cProfile of the case openings to this file")
    a = ap.parse_args()
    res = asyncio.run(measure(a.profile))
    print(f"move in the queue:       {describe(res['move'])} (target <= 20 ms)")
    print(f"open a case (Enter):     {describe(res['open'])} (target <= 50 ms)")
    print(f"next case (F8):          {describe(res['next'])} (target <= 50 ms)")
    print(f"previous case (F7):      {describe(res['prev'])} (target <= 50 ms)")


if __name__ == "__main__":
    main()
