"""Noticing changes made by other sessions: SQLite ``PRAGMA data_version``, PostgreSQL
``LISTEN/NOTIFY`` (a trigger on the audit log notifies; every change writes an audit row)."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Callable

from sqlalchemy.engine import Engine

from .db import sqlite_path

CHANNEL = "less_tui_changes"


class ChangeWatcher:
    def __init__(self, engine: Engine, on_change: Callable[[], None], interval: float = 0.5):
        self.engine = engine
        self.on_change = on_change
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.kind = engine.dialect.name

    def start(self) -> None:
        target = {"sqlite": self._sqlite, "postgresql": self._postgres}.get(self.kind)
        if target is None or (self.kind == "sqlite" and sqlite_path(str(self.engine.url)) is None):
            return
        self._thread = threading.Thread(target=self._guard, args=(target,), name="less-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _guard(self, target) -> None:
        while not self._stop.is_set():
            try:
                target()
            except Exception:  # the database went away for a moment: try again
                self._stop.wait(2.0)

    def _sqlite(self) -> None:
        path = sqlite_path(str(self.engine.url))
        con = sqlite3.connect(str(path), timeout=5, check_same_thread=False)
        try:
            last = con.execute("PRAGMA data_version").fetchone()[0]
            while not self._stop.wait(self.interval):
                now = con.execute("PRAGMA data_version").fetchone()[0]
                if now != last:
                    last = now
                    self.on_change()
        finally:
            con.close()

    def _postgres(self) -> None:
        import psycopg

        dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(dsn, autocommit=True) as con:
            con.execute(f"LISTEN {CHANNEL}")
            while not self._stop.is_set():
                got = False
                for _ in con.notifies(timeout=self.interval, stop_after=100):
                    got = True
                if got and not self._stop.is_set():
                    self.on_change()
                    time.sleep(0.05)
