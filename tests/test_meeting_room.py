"""What a coordinator found running a real meeting on the demo: the summary and the minutes follow up
the same actions, the follow-up's dates are named, exports of different languages and of the demo do
not overwrite or mix with each other, a draft says it is one.

Pilot tests move the app only with ``pilot.press`` and wait for conditions; export tests read the
files back."""

import datetime as dt
import re

from sqlalchemy import select
from sqlmodel import Session

from helpers import cli
from less_tui.app import LessApp
from less_tui.screens.summary import SummaryScreen
from less_tui.storage.models import Action, CaseReview, Meeting
from test_keyboard import palette_command, queue_ready, until

TODAY = dt.date(2026, 11, 23)
ENV = {"LESS_TUI_TODAY": TODAY.isoformat()}


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def followup_truth(engine, at: dt.date) -> dict[str, list[tuple[int, str, dt.date, dt.date | None]]]:
    """Worked out here from the tables: every action of the last closed meeting before ``at`` by its
    status, and every still open action of an earlier meeting. (case, kind, decided, due) per action."""
    with Session(engine) as s:
        prev = s.scalars(select(Meeting).where(Meeting.status == "closed", Meeting.date < at)
                         .order_by(Meeting.date.desc())).first()
        out: dict[str, list] = {"done": [], "open": [], "dropped": []}
        rows = s.execute(select(Meeting, CaseReview, Action).join(CaseReview, CaseReview.meeting_id == Meeting.id)
                         .join(Action, Action.review_id == CaseReview.id).where(Meeting.date <= prev.date))
        for m, r, a in rows:
            if m.id == prev.id or a.status == "open":
                out[a.status].append((r.case_no, a.kind, m.date, a.due))
        return out


async def open_summary(pilot):
    app = pilot.app
    await queue_ready(pilot)
    await pilot.press("s")
    await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None, "the summary")
    await until(pilot, lambda: "%" in screen_text(app), "the indicators drawn")
    return app.screen


async def whole_summary(pilot, presses: int = 30) -> list[str]:
    """Every line the summary shows, paging down (PgDn) to its end."""
    seen: list[str] = []
    for _ in range(presses):
        lines = screen_text(pilot.app).splitlines()
        seen += lines
        await pilot.press("pagedown")
        await pilot.pause()
        if screen_text(pilot.app).splitlines() == lines:
            break
    return seen


# ---------------------------------------------------------------- 1. the same follow-up everywhere

async def test_summary_and_minutes_follow_up_the_same_actions(demo_engine, demo_db, cfg, tmp_path):
    from docx import Document

    truth = followup_truth(demo_engine, TODAY)
    older = [x for x in truth["open"] if x[2] < dt.date(2026, 10, 23)]
    overdue = [x for x in truth["open"] if x[3] is not None and x[3] < TODAY]
    assert older and overdue, "the demo has open actions from older meetings, some overdue"
    want = {k: len(v) for k, v in truth.items()}

    app = LessApp(cfg, demo_engine, TODAY, lang="sv")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_summary(pilot)
        shown = "\n".join(await whole_summary(pilot))
    # the demo's follow-ups of the last meeting are all still open (none done or dropped yet)
    assert want["open"] and not want["done"] and not want["dropped"], want
    assert f"öppen ({want['open']})" in shown, (want, shown)

    md = cli("export", "--db", str(demo_db), "--meeting", TODAY.isoformat(), env=ENV, check=True).stdout
    html_out, docx_out = tmp_path / "m.html", tmp_path / "m.docx"
    cli("export", "--db", str(demo_db), "--meeting", TODAY.isoformat(), "--format", "html", "-o", str(html_out),
        env=ENV, check=True)
    cli("export", "--db", str(demo_db), "--meeting", TODAY.isoformat(), "--format", "docx", "-o", str(docx_out),
        env=ENV, check=True)
    html = html_out.read_text(encoding="utf-8")
    docx = "\n".join(p.text for p in Document(str(docx_out)).paragraphs)
    for status, label in (("done", "Genomförda"), ("open", "Fortfarande öppna"), ("dropped", "Strukna")):
        assert f"**{label} ({want[status]})**" in md
        assert f"<h3>{label} ({want[status]})</h3>" in html
        assert f"{label} ({want[status]})" in docx
    for case_no, kind, decided, due in older:
        line = f"Ärende {case_no}: {kind} — "
        assert any(line in x and f"beslutat {decided.isoformat()}" in x for x in md.splitlines()), (line, decided)
        assert any(line in x and f"beslutat {decided.isoformat()}" in x for x in docx.splitlines())
    for case_no, kind, decided, due in overdue:
        words = f"klart senast {due.isoformat()} (försenad {(TODAY - due).days} dagar)"
        assert any(f"Ärende {case_no}: {kind} — " in x and words in x for x in md.splitlines()), words
        assert words in html and words in docx


