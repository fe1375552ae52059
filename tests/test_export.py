"""Exports opened with their own libraries; content, not size."""

import datetime as dt
import json
import os
import re
import stat
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from sqlmodel import Session

from helpers import ROOT, cli
from less_tui.storage import repo
from less_tui.storage.models import Action, Meeting, Patient

ENV = {"LESS_TUI_TODAY": "2026-11-23"}
MEETING = "2026-10-23"


def _db_truth(db):
    from less_tui.storage.db import open_engine

    e = open_engine(f"sqlite:///{db}")
    with Session(e) as s:
        m = s.scalars(select(Meeting).where(Meeting.date == dt.date(2026, 10, 23))).one()
        reviews = [r for r in repo.reviews_of_meeting(s, m.id) if r.plan.strip() or repo.actions_of(s, r.id)]
        cases = {r.case_no: (r.plan, [(a.kind, a.owner, a.due.isoformat()) for a in repo.actions_of(s, r.id)])
                 for r in reviews}
        people = [(p.pnr, p.name) for p in s.scalars(select(Patient))]
    e.dispose()
    return cases, people


def _indicators(db):
    return json.loads(cli("indicators", "--db", str(db), "--json", "--at", MEETING, env=ENV, check=True).stdout)


def _no_identities(text: str, people) -> None:
    for pnr, name in people:
        assert pnr not in text and pnr.replace("-", "") not in text
        if name:
            assert name not in text, name


def test_markdown_minutes(demo_db):
    md = cli("export", "--db", str(demo_db), "--meeting", MEETING, env=ENV, check=True).stdout
    cases, people = _db_truth(demo_db)
    assert md.startswith("# Protokoll FMT-möte 2026-10-23")
    assert md.index("## Att göra per ansvarig") < md.index("## Indikatorer") < md.index("## Genomgångna ärenden")
    for case_no, (plan, actions) in cases.items():
        assert f"### Ärende {case_no} — " in md
        assert plan in md
        for kind, owner, due in actions:
            assert f"{kind} — {owner}, {due}" in md
    ind = _indicators(demo_db)
    for i in ind["indicators"]:
        # Swedish minutes: decimal comma, the share rounded once from the two counts
        share = f"{i['count'] * 100 / i['denominator']:.1f}".replace(".", ",")
        assert f"| {i['count']}/{i['denominator']} | {share} % |" in md
    assert "Nästa möte:** 2026-11-23" in md
    assert re.search(r"\| [▁▂▃▄▅▆▇█]{5,} \|", md)
    _no_identities(md, people)


def test_identify_writes_names_and_audits(demo_db):
    md = cli("export", "--db", str(demo_db), "--meeting", MEETING, "--identify", env=ENV, check=True).stdout
    _, people = _db_truth(demo_db)
    assert any(p in md for p, _ in people)
    audit = json.loads(cli("audit", "--db", str(demo_db), "--json", env=ENV, check=True).stdout)
    assert any(a["action"] == "export.identify" and a["user"] for a in audit)


def test_docx_minutes(demo_db, tmp_path):
    from docx import Document

    out = tmp_path / "m.docx"
    cli("export", "--db", str(demo_db), "--meeting", MEETING, "--format", "docx", "-o", str(out), env=ENV, check=True)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    cases, people = _db_truth(demo_db)
    for case_no, (plan, actions) in cases.items():
        assert f"Ärende {case_no} — " in text and plan in text
        for kind, owner, due in actions:
            assert f"{kind} — {owner}, {due}" in text
    ind = _indicators(demo_db)
    for i in ind["indicators"]:
        assert f"{i['count']}/{i['denominator']}" in cells
    assert len(doc.inline_shapes) == 1  # the chart
    _no_identities(text + "\n".join(cells), people)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.svg = [], 0

    def handle_starttag(self, tag, attrs):
        self.svg += tag == "img" and dict(attrs).get("src", "").startswith("data:image/png;base64,")

    def handle_data(self, data):
        self.parts.append(data)


def test_html_minutes(demo_db, tmp_path):
    out = tmp_path / "m.html"
    cli("--lang", "en", "export", "--db", str(demo_db), "--meeting", MEETING, "--format", "html", "-o", str(out),
        env=ENV, check=True)
    p = _Text()
    p.feed(out.read_text(encoding="utf-8"))
    text = " ".join(p.parts)
    assert p.svg >= 1
    assert "Minutes of the FMT meeting 2026-10-23" in text and "Att göra" not in text
    cases, people = _db_truth(demo_db)
    for case_no in cases:
        assert f"Case {case_no} — " in text
    _no_identities(out.read_text(encoding="utf-8"), people)


