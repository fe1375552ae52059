"""The improvement work screen, driven by keys only: problems, ideas, status, indicators, PDSA cycles,
saved as typed; reached from the summary (i) and from the palette."""

import datetime as dt

from helpers import clear_improvement_work, workers_done
from less_tui.app import LessApp
from less_tui.screens.improvement import ImprovementScreen
from less_tui.screens.queue import QueueScreen
from less_tui.screens.summary import SummaryScreen
from less_tui.services.improvement import ImprovementService

TODAY = dt.date(2026, 11, 23)


async def until(pilot, cond, what: str, tries: int = 80):
    app = pilot.app
    for _ in range(tries):
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        if cond():
            return
    raise AssertionError(f"timed out waiting for {what}; screen {app.screen!r}, focus {app.focused!r}")


async def focused_is(pilot, wid: str):
    await until(pilot, lambda: pilot.app.focused is not None and pilot.app.focused.id == wid, f"focus on #{wid}")


def work(engine, cfg):
    return ImprovementService(engine, cfg).work()


async def test_problems_ideas_and_cycles_by_keys(demo_engine, cfg):
    clear_improvement_work(demo_engine, cfg)  # from a clinic without improvement work (the demo has some)
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "queue")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None, "summary")
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, ImprovementScreen), "improvement screen")
        screen = app.screen
        assert "Förbättringsarbete" in screen.title
        assert work(demo_engine, cfg) == []

        # a problem: p, type, saved as typed (no save key)
        await pilot.press("p")
        await focused_is(pilot, "f-text")
        await pilot.press(*"Kalendrar fullbokade")
        await until(pilot, lambda: [p.text for p in work(demo_engine, cfg)] == ["Kalendrar fullbokade"], "problem saved")

        # an idea under it; Esc first goes back to the list
        await pilot.press("escape")
        await focused_is(pilot, "work")
        await pilot.press("i")
        await focused_is(pilot, "f-text")
        await pilot.press(*"FMT-team")
        await until(pilot, lambda: [i.text for p in work(demo_engine, cfg) for i in p.ideas] == ["FMT-team"],
                    "idea saved")
        await pilot.press("escape")
        await focused_is(pilot, "work")
        await until(pilot, lambda: screen.highlighted() is not None and screen.highlighted().kind == "idea",
                    "the new idea highlighted")

        # status and indicators on the highlighted idea
        await pilot.press("s")
        await until(pilot, lambda: work(demo_engine, cfg)[0].ideas[0].status == "testing", "status testas")
        await pilot.press("1")
        await until(pilot, lambda: work(demo_engine, cfg)[0].ideas[0].indicators == ("one_doctor",), "indicator 1")
        await pilot.press("3")
        await until(pilot, lambda: work(demo_engine, cfg)[0].ideas[0].indicators
                    == ("one_doctor", "coordinator_contact"), "indicator 3")
        await pilot.press("1")
        await until(pilot, lambda: work(demo_engine, cfg)[0].ideas[0].indicators == ("coordinator_contact",),
                    "indicator 1 off")

        # a PDSA cycle: every field by Tab; a date that is not one is said and not saved
        await pilot.press("c")
        await focused_is(pilot, "f-plan")
        await pilot.press(*"Möte varje månad", "tab", *"Tre möten", "tab", *"Fler följs upp", "tab", *"Fortsätt",
                          "tab", *"Kerstin", "tab", *"2023-02-07", "tab", *"2023-13-01", "tab", *"Infört")
        await until(pilot, lambda: [c.result for c in work(demo_engine, cfg)[0].ideas[0].cycles] == ["Infört"],
                    "cycle saved")
        c = work(demo_engine, cfg)[0].ideas[0].cycles[0]
        assert (c.plan, c.do, c.study, c.act, c.owner) == ("Möte varje månad", "Tre möten", "Fler följs upp",
                                                            "Fortsätt", "Kerstin")
        assert c.start == dt.date(2023, 2, 7) and c.end is None
        assert "2023-13-01" in str(screen.query_one("#form-state").render())
        # correct the end date: shift+tab back to it, erase, type again
        await pilot.press("shift+tab", *["backspace"] * 10, *"2023-06-01")
        await until(pilot, lambda: work(demo_engine, cfg)[0].ideas[0].cycles[0].end == dt.date(2023, 6, 1),
                    "end date saved")

        # back to the list, then to the summary
        await pilot.press("escape")
        await focused_is(pilot, "work")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen), "back on the summary")


