"""Words for the queue's reasons and the rehab-chain checkpoint, said once for screens, CLI and minutes.

No Textual or Rich here: callers style the words (the screens mark what is due now)."""

from __future__ import annotations

from .core.queue import due_now
from .i18n import t


def checkpoint_text(checkpoint: tuple[int, int] | None, lang: str | None = None) -> str:
    """"dag 180 om 12 d", "dag 180 i dag", "dag 180 passerad för 10 d sedan"."""
    if checkpoint is None:
        return t("reason.checkpoint_plain", lang)
    day, left = checkpoint
    if left > 0:
        return t("reason.checkpoint_in", lang, day=day, days=left)
    if left == 0:
        return t("reason.checkpoint_today", lang, day=day)
    return t("reason.checkpoint_passed", lang, day=day, days=-left)


def reason_labels(reasons: list[str], checkpoint: tuple[int, int] | None = None,
                  lang: str | None = None, short: bool = False) -> list[tuple[str, bool]]:
    """(label, due now) per reason, in the queue's order (what is due now first). "Several doctors"
    is left out when "three or more" is there. ``short``: the codes a narrow queue shows with a legend."""
    out = []
    for r in reasons:
        if r == "several_doctors" and "three_plus_doctors" in reasons:
            continue
        if short:
            label = t(f"reason.short.{r}", lang, day=checkpoint[0] if checkpoint else "")
        elif r == "checkpoint":
            label = checkpoint_text(checkpoint, lang)
        else:
            label = t(f"reason.{r}", lang)
        out.append((label, due_now(r, checkpoint)))
    return out


def reasons_line(reasons: list[str], checkpoint: tuple[int, int] | None = None, lang: str | None = None,
                 sep: str = ", ") -> str:
    return sep.join(label for label, _ in reason_labels(reasons, checkpoint, lang)) or "–"


def followup_dates(due, status: str, decided, at, lang: str | None = None) -> list[tuple[str, bool]]:
    """What the dates of a followed-up action are, said in words, as (text, overdue) pieces to append
    after "Ärende 557: Kontakt med arbetsgivare – Kerstin Bronner":
    ``, klart senast 2026-08-30`` ``(försenad 92 dagar)`` ``, beslutat 2026-07-30``. An action is
    overdue when it is still open and was due before ``at`` (the meeting's date)."""
    out: list[tuple[str, bool]] = []
    if due is not None:
        out.append((", " + t("fu.due", lang, date=due.isoformat()), False))
        if status == "open" and due < at:
            days = (at - due).days
            out.append((" (" + t("fu.overdue_day" if days == 1 else "fu.overdue_days", lang, days=days) + ")", True))
    if decided is not None:
        out.append((", " + t("fu.decided", lang, date=decided.isoformat()), False))
    return out


def followup_suffix(due, status: str, decided, at, lang: str | None = None) -> str:
    return "".join(text for text, _ in followup_dates(due, status, decided, at, lang))


# The coordinator statuses are Rehabstöd's Swedish terms (stored and imported as they are); the
# screens and the minutes say them in the language chosen.
COORDINATOR_STATUS_KEYS = {"-": "none", "Kontaktad": "contacted", "Aktiv": "active", "Uppföljning": "follow_up",
                           "Avslutad": "finished", "Avböjt": "declined", "Lämnas utan åtgärd": "no_action",
                           "Medicinsk rehab": "medical_rehab"}


def coordinator_status_text(value: str, lang: str | None = None) -> str:
    """``Aktiv`` as "Aktiv" in Swedish and "Active" in English; a value outside Rehabstöd's list as it is."""
    key = COORDINATOR_STATUS_KEYS.get(value)
    return t(f"coord.{key}", lang) if key else value


def supervision_line(ro, today, lang: str | None = None) -> str:
    """``Utbildade: 2 läkare, 1 annan profession · nästa handledning senast 2026-12-01 (om 8 dagar)``;
    overdue in words. Empty when nothing of the roll-out is recorded (``ro`` is None)."""
    if ro is None:
        return ""
    out = t("sup.trained", doctors=ro.trained_doctors, others=ro.trained_others, lang=lang)
    if ro.next_due is None:
        return out + " · " + t("sup.none_yet", lang=lang)
    late = ro.overdue_days(today)
    if late:
        return out + " · " + t("sup.overdue", date=ro.next_due.isoformat(), days=late, lang=lang)
    return out + " · " + t("sup.next", date=ro.next_due.isoformat(), days=(ro.next_due - today).days, lang=lang)
