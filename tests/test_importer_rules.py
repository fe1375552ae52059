"""The importer's and the personnummer's rules, in-process: every file in tests/data/malformed read
with ``read_file`` gives exactly the FILE:LINE:COLUMN problems listed here, and ``pnr.normalize``
takes every documented form and refuses the rest with a reason. (tests/test_cli.py keeps a few
end-to-end runs of `less-tui import` for its exit codes and messages.)"""

import datetime as dt
import sys

import pytest

from helpers import ROOT
from less_tui.core import pnr as pnrmod
from less_tui.core.importer import ImportFailed, Limits, read_file
from less_tui.core.pnr import PnrError

MALFORMED_DIR = ROOT / "tests" / "data" / "malformed"
sys.path.insert(0, str(ROOT / "tests" / "data"))
from make_malformed import EXPECT  # noqa: E402

AS_OF = dt.date(2026, 11, 22)
PNR_OK = "19760306-4192"
H = "Personnummer;Namn;Diagnos;Startdatum;Slutdatum;Grad;Läkare"

# file -> (refused whole: ImportFailed, [(line, column), ...] of its problems in order). The header is
# line 1; column 0 is the whole line (or file). EXPECT (make_malformed.py) gives a fragment of each message.
WHERE: dict[str, tuple[bool, list[tuple[int, int]]]] = {
    "bad_coordinator_status.csv": (False, [(2, 8)]),
    "bad_degree.csv": (False, [(2, 6)]),
    "bad_luhn.csv": (False, [(2, 1)]),
    "bad_occupation.csv": (False, [(2, 8)]),
    "bad_rehab_plan.csv": (False, [(2, 8)]),
    "binary.csv": (True, [(1, 0)]),
    "born_after_as_of.csv": (False, [(2, 1)]),
    "comma_bad_date.csv": (False, [(2, 4)]),
    "corrupt.xlsx": (True, [(1, 0)]),
    "cp1252_bad_pnr.csv": (False, [(2, 1)]),
    "date_as_number.csv": (False, [(2, 4)]),
    "datetime_text.csv": (False, [(2, 4)]),
    "duplicated_column.csv": (False, [(1, 8)]),
    "empty.csv": (True, [(1, 0)]),
    "end_before_start.csv": (False, [(2, 5)]),
    "excel_pnr_scientific.csv": (False, [(2, 1)]),
    "formula_cells.xlsx": (False, [(2, 5)]),
    "formula_in_csv.csv": (False, [(2, 1)]),
    "header_only.csv": (False, [(1, 0)]),
    "impossible_date.csv": (False, [(2, 4)]),
    "many_bad_rows.csv": (False, [(3, 1), (4, 6), (5, 3)]),
    "missing_doctor.csv": (False, [(2, 7)]),
    "missing_required_column.csv": (False, [(1, 0)]),
    "no_icd_code.csv": (False, [(2, 3)]),
    "old_excel.xls": (True, [(1, 0)]),
    "only_whitespace.csv": (True, [(1, 0)]),
    "report.pdf.csv": (True, [(1, 0)]),
    "samordningsnummer_bad.csv": (False, [(2, 1)]),
    "swedish_date_format.csv": (False, [(2, 4)]),
    "tab_bad_degree.csv": (False, [(2, 6)]),
    "utf16.csv": (True, [(1, 0)]),
    "wrong_header.csv": (False, [(1, 0)]),
    "xlsx_date_serial.xlsx": (False, [(2, 4)]),
    "xlsx_no_header.xlsx": (False, [(1, 0)]),
}
MALFORMED = sorted(MALFORMED_DIR.iterdir())


def test_every_malformed_file_has_its_expected_places_and_message():
    names = {p.name for p in MALFORMED}
    assert len(names) >= 25
    assert names == set(WHERE) == set(EXPECT)


def _problems(path) -> tuple[bool, list[str], int]:
    """(refused whole, the problem lines as the command line prints them, valid rows)."""
    try:
        parsed = read_file(path, AS_OF, "VC Test", Limits())
    except ImportFailed as e:
        return True, [str(e)], 0
    return False, [str(p) for p in parsed.problems], len(parsed.rows)


