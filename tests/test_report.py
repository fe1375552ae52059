"""The year's improvement report: seed 004's indicator table from a synthetic clinic whose certificates
really give those shares at its six meetings; golden Markdown in both languages; Word read back; no
patient identity in any report; the command's bad input."""

import contextlib
import datetime as dt
import os
import re
import shutil
import stat

import pytest
from sqlmodel import Session

from helpers import ROOT, cli
from less_tui.config import validate
from less_tui.core import improvement as imp_core
from less_tui.core import pnr as pnrmod
from less_tui.core.importer import Row
from less_tui.services import views
from less_tui.storage import importing, repo

D = dt.date
MEETINGS = [D(2023, 2, 7), D(2023, 4, 6), D(2023, 6, 1), D(2023, 8, 15), D(2023, 10, 25), D(2023, 12, 27)]
# seed 004's results (whole per cent of 100 patients in chapters F, M and R at each meeting)
ONE_DOCTOR = [58, 58, 64, 58, 61, 60]
FULL_TIME = [55, 61, 55, 59, 58, 54]
CONTACT = [21, 23, 29, 38, 48, 43]
REHAB_PLAN = [0, 4, 9, 12, 20, 31]
SEED_ROWS = ["58 %, 58, 64, 58, 61, 60 (mål 80 %)", "55 %, 61, 55, 59, 58, 54 (mål ≤ 20 %)",
             "21 %, 23, 29, 38, 48, 43 (mål 80 %)"]
FIRST = ["Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Anders", "Sofia", "Mikael"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]
UNIT = "VC Exempel"
REKO_CALLS = [3, 5, 8, 6, 9, 12]  # the team's own count at each meeting
CONFIG_TOML = """
[less]
listed_patients = 8400
region_sick_share = 0.066
country_sick_share = 0.05

[[less.measures]]
key = "reko_calls"
name = "Antal kartläggningssamtal hos rehabkoordinator"
kind = "count"
target = 10
direction = "higher"

[[less.measures]]
key = "same_doctor_return"
name = "Andel återbesök hos samma läkare"
kind = "share"
target = 0.75
direction = "higher"
"""


def clinic_config():
    import tomllib

    return validate(tomllib.loads(CONFIG_TOML))


def clinic_rows(k: int, d: dt.date) -> list[Row]:
    """The certificates of meeting ``k``: 100 patients in chapters F/M/R ongoing at ``d`` (nobody else's
    episode is), whose doctors, degrees and coordinator statuses give the seed's counts, and 10 patients
    in chapter J who fit every indicator but are outside the population (they must not count)."""
    rows = []
    for i in range(110):
        in_population = i < 100
        one = (i < ONE_DOCTOR[k]) if in_population else True
        full = ((i * 37) % 100 < FULL_TIME[k]) if in_population else True
        contact = ((i * 61) % 100 < CONTACT[k]) if in_population else True
        plan = ((i * 17) % 100 < REHAB_PLAN[k]) if in_population else True
        pnr = pnrmod.make(D(1960, 1, 1) + dt.timedelta(days=500 * k + i), 100 + i)
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i + k) % len(LAST)]}"
        dx = ("F32.1", "M54.5", "R53.9")[i % 3] if in_population else "J06.9"
        common = dict(pnr=pnr, name=name, diagnosis_code=dx, diagnosis_text="", unit=UNIT,
                      coordinator_status="Aktiv" if contact else "-", rehab_plan="ja" if plan else "nej")
        degree = 100 if full else 50
        if one:
            rows.append(Row(line=len(rows) + 2, start=d - dt.timedelta(days=20), end=d + dt.timedelta(days=20),
                            degree=degree, doctor=f"Doktor {i % 4}", doctor_id=None, **common))
        else:  # two certificates, two doctors, one episode; the second covers the meeting
            rows.append(Row(line=len(rows) + 2, start=d - dt.timedelta(days=30), end=d - dt.timedelta(days=1),
                            degree=100, doctor=f"Doktor {i % 4}", doctor_id=None, **common))
            rows.append(Row(line=len(rows) + 2, start=d, end=d + dt.timedelta(days=20), degree=degree,
                            doctor=f"Doktor {(i % 4) + 4}", doctor_id=None, **common))
    return rows


