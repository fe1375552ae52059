"""Training and supervision (the LESS roll-out): the command line, the counts, the next session due,
and the summary's line (overdue said in words)."""

import datetime as dt
import json

import pytest

from helpers import cli, workers_done
from less_tui.config import validate
from less_tui.core import improvement as imp_core
from less_tui.services.demo import DEMO_TRAININGS

TODAY = dt.date(2026, 11, 23)
TEAM = [{"name": "Jessica Bylund", "role": "Försäkringsmedicinskt ansvarig läkare"},
        {"name": "Niran El Kouni", "role": "Verksamhetschef, läkare"},
        {"name": "Kerstin Bronner", "role": "Rehabkoordinator"}]


def test_roll_out_counts_and_due_date():
    ro = imp_core.roll_out(TEAM, ["Jessica Bylund", "Kerstin Bronner", "Jessica Bylund", "Ny ST-läkare"],
                           [dt.date(2026, 9, 1), dt.date(2026, 10, 1)], 6)
    # a person once however many trainings; someone not on the roster counts as another profession
    assert (ro.trained_doctors, ro.trained_others) == (1, 2)
    assert ro.last_supervision == dt.date(2026, 10, 1) and ro.next_due == dt.date(2026, 11, 12)
    assert ro.overdue_days(dt.date(2026, 11, 12)) == 0 and ro.overdue_days(TODAY) == 11
    assert imp_core.roll_out(TEAM, [], [], 6).next_due is None


@pytest.fixture
def db(tmp_path):
    from less_tui.storage.db import open_engine

    path = tmp_path / "team.db"
    open_engine(f"sqlite:///{path}").dispose()
    return path


def test_supervision_and_training_from_the_command_line(db):
    env = {"LESS_TUI_TODAY": TODAY.isoformat()}
    p = cli("supervision", "add", "--date", "2026-10-01", "--minutes", "90", "--leader", "Anna Handledare",
            "--attendee", "Jessica Bylund", "--attendee", "Kerstin Bronner", "--db", str(db), env=env, check=True)
    assert "2026-10-01" in p.stdout and "90 min" in p.stdout
    cli("supervision", "training", "--person", "Jessica Bylund", "--course", "Försäkringsmedicin grundkurs",
        "--date", "2026-03-01", "--db", str(db), env=env, check=True)
    cli("supervision", "training", "--person", "Kerstin Bronner", "--course", "LESS för rehabkoordinatorer",
        "--db", str(db), env=env, check=True)
    out = json.loads(cli("supervision", "list", "--json", "--db", str(db), env=env, check=True).stdout)
    assert out["sessions"] == [{"date": "2026-10-01", "minutes": 90, "leader": "Anna Handledare",
                                "attendees": ["Jessica Bylund", "Kerstin Bronner"]}]
    # the default roster: Jessica Bylund is a doctor, Kerstin Bronner a coordinator
    assert (out["trained_doctors"], out["trained_others"]) == (1, 1)
    assert out["trainings"] == [
        {"date": "2026-03-01", "person": "Jessica Bylund", "course": "Försäkringsmedicin grundkurs", "doctor": True},
        {"date": "2026-11-23", "person": "Kerstin Bronner", "course": "LESS för rehabkoordinatorer", "doctor": False}]
    assert out["next_due"] == "2026-11-12" and out["overdue_days"] == 11
    text = cli("supervision", "list", "--db", str(db), env=env, check=True).stdout
    assert "Anna Handledare" in text and "försenad" in text and "2026-11-12" in text
    # the trainings too: who, their profession, which course, when
    lines = text.splitlines()
    assert any(ln.split() == ["2026-03-01", "Jessica", "Bylund", "läkare", "Försäkringsmedicin", "grundkurs"]
               for ln in lines), text
    assert any(ln.split() == ["2026-11-23", "Kerstin", "Bronner", "annan", "profession", "LESS", "för",
                              "rehabkoordinatorer"] for ln in lines), text
    en = cli("--lang", "en", "supervision", "list", "--db", str(db), env=env, check=True).stdout
    assert "overdue" in en and "försenad" not in en
    # the next session in time: no longer overdue
    cli("supervision", "add", "--date", "2026-11-20", "--minutes", "60", "--leader", "Anna Handledare",
        "--db", str(db), env=env, check=True)
    out = json.loads(cli("supervision", "list", "--json", "--db", str(db), env=env, check=True).stdout)
    assert out["next_due"] == "2027-01-01" and out["overdue_days"] == 0


