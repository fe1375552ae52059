import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
if not SAMPLES.is_dir():  # CI clones main with shared/ beside it; keep a copy in the repo too
    SAMPLES = ROOT / "tests" / "data" / "samples"


def run(*args, env=None, check=False, timeout=180):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([sys.executable, "-m", "less_tui", *args], capture_output=True, text=True, env=e,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}\nstdout:{p.stdout}\nstderr:{p.stderr}")
    return p
