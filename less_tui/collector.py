"""Python's cycle collector, set for this program.

Importing the program's modules (SQLAlchemy, Textual, pydantic, the models) makes about a million
objects that live as long as the process. With the collector on, it scans them again and again while
they are being made: ~13 % of the imports' CPU time (to the queue: 903 -> 824 ms, `bench_startup.py`). So the collector is
off while the modules are imported (``importing``); then what was made is frozen out of every later
collection and the collector is on again with a larger young generation (``quiet``): a key press makes
many short-lived objects (styles, segments, messages), collected every 50,000 allocations instead of
every 700. Cycles are still freed."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def quiet() -> None:
    """What exists now lives on (frozen out of later collections); the collector on, tuned."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    gc.enable()


@contextmanager
def importing() -> Iterator[None]:
    """The collector off for the imports in the block, then ``quiet``."""
    gc.disable()
    try:
        yield
    finally:
        quiet()
