"""The core, the storage and the server commands never load Textual or Rich."""

import subprocess
import sys

import pytest

CORE = ["less_tui.core.episodes", "less_tui.core.indicators", "less_tui.core.queue", "less_tui.core.importer",
        "less_tui.core.pnr", "less_tui.core.demo", "less_tui.core.text", "less_tui.config", "less_tui.i18n",
        "less_tui.storage.db", "less_tui.storage.repo", "less_tui.storage.importing", "less_tui.demo",
        "less_tui.cli"]


@pytest.mark.parametrize("module", CORE)
def test_module_does_not_import_textual_or_rich(module):
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'textual_plotext')); "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"{module} pulled in {out}"


def test_export_and_import_commands_run_without_textual(tmp_path):
    code = ("import sys, runpy; sys.argv=['less-tui','import','--db',sys.argv[1],'--dry-run',sys.argv[2]];\n"
            "from less_tui.cli import main\n"
            "try:\n    main()\nexcept SystemExit: pass\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
            "sys.stderr.write('LOADED:' + ','.join(bad))")
    from helpers import SAMPLES

    p = subprocess.run([sys.executable, "-c", code, str(tmp_path / "x.db"), str(SAMPLES / "intyg-exempel.csv")],
                       capture_output=True, text=True)
    assert "LOADED:" in p.stderr and p.stderr.rsplit("LOADED:", 1)[1].strip() == ""