@pytest.mark.parametrize("path", MALFORMED, ids=[p.name for p in MALFORMED])
def test_a_malformed_file_gives_exactly_its_problems(path):
    fatal, lines, valid = _problems(path)
    want_fatal, want = WHERE[path.name]
    assert fatal == want_fatal, lines
    assert [tuple(int(x) for x in ln[len(str(path)) + 1:].split(":", 2)[:2]) for ln in lines] == want, lines
    assert all(ln.startswith(f"{path}:") for ln in lines)
    assert EXPECT[path.name] in "\n".join(lines), lines
    assert valid == (1 if path.name == "many_bad_rows.csv" else 0)  # its first data row is good


def test_the_problems_are_in_english_with_lang_en():
    from less_tui.i18n import set_language

    set_language("en")
    _, lines, _ = _problems(MALFORMED_DIR / "bad_degree.csv")
    assert lines == [f"{MALFORMED_DIR / 'bad_degree.csv'}:2:6: Grad: found '60%', expected 25, 50, 75 or 100 "
                     "(a trailing % allowed)"]


def test_a_row_with_two_bad_cells_is_one_invalid_row_with_two_problems(tmp_path):
    bad = tmp_path / "two-bad-cells.csv"
    bad.write_text(f"{H}\n{PNR_OK};A B;R53.9;2026-09-11;2026-10-24;100%;Anna Berg\n"
                   "19760306-4193;A B;R53.9;2026-09-11;2026-10-24;60%;Anna Berg\n", encoding="utf-8")
    parsed = read_file(bad, AS_OF, "VC Test")
    assert [(p.line, p.column) for p in parsed.problems] == [(3, 1), (3, 6)]
    assert (parsed.rows_read, len(parsed.rows)) == (2, 1)


@pytest.mark.parametrize("missing", ["no_such.csv", "a_folder"])
def test_a_file_that_cannot_be_opened_is_refused_at_line_0(tmp_path, missing):
    (tmp_path / "a_folder").mkdir()
    with pytest.raises(ImportFailed) as e:
        read_file(tmp_path / missing, AS_OF, "VC Test")
    assert str(e.value).startswith(f"{tmp_path / missing}:0:0: ")


# ---------------------------------------------------------------- personnummer

@pytest.mark.parametrize("raw, want", [
    ("19760306-4192", "19760306-4192"),
    ("197603064192", "19760306-4192"),
    (" 19760306 - 4192 ", "19760306-4192"),  # spaces are dropped
    ("760306-4192", "19760306-4192"),  # younger than 100 at the as-of date: this century or the last
    ("7603064192", "19760306-4192"),
    ("121212-1212", "20121212-1212"),
    ("121212+1212", "19121212-1212"),  # "+": 100 years or older
    ("19760366-4199", "19760366-4199"),  # samordningsnummer: the day of birth + 60
    ("760366-4199", "19760366-4199"),
])
def test_personnummer_forms_that_are_taken(raw, want):
    assert pnrmod.normalize(raw, AS_OF) == want


@pytest.mark.parametrize("raw, fragment", [
    ("", "tom, förväntade ett personnummer"),
    ("19760306-4193", "Luhn"),  # wrong check digit
    ("19760230-4193", "datumet 1976-02-30 finns inte"),  # the right check digit for a day that does not exist
    ("19800808-0007", "födelsenumret 000"),  # a serial number never given
    ("19760366-4190", "Luhn"),  # a samordningsnummer with a wrong check digit
    ("1.9820101E+11", "Excel"),
    ("19760306-419", "inget personnummer"),
    ("abc", "inget personnummer"),
    ("１９７６０３０６-４１９２", "U+FF11"),  # full-width digits never make a second patient
], ids=["empty", "check-digit", "no-such-day", "serial-000", "samordning-check-digit", "excel", "short", "letters", "full-width"])
def test_personnummer_forms_that_are_refused_say_why(raw, fragment):
    with pytest.raises(PnrError) as e:
        pnrmod.normalize(raw, AS_OF)
    assert fragment in str(e.value)


def test_a_personnummer_born_after_the_as_of_date_is_refused():
    later = pnrmod.make(dt.date(2026, 12, 24), 123)
    assert pnrmod.normalize(later, dt.date(2026, 12, 24)) == later
    with pytest.raises(PnrError) as e:
        pnrmod.normalize(later, AS_OF)
    assert AS_OF.isoformat() in str(e.value)