async def test_typing_right_after_a_new_line_and_leaving_at_once(demo_engine, cfg):
    """Text typed while the new line is still being made, and Esc before the pause, is all saved."""
    clear_improvement_work(demo_engine, cfg)  # nothing to highlight at first
    app = LessApp(cfg, demo_engine, TODAY, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "queue")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.__class__.__name__ == "LessCommandPalette", "palette")
        await pilot.press(*"Improvement work", "enter")
        await until(pilot, lambda: isinstance(app.screen, ImprovementScreen), "improvement screen from the palette")
        assert "Improvement work" in app.screen.title
        # nothing highlighted: i and c say what is needed first
        await pilot.press("i")
        await pilot.press("c")
        await until(pilot, lambda: len(app._notifications) >= 2, "two notices")
        await pilot.press("p")
        await focused_is(pilot, "f-text")
        await pilot.press(*"Re")
        await pilot.press(*"ferral routine", "escape")
        await until(pilot, lambda: [p.text for p in work(demo_engine, cfg)] == ["Referral routine"], "all saved")
        await focused_is(pilot, "work")
        # Enter on the line edits it again
        await pilot.press("enter")
        await focused_is(pilot, "f-text")
        assert app.focused.value == "Referral routine"
        await pilot.press("end", *" is unclear", "escape")
        await until(pilot, lambda: [p.text for p in work(demo_engine, cfg)] == ["Referral routine is unclear"],
                    "edit saved")


MEASURES = {"less": {"measures": [
    {"key": "reko_calls", "name": "Antal kartläggningssamtal", "kind": "count", "target": 10, "direction": "higher"},
    {"key": "same_doctor", "name": "Andel återbesök hos samma läkare", "kind": "share", "target": 0.75,
     "direction": "higher"}]}}


async def test_measures_entered_on_the_summary_and_frozen_at_close(demo_engine):
    from less_tui.config import validate
    from less_tui.screens.dialogs import ConfirmDialog
    from less_tui.screens.improvement import MeasuresDialog

    cfg = validate(MEASURES)
    svc = ImprovementService(demo_engine, cfg)
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "queue")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None, "summary")
        summary = app.screen
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, MeasuresDialog), "the measures dialog")
        await focused_is(pilot, "m-reko_calls")
        # a share that is not one is named, and nothing is saved
        await pilot.press(*"7", "tab", *"12", "enter")
        await until(pilot, lambda: "12" in str(app.screen.query_one("#measures-error").render()), "the problem named")
        assert isinstance(app.screen, MeasuresDialog)
        assert [m.value for m in svc.measures_at(TODAY)] == [None, None]
        await pilot.press("end", *"/40", "enter")
        await until(pilot, lambda: [(m.value.count, m.value.denominator) if m.value else None
                                    for m in svc.measures_at(TODAY)] == [(7, 0), (12, 40)], "both saved")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen)
                    and "Antal kartläggningssamtal: 7" in str(summary.query_one("#measures").render()), "shown")
        assert "30 %" in str(summary.query_one("#measures").render())
        assert "mål ≥ 10" in str(summary.query_one("#measures").render())
        # close the meeting: the values stay, and can no longer be changed
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "close dialog")
        await pilot.press("tab")
        await focused_is(pilot, "yes")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data.meeting.closed,
                    "closed")
        await pilot.press("v")
        await until(pilot, lambda: any("frysta" in str(n.message) for n in app._notifications), "frozen notice")
        assert not isinstance(app.screen, MeasuresDialog)
    assert [(m.value.count, m.value.denominator) for m in svc.measures_at(TODAY)] == [(7, 0), (12, 40)]
    import pytest

    from less_tui.services.errors import ReadOnly

    with pytest.raises(ReadOnly):
        svc.set_measures(TODAY, {"reko_calls": "9"})


