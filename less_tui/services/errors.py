"""What a service call can refuse, as the app and the command line need to tell the cases apart.

The services translate the storage layer's exceptions into these, so screens, widgets and the command
line never import ``storage``. Database trouble (busy, locked, full, gone) is not translated: it is
recognised with ``is_db_error`` and said with ``db_reason``, re-exported here for the same reason."""

from __future__ import annotations

import datetime as dt

from ..storage.db import DatabaseError, db_reason, is_db_error
from ..storage.repo import NotFound as NoUnit  # noqa: F401  (the care unit has no row yet)

__all__ = ["ServiceError", "Conflict", "ReadOnly", "NotThisMeeting", "NotClosed", "NotFound", "ReasonRequired",
           "MeetingExists", "AlreadyClosed", "DatabaseError", "is_db_error", "db_reason"]


class ServiceError(Exception):
    """A request the service refuses (not a fault of the program, not trouble with the database)."""


class Conflict(ServiceError):
    """Someone else saved the same plan since it was read: their text, its version, and who saved it
    when (the operating-system user and the time of that save, from the audit log)."""

    def __init__(self, theirs: str, version: int, user: str = "", when: dt.datetime | None = None):
        self.theirs = theirs
        self.version = version
        self.user = user
        self.when = when
        super().__init__("the plan was changed by someone else")


class ReadOnly(ServiceError):
    """The meeting is closed (perhaps by another session): nothing more is written to it."""


class NotThisMeeting(ServiceError):
    """Only an action made at the open meeting can be edited or removed."""


class NotClosed(ServiceError):
    """Only a closed meeting can be reopened (or there is no meeting on that date)."""


class ReasonRequired(ServiceError):
    """Reopening a meeting needs a reason (it is audited and printed in the minutes)."""


class NotFound(ServiceError):
    """What was asked for is not in the database (a care unit, a meeting)."""


class MeetingExists(ServiceError):
    """A meeting on that date exists already."""


class AlreadyClosed(ServiceError):
    """The meeting is closed already."""


class UnknownUnit(ServiceError):
    """The configured care unit (``clinic.unit``) is not in a database that holds others: a typo in the
    config, or another clinic's database; ``units`` are the ones it holds."""

    def __init__(self, unit: str, units: list[str]):
        super().__init__(unit)
        self.unit = unit
        self.units = units


class NotHeldYet(ServiceError):
    """The meeting's date is after today: it is closed (its indicators frozen) once it has been held."""

    def __init__(self, date: dt.date, today: dt.date):
        super().__init__(date.isoformat())
        self.date = date
        self.today = today


class TooFarAhead(ServiceError):
    """A new meeting more than a year ahead (a typo): ``latest`` is the last date one can be made for."""

    def __init__(self, date: dt.date, latest: dt.date):
        super().__init__(date.isoformat())
        self.date = date
        self.latest = latest
