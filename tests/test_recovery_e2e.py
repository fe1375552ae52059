"""The installed app in tmux gets a real SIGTERM (and SIGHUP) while another writer holds SQLite's
write lock and the plan is not saved: the process ends, the text is in an owner-only recovery file,
and the next run puts it back in the plan and saves it when the case is opened."""

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
TMUX = shutil.which("tmux")
EXE = Path(sys.executable).parent / "less-tui"


def _pane(sock: str, name: str) -> str:
    return subprocess.run([TMUX, "-S", sock, "capture-pane", "-p", "-t", name], capture_output=True,
                          text=True).stdout


def _wait(what: str, cond, timeout: float = 60.0, sock: str = "", name: str = ""):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}" + (f"; the screen:\n{_pane(sock, name)}" if sock else ""))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie of tmux's counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _start(sock: str, name: str, tmp_path: Path, db: Path) -> int:
    env = (f"LESS_TUI_TODAY=2026-11-23 LESS_TUI_DB={db} HOME={tmp_path / 'home'} "
           f"XDG_DATA_HOME={tmp_path / 'data'} XDG_CONFIG_HOME={tmp_path / 'config'} TERM=xterm-256color")
    subprocess.run([TMUX, "-S", sock, "new-session", "-d", "-s", name, "-x", "110", "-y", "32",
                    f"exec env -u COLUMNS -u LINES {env} {EXE}"], check=True)
    return int(subprocess.run([TMUX, "-S", sock, "display-message", "-p", "-t", name, "#{pane_pid}"],
                              capture_output=True, text=True).stdout)


def _plans(db: Path) -> list[str]:
    c = sqlite3.connect(str(db))
    try:
        return [p for (p,) in c.execute("SELECT plan FROM case_reviews WHERE plan != ''")]
    finally:
        c.close()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_the_database_is_locked_keeps_the_plan(demo_db, tmp_path, sig):
    sock = str(tmp_path / "s")
    subprocess.run([TMUX, "-S", sock, "new-session", "-d", "-s", "keep", "sleep 600"], check=True)
    folder = tmp_path / "data" / "less-tui" / "recovery"
    text = f"Plan under lås {sig.name}"
    try:
        pid = _start(sock, "one", tmp_path, demo_db)
        _wait("the queue", lambda: "Ärendekö" in _pane(sock, "one") and "Skäl" in _pane(sock, "one"),
              sock=sock, name="one")
        subprocess.run([TMUX, "-S", sock, "send-keys", "-t", "one", "Enter"], check=True)
        _wait("the case", lambda: "Beslut" in _pane(sock, "one") and "Plan" in _pane(sock, "one"),
              sock=sock, name="one")
        other = sqlite3.connect(str(demo_db), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer, for as long as it takes
        try:
            subprocess.run([TMUX, "-S", sock, "send-keys", "-t", "one", "-l", text], check=True)
            _wait("the not-saved line", lambda: "Inte sparat ännu" in _pane(sock, "one"), sock=sock, name="one")
            os.kill(pid, sig)
            _wait("the app to end", lambda: not _alive(pid))
        finally:
            other.rollback()
            other.close()
        files = list(folder.glob("plan-*.json"))
        assert len(files) == 1, files
        assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert text in files[0].read_text(encoding="utf-8")
        assert text not in _plans(demo_db)

        subprocess.run([TMUX, "-S", sock, "kill-session", "-t", "one"], capture_output=True)
        pid = _start(sock, "two", tmp_path, demo_db)
        _wait("the queue's notice", lambda: "Osparad plantext" in _pane(sock, "two"), sock=sock, name="two")
        subprocess.run([TMUX, "-S", sock, "send-keys", "-t", "two", "Enter"], check=True)
        _wait("the plan saved", lambda: text in _plans(demo_db))
        _wait("the file removed", lambda: not list(folder.glob("plan-*.json")))
        _wait("the text on screen", lambda: text in _pane(sock, "two"), sock=sock, name="two")
    finally:
        subprocess.run([TMUX, "-S", sock, "kill-server"], capture_output=True)
