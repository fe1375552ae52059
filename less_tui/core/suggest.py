"""Suggestions for a typed text: catalogue entries or names that match any part of it.

Matching ignores case and diacritics ("forsakring" finds "Försäkringskassan"). Entries are ordered:

0. the entry starts with the query,
1. a word of the entry starts with it,
2. the query is somewhere inside the entry,
3. (a query of several words) every word of the query is somewhere in the entry,

and within a group in the order they were given. A query equal to an abbreviation (``FK``) also
matches what it stands for (``Försäkringskassan``). Pure Python: no Textual, no Rich.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Letters that Unicode does not decompose into a base letter and a mark.
_EXTRA = {"ø": "o", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ı": "i"}

START, WORD, INSIDE, WORDS = 0, 1, 2, 3


def _fold_char(c: str) -> str:
    if c.isspace():
        return " "
    s = unicodedata.normalize("NFKD", c.casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = "".join(_EXTRA.get(ch, ch) for ch in s)
    return " " if s.isspace() else s


def fold_map(text: str) -> tuple[str, list[int]]:
    """``text`` folded (casefolded, without diacritics, runs of white space as one space) and, for each
    folded character, the index of the character of ``text`` it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        for f in _fold_char(c):
            if f == " " and out and out[-1] == " ":
                continue
            out.append(f)
            where.append(i)
    return "".join(out), where


def fold(text: str) -> str:
    """Casefolded, without diacritics, white space collapsed and stripped: what matching compares."""
    return fold_map(text)[0].strip()


@dataclass(frozen=True)
class Suggestion:
    text: str  # the entry, as given
    rank: int  # START, WORD, INSIDE or WORDS
    spans: tuple[tuple[int, int], ...] = ()  # matched parts of ``text`` (start, end), for highlighting


def _word_starts(folded: str) -> Iterable[int]:
    for p, c in enumerate(folded):
        if c.isalnum() and (p == 0 or not folded[p - 1].isalnum()):
            yield p


def _rank(folded: str, q: str) -> tuple[int, int] | None:
    """(rank, position) of the best place ``q`` occurs in ``folded``."""
    if not q:
        return None
    if folded.startswith(q):
        return START, 0
    for p in _word_starts(folded):
        if folded.startswith(q, p):
            return WORD, p
    p = folded.find(q)
    if p >= 0:
        return INSIDE, p
    return None


def _span(where: list[int], text: str, p: int, n: int) -> tuple[int, int]:
    start = where[p]
    end = where[p + n - 1] + 1
    # take along combining marks that follow the last matched character
    while end < len(text) and unicodedata.combining(text[end]):
        end += 1
    return start, end


def expansions(query: str, abbreviations: Mapping[str, str] | None) -> list[str]:
    """The folded expansions of ``query`` when it is (case-insensitively) one of the abbreviations."""
    q = fold(query)
    if not q or not abbreviations:
        return []
    return [fold(v) for k, v in abbreviations.items() if fold(k) == q and fold(v)]


def suggest(query: str, entries: Sequence[str], abbreviations: Mapping[str, str] | None = None) -> list[Suggestion]:
    """The entries matching ``query``, best first. An empty query gives every entry, in order."""
    unique = list(dict.fromkeys(entries))  # the first of each, in order
    q = fold(query)
    if not q:
        return [Suggestion(e, START) for e in unique]
    queries = [q, *expansions(query, abbreviations)]
    words = q.split(" ")
    found: list[Suggestion] = []
    for e in unique:
        folded, where = fold_map(e)
        best: tuple[int, int, int] | None = None  # rank, position, length
        for one in queries:
            r = _rank(folded, one)
            if r is not None and (best is None or r[0] < best[0]):
                best = (r[0], r[1], len(one))
        if best is not None:
            found.append(Suggestion(e, best[0], (_span(where, e, best[1], best[2]),)))
            continue
        if len(words) > 1:
            spans = []
            for w in words:
                p = folded.find(w)
                if p < 0:
                    break
                spans.append(_span(where, e, p, len(w)))
            else:
                found.append(Suggestion(e, WORDS, tuple(sorted(spans))))
    found.sort(key=lambda s: s.rank)  # stable: the given order within a group
    return found


def same(a: str, b: str) -> bool:
    """Equal when case, diacritics and extra white space are ignored."""
    return fold(a) == fold(b)
