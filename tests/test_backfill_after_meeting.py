"""A later import back-fills the gap between two episodes that a closed meeting reviewed (the data QA
helper's scenario): the two become one case, numbered by the smaller (domain.md). The closed meeting's
minutes do not move (its counts, its context figures, the reasons the case was taken up with), and
the next meeting finds the follow-up under the number the case has now, saying the one it was decided
under."""

import datetime as dt

from helpers import cli
from less_tui.config import validate
from less_tui.services import admin
from less_tui.services.database import open_engine
from less_tui.services.meeting import MeetingService
from less_tui.services.minutes import gather

HEADER = "personnummer;namn;diagnos;startdatum;slutdatum;grad;lakare;lakare_id\n"
MEETING = dt.date(2026, 11, 20)
NEXT = dt.date(2026, 12, 20)


def _rows(*rows: str) -> str:
    return HEADER + "".join(r + "\n" for r in rows)


def test_a_backfill_after_a_closed_meeting(tmp_path, monkeypatch):
    monkeypatch.setenv("LESS_TUI_TODAY", MEETING.isoformat())
    cfg = validate({})
    main = tmp_path / "main.csv"
    main.write_text(_rows(
        # one patient, two episodes 14 days apart: cases 1 (ended) and 2 (ongoing at the meeting)
        "19850606-6664;Fredrik Fransson;M75.1;2026-06-01;2026-07-31;100;Xavier Lund;",
        "19850606-6664;Fredrik Fransson;M75.1;2026-08-15;2026-11-30;50;Xavier Lund;",
        # another patient, ongoing, to give the context figures something besides
        "19900101-1239;Anna Berg;F32.1;2026-09-01;2026-12-31;100;Karin Holm;",
    ), encoding="utf-8")
    db = tmp_path / "clinic.db"
    cli("import", str(main), "--as-of", MEETING.isoformat(), "--db", str(db), check=True)
    engine = open_engine(f"sqlite:///{db}")
    try:
        svc = MeetingService(engine, cfg, MEETING, session_id="test")
        svc.open()
        rows = {r.case_no: r for r in svc.queue().rows}
        case = next(n for n, r in rows.items() if r.pnr == "19850606-6664")
        assert case == 2 and rows[case].length == 108
        svc.save_plan(case, "Kontakt med arbetsgivaren.", 0)
        svc.add_action(case, "Kontakt med arbetsgivare", "Kerstin Bronner", dt.date(2026, 12, 20))
        admin.close_meeting(engine, cfg, MEETING)
        before = gather(engine, cfg, MEETING)

        # the back-fill: one certificate closing the gap, imported after the meeting
        backfill = tmp_path / "backfill.csv"
        backfill.write_text(_rows("19850606-6664;Fredrik Fransson;M75.1;2026-08-01;2026-08-14;100;Xavier Lund;"),
                            encoding="utf-8")
        monkeypatch.setenv("LESS_TUI_TODAY", "2026-11-25")
        cli("import", str(backfill), "--as-of", "2026-11-25", "--db", str(db), check=True)
        after = gather(engine, cfg, MEETING)
        # the closed meeting's minutes are what they were: counts, context, the case's reasons and facts
        assert after.indicator_rows == before.indicator_rows
        assert after.context == before.context
        assert [(c.case_no, c.reasons, c.length) for c in after.cases] == \
            [(c.case_no, c.reasons, c.length) for c in before.cases] == [(2, before.cases[0].reasons, "108")]

        # the next meeting: one case now (number 1), and the follow-up is found under it
        monkeypatch.setenv("LESS_TUI_TODAY", NEXT.isoformat())
        nxt = MeetingService(engine, cfg, NEXT, session_id="next")
        nxt.open()
        queue = {r.case_no: r for r in nxt.queue().rows}
        assert 1 in queue and 2 not in queue and queue[1].follow_up
        minutes = gather(engine, cfg, NEXT)
        [fu] = minutes.followups["open"]
        assert fu.case_no == 1
        assert fu.dates.endswith(f"beslutat {MEETING.isoformat()} som ärende 2")
        [todo] = minutes.todo["Kerstin Bronner"]
        assert todo.case_no == 1
        summary = nxt.summary()
        [(shown_no, info)] = summary.last_actions["open"]
        assert (shown_no, info.decided_as) == (1, 2)
    finally:
        engine.dispose()