@pytest.mark.parametrize("args,needle", [
    (["add", "--minutes", "0", "--leader", "A"], "--minutes 0"),
    (["add", "--minutes", "60", "--leader", "A", "--date", "2026-13-01"], "--date"),
    (["add", "--minutes", "60", "--leader", "A", "--date", "20261001"], "--date"),
    (["training", "--person", "A", "--course", "X", "--date", "2026-W40-4"], "--date"),
    (["add", "--minutes", "60", "--leader", "A\x1b[31m"], "--leader"),
    (["training", "--person", " ", "--course", "X"], "tomt"),
])
def test_bad_input_one_line_exit_2(db, args, needle):
    p = cli("supervision", *args, "--db", str(db))
    assert p.returncode == 2 and needle in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_a_session_or_training_after_today_is_refused(db):
    """Recorded once held: a date after today (2027 typed for 2026) is refused, naming the date and today,
    and nothing is stored; today itself is fine."""
    env = {"LESS_TUI_TODAY": TODAY.isoformat()}
    for args in (["add", "--minutes", "60", "--leader", "Anna Handledare"],
                 ["training", "--person", "Jessica Bylund", "--course", "LESS"]):
        p = cli("supervision", *args, "--date", "2027-11-23", "--db", str(db), env=env)
        assert p.returncode == 2 and "Traceback" not in p.stderr
        assert p.stderr.strip() == ("less-tui: --date 2027-11-23 är efter i dag (2026-11-23): en handledning eller "
                                    "utbildning registreras när den har hållits")
    out = json.loads(cli("supervision", "list", "--json", "--db", str(db), env=env, check=True).stdout)
    assert out["sessions"] == [] and out["trainings"] == []
    cli("supervision", "add", "--minutes", "60", "--leader", "Anna Handledare", "--date", TODAY.isoformat(),
        "--db", str(db), env=env, check=True)
    out = json.loads(cli("supervision", "list", "--json", "--db", str(db), env=env, check=True).stdout)
    assert [x["date"] for x in out["sessions"]] == [TODAY.isoformat()]


def test_supervision_weeks_is_checked():
    from less_tui.config import ConfigError

    assert validate({}).less.supervision_weeks == 6
    with pytest.raises(ConfigError, match="less.supervision_weeks"):
        validate({"less": {"supervision_weeks": 0}})


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_summary_says_trained_and_overdue(demo_engine, size):
    """The roll-out line is under the indicator table, whole and in view at both sizes (not cut by the
    chart's height beside it). The demo has trained Jessica Bylund (a doctor), Kerstin Bronner, Niran El
    Kouni (Verksamhetschef on the default roster) and Sara Lindqvist; its last supervision was at the
    meeting of 2026-10-23, so with supervision every 4 weeks the next was due 2026-11-20."""
    from less_tui.app import LessApp
    from less_tui.screens.queue import QueueScreen
    from less_tui.screens.summary import SummaryScreen
    from less_tui.services.improvement import ImprovementService

    cfg = validate({"less": {"supervision_weeks": 4}})
    svc = ImprovementService(demo_engine, cfg)
    svc.add_training("Jessica Bylund", "Försäkringsmedicin", dt.date(2026, 3, 1))  # a second course: once
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=size) as pilot:
        for _ in range(60):
            await pilot.pause()
            await workers_done(app)
            if isinstance(app.screen, QueueScreen) and app.screen.data is not None:
                break
        await pilot.press("s")
        for _ in range(60):
            await pilot.pause()
            await workers_done(app)
            if isinstance(app.screen, SummaryScreen) and app.screen.data is not None:
                break
        line = app.screen.query_one("#rollout")
        text = str(line.render())
        assert text.startswith("LESS-införandet: Utbildade i försäkringsmedicin: 1 läkare, 3 andra professioner · ")
        assert "försenad" in text and "2026-11-20" in text and "3 dagar sedan" in text
        assert "LESS-införandet" not in str(app.screen.query_one("#context").render())
        # under the indicator table and the ideas being tested, as many rows as its wrapped text needs,
        # above the footer: the whole line is on the screen without scrolling
        assert line.region.y == app.screen.query_one("#testing").region.bottom
        assert app.screen.query_one("#testing").region.y == app.screen.query_one("#indicators").region.bottom
        needed = len(line.render_lines(line.content_region.reset_offset))
        assert line.region.height == needed >= (2 if size[0] == 80 else 1)
        assert line.region.bottom <= app.size.height - 1