def build_clinic(engine, cfg) -> list[tuple[str, str]]:
    """Import each period's certificates as of its meeting, hold and close the meeting (which freezes the
    counts computed from those certificates); add the team's problems, ideas and cycles. Returns the
    patients (personnummer, name)."""
    from less_tui.services.improvement import ImprovementService

    people = []
    for k, d in enumerate(MEETINGS):
        rows = clinic_rows(k, d)
        people += [(r.pnr, r.name) for r in rows]
        importing.store(engine, cfg, [(f"intyg-{d}.csv", f"{k:064d}", "intyg", len(rows), 0, rows)], d)
        with Session(engine, expire_on_commit=False) as s:
            unit = repo.get_unit(s, UNIT)
            views.create_meeting(s, cfg, unit, d)
            s.commit()
        typed = {"reko_calls": str(REKO_CALLS[k])}
        if k != 2:  # one meeting without the share: the report says so (–)
            typed["same_doctor_return"] = f"{10 + 2 * k}/40"
        ImprovementService(engine, cfg).set_measures(d, typed)
        with Session(engine, expire_on_commit=False) as s:
            unit = repo.get_unit(s, UNIT)
            views.close_meeting(s, cfg, unit, repo.meeting_at(s, unit.id, d))
            s.commit()
    svc = ImprovementService(engine, cfg)
    with entered_on(D(2023, 2, 7)):
        add_work(svc)
    # the roll-out: trainings by the year's end count, the year's supervision sessions are listed
    svc.add_training("Jessica Bylund", "Försäkringsmedicin grundkurs", D(2022, 11, 10))
    svc.add_training("Kerstin Bronner", "LESS för rehabkoordinatorer", D(2023, 3, 2))
    svc.add_training("Sara Lindqvist", "Försäkringsmedicin för fysioterapeuter", D(2023, 9, 14))
    svc.add_training("Niran El Kouni", "Försäkringsmedicin grundkurs", D(2024, 2, 1))  # the year after
    svc.add_supervision(D(2022, 12, 1), 60, "Anna Handledare", ["Jessica Bylund"])  # the year before
    svc.add_supervision(D(2023, 3, 15), 90, "Anna Handledare", ["Jessica Bylund", "Kerstin Bronner"])
    svc.add_supervision(D(2023, 5, 3), 60, "Olof Handledare", ["Jessica Bylund", "Kerstin Bronner", "Sara Lindqvist"])
    # entered the year after: not in the 2023 report (a problem, and a cycle of a 2023 idea)
    with entered_on(D(2024, 3, 1)):
        svc.add_idea(svc.add_problem("Långa väntetider till fysioterapeut"), "Direktbokning", ["full_time"])
        svc.add_cycle(svc.ids()["2.1"], plan="Läkaren bokar i tre veckor", start=D(2024, 3, 4))
    return people


@contextlib.contextmanager
def entered_on(day: dt.date):
    """Rows entered as if on ``day`` (the clock's fixed date), whatever the test's date is."""
    old = os.environ.get("LESS_TUI_TODAY")
    os.environ["LESS_TUI_TODAY"] = day.isoformat()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("LESS_TUI_TODAY", None)
        else:
            os.environ["LESS_TUI_TODAY"] = old


def add_work(svc) -> None:
    svc.add_problem("Läkarnas kalendrar är fullbokade; tid för rehabplan saknas")
    svc.add_problem("Rutiner för återbesök saknas")
    ids = svc.ids()
    fmt = svc.add_idea(ids["1"], "Införa ett försäkringsmedicinskt team", ["one_doctor", "coordinator_contact"],
                       status="introduced")
    svc.add_cycle(fmt, plan="Möte en gång i månaden", do="Teamet har träffats", study="Fler ärenden följs upp",
                  act="Fortsätt, 45 minuter", owner="Kerstin Bronner", start=D(2023, 2, 7), end=D(2023, 6, 1),
                  result="Infört")
    svc.add_idea(ids["1"], "Blankett för rehabplan", ["rehab_plan"], status="ended")
    svc.add_idea(ids["2"], "Läkaren bokar återbesöket själv", ["one_doctor"], status="testing")
    svc.add_idea(ids["2"], "Tvärprofessionella konferenser", [])


