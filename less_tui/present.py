"""Every figure and word the screens, the command line and the minutes show, said once: reason words and
the rehab-chain checkpoint, doctor counts (``≥N`` when a lower bound), patient labels (masked or not),
shares, changes with their arrow, targets, the next meeting's date, and what a closed meeting shows.

No Textual or Rich here: callers style the words (the screens mark what is due now)."""

from __future__ import annotations

import datetime as dt

from . import clock
from .core import pnr as pnrmod
from .core import text as _text
from .core.indicators import show_frozen_context
from .core.queue import due_now
from .i18n import counted, t


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


def reason_word(reason: str, checkpoint: tuple[int, int] | None = None, lang: str | None = None) -> str:
    """One reason in words, as the queue says it: "≥3 läkare", "dag 90 om 12 d" ("kontrollpunkt"
    without its day). Lists of reasons go through ``reason_labels``, which leaves "flera läkare" out
    beside "≥3 läkare"; alone (a filter) it is said too."""
    if reason == "checkpoint":
        return checkpoint_text(checkpoint, lang)
    return t(f"reason.{reason}", lang)


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
        else:
            label = reason_word(r, checkpoint, lang)
        out.append((label, due_now(r, checkpoint)))
    return out


def reasons_line(reasons: list[str], checkpoint: tuple[int, int] | None = None, lang: str | None = None,
                 sep: str = ", ") -> str:
    return sep.join(label for label, _ in reason_labels(reasons, checkpoint, lang)) or "–"


def followup_dates(due, status: str, decided, at, lang: str | None = None,
                   decided_as: int | None = None) -> list[tuple[str, bool]]:
    """What the dates of a followed-up action are, said in words, as (text, overdue) pieces to append
    after "Ärende 557: Kontakt med arbetsgivare – Kerstin Bronner":
    ``, klart senast 2026-08-30`` ``(försenad 92 dagar)`` ``, beslutat 2026-07-30``. An action is
    overdue when it is still open and was due before ``at`` (the meeting's date). ``decided_as``: the
    case's number when it was decided, when the case has another now (two episodes made one by a later
    import): ``, beslutat 2026-07-30 som ärende 558``."""
    out: list[tuple[str, bool]] = []
    if due is not None:
        out.append((", " + t("fu.due", lang, date=due.isoformat()), False))
        if status == "open" and due < at:
            days = (at - due).days
            out.append((" (" + t("fu.overdue_day" if days == 1 else "fu.overdue_days", lang, days=days) + ")", True))
    if decided is not None:
        if decided_as is not None:
            out.append((", " + t("fu.decided_as", lang, date=decided.isoformat(), case=decided_as), False))
        else:
            out.append((", " + t("fu.decided", lang, date=decided.isoformat()), False))
    return out


def followup_suffix(due, status: str, decided, at, lang: str | None = None, decided_as: int | None = None) -> str:
    return "".join(text for text, _ in followup_dates(due, status, decided, at, lang, decided_as))


# The coordinator statuses are Rehabstöd's Swedish terms (stored and imported as they are); the
# screens and the minutes say them in the language chosen.
COORDINATOR_STATUS_KEYS = {"-": "none", "Kontaktad": "contacted", "Aktiv": "active", "Uppföljning": "follow_up",
                           "Avslutad": "finished", "Avböjt": "declined", "Lämnas utan åtgärd": "no_action",
                           "Medicinsk rehab": "medical_rehab"}


def coordinator_status_text(value: str, lang: str | None = None) -> str:
    """``Aktiv`` as "Aktiv" in Swedish and "Active" in English; a value outside Rehabstöd's list as it is."""
    key = COORDINATOR_STATUS_KEYS.get(value)
    return t(f"coord.{key}", lang) if key else value


# ---------------------------------------------------------------- figures


def doctors_text(n: int | None, lower_bound: bool = False) -> str:
    """A doctor count: ``3``, or ``≥3`` when it comes from a Rehabstöd export (a lower bound); ``–`` unknown."""
    if n is None:
        return "–"
    return f"≥{n}" if lower_bound else str(n)


def patient_label(pnr: str, name: str | None, masked: bool = True) -> str:
    """``AB 1976`` (initials and birth year) masked; ``19760412-1234 Anna Berg`` identified."""
    if masked:
        return pnrmod.masked(pnr, name)
    return f"{pnr} {name or ''}".strip()


