"""Writes the malformed import files in malformed/ (run once; the files are committed).

Every file here must make `less-tui import` exit 2 with a FILE:LINE:COLUMN message and
store nothing. EXPECT maps each file to a fragment its message must contain (in Swedish, the
default language; tests/test_cli.py checks a few in English with --lang en).
"""

from pathlib import Path

HERE = Path(__file__).parent / "malformed"
H = "Personnummer;Namn;Diagnos;Startdatum;Slutdatum;Grad;Läkare"
OK = "19760306-4192;Sara Olsson;R53.9;2026-09-11;2026-10-24;100%;Anna Berg"

CSV = {
    "excel_pnr_scientific.csv": f"{H}\n1.9820101E+11;Sara Olsson;R53.9;2026-09-11;2026-10-24;100%;Anna Berg\n",
    "date_as_number.csv": f"{H}\n19760306-4192;Sara Olsson;R53.9;45123;2026-10-24;100%;Anna Berg\n",
    "empty.csv": "",
    "only_whitespace.csv": "\n\n   \n",
    "wrong_header.csv": "a;b;c\n1;2;3\n",
    "duplicated_column.csv": f"{H};Personnummer\n{OK};19760306-4192\n",
    "bad_luhn.csv": f"{H}\n19760306-4193;Sara Olsson;R53.9;2026-09-11;2026-10-24;100%;Anna Berg\n",
    "impossible_date.csv": f"{H}\n19760306-4192;Sara Olsson;R53.9;2026-02-30;2026-10-24;100%;Anna Berg\n",
    "end_before_start.csv": f"{H}\n19760306-4192;Sara Olsson;R53.9;2026-10-11;2026-09-24;100%;Anna Berg\n",
    "bad_degree.csv": f"{H}\n19760306-4192;Sara Olsson;R53.9;2026-09-11;2026-10-24;60%;Anna Berg\n",
    "no_icd_code.csv": f"{H}\n19760306-4192;Sara Olsson;Lumbago;2026-09-11;2026-10-24;100%;Anna Berg\n",
    "missing_doctor.csv": f"{H}\n19760306-4192;Sara Olsson;R53.9;2026-09-11;2026-10-24;100%;\n",
    "bad_coordinator_status.csv": f"{H};Rekostatus\n{OK};Klar\n",
    "bad_rehab_plan.csv": f"{H};Rehabplan\n{OK};kanske\n",
    "header_only.csv": f"{H}\n",
    "missing_required_column.csv": "Personnummer;Diagnos;Startdatum;Slutdatum;Läkare\n19760306-4192;R53.9;2026-09-11;2026-10-24;Anna Berg\n",
    "swedish_date_format.csv": f"{H}\n19760306-4192;Sara Olsson;R53.9;11/09/2026;2026-10-24;100%;Anna Berg\n",
    "datetime_text.csv": f"{H}\n19760306-4192;Sara Olsson;R53.9;2026-09-11 00:00:00;2026-10-24;100%;Anna Berg\n",
    "born_after_as_of.csv": f"{H}\n20991231-0000;Sara Olsson;R53.9;2026-09-11;2026-10-24;100%;Anna Berg\n",
    "many_bad_rows.csv": (f"{H}\n{OK}\n19760306-4193;A B;R53.9;2026-09-11;2026-10-24;100%;Anna Berg\n{OK.replace('100%', '110')}\n"
                         f"19760306-4192;A B;X;2026-09-11;2026-10-24;100%;Anna Berg\n"),
    "bad_occupation.csv": f"{H};Sysselsättning\n{OK};Pensionär\n",
    "tab_bad_degree.csv": H.replace(";", "\t") + "\n" + OK.replace(";", "\t").replace("100%", "halv") + "\n",
    "comma_bad_date.csv": H.replace(";", ",") + "\n" + OK.replace(";", ",").replace("2026-09-11", "2026-9-11") + "\n",
    "formula_in_csv.csv": f"{H}\n=HYPERLINK(\"x\");Sara Olsson;R53.9;2026-09-11;2026-10-24;100%;Anna Berg\n",
    "samordningsnummer_bad.csv": f"{H}\n19760366-4190;Sara Olsson;R53.9;2026-09-11;2026-10-24;100%;Anna Berg\n",
}
BINARY = {
    "binary.csv": bytes(range(256)) * 4,
    "utf16.csv": (H + "\n" + OK + "\n").encode("utf-16"),
    "report.pdf.csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "old_excel.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
    "corrupt.xlsx": b"PK\x03\x04" + b"not really a zip" * 20,
    "cp1252_bad_pnr.csv": (H + "\r\n19760306-419;Åsa Öberg;R53.9;2026-09-11;2026-10-24;100%;Sven Åkerlund\r\n").encode("cp1252"),
}

EXPECT = {
    "excel_pnr_scientific.csv": ":2:1:", "date_as_number.csv": ":2:4:", "empty.csv": "tom",
    "only_whitespace.csv": "tom", "wrong_header.csv": "saknar kolumn", "duplicated_column.csv": "två gånger",
    "bad_luhn.csv": "Luhn", "impossible_date.csv": "inte är ett datum i kalendern", "end_before_start.csv": "före Startdatum",
    "bad_degree.csv": "25, 50, 75 eller 100", "no_icd_code.csv": "ICD-10", "missing_doctor.csv": ":2:7:",
    "bad_coordinator_status.csv": "Kontaktad", "bad_rehab_plan.csv": "ja eller nej", "header_only.csv": "inga intygsrader",
    "missing_required_column.csv": "saknar kolumnen Grad", "swedish_date_format.csv": "ÅÅÅÅ-MM-DD",
    "datetime_text.csv": "ÅÅÅÅ-MM-DD",
    "born_after_as_of.csv": ":2:1:", "many_bad_rows.csv": ":5:3:", "bad_occupation.csv": "Arbetssökande",
    "tab_bad_degree.csv": ":2:6:", "comma_bad_date.csv": ":2:4:", "formula_in_csv.csv": "formeln",
    "samordningsnummer_bad.csv": ":2:1:", "binary.csv": "binär", "utf16.csv": "UTF-16",
    "report.pdf.csv": "inte en CSV", "old_excel.xls": "inte en CSV", "corrupt.xlsx": "XLSX",
    "cp1252_bad_pnr.csv": ":2:1:", "formula_cells.xlsx": "formeln", "xlsx_date_serial.xlsx": ":2:4:",
    "xlsx_no_header.xlsx": "saknar kolumn",
}


def xlsx() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(H.split(";"))
    ws.append(["19760306-4192", "Sara Olsson", "R53.9", "2026-09-11", "=TODAY()", "100%", "Anna Berg"])
    wb.save(HERE / "formula_cells.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(H.split(";"))
    ws.append(["19760306-4192", "Sara Olsson", "R53.9", 45123, "2026-10-24", 100, "Anna Berg"])
    wb.save(HERE / "xlsx_date_serial.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["19760306-4192", "Sara Olsson", "R53.9", "2026-09-11", "2026-10-24", 100, "Anna Berg"])
    wb.save(HERE / "xlsx_no_header.xlsx")


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    for name, text in CSV.items():
        (HERE / name).write_text(text, encoding="utf-8")
    for name, data in BINARY.items():
        (HERE / name).write_bytes(data)
    xlsx()