async def test_ideas_being_tested_shown_on_the_summary(demo_engine, cfg):
    svc = ImprovementService(demo_engine, cfg)
    pid = svc.add_problem("Kontinuitet")
    svc.add_idea(pid, "Samma läkare bokar återbesök", ["one_doctor", "full_time"], status="testing")
    svc.add_idea(pid, "Planerad idé", ["one_doctor"])
    for size in ((120, 40), (80, 24)):
        app = LessApp(cfg, demo_engine, TODAY)
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "queue")
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None,
                        "summary")
            # directly under the indicator table, per indicator (only the idea being tested)
            line = app.screen.query_one("#testing")
            # the demo's ideas being tested (2.1, 1.3) and the one added here (4.1)
            assert line.display and str(line.render()) == (
                "Idéer som testas: En läkare 2.1, 4.1 · Heltid 4.1 · Rehabkoordinator 1.3 · Rehabplan 1.3")
            assert line.region.y == app.screen.query_one("#indicators").region.bottom
            assert "Idéer som testas" not in str(app.screen.query_one("#context").render())


async def test_sick_listed_share_in_the_summary_context(demo_engine):
    from less_tui.config import validate
    from less_tui.core.text import pct

    cfg = validate({"less": {"region_sick_share": 0.066, "country_sick_share": 0.05}})
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "queue")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None, "summary")
        ongoing = app.screen.data.indicators.context.ongoing_total
        ctx = str(app.screen.query_one("#context").render())
        # the demo clinic lists 12600 patients (the unit's figure; config has none)
        assert f"Sjukskrivna av listade: {pct(ongoing / 12600, 1, 'sv')} ({ongoing} av 12600)" in ctx
        assert "Regionen / riket: 6,6 % / 5,0 %" in ctx


def test_sick_share_lines_words():
    from less_tui.present import sick_share_lines

    assert sick_share_lines(148, 0, 0.066, 0.05) == []  # listed patients not known: nothing
    assert sick_share_lines(153, 1700, 0.0, 0.0, lang="sv") == [("Sjukskrivna av listade", "9,0 % (153 av 1700)")]
    assert sick_share_lines(153, 1700, 0.066, 0.0, lang="en") == [
        ("Sick-listed of listed", "9.0 % (153 of 1700)"), ("Region", "6.6 %")]
    assert sick_share_lines(17, 200, 0.0, 0.05, lang="sv")[1] == ("Riket", "5,0 %")


async def summary_and_work(pilot):
    """From the queue to the summary, then i to the improvement work; returns the summary screen."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "queue")
    await pilot.press("s")
    await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None, "summary")
    summary = app.screen
    await pilot.press("i")
    await until(pilot, lambda: isinstance(app.screen, ImprovementScreen) and app.screen.entries, "improvement screen")
    return summary


async def test_summary_shows_the_new_state_after_esc_from_the_improvement_work(demo_engine, cfg):
    """A status changed on the improvement screen and Esc at once: the summary's ideas being tested say so."""
    svc = ImprovementService(demo_engine, cfg)
    pid = svc.add_problem("Kontinuitet")
    svc.add_idea(pid, "Samma läkare bokar återbesök", ["full_time"])
    code = next(i.code for p in work(demo_engine, cfg) if p.id == pid for i in p.ideas)
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        # the change watcher (another session's commits) would refresh the summary by chance half a second
        # later; without it, what is tested is that leaving the improvement work refreshes it
        await until(pilot, lambda: app.watcher is not None, "the watcher started")
        app.watcher.stop()
        summary = await summary_and_work(pilot)
        assert code not in str(summary.query_one("#testing").render())
        screen = app.screen
        await pilot.press("end")  # the new problem's idea is the last line
        await until(pilot, lambda: screen.highlighted() is not None and screen.highlighted().key.startswith("i"),
                    "the idea highlighted")
        await pilot.press("s")
        await until(pilot, lambda: screen.highlighted().idea.status == "testing", "testas on the improvement screen")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is summary, "back on the summary")
        await until(pilot, lambda: f"Heltid {code}" in str(summary.query_one("#testing").render()),
                    "the idea being tested shown on the summary")