@pytest.fixture(scope="module")
def clinic_db(tmp_path_factory):
    from less_tui.storage.db import open_engine

    path = tmp_path_factory.mktemp("report") / "clinic.db"
    engine = open_engine(f"sqlite:///{path}")
    people = build_clinic(engine, clinic_config())
    engine.dispose()
    return path, people


@pytest.fixture
def db(clinic_db, tmp_path):
    path, people = clinic_db
    copy = tmp_path / "clinic.db"
    shutil.copy(path, copy)
    (tmp_path / "config.toml").write_text(CONFIG_TOML, encoding="utf-8")  # ./config.toml: the commands read it
    return copy, people


def _no_identities(text: str, people) -> None:
    assert people
    for pnr, name in people:
        assert pnr not in text and pnr.replace("-", "") not in text and pnr[2:] not in text
        assert name not in text, name


def test_seed_004_table_from_the_clinics_meetings(engine):
    """SQLite and PostgreSQL: the six closed meetings give the seed's three rows."""
    from less_tui.exports.report import render_md
    from less_tui.services.improvement import ImprovementService

    cfg = clinic_config()
    build_clinic(engine, cfg)
    r = ImprovementService(engine, cfg).report(2023)
    assert r.meetings == MEETINGS
    rows = {row.key: row for row in r.indicators}
    assert [v.denominator for v in rows["one_doctor"].values] == [100] * 6  # chapter J is outside
    got = [f"{rows[k].series()} (mål {imp_core.target_text(rows[k].target, rows[k].direction)})"
           for k in ("one_doctor", "full_time", "coordinator_contact")]
    assert got == SEED_ROWS
    md = render_md(r)
    for line in SEED_ROWS:
        assert line in md
    # only the work of that year: the problem entered in 2024 and the cycle started then are not in it
    assert [p.number for p in r.problems] == [1, 2]
    assert [c.plan for p in r.problems for i in p.ideas for c in i.cycles] == ["Möte en gång i månaden"]
    assert "Långa väntetider" not in md and "tre veckor" not in md
    # a meeting of the year after is not in the indicator table
    with Session(engine, expire_on_commit=False) as s:
        unit = repo.get_unit(s, UNIT)
        views.create_meeting(s, cfg, unit, D(2024, 2, 6))
        s.commit()
        views.close_meeting(s, cfg, unit, repo.meeting_at(s, unit.id, D(2024, 2, 6)))
        s.commit()
    r = ImprovementService(engine, cfg).report(2023)
    assert r.meetings == MEETINGS and all(len(row.values) == 6 for row in r.indicators)
    r2024 = ImprovementService(engine, cfg).report(2024)
    assert r2024.meetings == [D(2024, 2, 6)] and [p.number for p in r2024.problems] == [1, 2, 3]
    # the year before has no closed meeting
    from less_tui.services.improvement import NoClosedMeeting

    with pytest.raises(NoClosedMeeting):
        ImprovementService(engine, cfg).report(2022)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_markdown_golden(db, lang):
    path, people = db
    md = cli("report", "--year", "2023", "--lang", lang, "--db", str(path), check=True).stdout
    golden = ROOT / "tests" / "golden" / f"report-2023-{lang}.md"
    if os.environ.get("LESS_TUI_UPDATE_GOLDEN"):
        golden.write_text(md, encoding="utf-8")
    assert md == golden.read_text(encoding="utf-8")
    _no_identities(md, people)
    if lang == "sv":
        for line in SEED_ROWS:
            assert line in md
        # the team's own measures, as entered at each meeting and frozen when it closed
        assert "Antal kartläggningssamtal hos rehabkoordinator: 3, 5, 8, 6, 9, 12 (mål 10)" in md
        # a share with its sign at every meeting; only the meetings where a value was entered
        assert "Andel återbesök hos samma läkare: 25 %, 30 %, 40 %, 45 %, 50 % (mål 75 %)" in md
        assert ("| Andel återbesök hos samma läkare | 25 % | 2023-02-07 | ≥ 75 % | 30 %, 40 %, 45 %, 50 % "
                "| 2023-04-06, 2023-08-15, 2023-10-25, 2023-12-27 | teamets räkning vid mötet |") in md
        # ongoing episodes of every chapter (110 at each meeting) of 8 400 listed, beside the region and country
        assert "2023-02-07: 1,3 % (110 pågående sjukfall av 8400 listade)" in md
        assert "Som jämförelse: regionen 6,6 %, riket 5,0 %." in md
        # training and supervision: who is trained by the year's end, the year's sessions
        assert "Utbildade i försäkringsmedicin vid årets slut: 1 läkare, 2 andra professioner." in md
        assert "| 2023-09-14 | Sara Lindqvist | annan profession | Försäkringsmedicin för fysioterapeuter |" in md
        assert "| 2023-05-03 | 60 | Olof Handledare | 3 |" in md
        assert "Niran El Kouni | läkare" not in md and "2022-12-01" not in md
    else:
        assert "58 %, 58, 64, 58, 61, 60 (target 80 %)" in md
        assert "55 %, 61, 55, 59, 58, 54 (target ≤ 20 %)" in md
        assert "Förbättringsarbete" not in md
        assert "Trained in insurance medicine by the year's end: 1 doctor, 2 other professions." in md


