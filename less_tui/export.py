"""Minutes (Markdown, Word, HTML) and the indicator workbook (Excel). No Textual here.

Everything is gathered once into plain data (``Minutes``), then rendered per format.
Without ``identify`` no personnummer or full name is written anywhere.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from . import clock
from .config import Config
from .core import indicators as ind_core
from .core import pnr as pnrmod
from .core.plaintext import strip_controls
from .core.text import indicator_change, median, share_pct, target
from .i18n import indicator_labels, t
from .storage import repo

FORMATS = ("md", "docx", "html", "xlsx")


class ExportError(Exception):
    pass


@dataclass
class ActionLine:
    case_no: int
    kind: str
    owner: str
    due: dt.date | None
    status: str
    meeting_date: dt.date
    overdue: bool = False  # open and due before the meeting the minutes are of


@dataclass
class CaseLine:
    case_no: int
    patient: str
    reasons: list[str]
    length: int | None
    degree: int | None
    doctors: int | None
    doctors_lower_bound: bool
    plan: str
    actions: list[ActionLine]
    coordinator_status: str
    rehab_plan: bool
    assessor: str


@dataclass
class Closing:
    closed_at: dt.datetime | None
    reopened_at: dt.datetime | None = None  # None: the meeting is still closed by this closing
    reopened_by: str = ""
    reason: str = ""


@dataclass
class Minutes:
    clinic: str
    unit: str
    date: dt.date
    status: str
    started: dt.datetime | None
    ended: dt.datetime | None
    attendees: list[tuple[str, str]]
    indicators: ind_core.IndicatorSet
    history: list[tuple[dt.date, dict[str, ind_core.Value]]]
    cases: list[CaseLine]
    followups: dict[str, list[ActionLine]]
    previous_date: dt.date | None
    todo: dict[str, list[ActionLine]]
    next_meeting: dt.date
    identify: bool = False
    identities: list[str] = field(default_factory=list)  # what was written when identified
    closings: list[Closing] = field(default_factory=list)  # only when the meeting was ever reopened
    demo: bool = False  # made from the synthetic demo clinic


def gather(engine: Engine, cfg: Config, meeting: str | dt.date = "latest", identify: bool = False) -> Minutes:
    with Session(engine, expire_on_commit=False) as s:
        unit = repo.get_unit(s, cfg.unit, create=False)
        if meeting == "latest":
            m = repo.latest_meeting(s, unit.id)
            if m is None:
                raise ExportError(t("exp.no_meetings", unit=cfg.unit))
        else:
            d = meeting if isinstance(meeting, dt.date) else dt.date.fromisoformat(str(meeting))
            m = repo.meeting_at(s, unit.id, d)
            if m is None:
                raise ExportError(t("cli.no_meeting", date=d.isoformat(), unit=cfg.unit))
        eps = repo.episodes_at(s, unit.id, m.date, cfg.max_gap_days)
        iset = repo.indicators_at(s, cfg, unit, m.date, eps)
        if m.status == "closed":  # the minutes of a closed meeting show what it froze
            frozen = repo.frozen(s, m.id)
            for i in iset.indicators:
                if i.key in frozen:
                    i.count, i.denominator = frozen[i.key].count, frozen[i.key].denominator
        hist = [(d, v) for d, v in repo.indicator_history(s, unit.id) if d < m.date]
        by_cert = {}
        for e in eps:
            for cid in e.cert_ids:
                by_cert[cid] = e
        reviews = repo.reviews_of_meeting(s, m.id)
        pats = repo.patients_by_id(s, [r.patient_id for r in reviews])
        cases = []
        identities = []
        shown: list[tuple[int, int]] = []  # (patient, case) written identified: each is audited
        for r in reviews:
            acts = repo.actions_of(s, r.id)
            if not r.plan.strip() and not acts:
                continue
            p = pats[r.patient_id]
            who = f"{p.pnr} {p.name}".strip() if identify else pnrmod.masked(p.pnr, p.name)
            if identify:
                identities.append(who)
                shown.append((r.patient_id, r.case_no))
            facts = json.loads(r.facts or "{}")
            e = by_cert.get(r.anchor_certificate_id)
            cases.append(CaseLine(
                case_no=r.case_no, patient=who, reasons=json.loads(r.reasons or "[]"),
                length=facts.get("length"), degree=facts.get("degree"), doctors=facts.get("doctors"),
                doctors_lower_bound=bool(facts.get("doctors_lower_bound")), plan=r.plan.strip(),
                actions=[ActionLine(r.case_no, a.kind, a.owner, a.due, a.status, m.date) for a in acts],
                coordinator_status=e.coordinator_status if e else "-", rehab_plan=bool(e and e.rehab_plan),
                assessor=r.primary_assessor,
            ))
        cases.sort(key=lambda c: c.case_no)
        # the same follow-up as the summary screen's (MeetingService.summary)
        prev, fus = repo.followups(s, unit.id, m.date)
        followups = {status: [ActionLine(f.review.case_no, f.action.kind, f.action.owner, f.action.due,
                                         f.action.status, f.meeting.date,
                                         overdue=f.action.status == "open" and f.action.due is not None
                                         and f.action.due < m.date) for f in lst]
                     for status, lst in fus.items()}
        todo: dict[str, list[ActionLine]] = {}
        for mm, r, a in repo.open_actions(s, unit.id, up_to=m.date):
            todo.setdefault(a.owner or "–", []).append(ActionLine(
                r.case_no, a.kind, a.owner, a.due, a.status, mm.date,
                overdue=a.status == "open" and a.due is not None and a.due < m.date))
        for lst in todo.values():
            lst.sort(key=lambda x: (x.due or dt.date.max, x.case_no))
        closings = [Closing(r.closed_at, r.reopened_at, r.reopened_by, r.reason) for r in repo.reopenings(s, m.id)]
        if closings and m.status == "closed":
            closings.append(Closing(m.closed_at))
        if identify:
            # the export, then one row per patient written (so `audit --patient` finds each)
            repo.audit(s, "export.identify", unit.id, detail=f"meeting={m.date.isoformat()} cases={len(shown)}")
            repo.audit_patients(s, "export.identified", unit.id, shown, detail=f"meeting={m.date.isoformat()}")
            s.commit()
        return Minutes(
            clinic=cfg.clinic_name, unit=cfg.unit, date=m.date, status=m.status, started=m.started_at,
            # a reopened meeting was held until its first closing (every closing is listed apart); a
            # meeting that is open again has no end yet
            ended=(closings[0].closed_at if closings else m.closed_at) if m.status == "closed" else None,
            attendees=[(n, cfg.role_of(n)) for n in repo.attendees(m)], indicators=iset,
            history=hist, cases=cases, followups=followups, previous_date=prev.date if prev else None,
            todo=dict(sorted(todo.items())), next_meeting=clock.add_months(m.date, cfg.meeting.cadence_months),
            identify=identify, identities=identities, closings=closings, demo=is_demo(engine),
        )


# ---------------------------------------------------------------- shared wording

def _time(m: Minutes) -> str:
    def hm(x):
        return x.astimezone().strftime("%H:%M") if x else "–"
    if m.status != "closed":  # not over: no end time, whatever an undone closing said
        return f"{hm(m.started)}–" if m.started else "–"
    return f"{hm(m.started)}–{hm(m.ended)}" if m.ended else hm(m.started)


def _stamp(x: dt.datetime | None) -> str:
    return x.astimezone().strftime("%Y-%m-%d %H:%M") if x else "–"


def top_notes(m: Minutes) -> list[str]:
    """What the reader must know before anything else: a draft (the meeting is not closed) and
    minutes made from the synthetic demo clinic."""
    notes = []
    if m.status != "closed":
        notes.append(t("min.draft"))
    if m.demo:
        notes.append(t("min.demo"))
    return notes


def closing_lines(m: Minutes) -> list[tuple[str, str]]:
    """(what happened, the reopening's reason or "") per closing, oldest first."""
    out = []
    for c in m.closings:
        line = t("min.closed_at", time=_stamp(c.closed_at))
        if c.reopened_at is not None:
            line += " · " + t("min.reopened_at", time=_stamp(c.reopened_at), user=c.reopened_by or "–")
        out.append((line, c.reason))
    return out


def _reasons(rs: list[str]) -> str:
    from .present import reasons_line  # the same words as the queue ("≥3 läkare" without "flera läkare")

    return reasons_line(rs)


def _due(a: ActionLine) -> str:
    return (a.due.isoformat() if a.due else "–") + (f" ({t('status.overdue')})" if a.overdue else "")


def _followup_dates(a: ActionLine, m: Minutes) -> str:
    """", klart senast 2026-08-30 (försenad 92 dagar), beslutat 2026-07-30" (dates and words only)."""
    from .present import followup_suffix

    return followup_suffix(a.due, a.status, a.meeting_date, m.date)


def _delta(i: ind_core.Indicator) -> str:
    return indicator_change(i).text()  # "↓ −7,4 p.e. (sämre)", as on the summary screen


def _target(i: ind_core.Indicator) -> str:
    return target(i.target, i.direction)


def _on_target(i: ind_core.Indicator) -> str:
    return {True: t("word.yes"), False: t("word.no"), None: "–"}[i.on_target]


def _series(m: Minutes, key: str) -> list[float | None]:
    return [v[key].share if key in v else None for _, v in m.history][-12:] + [m.indicators.by_key(key).share]


def _doctors(c: CaseLine) -> str:
    if c.doctors is None:
        return "–"
    return f"≥{c.doctors}" if c.doctors_lower_bound else str(c.doctors)


def _coordinator(c: CaseLine) -> str:
    from .present import coordinator_status_text  # "Aktiv" stored, "Active" in English minutes

    return coordinator_status_text(c.coordinator_status)


def _assessor(c: CaseLine) -> str:
    return t(f"assessor.{c.assessor or 'none'}")


def indicator_rows(m: Minutes) -> list[list[str]]:
    labels = indicator_labels()
    rows = []
    for i in m.indicators.indicators:
        rows.append([labels[i.key], f"{i.count}/{i.denominator}", share_pct(i.count, i.denominator),
                     share_pct(i.previous.count, i.previous.denominator) if i.previous else "–", _delta(i),
                     _target(i), _on_target(i),
                     ind_core.sparkline(_series(m, i.key))])
    return rows


def indicator_headers() -> list[str]:
    return [t("col.indicator"), t("col.count"), t("col.now"), t("col.previous"), t("col.delta"), t("col.target"),
            t("col.on_target"), t("col.trend")]


# ---------------------------------------------------------------- Markdown

def _md_cell(s: object) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _md_plain(s: str) -> str:
    """Free text (a reopening's reason) as literal Markdown: one line, no markup."""
    s = " ".join(str(s).split())
    return "".join("\\" + ch if ch in "\\`*_[]<>|~&" else ch for ch in s)


_MD_LEADING = re.compile(r"^([#>+=-]|[0-9]+[.)])")


def _md_text(s: object) -> str:
    """What a person typed (a name, an action, an owner …) as literal Markdown on one line: every
    character that can start markup (emphasis, code, links, raw HTML, tables, strikethrough) escaped,
    and at the start also what would make a heading, a list item or a quote. Ordinary words and
    sentences come out as they are."""
    s = strip_controls(str(s), keep="\t").replace("\t", " ").strip()
    s = "".join("\\" + ch if ch in "\\`*_[]<>|~&#" else ch for ch in s)
    return _MD_LEADING.sub(lambda mt: mt.group(0)[:-1] + "\\" + mt.group(0)[-1], s)


def _md_lines(s: str, indent: str = "  ") -> str:
    """Typed text of several lines (a plan): each line literal (``_md_text``), kept as a line break
    inside the list item it belongs to; empty lines are left out (they would end the item)."""
    lines = [_md_text(line) for line in strip_controls(str(s)).split("\n")]
    return ("\\\n" + indent).join(line for line in lines if line)


def _clean(value):
    """``value`` (the minutes, or any part of them) with control characters removed from every text
    (tab and line ends kept): Word's XML and Excel's cells cannot hold them, a terminal or a mail
    client would act on them."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_clean(v) for v in value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type) and not isinstance(value, ind_core.IndicatorSet):
        return replace(value, **{f.name: _clean(getattr(value, f.name)) for f in fields(value) if f.init})
    return value


def _md_table(headers: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(_md_cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def render_md(m: Minutes) -> str:
    """The minutes in Markdown. Everything a person typed or imported goes through ``_md_text`` (a
    plan through ``_md_lines``): it cannot add headings, tables, checklist items or raw HTML."""
    m = _clean(m)
    md = _md_text
    L: list[str] = [f"# {t('min.title', date=m.date.isoformat())}", ""]
    for note in top_notes(m):
        L += [f"**{note}**", ""]
    L += [f"- **{t('min.clinic')}:** {md(m.clinic)}", f"- **{t('min.unit')}:** {md(m.unit)}",
          f"- **{t('min.date')}:** {m.date.isoformat()}", f"- **{t('min.time')}:** {_time(m)}",
          f"- **{t('min.attendees')}:** " + ", ".join(f"{md(n)} ({md(r)})" if r else md(n) for n, r in m.attendees),
          f"- **{t('min.next')}:** {m.next_meeting.isoformat()}", ""]
    if m.closings:  # a reopened meeting: every closing, and why it was reopened
        L += [f"## {t('min.closings')}", ""]
        L += [f"- {line}" + (f": {_md_plain(reason)}" if reason else "") for line, reason in closing_lines(m)]
        L.append("")
    L += [f"## {t('min.todo')}", ""]
    if not m.todo:
        L += [t("min.no_todo"), ""]
    for owner, acts in m.todo.items():
        L += [f"### {md(owner)}", ""]
        L += [f"- [ ] {t('col.case')} {a.case_no}: {md(a.kind)} — {t('col.due').lower()} {_due(a)}" for a in acts]
        L.append("")
    L += [f"## {t('min.indicators')}", ""]
    prev = m.indicators.indicators[0].previous_date
    L += [t("cli.previous", date=prev.isoformat()) if prev else t("cli.no_previous"), "",
          _md_table(indicator_headers(), indicator_rows(m)), ""]
    c = m.indicators.context
    L += [f"{t('ctx.ongoing_total')}: {c.ongoing_total} · {t('ctx.population')}: {m.indicators.population} · "
          + " · ".join(f"{t('ctx.chapter', ch=k)}: {v}" for k, v in c.chapters.items())
          + f" · {t('ctx.over_90')}: {c.over_90} · {t('ctx.over_180')}: {c.over_180} · "
          f"{t('ctx.three_plus')}: {c.three_plus_doctors} · {t('ctx.median')}: "
          + median(c.median_length), ""]
    if c.lower_bound:
        L += [f"*{t('ctx.lower_bound')}*", ""]
    L += [f"## {t('min.cases')}", ""]
    if not m.cases:
        L += [t("min.no_cases"), ""]
    for cs in m.cases:
        L += [f"### {t('col.case')} {cs.case_no} — {md(cs.patient)}", ""]
        L += [f"- **{t('min.reasons')}:** {_reasons(cs.reasons)}",
              f"- **{t('col.length')}:** {cs.length if cs.length is not None else '–'} · **{t('col.degree')}:** "
              f"{cs.degree if cs.degree is not None else '–'} % · **{t('col.doctors')}:** {_doctors(cs)}",
              f"- **{t('dec.coordinator_status')}:** {_coordinator(cs)} · **{t('dec.rehab_plan')}:** "
              f"{t('word.yes') if cs.rehab_plan else t('word.no')} · **{t('dec.assessor')}:** {_assessor(cs)}",
              f"- **{t('min.plan')}:** {_md_lines(cs.plan) or '–'}"]
        if cs.actions:
            L.append(f"- **{t('min.actions')}:**")
            L += [f"  - {md(a.kind)} — {md(a.owner) or '–'}, {_due(a)} ({t('status.' + a.status)})"
                  for a in cs.actions]
        L.append("")
    L += [f"## {t('min.followups')}", ""]
    if m.previous_date is None or not m.followups:
        L += [t("sum.no_actions"), ""]
    else:
        for status, label in (("done", "min.done"), ("open", "min.still_open"), ("dropped", "min.dropped")):
            acts = m.followups.get(status, [])
            L += [f"**{t(label)} ({len(acts)})**", ""]
            L += [f"- {t('col.case')} {a.case_no}: {md(a.kind)} — {md(a.owner) or '–'}{_followup_dates(a, m)}"
                  for a in acts] or ["–"]
            L.append("")
    return "\n".join(L).rstrip() + "\n"


# ---------------------------------------------------------------- chart (matplotlib)

def warm_up() -> None:
    """Import what the chart and the Word document need (a second or more on a busy machine), so that
    the app can do it in a thread before the export is chosen."""
    import matplotlib

    matplotlib.use("Agg")
    import docx  # noqa: F401
    import matplotlib.pyplot  # noqa: F401


def chart(m: Minutes, fmt: str = "png") -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = indicator_labels()
    dates = [d for d, _ in m.history][-12:] + [m.date]
    fig, axes = plt.subplots(2, 2, figsize=(9, 5.2), sharex=True)
    for ax, key in zip(axes.flat, ind_core.INDICATOR_KEYS):
        ys = [None if v is None else v * 100 for v in _series(m, key)]
        ax.plot(dates, [float("nan") if y is None else y for y in ys], marker="o", color="#1f5fa8")
        target = m.indicators.by_key(key).target * 100
        ax.axhline(target, color="#c0392b", linestyle="--", linewidth=1, label=t("col.target"))
        ax.set_title(labels[key], fontsize=9)
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter())
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    _time_axis(axes.flat[0], dates)
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=130)
    plt.close(fig)
    return buf.getvalue()


def _time_axis(ax, dates: list[dt.date]) -> None:
    """The time axis spans the meetings shown, half a month either side, with a tick per meeting
    (one meeting: one point in the middle, not years of empty axis)."""
    import matplotlib.dates as mdates
    import matplotlib.ticker as mticker

    pad = dt.timedelta(days=15)
    ax.set_xlim(min(dates) - pad, max(dates) + pad)  # the axes share x: this sets all four
    ax.xaxis.set_major_locator(mticker.FixedLocator([mdates.date2num(d) for d in dates]))
    months = [(d.year, d.month) for d in dates]
    fmt = "%Y-%m" if len(set(months)) == len(months) else "%Y-%m-%d"
    ax.xaxis.set_major_formatter(mdates.DateFormatter(fmt))


# ---------------------------------------------------------------- HTML

def render_html(m: Minutes) -> str:
    m = _clean(m)
    e = html.escape
    import base64

    # a PNG inside the file: mail clients show it, and the minutes stay one file
    png = base64.b64encode(chart(m, "png")).decode("ascii")
    P: list[str] = [
        "<!DOCTYPE html>", f'<html lang="{t("word.yes") == "ja" and "sv" or "en"}"><head><meta charset="utf-8">',
        f"<title>{e(t('min.title', date=m.date.isoformat()))}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}"
        "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #bbb;padding:.25rem .5rem;text-align:left}"
        "th{background:#eef}h3{margin-bottom:.2rem}.todo li{margin:.1rem 0}img{max-width:100%;height:auto}</style>",
        "</head><body>", f"<h1>{e(t('min.title', date=m.date.isoformat()))}</h1>",
        *(f"<p class=\"note\"><strong>{e(note)}</strong></p>" for note in top_notes(m)), "<ul>",
        f"<li><b>{e(t('min.clinic'))}:</b> {e(m.clinic)}</li>", f"<li><b>{e(t('min.unit'))}:</b> {e(m.unit)}</li>",
        f"<li><b>{e(t('min.date'))}:</b> {m.date.isoformat()}</li>", f"<li><b>{e(t('min.time'))}:</b> {e(_time(m))}</li>",
        f"<li><b>{e(t('min.attendees'))}:</b> " + e(", ".join(f"{n} ({r})" if r else n for n, r in m.attendees)) + "</li>",
        f"<li><b>{e(t('min.next'))}:</b> {m.next_meeting.isoformat()}</li>", "</ul>",
    ]
    if m.closings:
        P.append(f"<h2>{e(t('min.closings'))}</h2><ul>" + "".join(
            f"<li>{e(line)}" + (f": {e(reason)}" if reason else "") + "</li>" for line, reason in closing_lines(m))
            + "</ul>")
    P.append(f"<h2>{e(t('min.todo'))}</h2>")
    if not m.todo:
        P.append(f"<p>{e(t('min.no_todo'))}</p>")
    for owner, acts in m.todo.items():
        P.append(f"<h3>{e(owner)}</h3><ul class='todo'>")
        P += [f"<li>{e(t('col.case'))} {a.case_no}: {e(a.kind)} — {e(t('col.due').lower())} {_due(a)}</li>" for a in acts]
        P.append("</ul>")
    P.append(f"<h2>{e(t('min.indicators'))}</h2><table><tr>" + "".join(f"<th>{e(h)}</th>" for h in indicator_headers())
             + "</tr>")
    for r in indicator_rows(m):
        P.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>")
    P.append("</table>")
    P.append(f"<figure><img width=\"640\" alt=\"{e(t('min.chart'))}\" src=\"data:image/png;base64,{png}\">"
             f"<figcaption>{e(t('min.chart'))}</figcaption></figure>")
    P.append(f"<h2>{e(t('min.cases'))}</h2>")
    if not m.cases:
        P.append(f"<p>{e(t('min.no_cases'))}</p>")
    for cs in m.cases:
        P.append(f"<h3>{e(t('col.case'))} {cs.case_no} — {e(cs.patient)}</h3><ul>")
        P.append(f"<li><b>{e(t('min.reasons'))}:</b> {e(_reasons(cs.reasons))}</li>")
        P.append(f"<li><b>{e(t('col.length'))}:</b> {cs.length} · <b>{e(t('col.degree'))}:</b> {cs.degree} % · "
                 f"<b>{e(t('col.doctors'))}:</b> {e(_doctors(cs))}</li>")
        P.append(f"<li><b>{e(t('dec.coordinator_status'))}:</b> {e(_coordinator(cs))} · "
                 f"<b>{e(t('dec.rehab_plan'))}:</b> {e(t('word.yes') if cs.rehab_plan else t('word.no'))} · "
                 f"<b>{e(t('dec.assessor'))}:</b> {e(_assessor(cs))}</li>")
        P.append(f"<li><b>{e(t('min.plan'))}:</b> {e(cs.plan or '–')}</li>")
        if cs.actions:
            P.append(f"<li><b>{e(t('min.actions'))}:</b><ul>" + "".join(
                f"<li>{e(a.kind)} — {e(a.owner or '–')}, {_due(a)} ({e(t('status.' + a.status))})</li>"
                for a in cs.actions) + "</ul></li>")
        P.append("</ul>")
    P.append(f"<h2>{e(t('min.followups'))}</h2>")
    if not m.followups:
        P.append(f"<p>{e(t('sum.no_actions'))}</p>")
    for status, label in (("done", "min.done"), ("open", "min.still_open"), ("dropped", "min.dropped")):
        if not m.followups:
            break
        acts = m.followups.get(status, [])
        P.append(f"<h3>{e(t(label))} ({len(acts)})</h3><ul>" + "".join(
            f"<li>{e(t('col.case'))} {a.case_no}: {e(a.kind)} — {e(a.owner or '–')}{e(_followup_dates(a, m))}</li>"
            for a in acts) + "</ul>")
    P.append("</body></html>")
    return "\n".join(P) + "\n"


# ---------------------------------------------------------------- Word

A4_CM = (21.0, 29.7)
MARGIN_CM = 2.0  # what a printed page needs (and a ring binder)
DOC_LANGUAGE = {"sv": "sv-SE", "en": "en-GB"}
FONT_PT = 10.5
TABLE_PT = 9.5  # the indicator table: every figure on one line on A4
CELL_PAD_CM = 0.5  # the cell's left and right margins (0.19 cm each) and its borders, with room to spare


def _paper(doc) -> float:
    """A4 portrait, 2 cm margins, the document's language (spelling, hyphenation, the reader's voice);
    returns the width between the margins in cm."""
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    from .i18n import language

    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(A4_CM[0]), Cm(A4_CM[1])
        section.left_margin = section.right_margin = Cm(MARGIN_CM)
        section.top_margin = section.bottom_margin = Cm(MARGIN_CM)
        section.header_distance = section.footer_distance = Cm(1.0)
    tag = DOC_LANGUAGE.get(language(), "en-GB")
    doc.core_properties.language = tag
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    # the default, and every style that names a language of its own
    targets = [rpr] + [el.getparent() for el in styles.iter(qn("w:lang")) if el.getparent() is not rpr]
    for rpr in targets:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), tag)
        lang.set(qn("w:eastAsia"), tag)
    return A4_CM[0] - 2 * MARGIN_CM


def _text_cm(text: str, pt: float = FONT_PT, bold: bool = False) -> float:
    """The printed width of a text, measured in DejaVu Sans (matplotlib ships it): wider than Calibri,
    Carlito and Liberation Sans, so a width that holds it holds the text in whatever font the reader's
    Word or LibreOffice uses."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    key = (pt, bold)
    font = _FONTS.get(key)
    if font is None:
        prop = font_manager.FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
        font = _FONTS[key] = FT2Font(font_manager.findfont(prop))
        font.set_size(pt, 72)  # 72 dpi: one pixel is one point
    font.set_text(text, 0.0)
    return font.get_width_height()[0] / 64 / 72 * 2.54


