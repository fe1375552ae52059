"""Plain-text tables, and the number formats of every screen, the CLI and the minutes (no Rich here)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .indicators import Indicator


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: set[int] | None = None) -> str:
    right = right or set()
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        out = []
        for i, c in enumerate(row):
            pad = " " * (widths[i] - width(c))
            out.append(pad + c if i in right else c + pad)
        return "  ".join(out).rstrip()

    lines = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in cells[1:]]
    return "\n".join(lines)


MINUS = "\u2212"  # a real minus sign, not the hyphen


def _lang(lang: str | None) -> str:
    from ..i18n import language  # plain Python; never Textual or Rich

    return lang or language()


def _word(key: str, lang: str | None) -> str:
    from ..i18n import t

    return t(key, _lang(lang))


def _exact(x: float | int | Fraction | Decimal) -> Fraction:
    """A number as an exact fraction; a float is taken as the decimal it prints as (0.5745, not its binary)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, Decimal)):
        return Fraction(x)
    return Fraction(repr(float(x)))


def rounded(x: float | int | Fraction | Decimal, digits: int = 1) -> Decimal:
    """``x`` rounded once to ``digits`` decimals, halves away from zero (6.25 → 6.3, −6.25 → −6.3)."""
    f = _exact(x) * 10 ** digits
    n = (abs(f.numerator) * 2 + f.denominator) // (2 * f.denominator)  # floor(|f| + 1/2)
    n = -n if f < 0 else n
    return Decimal(n).scaleb(-digits)


def number(x: float | int | Fraction | Decimal | None, digits: int = 1, lang: str | None = None,
           sign: bool = False) -> str:
    """``57,4`` in Swedish, ``57.4`` in English; negatives with U+2212; ``sign`` adds ``+`` above zero."""
    if x is None:
        return "–"
    q = rounded(x, digits)
    body = f"{abs(q):.{digits}f}".replace(".", _word("num.decimal", lang))
    if q < 0:
        return MINUS + body
    return ("+" + body) if sign and q > 0 else body


def pct(share: float | None, digits: int = 0, lang: str | None = None) -> str:
    """A share (0–1) as a percentage: ``pct(0.8)`` is ``80 %``; ``pct(0.574, 1, "sv")`` is ``57,4 %``."""
    if share is None:
        return "–"
    return f"{number(_exact(share) * 100, digits, lang)} %"


def share_pct(count: int, denominator: int, digits: int = 1, lang: str | None = None) -> str:
    """The share count/denominator, rounded once from the two counts: 54/94 is ``57,4 %``."""
    if not denominator:
        return "–"
    return f"{number(Fraction(count * 100, denominator), digits, lang)} %"


def median(x: float | None, lang: str | None = None) -> str:
    """A median of whole days (149, or 149,5 between two)."""
    if x is None:
        return "–"
    return number(x, 0 if float(x).is_integer() else 1, lang)


@dataclass(frozen=True)
class Change:
    """The change of a share since the last meeting, in percentage points, rounded once."""

    value: Decimal | None  # rounded to one decimal; None without a previous value
    verdict: str | None  # "better", "worse", "unchanged" (as rounded), or None
    lang: str

    @property
    def arrow(self) -> str:
        """The direction of the number, whatever is good: ↑ up, ↓ down, → unchanged."""
        if self.value is None:
            return ""
        return "↑" if self.value > 0 else ("↓" if self.value < 0 else "→")

    @property
    def number(self) -> str:
        """``−7,4 p.e.`` / ``−7.4 pp``."""
        if self.value is None:
            return "–"
        return f"{number(self.value, 1, self.lang, sign=True)} {_word('num.pp', self.lang)}"

    @property
    def word(self) -> str:
        return _word(f"change.{self.verdict}", self.lang) if self.verdict else ""

    def text(self, word: bool = True) -> str:
        """``↓ −7,4 p.e. (sämre)``; ``–`` without a previous value."""
        if self.value is None:
            return "–"
        out = f"{self.arrow} {self.number}"
        return f"{out} ({self.word})" if word else out

    def __str__(self) -> str:
        return self.text()


def change(count: int, denominator: int, prev_count: int | None, prev_denominator: int | None,
           direction: str = "higher", lang: str | None = None) -> Change:
    """From the counts, not from rounded shares. ``direction`` says which way is better ("higher"/"lower");
    a change that rounds to 0,0 is "unchanged", so the word never contradicts the number shown."""
    lang = _lang(lang)
    if not denominator or prev_count is None or not prev_denominator:
        return Change(None, None, lang)
    value = rounded((Fraction(count, denominator) - Fraction(prev_count, prev_denominator)) * 100, 1)
    if value == 0:
        verdict = "unchanged"
    else:
        verdict = "better" if (value > 0) == (direction == "higher") else "worse"
    return Change(value, verdict, lang)


def indicator_change(ind: Indicator, lang: str | None = None) -> Change:
    """The change of a ``core.indicators.Indicator`` since its previous meeting."""
    prev = ind.previous
    return change(ind.count, ind.denominator, prev.count if prev else None, prev.denominator if prev else None,
                  ind.direction, lang)


def target(share: float, direction: str, lang: str | None = None) -> str:
    """``≥ 80 %`` (should be at or above) or ``≤ 20 %``."""
    return ("≥ " if direction == "higher" else "≤ ") + pct(share, 0 if (_exact(share) * 100).denominator == 1 else 1, lang)


def pp(delta: float | None, lang: str | None = None) -> str:
    """A change already in percentage points: ``↑ +9,6 p.e.``."""
    if delta is None:
        return "–"
    value = rounded(delta, 1)
    return Change(value, None, _lang(lang)).text(word=False)
