"""CSV rows are checked a chunk at a time, column by column (``_RowChecker.many``); a sheet's rows one at
a time (``_RowChecker.__call__``). For the same cells both must give the same rows and the same problems
in the same order: good rows, bad cells of every column, dates before birth or too late, an end before
its start, short rows, rows repeated, in chunks smaller than the file."""

import datetime as dt

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from less_tui.core import importer

AS_OF = dt.date(2026, 11, 23)
HEADER = ["Personnummer", "Namn", "Diagnos", "Startdatum", "Slutdatum", "Grad", "Läkare", "Läkare_id",
          "Signeringsdatum", "Sysselsättning", "Rekostatus", "Rehabplan", "Vårdenhet"]

PNRS = ["19641220-5780", "19650211-9644", "196412205780", "641220-5780", "19641220-5781", "", "abc",
        "20300101-0008", "19641280-5787", "19950101-0001"]
NAMES = ["Hanna Pettersson", "", "Ulla"]
DX = ["F41.9 Ångestsyndrom", "M54.5", "", "XYZ", "=SUM(A1)"]
DATES = ["2024-10-24", "2026-11-09", "2026-11-30", "1950-01-01", "1964-12-19", "2028-01-01", "2024-02-30",
         "24/10/2024", ""]
DEGREES = ["100%", "50", "25 %", "", "abc", "120%"]
DOCTORS = ["Omid Rahimi", "Sven Åkerlund", ""]
HSA = ["SE2321000016-1005", ""]
OCC = ["Nuvarande arbete", "Arbetssökande", "", "Pension"]
STATUS = ["", "Aktiv", "aktiv", "nej tack"]
PLAN = ["", "Ja", "nej", "kanske"]
UNITS = ["", "VC Annan"]

cells = st.tuples(*(st.sampled_from(pool) for pool in (PNRS, NAMES, DX, DATES, DATES, DEGREES, DOCTORS, HSA,
                                                        DATES, OCC, STATUS, PLAN, UNITS)))
records = st.lists(st.tuples(cells, st.integers(min_value=0, max_value=13)), min_size=1, max_size=40)


def _parse(rows: list[list[str]], xlsx: bool) -> importer.Parsed:
    recs = [(1, list(HEADER), False)] + [(i + 2, list(r), False) for i, r in enumerate(rows)]
    return importer._parse_rows("f.csv", "0" * 64, iter(recs), AS_OF, "VC Exempel", xlsx, importer.Limits())


def _same(rows: list[list[str]]) -> int:
    chunked, one_by_one = _parse(rows, xlsx=False), _parse(rows, xlsx=True)
    assert [str(p) for p in chunked.problems] == [str(p) for p in one_by_one.problems]
    assert chunked.rows == one_by_one.rows
    assert chunked.rows_read == one_by_one.rows_read
    return len(chunked.rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records)
@example([(("19641220-5780", "Hanna", "M54.5", "2026-11-09", "2024-10-24", "100%", "Omid Rahimi", "", "", "", "",
            "", ""), 13),  # the end before the start
          (("19641220-5780", "Hanna", "M54.5", "1964-12-19", "2024-10-24", "100%", "Omid Rahimi", "", "", "", "",
            "", ""), 13),  # before the patient was born
          (("19641220-5780", "Hanna", "M54.5", "2024-10-24", "2028-01-01", "100%", "Omid Rahimi", "", "", "", "",
            "", ""), 13),  # more than a year after the as-of date
          (("19641220-5780", "Hanna", "M54.5", "2024-10-24", "2026-11-09", "100%", "Omid Rahimi", "",
            "1950-01-01", "", "", "", ""), 13),  # signed before birth
          (("19641220-5780", "Hanna", "M54.5", "2024-10-24", "2026-11-09", "100%", "Omid Rahimi", "", "", "", "",
            "", ""), 7),  # a short row
          (("19641220-5780", "Hanna", "M54.5", "2024-10-24", "2026-11-09", "100%", "Omid Rahimi", "", "", "", "",
            "", "VC Annan"), 13)])  # a good row
def test_chunked_csv_rows_are_checked_as_rows_one_at_a_time(monkeypatch, recs):
    monkeypatch.setattr(importer, "_CHUNK_ROWS", 3)  # several chunks, a row's problem in any of them
    _same([list(cells)[:width] for cells, width in recs])


def test_the_example_file_has_good_and_bad_rows_in_several_chunks(monkeypatch):
    """The property above is not vacuous: a fixed mix gives good rows and problems of each kind."""
    monkeypatch.setattr(importer, "_CHUNK_ROWS", 4)
    good = ["19641220-5780", "Hanna", "M54.5", "2024-10-24", "2026-11-09", "100%", "Omid Rahimi", "", "", "", "",
            "", ""]
    rows = [good, good[:2] + ["XYZ"] + good[3:], good[:3] + ["2026-11-10"] + good[4:], good[:7],
            ["19641220-5781"] + good[1:], good[:4] + ["2028-01-01"] + good[5:], good]
    assert _same(rows) == 3  # the good row twice, the short row (its last cells empty)
    problems = [str(p) for p in _parse(rows, xlsx=False).problems]
    assert [p.split(":")[1] for p in problems] == ["3", "4", "6", "7"]