def test_word_report_read_back(db, tmp_path):
    from docx import Document

    path, people = db
    out = tmp_path / "rapport.docx"
    p = cli("report", "--year", "2023", "--format", "docx", "-o", str(out), "--db", str(path), check=True)
    assert str(out) in p.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    doc = Document(str(out))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells][:4] == ["Indikatornamn", "Startläge", "Datum för startläge", "Mål"]
    body = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    one = body["Andel med endast en läkare i sjukskrivningen"]
    assert one[1:4] == ["58 %", "2023-02-07", "≥ 80 %"]  # the target column says the direction
    assert one[4].split("\n") == ["58 %", "64 %", "58 %", "61 %", "60 %"]
    assert one[5].split("\n") == [d.isoformat() for d in MEETINGS[1:]]
    assert one[6] == "less-tui, intygsdata"
    assert body["Andel heltidssjukskrivna"][3] == "≤ 20 %"
    per_meeting = doc.tables[1]
    assert [r.cells[0].text for r in per_meeting.rows[1:]] == [d.isoformat() for d in MEETINGS]
    # a run chart per indicator (PNG pictures in the document)
    pics = [r for r in doc.part.rels.values() if "image" in r.reltype]
    assert len(pics) == 4 + 2  # the four indicators and the team's two measures
    assert all(r.target_part.blob[:8] == b"\x89PNG\r\n\x1a\n" for r in pics)
    text = "\n".join(par.text for par in doc.paragraphs)
    text += "\n".join(c.text for tb in doc.tables for row in tb.rows for c in row.cells)
    assert "1.1 Införa ett försäkringsmedicinskt team" in text or "1.1: Införa ett försäkringsmedicinskt team" in text
    assert "Planera: Möte en gång i månaden" in text
    assert "Utbildade i försäkringsmedicin vid årets slut: 1 läkare, 2 andra professioner." in text
    trained, sessions = doc.tables[-2], doc.tables[-1]
    assert [c.text for c in trained.rows[1].cells] == ["2022-11-10", "Jessica Bylund", "läkare",
                                                      "Försäkringsmedicin grundkurs"]
    assert [[c.text for c in r.cells] for r in sessions.rows] == [
        ["Datum", "Minuter", "Ledd av", "Antal deltagare"], ["2023-03-15", "90", "Anna Handledare", "2"],
        ["2023-05-03", "60", "Olof Handledare", "3"]]
    _no_identities(text, people)


def test_excel_report(db, tmp_path):
    from openpyxl import load_workbook

    path, people = db
    out = tmp_path / "rapport.xlsx"
    cli("report", "--year", "2023", "--format", "xlsx", "-o", str(out), "--db", str(path), check=True)
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    dates = [c.value.date() if hasattr(c.value, "date") else c.value for c in ws["A"][1:7]]
    assert dates == MEETINGS
    assert [ws.cell(row=2 + n, column=3).value for n in range(6)] == [v / 100 for v in ONE_DOCTOR]
    assert [ws.cell(row=2 + n, column=5).value for n in range(6)] == [v / 100 for v in FULL_TIME]
    assert len(ws._charts) == 4
    roll = wb[wb.sheetnames[-1]]
    assert roll["A1"].value == "Utbildade i försäkringsmedicin vid årets slut: 1 läkare, 2 andra professioner."
    assert [c.value for c in roll[roll.max_row]][:4] == [dt.datetime(2023, 5, 3), 60, "Olof Handledare", 3]
    cells = " ".join(str(c.value) for sheet in wb.worksheets for row in sheet.iter_rows() for c in row if c.value)
    _no_identities(cells, people)