async def test_follow_up_lines_name_their_dates_and_wrap_under_themselves_at_80_columns(demo_engine, cfg):
    truth = followup_truth(demo_engine, TODAY)
    case_no, kind, decided, due = next(x for x in truth["open"] if x[3] is not None and x[3] < TODAY)
    app = LessApp(cfg, demo_engine, TODAY, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_summary(pilot)
        seen = await whole_summary(pilot)
    text = "\n".join(seen)
    assert f"overdue {(TODAY - due).days} days" in text and f"decided {decided.isoformat()}" in text
    assert f"due {due.isoformat()}" in text
    # a follow-up line that wraps goes on under its own text, never from the first column
    heading = next(x for x in seen if re.search(r"\bopen \(\d+\)", x))
    first = heading.index("open (")  # where the summary's text starts (after the focus mark)
    lines = [x for x in seen if re.search(r"overdue \d+ day|decided \d{4}-|due \d{4}-", x)]
    assert lines
    for line in lines:
        if "Case" in line:
            assert line[first:].startswith("  • Case"), (first, line)
        else:  # the rest of a wrapped line: under the text, not under the bullet or further left
            assert line[first:first + 4] == "    " and line[first + 4] != " ", (first, line)
    assert any("Case" not in x for x in lines), "a line wrapped at 80 columns"


# ---------------------------------------------------------------- 3. exports that do not overwrite or mix

def test_exports_differ_by_language_and_the_demo_has_its_own_folder(demo_db, tmp_path):
    from helpers import SAMPLES

    real = tmp_path / "less-tui.db"  # the real database, beside the demo's (as in the data directory)
    cli("import", "--db", str(real), "--as-of", "2026-11-22", str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    for db in (real, demo_db):
        cli("meeting", "new", "--db", str(db), env=ENV, check=True)
    for db in (real, demo_db):
        for lang in ("sv", "en"):
            cli("--lang", lang, "export", "--db", str(db), "--meeting", TODAY.isoformat(), "--format", "html",
                env=ENV, check=True)
    name = f"VC_Exempel-{TODAY.isoformat()}.html"
    sv, en = tmp_path / "exports" / f"fmt-protokoll-{name}", tmp_path / "exports" / f"fmt-minutes-{name}"
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == sorted([sv.name, en.name])
    assert "Protokoll FMT-möte" in sv.read_text(encoding="utf-8")
    assert "Minutes of the FMT meeting" in en.read_text(encoding="utf-8")
    for f in (sv, en):
        text = f.read_text(encoding="utf-8")
        assert "demodata" not in text and "demo data" not in text
    demo_sv = tmp_path / "demo-exports" / f"demo-fmt-protokoll-{name}"
    demo_en = tmp_path / "demo-exports" / f"demo-fmt-minutes-{name}"
    assert demo_sv.exists() and demo_en.exists()
    assert "Gjort av syntetiska demodata" in demo_sv.read_text(encoding="utf-8")
    assert "Made from synthetic demo data" in demo_en.read_text(encoding="utf-8")
    listed = cli("export", "--list", "--db", str(real), env=ENV, check=True).stdout.splitlines()
    assert sorted(listed) == sorted([str(sv), str(en)])
    listed = cli("export", "--list", "--db", str(demo_db), env=ENV, check=True).stdout.splitlines()
    assert sorted(listed) == sorted([str(demo_sv), str(demo_en)])


# ---------------------------------------------------------------- 4. a draft says it is one

def _time_line(md: str) -> str:
    return next(x for x in md.splitlines() if x.startswith("- **Tid:**"))


def test_a_draft_says_so_and_a_reopened_meeting_has_no_end_time(demo_db):
    closed = "2026-10-23"
    md = cli("export", "--db", str(demo_db), "--meeting", closed, env=ENV, check=True).stdout
    assert "Utkast" not in md
    assert re.fullmatch(r"- \*\*Tid:\*\* \d\d:\d\d–\d\d:\d\d", _time_line(md))
    cli("meeting", "new", "--db", str(demo_db), env=ENV, check=True)
    md = cli("export", "--db", str(demo_db), "--meeting", TODAY.isoformat(), env=ENV, check=True).stdout
    assert md.splitlines()[2] == "**Utkast – mötet är inte stängt**"  # right under the title
    cli("meeting", "reopen", "--db", str(demo_db), "--date", closed, "--reason", "Fel ansvarig", env=ENV, check=True)
    for lang, draft in (("sv", "**Utkast – mötet är inte stängt**"), ("en", "**Draft – the meeting is not closed**")):
        md = cli("--lang", lang, "export", "--db", str(demo_db), "--meeting", closed, env=ENV, check=True).stdout
        assert md.splitlines()[2] == draft
        time_line = next(x for x in md.splitlines() if x.startswith(("- **Tid:**", "- **Time:**")))
        assert re.fullmatch(r"- \*\*(Tid|Time):\*\* \d\d:\d\d–", time_line), time_line  # no end yet
    cli("meeting", "close", "--db", str(demo_db), "--date", closed, env=ENV, check=True)
    md = cli("export", "--db", str(demo_db), "--meeting", closed, env=ENV, check=True).stdout
    # closed again: the time it was held, then when it was last closed
    assert "Utkast" not in md and re.fullmatch(r"- \*\*Tid:\*\* \d\d:\d\d–\d\d:\d\d \(öppnat igen efteråt, senast "
                                              r"stängt \d{4}-\d\d-\d\d \d\d:\d\d\)", _time_line(md))


# ---------------------------------------------------------------- 6. the summary's keys

CLOSED = dt.date(2026, 10, 23)


async def test_home_on_the_summary_goes_back_to_the_top_after_page_down(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY, lang="sv")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_summary(pilot)
        head = "Vårdcentralen Exempel · Möte"
        assert head in screen_text(app)
        for _ in range(3):
            await pilot.press("pagedown")
        await until(pilot, lambda: head not in screen_text(app), "the page scrolled down")
        await pilot.press("home")
        await until(pilot, lambda: head in screen_text(app), "the top of the summary again")
        await pilot.press("end")
        page = app.screen.query_one("#summary")
        await until(pilot, lambda: head not in screen_text(app) and page.scroll_y == page.max_scroll_y > 0, "the end")


async def test_the_footer_offers_closing_only_an_open_meeting(demo_engine, cfg):
    from less_tui.screens.dialogs import ConfirmDialog

    app = LessApp(cfg, demo_engine, CLOSED, lang="sv")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_summary(pilot)
        await until(pilot, lambda: "e Exportera" in screen_text(app), "the footer")
        assert "Stäng mötet" not in screen_text(app)
    app = LessApp(cfg, demo_engine, TODAY, lang="sv")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_summary(pilot)
        await until(pilot, lambda: "c Stäng mötet" in screen_text(app), "the close key offered")
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data.meeting.closed
                    and "Stäng mötet" not in screen_text(app) and "e Exportera" in screen_text(app),
                    "the closed meeting without the close key")


async def test_reopening_from_the_palette_on_the_summary_stays_on_the_summary(demo_engine, cfg):
    from less_tui.i18n import t
    from less_tui.screens.reopen import ReopenDialog

    app = LessApp(cfg, demo_engine, CLOSED, lang="sv")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_summary(pilot)
        await palette_command(pilot, "igen", t("cmd.reopen"))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReopenDialog), "the reopen dialog")
        await pilot.press(*"Fel ansvarig", "enter")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None
                    and not app.screen.data.meeting.closed and "c Stäng mötet" in screen_text(app),
                    "the reopened meeting's summary")


