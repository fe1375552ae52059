"""Writes the hostile-input files in hostile/ (run once; the files are committed).

Text from files and keyboards is only text. The payloads here are what a careless export, a
copy-paste from a web page or an attacker puts in a name, a diagnosis, a doctor, a plan or an action:

- ``hostile.csv`` imports cleanly (markup is text, not an error). Its names, diagnosis texts and
  doctors hold Rich/Textual markup (``[/]``, ``[bold]``, ``[@click=app.quit]``, ``[link=…]``),
  Markdown (headings, tables, checklist items) and raw HTML. The app must show them literally and
  stay up; the minutes must not turn them into structure.
- ``controls.csv``, ``controls-cp1252.csv``, ``controls.xlsx``: control characters (OSC 52, ESC[2J,
  NUL, C1 CSI, BEL, DEL, a line break in a cell). Refused at import, ``FILE:LINE:COLUMN`` each.
- ``digits.csv``: digits outside 0-9 in a personnummer, a date, a degree and a diagnosis code.
- ``mixed-encodings.csv`` / ``mixed-encodings-2.csv``: UTF-8 and Windows-1252 lines in one file.

``PROBLEMS`` lists, per refused file, the (line, column) of every problem ``less-tui import`` must
name; ``ONLY`` is a fragment of the message. ``PLAN``, ``KIND``, ``OWNER``, ``ATTENDEE`` and
``CONTROL_TEXTS`` are the typed-text payloads the TUI and export tests use.
"""

from pathlib import Path

HERE = Path(__file__).parent / "hostile"
H = "Personnummer;Namn;Diagnos;Startdatum;Slutdatum;Grad;Läkare"

# Luhn-valid, invented (born 1970-1975), one per hostile patient
PNRS = ["19700101-1001", "19710202-1016", "19720303-1021", "19730404-1036", "19740505-1041",
        "19750606-1055"]

# (name, diagnosis, doctors of the three certificates)
PATIENTS = [
    ("[/] Ek", "F43.8 [/] utmattning", ("Dr [/]", "[bold]Dr Bo", "[@click=app.quit]Dr Al")),
    ("[bold]Bo Ek", "F32.1 [bold]nedstämdhet", ("[link=https://evil.example]Dr Li[/link]", "Dr [/]", "# Dr Rubrik")),
    ("[@click=app.quit]Al", "M54.5 [@click=app.screenshot()]ryggont", ("| Dr | Tabell |", "Dr [/]", "<b>Dr Html</b>")),
    ("[link=https://evil.example]Li[/link]", "F41.1 <script>alert(1)</script>",
     ("- [ ] Dr Kryss", "Dr [/]", "[bold]Dr Bo")),
    ("[/ Ny", "R53.9 # Rubrik", ("Dr [/]", "[@click=app.quit]Dr Al", "<b>Dr Html</b>")),
    ("# Rubrik <b>Ada</b> | x |", "F43.2 | a | b |", ("Dr [/]", "# Dr Rubrik", "- [ ] Dr Kryss")),
]
# three certificates back to back, 100 %, three doctors: long, full-time, several doctors (in the queue)
PERIODS = [("2026-03-02", "2026-05-31"), ("2026-06-01", "2026-08-31"), ("2026-09-01", "2026-12-31")]

# what the meeting types in the app (tests type these with the keyboard)
PLAN = "[/] [bold]fet[/bold] [@click=app.quit]klick[/] [link=https://evil.example]länk[/link]"
KIND = "[/]"
OWNER = "[@click=app.quit]Ag"
ATTENDEE = "[/] Ek Närvarande"
# what a Markdown plan must not become (one per line)
MD_PLAN = "\n".join([
    "# Rubrik",
    "| a | b |",
    "|---|---|",
    "- [ ] kryss",
    "<script>alert(1)</script>",
    "1. lista",
    "> citat",
    "---",
    "**fet** _kursiv_ `kod` [länk](https://evil.example) ![bild](x.png) ~~struken~~ &amp;",
])
# text with control characters (from an old database or a paste): removed before it is written anywhere
CONTROL_TEXTS = ["Eva\x1b]52;c;SGVsbG8=\x07 Berg", "Bo\x1b[2J Ek", "Anna\x00Berg", "Li\x9b31m Ny", "Al\x07\x7f"]


def hostile_csv() -> str:
    lines = [H]
    for pnr, (name, dx, doctors) in zip(PNRS, PATIENTS):
        for (start, end), doctor in zip(PERIODS, doctors):
            lines.append(";".join(_q(v) for v in (pnr, name, dx, start, end, "100", doctor)))
    return "\n".join(lines) + "\n"


def _q(v: str) -> str:
    return f'"{v}"' if any(c in v for c in ';"\n') else v