_FONTS: dict = {}


def column_widths(headers: list[str], rows: list[list[str]], total_cm: float, pt: float = TABLE_PT) -> list[float]:
    """Widths in cm that fit ``total_cm``: every column at least as wide as its longest word (so no
    word is broken in the middle), the figures on one line where the page allows (headers may wrap
    between words), and what is left to the first column (the indicator's name)."""
    cols = list(zip(headers, *rows))
    least, wish = [], []
    for k, col in enumerate(cols):
        head, cells = col[0], col[1:]
        bold = k == 0  # the table style sets the header row and the first column in bold
        words = [(w, True) for w in head.split()] + [(w, bold) for c in cells for w in str(c).split()]
        least.append(max([_text_cm(w, pt, b) for w, b in words] or [0.0]) + CELL_PAD_CM)
        whole = max([_text_cm(str(c), pt, bold) for c in cells] or [0.0]) + CELL_PAD_CM
        wish.append(max(whole, least[-1]))
    widths = wish[:]
    widths[0] = least[0]
    spare = total_cm - sum(widths)
    if spare >= 0:
        widths[0] += spare  # the name column takes the rest of the line
        return widths
    give = [wish[k] - least[k] if k else 0.0 for k in range(len(cols))]  # shrink toward the longest word
    over = -spare
    room = sum(give)
    for k in range(1, len(cols)):
        if room > 0:
            widths[k] -= min(give[k], over * give[k] / room)
    return widths