def _shown_with_background(app) -> str:
    """The whole terminal as drawn, the screens under a dialog included."""
    import html

    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


async def test_the_export_dialog_keeps_the_summary_in_sight(demo_engine, demo_db, cfg):
    from less_tui.screens.dialogs import ChoiceDialog

    app = LessApp(cfg, demo_engine, TODAY, lang="sv")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_summary(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the format dialog")
        shown = _shown_with_background(app)
        assert "Exportera protokoll" in shown and "Vårdcentralen Exempel · Möte" in shown
        await pilot.press("down", "enter")  # Word
        out = demo_db.parent / "demo-exports" / f"demo-fmt-protokoll-VC_Exempel-{TODAY.isoformat()}.docx"
        await until(pilot, lambda: out.exists() and isinstance(app.screen, SummaryScreen), "the Word file")
        assert "Vårdcentralen Exempel · Möte" in screen_text(app)


# ---------------------------------------------------------------- 7. the audit log names what changed

def test_the_audit_log_names_only_the_fields_that_changed(engine, cfg):
    from test_storage import D, _decide, row, store

    from less_tui.storage import repo
    from less_tui.storage.models import AuditLog

    store(engine, cfg, [row(D(2026, 10, 1), D(2026, 11, 30))])
    _decide(engine, cfg, D(2026, 11, 23))
    with Session(engine) as s:
        a = s.scalars(select(Action)).one()
        aid, kind, due = a.id, a.kind, a.due
        repo.update_action(s, aid, kind=kind, owner="Jessica Bylund", due=due)  # the owner only
        repo.update_action(s, aid, kind=kind, owner="Jessica Bylund", due=due)  # nothing
        repo.update_action(s, aid, kind="Ring arbetsgivaren", owner="Jessica Bylund", due=D(2027, 1, 5))
        s.commit()
    with Session(engine) as s:
        logged = list(s.scalars(select(AuditLog.detail).where(AuditLog.action == "action.update")
                                .order_by(AuditLog.id)))
        a = s.get(Action, aid)
        assert (a.kind, a.owner, a.due) == ("Ring arbetsgivaren", "Jessica Bylund", D(2027, 1, 5))
    assert len(logged) == 2 and logged[0].endswith(" changed=owner") and logged[1].endswith(" changed=due,kind")
    assert not any("action=" in d for d in logged)  # named by its words, not an internal id


# ---------------------------------------------------------------- 9. coordinator statuses in English

SWEDISH_STATUSES = ("Kontaktad", "Aktiv", "Uppföljning", "Avslutad", "Avböjt", "Lämnas utan åtgärd", "Medicinsk rehab")
ENGLISH_STATUSES = ("Contacted", "Active", "Follow-up", "Finished", "Declined", "No action taken", "Medical rehab")


def test_minutes_say_the_coordinator_status_in_their_language(demo_db):
    closed = "2026-10-23"
    sv = cli("export", "--db", str(demo_db), "--meeting", closed, env=ENV, check=True).stdout
    en = cli("--lang", "en", "export", "--db", str(demo_db), "--meeting", closed, env=ENV, check=True).stdout
    sv_status = re.findall(r"\*\*Rehabkoordinatorstatus:\*\* (.+?) ·", sv)
    en_status = re.findall(r"\*\*Coordinator status:\*\* (.+?) ·", en)
    assert len(sv_status) == len(en_status) > 0
    assert set(sv_status) - {"-"} and set(sv_status) <= set(SWEDISH_STATUSES) | {"-"}
    assert set(en_status) <= set(ENGLISH_STATUSES) | {"-"}
    for a, b in zip(sv_status, en_status):  # the same case, the same status, translated
        assert b == ("-" if a == "-" else ENGLISH_STATUSES[SWEDISH_STATUSES.index(a)])


async def test_the_english_queue_shows_translated_coordinator_statuses(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_ready(pilot)
        await until(pilot, lambda: "Coord" in screen_text(app) or "coordinator" in screen_text(app).lower(), "the queue")
        shown = screen_text(app)
        assert any(s in shown for s in ENGLISH_STATUSES), shown
        for s in SWEDISH_STATUSES:
            assert s not in shown, (s, shown)


# ---------------------------------------------------------------- 10. a consistent synthetic clinic

MEN = {"Lars", "Erik", "Johan", "Anders", "Per", "Mikael", "Karl", "Peter", "Jonas", "Fredrik", "Daniel", "Ali",
       "Mohammed", "Omar", "Nils", "Oskar", "Gustav", "Björn"}


def _luhn_ok(ten: str) -> bool:
    total = 0
    for i, ch in enumerate(ten):
        v = int(ch) * (2 if i % 2 == 0 else 1)
        total += v // 10 + v % 10
    return total % 10 == 0


def test_demo_personnummer_agree_with_the_first_names(demo_engine):
    from less_tui.core import demo as gen
    from less_tui.storage.models import Patient

    with Session(demo_engine) as s:
        people = [(p.pnr, p.name) for p in s.scalars(select(Patient))]
    people += [(r.pnr, r.name) for r in gen.generate(TODAY, seed=7, episodes=400)]
    assert len(people) > 1000
    for pnr, name in people:
        ten = pnr.replace("-", "")[2:]
        assert len(ten) == 10 and _luhn_ok(ten), pnr
        man = name.split()[0] in MEN
        assert (int(ten[8]) % 2 == 1) == man, (pnr, name)
