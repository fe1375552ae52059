"""A Select removed before it was mounted (a screen replaced while it was being built: the follower's
decision screen when the presenter steps through cases quickly) must not end the app."""

from textual.app import App
from textual.containers import Vertical

from less_tui.widgets.select import LessSelect


class _Built(App):
    def __init__(self, remove: bool):
        super().__init__()
        self.remove_at_once = remove

    def on_mount(self) -> None:
        box = Vertical(id="box")
        self.mount(box)
        box.mount(LessSelect([("a", 1), ("b", 2)], value=2, id="s"))
        if self.remove_at_once:
            box.remove()


async def test_a_select_removed_before_it_is_mounted_leaves_the_app_running():
    app = _Built(remove=True)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert not app.query("#s")
        assert app.is_running
    assert app._exception is None
    assert app.return_code in (None, 0)


async def test_a_select_kept_is_set_up_as_textual_does():
    app = _Built(remove=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.query_one("#s", LessSelect).value == 2
    assert app._exception is None


class _LabelGone(App):
    """A Select whose current-value line was closed before it was composed: what CI saw once when the
    follower's decision screen was replaced while being built (the list there, the label not)."""

    def compose(self):
        from textual.widgets._select import SelectCurrent

        class _Unbuilt(SelectCurrent):
            def compose(self):
                return iter(())  # (closed before its compose ran: no label)

        class _Sel(LessSelect):
            def compose(self):
                yield _Unbuilt(self.prompt)
                yield from list(super().compose())[1:]

        yield _Sel([("a", 1), ("b", 2)], value=2, id="s")


async def test_a_select_whose_label_is_gone_before_it_is_mounted_leaves_the_app_running():
    app = _LabelGone()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.is_running
    assert app._exception is None
    assert app.return_code in (None, 0)


async def _until(pilot, cond, what: str, timeout: float = 30.0) -> None:
    """Until ``cond()`` holds (polled), the app still running; else the test fails naming ``what``."""
    import time

    end = time.monotonic() + timeout
    while not cond():
        assert pilot.app.is_running, pilot.app._exception
        assert time.monotonic() < end, f"timed out waiting for {what}"
        await pilot.pause(0.01)


async def test_a_decision_screen_replaced_while_it_is_built_leaves_the_app_running(demo_engine, cfg):
    """Follow mode: the presenter's next case arrives while the screen for the last one is still being
    built, and a new screen takes its place. (The two arrivals are made here as the follow watcher makes
    them, back to back in one turn of the loop: with two apps the timing cannot be forced.)"""
    import datetime as dt

    from less_tui.app import LessApp
    from less_tui.screens.decision import DecisionScreen
    from less_tui.screens.queue import QueueScreen

    app = LessApp(cfg, demo_engine, dt.date(2026, 11, 23))
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.shown_rows, "the queue")
        rows = app.screen.shown_rows[:2]
        first, second = (app.service.case(r.case_no, r) for r in rows)
        app._show_case(first, False)
        app._show_case(second, True)
        await _until(pilot, lambda: isinstance(app.screen, DecisionScreen) and app.screen._ready, "the second case")
        assert app.screen.detail.row.case_no == rows[1].case_no
        await pilot.press("x")  # the new screen has the keys: typed into its plan
        await _until(pilot, lambda: app.screen.query_one("#plan").text == second.plan + "x", "the key in the plan")
    assert app._exception is None


async def test_the_app_ending_while_a_decision_screen_is_built_ends_cleanly(demo_engine, cfg):
    """A follower's app closed (or a test ending) just as the presenter's case arrives: the screen's
    set-up finds its widgets gone, and that must not turn a clean exit into an internal error."""
    import datetime as dt

    from less_tui.app import LessApp
    from less_tui.screens.queue import QueueScreen

    app = LessApp(cfg, demo_engine, dt.date(2026, 11, 23))
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.shown_rows, "the queue")
        row = app.screen.shown_rows[0]
        app._show_case(app.service.case(row.case_no, row), False)
        app.exit()
    assert app._exception is None
    assert app.return_code in (None, 0)
