"""Numbers and words (issue 9): Swedish number formats, a change that says better/worse in words,
the run chart's name, distinct words for closing and quitting, translated sort names.

The formatting lives in ``less_tui.core.text``; the screens, the CLI and the minutes use it. The Pilot
tests drive the app only with ``pilot.press``.
"""

import datetime as dt
import re

import pytest

from helpers import run
from less_tui.app import LessApp
from less_tui.core import text
from less_tui.core.indicators import Indicator, Value
from less_tui.i18n import CATALOGUES, set_language
from less_tui.screens.queue import SORTS
from less_tui.screens.summary import SummaryScreen
from test_keyboard import queue_ready, until

TODAY = dt.date(2026, 11, 23)
MINUS = "\u2212"
ENV = {"LESS_TUI_TODAY": TODAY.isoformat()}


# ------------------------------------------------------------------ the formats, one place

@pytest.mark.parametrize("lang,want", [("sv", "57,4 %"), ("en", "57.4 %")])
def test_a_share_is_rounded_once_from_the_counts(lang, want):
    assert text.share_pct(54, 94, lang=lang) == want
    # the old way rounded the share to 0.5745 first, and 57.45 became 57.5
    assert text.pct(round(54 / 94, 4), 1, lang) != want


def test_share_edge_cases():
    assert text.share_pct(0, 0, lang="sv") == "–"
    assert text.share_pct(0, 94, lang="sv") == "0,0 %"
    assert text.share_pct(94, 94, lang="en") == "100.0 %"
    assert text.share_pct(1, 16, lang="sv") == "6,3 %"  # 6.25: a true half goes up, every time
    assert text.share_pct(1, 3, lang="sv") == "33,3 %"


def test_numbers_use_a_real_minus_and_never_minus_zero():
    assert text.number(-7.44, 1, "sv") == f"{MINUS}7,4"
    assert text.number(-6.25, 1, "en") == f"{MINUS}6.3"
    assert text.number(-0.04, 1, "sv") == "0,0"
    assert text.number(9.6, 1, "sv", sign=True) == "+9,6"
    assert text.number(0, 1, "sv", sign=True) == "0,0"
    assert "-" not in text.number(-12.5, 1, "sv")


@pytest.mark.parametrize("lang,want", [
    ("sv", f"↓ {MINUS}7,4 p.e. (sämre)"),
    ("en", f"↓ {MINUS}7.4 pp (worse)"),
])
def test_a_fall_where_higher_is_better_is_worse(lang, want):
    ch = text.change(54, 94, 61, 94, "higher", lang)
    assert ch.text() == want
    assert (ch.arrow, ch.verdict) == ("↓", "worse")
    assert str(ch.value) == "-7.4"


@pytest.mark.parametrize("lang,want", [
    ("sv", f"↓ {MINUS}2,1 p.e. (bättre)"),
    ("en", f"↓ {MINUS}2.1 pp (better)"),
])
def test_a_fall_where_lower_is_better_is_better_and_the_arrow_still_points_down(lang, want):
    assert text.change(59, 94, 61, 94, "lower", lang).text() == want


@pytest.mark.parametrize("lang,up,lower", [
    ("sv", "↑ +9,6 p.e. (bättre)", "↑ +8,5 p.e. (sämre)"),
    ("en", "↑ +9.6 pp (better)", "↑ +8.5 pp (worse)"),
])
def test_a_rise(lang, up, lower):
    assert text.change(61, 94, 52, 94, "higher", lang).text() == up
    assert text.change(61, 94, 53, 94, "lower", lang).text() == lower


@pytest.mark.parametrize("lang,want", [("sv", "→ 0,0 p.e. (oförändrad)"), ("en", "→ 0.0 pp (unchanged)")])
def test_no_change_and_a_change_too_small_to_show(lang, want):
    assert text.change(22, 94, 22, 94, "higher", lang).text() == want
    # 0.001 percentage points: shown as 0,0, so it is "unchanged", not "↓ −0,0 … worse"
    assert text.change(1000, 100000, 1001, 100000, "higher", lang).text() == want


def test_no_previous_meeting_or_no_population():
    assert text.change(54, 94, None, None, "higher", "sv").text() == "–"
    assert text.change(0, 0, 5, 10, "higher", "sv").text() == "–"
    assert text.change(5, 10, 0, 0, "higher", "en").text() == "–"


def test_the_change_is_computed_from_the_counts_not_from_rounded_shares():
    # 1/3 − 1/8 = 20.8333… pp; from shares rounded to 4 decimals it is the same here, but the
    # indicator's own helper must use the counts it carries
    ind = Indicator("one_doctor", 1, 3, 0.8, "higher", previous=Value(1, 8))
    assert text.indicator_change(ind, "sv").text() == "↑ +20,8 p.e. (bättre)"
    ind = Indicator("full_time", 1, 3, 0.2, "lower", previous=Value(1, 8))
    assert text.indicator_change(ind, "en").text() == "↑ +20.8 pp (worse)"


