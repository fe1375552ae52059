"""The core, the storage, the services, the exports and the server commands never load Textual or Rich."""

import subprocess
import sys
from pathlib import Path

import pytest

CORE = ["less_tui.core.episodes", "less_tui.core.indicators", "less_tui.core.queue", "less_tui.core.importer",
        "less_tui.core.pnr", "less_tui.core.demo", "less_tui.core.text", "less_tui.config", "less_tui.i18n",
        "less_tui.storage.db", "less_tui.storage.repo", "less_tui.storage.importing", "less_tui.services.demo",
        "less_tui.services.meeting", "less_tui.services.views", "less_tui.services.admin", "less_tui.services.audit",
        "less_tui.services.errors", "less_tui.crashlog", "less_tui.cli"]


def _first_that_pulls_in_textual(modules: list[str]) -> list[str]:
    """Imports ``modules`` one after the other in a fresh interpreter; returns the first one after whose
    import Textual, Rich or textual-plotext is loaded, with what was loaded (empty: none of them does)."""
    code = ("import sys, importlib\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "    bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'textual_plotext'))\n"
            "    if bad:\n"
            "        print(name); print(','.join(bad)); break\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return out.split()


def test_no_core_module_imports_textual_or_rich():
    """One interpreter for the list (a fresh one per module cost seconds of the suite): a module that loads
    Textual is named, since none imported before it had."""
    assert _first_that_pulls_in_textual(CORE) == []


def test_the_check_names_a_module_that_imports_textual():
    # the check above can fail: a module of the TUI is named, with what it loaded
    found = _first_that_pulls_in_textual(["less_tui.core.pnr", "less_tui.app", "less_tui.core.queue"])
    assert found[0] == "less_tui.app" and "textual" in found[1].split(",")


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


# ---------------------------------------------------------------- the TUI calls services, never storage

import ast  # noqa: E402
from pathlib import Path  # noqa: E402

PKG = Path(__file__).resolve().parent.parent / "less_tui"
TUI_FILES = sorted([PKG / "app.py", *(PKG / "screens").glob("*.py"), *(PKG / "widgets").glob("*.py")])
FORBIDDEN = ("less_tui.storage", "sqlalchemy", "sqlmodel")


def forbidden_imports(source: str, module: str) -> list[str]:
    """The imports of ``source`` (the module ``module``, e.g. ``less_tui.screens.queue``) that reach
    storage, SQLAlchemy or SQLModel, wherever they are (inside a function too); only imports under
    ``if TYPE_CHECKING:`` (types for annotations, never run) are allowed."""
    package = module.rsplit(".", 1)[0] if not module.endswith("__init__") else module
    bad: list[str] = []

    def visit(node, typing_only=False):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, typing_only)
            return
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target] + [f"{target}.{a.name}" for a in node.names]
        for n in names:
            if not typing_only and any(n == f or n.startswith(f + ".") for f in FORBIDDEN):
                bad.append(f"{module}:{node.lineno}: {n}")
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(ast.parse(source))
    return sorted(set(bad))


def test_the_check_sees_every_way_of_importing_storage():
    mod = "less_tui.screens.queue"
    assert forbidden_imports("from ..storage.db import is_db_error\n", mod)
    assert forbidden_imports("def f():\n    from ..storage import repo\n", mod)
    assert forbidden_imports("from .. import storage\n", mod)
    assert forbidden_imports("import less_tui.storage.watch\n", mod)
    assert forbidden_imports("from sqlalchemy.engine import Engine\n", "less_tui.app")
    assert forbidden_imports("import sqlmodel\n", "less_tui.app")
    assert not forbidden_imports("from ..services.errors import is_db_error\n", mod)
    assert not forbidden_imports("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                 "    from sqlalchemy.engine import Engine\n", "less_tui.app")


@pytest.mark.parametrize("path", TUI_FILES, ids=lambda p: str(p.relative_to(PKG)))
def test_the_tui_never_imports_storage_or_sqlalchemy(path):
    """Screens, widgets and the app get plain data and service errors from ``services``."""
    module = "less_tui." + ".".join(path.relative_to(PKG).with_suffix("").parts)
    assert forbidden_imports(path.read_text(encoding="utf-8"), module) == []


CLI_EXPORT_FILES = sorted([PKG / "cli.py", *(PKG / "exports").glob("*.py")])


@pytest.mark.parametrize("path", CLI_EXPORT_FILES, ids=lambda p: str(p.relative_to(PKG)))
def test_the_command_line_and_the_exports_never_import_storage_or_sqlalchemy(path):
    """Issue 13: the command line and the exports call ``services`` (``services/database.py`` for the
    database itself: opening it, the import, backup, restore, migrate) and get plain data back."""
    module = "less_tui." + ".".join(path.relative_to(PKG).with_suffix("").parts)
    assert forbidden_imports(path.read_text(encoding="utf-8"), module) == []