def share_text(count: int, denominator: int, lang: str | None = None) -> str:
    """The share count/denominator: ``57,4 %`` (``–`` without a denominator)."""
    return _text.share_pct(count, denominator, lang=lang)


def previous_share_text(ind, lang: str | None = None) -> str:
    """An indicator's share at the previous closed meeting, or ``–``."""
    prev = ind.previous
    return _text.share_pct(prev.count, prev.denominator, lang=lang) if prev else "–"


def delta(ind, lang: str | None = None) -> _text.Change:
    """The change of an indicator since the previous closed meeting (its arrow, number and word)."""
    return _text.indicator_change(ind, lang)


def delta_text(ind, word: bool = True, lang: str | None = None) -> str:
    """``↓ −7,4 p.e. (sämre)`` (``word=False``: ``↓ −7,4 p.e.``); ``–`` without a previous value."""
    return delta(ind, lang).text(word=word)


def target_text(ind, lang: str | None = None) -> str:
    """An indicator's target: ``≥ 80 %`` or ``≤ 20 %``."""
    return _text.target(ind.target, ind.direction, lang)


def on_target_text(ind, lang: str | None = None) -> str:
    return {True: t("word.yes", lang), False: t("word.no", lang), None: "–"}[ind.on_target]


def yes_no(value: bool, lang: str | None = None) -> str:
    return t("word.yes", lang) if value else t("word.no", lang)


def next_meeting(date: dt.date, cadence_months: int) -> dt.date:
    """The next meeting's date (and the default due date of an action): ``cadence_months`` on."""
    return clock.add_months(date, cadence_months)


def next_meeting_text(date: dt.date, cadence_months: int) -> str:
    return next_meeting(date, cadence_months).isoformat()


def show_frozen(indicators, frozen, context=None) -> None:
    """A closed meeting shows what it froze: each indicator of ``indicators`` (an ``IndicatorSet``)
    with a frozen value (``{key: Value}``) takes its count and denominator from there, and the context
    figures (``context``: ``repo.frozen(…, context=True)``) theirs, when the closing froze them."""
    for i in indicators.indicators:
        if i.key in frozen:
            i.count, i.denominator = frozen[i.key].count, frozen[i.key].denominator
    if context:
        show_frozen_context(indicators, context)


def supervision_line(ro, today, lang: str | None = None) -> str:
    """``Utbildade i försäkringsmedicin: 2 läkare, 1 annan profession · nästa handledning senast 2026-12-01 (om 8 dagar)``;
    overdue in words. Empty when nothing of the roll-out is recorded (``ro`` is None)."""
    if ro is None:
        return ""
    out = t("sup.trained", doctors=counted("sup.doctors", ro.trained_doctors, lang),
            others=counted("sup.others", ro.trained_others, lang), lang=lang)
    if ro.next_due is None:
        return out + " · " + t("sup.none_yet", lang=lang)
    late = ro.overdue_days(today)
    if late:
        return out + " · " + t("sup.overdue", date=ro.next_due.isoformat(), days=counted("sup.days", late, lang),
                               lang=lang)
    return out + " · " + t("sup.next", date=ro.next_due.isoformat(),
                           days=counted("sup.days", (ro.next_due - today).days, lang), lang=lang)



def sick_share_lines(ongoing: int, listed: int, region: float, country: float,
                     lang: str | None = None) -> list[tuple[str, str]]:
    """The sick-listed share of the unit's listed patients with the region's and the country's figures
    (those configured): ``[("Sjukskrivna av listade", "8,7 % (148 av 1700)"), ("Regionen / riket",
    "6,6 % / 5 %")]``; empty when the number of listed patients is not known."""
    from .core.text import pct

    if not listed:
        return []
    out = [(t("ctx.sick_share", lang=lang),
            t("ctx.sick_share_value", share=pct(ongoing / listed, 1, lang), ongoing=ongoing, listed=listed, lang=lang))]
    if region and country:
        out.append((t("ctx.sick_compare", lang=lang), f"{pct(region, 1, lang)} / {pct(country, 1, lang)}"))
    elif region:
        out.append((t("ctx.sick_region", lang=lang), pct(region, 1, lang)))
    elif country:
        out.append((t("ctx.sick_country", lang=lang), pct(country, 1, lang)))
    return out