def _set_column_widths(table, widths_cm: list[float]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table.autofit = False  # a fixed layout: Word and LibreOffice keep these widths
    for col, w in zip(table.columns, widths_cm):
        col.width = Cm(w)
        for cell in col.cells:
            cell.width = Cm(w)
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(round(sum(widths_cm) / 2.54 * 1440)))


def _keep_together(table) -> None:
    """A short table stays on one page (rows unsplit, each kept with the next); its header repeats
    if it ever runs over a page."""
    from docx.oxml import OxmlElement

    for k, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if k == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
        if k < len(table.rows) - 1:
            for cell in row.cells:
                for par in cell.paragraphs:
                    par.paragraph_format.keep_with_next = True


def render_docx(m: Minutes, path) -> None:
    """The minutes as a Word file, written to ``path`` (a file name or an open binary file)."""
    from docx import Document
    from docx.shared import Cm, Pt

    m = _clean(m)  # Word's XML cannot hold control characters (python-docx: ValueError)
    doc = Document()
    width_cm = _paper(doc)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(FONT_PT)
    doc.styles["Title"].font.size = Pt(20)  # the title and its date on one line
    doc.add_heading(t("min.title", date=m.date.isoformat()), level=0)
    for note in top_notes(m):
        doc.add_paragraph().add_run(note).bold = True
    for label, value in ((t("min.clinic"), m.clinic), (t("min.unit"), m.unit), (t("min.date"), m.date.isoformat()),
                         (t("min.time"), _time(m)),
                         (t("min.attendees"), ", ".join(f"{n} ({r})" if r else n for n, r in m.attendees)),
                         (t("min.next"), m.next_meeting.isoformat())):
        p = doc.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(value)
    if m.closings:
        doc.add_heading(t("min.closings"), level=1)
        for line, reason in closing_lines(m):
            doc.add_paragraph(line + (f": {reason}" if reason else ""), style="List Bullet")
    doc.add_heading(t("min.todo"), level=1)
    if not m.todo:
        doc.add_paragraph(t("min.no_todo"))
    for owner, acts in m.todo.items():
        doc.add_heading(owner, level=2)
        for a in acts:
            doc.add_paragraph(f"{t('col.case')} {a.case_no}: {a.kind} — {t('col.due').lower()} {_due(a)}",
                              style="List Bullet")
    doc.add_heading(t("min.indicators"), level=1)
    heads = indicator_headers()[:-1]
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Light Grid Accent 1"
    for cell, h in zip(table.rows[0].cells, heads):
        cell.text = h
    for r in indicator_rows(m):
        cells = table.add_row().cells
        for cell, v in zip(cells, r[:-1]):
            cell.text = v
    for row in table.rows:
        for cell in row.cells:
            for par in cell.paragraphs:
                for run in par.runs:
                    run.font.size = Pt(TABLE_PT)
    _set_column_widths(table, column_widths(heads, [r[:-1] for r in indicator_rows(m)], width_cm, TABLE_PT))
    _keep_together(table)
    doc.add_picture(io.BytesIO(chart(m, "png")), width=Cm(min(16.0, width_cm)))
    doc.add_heading(t("min.cases"), level=1)
    if not m.cases:
        doc.add_paragraph(t("min.no_cases"))
    for cs in m.cases:
        doc.add_heading(f"{t('col.case')} {cs.case_no} — {cs.patient}", level=2)
        lines = [[(t("min.reasons"), _reasons(cs.reasons))],
                 [(t("col.length"), str(cs.length)), (t("col.degree"), f"{cs.degree} %"),
                  (t("col.doctors"), _doctors(cs))],
                 [(t("dec.coordinator_status"), _coordinator(cs)),
                  (t("dec.rehab_plan"), t("word.yes") if cs.rehab_plan else t("word.no")),
                  (t("dec.assessor"), _assessor(cs))],
                 [(t("min.plan"), cs.plan or "–")]]
        for line in lines:
            p = doc.add_paragraph()
            p.paragraph_format.space_after = Pt(2)
            for k, (label, value) in enumerate(line):
                if k:
                    p.add_run(" · ")
                p.add_run(f"{label}: ").bold = True
                p.add_run(value)
        for a in cs.actions:
            doc.add_paragraph(f"{a.kind} — {a.owner or '–'}, {_due(a)} ({t('status.' + a.status)})",
                              style="List Bullet")
    doc.add_heading(t("min.followups"), level=1)
    if not m.followups:
        doc.add_paragraph(t("sum.no_actions"))
    else:
        for status, label in (("done", "min.done"), ("open", "min.still_open"), ("dropped", "min.dropped")):
            acts = m.followups.get(status, [])
            doc.add_heading(f"{t(label)} ({len(acts)})", level=2)
            for a in acts:
                doc.add_paragraph(f"{t('col.case')} {a.case_no}: {a.kind} — {a.owner or '–'}{_followup_dates(a, m)}",
                                  style="List Bullet")
    doc.save(path if hasattr(path, "write") else str(path))


