"""Issue 10, "XLSX and big files": every row of an XLSX whatever its <dimension> says, percent cells,
array formulas, a cell over the CSV field limit, zip bombs and size limits, certificate dates
against the patient's birth and the as-of date. Real files, run as `less-tui import` runs."""

import datetime as dt
import io
import json
import re
import sqlite3
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from helpers import cli, run
from less_tui.core import pnr as pnrmod

H = ["Personnummer", "Namn", "Diagnos", "Startdatum", "Slutdatum", "Grad", "Läkare"]
PNR = "19760306-4192"
ENV = {"LESS_TUI_TODAY": "2026-11-23"}


def _pnr(i: int) -> str:
    return pnrmod.make(dt.date(1960, 1, 1) + dt.timedelta(days=37 * i), 100 + i % 900)


def _count(db) -> int:
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT COUNT(*) FROM certificates").fetchone()[0]
    except sqlite3.OperationalError:  # no tables: nothing was ever stored
        return 0
    finally:
        c.close()


def _degrees(db) -> list[int]:
    c = sqlite3.connect(db)
    try:
        return [d for (d,) in c.execute("SELECT degree FROM certificates ORDER BY start")]
    finally:
        c.close()


def _set_dimension(path, ref: str) -> None:
    """Rewrite the sheet's stored <dimension> (as a program that forgot to update it leaves it)."""
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref.encode() + b'"', data)
                assert n == 1
            z.writestr(info, data)
    path.write_bytes(out.getvalue())


def test_every_xlsx_row_is_read_whatever_the_stored_dimension_says(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(H)
    for i in range(100):
        ws.append([_pnr(i), f"Person {i}", "F32.1", "2026-09-01", "2026-10-01", 50, "Anna Berg"])
    path = tmp_path / "stale.xlsx"
    wb.save(path)
    _set_dimension(path, "A1:G2")  # says one data row
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), "--json", str(path), env=ENV)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["rows_read"] == 100
    assert _count(db) == 100


def test_a_cell_formatted_as_percent_is_its_percentage(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(H)
    ws.append([PNR, "Sara Olsson", "F32.1", "2026-09-01", "2026-09-30", 1, "Anna Berg"])
    ws.append([PNR, "Sara Olsson", "F32.1", "2026-10-01", "2026-10-30", 0.5, "Anna Berg"])
    ws["F2"].number_format = "0%"
    ws["F3"].number_format = "0.00%"
    path = tmp_path / "percent.xlsx"
    wb.save(path)
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), str(path), env=ENV)
    assert p.returncode == 0, p.stderr
    assert _degrees(db) == [100, 50]


def test_an_array_formula_is_refused_like_any_formula(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(H)
    ws.append([PNR, "Sara Olsson", "F32.1", "2026-09-01", None, 100, "Anna Berg"])
    ws["E2"] = ArrayFormula("E2:E2", "=MAX(D2:D2)")
    path = tmp_path / "array.xlsx"
    wb.save(path)
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), str(path), env=ENV)
    assert p.returncode == 2, p.stderr
    assert f"{path}:2:5: Slutdatum: hittade formeln '=MAX(D2:D2)'" in p.stderr
    assert "Traceback" not in p.stderr and _count(db) == 0


@pytest.mark.parametrize("quote", [False, True], ids=["long-cell", "unclosed-quote"])
def test_a_cell_over_the_csv_field_limit_is_a_problem_at_its_place(tmp_path, quote):
    path = tmp_path / "long.csv"
    ok = f"{PNR};Sara Olsson;F32.1;2026-09-01;2026-09-30;100;Anna Berg"
    if quote:  # a quote never closed: the rest of the file becomes one cell
        body = f'{ok}\n{PNR};"Sara Olsson;F32.1;2026-10-01;2026-10-30;100;Anna Berg\n' + (ok + "\n") * 4000
    else:
        body = f"{ok}\n{ok}\n{PNR};{'x' * 200_000};F32.1;2026-10-01;2026-10-30;100;Anna Berg\n"
    path.write_text(";".join(H) + "\n" + body, encoding="utf-8")
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), str(path), env=ENV)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and "internt fel" not in p.stderr
    where = ":3:2:" if quote else ":4:2:"
    assert re.search(rf"{re.escape(str(path))}{where} en cell med [0-9 ]+ tecken, fler än gränsen 131 072", p.stderr)
    assert _count(db) == 0


