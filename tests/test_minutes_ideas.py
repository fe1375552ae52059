"""The minutes list the ideas of the improvement work whose status or PDSA cycles changed since the
last meeting (and only those), in Markdown, HTML and Word, in both languages."""

import datetime as dt

import pytest

from helpers import clear_improvement_work
from less_tui.config import validate
from less_tui.exports import files
from less_tui.services.improvement import ImprovementService

D = dt.date


def _at(monkeypatch, day: str) -> None:
    monkeypatch.setenv("LESS_TUI_TODAY", day)


@pytest.fixture
def changed(demo_engine, monkeypatch):
    """The demo's meetings of 2026-09-23 and 2026-10-23: one idea changed before the first, one idea
    moved to testing and one cycle added between them, one idea changed only after the second."""
    cfg = validate({})
    clear_improvement_work(demo_engine, cfg)  # the demo's own work would be listed too
    svc = ImprovementService(demo_engine, cfg)
    _at(monkeypatch, "2026-09-01")
    p = svc.add_problem("Många läkarbyten i sjukskrivningen")
    old = svc.add_idea(p, "Gammal idé <b>1</b>", ["one_doctor"])
    tested = svc.add_idea(p, "Fast läkare för varje patient", ["one_doctor", "rehab_plan"])
    _at(monkeypatch, "2026-10-05")
    svc.update_idea(tested, status="testing")
    svc.add_cycle(tested, plan="Boka återbesök hos samma läkare", owner="Jessica Bylund",
                  start=D(2026, 10, 1), end=D(2026, 10, 31), result="9 av 12 fick samma läkare")
    _at(monkeypatch, "2026-11-02")
    later = svc.add_idea(p, "Senare idé", [])
    monkeypatch.setenv("LESS_TUI_TODAY", "2026-11-23")
    return cfg, old, tested, later


def test_markdown_lists_changed_ideas(demo_engine, changed):
    cfg = changed[0]
    md = files.export_meeting(demo_engine, cfg, "2026-10-23", "md", lang="sv")
    section = md[md.index("## Förbättringsarbete: ändrat sedan förra mötet"):md.index("## Genomgångna ärenden")]
    assert "efter mötet 2026-09-23" in section
    assert "- **1.2** Fast läkare för varje patient — testas (Indikatorer: En läkare, Rehabplan)" in section
    assert ("  - PGSA-cykel 2026-10-01–2026-10-31: Boka återbesök hos samma läkare · Ansvarig: Jessica Bylund"
            " · Resultat: 9 av 12 fick samma läkare") in section
    assert "Gammal idé" not in section and "Senare idé" not in section
    # the meeting before lists the idea changed before it (its text escaped), not the later ones
    md_before = files.export_meeting(demo_engine, cfg, "2026-09-23", "md", lang="en")
    section = md_before[md_before.index("## Improvement work: changed since the last meeting"):
                        md_before.index("## Cases reviewed")]
    assert "- **1.1** Gammal idé \\<b\\>1\\</b\\> — planned (Indicators: One doctor)" in section
    # added then; its status is the one it has now (no history of statuses is kept)
    assert "- **1.2** Fast läkare för varje patient — being tested" in section
    assert "Senare idé" not in section and "PDSA cycle 2026" not in section


def test_no_section_without_a_change(demo_engine, changed):
    md = files.export_meeting(demo_engine, changed[0], "2026-08-23", "md", lang="sv")
    assert "Förbättringsarbete" not in md


def test_html_and_word_list_changed_ideas(demo_engine, changed, tmp_path):
    from docx import Document

    cfg = changed[0]
    html = files.export_meeting(demo_engine, cfg, "2026-10-23", "html", out=tmp_path / "m.html", lang="en")
    text = html.read_text(encoding="utf-8")
    assert "<h2>Improvement work: changed since the last meeting</h2>" in text
    assert "<b>1.2</b> Fast läkare för varje patient — being tested (Indicators: One doctor, Rehab plan)" in text
    assert "PDSA cycle 2026-10-01–2026-10-31: Boka återbesök hos samma läkare" in text
    assert "Gammal idé" not in text
    path = files.export_meeting(demo_engine, cfg, "2026-10-23", "docx", out=tmp_path / "m.docx", lang="sv")
    paras = [p.text for p in Document(str(path)).paragraphs]
    assert "Förbättringsarbete: ändrat sedan förra mötet" in paras
    assert "1.2 Fast läkare för varje patient — testas (Indikatorer: En läkare, Rehabplan)" in paras
    assert any(p.startswith("PGSA-cykel 2026-10-01–2026-10-31: Boka återbesök") and "Resultat: 9 av 12" in p
               for p in paras)
    assert not any("Gammal idé" in p or "Senare idé" in p for p in paras)