def test_personnummer_problems_in_a_file_name_the_cell(tmp_path):
    f = tmp_path / "pnr.csv"
    later = pnrmod.make(dt.date(2026, 12, 24), 123)
    f.write_text(f"{H}\n7603064192;A B;R53.9;2026-09-11;2026-10-24;100;Anna Berg\n"
                 f"{later};A B;R53.9;2026-09-11;2026-10-24;100;Anna Berg\n"
                 "1.9820101E+11;A B;R53.9;2026-09-11;2026-10-24;100;Anna Berg\n", encoding="utf-8")
    parsed = read_file(f, AS_OF, "VC Test")
    assert [r.pnr for r in parsed.rows] == [PNR_OK]
    assert [(p.line, p.column) for p in parsed.problems] == [(3, 1), (4, 1)]
    assert all(p.message.startswith("Personnummer: ") for p in parsed.problems)


def test_cells_beyond_the_header_and_unknown_columns_are_said_once_and_the_rows_read(tmp_path):
    """Domain: unknown columns are reported once as a warning and ignored. Cells filled in beyond the
    header's last column (an unquoted ';' in a field) are said the same way: once, naming the first row."""
    good = "19641220-5780;Hanna;M54.5;2024-10-24;2024-11-09;100%;Omid Rahimi;Extra"
    f = tmp_path / "wide.csv"
    f.write_text("Personnummer;Namn;Diagnos;Startdatum;Slutdatum;Grad;Läkare;Färg\n"
                 f"{good}\n{good};VC Annex\n{good};;\n{good};x;y\n", encoding="utf-8")
    p = read_file(f, dt.date(2026, 11, 23), "VC Exempel")
    assert not p.problems and len(p.rows) == 4
    assert [r.unit for r in p.rows] == ["VC Exempel"] * 4
    assert len(p.warnings) == 2, p.warnings
    unknown, extra = p.warnings
    assert unknown.startswith(f"{f}:1: ") and "Färg" in unknown
    assert extra.startswith(f"{f}:3: ") and extra.split(": ", 1)[1].startswith("2 rad(er)") and " 8 kolumner" in extra


@pytest.mark.parametrize("born, sign, as_of", [
    (dt.date(1926, 11, 24), "-", dt.date(2026, 11, 23)),  # 99 the day before the 100th birthday
    (dt.date(1926, 11, 23), "+", dt.date(2026, 11, 23)),  # 100 on the day
    (dt.date(1916, 12, 15), "+", dt.date(2026, 11, 23)),  # 109: "+" and a birthday later in the year
    (dt.date(2026, 11, 23), "-", dt.date(2026, 11, 23)),  # born on the as-of date
    (dt.date(2000, 2, 29), "-", dt.date(2026, 11, 23)),
])
def test_a_short_personnummer_takes_the_century_from_the_whole_date(born, sign, as_of):
    """The century came from the year alone: 261124-NNNN at 2026-11-23 became 2026-11-24, a birth after the
    import's date, and the row was refused (the patient is 99); 261215+NNNN became 1926, 99 years old,
    though "+" means 100 or older (QA helper)."""
    full = pnrmod.make(born, 123)
    short = full[2:8] + sign + full[9:]
    assert pnrmod.normalize(short, as_of) == full


def test_a_birth_date_over_120_years_before_is_refused_with_the_sign_to_check():
    """261124+NNNN at 2026-11-23: "+" (100 or older) and a date that would make a 99-year-old give 1826, and the
    patient was stored as 199 years old (verifying helper). Refused now, naming the date, the age and the sign."""
    full = pnrmod.make(dt.date(1826, 11, 24), 123)
    with pytest.raises(PnrError) as e:
        pnrmod.normalize(full[2:8] + "+" + full[9:], dt.date(2026, 11, 23))
    assert "födelsedatumet 1826-11-24, 199 år vid 2026-11-23" in str(e.value) and "+ betyder" in str(e.value)
    oldest = pnrmod.make(dt.date(1906, 11, 23), 123)  # 120 on the day: taken
    assert pnrmod.normalize(oldest[2:8] + "+" + oldest[9:], dt.date(2026, 11, 23)) == oldest
