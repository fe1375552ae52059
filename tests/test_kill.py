"""Kill tests: SIGKILL the app at random moments of a scripted session, twenty times. Each
time the database opens, passes the integrity check and holds every edit that was saved."""

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # twenty runs of the app, twice
TMUX = shutil.which("tmux")
EXE = Path(sys.executable).parent / "less-tui"
RUNS = 20


def _plans(url):
    from conftest import integrity_ok

    assert integrity_ok(url)
    return plans_today(url)


def plans_today(url):
    from conftest import plans_today

    return plans_today(url)


def _pane(sock: str, name: str) -> str:
    return subprocess.run([TMUX, "-S", sock, "capture-pane", "-p", "-t", name],
                          capture_output=True, text=True).stdout


def _wait(cond, what: str, timeout: float = 90.0) -> None:
    """Until ``cond()`` holds (a busy machine can take 15 s to start the app); else fail."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")
def test_twenty_random_kills(demo_url, tmp_path):
    rng = random.Random(20261123)
    sock = str(tmp_path / "s")
    # a session that outlives the killed ones, so the tmux server never exits between runs
    subprocess.run([TMUX, "-S", sock, "new-session", "-d", "-s", "keep", "sleep 3600"], check=True)
    saved: dict[int, str] = {}  # case number -> text known to be saved (in the database before the kill)
    waited = 0
    for run_no in range(RUNS):
        name = f"k{run_no}"
        env = f"LESS_TUI_TODAY=2026-11-23 LESS_TUI_DB={demo_url} HOME={tmp_path} TERM=xterm-256color"
        subprocess.run([TMUX, "-S", sock, "new-session", "-d", "-s", name, "-x", "100", "-y", "30",
                        f"exec env -u COLUMNS -u LINES {env} {EXE}"], check=True)
        pid = int(subprocess.run([TMUX, "-S", sock, "display-message", "-p", "-t", name, "#{pane_pid}"],
                                 capture_output=True, text=True).stdout)
        text = f"Plan {run_no} {uuid.uuid4().hex[:6]}"
        # the kill window starts when the app shows its queue (starting can take long on a busy machine)
        _wait(lambda: "ärenden  ·  maskerat" in _pane(sock, name), "the queue")
        steps = [("keys", ["Down"] * (run_no % 6)), ("keys", ["Enter"]), ("sleep", 0.8)]
        steps += [("type", ch) for ch in text]
        # every fourth run is killed only once all it typed is in the database (so that some runs do
        # save, however slow the machine); the others at a random moment of the session
        wait_for_save = run_no % 4 == 3
        kill_at = float("inf") if wait_for_save else rng.uniform(0.3, 0.8 + 0.05 * len(text) + 1.5)
        t0 = time.monotonic()
        typed = ""
        for kind, arg in steps:
            if time.monotonic() - t0 >= kill_at:
                break
            if kind == "sleep":
                time.sleep(arg)
            elif kind == "keys":
                subprocess.run([TMUX, "-S", sock, "send-keys", "-t", name, *arg])
            else:
                subprocess.run([TMUX, "-S", sock, "send-keys", "-t", name, "-l", arg])
                typed += arg
                time.sleep(0.05)
        if wait_for_save:
            # the app saves what was typed without being asked (nothing here waits on the wall clock
            # for it: a condition, with a generous limit)
            _wait(lambda: any(plan == saved.get(case, "") + typed for case, plan in plans_today(demo_url).items()),
                  f"run {run_no}: {typed!r} saved")
            waited += 1
        else:
            while time.monotonic() - t0 < kill_at:
                time.sleep(0.02)
        # "quiet": what was typed was in the database before the kill; then it must be there after it
        before_kill = plans_today(demo_url)
        quiet = bool(typed) and any(plan == saved.get(case, "") + typed for case, plan in before_kill.items())
        os.kill(pid, signal.SIGKILL)
        subprocess.run([TMUX, "-S", sock, "kill-session", "-t", name], capture_output=True)
        time.sleep(0.2)
        plans = _plans(demo_url)
        changed = {}
        for case, plan in plans.items():
            before = saved.get(case, "")
            # nothing saved earlier was lost: the text typed in this run goes on after it (the cursor
            # opens at the plan's end)
            assert plan.startswith(before), (run_no, case, plan, before)
            new = plan[len(before):]
            if new:
                assert typed.startswith(new), (run_no, typed, new)  # never garbage, never half a save
                changed[case] = new
        assert len(changed) <= 1
        # every save the app had committed before the kill is still there (or a later one of the same text)
        for case, plan in before_kill.items():
            after, old = plans.get(case, ""), saved.get(case, "")
            assert plan.startswith(old) and after.startswith(old), (run_no, case, plan, after)
            assert after[len(old):].startswith(plan[len(old):]), (run_no, case, plan, after)
        if quiet:
            assert list(changed.values()) == [typed], (run_no, typed, changed)
        saved = plans
    subprocess.run([TMUX, "-S", sock, "kill-server"], capture_output=True)
    assert waited == RUNS // 4
    assert sum(p.count("Plan ") for p in saved.values()) >= RUNS // 4  # the runs did type and save
