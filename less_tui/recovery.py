"""Plan text that could not be saved before the app had to go (the SSH line dropped or the server
stopped it while the database was down or the plan was in conflict) is kept in a file, and offered
back when the case is next opened.

One file per case and meeting in ``recovery/`` under the user data directory
(``~/.local/share/less-tui/recovery`` on Linux): the folder is owner-only (0700) and each file
too (0600), since a plan is patient data; the file name is a hash, so it names no one. A file is
written beside its final name (``O_EXCL|O_NOFOLLOW``), synced and renamed over it, so a kill in the
middle leaves the earlier file or the new one, never half of one. No Textual here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

FOLDER = "recovery"


@dataclass
class Recovered:
    path: Path
    db: str
    unit: str
    meeting: str  # the meeting's date, ISO
    case_no: int
    base: str  # the stored plan the unsaved text was typed over
    version: int  # its version
    text: str  # the unsaved text
    kept_at: str  # when it was kept, ISO (local time)

    @property
    def when(self) -> str:
        return self.kept_at[:16].replace("T", " ")


def folder() -> Path:
    from .config import user_data_dir

    return user_data_dir() / FOLDER


def _path(db: str, unit: str, meeting: dt.date, case_no: int) -> Path:
    key = json.dumps([db, unit, meeting.isoformat(), case_no]).encode("utf-8")
    return folder() / f"plan-{hashlib.sha256(key).hexdigest()[:24]}.json"


def keep(db: str, unit: str, meeting: dt.date, case_no: int, base: str, version: int, text: str) -> Path:
    """Write the unsaved ``text`` of a case (over the stored ``base`` of ``version``); returns the file."""
    from . import clock

    d = folder()
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(d, 0o700)
    path = _path(db, unit, meeting, case_no)
    data = {"db": db, "unit": unit, "meeting": meeting.isoformat(), "case_no": case_no, "base": base,
            "version": version, "text": text, "kept_at": clock.now().isoformat()}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
    return path


def _read(path: Path) -> Recovered | None:
    try:
        with open(path, encoding="utf-8") as f:
            x = json.load(f)
        return Recovered(path, str(x["db"]), str(x["unit"]), str(x["meeting"]), int(x["case_no"]),
                         str(x["base"]), int(x["version"]), str(x["text"]), str(x.get("kept_at", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # unreadable: left as it is for a person to look at


def find(db: str, unit: str, meeting: dt.date, case_no: int) -> Recovered | None:
    """The kept text of this case at this meeting, if any."""
    path = _path(db, unit, meeting, case_no)
    if not path.is_file():
        return None
    r = _read(path)
    if r is None or (r.db, r.unit, r.meeting, r.case_no) != (db, unit, meeting.isoformat(), case_no):
        return None
    return r


def pending(db: str, unit: str, meeting: dt.date) -> list[int]:
    """The case numbers with kept text at this meeting."""
    d = folder()
    if not d.is_dir():
        return []
    found = []
    for path in sorted(d.glob("plan-*.json")):
        r = _read(path)
        if r is not None and (r.db, r.unit, r.meeting) == (db, unit, meeting.isoformat()):
            found.append(r.case_no)
    return sorted(found)


def drop(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
