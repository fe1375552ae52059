"""The code passes ruff's checks (pyproject.toml: undefined names, unused imports, syntax errors).
A NameError in a worker that only runs on a conflict once slipped through the whole suite's merge."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is part of the dev extra: pip install -e '.[dev]'"
    p = subprocess.run([ruff, "check", "--output-format", "concise", "less_tui", "tests", "benchmarks"],
                       cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
