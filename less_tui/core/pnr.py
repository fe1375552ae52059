"""Personnummer and samordningsnummer: parsing, validation and masking."""

from __future__ import annotations

import datetime as dt
import re

from personnummer import personnummer
from personnummer.personnummer import PersonnummerException

from ..i18n import t
from .plaintext import non_ascii_digit

# ASCII digits only: a full-width or Arabic-Indic "1" would otherwise make a second patient
_LONG = re.compile(r"^([0-9]{8})-?([0-9]{4})$")
_SHORT = re.compile(r"^([0-9]{6})([-+]?)([0-9]{4})$")
_EXCEL = re.compile(r"^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$")


OLDEST = 120  # years: no patient on sick leave is older; an older birth date is a wrong sign or digit


class PnrError(ValueError):
    """A personnummer that cannot be used; the message says what was expected."""


def normalize(raw: str, as_of: dt.date) -> str:
    """Return ``YYYYMMDD-NNNN`` or raise PnrError.

    Ten-digit forms take their century from the sign, relative to ``as_of``:
    ``-`` means younger than 100 years at ``as_of``, ``+`` means 100 or older.
    """
    s = str(raw).strip().replace(" ", "")
    if not s:
        raise PnrError(t("pnr.empty"))
    odd = non_ascii_digit(s)
    if odd is not None:
        raise PnrError(t("pnr.odd_digit", value=repr(s), char=repr(odd), code=f"U+{ord(odd):04X}"))
    if _EXCEL.match(s):
        raise PnrError(t("pnr.excel", value=f"'{s}'"))
    m = _LONG.match(s)
    if m:
        full = f"{m.group(1)}-{m.group(2)}"
    else:
        m = _SHORT.match(s)
        if not m:
            raise PnrError(t("pnr.not_pnr", value=f"'{s}'"))
        yymmdd, sign, last4 = m.groups()
        year = _century(yymmdd, as_of) - (100 if sign == "+" else 0)
        full = f"{year:04d}{yymmdd[2:]}-{last4}"
    try:
        p = personnummer.parse(full)
    except PersonnummerException:
        raise PnrError(_why_not(full, f"'{s}'")) from None
    birth = p.get_date()
    if birth > as_of:
        raise PnrError(t("pnr.born_later", value=f"'{s}'", as_of=as_of.isoformat()))
    years = age(full, as_of)
    if years > OLDEST:  # (261124+NNNN at 2026-11-23: "+" and a 99-year-old's date make 1826, 199 years)
        raise PnrError(t("pnr.too_old", value=f"'{s}'", born=birth_date(full).isoformat(), age=years,
                         as_of=as_of.isoformat()))
    return full


def _century(yymmdd: str, as_of: dt.date) -> int:
    """The year of the latest birth date ``yymmdd`` on or before ``as_of`` (younger than 100 then): the year
    alone is not enough, 261124 is 1926 at 2026-11-23 (99 years old the day before the birthday)."""
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    year = as_of.year - ((as_of.year - yy) % 100)
    try:
        if dt.date(year, mm, dd - 60 if dd > 60 else dd) > as_of:
            year -= 100
    except ValueError:
        pass  # (not a date: the personnummer check says so)
    return year


def _why_not(full: str, value: str) -> str:
    """Which part of ``YYYYMMDD-NNNC`` the personnummer library refused: the date (a samordningsnummer's day
    is the day plus 60), the serial number 000, or the check digit."""
    day = int(full[6:8])
    try:
        dt.date(int(full[:4]), int(full[4:6]), day - 60 if day > 60 else day)
    except ValueError:
        return t("pnr.bad_date", value=value, date=f"{full[:4]}-{full[4:6]}-{full[6:8]}")
    if full[9:12] == "000":
        return t("pnr.serial_000", value=value)
    return t("pnr.luhn", value=value)


def birth_date(pnr: str) -> dt.date:
    y, m, d = int(pnr[0:4]), int(pnr[4:6]), int(pnr[6:8])
    if d > 60:
        d -= 60
    return dt.date(y, m, d)


def age(pnr: str, at: dt.date) -> int:
    b = birth_date(pnr)
    return at.year - b.year - ((at.month, at.day) < (b.month, b.day))


def initials(name: str | None) -> str:
    """The first letter (or digit) of each of the first three words: never a bracket, an escape
    character or other markup from the name."""
    if not name:
        return "?"
    parts = [p for p in re.split(r"[\s\-]+", name.strip()) if p]
    firsts = (next((ch for ch in p if ch.isalnum()), "") for p in parts)
    return "".join(ch.upper() for ch in firsts if ch)[:3] or "?"


def masked(pnr: str, name: str | None) -> str:
    """Initials and birth year: ``AB 1976``."""
    return f"{initials(name)} {pnr[:4]}"


def luhn_digit(nine: str) -> int:
    total = 0
    for i, ch in enumerate(nine):
        v = int(ch) * (2 - i % 2)
        total += v - 9 if v > 9 else v
    return (10 - total % 10) % 10


def make(birth: dt.date, serial3: int) -> str:
    """A Luhn-valid personnummer for a birth date and three-digit serial (demo data)."""
    ymd = birth.strftime("%Y%m%d")
    nine = ymd[2:] + f"{serial3:03d}"
    return f"{ymd}-{serial3:03d}{luhn_digit(nine)}"