# ---------------------------------------------------------------- Excel workbook

FORMULA_START = ("=", "+", "-", "@")


def write_text_safely(ws) -> None:
    """Cells whose text begins like a formula are stored as text (never evaluated by Excel)."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value[:1] in FORMULA_START:
                cell.data_type = "s"
                cell.quotePrefix = True


def render_xlsx(engine: Engine, cfg: Config, path) -> None:
    """The indicator workbook, written to ``path`` (a file name or an open binary file)."""
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.utils import get_column_letter

    labels = indicator_labels()
    with Session(engine) as s:
        unit = repo.get_unit(s, cfg.unit, create=False)
        meetings = repo.list_meetings(s, unit.id)
        rows = []
        for mt in meetings:
            if mt.status == "closed":
                vals = repo.frozen(s, mt.id)
            else:
                vals = repo.indicators_at(s, cfg, unit, mt.date).frozen()
            rows.append((mt, vals))
        actions = []
        for mt in meetings:
            for r, a in repo.actions_of_meeting(s, mt.id):
                # Excel cannot hold control characters (openpyxl: IllegalCharacterError)
                actions.append([mt.date, r.case_no, strip_controls(a.kind), strip_controls(a.owner), a.due,
                                t(f"status.{a.status}")])
    wb = Workbook()
    ws = wb.active
    ws.title = t("min.sheet.indicators")
    header = [t("col.date"), t("col.status")]
    for key in ind_core.INDICATOR_KEYS:
        short = t(f"ind.short.{key}")
        header += [f"{short} {t('col.count').lower()}", f"{short} {t('col.n')}", f"{short} {t('col.share').lower()}",
                   f"{short} {t('col.target').lower()}"]
    ws.append(header)
    for mt, vals in rows:
        line = [mt.date, t("word.closed") if mt.status == "closed" else t("word.open")]
        for key in ind_core.INDICATOR_KEYS:
            v = vals.get(key)
            # the exact share: Excel's "0.0%" rounds it once (54/94 shows 57.4%, not 57.5% from 0.5745)
            line += [v.count if v else None, v.denominator if v else None,
                     (v.count / v.denominator if v.denominator else None) if v else None,
                     float(cfg.targets[key])]
        ws.append(line)
    n = len(rows)
    for r in range(2, n + 2):
        ws.cell(r, 1).number_format = "yyyy-mm-dd"
        for k in range(len(ind_core.INDICATOR_KEYS)):
            ws.cell(r, 3 + 4 * k + 2).number_format = "0.0%"
            ws.cell(r, 3 + 4 * k + 3).number_format = "0%"
    for c in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14 if c > 2 else 12
    ws.freeze_panes = "B2"
    for k, key in enumerate(ind_core.INDICATOR_KEYS):
        ch = LineChart()
        ch.title = labels[key]
        ch.y_axis.title = t("col.share")
        ch.y_axis.number_format = "0%"
        ch.y_axis.scaling.min = 0
        ch.y_axis.scaling.max = 1
        ch.height, ch.width = 7, 16
        share_col = 3 + 4 * k + 2
        data = Reference(ws, min_col=share_col, max_col=share_col + 1, min_row=1, max_row=n + 1)
        ch.add_data(data, titles_from_data=True)
        ch.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
        if len(ch.series) > 1:
            ch.series[1].graphicalProperties.line.dashStyle = "dash"
            ch.series[1].graphicalProperties.line.solidFill = "C0392B"
        ws.add_chart(ch, f"{get_column_letter(len(header) + 2)}{1 + k * 15}")
    wa = wb.create_sheet(t("min.sheet.actions"))
    wa.append([t("col.meeting"), t("col.case"), t("col.kind"), t("col.owner"), t("col.due"), t("col.status")])
    for a in actions:
        wa.append(a)
    write_text_safely(wa)
    for r in range(2, len(actions) + 2):
        wa.cell(r, 1).number_format = "yyyy-mm-dd"
        wa.cell(r, 5).number_format = "yyyy-mm-dd"
    for c, w in zip("ABCDEF", (12, 8, 40, 24, 12, 12)):
        wa.column_dimensions[c].width = w
    wb.save(path if hasattr(path, "write") else str(path))


# ---------------------------------------------------------------- entry point

DEMO_FOLDER = "demo-exports"


def is_demo(engine: Engine) -> bool:
    """Does the database hold the synthetic demo clinic? (A database that cannot be read is not.)"""
    from .demo import is_demo as holds_demo

    try:
        return holds_demo(engine)
    except Exception:  # no tables yet, or not reachable: the caller reports that itself
        return False


def export_folder(cfg: Config, engine: Engine, create: bool = True, demo: bool = False) -> Path:
    """Where exports go without ``-o``: ``export.folder`` when set; else ``exports/`` beside a SQLite
    database; else (PostgreSQL, or a database in memory) ``exports/`` in the user data directory.
    Never the working directory (a ForceCommand user on the server cannot reach it). The folder is
    made like the database's: owner-only, or the team group's when ``database.group`` is set. The
    folder itself must not be a symlink (patient data would go wherever it points). A ``demo``
    database has a folder of its own, ``demo-exports/`` beside it (or in the user data directory),
    whatever ``export.folder`` says: demo minutes never land among the real ones."""
    from .safefile import check_folder
    from .storage.db import private_dir, sqlite_path

    configured = cfg.export.folder
    name = DEMO_FOLDER if demo else "exports"
    if configured and not demo:
        folder = Path(configured).expanduser()
    else:
        db = sqlite_path(engine.url.render_as_string(hide_password=False))
        if db is None:
            from .config import user_data_dir

            folder = user_data_dir() / name
        else:
            folder = db.parent / name
    if create:
        if folder.is_symlink():
            check_folder(folder, link_ok=False)  # says so, one line
        private_dir(folder, cfg.database.group)
        check_folder(folder, link_ok=False)
    return folder


def file_name(cfg: Config, date: dt.date, fmt: str, demo: bool = False) -> str:
    """``fmt-protokoll-UNIT-DATE.md`` in Swedish, ``fmt-minutes-UNIT-DATE.md`` in English (the current
    language), so that the two languages of one meeting are two files; ``demo-…`` from the demo. The
    unit's name is made safe for a file name (``VC Nord/Syd`` or ``../x`` never leaves the folder)."""
    from .safefile import safe_name

    return f"{'demo-' if demo else ''}{t('exp.file_stem')}-{safe_name(cfg.unit)}-{date.isoformat()}.{fmt}"


