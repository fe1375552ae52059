"""[keymap] ids and key names are checked by the config, which never loads Textual: the ids live in
less_tui/keymap.py, and these tests keep that list equal to the app's bindings and to Textual's key names."""

import importlib
import pkgutil

import pytest

from less_tui import config as C
from less_tui import keymap


def _problems(km: dict) -> str:
    with pytest.raises(C.ConfigError) as ei:
        C.validate({"keymap": km})
    return str(ei.value)


def _app_bindings() -> dict[str, str]:
    """Every ``Key(...)`` of the app's screens, dialogs and widgets: id → default keys."""
    import less_tui.app  # noqa: F401
    import less_tui.screens
    import less_tui.widgets
    from less_tui.screens.base import Translated

    for pkg in (less_tui.screens, less_tui.widgets):
        for m in pkgutil.iter_modules(pkg.__path__):
            importlib.import_module(f"{pkg.__name__}.{m.name}")
    found: dict[str, str] = {}
    todo = [Translated]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        for k in cls.__dict__.get("KEYS", []):
            assert found.setdefault(k.id, k.keys) == k.keys, f"id {k.id!r} bound to two keys"
    return found


def test_every_binding_of_the_app_is_listed_with_its_keys():
    bindings = _app_bindings()
    assert len(bindings) > 50 and {"summary", "mask", "next_case", "confirm_yes"} <= set(bindings)
    assert bindings == keymap.DEFAULTS  # no id missing from the list, none listed that the app lacks


def test_a_key_with_an_unlisted_id_or_other_keys_is_refused():
    from less_tui.screens.base import Key

    with pytest.raises(ValueError, match="'sumary'.*less_tui/keymap.py"):
        Key("s", "summary", "key.summary", "sumary")
    with pytest.raises(ValueError, match="'summary'"):
        Key("f5", "summary", "key.summary", "summary")
    assert Key("s", "summary", "key.summary", "summary").binding().id == "summary"


def test_an_unknown_id_names_the_key_what_was_found_the_closest_and_the_known_ids():
    msg = _problems({"sumary": "f5"})
    assert "okänt bindnings-id 'keymap.sumary', hittade 'sumary'; menade du 'summary'?" in msg
    listed = msg.split("förväntade ett av: ")[1].rstrip(")").split(", ")
    assert listed == sorted(keymap.DEFAULTS)
    msg = _problems({"zzz": "f5"})
    assert "okänt bindnings-id 'keymap.zzz', hittade 'zzz' (förväntade ett av: " in msg and "menade du" not in msg


def test_keymap_problems_in_english_and_all_at_once():
    from less_tui.i18n import set_language

    set_language("en")
    msg = _problems({"nxt_case": "f10", "mask": "m, f6", "language": 1})
    assert "unknown binding id 'keymap.nxt_case', found 'nxt_case'; did you mean 'next_case'?" in msg
    assert "'keymap.mask' must name keys separated by commas" in msg and "found 'm, f6', where ' f6' is not a key" in msg
    assert "'keymap' must be a table of binding id = \"keys\"" in msg  # the 1


@pytest.mark.parametrize("keys,bad", [("f55", "f55"), ("?", "?"), ("", ""), ("m, f6", " f6"), ("ctrl+", "ctrl+"),
                                      ("ctl+s", "ctl+s"), ("ctrl+ctrl+s", "ctrl+ctrl+s"), ("F5", "F5"),
                                      ("question mark", "question mark"), ("s,pgdn", "pgdn")])
def test_a_bad_key_name_is_a_config_error(keys, bad):
    assert keymap.bad_key(keys) == bad
    assert "'keymap.summary' måste ange tangenter åtskilda med komma" in _problems({"summary": keys})
    assert f"där {bad!r} inte är en tangent" in _problems({"summary": keys})


@pytest.mark.parametrize("keys", ["f5", "m,f6", "ctrl+shift+f1", "question_mark", "slash", "å", "S", "7",
                                  "section_sign", "escape,q", "pagedown", "alt+left"])
def test_good_key_names_are_taken(keys):
    assert keymap.bad_key(keys) is None
    assert C.validate({"keymap": {"summary": keys}}).keymap == {"summary": keys}


def test_every_default_key_is_a_good_key_name():
    assert all(keymap.bad_key(keys) is None for keys in keymap.DEFAULTS.values())


def test_key_names_are_textuals():
    from textual.keys import ASCII_KEY_NAMES, KEY_NAME_REPLACEMENTS, Keys, _character_to_key

    textual_named = {k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")} - {"ctrl-at"}
    assert keymap.NAMED_KEYS == textual_named
    assert keymap._REPLACEMENTS == KEY_NAME_REPLACEMENTS and ASCII_KEY_NAMES == {"\t": "tab"}
    for c in map(chr, [*range(0x20, 0x7F), *range(0xA0, 0x180), 0x2013, 0x20AC]):
        assert keymap.character_key(c) == _character_to_key(c)