async def test_help_names_the_indicator_each_number_key_links(demo_engine, cfg):
    from less_tui.i18n import t
    from less_tui.screens.help import HelpScreen

    for lang in ("sv", "en"):
        app = LessApp(cfg, demo_engine, TODAY, lang=lang)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "queue")
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None, "sum")
            await pilot.press("i")
            await until(pilot, lambda: isinstance(app.screen, ImprovementScreen), "improvement screen")
            await focused_is(pilot, "work")
            await pilot.press("f1")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
            rows = dict(app.screen.rows)
            for n, key in enumerate(("one_doctor", "full_time", "coordinator_contact", "rehab_plan"), start=1):
                assert rows[str(n)] == t("key.toggle_indicator_n", name=t(f"ind.short.{key}")), (lang, n)
            assert rows["3"] == ("Koppla/lossa indikatorn Rehabkoordinator" if lang == "sv"
                                 else "Link/unlink the indicator Coordinator")


def test_cycle_dates_iso_and_in_order(demo_engine, cfg):
    import pytest

    from less_tui.core import improvement as imp_core

    assert imp_core.iso_date(" 2023-02-07 ") == dt.date(2023, 2, 7)
    for bad in ("20230207", "2023-W06-2", "2023-2-7", "2023-02-30", "2023-02-07T10:00", "２０２３-02-07"):
        with pytest.raises(ValueError):
            imp_core.iso_date(bad)
    svc = ImprovementService(demo_engine, cfg)
    iid = svc.add_idea(svc.add_problem("P"), "I")
    with pytest.raises(imp_core.EndBeforeStart):
        svc.add_cycle(iid, plan="x", start=dt.date(2023, 6, 1), end=dt.date(2023, 2, 1))
    cid = svc.add_cycle(iid, plan="x", start=dt.date(2023, 2, 1), end=dt.date(2023, 6, 1))
    with pytest.raises(imp_core.EndBeforeStart):  # a new start after the stored end
        svc.update_cycle(cid, start=dt.date(2023, 7, 1))
    svc.update_cycle(cid, end=dt.date(2023, 2, 1))  # the same day is allowed
    c, = [c for p in work(demo_engine, cfg) for i in p.ideas for c in i.cycles if c.id == cid]
    assert (c.start, c.end) == (dt.date(2023, 2, 1), dt.date(2023, 2, 1))


async def test_cycle_end_before_start_and_non_iso_dates_refused_in_the_app(demo_engine, cfg):
    svc = ImprovementService(demo_engine, cfg)
    svc.add_idea(svc.add_problem("Kontinuitet"), "Samma läkare")
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await summary_and_work(pilot)
        screen = app.screen
        await pilot.press("end")
        await until(pilot, lambda: screen.highlighted().kind == "idea", "the idea highlighted")
        idea_id = screen.highlighted().id

        def cycle():
            return [c for p in work(demo_engine, cfg) for i in p.ideas if i.id == idea_id for c in i.cycles]

        await pilot.press("c")
        await focused_is(pilot, "f-plan")
        await pilot.press(*"Plan", *["tab"] * 5, *"2023-06-01", "tab", *"2023-02-01")
        await until(pilot, lambda: [c.plan for c in cycle()] == ["Plan"] and "2023-02-01" in str(
            screen.query_one("#form-state").render()), "saved without the dates, the problem said")
        state = str(screen.query_one("#form-state").render())
        assert "före startdatumet 2023-06-01" in state
        # the end is not saved; the start may be (it was a whole date on its own before the end was typed,
        # and a pause in the typing saves what is valid)
        assert cycle()[0].end is None and cycle()[0].start in (None, dt.date(2023, 6, 1))
        # a date not written YYYY-MM-DD is refused too
        await pilot.press(*["backspace"] * 10, *"20230801")
        await until(pilot, lambda: "20230801 är inget datum" in str(screen.query_one("#form-state").render()),
                    "non-ISO named")
        assert cycle()[0].end is None
        await pilot.press(*["backspace"] * 8, *"2023-08-01")
        await until(pilot, lambda: (cycle()[0].start, cycle()[0].end) == (dt.date(2023, 6, 1), dt.date(2023, 8, 1)),
                    "both dates saved once they agree")
        # leaving the form with a date that is not one says that it was not kept (it was dropped silently)
        notes: list[str] = []
        real = app.notify
        app.notify = lambda message, **kw: (notes.append(str(message)), real(message, **kw))
        await pilot.press(*["backspace"] * 10, *"20231231", "escape")
        await until(pilot, lambda: any(n.startswith("Inte sparat:") and "20231231" in n for n in notes),
                    "the notice that the end date was not kept")
        assert cycle()[0].end == dt.date(2023, 8, 1)


