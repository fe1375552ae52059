"""No English on a Swedish screen (issue 9, "Numbers and words"): the command line's messages, the
import problems (after their FILE:LINE:COLUMN: prefix, the column named as the file's header has it),
the `audit` table's headers, and the open list of a Select field in the app.

The CLI runs as a person runs it (a process, Swedish by default); ``--lang en`` gives English.
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from helpers import ROOT, SAMPLES, cli

MALFORMED = ROOT / "tests" / "data" / "malformed"
ENV = {"LESS_TUI_TODAY": "2026-11-23"}
# words that give English away in a message (a command in `backticks` and a path are left out)
ENGLISH = re.compile(r"\b(found|expected|error|errors|row|rows|column|columns|meeting|meetings|nothing|"
                     r"stored|missing|must|unknown|cannot|skipped|warning|file|empty)\b", re.IGNORECASE)
H = "Personnummer;Namn;Diagnos;Startdatum;Slutdatum;Grad;Läkare"
H_EN = "personal_id;name;diagnosis;start;end;degree;doctor"


def english_words(text: str) -> list[str]:
    text = re.sub(r"`[^`]*`", " ", text)  # a command to type: `less-tui meeting new`
    words = [w for w in text.split() if "/" not in w]  # paths (the files and databases of the test)
    return ENGLISH.findall(" ".join(words))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """A database with the sample certificates and a closed meeting."""
    d = tmp_path_factory.mktemp("sv") / "x.db"
    cli("import", "--db", str(d), "--as-of", "2026-11-22", str(SAMPLES / "intyg-exempel.csv"), env=ENV, check=True)
    cli("meeting", "new", "--db", str(d), "--date", "2026-10-20", env=ENV, check=True)
    cli("meeting", "close", "--db", str(d), "--date", "2026-10-20", env=ENV, check=True)
    return d


def _files(tmp_path):
    bad_en = tmp_path / "en-headers.csv"
    bad_en.write_text(f"{H_EN}\n19760306-4193;A B;R53.9;2026-09-11;2026-10-24;60%;Anna Berg\n", encoding="utf-8")
    no_degree_en = tmp_path / "en-no-degree.csv"
    no_degree_en.write_text("personal_id;diagnosis;start;end;doctor\n", encoding="utf-8")
    extra = tmp_path / "extra-column.csv"
    extra.write_text(f"{H};Okänd\n19760306-4192;Sara Olsson;R53.9;2026-09-11;2026-10-24;100%;Anna Berg;x\n",
                     encoding="utf-8")
    return bad_en, no_degree_en, extra


def test_swedish_cli_output_has_no_english(db, tmp_path):
    bad_en, no_degree_en, extra = _files(tmp_path)
    cfgfile = tmp_path / "c.toml"
    cfgfile.write_text('[episodes]\nmax_gap_days = "five"\n[queue]\nmin_dayz = 3\n', encoding="utf-8")
    notdb = tmp_path / "not-a-db.db"
    notdb.write_bytes(b"x" * 200)
    malformed = [MALFORMED / n for n in ("many_bad_rows.csv", "wrong_header.csv", "missing_required_column.csv",
                                         "empty.csv", "utf16.csv", "end_before_start.csv", "formula_in_csv.csv",
                                         "excel_pnr_scientific.csv", "header_only.csv", "bad_rehab_plan.csv",
                                         "duplicated_column.csv", "binary.csv", "corrupt.xlsx")]
    calls = [
        ["import", "--db", str(db), *map(str, malformed), str(bad_en), str(no_degree_en)],
        ["import", "--db", str(db), "--dry-run", str(extra)],  # a warning, then the summary
        ["import", "--db", str(db), "--skip-invalid", "--dry-run", str(MALFORMED / "many_bad_rows.csv")],
        ["import", "--db", str(db), str(tmp_path / "no-such.csv")],
        ["meeting", "close", "--db", str(db), "--date", "2026-01-01"],
        ["meeting", "close", "--db", str(db), "--date", "2026-10-20"],
        ["meeting", "new", "--db", str(db), "--date", "2026-10-20"],
        ["meeting", "reopen", "--db", str(db), "--date", "2026-01-01", "--reason", "fel"],
        ["meeting", "list", "--db", str(db)],
        ["indicators", "--db", str(db), "--at", "2026-13-01"],
        ["--lang", "de", "queue", "--db", str(db)],
        ["export", "--db", str(db), "--format", "pdf"],
        ["export", "--db", str(db), "--meeting", "2026-01-01"],
        ["export", "--db", str(tmp_path / "empty.db"), "--meeting", "2026-01-01"],
        ["audit", "--db", str(db), "--patient", "19760306-4193"],
        ["--config", str(cfgfile), "indicators", "--db", str(db)],
        ["restore", "--db", str(db), str(notdb), "--yes"],
        ["backup", "--db", str(db), str(tmp_path / "bk.db")],
        ["doctor", "--db", str(db)],
        ["demo", "--no-open", "--db", str(tmp_path / "d.db"), "--scale", "city"],
    ]
    seen = []
    for args in calls:
        p = cli(*args, env=ENV)
        out = p.stdout + p.stderr
        assert "Traceback" not in out, out
        assert english_words(out) == [], f"less-tui {' '.join(args)}:\n{out}"
        seen.append(out)
    every = "\n".join(seen)
    # the import problems keep FILE:LINE:COLUMN: and name the column as the file's header has it
    assert f"{MALFORMED / 'many_bad_rows.csv'}:4:6: Grad: hittade '110'; förväntade 25, 50, 75 eller 100" in every
    assert f"{bad_en}:2:1: personal_id: '19760306-4193': kontrollsiffran (den sista) stämmer inte" in every
    assert f"{bad_en}:2:6: degree: hittade '60%'" in every
    assert f"{no_degree_en}:1:0: rubrikraden saknar kolumnen degree (eller Grad)" in every
    assert f"{MALFORMED / 'missing_required_column.csv'}:1:0: rubrikraden saknar kolumnen Grad (eller degree)" in every
    assert "problem; inget sparades." in every and "varning: " in every and "hoppade över: " in every


def test_audit_headers_are_swedish_and_english_with_lang_en(db):
    sv = cli("audit", "--db", str(db), env=ENV, check=True).stdout.splitlines()[0]
    assert sv.split() == ["Tid", "Användare", "SSH-klient", "Händelse", "Enhet", "Ärende", "Detalj"]
    en = cli("--lang", "en", "audit", "--db", str(db), env=ENV, check=True).stdout.splitlines()[0]
    assert en.split() == ["Time", "User", "SSH", "client", "Action", "Unit", "Case", "Detail"]


def test_lang_en_gives_english_import_problems_and_messages(db, tmp_path):
    bad_en, no_degree_en, _ = _files(tmp_path)
    many = MALFORMED / "many_bad_rows.csv"
    p = cli("--lang", "en", "import", "--db", str(db), str(many), str(bad_en), str(no_degree_en), env=ENV)
    assert p.returncode == 2
    assert f"{many}:4:6: Grad: found '110', expected 25, 50, 75 or 100" in p.stderr
    assert f"{bad_en}:2:1: personal_id: '19760306-4193': the check digit (the last one) does not match" in p.stderr
    assert f"{no_degree_en}:1:0: header is missing the required column degree (or Grad)" in p.stderr
    assert "problem(s); nothing was stored." in p.stderr
    assert "hittade" not in p.stderr and "förväntade" not in p.stderr
    p = cli("--lang", "en", "meeting", "close", "--db", str(db), "--date", "2026-10-20", env=ENV)
    assert p.returncode == 2 and "is already closed" in p.stderr
    p = cli("--lang", "en", "indicators", "--db", str(db), "--at", "2026-13-01", env=ENV)
    assert "--at: found '2026-13-01', expected a date YYYY-MM-DD" in p.stderr
    # the config's own language too, for the problems of the config itself
    cfg = tmp_path / "en.toml"
    cfg.write_text('language = "en"\n[queue]\nmin_dayz = 3\n', encoding="utf-8")
    p = cli("--config", str(cfg), "indicators", "--db", str(db), env=ENV)
    assert p.returncode == 2 and "unknown key 'queue.min_dayz'" in p.stderr and "configuration problem" in p.stderr


def test_nothing_was_stored_by_the_refused_imports(db):
    c = sqlite3.connect(db)
    try:
        assert c.execute("SELECT COUNT(*) FROM import_batches").fetchone()[0] == 1
    finally:
        c.close()


# ---------------------------------------------------------------- the app: a Select's open list

async def _overlay_footer(lang: str) -> tuple[str, str]:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer

    from less_tui.i18n import set_language
    from less_tui.widgets.select import LessSelect, LessSelectOverlay

    set_language(lang)

    class One(App):
        def compose(self) -> ComposeResult:
            yield LessSelect([("Ja", 1), ("Nej", 2)], value=1, allow_blank=False, id="s")
            yield Footer()

    app = One()
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        assert app.focused is app.query_one("#s")  # the only field: Textual focuses it at start
        await pilot.press("enter")
        await pilot.pause()
        overlay = app.query_one(LessSelectOverlay)
        assert app.focused is overlay
        described = next(b.description for _, b in overlay._bindings if b.key == "escape")
        await pilot.pause()
        screen = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        await pilot.press("escape")
        await pilot.pause()
        assert app.query_one("#s").expanded is False  # Escape still closes the list
    return described, screen


async def test_select_overlay_says_escape_in_swedish():
    from less_tui.i18n import t

    described, screen = await _overlay_footer("sv")
    assert described == t("key.dismiss_menu", "sv") == "Stäng listan"
    assert "Stäng listan" in screen and "Dismiss" not in screen


async def test_select_overlay_says_escape_in_english():
    described, screen = await _overlay_footer("en")
    assert described == "Close the list" and "Close the list" in screen