async def test_supervision_recorded_from_the_palette(demo_engine, cfg):
    from less_tui.app import LessApp
    from less_tui.screens.improvement import SupervisionDialog
    from less_tui.screens.queue import QueueScreen
    from less_tui.services.improvement import ImprovementService

    app = LessApp(cfg, demo_engine, TODAY)

    async def until(cond, what):
        for _ in range(80):
            await pilot.pause()
            await workers_done(app)
            await pilot.pause()
            if cond():
                return
        raise AssertionError(what)

    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "queue")
        await pilot.press("ctrl+p")
        await until(lambda: app.screen.__class__.__name__ == "LessCommandPalette", "palette")
        await pilot.press(*"Registrera handledning", "enter")
        await until(lambda: isinstance(app.screen, SupervisionDialog), "the dialog")
        # focus starts on the first field (the date); Tab walks top to bottom, Shift+Tab back up
        await until(lambda: app.focused is not None and app.focused.id == "s-date", "date focused")
        for after in ["s-minutes", "s-leader", "s-attendees"]:
            await pilot.press("tab")
            await until(lambda: app.focused is not None and app.focused.id == after, f"{after} focused by Tab")
        await pilot.press("tab")  # on past the last field
        await until(lambda: app.focused is not None and app.focused.id != "s-attendees", "Tab past the attendees")
        await pilot.press("shift+tab", "shift+tab", "shift+tab")
        await until(lambda: app.focused is not None and app.focused.id == "s-minutes", "minutes focused")
        # the leader is required; a length that is not one is named
        await pilot.press(*"90", "enter")
        await until(lambda: "Vem ledde" in str(app.screen.query_one("#supervision-error").render()), "leader asked")
        # a date after today is named, and the date field is where the cursor goes
        await pilot.press("shift+tab", "shift+tab", *["backspace"] * 10, *"2027-11-23", "enter")
        await until(lambda: "efter i dag" in str(app.screen.query_one("#supervision-error").render()), "future date")
        assert app.focused.id == "s-date"
        await pilot.press(*["backspace"] * 10, *TODAY.isoformat(), "tab", "tab")
        await pilot.press(*"Anna Handledare", "enter")
        await until(lambda: isinstance(app.screen, QueueScreen), "back on the queue")
        await until(lambda: ImprovementService(demo_engine, cfg).supervision_list() != [], "recorded")
    *demo, (date, minutes, leader, names) = ImprovementService(demo_engine, cfg).supervision_list()
    assert len(demo) == 2  # the demo's own sessions, before
    assert (date, minutes, leader) == (TODAY, 90, "Anna Handledare")
    assert names == ["Kerstin Bronner", "Niran El Kouni", "Jessica Bylund"]  # the roster's attendees


async def test_training_recorded_from_the_palette(demo_engine, cfg):
    from sqlmodel import Session

    from less_tui.app import LessApp
    from less_tui.screens.improvement import TrainingDialog
    from less_tui.screens.queue import QueueScreen
    from less_tui.storage import improvement as store
    from less_tui.storage import repo

    def trained():
        with Session(demo_engine) as s:
            unit = repo.get_unit(s, cfg.unit, create=False)
            return [(x.person, x.course, x.date) for x in store.trainings(s, unit.id)]

    app = LessApp(cfg, demo_engine, TODAY)

    async def until(cond, what):
        for _ in range(80):
            await pilot.pause()
            await workers_done(app)
            await pilot.pause()
            if cond():
                return
        raise AssertionError(what)

    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: isinstance(app.screen, QueueScreen) and app.screen.data is not None, "queue")
        await pilot.press("ctrl+p")
        await until(lambda: app.screen.__class__.__name__ == "LessCommandPalette", "palette")
        await pilot.press(*"Registrera utbildning", "enter")
        await until(lambda: isinstance(app.screen, TrainingDialog), "the dialog")
        await until(lambda: app.focused is not None and app.focused.id == "t-person", "person focused")
        # the course is required, and the date must be one
        await pilot.press(*"Jessica Bylund", "enter")
        await until(lambda: "Vilken utbildning" in str(app.screen.query_one("#training-error").render()), "course")
        assert app.focused.id == "t-course"
        await pilot.press(*"Försäkringsmedicin grundkurs", "tab", *["backspace"] * 10, *"2026-13-01", "enter")
        await until(lambda: "inget datum" in str(app.screen.query_one("#training-error").render()), "bad date")
        await pilot.press(*["backspace"] * 10, *"2026-11-24", "enter")  # tomorrow: not taken yet
        await until(lambda: "efter i dag (2026-11-23)" in str(app.screen.query_one("#training-error").render()),
                    "a date after today")
        assert app.focused.id == "t-date" and isinstance(app.screen, TrainingDialog)
        await pilot.press(*["backspace"] * 10, *"2026-11-02", "enter")
        await until(lambda: isinstance(app.screen, QueueScreen), "back on the queue")
        await until(lambda: len(trained()) == len(DEMO_TRAININGS) + 1, "recorded")
        # Esc cancels: nothing more is recorded
        await pilot.press("ctrl+p")
        await until(lambda: app.screen.__class__.__name__ == "LessCommandPalette", "palette again")
        await pilot.press(*"Registrera utbildning", "enter")
        await until(lambda: isinstance(app.screen, TrainingDialog), "the dialog again")
        await pilot.press(*"Kerstin Bronner", "escape")
        await until(lambda: isinstance(app.screen, QueueScreen), "cancelled")
    # after the demo's own trainings (the latest of them months ago), the one recorded here, once
    assert trained()[-1] == ("Jessica Bylund", "Försäkringsmedicin grundkurs", dt.date(2026, 11, 2))
    assert len(trained()) == len(DEMO_TRAININGS) + 1


