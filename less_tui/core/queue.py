"""The case queue: which cases are worth the meeting's time at a date, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from .episodes import CHECKPOINTS, Episode

if TYPE_CHECKING:
    from ..config import QueueSettings

REASONS = ("follow_up", "three_plus_doctors", "several_doctors", "long", "full_time",
           "no_coordinator", "no_rehab_plan", "checkpoint")


@dataclass
class QueueItem:
    episode: Episode
    reasons: list[str]
    score: float
    follow_up: bool
    due_actions: int = 0
    checkpoint: tuple[int, int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def case_no(self) -> int | None:
        return self.episode.case_no

    @property
    def urgent(self) -> bool:
        """Something is due now: an action due (a follow-up) or a checkpoint today or passed."""
        return self.follow_up or (self.checkpoint is not None and self.checkpoint[1] <= 0)


def reasons_for(ep: Episode, q: QueueSettings) -> tuple[list[str], tuple[int, int] | None]:
    reasons: list[str] = []
    n = ep.n_doctors
    if n >= 3:
        reasons.append("three_plus_doctors")
    if n >= 2:
        reasons.append("several_doctors")
    if ep.length >= q.min_days:
        reasons.append("long")
    day_n = ep.day_number()
    if ep.degree == 100 and ep.full_time_days() > q.full_time_days:
        reasons.append("full_time")
    if day_n > q.contact_after_days and not ep.coordinator_contact:
        reasons.append("no_coordinator")
    if day_n > q.plan_after_days and not ep.rehab_plan:
        reasons.append("no_rehab_plan")
    # a rehab-chain checkpoint coming within the window, today, or passed within the last window
    # (since the last meeting): (day, days left), negative when it has passed
    cp = None
    window = q.checkpoint_window_days
    for c in CHECKPOINTS:
        if day_n - window <= c <= day_n + window:
            cp = (c, c - day_n)
            reasons.append("checkpoint")
            break  # ascending: one passed or due now wins over a later one
    return reasons, cp


def due_now(reason: str, checkpoint: tuple[int, int] | None) -> bool:
    """A reason the meeting must act on now: an action due, or a checkpoint today or passed."""
    return reason == "follow_up" or (reason == "checkpoint" and checkpoint is not None and checkpoint[1] <= 0)


def rank(
    episodes: Iterable[Episode],
    q: QueueSettings,
    due_by_cert: Mapping[int, int] | None = None,
) -> list[QueueItem]:
    """Rank the ongoing episodes; ``due_by_cert`` maps an anchor certificate id to the
    number of open actions due by the date (follow-ups, which always come first)."""
    weight = {r: q.weights.of(r) for r in REASONS}  # (looked up once: a region ranks 50,000 episodes)
    due_by_cert = due_by_cert or {}
    due_certs = frozenset(due_by_cert)
    items: list[QueueItem] = []
    for ep in episodes:
        due = sum(due_by_cert[cid] for cid in ep.cert_ids & due_certs) if due_certs else 0
        it = _item(ep, q, due, weight)
        if it is not None:
            items.append(it)
    # follow-ups first, then a checkpoint reached or passed, then by score
    items.sort(key=lambda it: (not it.follow_up, not it.urgent, -it.score, -it.episode.length,
                               it.episode.case_no or 0))
    return items


def item_for(ep: Episode, q: QueueSettings, due_actions: int = 0) -> QueueItem | None:
    """One episode's place in the queue as ``rank`` gives it (its reasons, what is due now first, and its
    score), or None if it does not qualify: what the decision screen shows after a status set during the
    meeting changed its reasons."""
    return _item(ep, q, due_actions, {r: q.weights.of(r) for r in REASONS})


def _item(ep: Episode, q: QueueSettings, due: int, weight: Mapping[str, float]) -> QueueItem | None:
    if not ep.ongoing and not due:
        return None
    reasons, cp = reasons_for(ep, q) if ep.ongoing else ([], None)
    if due:
        reasons.insert(0, "follow_up")
    # what is due now comes first (follow-up, then a checkpoint reached or passed)
    reasons.sort(key=lambda r: 0 if r == "follow_up" else (1 if due_now(r, cp) else 2))
    if not reasons:
        return None
    # "several doctors" weighs in once; three or more adds its own weight on top
    score = sum(weight[r] for r in reasons if r != "follow_up")
    return QueueItem(ep, reasons, round(score, 2), bool(due), due, cp)


def progress(items: Sequence[QueueItem], decided_case_nos: set[int]) -> tuple[int, int]:
    done = sum(1 for it in items if it.case_no in decided_case_nos)
    return done, len(items)
