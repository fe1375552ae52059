"""Reading certificate files (CSV, XLSX) and legacy Rehabstöd exports into validated rows.

Pure parsing and validation: no database here. Every problem names the file, the line
(the header being line 1), the column and what was expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from ..i18n import t
from . import pnr as pnrmod
from .episodes import COORDINATOR_STATUSES
from .plaintext import CONTROL, CONTROL_BUT_LINES, describe, digit_problem

OCCUPATIONS = ("Nuvarande arbete", "Arbetssökande", "Föräldraledighet", "Studier")

# canonical column -> accepted normalised header names
COLUMNS: dict[str, tuple[str, ...]] = {
    "personnummer": ("personnummer", "personal_id"),
    "namn": ("namn", "name"),
    "diagnos": ("diagnos", "diagnosis"),
    "startdatum": ("startdatum", "start"),
    "slutdatum": ("slutdatum", "end"),
    "grad": ("grad", "degree"),
    "lakare": ("lakare", "doctor"),
    "lakare_id": ("lakare_id", "doctor_id"),
    "signeringsdatum": ("signeringsdatum", "signed"),
    "sysselsattning": ("sysselsattning", "occupation"),
    "rekostatus": ("rekostatus", "coordinator_status"),
    "rehabplan": ("rehabplan", "rehab_plan"),
    "vardenhet": ("vardenhet", "unit"),
}
REQUIRED = ("personnummer", "diagnos", "startdatum", "slutdatum", "grad", "lakare")
# a column as a header names it: in Swedish (as the clinic's files write it) and in English
SHOWN: dict[str, tuple[str, str]] = {
    "personnummer": ("Personnummer", "personal_id"), "namn": ("Namn", "name"), "diagnos": ("Diagnos", "diagnosis"),
    "startdatum": ("Startdatum", "start"), "slutdatum": ("Slutdatum", "end"), "grad": ("Grad", "degree"),
    "lakare": ("Läkare", "doctor"), "lakare_id": ("Läkare_id", "doctor_id"),
    "signeringsdatum": ("Signeringsdatum", "signed"), "sysselsattning": ("Sysselsättning", "occupation"),
    "rekostatus": ("Rekostatus", "coordinator_status"), "rehabplan": ("Rehabplan", "rehab_plan"),
    "vardenhet": ("Vårdenhet", "unit"),
}
_ALIAS = {alias: canon for canon, aliases in COLUMNS.items() for alias in aliases}

REHABSTOD_HEADER = {"personnummer", "diagnos/diagnoser", "startdatum", "slutdatum", "grad", "lakare"}

# ASCII digits only (\d would take a full-width or Arabic-Indic digit)
_ICD = re.compile(r"^\s*([A-Za-z])([0-9]{2})(?:\.?([0-9A-Za-z]{1,3}))?(?=$|[\s,;])")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_STATUS = {s.lower(): s for s in COORDINATOR_STATUSES}


class ImportError_(Exception):
    """A file that cannot be read at all (not a row problem)."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int | None
    message: str

    def __str__(self) -> str:
        col = self.column if self.column is not None else 0
        return f"{self.file}:{self.line}:{col}: {self.message}"


@dataclass
class Row:
    line: int
    pnr: str
    name: str
    diagnosis_code: str
    diagnosis_text: str
    start: dt.date
    end: dt.date
    degree: int
    doctor: str
    doctor_id: str | None
    signed: dt.date | None = None
    occupation: str | None = None
    coordinator_status: str | None = None  # None: nothing recorded
    rehab_plan: str | None = None  # "ja" / "nej" / None
    unit: str | None = None
    source: str = "intyg"

    @property
    def doctor_key(self) -> str:
        return f"hsa:{self.doctor_id}" if self.doctor_id else f"name:{self.doctor}"

    def identity(self) -> tuple:
        return (self.unit, self.pnr, self.diagnosis_code, self.start, self.end, self.degree, self.doctor_key)


@dataclass
class Parsed:
    file: str
    kind: str  # "intyg" | "rehabstod"
    sha256: str
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0


def norm_header(h: Any) -> str:
    s = "" if h is None else str(h)
    s = s.strip().lower().replace("\ufeff", "")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[\s\-]+", "_", s)
    return s


# ---------------------------------------------------------------- cell parsers

