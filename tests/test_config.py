from pathlib import Path

import pytest
import tomllib

from less_tui import config as C

ROOT = Path(__file__).resolve().parent.parent


def test_root_config_is_the_documented_defaults():
    assert (ROOT / "config.toml").read_text(encoding="utf-8") == C.default_text()
    cfg = C.load(ROOT / "config.toml")
    assert cfg.model_dump() == C.validate({}).model_dump() and cfg.path == ROOT / "config.toml"
    assert cfg.max_gap_days == 5 and cfg.chapters == ["F", "M", "R"]
    assert cfg.targets["full_time"] == 0.2


def test_every_problem_is_reported_at_once():
    with pytest.raises(C.ConfigError) as ei:
        C.validate({"language": "de", "episodes": {"max_gap_days": 91}, "clinic": {"nme": "x"},
                    "queue": {"weights": {"long": "much"}}, "team": [{"name": "A", "rol": "x"}]})
    msg = str(ei.value)
    for part in ("'language' måste vara en av sv, en", "'episodes.max_gap_days' måste vara mellan 0 och 90",
                 "okänd nyckel 'clinic.nme'", "'queue.weights.long' måste vara ett tal", "okänd nyckel 'team.rol'"):
        assert part in msg


def test_config_problems_in_english():
    from less_tui.i18n import set_language

    set_language("en")
    with pytest.raises(C.ConfigError) as ei:
        C.validate({"language": "de", "episodes": {"max_gap_days": 91}})
    assert "'language' must be one of sv, en" in str(ei.value)
    assert "'episodes.max_gap_days' must be between 0 and 90" in str(ei.value)


def test_lookup_order(tmp_path, monkeypatch):
    (tmp_path / "config.toml").write_text('language = "en"\n', encoding="utf-8")
    assert C.load().language == "en"  # ./config.toml
    env = tmp_path / "env.toml"
    env.write_text('language = "sv"\n[clinic]\nunit = "VC Env"\n', encoding="utf-8")
    monkeypatch.setenv("LESS_TUI_CONFIG", str(env))
    assert C.load().unit == "VC Env"
    explicit = tmp_path / "x.toml"
    explicit.write_text('[clinic]\nunit = "VC X"\n', encoding="utf-8")
    assert C.load(explicit).unit == "VC X"


def test_broken_toml_is_a_config_error(tmp_path):
    p = tmp_path / "b.toml"
    p.write_text("language = \n", encoding="utf-8")
    with pytest.raises(C.ConfigError) as ei:
        C.load(p)
    assert "inte giltig TOML" in str(ei.value)


@pytest.mark.parametrize("text, sv, en", [
    ("[clinic\n", "rad 1, kolumn 8: inte giltig TOML: ']' saknas i slutet av tabellrubriken",
     "line 1, column 8: not valid TOML: ']' missing at the end of the table header"),
    ('language = "sv\n', "rad 1, kolumn 15: inte giltig TOML: en text (\") stängs inte på sin rad",
     "line 1, column 15: not valid TOML: a text (\") is not closed on its line"),
    ("[queue]\nmax_cases = 1\nmax_cases = 2\n", "rad 3, kolumn 14: inte giltig TOML: en nyckel eller tabell anges två gånger",
     "line 3, column 14: not valid TOML: a key or table is given twice"),
    ("x = [1, 2\n", "i slutet av filen: inte giltig TOML: en lista ([ … ]) stängs aldrig",
     "at the end of the file: not valid TOML: a list ([ … ]) is never closed"),
])
def test_a_toml_mistake_is_told_in_the_interface_language_with_its_line(tmp_path, text, sv, en):
    """tomllib says what is wrong in English ("Expected ']' at the end of a table declaration (at line 1,
    column 8)"), which reached a Swedish coordinator after a Swedish lead; now the catalogue's words."""
    from less_tui.i18n import set_language

    p = tmp_path / "b.toml"
    p.write_text(text, encoding="utf-8")
    for lang, want in (("sv", sv), ("en", en)):
        set_language(lang)
        try:
            with pytest.raises(C.ConfigError) as ei:
                C.load(p)
        finally:
            set_language("sv")
        assert want in str(ei.value)
        assert "Expected" not in str(ei.value) and "Unclosed" not in str(ei.value)


def test_starter_config_round_trips(tmp_path):
    import tomli_w

    data = C.starter_config("VC Ny", "Nya VC")
    text = tomli_w.dumps(data)
    assert C.validate(tomllib.loads(text)).unit == "VC Ny"


def test_catalogues_have_the_same_keys():
    from less_tui.i18n import en, sv

    assert set(sv.STRINGS) == set(en.STRINGS)


@pytest.mark.parametrize("section, key, value", [
    ("queue", "max_cases", -5), ("queue", "min_days", -3), ("meeting", "length_minutes", 0),
    ("queue.weights", "long", -100.0)])
def test_a_setting_that_makes_no_sense_is_refused(section, key, value):
    """A negative cap was taken as "every case", a negative weight ranked a case lower for a reason to bring
    it up, a meeting of 0 minutes: each accepted without a word."""
    data: dict = {}
    node = data
    for part in section.split("."):
        node = node.setdefault(part, {})
    node[key] = value
    with pytest.raises(C.ConfigError) as e:
        C.validate(data)
    assert f"'{section}.{key}'" in str(e.value) and "minst" in str(e.value)