def test_xlsx_workbook(demo_db, tmp_path):
    import openpyxl

    from less_tui.storage.db import open_engine

    e = open_engine(f"sqlite:///{demo_db}")
    with Session(e) as s:  # a plan action that looks like a formula must stay text
        a = s.scalars(select(Action)).first()
        a.kind = "=HYPERLINK(\"http://x\")"
        s.add(a)
        s.commit()
    e.dispose()
    out = tmp_path / "w.xlsx"
    cli("export", "--db", str(demo_db), "--format", "xlsx", "-o", str(out), env=ENV, check=True)
    wb = openpyxl.load_workbook(out)
    ws = wb["Indikatorer"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 12  # the demo's twelve closed meetings
    ind = _indicators(demo_db)
    oct_row = next(r for r in rows if r[0].date() == dt.date(2026, 10, 23))
    for k, i in enumerate(ind["indicators"]):
        assert oct_row[2 + 4 * k] == i["count"] and oct_row[3 + 4 * k] == i["denominator"]
        assert oct_row[5 + 4 * k] == i["target"]
    assert len(ws._charts) == 4
    wa = wb["Åtgärder"]
    kinds = [c.value for c in wa["C"]]
    cell = next(c for c in wa["C"] if c.value == "=HYPERLINK(\"http://x\")")
    assert cell.data_type == "s"
    assert len(kinds) > 50


def test_export_errors_are_clear(tmp_path):
    p = cli("export", "--db", str(tmp_path / "x.db"), "--meeting", "2026-01-01", env=ENV)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    p = cli("export", "--db", str(tmp_path / "x.db"), "--format", "pdf", env=ENV)
    assert p.returncode == 2 and "förväntade en av md, docx, html, xlsx" in p.stderr


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_markdown_golden(demo_db, lang):
    """The whole Markdown of one demo meeting, fixed seed and date (update: LESS_TUI_UPDATE_GOLDEN=1)."""
    md = cli("--lang", lang, "export", "--db", str(demo_db), "--meeting", MEETING, env=ENV, check=True).stdout
    md = re.sub(r"\*\*(Tid|Time):\*\* .*", r"**\1:** HH:MM", md)
    golden = ROOT / "tests" / "golden" / f"minutes-{lang}.md"
    if os.environ.get("LESS_TUI_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(md, encoding="utf-8")
    assert md == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_minutes_say_the_reasons_in_the_queues_words(demo_db, lang):
    """One case, one set of reason words (issue 13): the minutes of today's meeting say each decided
    case's reasons as `queue` says them today and as the queue screen does (``reason_labels`` on the
    same rows): the checkpoint with its day ("dag 180 passerad"), "≥3 läkare" never beside "flera läkare"."""
    from less_tui.config import validate
    from less_tui.i18n import set_language, t
    from less_tui.services.meeting import MeetingService
    from less_tui.present import reason_labels
    from less_tui.services.minutes import gather
    from less_tui.storage.db import open_engine

    today = dt.date.fromisoformat(ENV["LESS_TUI_TODAY"])
    set_language(lang)
    engine = open_engine(f"sqlite:///{demo_db}")
    try:
        svc = MeetingService(engine, validate({}), today)
        svc.open()
        rows = {r.case_no: r for r in svc.queue().rows if r.reasons}
        picked = list(rows)[:6]  # the top of the queue, and cases with three or more doctors, a checkpoint
        picked += [n for n, r in rows.items() if n not in picked and "three_plus_doctors" in r.reasons][:3]
        picked += [n for n, r in rows.items() if n not in picked and r.checkpoint][:3]
        for n in picked:
            svc.save_plan(n, f"Plan för {n}", 0)  # no review yet: the first plan
        m = gather(engine, validate({}), today)
    finally:
        engine.dispose()
    out = cli("--lang", lang, "queue", "--db", str(demo_db), "--at", today.isoformat(), env=ENV, check=True).stdout
    queue_words = {}
    for line in out.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0].isdigit() and len(cells) == 10:
            queue_words[int(cells[0])] = cells[-1]
    assert sorted(c.case_no for c in m.cases) == sorted(picked)
    for c in m.cases:
        r = rows[c.case_no]
        assert c.reasons == ", ".join(label for label, _ in reason_labels(r.reasons, r.checkpoint)), c.case_no
        assert c.reasons == queue_words[c.case_no], c.case_no
    three, several = t("reason.three_plus_doctors"), t("reason.several_doctors")
    assert any(three in c.reasons for c in m.cases)
    assert not any(three in c.reasons and several in c.reasons for c in m.cases)
    with_checkpoint = [c for c in m.cases if rows[c.case_no].checkpoint]
    assert with_checkpoint and all(t("reason.checkpoint_plain") not in c.reasons for c in with_checkpoint)
    assert all(f" {rows[c.case_no].checkpoint[0]}" in c.reasons for c in with_checkpoint)


def test_every_format_says_what_the_indicators_are_compared_with_and_their_context(demo_engine, cfg, tmp_path):
    """The Markdown minutes said "Jämfört med mötet 2026-09-23" above the indicators and the episodes behind
    them below ("Pågående sjukfall …"); the Word and HTML minutes left both lines out."""
    from docx import Document

    from less_tui.exports import docx, html
    from less_tui.services.minutes import gather

    m = gather(demo_engine, cfg, dt.date(2026, 10, 23))
    context = " · ".join(f"{label}: {value}" for label, value in m.context)
    assert m.previous and "2026-09-23" in m.previous and m.context
    docx.render(m, tmp_path / "m.docx")
    words = "\n".join(p.text for p in Document(str(tmp_path / "m.docx")).paragraphs)
    assert m.previous in words and context in words
    p = _Text()
    p.feed(html.render(m))
    text = "".join(p.parts)
    assert m.previous in text and context in text