def _bomb(path, megabytes: int) -> None:
    """A valid workbook whose sheet unpacks to ``megabytes`` MB of rows, in a file of about a megabyte."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(H)
    ws.append([PNR, "Sara Olsson", "R53.9", "2026-09-11", "2026-10-24", 100, "Anna Berg"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(buf)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            chunk = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 16384
            with out.open(info.filename, "w", force_zip64=True) as w:
                w.write(head)
                for _ in range(megabytes * 2**20 // len(chunk) + 1):
                    w.write(chunk)
                w.write(b"</sheetData>" + tail)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _bomb(path, 300)
    assert path.stat().st_size < 2 * 2**20
    db = tmp_path / "x.db"
    p = run("import", "--db", str(db), str(path), env=ENV, timeout=60)
    assert p.returncode == 2, p.stderr
    assert f"{path}:1:0: arbetsboken packas upp till 301 MB, mer än gränsen 256 MB (import.max_unpacked_mb" in p.stderr
    assert "inget sparades" in p.stderr and _count(db) == 0


def _config(tmp_path, **keys) -> str:
    c = tmp_path / "c.toml"
    c.write_text("[import]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items()), encoding="utf-8")
    return str(c)


def test_the_limits_come_from_the_config(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _bomb(path, 3)
    db = tmp_path / "x.db"
    p = cli("--config", _config(tmp_path, max_unpacked_mb=2), "import", "--db", str(db), str(path), env=ENV)
    assert p.returncode == 2 and "mer än gränsen 2 MB" in p.stderr, p.stderr
    rows = tmp_path / "rows.csv"
    rows.write_text(";".join(H) + "\n" + "".join(
        f"{_pnr(i)};A B;F32.1;2026-09-01;2026-09-30;100;Anna Berg\n\n" for i in range(4)), encoding="utf-8")
    p = cli("--config", _config(tmp_path, max_rows=3), "import", "--db", str(db), str(rows), env=ENV)
    assert p.returncode == 2 and f"{rows}:8:0: fler än 3 intygsrader" in p.stderr, p.stderr
    p = cli("--config", _config(tmp_path, max_rows=4), "import", "--db", str(db), str(rows), env=ENV)
    assert p.returncode == 0, p.stderr  # blank lines are not rows
    wide = tmp_path / "wide.csv"
    wide.write_text(";".join(H) + "\n" + f"{PNR};A B;F32.1;2026-09-01;2026-09-30;100;Anna Berg" + ";x" * 5 + ";;;\n",
                    encoding="utf-8")
    p = cli("--config", _config(tmp_path, max_columns=11), "import", "--db", str(db), str(wide), env=ENV)
    assert p.returncode == 2 and f"{wide}:2:12: raden har 12 kolumner, fler än gränsen 11" in p.stderr, p.stderr
    p = cli("--config", _config(tmp_path, max_columns=12), "import", "--db", str(db), "--dry-run", str(wide), env=ENV)
    assert p.returncode == 0, p.stderr
    p = cli("--config", _config(tmp_path, max_rows=0), "import", "--db", str(db), str(wide), env=ENV)
    assert p.returncode == 2 and "'import.max_rows' måste vara minst 1" in p.stderr


def test_certificate_dates_before_birth_or_over_a_year_after_the_as_of_date(tmp_path):
    nine = "760366" + "419"  # samordningsnummer: born 1976-03-06, day + 60
    samordning = f"19760366-419{pnrmod.luhn_digit(nine)}"
    path = tmp_path / "dates.csv"
    path.write_text(";".join(H + ["Signeringsdatum"]) + "\n" + "\n".join([
        f"{PNR};A B;F32.1;1976-03-06;2026-09-30;100;Anna Berg;",           # 2: the birthday: fine
        f"{PNR};A B;F32.1;1976-03-05;2026-09-30;100;Anna Berg;",           # 3: the day before
        f"{samordning};A B;F32.1;1976-03-05;1976-03-05;100;Anna Berg;",    # 4: both dates before
        f"{samordning};A B;F32.1;1976-03-06;2026-09-30;100;Anna Berg;",    # 5: fine
        f"{PNR};A B;F32.1;2026-11-01;2027-11-22;100;Anna Berg;",           # 6: a year after: fine
        f"{PNR};A B;F32.1;2026-11-01;2027-11-23;100;Anna Berg;2027-11-24",  # 7: end and signed too late
    ]) + "\n", encoding="utf-8")
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), "--as-of", "2026-11-22", str(path), env=ENV)
    assert p.returncode == 2, p.stderr
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith(f"{path}:")]
    assert [ln.split(":")[1:3] for ln in lines] == [["3", "4"], ["4", "4"], ["4", "5"], ["7", "5"], ["7", "8"]]
    assert "Startdatum: 1976-03-05 är före patientens födelse 1976-03-06" in lines[0]
    assert "Slutdatum: 2027-11-23 är mer än ett år efter importens datum 2026-11-22; förväntade senast 2027-11-22" \
        in lines[3]
    assert _count(db) == 0
    p = cli("--lang", "en", "import", "--db", str(db), "--as-of", "2026-11-22", "--skip-invalid", "--json",
            str(path), env=ENV)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["new_certificates"] == 3
    assert "Startdatum: 1976-03-05 is before the patient's birth 1976-03-06" in p.stderr


@pytest.mark.slow  # imports 100,000 rows
def test_an_import_keeps_its_memory_to_the_rows(tmp_path):
    """Not a benchmark (benchmarks/bench_import.py measures a million rows): a guard that the rows are
    streamed, not held as text, cells and rows at once. 100,000 rows once took 270 MB; now about 120."""
    import os
    import subprocess
    import sys

    from less_tui.core import demo

    path = tmp_path / "big.csv"
    demo.write_csv(demo.generate(dt.date(2026, 11, 23), seed=5, episodes=35_000)[:100_000], path)
    peak = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
            "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", peak, sys.executable, "-m", "less_tui", "import", "--db",
                          str(tmp_path / "x.db"), "--json", str(path)], capture_output=True, text=True,
                         env=dict(os.environ, **ENV), timeout=600)
    code, kib = map(int, out.stdout.split()[-2:])
    assert code == 0, out.stderr
    assert kib < 180 * 1024, f"peak RSS {kib // 1024} MB"


@pytest.mark.parametrize("skip", [False, True], ids=["all-or-nothing", "skip-invalid"])
def test_a_quote_closed_rows_later_stops_the_file_and_names_the_lines(tmp_path, skip):
    """A quote opened in a name and closed four rows later made those rows text in one cell: the row was
    refused for its line break, and with --skip-invalid the rows it swallowed were neither stored nor
    named (exit 0, one certificate stored of five). Now the file stops, saying which lines were one cell."""
    path = tmp_path / "quote.csv"
    rows = [f"{PNR};Sara Olsson;F32.1;2026-0{m}-01;2026-0{m}-20;100;Anna Berg" for m in range(1, 7)]
    rows[1] = rows[1].replace("Sara Olsson", '"Sara Olsson')
    rows[5] = rows[5].replace("Anna Berg", 'Anna "Berg')
    path.write_text(";".join(H) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), str(path), *(["--skip-invalid"] if skip else []), env=ENV)
    assert p.returncode == 2, p.stdout + p.stderr
    assert f"{path}:3:2: ett citattecken" in p.stderr and "raderna 3–7 lästes som en enda cell" in p.stderr
    assert _count(db) == 0


@pytest.mark.parametrize("where", ["last-row", "earlier-row"])
def test_a_quote_never_closed_stops_the_file_and_says_so(tmp_path, where):
    """A quote opened in the last row's name (or earlier, never closed) made the rest of the file one cell:
    the last row was refused with five 'empty' cells (diagnosis, dates, degree, doctor), which pointed away
    from the cause, and an earlier row's was said to close "on line 7", the end of the file. Now the file
    stops at the cell the quote opened in, saying that it is never closed."""
    path = tmp_path / "quote.csv"
    rows = [f"{PNR};Sara Olsson;F32.1;2026-0{m}-01;2026-0{m}-20;100;Anna Berg" for m in range(1, 7)]
    at = 5 if where == "last-row" else 1
    rows[at] = rows[at].replace("Sara Olsson", '"Sara Olsson')
    path.write_text(";".join(H) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), str(path), "--skip-invalid", env=ENV)
    assert p.returncode == 2, p.stdout + p.stderr
    assert f"{path}:{at + 2}:2: ett citattecken" in p.stderr, p.stderr
    assert f"stängs aldrig: resten av filen från rad {at + 2}" in p.stderr
    assert "tom, förväntade" not in p.stderr
    assert _count(db) == 0


@pytest.mark.parametrize("damage, words", [
    ("cut", "filen är trasig eller avkortad"),
    ("no-parts", "en zip-fil, men utan en arbetsboks delar"),
    ("sheet-xml", "kan inte läsa första bladet: bladets innehåll är trasigt eller avkortat"),
])
def test_a_damaged_workbook_is_told_in_words_not_by_the_library_s_error_class(tmp_path, damage, words):
    """A workbook cut short, a zip without a workbook, a sheet whose XML breaks half-way: each said
    "(BadZipFile)", "(KeyError)", "(ParseError)" to the coordinator; now what is wrong and what to do."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(H)
    for m in range(1, 10):
        ws.append([PNR, "Sara Olsson", "F32.1", f"2026-0{m}-01", f"2026-0{m}-20", 100, "Anna Berg"])
    good = io.BytesIO()
    wb.save(good)
    path = tmp_path / "intyg.xlsx"
    if damage == "cut":
        path.write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    else:
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                if damage == "no-parts" and info.filename != "docProps/app.xml":
                    continue
                if damage == "sheet-xml" and "worksheets/sheet" in info.filename:
                    data = data[: len(data) // 2]
                dst.writestr(info, data)
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), str(path), env=ENV)
    assert p.returncode == 2, p.stdout + p.stderr
    assert f"{path}:1:0: " in p.stderr and words in p.stderr, p.stderr
    assert not re.search(r"\((BadZipFile|KeyError|ParseError|\w+Error)\)", p.stderr), p.stderr
    assert "Traceback" not in p.stderr


