"""Time from starting the process to the case queue shown with its cases (clinic scale),
against a minimal Textual app that shows one line, measured the same way (tmux, polling the
screen) in the same run. Target <= 1.5x."""

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TMUX = shutil.which("tmux")
MINIMAL = """
from textual.app import App
from textual.widgets import Static
class A(App):
    def compose(self):
        yield Static("READY-LINE")
A().run()
"""


_n = [0]


def timed(cmd: str, marker: str, sock: str) -> float:
    _n[0] += 1
    name = "b"
    sock = f"{sock}{_n[0]}"
    t0 = time.perf_counter()
    subprocess.run([TMUX, "-S", sock, "new-session", "-d", "-s", name, "-x", "120", "-y", "40", cmd], check=True)
    while True:
        out = subprocess.run([TMUX, "-S", sock, "capture-pane", "-p", "-t", name], capture_output=True,
                             text=True).stdout
        if marker in out:
            dt_ = time.perf_counter() - t0
            break
        if time.perf_counter() - t0 > 60:
            raise SystemExit(f"timeout waiting for {marker!r}")
        time.sleep(0.01)
    subprocess.run([TMUX, "-S", sock, "kill-server"], capture_output=True)
    return dt_


def measure(n: int = 5) -> tuple[float, float]:
    """Medians of ``n`` starts: (the minimal Textual app, less-tui to the queue with its cases), in seconds."""
    if not TMUX:
        raise SystemExit("needs tmux")
    tmp = Path(tempfile.mkdtemp())
    env = f"LESS_TUI_TODAY=2026-11-23 LESS_TUI_DB={tmp / 'demo.db'} HOME={tmp}"
    subprocess.run(f"env -u LESS_TUI_DB LESS_TUI_TODAY=2026-11-23 HOME={tmp} {sys.executable} -m less_tui demo --no-open "
                   f"--db {tmp / 'demo.db'}", shell=True, check=True, capture_output=True)
    (tmp / "minimal.py").write_text(MINIMAL)
    sock = str(tmp / "s")
    exe = Path(sys.executable).parent / "less-tui"
    ours, base = [], []
    for _ in range(n):
        base.append(timed(f"exec env -u COLUMNS -u LINES {sys.executable} {tmp / 'minimal.py'}", "READY-LINE", sock))
        # the queue is shown with its cases when the first ranked case number is on screen
        ours.append(timed(f"exec env -u COLUMNS -u LINES {env} {exe}", "uppföljning", sock))
    return statistics.median(base), statistics.median(ours)


def main() -> None:
    b, o = measure()
    print(f"minimal Textual app: {b * 1000:.0f} ms (median of 5)")
    print(f"less-tui to the queue with its cases: {o * 1000:.0f} ms (median of 5) = {o / b:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