def test_default_file_in_export_folder(db):
    path, _ = db
    p = cli("report", "--year", "2023", "--format", "docx", "--db", str(path), check=True)
    out = path.parent / "exports" / "forbattringsarbete-VC_Exempel-2023.docx"
    assert out.is_file() and str(out) in p.stderr
    p = cli("report", "--year", "2023", "--format", "md", "--lang", "en", "-o", str(path.parent / "r.md"),
            "--db", str(path), check=True)
    assert (path.parent / "r.md").read_text(encoding="utf-8").startswith("# Improvement work 2023")


@pytest.mark.parametrize("args,needle", [
    (["--year", "23"], "--year '23'"),
    (["--year", "٢٠٢٣"], "--year"),
    (["--year", "2023", "--format", "html"], "--format 'html'"),
    (["--year", "2019"], "inget stängt möte år 2019"),
])
def test_bad_input_is_one_line_exit_2(db, args, needle):
    path, _ = db
    p = cli("report", *args, "--db", str(path))
    assert p.returncode == 2, p.stderr
    assert needle in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_symlink_target_refused(db, tmp_path):
    path, _ = db
    target = tmp_path / "elsewhere.md"
    link = tmp_path / "link.md"
    link.symlink_to(target)
    p = cli("report", "--year", "2023", "-o", str(link), "--db", str(path))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert not target.exists()


def test_missing_database_is_refused(tmp_path):
    p = cli("report", "--year", "2023", "--db", str(tmp_path / "nope.db"))
    assert p.returncode == 2 and "nope.db" in p.stderr


def test_report_reads_no_patient(db):
    """The report is made from frozen counts (and, for the sick-listed share, a count of ongoing episodes):
    it never reads the patients table, where personnummer and names are."""
    from less_tui.services.improvement import ImprovementService
    from less_tui.storage.db import open_engine
    from sqlalchemy import event

    path, _ = db
    engine = open_engine(f"sqlite:///{path}")
    seen = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    ImprovementService(engine, clinic_config()).report(2023)
    engine.dispose()
    assert seen and not any(re.search(r"\b(FROM|JOIN)\s+patients\b", q, re.I)
                            for q in seen)


@pytest.mark.parametrize("module", ["less_tui.core.improvement", "less_tui.storage.improvement",
                                    "less_tui.services.improvement", "less_tui.exports.report"])
def test_report_modules_do_not_import_textual_or_rich(module):
    import subprocess
    import sys

    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'textual_plotext')); "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"{module} pulled in {out}"


def test_work_of_a_year():
    """Problems entered by the year's end; ideas not ended before it; cycles that overlap it."""
    c = imp_core.CycleLine("p", "", "", "", "", None, None, "")
    cyc = [c.__class__(**{**c.__dict__, "start": D(2022, 3, 1), "end": D(2022, 6, 1)}),   # ended before 2023
           c.__class__(**{**c.__dict__, "start": D(2022, 11, 1), "end": D(2023, 1, 1)}),  # overlaps
           c.__class__(**{**c.__dict__, "start": None, "created": D(2023, 5, 1)}),        # no dates: entered
           c.__class__(**{**c.__dict__, "start": D(2024, 1, 2)})]                         # after
    ideas = [imp_core.IdeaLine("1.1", "a", "ended", (), tuple(cyc), created=D(2022, 1, 1), changed=D(2022, 9, 1)),
             imp_core.IdeaLine("1.2", "b", "ended", (), tuple(cyc), created=D(2022, 1, 1), changed=D(2023, 3, 1)),
             imp_core.IdeaLine("1.3", "c", "testing", (), (), created=D(2024, 1, 5))]
    work = [imp_core.ProblemLine(1, "P1", tuple(ideas), created=D(2022, 1, 1)),
            imp_core.ProblemLine(2, "P2", (ideas[0],), created=D(2022, 1, 1)),  # its only idea ended in 2022
            imp_core.ProblemLine(3, "P3", (), created=D(2023, 12, 31)),
            imp_core.ProblemLine(4, "P4", (), created=D(2024, 1, 1)),
            imp_core.ProblemLine(5, "P5", (ideas[2],), created=D(2023, 6, 1))]  # its idea came in 2024
    got = imp_core.of_year(work, 2023)
    assert [p.number for p in got] == [1, 3, 5] and got[2].ideas == ()
    assert [i.code for i in got[0].ideas] == ["1.2"]
    assert [x.start for x in got[0].ideas[0].cycles] == [D(2022, 11, 1), None]
    assert [p.number for p in imp_core.of_year(work, 2024)] == [1, 3, 4, 5]


