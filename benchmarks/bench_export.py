"""`less-tui export` of a meeting to Markdown and to Word, as a whole process, against
`python -c "import sqlmodel"` measured in the same run. Target <= 1.5x."""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args, env) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env)
    return time.perf_counter() - t0


def measure(n: int = 5) -> tuple[float, float, float]:
    """Medians of ``n`` runs, in seconds: (`python -c "import sqlmodel"`, export md, export docx)."""
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, LESS_TUI_TODAY="2026-11-23", LESS_TUI_DB=str(tmp / "demo.db"), HOME=str(tmp))
    # the demo builds its own database (never $LESS_TUI_DB's): name it with --db, then open it through the env
    build_env = {k: v for k, v in env.items() if k != "LESS_TUI_DB"}
    subprocess.run([sys.executable, "-m", "less_tui", "demo", "--no-open", "--db", str(tmp / "demo.db")], check=True,
                   capture_output=True, env=build_env)
    exe = str(Path(sys.executable).parent / "less-tui")
    # interleaved, one of each per round: a machine whose speed drifts within the run (a shared VM) moves
    # the floor and the exports alike, where blocks of five of each would compare different moments
    base, md, docx = [], [], []
    for _ in range(n):
        base.append(timed([sys.executable, "-c", "import sqlmodel"], env))
        md.append(timed([exe, "export", "--format", "md", "-o", str(tmp / "m.md")], env))
        docx.append(timed([exe, "export", "--format", "docx", "-o", str(tmp / "m.docx")], env))
    return statistics.median(base), statistics.median(md), statistics.median(docx)


def main() -> None:
    base, md, docx = measure()
    print(f'python -c "import sqlmodel": {base * 1000:.0f} ms')
    print(f"export md:   {md * 1000:.0f} ms = {md / base:.2f}x (target <= 1.5x)")
    print(f"export docx: {docx * 1000:.0f} ms = {docx / base:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