def test_a_bare_fraction_in_a_workbook_is_no_degree(tmp_path):
    """0.5 in a General cell was stored as 50 %, while the same 0.5 (or 0,5) in a CSV is refused; the
    contract's degrees are 25, 50, 75 and 100 (a cell formatted as a percentage shows 50 % and is read so)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(H)
    ws.append([PNR, "Sara Olsson", "F32.1", "2026-10-01", "2026-10-30", 0.5, "Anna Berg"])
    path = tmp_path / "fraction.xlsx"
    wb.save(path)
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), str(path), env=ENV)
    assert p.returncode == 2, p.stderr
    assert f"{path}:2:6: " in p.stderr and "hittade 0.5; förväntade 25, 50, 75 eller 100" in p.stderr
    assert _count(db) == 0


def test_a_file_wrong_on_every_row_is_summed_up_after_the_first_hundred_problems(tmp_path):
    """A 50,000-row file with "100,0" in every degree printed 50,000 identical lines (QA helper): the first
    hundred are named, then one line says how many more in which column; --json still has every one."""
    rows = [f"{PNR};Sara Olsson;F32.1;2026-0{1 + i % 9}-01;2026-0{1 + i % 9}-20;100,0;Anna Berg" for i in range(150)]
    rows.append(f"{PNR};Sara Olsson;F32.1;2026-13-01;2026-09-20;100;Anna Berg")
    path = tmp_path / "flood.csv"
    path.write_text(";".join(H) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), str(path), env=ENV)
    assert p.returncode == 2
    lines = p.stderr.splitlines()
    assert sum(1 for ln in lines if ln.startswith(f"{path}:")) == 100
    assert "… och 51 problem till, per kolumn: Grad 50, Startdatum 1 (--json listar alla)" in lines
    assert lines[-1] == "less-tui import: 151 problem; inget sparades."
    p = cli("import", "--db", str(db), str(path), "--json", env=ENV)
    assert len(json.loads(p.stdout)["problems"]) == 151