class CellError(ValueError):
    pass


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def parse_date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = _text(v)
    if not s:
        raise CellError(t("imp.empty_cell", expected=t("imp.expect.startdatum")))
    odd = digit_problem(s)
    if odd:
        raise CellError(t("imp.in_date", problem=odd))
    if re.fullmatch(r"\d{5}(\.\d+)?", s) or isinstance(v, (int, float)):
        raise CellError(t("imp.date_serial", value=repr(s)))
    m = _DATE.match(s)
    if not m:
        raise CellError(t("imp.bad_date", value=repr(s)))
    try:
        d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise CellError(t("imp.not_calendar", value=repr(s))) from None
    if not 1900 <= d.year <= 2100:
        raise CellError(t("imp.year_range", value=repr(s)))
    return d


def parse_degree(v: Any) -> int:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if v in (0.25, 0.5, 0.75, 1.0) and not (isinstance(v, int) and v == 1):
            return int(round(v * 100))
        if float(v) in (25.0, 50.0, 75.0, 100.0):
            return int(v)
        raise CellError(t("imp.bad_degree", value=repr(v)))
    s = _text(v).replace(" ", "")
    odd = digit_problem(s)
    if odd:
        raise CellError(t("imp.in_degree", problem=odd))
    if s.endswith("%"):
        s = s[:-1]
    if s in ("25", "50", "75", "100"):
        return int(s)
    raise CellError(t("imp.bad_degree_text", value=repr(_text(v))))


def parse_diagnosis(v: Any) -> tuple[str, str]:
    s = _text(v)
    if not s:
        raise CellError(t("imp.empty_icd"))
    odd = digit_problem(re.split(r"[\s,;]", s, maxsplit=1)[0])
    if odd:
        raise CellError(t("imp.in_icd", problem=odd))
    m = _ICD.match(s)
    if not m:
        raise CellError(t("imp.bad_icd", value=repr(s)))
    letter, two, rest = m.group(1).upper(), m.group(2), (m.group(3) or "").upper()
    code = f"{letter}{two}" + (f".{rest}" if rest else "")
    text = s[m.end():].strip().lstrip(",;").strip()
    return code, text


def parse_status(v: Any) -> str | None:
    s = _text(v)
    if not s:
        return None
    canon = _STATUS.get(s.lower())
    if canon is None:
        raise CellError(t("imp.one_of", value=repr(s), choices=", ".join(COORDINATOR_STATUSES)))
    return canon


def parse_plan(v: Any) -> str | None:
    s = _text(v).lower()
    if not s:
        return None
    if s in ("ja", "yes", "j", "y", "1", "true"):
        return "ja"
    if s in ("nej", "no", "n", "0", "false"):
        return "nej"
    raise CellError(t("imp.bad_plan", value=repr(_text(v))))


def parse_occupation(v: Any) -> str | None:
    s = _text(v)
    if not s:
        return None
    for o in OCCUPATIONS:
        if o.lower() == s.lower():
            return o
    raise CellError(t("imp.one_of", value=repr(s), choices=", ".join(OCCUPATIONS)))


# ---------------------------------------------------------------- readers

