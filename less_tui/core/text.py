"""Plain-text tables and number formats for the command line (no Rich on the server path)."""

from __future__ import annotations

import unicodedata
from typing import Sequence


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: set[int] | None = None) -> str:
    right = right or set()
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]

    def fmt(row):
        out = []
        for i, c in enumerate(row):
            pad = " " * (widths[i] - width(c))
            out.append(pad + c if i in right else c + pad)
        return "  ".join(out).rstrip()

    lines = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in cells[1:]]
    return "\n".join(lines)


def pct(share: float | None, digits: int = 0) -> str:
    if share is None:
        return "–"
    return f"{share * 100:.{digits}f} %"


def pp(delta: float | None) -> str:
    if delta is None:
        return "–"
    arrow = "↑" if delta > 0 else ("↓" if delta < 0 else "→")
    return f"{arrow} {delta:+.1f} pp"