@pytest.mark.parametrize("lang,doctors,others,expected", [
    ("sv", 1, 1, "Utbildade i försäkringsmedicin: 1 läkare, 1 annan profession"),
    ("sv", 2, 3, "Utbildade i försäkringsmedicin: 2 läkare, 3 andra professioner"),
    ("sv", 0, 0, "Utbildade i försäkringsmedicin: 0 läkare, 0 andra professioner"),
    ("en", 1, 1, "Trained in insurance medicine: 1 doctor, 1 other profession"),
    ("en", 2, 0, "Trained in insurance medicine: 2 doctors, 0 other professions"),
])
def test_trained_counts_singular_and_plural(lang, doctors, others, expected):
    from less_tui.present import supervision_line

    ro = imp_core.RollOut(doctors, others, dt.date(2026, 10, 12), dt.date(2026, 11, 22))
    assert supervision_line(ro, TODAY, lang=lang).startswith(expected + " · ")
    # one day overdue / in one day: "1 dag", "1 day"
    assert supervision_line(ro, TODAY, lang=lang).endswith("(1 dag sedan)" if lang == "sv" else "(1 day ago)")
    soon = imp_core.RollOut(doctors, others, dt.date(2026, 10, 13), dt.date(2026, 11, 24))
    assert supervision_line(soon, TODAY, lang=lang).endswith("(om 1 dag)" if lang == "sv" else "(in 1 day)")


def test_report_target_column_says_the_direction():
    assert imp_core.target_text(0.8, "higher", "sv") == "80 %"  # a line as the seed writes it: "(mål 80 %)"
    assert imp_core.target_text(0.8, "higher", "sv", signed=True) == "≥ 80 %"
    assert imp_core.target_text(0.2, "lower", "sv", signed=True) == "≤ 20 %"
    assert imp_core.measure_target(10, "higher", "count", signed=True) == "≥ 10"


def test_a_session_or_training_recorded_by_mistake_is_removed(db):
    """(coordinator helper) A session saved with a mistyped leader could not be corrected: it set the next
    session due and went into the year's report. `supervision remove` takes it away (audited)."""
    env = {"LESS_TUI_TODAY": TODAY.isoformat()}
    for leader in ("Lena 2026-13-01", "Anna Handledare"):
        cli("supervision", "add", "--date", "2026-11-20", "--minutes", "60", "--leader", leader, "--db", str(db),
            env=env, check=True)
    cli("supervision", "training", "--person", "Jessica Bylund", "--course", "LESS", "--date", "2026-11-01",
        "--db", str(db), env=env, check=True)
    p = cli("supervision", "remove", "--date", "2026-11-20", "--db", str(db), env=env)
    assert p.returncode == 2 and "fler än en stämmer: 2026-11-20 60 min, Lena 2026-13-01; 2026-11-20 60 min, " \
                                 "Anna Handledare" in p.stderr
    p = cli("supervision", "remove", "--date", "2026-11-20", "--leader", "lena  2026-13-01", "--db", str(db),
            env=env, check=True)
    assert p.stdout.strip() == "Borttaget: 2026-11-20 60 min, Lena 2026-13-01."
    cli("supervision", "remove", "--date", "2026-11-01", "--person", "Jessica Bylund", "--db", str(db), env=env,
        check=True)
    p = cli("supervision", "remove", "--date", "2026-11-01", "--person", "Jessica Bylund", "--db", str(db), env=env)
    assert p.returncode == 2 and "ingen handledning eller utbildning registrerad 2026-11-01 stämmer" in p.stderr
    out = json.loads(cli("supervision", "list", "--json", "--db", str(db), env=env, check=True).stdout)
    assert [x["leader"] for x in out["sessions"]] == ["Anna Handledare"] and out["trainings"] == []
    audit = [r["action"] for r in json.loads(cli("audit", "--json", "--db", str(db), env=env, check=True).stdout)]
    assert audit.count("supervision.remove") == 1 and audit.count("training.remove") == 1
