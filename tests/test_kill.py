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
    from conftest import integrity_ok, plans_today

    assert integrity_ok(url)
    return plans_today(url)


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")
def test_twenty_random_kills(demo_url, tmp_path):
    rng = random.Random(20261123)
    sock = str(tmp_path / "s")
    # a session that outlives the killed ones, so the tmux server never exits between runs
    subprocess.run([TMUX, "-S", sock, "new-session", "-d", "-s", "keep", "sleep 3600"], check=True)
    saved: dict[int, str] = {}  # case number -> text known to be saved (typed > 1 s before the kill)
    for run_no in range(RUNS):
        name = f"k{run_no}"
        env = f"LESS_TUI_TODAY=2026-11-23 LESS_TUI_DB={demo_url} HOME={tmp_path} TERM=xterm-256color"
        subprocess.run([TMUX, "-S", sock, "new-session", "-d", "-s", name, "-x", "100", "-y", "30",
                        f"exec env -u COLUMNS -u LINES {env} {EXE}"], check=True)
        pid = int(subprocess.run([TMUX, "-S", sock, "display-message", "-p", "-t", name, "#{pane_pid}"],
                                 capture_output=True, text=True).stdout)
        text = f"Plan {run_no} {uuid.uuid4().hex[:6]}"
        steps = [("sleep", 2.0), ("keys", ["Down"] * (run_no % 6)), ("keys", ["Enter"]), ("sleep", 0.8)]
        steps += [("type", ch) for ch in text]
        kill_at = rng.uniform(0.3, 2.0 + 0.8 + 0.05 * len(text) + 1.5)
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
        # "quiet": the app has shown all that was typed (keys can lag on a busy machine) and a second
        # has passed since; then everything typed must have been saved
        seen_at = None
        while time.monotonic() - t0 < kill_at:
            if typed and seen_at is None:
                pane = subprocess.run([TMUX, "-S", sock, "capture-pane", "-p", "-t", name],
                                      capture_output=True, text=True).stdout
                if typed in pane:
                    seen_at = time.monotonic()
            time.sleep(0.02)
        quiet = seen_at is not None and time.monotonic() - seen_at >= 1.0
        os.kill(pid, signal.SIGKILL)
        subprocess.run([TMUX, "-S", sock, "kill-session", "-t", name], capture_output=True)
        time.sleep(0.2)
        plans = _plans(demo_url)
        changed = {}
        for case, plan in plans.items():
            before = saved.get(case, "")
            # nothing saved earlier was lost: the text typed in this run goes in front of it
            assert plan.endswith(before), (run_no, case, plan, before)
            new = plan[: len(plan) - len(before)]
            if new:
                assert typed.startswith(new), (run_no, typed, new)  # never garbage, never half a save
                changed[case] = new
        assert len(changed) <= 1
        if quiet:
            assert list(changed.values()) == [typed], (run_no, typed, changed)
        saved = plans
    subprocess.run([TMUX, "-S", sock, "kill-server"], capture_output=True)
    assert sum(p.count("Plan ") for p in saved.values()) >= 3  # the runs did type and save