def test_indicator_and_measure_rows_share_their_series():
    from less_tui.core.indicators import Value

    values = (Value(58, 100), None, Value(64, 100))
    dates = (D(2023, 2, 7), D(2023, 4, 6), D(2023, 6, 1))
    ind = imp_core.IndicatorRow(key="one_doctor", target=0.8, direction="higher", values=values)
    share = imp_core.MeasureRow(key="m", target=0.8, direction="higher", values=values, name="Andel x", kind="share",
                                dates=dates)
    count = imp_core.MeasureRow(key="c", target=10, direction="higher", values=(Value(3, 0), None), name="Antal",
                                kind="count", dates=dates[:2])
    assert ind.series("sv") == "58 %, –, 64"
    # a measure lists only the meetings where it was entered, a share with its sign at each
    assert share.series("sv") == "58 %, 64 %" and share.entered() == [(dates[0], values[0]), (dates[2], values[2])]
    assert ind.start == share.start == Value(58, 100) and ind.shares() == share.shares() == [0.58, None, 0.64]
    assert count.series("sv") == "3" and count.shares() == [None, None]
    assert imp_core.IndicatorRow(key="k", target=0.8, direction="higher", values=()).series() == "–"


def test_measure_entered_at_only_some_meetings():
    """The start value is the year's first meeting with a value (and its date), the results only the later
    meetings with one, a share with its sign; a measure never entered in the year says so in words."""
    from less_tui.core.indicators import Value
    from less_tui.exports import report as rep
    from less_tui.i18n import set_language

    dates = tuple(MEETINGS)
    later = (None, None, Value(12, 40), None, Value(18, 40), None)
    counts = (None, None, None, None, None, Value(7, 0))
    measures = [imp_core.MeasureRow(key="s", target=0.8, direction="higher", values=later, dates=dates,
                                    name="Andel återbesök", kind="share"),
                imp_core.MeasureRow(key="c", target=5, direction="lower", values=counts, dates=dates,
                                    name="Antal avbokade", kind="count"),
                imp_core.MeasureRow(key="n", target=10, direction="higher", values=(None,) * 6, dates=dates,
                                    name="Antal aldrig", kind="count")]
    r = imp_core.Report(year=2023, clinic="VC", unit=UNIT, team=[], meetings=list(MEETINGS), indicators=[],
                        measures=measures)
    _heads, rows = rep.measure_table(r)
    assert rows[0][:6] == ["Andel återbesök", "30 %", "2023-06-01", "≥ 80 %", ["45 %"], ["2023-10-25"]]
    assert rows[1][:6] == ["Antal avbokade", "7", "2023-12-27", "≤ 5", ["–"], ["–"]]
    assert rows[2][:6] == ["Antal aldrig", "ej angivet under året", "–", "≥ 10", ["–"], ["–"]]
    assert [rep.measure_line(m) for m in measures] == [
        "30 %, 45 % (mål 80 %)", "7 (mål ≤ 5)", "ej angivet vid något möte under året (mål 10)"]
    set_language("en")
    _heads, rows = rep.measure_table(r)
    assert rows[2][1] == "not entered in the year"
    assert [rep.measure_line(m) for m in measures] == [
        "30 %, 45 % (target 80 %)", "7 (target ≤ 5)", "not entered at any meeting in the year (target 10)"]