def default_path(cfg: Config, engine: Engine, date: dt.date, fmt: str, demo: bool = False) -> Path:
    return export_folder(cfg, engine, demo=demo) / file_name(cfg, date, fmt, demo)


def list_exports(cfg: Config, engine: Engine) -> list[Path]:
    """The files in this database's export folder, oldest first (nothing when it does not exist yet)."""
    folder = export_folder(cfg, engine, create=False, demo=is_demo(engine))
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),  # not one being written
                  key=lambda p: (p.stat().st_mtime, p.name))


def export_meeting(engine: Engine, cfg: Config, meeting: str | dt.date = "latest", fmt: str = "md",
                   out: str | Path | None = None, identify: bool = False, lang: str | None = None,
                   to_file: bool = False) -> Path | str:
    """Write the minutes (md, docx, html) or the workbook (xlsx) and return the file's path. Markdown
    without ``out`` is returned as text, unless ``to_file`` (the app): then it goes to the export folder
    like every other format."""
    from .i18n import language, set_language
    from .safefile import check_target, write_file
    from .storage.db import group_id

    if fmt not in FORMATS:
        raise ExportError(t("exp.bad_format", value=repr(fmt), choices=", ".join(FORMATS)))
    old = language()
    if lang:
        set_language(lang)
    try:
        m = gather(engine, cfg, meeting, identify)
        if fmt == "md" and out is None and not to_file:
            return render_md(m)
        group = cfg.database.group
        path = Path(out) if out else default_path(cfg, engine, m.date, fmt, demo=m.demo)
        check_target(path)  # before rendering: a symlink, a folder or a missing folder is told at once
        # written whole into a new file (O_EXCL|O_NOFOLLOW) beside it, then renamed over it: a failure
        # leaves no empty or half-written file (and an earlier export of the same name as it was)
        if fmt == "md":
            render = lambda f: f.write(render_md(m).encode("utf-8"))  # noqa: E731
        elif fmt == "html":
            render = lambda f: f.write(render_html(m).encode("utf-8"))  # noqa: E731
        elif fmt == "docx":
            render = lambda f: render_docx(m, f)  # noqa: E731
        else:
            render = lambda f: render_xlsx(engine, cfg, f)  # noqa: E731
        write_file(path, render, mode=0o660 if group else 0o600, gid=group_id(group) if group else None)
        with Session(engine) as s:
            unit = repo.get_unit(s, cfg.unit)
            repo.audit(s, "export", unit.id, detail=f"{fmt} meeting={m.date.isoformat()} identify={identify}")
            s.commit()
        return path
    finally:
        set_language(old)