_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_binary(data: bytes) -> bool:
    """Many control bytes at the start: not text. (A few are text with control characters in it,
    which are named cell by cell.)"""
    head = data[:4096]
    return len(_BINARY_BYTES.findall(head)) > max(8, len(head) // 20)


def _decode(data: bytes, file: str) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ImportError_(f"{file}:1:0: " + t("imp.utf16"))
    if _looks_binary(data):
        raise ImportError_(f"{file}:1:0: " + t("imp.binary"))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    _refuse_mixed_encodings(data, file)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportError_(f"{file}:1:0: " + t("imp.not_text")) from None


def _refuse_mixed_encodings(data: bytes, file: str) -> None:
    """A file that is not UTF-8 is read as Windows-1252, unless some of its lines are UTF-8: then it
    was put together from two files (an "Å" would become "Ã…", a second doctor). Name the first line
    that does not fit the encoding of the first line with letters outside ASCII."""
    first: tuple[int, str] | None = None  # (line, encoding) of the first line beyond ASCII
    lines = data.split(b"\n")
    delim = max((";", "\t", ","), key=lines[0].decode("latin-1").count)
    for n, line in enumerate(lines, 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            enc, col_at = "UTF-8", next(i for i, b in enumerate(line) if b > 0x7F)
        except UnicodeDecodeError as e:
            enc, col_at = "Windows-1252", e.start
        if first is None:
            first = (n, enc)
        elif enc != first[1]:
            prefix = line[:col_at].decode("latin-1")
            column = len(next(csv.reader([prefix], delimiter=delim), [""])) or 1
            raise ImportError_(f"{file}:{n}:{column}: " + t("imp.mixed", enc=enc, first_line=first[0],
                                                             first_enc=first[1]))


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (";", "\t", ",")}
    delim = max(counts, key=lambda d: counts[d])
    if counts[delim] == 0:
        delim = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    prev = 0
    for rec in reader:
        start_line = prev + 1
        prev = reader.line_num
        yield start_line, rec


def _xlsx_sheets(data: bytes, file: str):
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as e:
        raise ImportError_(f"{file}:1:0: " + t("imp.bad_xlsx", kind=type(e).__name__)) from None
    return wb


def _xlsx_rows(ws) -> Iterator[tuple[int, list[Any]]]:
    for i, row in enumerate(ws.iter_rows(values_only=True), 1):
        yield i, list(row)


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_file(path: str | Path, as_of: dt.date, default_unit: str) -> Parsed:
    """Read and validate one file. Raises ImportError_ when the file cannot be read at all."""
    p = Path(path)
    file = str(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ImportError_(f"{file}:0:0: " + t("imp.no_file")) from None
    except IsADirectoryError:
        raise ImportError_(f"{file}:0:0: " + t("imp.directory")) from None
    except PermissionError:
        raise ImportError_(f"{file}:0:0: " + t("imp.no_permission")) from None
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ImportError_(f"{file}:1:0: " + t("imp.empty_file"))
    if is_xlsx(data):
        wb = _xlsx_sheets(data, file)
        try:
            ws = wb["Sjukfall"] if "Sjukfall" in wb.sheetnames else wb.worksheets[0]
            rows = list(_xlsx_rows(ws))
        except Exception as e:
            raise ImportError_(f"{file}:1:0: " + t("imp.bad_sheet", kind=type(e).__name__)) from None
        finally:
            wb.close()
        for i, row in rows[:80]:
            names = {norm_header(c) for c in row if c is not None}
            if REHABSTOD_HEADER <= names:
                return _parse_rehabstod(file, sha, rows, i, as_of, default_unit)
        return _parse_rows(file, sha, rows, as_of, default_unit, xlsx=True)
    if data[:5] == b"%PDF-" or data[:4] in (b"\xd0\xcf\x11\xe0",):
        raise ImportError_(f"{file}:1:0: " + t("imp.not_csv"))
    text = _decode(data, file)
    # cells are searched for control characters only when the text has one (or a quoted line break)
    scan = bool(CONTROL_BUT_LINES.search(text) or ('"' in text and _QUOTED_BREAK.search(text)))
    return _parse_rows(file, sha, list(_csv_rows(text)), as_of, default_unit, xlsx=False, scan=scan)


_QUOTED_BREAK = re.compile(r'"[^"]*[\r\n]')


def _control_problems(file: str, rows: list[tuple[int, list[Any]]], header: list[Any] | None
                      ) -> tuple[list[Problem], set[int]]:
    """One problem per cell holding a control character (ESC, NUL, a line break, C1 …; tab is
    allowed), on the line where it is; and the lines (record starts) that have one."""
    problems: list[Problem] = []
    bad: set[int] = set()
    for line, rec in rows:
        breaks = 0  # line breaks in the record's earlier cells (a quoted CSV cell may hold one)
        for idx, c in enumerate(rec):
            if not isinstance(c, str):
                continue
            m = CONTROL.search(c)
            if m is not None:
                pos = m.start()
                if header is None:
                    label = t("imp.header_row")
                else:
                    label = str(header[idx]).strip() if idx < len(header) and header[idx] is not None else ""
                    label = label or t("imp.column_n", n=idx + 1)
                problems.append(Problem(
                    file, line + breaks + c.count("\n", 0, pos), idx + 1,
                    t("imp.control", label=label, char=describe(c[pos]), pos=pos + 1)))
                bad.add(line)
            breaks += c.count("\n")
    return problems, bad


def _header_map(file: str, header: list[Any], line: int, parsed: Parsed) -> dict[str, int] | None:
    colmap: dict[str, int] = {}
    unknown: list[str] = []
    english = 0  # headers written with the English names (personal_id, start …)
    for idx, h in enumerate(header):
        n = norm_header(h)
        if not n:
            continue
        canon = _ALIAS.get(n)
        if canon is None:
            unknown.append(str(h).strip())
            continue
        english += n != canon
        if canon in colmap:
            parsed.problems.append(Problem(file, line, idx + 1,
                                           t("imp.twice", name=repr(str(h).strip()), other=colmap[canon] + 1)))
            continue
        colmap[canon] = idx
    missing = [c for c in REQUIRED if c not in colmap]
    if missing:
        # a missing column is named as this file would write it (Swedish or English headers)
        first = 1 if colmap and english * 2 > len(colmap) else 0
        names = ", ".join(t("imp.or", name=SHOWN[c][first], other=SHOWN[c][1 - first]) for c in missing)
        found = ", ".join(str(h).strip() for h in header if h not in (None, "")) or t("imp.nothing")
        parsed.problems.append(Problem(file, line, None,
                                       t("imp.missing" if len(missing) == 1 else "imp.missing_many",
                                         missing=names, found=found)))
    if unknown:
        parsed.warnings.append(f"{file}:{line}: " + t("imp.unknown", names=", ".join(unknown)))
    return None if parsed.problems else colmap


def _formula_check(v: Any) -> None:
    if isinstance(v, str) and v.startswith("="):
        raise CellError(t("imp.formula", value=repr(v)))


def _parse_rows(file: str, sha: str, rows: list[tuple[int, list[Any]]], as_of: dt.date,
                default_unit: str, xlsx: bool, scan: bool = True) -> Parsed:
    parsed = Parsed(file=file, kind="intyg", sha256=sha)
    # skip leading blank lines
    body = [(ln, r) for ln, r in rows]
    while body and all(_text(c) == "" for c in body[0][1]):
        body.pop(0)
    if not body:
        raise ImportError_(f"{file}:1:0: " + t("imp.empty_file"))
    hline, header = body[0]
    if scan:
        parsed.problems.extend(_control_problems(file, [body[0]], None)[0])
        if parsed.problems:
            return parsed
    colmap = _header_map(file, header, hline, parsed)
    if colmap is None:
        return parsed
    headers = {k: str(header[i]).strip() for k, i in colmap.items()}
    data = [(line, rec) for line, rec in body[1:] if not _blank(rec)]
    parsed.rows_read = len(data)
    data, control = _without_control_rows(file, data, header, parsed) if scan else (data, False)
    parsed.rows = _parse_block(file, data, colmap, as_of, default_unit, parsed, headers, xlsx)
    if control:
        parsed.problems.sort(key=lambda p: (p.line, p.column or 0))
    if parsed.rows_read == 0 and not parsed.problems:
        parsed.problems.append(Problem(file, hline, None, t("imp.no_rows")))
    return parsed


def _without_control_rows(file: str, data: list[tuple[int, list[Any]]], header: list[Any], parsed: Parsed
                          ) -> tuple[list[tuple[int, list[Any]]], bool]:
    """Report the rows holding control characters and leave them out of the rest of the checks."""
    problems, bad = _control_problems(file, data, header)
    if not problems:
        return data, False
    parsed.problems.extend(problems)
    return [(line, rec) for line, rec in data if line not in bad], True


def _cell(rec: list[Any], colmap: dict[str, int], name: str) -> Any:
    i = colmap.get(name)
    if i is None or i >= len(rec):
        return None
    return rec[i]


def _pnr_parser(as_of: dt.date) -> Callable[[Any], str]:
    return lambda raw: pnrmod.normalize(_text(raw), as_of)


def _opt_date(v: Any) -> dt.date | None:
    return parse_date(v) if (_text(v) or isinstance(v, dt.date)) else None


# (column, parser, required); the personnummer parser is bound per import (as-of date)
_FIELDS: tuple[tuple[str, Callable[[Any], Any] | None, bool], ...] = (
    ("personnummer", None, True), ("namn", _text, False), ("diagnos", parse_diagnosis, True),
    ("startdatum", parse_date, True), ("slutdatum", parse_date, True), ("grad", parse_degree, True),
    ("lakare", _text, True), ("lakare_id", _text, False), ("signeringsdatum", _opt_date, False),
    ("sysselsattning", parse_occupation, False), ("rekostatus", parse_status, False),
    ("rehabplan", parse_plan, False), ("vardenhet", _text, False),
)


def _blank(rec: list[Any]) -> bool:
    return not any((c.strip() if isinstance(c, str) else c is not None) for c in rec)


class _Bad:
    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


def _parse_block(file: str, rows: list[tuple[int, list[Any]]], colmap: dict[str, int], as_of: dt.date,
                 default_unit: str, parsed: Parsed, headers: dict[str, str], xlsx: bool) -> list[Row]:
    """Validate rows column by column: each distinct cell value of a column is parsed once
    (imports repeat the same dates, doctors and codes many times), which keeps 100,000 rows fast.
    Problems are reported in line, then column order."""
    n = len(rows)
    cols: dict[str, list[Any]] = {}
    problems: list[Problem] = []
    bad_rows: set[int] = set()
    for name, fn, required in _FIELDS:
        if name not in colmap:
            continue
        idx = colmap[name]
        fn = fn or _pnr_parser(as_of)
        raw_col = [rec[idx] if idx < len(rec) else None for _, rec in rows]
        keys = ([c if c is None or type(c) is str else (type(c).__name__, c) for c in raw_col] if xlsx
                else raw_col)
        memo: dict[Any, Any] = {}
        for key, raw in zip(keys, raw_col):
            if key in memo:
                continue
            try:
                _formula_check(raw)
                if required and _text(raw) == "" and not isinstance(raw, (dt.date, dt.datetime)):
                    raise CellError(t("imp.empty_cell", expected=t(f"imp.expect.{name}")))
                memo[key] = fn(raw)
            except (CellError, pnrmod.PnrError) as e:
                memo[key] = _Bad(str(e))
        out = [memo[k] for k in keys]
        if any(isinstance(v, _Bad) for v in memo.values()):
            label = headers.get(name, name)
            for i, v in enumerate(out):
                if isinstance(v, _Bad):
                    problems.append(Problem(file, rows[i][0], idx + 1, f"{label}: {v.message}"))
                    bad_rows.add(i)
        cols[name] = out
    starts, ends = cols.get("startdatum"), cols.get("slutdatum")
    if starts is not None and ends is not None:
        for i, (st, en) in enumerate(zip(starts, ends)):
            if isinstance(st, dt.date) and isinstance(en, dt.date) and en < st:
                problems.append(Problem(
                    file, rows[i][0], colmap["slutdatum"] + 1,
                    t("imp.end_before_start", end_label=headers.get("slutdatum", SHOWN["slutdatum"][0]),
                      end=en.isoformat(), start_label=headers.get("startdatum", SHOWN["startdatum"][0]),
                      start=st.isoformat())))
                bad_rows.add(i)
    problems.sort(key=lambda p: (p.line, p.column or 0))
    parsed.problems.extend(problems)
    none = [None] * n
    get = cols.get
    out_rows: list[Row] = []
    for i, (line, pnr, name, dx, st, en, deg, doc, doc_id, signed, occ, status, plan, unit) in enumerate(zip(
            (r[0] for r in rows), get("personnummer", none), get("namn", none), get("diagnos", none),
            get("startdatum", none), get("slutdatum", none), get("grad", none), get("lakare", none),
            get("lakare_id", none), get("signeringsdatum", none), get("sysselsattning", none),
            get("rekostatus", none), get("rehabplan", none), get("vardenhet", none))):
        if i in bad_rows:
            continue
        out_rows.append(Row(line, pnr, name or "", dx[0], dx[1], st, en, deg, doc, doc_id or None, signed, occ,
                            status, plan, unit or default_unit))
    return out_rows


def _parse_rehabstod(file, sha, rows, header_idx, as_of, default_unit) -> Parsed:
    """The legacy Rehabstöd export: one row per episode, every cell text."""
    parsed = Parsed(file=file, kind="rehabstod", sha256=sha)
    header = rows[header_idx - 1][1]
    colmap: dict[str, int] = {}
    for idx, h in enumerate(header):
        n = norm_header(h)
        if n == "diagnos/diagnoser":
            n = "diagnos"
        if n in ("personnummer", "namn", "diagnos", "startdatum", "slutdatum", "grad", "lakare"):
            colmap[n] = idx
    parsed.warnings.append(f"{file}: " + t("imp.rehabstod"))
    parsed.problems.extend(_control_problems(file, [rows[header_idx - 1]], None)[0])
    if parsed.problems:
        return parsed
    headers = {k: str(header[i]).strip() for k, i in colmap.items()}
    data = []
    for line, rec in rows[header_idx:]:
        if _blank(rec):
            continue
        grad = _text(_cell(rec, colmap, "grad"))
        rec2 = list(rec)
        if "grad" in colmap and grad:
            rec2[colmap["grad"]] = re.split(r"→|->", grad)[-1].strip()  # "50% → 100%": the current degree
        data.append((line, rec2))
    parsed.rows_read = len(data)
    # the cells as they were in the file (before "50% → 100%" became "100%")
    control, bad = _control_problems(file, [(ln, r) for ln, r in rows[header_idx:] if not _blank(r)], header)
    if control:
        parsed.problems.extend(control)
        data = [(line, rec) for line, rec in data if line not in bad]
    parsed.rows = _parse_block(file, data, colmap, as_of, default_unit, parsed, headers, xlsx=True)
    if control:
        parsed.problems.sort(key=lambda p: (p.line, p.column or 0))
    for r in parsed.rows:
        r.source = "rehabstod"
    return parsed
