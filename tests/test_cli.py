"""The command line as a person uses it: its arguments, messages, exit codes and real files, run in
this process (``helpers.cli``); the killed import runs real processes."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import ROOT, SAMPLES, cli

# Every malformed file's exact problems are checked in-process (tests/test_importer_rules.py); these few,
# one of each kind (a file refused whole, a bad cell, a bad header, a workbook), run the real command.
MALFORMED = [ROOT / "tests" / "data" / "malformed" / n
             for n in ("binary.csv", "bad_luhn.csv", "missing_required_column.csv", "formula_cells.xlsx")]
sys.path.insert(0, str(ROOT / "tests" / "data"))
from make_malformed import EXPECT  # noqa: E402


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory):
    """A database with one good import, to prove bad files leave it as it was."""
    db = tmp_path_factory.mktemp("db") / "x.db"
    env = {"LESS_TUI_TODAY": "2026-11-23", "HOME": str(db.parent)}
    cli("import", "--db", str(db), "--as-of", "2026-11-22", str(SAMPLES / "intyg-exempel.csv"), env=env, check=True)
    return db


def _dump(db: Path):
    c = sqlite3.connect(db)
    try:
        return [c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("certificates", "patients", "doctors", "import_batches", "status_records", "audit_log")]
    finally:
        c.close()


@pytest.mark.parametrize("path", MALFORMED, ids=[p.name for p in MALFORMED])
def test_malformed_file_exits_2_with_a_clear_message(path, seeded_db):
    before = _dump(seeded_db)
    p = cli("import", "--db", str(seeded_db), "--as-of", "2026-11-22", str(path))
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    assert f"{path}:" in p.stderr
    assert EXPECT[path.name] in p.stderr, p.stderr
    assert "inget sparades" in p.stderr
    assert _dump(seeded_db) == before


def test_skip_invalid_stores_the_valid_rows(tmp_path):
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), "--skip-invalid", "--json",
            str(ROOT / "tests/data/malformed/many_bad_rows.csv"))
    assert p.returncode == 0, p.stderr
    s = json.loads(p.stdout)
    assert s["new_certificates"] == 1 and s["invalid_rows"] == 3
    assert p.stderr.count("hoppade över:") == 3


def test_sample_files_import_and_twice_changes_nothing(tmp_path):
    db = tmp_path / "x.db"
    env = {"LESS_TUI_TODAY": "2026-11-22"}
    first = json.loads(cli("import", "--db", str(db), "--json", str(SAMPLES / "intyg-exempel.csv"),
                           env=env, check=True).stdout)
    assert first["rows_read"] == 16 and first["new_certificates"] == 16 and first["patients"] == 12
    dump = _dump(db)
    again = json.loads(cli("import", "--db", str(db), "--json", str(SAMPLES / "intyg-exempel.csv"),
                           env=env, check=True).stdout)
    assert again["new_certificates"] == 0 and again["known_certificates"] == 16 and again["status_records"] == 0
    assert _dump(db)[:3] == dump[:3] and _dump(db)[4] == dump[4]
    rs = cli("import", "--db", str(db), str(SAMPLES / "rehabstod-sjukfall-exempel.xlsx"), env=env, check=True)
    assert "minimivärden" in rs.stdout


def test_dry_run(tmp_path):
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), "--dry-run", str(SAMPLES / "intyg-exempel.csv"), check=True)
    assert "Provkörning" in p.stdout
    assert not db.exists()  # a dry run creates nothing (more in tests/test_files_exits.py)


def test_bad_option_values_are_clear(tmp_path):
    p = cli("indicators", "--db", str(tmp_path / "x.db"), "--at", "2026-13-01")
    assert p.returncode == 2 and "förväntade ett datum ÅÅÅÅ-MM-DD" in p.stderr and "Traceback" not in p.stderr
    p = cli("--lang", "de", "queue", "--db", str(tmp_path / "x.db"))
    assert p.returncode == 2 and "förväntade sv eller en" in p.stderr


def test_a_config_that_is_a_folder_is_said_not_a_crash(tmp_path, monkeypatch):
    """--config naming a folder (or LESS_TUI_CONFIG): an internal error (IsADirectoryError) with a crash log."""
    folder = tmp_path / "conf"
    folder.mkdir()
    p = cli("--config", str(folder), "indicators", "--db", str(tmp_path / "x.db"))
    assert p.returncode == 2 and "Traceback" not in p.stderr and "internt fel" not in p.stderr
    assert f"{folder}: är en mapp, inte en fil" in p.stderr
    monkeypatch.setenv("LESS_TUI_CONFIG", str(folder))
    p = cli("indicators", "--db", str(tmp_path / "x.db"))
    assert p.returncode == 2 and f"{folder}: är en mapp, inte en fil" in p.stderr


def test_bad_config_names_the_key(tmp_path):
    cfgfile = tmp_path / "c.toml"
    cfgfile.write_text('[episodes]\nmax_gap_days = "five"\n[queue]\nmin_dayz = 3\n[keymap]\nsumary = "f5"\n',
                       encoding="utf-8")
    p = cli("--config", str(cfgfile), "indicators", "--db", str(tmp_path / "x.db"))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "'episodes.max_gap_days' måste vara ett heltal" in p.stderr
    assert "okänd nyckel 'queue.min_dayz'" in p.stderr
    assert "okänt bindnings-id 'keymap.sumary', hittade 'sumary'; menade du 'summary'?" in p.stderr


def test_init_refuses_to_overwrite(tmp_path):
    target = tmp_path / "cfg" / "config.toml"
    target.parent.mkdir()  # (a missing folder of --path is an error: tests/test_files_exits.py)
    db = tmp_path / "x.db"
    cli("init", "--path", str(target), "--db", str(db), "--unit", "VC Test", check=True)
    assert "VC Test" in target.read_text(encoding="utf-8")
    p = cli("init", "--path", str(target), "--db", str(db))
    assert p.returncode == 2 and "--force" in p.stderr
    cli("init", "--path", str(target), "--db", str(db), "--force", check=True)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, demo_template):
    """The demo clinic (the run's copy, built once by ``services.demo.build_clinic`` as `less-tui demo`
    builds it; the command itself builds one in tests/test_demo_db.py)."""
    import shutil

    db = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(demo_template, db)
    env = {"LESS_TUI_TODAY": "2026-11-23", "HOME": str(db.parent)}
    return db, env


def test_demo_then_indicators_with_deltas(demo_db):
    db, env = demo_db
    p = cli("indicators", "--db", str(db), env=env, check=True)
    assert "Andel med endast en läkare i sjukskrivningen" in p.stdout
    assert "jämfört med mötet 2026-10-23" in p.stdout
    js = json.loads(cli("indicators", "--db", str(db), "--json", env=env, check=True).stdout)
    assert js["date"] == "2026-11-23" and 60 <= js["population"] <= 140
    assert [i["key"] for i in js["indicators"]] == ["one_doctor", "full_time", "coordinator_contact", "rehab_plan"]
    for i in js["indicators"]:
        assert i["previous"]["meeting_date"] == "2026-10-23"
        assert i["delta_pp"] == pytest.approx((i["share"] - i["previous"]["share"]) * 100, abs=0.01)
    assert 120 <= js["context"]["ongoing_total"] <= 190
    en = cli("--lang", "en", "indicators", "--db", str(db), env=env, check=True).stdout
    assert "Share on full-time sick leave" in en and "Andel" not in en


def test_demo_meetings_and_queue(demo_db):
    db, env = demo_db
    ms = json.loads(cli("meeting", "list", "--db", str(db), "--json", env=env, check=True).stdout)
    assert len(ms) == 12 and all(m["status"] == "closed" for m in ms)
    assert "2026-11-23" not in [m["date"] for m in ms]
    q = json.loads(cli("queue", "--db", str(db), "--json", "--limit", "15", env=env, check=True).stdout)
    assert len(q["cases"]) == 15
    assert all(" " in c["patient"] and "-" not in c["patient"] for c in q["cases"])  # masked
    fu = [c["follow_up"] for c in q["cases"]]
    assert fu == sorted(fu, reverse=True)  # follow-ups first
    again = cli("demo", "--no-open", "--db", str(db), env=env, check=True)
    assert "inget lades till" in again.stdout


def test_the_queue_in_english_says_coordinator_statuses_in_english(demo_db):
    db, env = demo_db
    q = json.loads(cli("queue", "--db", str(db), "--json", env=env, check=True).stdout)
    stored = {c["coordinator_status"] for c in q["cases"]}
    assert "Aktiv" in stored  # Rehabstöd's term, as stored (the JSON keeps it)
    sv = cli("queue", "--db", str(db), env=env, check=True).stdout
    en = cli("--lang", "en", "queue", "--db", str(db), env=env, check=True).stdout
    assert " Aktiv " in sv and " Aktiv " not in en and " Active " in en
    # the sick day as the app's queue says it ("Sjukdag"), before the planned length
    header = sv.splitlines()[1]
    assert "Sjukdag" in header and header.index("Sjukdag") < header.index("Planerad längd")
    first = q["cases"][0]
    row = next(ln.split() for ln in sv.splitlines() if ln.split() and ln.split()[0] == str(first["case"]))
    assert row[4:6] == [first["diagnosis"], str(first["day"])]


def test_meeting_commands(tmp_path):
    db = str(tmp_path / "x.db")
    env = {"LESS_TUI_TODAY": "2026-11-22"}
    cli("import", "--db", db, str(SAMPLES / "intyg-exempel.csv"), env=env, check=True)
    cli("meeting", "new", "--db", db, "--date", "2026-10-20", "--attendee", "A", "--attendee", "B", check=True)
    p = cli("meeting", "new", "--db", db, "--date", "2026-10-20")
    assert p.returncode == 2 and "finns redan ett möte 2026-10-20" in p.stderr
    closed = cli("meeting", "close", "--db", db, "--date", "2026-10-20", check=True)
    assert closed.stdout.strip() == "Möte 2026-10-20 stängt; indikatorerna är frysta."  # the app's word, "stängt"
    p = cli("meeting", "close", "--db", db, "--date", "2026-10-20")
    assert p.returncode == 2 and "redan stängt" in p.stderr
    ms = json.loads(cli("meeting", "list", "--db", db, "--json", check=True).stdout)
    assert ms == [{"date": "2026-10-20", "status": "closed", "attendees": ["A", "B"], "cases": 0}]
    js = json.loads(cli("indicators", "--db", db, "--json", "--at", "2026-11-22", check=True).stdout)
    assert js["indicators"][0]["previous"]["meeting_date"] == "2026-10-20"


def test_env_db_is_honoured(tmp_path):
    db = tmp_path / "env.db"
    cli("import", str(SAMPLES / "intyg-exempel.csv"), env={"LESS_TUI_DB": str(db)}, check=True)
    assert _dump(db)[0] == 16


@pytest.mark.e2e
@pytest.mark.slow  # five imports of 9,000 episodes, each killed
def test_killed_import_leaves_the_database_as_it_was(tmp_path):
    """Killed at any moment, an import has stored all of its rows or none: never a part."""
    import datetime as dt

    from less_tui.core import demo

    big = tmp_path / "big.csv"
    demo.write_csv(demo.generate(dt.date(2026, 11, 23), seed=3, episodes=9000), big)
    db = tmp_path / "k.db"
    cli("import", "--db", str(db), str(SAMPLES / "intyg-exempel.csv"), check=True)
    before = _dump(db)
    new = json.loads(cli("import", "--db", str(db), "--dry-run", "--json", str(big), check=True).stdout)
    whole = before[0] + new["new_certificates"]
    killed = 0
    for delay in (0.4, 0.7, 1.0, 1.3, 1.6):
        p = subprocess.Popen([sys.executable, "-m", "less_tui", "import", "--db", str(db), str(big)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            killed += 1
        p.wait()
        c = sqlite3.connect(db)
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        c.close()
        now = _dump(db)
        assert now[0] in (before[0], whole), now
        if now[0] == before[0]:
            assert now[:3] == before[:3]  # no certificate, patient or doctor of a part-import
        else:
            break
    assert killed >= 1


def test_invalid_rows_are_counted_once_however_many_cells_are_bad(tmp_path):
    bad = tmp_path / "two-bad-cells.csv"
    bad.write_text("Personnummer;Diagnos;Startdatum;Slutdatum;Grad;Läkare\n"
                   "19760306-4192;R53.9;2026-09-11;2026-10-24;100%;Anna Berg\n"
                   "19760306-4193;R53.9;2026-09-11;2026-10-24;60%;Anna Berg\n", encoding="utf-8")
    p = cli("import", "--db", str(tmp_path / "x.db"), "--skip-invalid", "--json", str(bad))
    s = json.loads(p.stdout)
    assert p.stderr.count("hoppade över:") == 2  # both problems of the row are listed
    assert (s["rows_read"], s["new_certificates"], s["invalid_rows"]) == (2, 1, 1)


def test_export_lang_after_the_subcommand_too(demo_db):
    db, env = demo_db
    after = cli("export", "--db", str(db), "--meeting", "2026-10-23", "--lang", "en", env=env, check=True).stdout
    before = cli("--lang", "en", "export", "--db", str(db), "--meeting", "2026-10-23", env=env, check=True).stdout
    assert "Minutes" in after or "minutes" in after.lower()
    assert "Protokoll" not in after
    strip = [ln for ln in after.splitlines() if not ln[:2].isdigit()]
    assert strip == [ln for ln in before.splitlines() if not ln[:2].isdigit()]
    bad = cli("export", "--db", str(db), "--lang", "de", env=env)
    assert bad.returncode == 2 and "förväntade sv eller en" in bad.stderr and "Traceback" not in bad.stderr


def test_import_lang_after_the_subcommand_too(tmp_path):
    """`less-tui import F --lang en` as well as `less-tui --lang en import F`: the same English problems."""
    bad = ROOT / "tests" / "data" / "malformed" / "bad_luhn.csv"
    db = str(tmp_path / "x.db")
    after = cli("import", "--db", db, str(bad), "--lang", "en")
    before = cli("--lang", "en", "import", "--db", db, str(bad))
    assert after.returncode == before.returncode == 2
    assert after.stderr == before.stderr and "Luhn" in after.stderr
    assert after.stderr != cli("import", "--db", db, str(bad)).stderr  # Swedish without --lang


def test_skip_invalid_json_lists_the_problems_and_nothing_valid_exits_2(tmp_path):
    """`--skip-invalid --json`: the rows left out are in the JSON (file, line, column, message); a file
    with no valid row stores nothing and exits 2."""
    bad = ROOT / "tests" / "data" / "malformed" / "bad_luhn.csv"
    db = tmp_path / "x.db"
    p = cli("import", "--db", str(db), "--skip-invalid", "--json", str(bad))
    assert p.returncode == 2, p.stderr
    out = json.loads(p.stdout)
    assert out["valid_rows"] == 0 and out["new_certificates"] == 0
    assert out["problems"] and all({"file", "line", "column", "message", "text"} <= set(x) for x in out["problems"])
    assert out["problems"][0]["text"] in p.stderr  # the same problem as on stderr
    assert "Traceback" not in p.stderr
    # "inget sparades" held for the certificates while the file's import batch was stored anyway
    assert out["stored"] is False and not db.exists()
    # without --skip-invalid the JSON is there too (a script reads stdout): nothing stored, every problem
    p = cli("import", "--db", str(db), "--json", str(bad), str(tmp_path / "missing.csv"))
    assert p.returncode == 2 and not db.exists()
    out = json.loads(p.stdout)
    assert out["stored"] is False and out["new_certificates"] == 0
    missing = next(x for x in out["problems"] if x["file"] == str(tmp_path / "missing.csv"))
    assert missing["line"] is None and missing["text"] in p.stderr
    assert any(x["file"] == str(bad) and x["line"] for x in out["problems"])
    ok = cli("import", "--db", str(db), "--skip-invalid", "--json", str(SAMPLES / "intyg-exempel.csv"))
    assert ok.returncode == 0 and json.loads(ok.stdout)["problems"] == [] and json.loads(ok.stdout)["stored"]


def test_the_command_line_refuses_what_cannot_hold_a_clinic(tmp_path):
    """Each of these exited 0 (or 1, an internal error) and stored nothing or the wrong thing: a database in
    memory (the import said it stored 16 certificates), a mistyped folder in --db (made, folders and all),
    an unknown kind of database, a year 9999 or 0206 (a crash at the next step), a backup to a folder that
    does not exist (a file named like it)."""
    sample = str(SAMPLES / "intyg-exempel.csv")
    for url in ("sqlite://", "sqlite:///", "sqlite:///:memory:"):
        p = cli("--db", url, "import", sample)
        assert p.returncode == 2 and "databas i minnet" in p.stderr, (url, p.stderr)
    for url in ("mysql://x@y/z", "http://example.com/x"):
        p = cli("--db", url, "queue")
        assert p.returncode == 2 and "bara SQLite-filer" in p.stderr and "Error" not in p.stderr, (url, p.stderr)
    missing = tmp_path / "no" / "such" / "x.db"
    p = cli("--db", str(missing), "import", sample)
    assert p.returncode == 2 and f"mappen {tmp_path / 'no'} finns inte" in p.stderr
    assert not (tmp_path / "no").exists()
    db = tmp_path / "x.db"
    cli("--db", str(db), "import", sample, check=True)
    for args in (("import", sample, "--as-of", "9999-12-31"), ("meeting", "new", "--date", "0206-11-23"),
                 ("export", "--meeting", "9999-12-31")):
        p = cli("--db", str(db), *args)
        assert p.returncode == 2 and "förväntade ett datum ÅÅÅÅ-MM-DD (år 1900–2199)" in p.stderr, (args, p.stderr)
    p = cli("--db", str(db), "backup", str(tmp_path / "nodir") + "/")
    assert p.returncode == 2 and "finns inte" in p.stderr and not (tmp_path / "nodir").exists()


def test_a_reader_that_closed_the_pipe_ends_the_command_quietly(tmp_path):
    """`less-tui queue | head -1` exited 1, the code for an internal error, when head had gone: now 141, as
    a tool stopped by the closed pipe (SIGPIPE), and nothing on stderr."""
    db = tmp_path / "x.db"
    cli("--db", str(db), "import", str(SAMPLES / "intyg-exempel.csv"), check=True)
    r, w = os.pipe()
    os.close(r)  # the reader is gone before the first line is written
    try:
        p = subprocess.run([sys.executable, "-m", "less_tui", "--db", str(db), "queue", "--at", "2026-11-23"],
                           stdout=w, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(w)
    assert p.returncode == 141 and p.stderr == "", (p.returncode, p.stderr)


def test_a_negative_limit_and_an_empty_attendee_are_refused(tmp_path):
    db = tmp_path / "x.db"
    cli("--db", str(db), "import", str(SAMPLES / "intyg-exempel.csv"), check=True)
    p = cli("--db", str(db), "queue", "--limit", "-1")
    assert p.returncode == 2 and "--limit: hittade -1" in p.stderr
    p = cli("--db", str(db), "meeting", "new", "--date", "2026-12-01", "--attendee", "Kerstin", "--attendee", " ")
    assert p.returncode == 2 and "får inte vara tomt" in p.stderr
    cli("--db", str(db), "meeting", "new", "--date", "2026-12-01", "--attendee", "  Sara   Lind ", check=True)
    listed = json.loads(cli("--db", str(db), "meeting", "list", "--json", check=True).stdout)
    assert [m["attendees"] for m in listed if m["date"] == "2026-12-01"] == [["Sara Lind"]]


def test_a_meeting_is_planned_at_most_a_year_ahead_and_closed_once_held(tmp_path):
    """`meeting new --date 2030-01-01` (a typo for 2026) made a meeting that `export` then took as the latest,
    and a meeting not yet held could be closed, freezing the figures of a day not come."""
    db = str(tmp_path / "x.db")
    env = {"LESS_TUI_TODAY": "2026-11-23"}
    cli("import", "--db", db, str(SAMPLES / "intyg-exempel.csv"), env=env, check=True)
    p = cli("meeting", "new", "--db", db, "--date", "2027-11-24", env=env)
    assert p.returncode == 2 and p.stderr.strip() == (
        "less-tui: --date 2027-11-24 är mer än ett år fram – ett möte planeras högst ett år framåt (senast 2027-11-23)")
    assert json.loads(cli("meeting", "list", "--db", db, "--json", env=env, check=True).stdout) == []
    cli("meeting", "new", "--db", db, "--date", "2026-12-20", env=env, check=True)  # next month's: fine
    p = cli("meeting", "close", "--db", db, "--date", "2026-12-20", env=env)
    assert p.returncode == 2 and "Mötet 2026-12-20 har inte hållits än (i dag är det 2026-11-23)" in p.stderr
    [m] = json.loads(cli("meeting", "list", "--db", db, "--json", env=env, check=True).stdout)
    assert m["status"] == "open"
    cli("meeting", "close", "--db", db, "--date", "2026-12-20", env={"LESS_TUI_TODAY": "2026-12-20"}, check=True)


def test_identify_is_refused_for_the_workbook_which_holds_no_patient(demo_db, tmp_path):
    """`export --format xlsx --identify` wrote `export.identified` rows for patients the workbook does not
    hold (data QA helper): audit --patient then reported identifications that never happened."""
    db, env = demo_db
    before = json.loads(cli("audit", "--db", str(db), "--json", env=env, check=True).stdout)
    p = cli("export", "--db", str(db), "--format", "xlsx", "--identify", "-o", str(tmp_path / "w.xlsx"), env=env)
    assert p.returncode == 2 and "indikatorarbetsboken (xlsx) har inga patientuppgifter" in p.stderr
    assert not (tmp_path / "w.xlsx").exists()
    assert json.loads(cli("audit", "--db", str(db), "--json", env=env, check=True).stdout) == before


def test_a_mistyped_clinic_unit_is_said_not_made(tmp_path):
    """(data QA helper) With clinic.unit "VC Z" on a database holding "VC Exempel", `meeting new` made a new,
    empty unit (the region's report then listed it, a close froze N = 0) and indicators/queue showed N = 0."""
    import sqlite3

    db = str(tmp_path / "x.db")
    env = {"LESS_TUI_TODAY": "2026-11-23"}
    cli("import", "--db", db, str(SAMPLES / "intyg-exempel.csv"), env=env, check=True)
    z = tmp_path / "z.toml"
    z.write_text('[clinic]\nname = "Z"\nunit = "VC Z"\n', encoding="utf-8")
    said = ("less-tui: Vårdenheten VC Z (clinic.unit) finns inte i databasen; den har VC Exempel. "
            "Kontrollera clinic.unit i konfigurationen (eller --config).")
    for command in (["meeting", "new", "--date", "2026-11-20"], ["indicators"], ["queue", "--identify"],
                    ["export"], ["supervision", "add", "--minutes", "30", "--leader", "A"]):
        p = cli("--config", str(z), *command, "--db", db, env=env)
        assert p.returncode == 2 and p.stderr.strip() == said, (command, p.stderr)
    assert sqlite3.connect(db).execute("SELECT code FROM units").fetchall() == [("VC Exempel",)]
    # a new database (no unit yet) takes the configured one
    fresh = str(tmp_path / "fresh.db")
    cli("--config", str(z), "init", "--path", str(tmp_path / "c.toml"), "--db", fresh, env=env, check=True)
    cli("--config", str(z), "meeting", "new", "--date", "2026-11-20", "--db", fresh, env=env, check=True)