def audit_details(engine, action: str) -> list[str]:
    from sqlalchemy import select
    from sqlmodel import Session

    from less_tui.storage.models import AuditLog

    with Session(engine) as s:
        return [a.detail for a in s.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))]


async def test_delete_asks_naming_the_line_and_what_goes_with_it(demo_engine, cfg):
    from less_tui.screens.dialogs import ConfirmDialog

    svc = ImprovementService(demo_engine, cfg)
    pid = svc.add_problem("Radera mig")
    a = svc.add_idea(pid, "Idé med cykel")
    svc.add_cycle(a, plan="Igen")
    svc.add_cycle(a, plan="Prova en vecka", start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 9))
    svc.add_idea(pid, "Idé utan cykel")
    no = next(p.number for p in work(demo_engine, cfg) if p.id == pid)

    def mine():
        return [p for p in work(demo_engine, cfg) if p.id == pid]

    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await summary_and_work(pilot)
        screen = app.screen

        async def ask(expected: str):
            await pilot.press("delete")
            await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
            assert str(app.screen.query_one(".dialog-question").render()) == expected

        await pilot.press("end")  # the last idea (no cycles)
        await until(pilot, lambda: screen.highlighted() is not None and screen.highlighted().key.startswith("i"),
                    "idea highlighted")
        await ask(f"Ta bort idé {no}.2 ”Idé utan cykel”?")
        await pilot.press("n")  # no: nothing is removed
        await until(pilot, lambda: app.screen is screen, "back on the list")
        assert len(mine()[0].ideas) == 2
        await ask(f"Ta bort idé {no}.2 ”Idé utan cykel”?")
        await pilot.press("y")
        await until(pilot, lambda: len(mine()[0].ideas) == 1 and screen.entries[-1].kind == "cycle", "idea removed")
        # the cycle (now the last line)
        await pilot.press("end")
        await until(pilot, lambda: screen.highlighted().kind == "cycle", "cycle highlighted")
        await ask(f"Ta bort PGSA-cykeln 2026-11-02–2026-11-09 för idé {no}.1 (”Prova en vecka”)?")
        await pilot.press("y")
        await until(pilot, lambda: [c.plan for c in mine()[0].ideas[0].cycles] == ["Igen"], "cycle removed")
        # the idea with its other cycle, then the problem: the question says what goes with it
        await until(pilot, lambda: screen.entries[-1].kind == "cycle" and screen.entries[-1].cycle.plan == "Igen",
                    "the list without it")
        await pilot.press("end", "up")
        await until(pilot, lambda: screen.highlighted().kind == "idea", "idea highlighted")
        await ask(f"Ta bort idé {no}.1 ”Idé med cykel” tillsammans med dess 1 PGSA-cykel?")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "cancelled")
        await pilot.press("up")
        await until(pilot, lambda: screen.highlighted().kind == "problem", "problem highlighted")
        await ask(f"Ta bort problem {no} ”Radera mig” tillsammans med dess 1 idé och 1 PGSA-cykel?")
        await pilot.press("tab", "enter")  # Tab to "Ja", Enter
        await until(pilot, lambda: mine() == [], "problem removed with its idea and cycle")
        await until(pilot, lambda: all(e.problem.id != pid for e in screen.entries), "gone from the list")
    assert audit_details(demo_engine, "improvement.problem.delete") == [f"{no} (ideas 1, cycles 1)"]
    assert audit_details(demo_engine, "improvement.idea.delete") == [f"{no}.2 (cycles 0)"]
    assert audit_details(demo_engine, "improvement.cycle.delete") == [f"{no}.1 2026-11-02–2026-11-09"]


