"""Reading certificate files (CSV, XLSX) and legacy Rehabstöd exports into validated rows.

Pure parsing and validation: no database here. Every problem names the file, the line
(the header being line 1), the column and what was expected.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import itertools
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterator

from ..i18n import t
from . import pnr as pnrmod
from .episodes import COORDINATOR_STATUSES
from .plaintext import CONTROL, describe, digit_problem

if TYPE_CHECKING:  # openpyxl is imported only when an XLSX is read
    from openpyxl.workbook.workbook import Workbook

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


class ImportFailed(Exception):
    """A file that cannot be read at all (not a row problem)."""


@dataclass(frozen=True)
class Limits:
    """What one file may hold before it is refused unread (the config's ``[import]`` keys): a small
    XLSX can unpack to gigabytes (a zip bomb), and any file can be far bigger than a clinic's."""

    max_unpacked_mb: int = 256  # an XLSX's members together, unpacked
    max_rows: int = 2_000_000  # data rows (not blank ones)
    max_columns: int = 200  # cells in a row, up to its last non-empty one


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int | None
    message: str

    def __str__(self) -> str:
        col = self.column if self.column is not None else 0
        return f"{self.file}:{self.line}:{col}: {self.message}"


@dataclass(slots=True)
class Row:
    """One valid certificate row (slots: an import may hold a million of them)."""

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
    batch_id: int | None = None  # set by the store: the import batch (file) the row came from

    @property
    def doctor_key(self) -> str:
        return f"hsa:{self.doctor_id}" if self.doctor_id else f"name:{self.doctor}"

    def identity(self) -> tuple[object, ...]:
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
        # (a cell formatted as a percentage came as its text, "50%"; a bare 0.5 is no degree: 0,5 in a CSV
        # is refused too, and "0.5" might be a half of anything)
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
#
# A file is read as a stream: a CSV in two passes (the first checks the encoding, hashes the file and
# looks for control characters; the second reads the records), an XLSX row by row. Only the valid
# rows are kept, so memory follows the rows, not the file.

_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# a byte that may start a control character: C0 but tab and line breaks, DEL, and C1 written as UTF-8
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")
_CHUNK = 1 << 20
_XLSX_ROWS_MAX = 1_048_576  # Excel's own limit


def _looks_binary(data: bytes) -> bool:
    """Many control bytes at the start: not text. (A few are text with control characters in it,
    which are named cell by cell.)"""
    head = data[:4096]
    return len(_BINARY_BYTES.findall(head)) > max(8, len(head) // 20)


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


@dataclass
class _CsvScan:
    sha256: str
    encoding: str  # "utf-8-sig" or "cp1252"
    controls: bool  # some byte may be a control character: every record is searched


def _scan_csv(f: BinaryIO, file: str) -> _CsvScan:
    """The first pass over a CSV file: its hash, its encoding and whether any cell may hold a control
    character, without keeping the file in memory."""
    sha = hashlib.sha256()
    dec = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    nonblank = False
    controls = False
    prev = b""
    first = True
    f.seek(0)
    while True:
        chunk = f.read(_CHUNK)
        if not chunk:
            break
        sha.update(chunk)
        if first:
            first = False
            if chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                raise ImportFailed(f"{file}:1:0: " + t("imp.utf16"))
            if _looks_binary(chunk):
                raise ImportFailed(f"{file}:1:0: " + t("imp.binary"))
        if not nonblank and chunk.strip():
            nonblank = True
        if not controls and _CONTROL_BYTES.search(prev + chunk):
            controls = True
        prev = chunk[-1:]
        if utf8:
            try:
                dec.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if not nonblank:
        raise ImportFailed(f"{file}:1:0: " + t("imp.empty_file"))
    if not utf8:
        _refuse_mixed_encodings(f, file)
    return _CsvScan(sha.hexdigest(), "utf-8-sig" if utf8 else "cp1252", controls)


def _refuse_mixed_encodings(f: BinaryIO, file: str) -> None:
    """A file that is not UTF-8 is read as Windows-1252, unless some of its lines are UTF-8: then it
    was put together from two files (an "Å" would become "Ã…", a second doctor). Name the first line
    that does not fit the encoding of the first line with letters outside ASCII."""
    first: tuple[int, str] | None = None  # (line, encoding) of the first line beyond ASCII
    f.seek(0)
    delim = max((";", "\t", ","), key=f.readline().decode("latin-1").count)
    f.seek(0)
    for n, line in enumerate(f, 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            enc, col_at = "UTF-8", next(i for i, b in enumerate(line) if b > 0x7F)
        except UnicodeDecodeError as e:
            enc, col_at = "Windows-1252", e.start
            try:
                line.decode("cp1252")
            except UnicodeDecodeError:
                raise ImportFailed(f"{file}:1:0: " + t("imp.not_text")) from None
        if first is None:
            first = (n, enc)
        elif enc != first[1]:
            prefix = line[:col_at].decode("latin-1")
            column = len(next(csv.reader([prefix], delimiter=delim), [""])) or 1
            raise ImportFailed(f"{file}:{n}:{column}: " + t("imp.mixed", enc=enc, first_line=first[0],
                                                             first_enc=first[1]))


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", "\t", ",")}
    delim = max(counts, key=lambda d: counts[d])
    return delim if counts[delim] else ","


def _csv_records(path: Path, file: str, scan: _CsvScan) -> Iterator[tuple[int, list[Any], bool]]:
    """(line where the record starts, cells, whether to search it for control characters). A record
    spanning lines has a line break in a quoted cell, which is searched for too."""
    with open(path, encoding=scan.encoding, newline="") as text:
        first = text.readline()
        delim = _delimiter(first.split("\n", 1)[0])
        reader = csv.reader(itertools.chain([first], text), delimiter=delim)
        prev = 0
        while True:
            try:
                rec = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise _csv_error(path, file, scan, delim, prev + 1, reader.line_num) from None
            except UnicodeDecodeError:  # (the first pass checked every line; a file changed since)
                raise ImportFailed(f"{file}:{reader.line_num + 1}:0: " + t("imp.not_text")) from None
            start = prev + 1
            prev = reader.line_num
            if prev > start:  # a quoted cell with a line break ("Li\nNy": a row problem, as any control character)
                swallowed = _swallowing_cell(rec, delim)
                if swallowed:  # … that holds the separator too: the rows after it were read into that cell
                    raise ImportFailed(f"{file}:{start}:{swallowed}: " + _open_quote(reader, rec, start, prev))
                yield start, rec, True
                continue
            if rec and rec[-1][-1:] in ("\n", "\r") and delim in rec[-1]:
                # one line whose last cell ends in its own line break: a quote opened there and never closed
                # (the file ended inside it), so the rest of the line became that one cell
                raise ImportFailed(f"{file}:{start}:{len(rec)}: " + t("imp.open_quote_eof", first=start))
            yield start, rec, scan.controls


def _open_quote(reader: Iterator[list[str]], rec: list[Any], start: int, last: int) -> str:
    """What a cell that swallowed lines ``start``–``last`` is told: the quote closed on line ``last``, or
    never (the file ended inside the cell)."""
    if rec[-1][-1:] in ("\n", "\r"):
        try:
            next(reader)
        except StopIteration:
            return t("imp.open_quote_eof", first=start)
        except csv.Error:
            pass
    return t("imp.open_quote", first=start, last=last)


def _swallowing_cell(rec: list[Any], delim: str) -> int:
    """The column (from 1) of a cell holding a line break and the separator, else 0: a quote opened there and
    closed lines later (most often never meant: the rows between became text in one cell). It stops the
    whole file, ``--skip-invalid`` too, since the rows it swallowed would otherwise be neither stored nor named."""
    return next((i + 1 for i, c in enumerate(rec)
                 if isinstance(c, str) and ("\n" in c or "\r" in c) and delim in c), 0)


def _csv_error(path: Path, file: str, scan: _CsvScan, delim: str, start: int, at: int) -> ImportFailed:
    """Where a record the csv module refused is, and why: a cell over its field limit (often a quote
    that is never closed, so the rest of the file became one cell), else the line it stopped at."""
    limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        with open(path, encoding=scan.encoding, newline="") as text:
            lines = itertools.islice(text, start - 1, None)
            rec = next(csv.reader(lines, delimiter=delim), [])
    except (csv.Error, UnicodeDecodeError, OSError):
        rec = []
    finally:
        csv.field_size_limit(limit)
    for idx, cell in enumerate(rec):
        if len(cell) > limit:
            line = start + sum(c.count("\n") for c in rec[:idx])
            return ImportFailed(f"{file}:{line}:{idx + 1}: " + t("imp.too_long", n=f"{len(cell):,}".replace(",", " "),
                                                                   limit=f"{limit:,}".replace(",", " ")))
    return ImportFailed(f"{file}:{at}:0: " + t("imp.csv_error"))


def _open_xlsx(f: BinaryIO, file: str, limits: Limits) -> Workbook:
    """The workbook, read-only, after its zip directory showed that it unpacks to no more than the limit
    (openpyxl would otherwise inflate whatever a file holds)."""
    import zipfile

    import openpyxl

    try:
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except Exception as e:
        raise ImportFailed(f"{file}:1:0: " + _xlsx_trouble(e)) from None
    if unpacked > limits.max_unpacked_mb * 2**20:
        raise ImportFailed(f"{file}:1:0: " + t("imp.xlsx_unpacked", size=-(-unpacked // 2**20),
                                                limit=limits.max_unpacked_mb))
    try:
        f.seek(0)
        return openpyxl.load_workbook(f, read_only=True, data_only=False)
    except Exception as e:
        raise ImportFailed(f"{file}:1:0: " + _xlsx_trouble(e)) from None


def _xlsx_trouble(e: Exception) -> str:
    """Why a workbook could not be opened, in the catalogue's words (not the library's error class)."""
    import zipfile
    import zlib

    if isinstance(e, (zipfile.BadZipFile, zlib.error, EOFError)):
        why = "imp.xlsx_broken"  # cut short (a copy that did not finish) or damaged
    elif isinstance(e, KeyError):
        why = "imp.xlsx_parts"  # a zip file, but without a workbook's parts
    else:
        why = "imp.xlsx_other"
    return t("imp.bad_xlsx", why=t(why))


_PLAIN = (str, int, float, bool, dt.date, dt.time, dt.timedelta)


# ws is a read-only sheet: openpyxl's stubs type its rows and cells as a normal sheet's, hence Any
def _xlsx_records(ws: Any) -> Iterator[tuple[int, list[Any], bool]]:
    """Every row of the sheet, whatever its stored ``<dimension>`` says (a stale one would hide rows).
    A number shown as a percentage is its percentage text (1 formatted 0 % is "100%"); a formula of
    any kind (an array formula too) is its text, "=…", which the checks refuse."""
    ws.reset_dimensions()
    percent: dict[int, bool] = {}
    for i, row in enumerate(ws.iter_rows(), 1):
        vals: list[Any] = []
        for c in row:
            v = c.value
            if v is None or type(v) is str:
                pass
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                sid = c._style_id
                pct = percent.get(sid)
                if pct is None:
                    pct = percent[sid] = "%" in (c.number_format or "")
                if pct:
                    v = f"{v * 100:.10g}%"
            elif not isinstance(v, _PLAIN):  # ArrayFormula, DataTableFormula
                text = getattr(v, "text", None)
                v = text if isinstance(text, str) and text.startswith("=") else f"={type(v).__name__}"
            vals.append(v)
        yield i, vals, True


def read_file(path: str | Path, as_of: dt.date, default_unit: str, limits: Limits | None = None) -> Parsed:
    """Read and validate one file. Raises ImportFailed when the file cannot be read at all."""
    limits = limits or Limits()
    p = Path(path)
    file = str(path)
    try:
        f = open(p, "rb")
    except FileNotFoundError:
        raise ImportFailed(f"{file}:0:0: " + t("imp.no_file")) from None
    except IsADirectoryError:
        raise ImportFailed(f"{file}:0:0: " + t("imp.directory")) from None
    except PermissionError:
        raise ImportFailed(f"{file}:0:0: " + t("imp.no_permission")) from None
    with f:
        head = f.read(8)
        if is_xlsx(head):
            return _read_xlsx(f, file, as_of, default_unit, limits)
        if head[:5] == b"%PDF-" or head[:4] in (b"\xd0\xcf\x11\xe0",):
            raise ImportFailed(f"{file}:1:0: " + t("imp.not_csv"))
        scan = _scan_csv(f, file)
    return _parse_rows(file, scan.sha256, _csv_records(p, file, scan), as_of, default_unit, False, limits)


def _read_xlsx(f: BinaryIO, file: str, as_of: dt.date, default_unit: str, limits: Limits) -> Parsed:
    sha = hashlib.sha256()
    f.seek(0)
    for chunk in iter(lambda: f.read(_CHUNK), b""):
        sha.update(chunk)
    wb = _open_xlsx(f, file, limits)
    try:
        try:
            ws = wb["Sjukfall"] if "Sjukfall" in wb.sheetnames else wb.worksheets[0]
            records = _xlsx_records(ws)
            first = list(itertools.islice(records, 80))
        except Exception as e:
            raise ImportFailed(f"{file}:1:0: " + _sheet_trouble(e)) from None
        for i, row, _ in first:
            names = {norm_header(c) for c in row if c is not None}
            if REHABSTOD_HEADER <= names:
                return _parse_rehabstod(file, sha.hexdigest(), _guarded(itertools.chain(first, records), file),
                                        i, as_of, default_unit, limits)
        return _parse_rows(file, sha.hexdigest(), _guarded(itertools.chain(first, records), file), as_of,
                           default_unit, True, limits)
    finally:
        wb.close()


def _sheet_trouble(e: Exception) -> str:
    """Why the sheet could not be read, in the catalogue's words (not the library's error class)."""
    from xml.etree.ElementTree import ParseError

    broken = isinstance(e, ParseError) or type(e).__name__ in ("XMLSyntaxError", "BadZipFile", "error", "EOFError")
    return t("imp.bad_sheet", why=t("imp.sheet_xml" if broken else "imp.xlsx_other"))


def _guarded(records: Iterator[tuple[int, list[Any], bool]], file: str) -> Iterator[tuple[int, list[Any], bool]]:
    """A sheet that breaks while it is read (bad XML half-way) is a file problem, not a crash."""
    line = 0
    while True:
        try:
            rec = next(records)
        except StopIteration:
            return
        except ImportFailed:
            raise
        except Exception as e:
            raise ImportFailed(f"{file}:{line + 1}:0: " + _sheet_trouble(e)) from None
        line = rec[0]
        if line > _XLSX_ROWS_MAX:
            raise ImportFailed(f"{file}:{line}:0: " + t("imp.bad_sheet", why=t("imp.sheet_rows")))
        yield rec


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


def _width(rec: list[Any]) -> int:
    """Cells up to the last non-empty one (an XLSX row is padded out to its last styled cell)."""
    n = len(rec)
    while n and (rec[n - 1] is None or rec[n - 1] == ""):
        n -= 1
    return n


def _limit_checks(file: str, line: int, rec: list[Any], limits: Limits) -> None:
    if len(rec) > limits.max_columns and _width(rec) > limits.max_columns:
        raise ImportFailed(f"{file}:{line}:{limits.max_columns + 1}: " + t(
            "imp.too_many_columns", n=_width(rec), limit=limits.max_columns))


def _parse_rows(file: str, sha: str, records: Iterator[tuple[int, list[Any], bool]], as_of: dt.date,
                default_unit: str, xlsx: bool, limits: Limits) -> Parsed:
    parsed = Parsed(file=file, kind="intyg", sha256=sha)
    records = iter(records)
    # skip leading blank lines
    for hline, header, hscan in records:
        if not all(_text(c) == "" for c in header):
            break
    else:
        raise ImportFailed(f"{file}:1:0: " + t("imp.empty_file"))
    _limit_checks(file, hline, header, limits)
    if hscan:
        parsed.problems.extend(_control_problems(file, [(hline, header)], None)[0])
        if parsed.problems:
            return parsed
    colmap = _header_map(file, header, hline, parsed)
    if colmap is None:
        return parsed
    headers = {k: str(header[i]).strip() for k, i in colmap.items()}
    check = _RowChecker(file, colmap, as_of, default_unit, headers, xlsx, parsed.problems)
    control = False
    n = 0
    rows = parsed.rows
    # CSV rows (every cell text) are checked a chunk at a time, column by column (``_RowChecker.many``);
    # a sheet's cells (numbers, dates, formulas) one row at a time
    chunk: list[tuple[int, list[Any]]] = []
    max_rows = limits.max_rows
    columns = _width(header)
    extra, first_extra = 0, 0  # rows with cells filled in beyond the header's last column
    for line, rec, scan in records:
        if (_blank(rec) if xlsx else not "".join(rec).strip()):
            continue
        n += 1
        if n > max_rows:
            raise ImportFailed(f"{file}:{line}:0: " + t("imp.too_many_rows", limit=limits.max_rows))
        _limit_checks(file, line, rec, limits)
        if len(rec) > columns and _width(rec) > columns:
            extra += 1
            first_extra = first_extra or line
        if scan:
            problems, _ = _control_problems(file, [(line, rec)], header)
            if problems:
                parsed.problems.extend(problems)
                control = True
                continue
        if xlsx:
            r = check(line, rec)
            if r is not None:
                rows.append(r)
        else:
            chunk.append((line, rec))
            if len(chunk) >= _CHUNK_ROWS:
                check.many(chunk, rows)
                chunk = []
    if chunk:
        check.many(chunk, rows)
    if extra:  # (as an unknown column is: said once, the rest of the row read as usual)
        parsed.warnings.append(f"{file}:{first_extra}: " + t("imp.extra_cells", rows=extra, columns=columns))
    parsed.rows_read = n
    if control:
        parsed.problems.sort(key=lambda p: (p.line, p.column or 0))
    if n == 0 and not parsed.problems:
        parsed.problems.append(Problem(file, hline, None, t("imp.no_rows")))
    return parsed


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
_DATE_FIELDS = ("startdatum", "slutdatum", "signeringsdatum")


def _blank(rec: list[Any]) -> bool:
    return not any((c.strip() if isinstance(c, str) else c is not None) for c in rec)


class _Bad:
    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


_MISSING = object()
_CHUNK_ROWS = 4096  # CSV rows checked together (``_RowChecker.many``)


def _a_year_after(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


class _RowChecker:
    """Validates rows one at a time. Each distinct cell value of a column is parsed once (imports
    repeat the same dates, doctors and codes many times, and a patient's personnummer on each of their
    rows), which keeps a million rows fast; equal values then share one object, which keeps them small.
    A row's problems are reported in column order."""

    def __init__(self, file: str, colmap: dict[str, int], as_of: dt.date, default_unit: str,
                 headers: dict[str, str], xlsx: bool, problems: list[Problem]):
        self.file = file
        self.colmap = colmap
        self.default_unit = default_unit
        self.headers = headers
        self.xlsx = xlsx
        self.problems = problems
        self.latest = _a_year_after(as_of)
        self.as_of = as_of
        pnr_parser = _pnr_parser(as_of)
        # (name, column index, parser, required, memo, label) for the columns the file has
        self.fields: list[tuple[str, int, Callable[[Any], Any], bool, dict[Any, Any], str]] = [
            (name, colmap[name], fn or pnr_parser, required, {}, headers.get(name, name))
            for name, fn, required in _FIELDS if name in colmap]
        self.births: dict[str, dt.date] = {}
        self.width = max(colmap.values()) + 1  # cells a row needs to hold every known column
        self.bad_keys: dict[str, set[Any]] = {name: set() for name, *_ in self.fields}  # memo keys of _Bad values

    def _label(self, name: str) -> str:
        return self.headers.get(name, SHOWN[name][0])

    def _value(self, name: str, fn: Callable[[Any], Any], required: bool, raw: Any) -> Any:
        """A cell's value parsed, or ``_Bad`` with what was expected."""
        try:
            _formula_check(raw)
            if required and _text(raw) == "" and not isinstance(raw, (dt.date, dt.datetime)):
                raise CellError(t("imp.empty_cell", expected=t(f"imp.expect.{name}")))
            return fn(raw)
        except (CellError, pnrmod.PnrError) as e:
            return _Bad(str(e))

    def many(self, chunk: list[tuple[int, list[Any]]], out: list[Row]) -> None:
        """The CSV rows of ``chunk`` ((line, cells) pairs), checked column by column: a column's cells
        looked up in its memo at once (a value not seen before parsed as ``__call__`` parses it), then
        the date checks over the whole chunk. A row with a bad cell, or a date the quick comparison
        cannot clear, goes through ``__call__`` itself: its problems are exactly those, in row order."""
        n = len(chunk)
        recs: list[list[Any]] = [rec for _, rec in chunk]
        width = self.width
        if min(map(len, recs)) < width:  # (a short row: its missing cells are None, as in ``__call__``)
            recs = [rec if len(rec) >= width else [*rec, *[None] * (width - len(rec))] for rec in recs]
        columns = list(zip(*recs))  # (transposed in C: one tuple per column)
        suspect: set[int] = set()
        cols: dict[str, list[Any]] = {}
        for name, idx, fn, required, memo, _label in self.fields:
            keys = columns[idx]
            for raw in set(keys).difference(memo):
                v = memo[raw] = self._value(name, fn, required, raw)
                if type(v) is _Bad:
                    self.bad_keys[name].add(raw)
            bad = self.bad_keys[name]
            if bad and not bad.isdisjoint(keys):
                suspect.update(i for i, k in enumerate(keys) if k in bad)
            cols[name] = list(map(memo.__getitem__, keys))
        nothing = [None] * n
        pnrs, starts, ends = cols["personnummer"], cols["startdatum"], cols["slutdatum"]
        signed = cols.get("signeringsdatum", nothing)
        births = self.births
        for p in set(pnrs).difference(births):
            if type(p) is str:
                births[p] = pnrmod.birth_date(p)
        latest = self.latest
        for i, (p, st, en, sg) in enumerate(zip(pnrs, starts, ends, signed)):
            if i in suspect:
                continue
            birth = births[p]
            if en < st or st < birth or en > latest or (sg is not None and (sg < birth or sg > latest)):
                suspect.add(i)
        default_unit = self.default_unit
        for i, ((line, rec), p, name, dx, st, en, grad, doctor, doctor_id, sg, occ, status, plan, unit) in enumerate(zip(
                chunk, pnrs, cols.get("namn", nothing), cols["diagnos"], starts, ends, cols["grad"], cols["lakare"],
                cols.get("lakare_id", nothing), signed, cols.get("sysselsattning", nothing),
                cols.get("rekostatus", nothing), cols.get("rehabplan", nothing), cols.get("vardenhet", nothing))):
            if suspect and i in suspect:
                r = self(line, rec)
                if r is not None:
                    out.append(r)
                continue
            out.append(Row(line, p, name or "", dx[0], dx[1], st, en, grad, doctor, doctor_id or None, sg, occ,
                           status, plan, unit or default_unit))

    def __call__(self, line: int, rec: list[Any]) -> Row | None:
        got: dict[str, Any] = {}
        problems: list[Problem] | None = None
        width = len(rec)
        xlsx = self.xlsx
        for name, idx, fn, required, memo, label in self.fields:
            raw = rec[idx] if idx < width else None
            key = raw if (not xlsx or raw is None or type(raw) is str) else (type(raw).__name__, raw)
            v = memo.get(key, _MISSING)
            if v is _MISSING:
                v = memo[key] = self._value(name, fn, required, raw)
                if type(v) is _Bad:
                    self.bad_keys[name].add(key)
            if type(v) is _Bad:
                if problems is None:
                    problems = []
                problems.append(Problem(self.file, line, idx + 1, f"{label}: {v.message}"))
            got[name] = v
        problems = self._date_checks(line, got, problems)
        if problems:
            if len(problems) > 1:
                problems.sort(key=lambda p: p.column or 0)
            self.problems.extend(problems)
            return None
        get = got.get
        dx = got["diagnos"]
        return Row(line, got["personnummer"], get("namn") or "", dx[0], dx[1], got["startdatum"],
                   got["slutdatum"], got["grad"], got["lakare"], get("lakare_id") or None,
                   get("signeringsdatum"), get("sysselsattning"), get("rekostatus"), get("rehabplan"),
                   get("vardenhet") or self.default_unit)

    def _date_checks(self, line: int, got: dict[str, Any], problems: list[Problem] | None) -> list[Problem] | None:
        """The end not before the start; no certificate date before the patient was born (the
        personnummer's date; a samordningsnummer's day less 60) or more than a year after the as-of date."""
        st, en = got.get("startdatum"), got.get("slutdatum")
        colmap = self.colmap
        if isinstance(st, dt.date) and isinstance(en, dt.date) and en < st:
            problems = problems or []
            problems.append(Problem(
                self.file, line, colmap["slutdatum"] + 1,
                t("imp.end_before_start", end_label=self._label("slutdatum"), end=en.isoformat(),
                  start_label=self._label("startdatum"), start=st.isoformat())))
        pnr = got.get("personnummer")
        birth = None
        if isinstance(pnr, str):
            birth = self.births.get(pnr)
            if birth is None:
                birth = self.births[pnr] = pnrmod.birth_date(pnr)
        for name in _DATE_FIELDS:
            d = got.get(name)
            if not isinstance(d, dt.date):
                continue
            if birth is not None and d < birth:
                problems = problems or []
                problems.append(Problem(self.file, line, colmap[name] + 1, t(
                    "imp.before_birth", label=self._label(name), value=d.isoformat(), birth=birth.isoformat())))
            elif d > self.latest:
                problems = problems or []
                problems.append(Problem(self.file, line, colmap[name] + 1, t(
                    "imp.after_as_of", label=self._label(name), value=d.isoformat(), as_of=self.as_of.isoformat(),
                    latest=self.latest.isoformat())))
        return problems


def _parse_rehabstod(file: str, sha: str, records: Iterator[tuple[int, list[Any], bool]], header_line: int,
                     as_of: dt.date, default_unit: str, limits: Limits) -> Parsed:
    """The legacy Rehabstöd export: one row per episode, every cell text."""
    parsed = Parsed(file=file, kind="rehabstod", sha256=sha)
    header: list[Any] = []
    for line, rec, _ in records:
        if line == header_line:
            header = rec
            break
    colmap: dict[str, int] = {}
    for idx, h in enumerate(header):
        name = norm_header(h)
        if name == "diagnos/diagnoser":
            name = "diagnos"
        if name in ("personnummer", "namn", "diagnos", "startdatum", "slutdatum", "grad", "lakare"):
            colmap[name] = idx
    parsed.warnings.append(f"{file}: " + t("imp.rehabstod"))
    _limit_checks(file, header_line, header, limits)
    parsed.problems.extend(_control_problems(file, [(header_line, header)], None)[0])
    if parsed.problems:
        return parsed
    headers = {k: str(header[i]).strip() for k, i in colmap.items()}
    check = _RowChecker(file, colmap, as_of, default_unit, headers, True, parsed.problems)
    control = False
    n = 0
    for line, rec, _ in records:
        if _blank(rec):
            continue
        n += 1
        if n > limits.max_rows:
            raise ImportFailed(f"{file}:{line}:0: " + t("imp.too_many_rows", limit=limits.max_rows))
        _limit_checks(file, line, rec, limits)
        # the cells as they are in the file (before "50% → 100%" becomes "100%")
        problems, _ = _control_problems(file, [(line, rec)], header)
        if problems:
            parsed.problems.extend(problems)
            control = True
            continue
        grad = _text(_cell(rec, colmap, "grad"))
        if "grad" in colmap and grad:
            rec = list(rec)
            rec[colmap["grad"]] = re.split(r"→|->", grad)[-1].strip()  # "50% → 100%": the current degree
        r = check(line, rec)
        if r is not None:
            r.source = "rehabstod"
            parsed.rows.append(r)
    parsed.rows_read = n
    if control:
        parsed.problems.sort(key=lambda p: (p.line, p.column or 0))
    return parsed
