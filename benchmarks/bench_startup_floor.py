"""How far the start could go: the floor of a first paint without the ORM, pydantic or the CLI library.

Issue 11 asks for the start to the queue with its cases <= 1.5x a minimal Textual app. This script
measures, the same way as ``bench_startup.py`` (tmux, polling the screen, medians, the minimal app in
the same run), a bare first paint that is *not* the app: it reads the demo clinic's live certificates
and status records with ``sqlite3``, builds the episodes and ranks them with less-tui's own core (the
rule and the ranking the app uses), and shows the ranked cases in the app's own table and footer
widgets under the app's stylesheet. Nothing else: no command line, no validated config (the defaults
are read with ``tomllib``), no meeting opened, no decision screen, palette or keymap.

Then it adds, one at a time, what the real start needs before its first paint, imported before the
bare app runs:

- ``+ typer``: the command line (``less-tui --db … --lang …``);
- ``+ config``: the config as the app reads it (``less_tui.config.load``: pydantic's validation);
- ``+ ORM``: SQLAlchemy, SQLModel and the schema (``less_tui.storage.repo``).

The step that crosses 1.5x shows what a start within the goal may not import before it draws.
This is a measurement, not a test, and not a second start path of the app."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_startup  # noqa: E402

BARE = r'''
import sys
for name in sys.argv[2:]:  # what the step adds before the bare first paint
    if name == "typer":
        import typer
    elif name == "config":
        import less_tui.config
        less_tui.config.load()
    elif name == "orm":
        import less_tui.storage.repo

import datetime as dt
import sqlite3
import tomllib
from importlib import resources
from types import SimpleNamespace

from textual.app import App

from less_tui import clock
from less_tui.core import episodes as ep_core, queue as queue_core
from less_tui.core.episodes import Cert, StatusRecord
from less_tui.widgets.footer import LessFooter
from less_tui.widgets.row_table import RowTable

AT = clock.today()
LIVE = "select patient_id from certificates where unit_id = ? and start <= ? and end >= ?"


def queue_rows():
    raw = tomllib.loads(resources.files("less_tui").joinpath("default_config.toml").read_text("utf-8"))
    q = dict(raw["queue"])
    w = q.pop("weights")
    weights = SimpleNamespace(**w, of=lambda r: float(w.get(r, 0.0)))
    con = sqlite3.connect(sys.argv[1])
    unit = con.execute("select id from units where code = ?", (raw["clinic"]["unit"],)).fetchone()[0]
    at, iso = AT.isoformat(), dt.date.fromisoformat
    certs = [Cert(i, p, iso(a), iso(b), d, k, n, dx, iso(sg) if sg else None, cn, src)
             for i, p, a, b, d, k, n, dx, sg, cn, src in con.execute(
                 "select c.id, c.patient_id, c.start, c.end, c.degree, d.key, d.name, c.diagnosis_code, c.signed,"
                 f" c.case_no, c.source from certificates c join doctors d on d.id = c.doctor_id"
                 f" where c.unit_id = ? and c.patient_id in ({LIVE}) order by c.id", (unit, unit, at, at))]
    recs = [StatusRecord(i, c, iso(a), k, v) for i, c, a, k, v in con.execute(
        "select r.id, r.certificate_id, r.as_of, r.kind, r.value from status_records r"
        f" join certificates c on c.id = r.certificate_id where r.unit_id = ? and r.as_of <= ?"
        f" and c.patient_id in ({LIVE})", (unit, at, unit, at, at))]
    eps = ep_core.build_episodes(certs, AT, raw["episodes"]["max_gap_days"], recs)
    items = queue_core.rank(eps, SimpleNamespace(**q, weights=weights), {})[: q["max_cases"]]
    pnr = dict(con.execute("select id, pnr from patients"))
    return [(str(it.episode.case_no), pnr[it.episode.patient_id][:4], it.episode.diagnosis, str(it.episode.length),
             " ".join(it.reasons)) for it in items]


class Bare(App):
    CSS_PATH = str(resources.files("less_tui").joinpath("app.tcss"))

    def compose(self):
        yield RowTable()
        yield LessFooter()

    def on_mount(self):
        table = self.query_one(RowTable)
        table.add_columns("case", "born", "dx", "days", "reasons")
        table.add_rows(queue_rows())
        table.add_row("", "", "", "", "READY-QUEUE")


Bare().run()
'''

STEPS = (("bare first paint (sqlite3, core, the app's table, footer and stylesheet)", ()),
         ("+ typer (the command line)", ("typer",)),
         ("+ the validated config (pydantic)", ("typer", "config")),
         ("+ the ORM (SQLAlchemy, SQLModel, the schema)", ("typer", "config", "orm")))


def measure(n: int = 5) -> tuple[float, list[tuple[str, float]]]:
    """Medians of ``n`` starts: the minimal Textual app, and each step, in seconds."""
    if not bench_startup.TMUX:
        raise SystemExit("needs tmux")
    tmp = Path(tempfile.mkdtemp())
    db = tmp / "demo.db"
    subprocess.run(f"env -u LESS_TUI_DB LESS_TUI_TODAY=2026-11-23 HOME={tmp} {sys.executable} -m less_tui demo "
                   f"--no-open --db {db}", shell=True, check=True, capture_output=True)
    (tmp / "minimal.py").write_text(bench_startup.MINIMAL)
    (tmp / "bare.py").write_text(BARE)
    env = f"LESS_TUI_TODAY=2026-11-23 HOME={tmp}"
    sock = str(tmp / "s")
    base: list[float] = []
    times: dict[str, list[float]] = {what: [] for what, _ in STEPS}
    for _ in range(n):
        base.append(bench_startup.timed(f"exec env -u COLUMNS -u LINES {sys.executable} {tmp / 'minimal.py'}",
                                        "READY-LINE", sock))
        for what, extra in STEPS:
            cmd = f"exec env -u COLUMNS -u LINES -u LESS_TUI_CONFIG {env} {sys.executable} {tmp / 'bare.py'} {db} {' '.join(extra)}"
            times[what].append(bench_startup.timed(cmd, "READY-QUEUE", sock))
    return statistics.median(base), [(what, statistics.median(times[what])) for what, _ in STEPS]


def main() -> None:
    base, steps = measure()
    print(f"minimal Textual app: {base * 1000:.0f} ms (median of 5)")
    for what, sec in steps:
        print(f"{what}: {sec * 1000:.0f} ms = {sec / base:.2f}x (goal of the real start <= 1.5x)")


if __name__ == "__main__":
    main()
