"""A SIGTERM or SIGHUP handler runs on the main thread between two of its steps; if the main thread
held a lock at that moment (the screen writer's queue, the plan's save lock), the handler could wait
for it for ever and the process would never end (seen under load in the tmux SIGTERM test). A
watchdog ends the process anyway; a handler that finishes in time stops its watchdog."""

import signal
import threading

import pytest

from less_tui import app as appmod


class _StuckApp:
    """Stands in for the app: ``save_for_exit`` waits until the test lets it go (a lock never freed)."""

    def __init__(self, stuck: bool) -> None:
        self.stuck = stuck
        self.release = threading.Event()
        self.saved = threading.Event()
        self._driver = None  # not started: restoring the terminal has nothing to do

    def save_for_exit(self) -> None:
        self.saved.set()
        if self.stuck:
            self.release.wait(30)


@pytest.fixture
def handlers():
    old = {s: signal.getsignal(s) for s in (signal.SIGHUP, signal.SIGTERM)}
    yield
    for s, h in old.items():
        signal.signal(s, h)


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGHUP, 0)])
def test_a_stuck_exit_handler_still_ends_the_process(handlers, monkeypatch, sig, code):
    monkeypatch.setattr(appmod, "EXIT_WATCHDOG_SECONDS", 0.2)
    exits: list[int] = []
    exited = threading.Event()

    def exit_(c: int) -> None:
        exits.append(c)
        exited.set()

    app = _StuckApp(stuck=True)
    appmod.install_exit_handlers(app, exit_)  # type: ignore[arg-type]
    handler = signal.getsignal(sig)
    t = threading.Thread(target=handler, args=(sig, None), daemon=True)  # the handler, stuck in a lock
    t.start()
    try:
        assert exited.wait(10), "the watchdog did not end the process"
        assert app.saved.is_set() and exits == [code]
    finally:
        app.release.set()
        t.join(10)


def test_a_handler_that_finishes_stops_its_watchdog(handlers, monkeypatch):
    monkeypatch.setattr(appmod, "EXIT_WATCHDOG_SECONDS", 0.2)
    exits: list[int] = []
    app = _StuckApp(stuck=False)
    appmod.install_exit_handlers(app, exits.append)  # type: ignore[arg-type]
    signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
    assert exits == [143]
    threading.Event().wait(0.6)  # longer than the watchdog: it must not exit a second time
    assert exits == [143]