def test_targets_medians_and_the_current_language():
    assert text.target(0.8, "higher", "sv") == "≥ 80 %"
    assert text.target(0.2, "lower", "en") == "≤ 20 %"
    assert text.target(0.825, "lower", "sv") == "≤ 82,5 %"
    assert text.median(149.5, "sv") == "149,5" and text.median(149.5, "en") == "149.5"
    assert text.median(149, "sv") == "149" and text.median(None, "sv") == "–"
    set_language("en")
    try:
        assert text.share_pct(54, 94) == "57.4 %"
        assert text.pp(-7.44) == f"↓ {MINUS}7.4 pp"
    finally:
        set_language("sv")
    assert text.share_pct(54, 94) == "57,4 %"
    assert text.pp(-7.44) == f"↓ {MINUS}7,4 p.e."


def test_every_new_string_is_in_both_catalogues():
    keys = ["num.decimal", "num.pp", "change.better", "change.worse", "change.unchanged", "col.previous_short",
            "sort.rank", "sort.case", "sort.length", "sort.doctors", "sort.degree", "sort.diagnosis"]
    for lang in ("sv", "en"):
        missing = [k for k in keys if k not in CATALOGUES[lang]]
        assert not missing, (lang, missing)
    sv, en = CATALOGUES["sv"], CATALOGUES["en"]
    assert sv["sum.chart"].startswith("Seriediagram") and en["sum.chart"].startswith("Run chart")
    assert (sv["key.close_meeting"], sv["key.quit"]) == ("Stäng mötet", "Avsluta")
    assert (en["key.close_meeting"], en["key.quit"]) == ("Close meeting", "Quit")
    assert sv["change.unchanged"] == "oförändrad" and sv["num.pp"] == "p.e."


# ------------------------------------------------------------------ CLI and workbook

def test_cli_indicators_in_swedish_and_english(demo_db):
    sv = run("indicators", "--db", str(demo_db), "--at", "2026-10-23", env=ENV, check=True).stdout
    assert re.search(r"\d+/\d+ +\d+,\d %", sv), sv
    assert re.search(r"[↑↓→] [+−]?\d+,\d p\.e\. \((bättre|sämre|oförändrad)\)", sv), sv
    assert " pp" not in sv and not re.search(r"\d\.\d %", sv)
    en = run("--lang", "en", "indicators", "--db", str(demo_db), "--at", "2026-10-23", env=ENV, check=True).stdout
    assert re.search(r"\d+/\d+ +\d+\.\d %", en), en
    assert re.search(r"[↑↓→] [+−]?\d+\.\d pp \((better|worse|unchanged)\)", en), en
    assert "p.e." not in en and "bättre" not in en and "sämre" not in en


def test_workbook_holds_the_exact_share(demo_db, tmp_path):
    import openpyxl

    out = tmp_path / "w.xlsx"
    run("export", "--db", str(demo_db), "--format", "xlsx", "-o", str(out), env=ENV, check=True)
    ws = openpyxl.load_workbook(out).worksheets[0]
    shares = [(row[2 + 4 * k], row[3 + 4 * k], row[4 + 4 * k])
              for row in ws.iter_rows(min_row=2, values_only=True) for k in range(4)]
    assert shares and all(n for _, n, _ in shares), "every meeting of the demo has a population"
    for count, n, share in shares:
        assert share == pytest.approx(count / n, abs=1e-12)  # Excel's "0.0%" rounds it once


# ------------------------------------------------------------------ on screen, keys only

def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def share(count: int, n: int, lang: str) -> str:
    s = f"{count * 100 / n:.1f}"
    return (s.replace(".", ",") if lang == "sv" else s) + " %"


WORDS = {"sv": {"better": "bättre", "worse": "sämre", "unchanged": "oförändrad", "pp": "p.e."},
         "en": {"better": "better", "worse": "worse", "unchanged": "unchanged", "pp": "pp"}}


def expected_change(i, lang: str, brackets: bool = True) -> str:
    """Worked out here from the counts, independently of less_tui.core.text."""
    d = (i.count / i.denominator - i.previous.count / i.previous.denominator) * 100
    d = round(d, 1) + 0.0
    arrow = "↑" if d > 0 else ("↓" if d < 0 else "→")
    verdict = "unchanged" if d == 0 else ("better" if (d > 0) == (i.direction == "higher") else "worse")
    num = f"{abs(d):.1f}"
    num = num.replace(".", ",") if lang == "sv" else num
    num = (MINUS if d < 0 else ("+" if d > 0 else "")) + num
    word = WORDS[lang][verdict]
    return f"{arrow} {num} {WORDS[lang]['pp']} " + (f"({word})" if brackets else word)