OK = "19760306-4192;Sara Olsson;R53.9;2026-09-11;2026-10-24;100%;Anna Berg"
CONTROLS_CSV = "\n".join([
    H,
    '19760306-4192;"Eva\x1b]52;c;SGVsbG8=\x07 Berg";R53.9;2026-09-11;2026-10-24;100%;Anna Berg',  # OSC 52
    "19760306-4192;Bo\x1b[2J Ek;R53.9;2026-09-11;2026-10-24;100%;Anna Berg",  # CSI: clear the screen
    "19760306-4192;Sara Olsson;R53.9;2026-09-11;2026-10-24;100%;Anna\x00Berg",  # NUL
    "19760306-4192;Sara Olsson;F43.8 \x9b31m;2026-09-11;2026-10-24;100%;Anna Berg",  # C1 CSI
    "19760306-4192;Al\x07;R53.9;2026-09-11;2026-10-24;100%;Anna Berg",  # BEL
    '19760306-4192;"Li\nNy";R53.9;2026-09-11;2026-10-24;100%;Anna Berg',  # a line break in a cell
    "19760306-4192;Ida\x7f;R53.9;2026-09-11;2026-10-24;100%;Anna Berg",  # DEL
    "19760306-4192;Tor\tEk;R53.9;2026-09-11;2026-10-24;100%;Anna Berg",  # tab in free text: allowed
]) + "\n"
CONTROLS_CP1252 = (H + "\r\n19760306-4192;Åsa\x1b[2J Öberg;R53.9;2026-09-11;2026-10-24;100%;Sven Åkerlund\r\n")
DIGITS_CSV = "\n".join([
    H,
    "１９７６０３０６-４１９２;Sara Olsson;R53.9;2026-09-11;2026-10-24;100%;Anna Berg",  # full-width
    "19760306-4192;Sara Olsson;R53.9;٢٠٢٦-٠٩-١١;2026-10-24;100%;Anna Berg",  # Arabic-Indic
    "19760306-4192;Sara Olsson;R53.9;2026-09-11;2026-10-24;１００;Anna Berg",  # full-width degree
    "19760306-4192;Sara Olsson;F４３.8;2026-09-11;2026-10-24;100%;Anna Berg",  # full-width in a code
    OK,
]) + "\n"
# UTF-8 header and first row, then a row as Windows-1252 (two files pasted together)
MIXED = (H + "\n" + OK.replace("Anna Berg", "Sven Åkerlund") + "\n").encode("utf-8") + \
    (OK.replace("Anna Berg", "Sven Åkerlund").replace("19760306-4192", "19700101-1001") + "\n").encode("cp1252")
# the other way round: Windows-1252 first, a UTF-8 line on line 3
MIXED_2 = (H + "\r\n" + OK.replace("Anna Berg", "Sven Åkerlund") + "\r\n").encode("cp1252") + \
    (OK.replace("Sara Olsson", "Åsa Öberg") + "\r\n").encode("utf-8")

PROBLEMS = {
    "controls.csv": [(2, 2), (3, 2), (4, 7), (5, 3), (6, 2), (7, 2), (9, 2)],
    "controls-cp1252.csv": [(2, 2)],
    "controls.xlsx": [(2, 2), (3, 7)],
    "digits.csv": [(2, 1), (3, 4), (4, 6), (5, 3)],
    "mixed-encodings.csv": [(3, 7)],
    "mixed-encodings-2.csv": [(3, 2)],
}
ONLY = {
    "controls.csv": "styrtecknet", "controls-cp1252.csv": "U+001B (ESC)", "controls.xlsx": "styrtecknet",
    "digits.csv": "inte är 0-9", "mixed-encodings.csv": "blandar två teckenkodningar",
    "mixed-encodings-2.csv": "blandar två teckenkodningar",
}


def controls_xlsx(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(H.split(";"))
    ws.append(["19760306-4192", "Bo\x9b2J Ek", "R53.9", "2026-09-11", "2026-10-24", 100, "Anna Berg"])  # C1
    ws.append(["19760306-4192", "Sara Olsson", "R53.9", "2026-09-11", "2026-10-24", 100, "Anna\nBerg"])  # Alt+Enter
    wb.save(path)


def main() -> None:
    HERE.mkdir(exist_ok=True)
    (HERE / "hostile.csv").write_text(hostile_csv(), encoding="utf-8")
    (HERE / "controls.csv").write_bytes(CONTROLS_CSV.encode("utf-8"))
    (HERE / "controls-cp1252.csv").write_bytes(CONTROLS_CP1252.encode("cp1252"))
    (HERE / "digits.csv").write_bytes(DIGITS_CSV.encode("utf-8"))
    (HERE / "mixed-encodings.csv").write_bytes(MIXED)
    (HERE / "mixed-encodings-2.csv").write_bytes(MIXED_2)
    controls_xlsx(HERE / "controls.xlsx")


if __name__ == "__main__":
    main()