async def test_an_accidental_new_line_leaves_nothing_behind(demo_engine, cfg):
    """p, i or c followed by Esc (nothing typed) makes no line, also right after editing another; text typed
    and erased again before Esc leaves none either."""
    svc = ImprovementService(demo_engine, cfg)
    pid = svc.add_problem("Kontinuitet")
    svc.add_idea(pid, "Samma läkare")

    def counts():
        ws = work(demo_engine, cfg)
        return (len(ws), sum(len(p.ideas) for p in ws), sum(len(i.cycles) for p in ws for i in p.ideas))

    before = counts()
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await summary_and_work(pilot)
        screen = app.screen
        await pilot.press("end")
        await until(pilot, lambda: screen.highlighted().kind == "idea", "the idea highlighted")
        # edit the idea (its text fills the form), then Esc: nothing new
        await pilot.press("enter")
        await focused_is(pilot, "f-text")
        await pilot.press("escape")
        await focused_is(pilot, "work")
        for key, field in (("i", "f-text"), ("c", "f-plan"), ("p", "f-text")):
            await pilot.press(key)
            await focused_is(pilot, field)
            assert app.focused.value == ""
            await pilot.press("escape")
            await focused_is(pilot, "work")
            await until(pilot, lambda: not app._writes and not app._write_busy, "writes done")
            assert counts() == before, key
        # typed, then erased: the empty line made by the typing is removed on leaving it
        await pilot.press("i")
        await focused_is(pilot, "f-text")
        await pilot.press(*"Ny")
        await until(pilot, lambda: counts()[1] == before[1] + 1, "the idea made by typing")
        await pilot.press("backspace", "backspace")
        await until(pilot, lambda: screen.saved_count >= 2 and "" in [i.text for p in work(demo_engine, cfg)
                                                                      for i in p.ideas], "saved empty")
        await pilot.press("escape")
        await until(pilot, lambda: counts() == before, "the empty idea removed on leaving it")


async def test_cycles_readable_at_both_sizes(demo_engine, cfg):
    """The table's columns fit the screen (nothing pushed off it) at 80×24 and 120×40; the highlighted
    cycle is shown in full under the table: dates, owner, plan, do, study, act and result."""
    svc = ImprovementService(demo_engine, cfg)
    pid = svc.add_problem("Läkarnas kalendrar är fullbokade och tid för rehabplan med patienten saknas helt")
    iid = svc.add_idea(pid, "Införa ett försäkringsmedicinskt team som följer upp sjukskrivningarna varje månad",
                       ["one_doctor", "full_time", "coordinator_contact", "rehab_plan"], status="testing")
    svc.add_cycle(iid, plan="Möte en gång i månaden med verksamhetschef, rehabkoordinator och FMA-läkare",
                  do="Teamet har träffats varje månad", study="Fler ärenden följs upp än förut",
                  act="Fortsätt, 45 minuter", owner="Kerstin Bronner", start=dt.date(2026, 2, 7),
                  end=dt.date(2026, 6, 1), result="Infört som standard på vårdcentralen")
    for size in ((80, 24), (120, 40)):
        app = LessApp(cfg, demo_engine, TODAY)
        async with app.run_test(size=size) as pilot:
            await summary_and_work(pilot)
            screen = app.screen
            table = screen.query_one("#work")
            await pilot.press("end")
            await until(pilot, lambda: screen.highlighted().kind == "cycle", "the cycle highlighted")
            widths = sum(col.get_render_width(table) for col in table.columns.values())
            assert widths <= table.scrollable_content_region.width, (size, widths)
            assert table.region.right <= size[0]
            detail = screen.query_one("#detail")
            shown = str(detail.render())
            for part in ("PGSA-cykel för idé", "2026-02-07–2026-06-01", "Ansvarig: Kerstin Bronner",
                         "Planera: Möte en gång i månaden med verksamhetschef, rehabkoordinator och FMA-läkare",
                         "Göra: Teamet har träffats varje månad", "Studera: Fler ärenden följs upp än förut",
                         "Agera: Fortsätt, 45 minuter", "Resultat: Infört som standard på vårdcentralen"):
                assert part in shown, (size, part)
            assert detail.display and detail.region.bottom <= size[1] - 1 and detail.region.height >= 6
            # the idea above it: its status and every indicator by name, in full
            await pilot.press("up")
            await until(pilot, lambda: screen.highlighted().kind == "idea", "the idea highlighted")
            shown = str(detail.render())
            assert "testas · En läkare, Heltid, Rehabkoordinator, Rehabplan" in shown
            assert "Införa ett försäkringsmedicinskt team som följer upp sjukskrivningarna varje månad" in shown
            # editing hides the detail (the form takes its place), Esc brings it back
            await pilot.press("enter")
            await focused_is(pilot, "f-text")
            assert not detail.display
            await pilot.press("escape")
            await focused_is(pilot, "work")
            assert detail.display