async def open_summary(pilot):
    app = pilot.app
    await queue_ready(pilot)
    await pilot.press("s")
    await until(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.data is not None, "the summary")
    await until(pilot, lambda: "%" in screen_text(app), "the indicators drawn")
    return app.screen


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_summary_numbers_and_words_on_screen(demo_engine, cfg, lang):
    app = LessApp(cfg, demo_engine, TODAY, lang=lang)
    async with app.run_test(size=(120, 40)) as pilot:
        s = await open_summary(pilot)
        shown = screen_text(app)
        inds = s.data.indicators.indicators
        for i in inds:
            assert f"{i.count}/{i.denominator} {share(i.count, i.denominator, lang)}" in shown, shown
            assert share(i.previous.count, i.previous.denominator, lang) in shown
            assert expected_change(i, lang) in shown, (expected_change(i, lang), shown)
        one = s.data.indicators.by_key("one_doctor")
        assert (one.count, one.denominator) == (54, 94)  # the demo's case from the issue
        assert ("54/94 57,4 %" if lang == "sv" else "54/94 57.4 %") in shown
        if lang == "sv":
            assert "Seriediagram: En läkare" in shown and "Körschema" not in shown
            assert "c Stäng mötet" in shown and "q Avsluta" in shown
            assert " pp" not in shown and not re.search(r"\d\.\d %", shown)
            assert "sämre" in shown or "bättre" in shown
        else:
            assert "Run chart: One doctor" in shown
            assert "c Close meeting" in shown and "q Quit" in shown
            assert "p.e." not in shown and "sämre" not in shown
        # n: the next indicator's run chart
        await pilot.press("n")
        await until(pilot, lambda: ("Seriediagram: Heltid" if lang == "sv" else "Run chart: Full-time")
                    in screen_text(app), "the next chart")


async def test_summary_at_80_columns_keeps_the_words(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY, lang="sv")
    async with app.run_test(size=(80, 24)) as pilot:
        s = await open_summary(pilot)
        shown = screen_text(app)
        for i in s.data.indicators.indicators:
            assert expected_change(i, "sv", brackets=False) in shown, shown
        table = s.query_one("#indicators")
        assert table.virtual_size.width <= table.content_region.width  # nothing scrolled out of sight


async def test_summary_in_projector_mode_draws_the_same_words(demo_engine, cfg):
    app = LessApp(cfg, demo_engine, TODAY, lang="sv", projector=True)
    async with app.run_test(size=(120, 40)) as pilot:
        s = await open_summary(pilot)
        shown = screen_text(app)
        assert "Seriediagram: En läkare" in shown
        assert "●" in shown  # a dot per meeting on the chart
        assert all(expected_change(i, "sv") in shown for i in s.data.indicators.indicators)


@pytest.mark.parametrize("lang,names", [
    ("sv", ["ärendenummer", "sjukdag", "antal läkare", "sjukskrivningsgrad", "diagnos"]),
    ("en", ["case number", "sick day", "number of doctors", "degree", "diagnosis"]),
])
async def test_queue_sort_names_are_translated(demo_engine, cfg, lang, names):
    app = LessApp(cfg, demo_engine, TODAY, lang=lang)
    label = "Sortera" if lang == "sv" else "Sort"
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        for name in names:
            await pilot.press("o")
            await until(pilot, lambda: f"{label}: {name}" in str(q.query_one("#queue-status").render()),
                        f"sort {name}")
        assert "length" not in str(q.query_one("#queue-status").render())


async def test_the_sorted_column_is_marked_in_its_header(demo_engine, cfg):
    """`o` cycles the sort; the header of the column the rows are ordered by carries ▲/▼ (the ranking
    marks the reasons), and sorting by sick day orders by the number the column shows."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        q = await queue_ready(pilot)
        table = q.query_one("#cases")

        def header(key: str) -> str:
            return str(table.columns[key].label)

        assert header("reasons").endswith("▼") and not header("day").endswith("▼")
        await pilot.press("o", "o")  # ranking → case number → sick day
        await until(pilot, lambda: header("day").endswith("▼"), "the sick day column marked")
        assert not header("reasons").endswith("▼")
        days = [r.day for r in q.shown_rows]
        assert days == sorted(days, reverse=True)


async def test_at_80x24_the_sorted_column_stays_on_screen_with_its_arrow(demo_engine, cfg):
    """At 80x24 the queue drops the Grad column; sorted by degree, nothing on screen said how the rows were
    ordered. The column sorted by stays, marked."""
    app = LessApp(cfg, demo_engine, TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        q = await queue_ready(pilot)
        table = q.query_one("#cases")
        assert "degree" not in table.columns  # (dropped for room)
        for _ in range(SORTS.index("degree")):  # ranking → … → degree
            await pilot.press("o")
        await until(pilot, lambda: "degree" in table.columns and str(table.columns["degree"].label).endswith("▼"),
                    "the degree column, marked")
