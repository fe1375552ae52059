"""The matching behind the add-action dialog's suggestions (pure functions, no Textual)."""

import subprocess
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from less_tui.config import validate
from less_tui.core.suggest import (
    INSIDE,
    START,
    WORD,
    WORDS,
    fold,
    fold_map,
    same,
    suggest,
)

CATALOGUE = validate({}).catalogue
ABBREVIATIONS = validate({}).abbreviations
ROSTER = ["Kerstin Bronner", "Niran El Kouni", "Jessica Bylund", "Sara Lindqvist"]


def texts(query, entries=CATALOGUE, abbreviations=ABBREVIATIONS):
    return [s.text for s in suggest(query, entries, abbreviations)]


def test_the_default_catalogue_and_abbreviations():
    assert "Avstämningsmöte med Försäkringskassan" in CATALOGUE and "Bedömning av psykolog" in CATALOGUE
    assert ABBREVIATIONS == {"FK": "Försäkringskassan", "AG": "arbetsgivare", "REKO": "rehabkoordinator",
                             "FT": "fysioterapeut"}


@pytest.mark.parametrize("query,first", [
    ("avst", "Avstämningsmöte med Försäkringskassan"),
    ("psykolog", "Bedömning av psykolog"),
    ("PSYKOLOG", "Bedömning av psykolog"),
    ("forsakring", "Avstämningsmöte med Försäkringskassan"),
    ("FÖRSÄKRING", "Avstämningsmöte med Försäkringskassan"),
    ("aterbesok", "Återbesök hos samma läkare"),
    ("  återbesök   hos ", "Återbesök hos samma läkare"),
    ("FK", "Avstämningsmöte med Försäkringskassan"),
    ("fk", "Avstämningsmöte med Försäkringskassan"),
    ("AG", "Kontakt med arbetsgivare"),
    ("reko", "Remiss till rehabkoordinator"),
    ("FT", "Bedömning av fysioterapeut"),
    ("bedömning psyk", "Bedömning av psykolog"),
])
def test_any_part_ignoring_case_and_diacritics(query, first):
    assert texts(query)[0] == first


def test_order_start_then_word_then_inside_then_catalogue_order():
    got = suggest("re", CATALOGUE)
    assert [s.text for s in got] == [
        "Remiss till rehabkoordinator",  # starts with it
        "Upprätta rehabplan med patienten",  # a word starts with it
        "Återbesök hos samma läkare", "Kontakt med arbetsgivare", "Multiprofessionell konferens",  # inside
    ]
    assert [s.rank for s in got] == [START, WORD, INSIDE, INSIDE, INSIDE]
    assert texts("bed") == ["Bedömning av psykolog", "Bedömning av kurator", "Bedömning av fysioterapeut"]


def test_empty_query_gives_everything_in_order_once():
    assert texts("") == CATALOGUE
    assert texts("   ") == CATALOGUE
    assert texts("", ["a", "b", "a"]) == ["a", "b"]


def test_no_match():
    assert texts("xyzzy") == []
    assert texts("kers", ROSTER) == ["Kerstin Bronner"]
    assert texts("lind", ROSTER) == ["Sara Lindqvist"]


def test_abbreviation_only_when_the_whole_query():
    assert texts("F") != texts("FK")
    assert "Avstämningsmöte med Försäkringskassan" not in texts("FKX")
    assert texts("FK", abbreviations={}) == []  # without the table FK is just two letters
    assert texts("kbt", abbreviations={"KBT": "kognitiv beteendeterapi"}) == []
    assert texts("kbt", ["Remiss för kognitiv beteendeterapi"], {"KBT": "kognitiv beteendeterapi"}) == [
        "Remiss för kognitiv beteendeterapi"]


def test_spans_point_at_the_matched_text():
    s = suggest("forsakring", CATALOGUE)[0]
    (a, b), = s.spans
    assert s.text[a:b] == "Försäkring"
    s = suggest("FK", CATALOGUE, ABBREVIATIONS)[0]
    (a, b), = s.spans
    assert s.text[a:b] == "Försäkringskassan"
    s = suggest("bedömning psyk", CATALOGUE)[0]
    assert s.rank == WORDS and [s.text[a:b] for a, b in s.spans] == ["Bedömning", "psyk"]


def test_fold():
    assert fold("  Åtgärd  med\tÖL ") == "atgard med ol"
    assert fold("Søren Ærø") == "soren aero"
    assert fold("Straße") == "strasse"
    assert fold("A\u030angstro\u0308m") == "angstrom"  # decomposed input
    assert same("kerstin  BRONNER", "Kerstin Bronner") and not same("Kerstin", "Kerstin Bronner")
    folded, where = fold_map("Öl")
    assert folded == "ol" and where == [0, 1]


def test_core_module_does_not_import_textual_or_rich():
    code = ("import sys, less_tui.core.suggest; "
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


# ------------------------------------------------------------ properties
entries_st = st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=12)
query_st = st.text(max_size=12)


@settings(max_examples=300, deadline=None)
@given(entries_st, query_st)
def test_results_are_matching_entries_best_first_in_given_order(entries, query):
    got = suggest(query, entries, ABBREVIATIONS)
    names = [s.text for s in got]
    assert len(names) == len(set(names))
    assert set(names) <= set(entries)
    ranks = [s.rank for s in got]
    assert ranks == sorted(ranks)
    firsts = {e: entries.index(e) for e in entries}
    for r in set(ranks):
        group = [firsts[s.text] for s in got if s.rank == r]
        assert group == sorted(group)
    q = fold(query)
    for s in got:
        if q:
            assert q in fold(s.text) or s.rank == WORDS or any(
                fold(v) in fold(s.text) for k, v in ABBREVIATIONS.items() if fold(k) == q)
        for a, b in s.spans:
            assert 0 <= a < b <= len(s.text)


@settings(max_examples=300, deadline=None)
@given(entries_st, st.data())
def test_any_part_of_an_entry_finds_it(entries, data):
    e = data.draw(st.sampled_from(entries))
    i = data.draw(st.integers(0, len(e) - 1))
    j = data.draw(st.integers(i + 1, len(e)))
    part = e[i:j]
    variant = data.draw(st.sampled_from([part, part.upper(), part.lower(), fold(part)]))
    assume(fold(variant) and fold(variant) == fold(part))
    assert e in [s.text for s in suggest(variant, entries)]


@settings(max_examples=200, deadline=None)
@given(query_st)
def test_case_and_diacritics_do_not_matter(query):
    plain = fold(query)
    assert [s.text for s in suggest(query, CATALOGUE, ABBREVIATIONS)] == [
        s.text for s in suggest(plain, CATALOGUE, ABBREVIATIONS)]


@given(st.text(max_size=40))
def test_fold_map_points_into_the_text(text):
    folded, where = fold_map(text)
    assert len(folded) == len(where)
    assert where == sorted(where) and all(0 <= w < len(text) for w in where)
    assert fold(folded) == fold(text)
