"""The core, the storage, the services, the exports and the server commands never load Textual or Rich."""

import subprocess
import sys
from pathlib import Path

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


PACKAGES = ["less_tui.core", "less_tui.storage", "less_tui.services", "less_tui.exports"]
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_of_the_package_imports_textual_or_rich(package):
    """Every module of the layer (those added later too), one after the other in a fresh interpreter."""
    if not (ROOT.joinpath(*package.split(".")) / "__init__.py").is_file():
        pytest.skip(f"{package} does not exist yet (issue 13 creates it)")
    code = (f"import sys, importlib, pkgutil; pkg = importlib.import_module({package!r})\n"
            "mods = [pkg.__name__] + sorted(m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.')\n"
            "                               if '.migrations' not in m.name)  # run by Alembic only\n"
            "for name in mods:\n"
            "    importlib.import_module(name)\n"
            "    if any(m.split('.')[0] in ('textual', 'rich', 'textual_plotext') for m in sys.modules):\n"
            "        print(name); break\n"
            "print('checked', len(mods))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0].startswith("checked "), f"{out[0]} pulled in Textual or Rich"
    assert int(out[0].split()[1]) > 1


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
