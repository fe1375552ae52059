"""The team's own measures in the minutes (md, html, docx): each measure's value at the meeting, at the
previous closed meeting, the change, the target with its direction and whether it is met; a measure
not entered says so. Without measures the minutes have no such section (the goldens hold that)."""

import datetime as dt
import tomllib

import pytest
from sqlmodel import Session

from less_tui.config import validate
from less_tui.exports import files
from less_tui.services import views
from less_tui.services.improvement import ImprovementService
from less_tui.storage import repo
from less_tui.storage.db import open_engine

D = dt.date
UNIT = "VC Exempel"
CONFIG_TOML = """
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
# (meeting, values typed, closed): the third meeting has no share entered
MEETINGS = [(D(2023, 2, 7), {"reko_calls": "3", "same_doctor_return": "10/40"}, True),
            (D(2023, 4, 6), {"reko_calls": "12", "same_doctor_return": "12/40"}, True),
            (D(2023, 6, 1), {"reko_calls": "5"}, False)]

LINES = {
    "sv": ["## Teamets egna mått",
           "| Mått | Nu | Förra mötet | Förändring | Mål | Mål nått |",
           "| Antal kartläggningssamtal hos rehabkoordinator | 12 | 3 | ↑ +9 (bättre) | ≥ 10 | ja |",
           "| Andel återbesök hos samma läkare | 12/40 30 % | 10/40 25 % | ↑ +5,0 p.e. (bättre) | ≥ 75 % | nej |"],
    "en": ["## The team's own measures",
           "| Measure | Now | Last meeting | Change | Target | On target |",
           "| Antal kartläggningssamtal hos rehabkoordinator | 12 | 3 | ↑ +9 (better) | ≥ 10 | yes |",
           "| Andel återbesök hos samma läkare | 12/40 30 % | 10/40 25 % | ↑ +5.0 pp (better) | ≥ 75 % | no |"],
}
NOT_ENTERED = {
    "sv": ["| Antal kartläggningssamtal hos rehabkoordinator | 5 | 12 | ↓ −7 (sämre) | ≥ 10 | nej |",
           "| Andel återbesök hos samma läkare | ej angivet | 12/40 30 % | – | ≥ 75 % | – |"],
    "en": ["| Antal kartläggningssamtal hos rehabkoordinator | 5 | 12 | ↓ −7 (worse) | ≥ 10 | no |",
           "| Andel återbesök hos samma läkare | not entered | 12/40 30 % | – | ≥ 75 % | – |"],
}


@pytest.fixture
def clinic(migrated_db):
    cfg = validate(tomllib.loads(CONFIG_TOML))
    engine = open_engine(f"sqlite:///{migrated_db}")
    for d, typed, closed in MEETINGS:
        with Session(engine, expire_on_commit=False) as s:
            unit = repo.get_unit(s, cfg.unit)
            views.create_meeting(s, cfg, unit, d)
            s.commit()
        ImprovementService(engine, cfg).set_measures(d, typed)
        if closed:
            with Session(engine, expire_on_commit=False) as s:
                unit = repo.get_unit(s, cfg.unit)
                views.close_meeting(s, cfg, unit, repo.meeting_at(s, unit.id, d))
                s.commit()
    yield engine, cfg
    engine.dispose()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_markdown_minutes_show_the_measures(clinic, lang):
    engine, cfg = clinic
    md = files.export_meeting(engine, cfg, D(2023, 4, 6), "md", lang=lang)
    lines = md.splitlines()
    for line in LINES[lang]:
        assert line in lines
    # beside the indicators, before the cases
    heading = "## Indikatorer" if lang == "sv" else "## Indicators"
    assert lines.index(heading) < lines.index(LINES[lang][0])
    md = files.export_meeting(engine, cfg, D(2023, 6, 1), "md", lang=lang)
    for line in NOT_ENTERED[lang]:
        assert line in md.splitlines()


def test_docx_minutes_show_the_measures(clinic, tmp_path):
    from docx import Document

    engine, cfg = clinic
    out = tmp_path / "m.docx"
    files.export_meeting(engine, cfg, D(2023, 4, 6), "docx", out=out, lang="sv")
    doc = Document(str(out))
    assert "Teamets egna mått" in [p.text for p in doc.paragraphs]
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    for line in LINES["sv"][1:]:
        assert line.strip("| ").split(" | ") in rows


def test_html_minutes_show_the_measures(clinic, tmp_path):
    import html

    engine, cfg = clinic
    out = tmp_path / "m.html"
    files.export_meeting(engine, cfg, D(2023, 6, 1), "html", out=out, lang="en")
    text = html.unescape(out.read_text(encoding="utf-8"))
    assert "<h2>The team's own measures</h2>" in text
    for line in NOT_ENTERED["en"]:
        cells = line.strip("| ").split(" | ")
        assert "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" in text


def test_xlsx_workbook_has_the_measures(clinic, tmp_path):
    import openpyxl

    engine, cfg = clinic
    out = tmp_path / "w.xlsx"
    files.export_meeting(engine, cfg, D(2023, 6, 1), "xlsx", out=out, lang="sv")
    wb = openpyxl.load_workbook(out)
    ws = wb["Teamets egna mått"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][2] == "Antal kartläggningssamtal hos rehabkoordinator"
    assert rows[0][4] == "Andel återbesök hos samma läkare: antal"
    # date, status, count and its target, then the share's count, denominator, share and target
    assert [r[2:] for r in rows[1:]] == [(3, 10, 10, 40, 0.25, 0.75), (12, 10, 12, 40, 0.3, 0.75),
                                         (5, 10, None, None, None, 0.75)]
    assert len(ws._charts) == 2
    assert wb.sheetnames == ["Indikatorer", "Teamets egna mått", "Åtgärder"]
