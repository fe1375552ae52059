"""The four LESS indicators and the context figures beside them."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from .episodes import Episode

INDICATOR_KEYS = ("one_doctor", "full_time", "coordinator_contact", "rehab_plan")
# "higher" means the share should be at or above its target, "lower" at or below.
DIRECTIONS = {"one_doctor": "higher", "full_time": "lower", "coordinator_contact": "higher", "rehab_plan": "higher"}

_PREDICATES: dict[str, Callable[[Episode], bool]] = {
    "one_doctor": lambda e: e.n_doctors == 1,
    "full_time": lambda e: e.degree == 100,
    "coordinator_contact": lambda e: e.coordinator_contact,
    "rehab_plan": lambda e: e.rehab_plan,
}


def share(count: int, denominator: int) -> float | None:
    return round(count / denominator, 4) if denominator else None


@dataclass(frozen=True)
class Value:
    count: int
    denominator: int

    @property
    def share(self) -> float | None:
        return share(self.count, self.denominator)


@dataclass
class Indicator:
    key: str
    count: int
    denominator: int
    target: float
    direction: str
    previous: Value | None = None
    previous_date: dt.date | None = None

    @property
    def share(self) -> float | None:
        return share(self.count, self.denominator)

    @property
    def delta_pp(self) -> float | None:
        if self.previous is None or self.share is None or self.previous.share is None:
            return None
        return round((self.share - self.previous.share) * 100, 2)

    @property
    def on_target(self) -> bool | None:
        if self.share is None:
            return None
        return self.share >= self.target if self.direction == "higher" else self.share <= self.target

    def improved(self) -> bool | None:
        """Did the value move toward the target since the previous meeting?"""
        d = self.delta_pp
        if d is None or d == 0:
            return None
        return d > 0 if self.direction == "higher" else d < 0


@dataclass
class Context:
    ongoing_total: int
    chapters: dict[str, int]
    over_90: int
    over_180: int
    three_plus_doctors: int
    median_length: float | None
    lower_bound: bool = False  # doctor counts come from a Rehabstöd export


@dataclass
class IndicatorSet:
    at: dt.date
    population: int
    indicators: list[Indicator]
    context: Context
    episodes: list[Episode] = field(default_factory=list, repr=False)

    def by_key(self, key: str) -> Indicator:
        return next(i for i in self.indicators if i.key == key)

    def frozen(self) -> dict[str, Value]:
        return {i.key: Value(i.count, i.denominator) for i in self.indicators}


CONTEXT_PREFIX = "ctx."  # the context figures a closing freezes beside the indicators: "ctx.over_90", …


def frozen_context(iset: IndicatorSet) -> dict[str, Value]:
    """The context figures of ``iset`` as the values a closing stores with the indicators (each a
    count over 1; the median as twice itself over 2, exact for a median of whole days; none when there
    is no episode), so that a closed meeting's context does not move when a later import changes the
    episodes, as its counts do not."""
    c = iset.context
    out = {f"{CONTEXT_PREFIX}population": Value(iset.population, 1),
           f"{CONTEXT_PREFIX}ongoing_total": Value(c.ongoing_total, 1),
           f"{CONTEXT_PREFIX}over_90": Value(c.over_90, 1), f"{CONTEXT_PREFIX}over_180": Value(c.over_180, 1),
           f"{CONTEXT_PREFIX}three_plus_doctors": Value(c.three_plus_doctors, 1),
           f"{CONTEXT_PREFIX}lower_bound": Value(int(c.lower_bound), 1)}
    out.update({f"{CONTEXT_PREFIX}chapter.{k}": Value(v, 1) for k, v in c.chapters.items()})
    if c.median_length is not None:
        out[f"{CONTEXT_PREFIX}median_length"] = Value(round(c.median_length * 2), 2)
    return out


def show_frozen_context(iset: IndicatorSet, values: dict[str, Value]) -> None:
    """``iset``'s context (and population) as a closing froze them (``frozen_context``); a meeting closed
    before the context was frozen (no such values) keeps the figures computed now."""
    p = CONTEXT_PREFIX
    if f"{p}ongoing_total" not in values:
        return
    chapter = f"{p}chapter."
    median = values.get(f"{p}median_length")
    iset.population = values[f"{p}population"].count
    iset.context = Context(
        ongoing_total=values[f"{p}ongoing_total"].count,
        chapters={k[len(chapter):]: v.count for k, v in values.items() if k.startswith(chapter)},
        over_90=values[f"{p}over_90"].count, over_180=values[f"{p}over_180"].count,
        three_plus_doctors=values[f"{p}three_plus_doctors"].count,
        median_length=median.count / median.denominator if median is not None else None,
        lower_bound=bool(values[f"{p}lower_bound"].count))


def population(episodes: Iterable[Episode], chapters: Sequence[str]) -> list[Episode]:
    chs = {c.upper() for c in chapters}
    return [e for e in episodes if e.ongoing and e.chapter in chs]


def compute(
    episodes: Sequence[Episode],
    at: dt.date,
    chapters: Sequence[str],
    targets: dict[str, float],
    previous: dict[str, Value] | None = None,
    previous_date: dt.date | None = None,
) -> IndicatorSet:
    """Indicators over the population of ``episodes`` (already evaluated at ``at``)."""
    pop = population(episodes, chapters)
    n = len(pop)
    inds = []
    for key in INDICATOR_KEYS:
        pred = _PREDICATES[key]
        inds.append(
            Indicator(
                key=key,
                count=sum(1 for e in pop if pred(e)),
                denominator=n,
                target=float(targets.get(key, 0.8)),
                direction=DIRECTIONS[key],
                previous=(previous or {}).get(key),
                previous_date=previous_date if previous else None,
            )
        )
    per_chapter: dict[str, int] = {c.upper(): 0 for c in chapters}
    for e in pop:
        per_chapter[e.chapter] = per_chapter.get(e.chapter, 0) + 1
    lengths = [e.length for e in pop]
    ctx = Context(
        ongoing_total=sum(1 for e in episodes if e.ongoing),
        chapters=per_chapter,
        over_90=sum(1 for x in lengths if x > 90),
        over_180=sum(1 for x in lengths if x > 180),
        three_plus_doctors=sum(1 for e in pop if e.n_doctors >= 3),
        median_length=(statistics.median(lengths) if lengths else None),
        lower_bound=any(e.lower_bound for e in pop),
    )
    return IndicatorSet(at=at, population=n, indicators=inds, context=ctx, episodes=pop)


def to_json(s: IndicatorSet, unit: str, labels: dict[str, str]) -> dict[str, Any]:
    indicators: list[dict[str, Any]] = []
    out = {"date": s.at.isoformat(), "unit": unit, "population": s.population, "indicators": indicators}
    for i in s.indicators:
        prev = None
        if i.previous is not None:
            prev = {
                "meeting_date": i.previous_date.isoformat() if i.previous_date else None,
                "count": i.previous.count,
                "denominator": i.previous.denominator,
                "share": i.previous.share,
            }
        indicators.append({
            "key": i.key, "label": labels.get(i.key, i.key), "count": i.count,
            "denominator": i.denominator, "share": i.share, "target": i.target,
            "direction": i.direction, "on_target": i.on_target, "previous": prev,
            "delta_pp": i.delta_pp,
        })
    c = s.context
    med = c.median_length
    out["context"] = {
        "ongoing_total": c.ongoing_total, "chapters": c.chapters, "over_90": c.over_90,
        "over_180": c.over_180, "three_plus_doctors": c.three_plus_doctors,
        "median_length": (int(med) if med is not None and float(med).is_integer() else med),
        "doctor_counts_lower_bound": c.lower_bound,
    }
    return out


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None], lo: float = 0.0, hi: float = 1.0) -> str:
    out = []
    for v in values:
        if v is None:
            out.append(" ")
            continue
        x = (v - lo) / (hi - lo) if hi > lo else 0
        out.append(SPARK[max(0, min(len(SPARK) - 1, int(round(x * (len(SPARK) - 1)))))])
    return "".join(out)
