"""The ``less-tui`` command: the command line is imported with the collector off (``collector``)."""

from __future__ import annotations

from . import collector


def main() -> None:
    with collector.importing():
        from .cli import main as cli_main
    cli_main()
