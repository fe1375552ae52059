"""The minutes as one HTML file (the chart inside it as a PNG), laid out from the minutes model.
Every text is escaped: what people typed is shown, never read as markup."""

from __future__ import annotations

import base64
import html

from ..i18n import language, t
from .chart import chart
from ..core.minutes import Minutes


def render(m: Minutes) -> str:
    e = html.escape
    # a PNG inside the file: mail clients show it, and the minutes stay one file
    png = base64.b64encode(chart(m, "png")).decode("ascii")
    P: list[str] = [
        "<!DOCTYPE html>", f'<html lang="{"sv" if language() == "sv" else "en"}"><head><meta charset="utf-8">',
        f"<title>{e(m.title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}"
        "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #bbb;padding:.25rem .5rem;text-align:left}"
        "th{background:#eef}h3{margin-bottom:.2rem}.todo li{margin:.1rem 0}img{max-width:100%;height:auto}</style>",
        "</head><body>", f"<h1>{e(m.title)}</h1>",
        *(f"<p class=\"note\"><strong>{e(note)}</strong></p>" for note in m.notes), "<ul>",
        f"<li><b>{e(t('min.clinic'))}:</b> {e(m.clinic)}</li>", f"<li><b>{e(t('min.unit'))}:</b> {e(m.unit)}</li>",
        f"<li><b>{e(t('min.date'))}:</b> {m.date.isoformat()}</li>", f"<li><b>{e(t('min.time'))}:</b> {e(m.time)}</li>",
        f"<li><b>{e(t('min.attendees'))}:</b> " + e(", ".join(f"{n} ({r})" if r else n for n, r in m.attendees)) + "</li>",
        f"<li><b>{e(t('min.next'))}:</b> {e(m.next_meeting)}</li>", "</ul>",
    ]
    if m.closings:
        P.append(f"<h2>{e(t('min.closings'))}</h2><ul>" + "".join(
            f"<li>{e(c.text)}" + (f": {e(c.reason)}" if c.reason else "") + "</li>" for c in m.closings)
            + "</ul>")
    P.append(f"<h2>{e(t('min.todo'))}</h2>")
    if not m.todo:
        P.append(f"<p>{e(t('min.no_todo'))}</p>")
    for owner, acts in m.todo.items():
        P.append(f"<h3>{e(owner)}</h3><ul class='todo'>")
        P += [f"<li>{e(t('col.case'))} {a.case_no}: {e(a.kind)}{e(a.dates)}</li>" for a in acts]
        P.append("</ul>")
    P.append(f"<h2>{e(t('min.indicators'))}</h2>")
    if m.previous:  # what the change is against, as in the other formats
        P.append(f"<p>{e(m.previous)}</p>")
    P.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in m.indicator_headers) + "</tr>")
    for r in m.indicator_rows:
        P.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>")
    P.append("</table>")
    if m.context:
        P.append("<p>" + e(" · ".join(f"{label}: {value}" for label, value in m.context)) + "</p>")
    if m.lower_bound_note:
        P.append(f"<p><em>{e(m.lower_bound_note)}</em></p>")
    if m.measure_rows:  # the team's own measures, only when configured
        P.append(f"<h2>{e(t('min.measures'))}</h2><table><tr>" + "".join(f"<th>{e(h)}</th>" for h in m.measure_headers)
                 + "</tr>")
        for r in m.measure_rows:
            P.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>")
        P.append("</table>")
    P.append(f"<figure><img width=\"640\" alt=\"{e(t('min.chart'))}\" src=\"data:image/png;base64,{png}\">"
             f"<figcaption>{e(t('min.chart'))}</figcaption></figure>")
    if m.ideas:  # only when an idea changed since the last meeting
        P.append(f"<h2>{e(t('min.ideas'))}</h2>")
        if m.ideas_since:
            P.append(f"<p>{e(m.ideas_since)}</p>")
        P.append("<ul>")
        for i in m.ideas:
            P.append(f"<li><b>{e(i.code)}</b> {e(i.text or '–')} — {e(i.status)}"
                     + (f" ({e(t('min.idea_indicators'))}: {e(i.indicators)})" if i.indicators else ""))
            if i.cycles:
                P.append("<ul>" + "".join(
                    f"<li>{e(t('rep.cycle'))} {e(c.dates)}: {e(c.plan or '–')}"
                    + (f" · {e(t('pdsa.owner'))}: {e(c.owner)}" if c.owner else "")
                    + (f" · {e(t('pdsa.result'))}: {e(c.result)}" if c.result else "") + "</li>"
                    for c in i.cycles) + "</ul>")
            P.append("</li>")
        P.append("</ul>")
    P.append(f"<h2>{e(t('min.cases'))}</h2>")
    if not m.cases:
        P.append(f"<p>{e(t('min.no_cases'))}</p>")
    for cs in m.cases:
        P.append(f"<h3>{e(t('col.case'))} {cs.case_no} — {e(cs.patient)}</h3><ul>")
        P.append(f"<li><b>{e(t('min.reasons'))}:</b> {e(cs.reasons)}</li>")
        P.append(f"<li><b>{e(t('col.length'))}:</b> {e(cs.length)} · <b>{e(t('col.degree'))}:</b> {e(cs.degree)} · "
                 f"<b>{e(t('col.doctors'))}:</b> {e(cs.doctors)}</li>")
        P.append(f"<li><b>{e(t('dec.coordinator_status'))}:</b> {e(cs.coordinator_status)} · "
                 f"<b>{e(t('dec.rehab_plan'))}:</b> {e(cs.rehab_plan)} · "
                 f"<b>{e(t('dec.assessor'))}:</b> {e(cs.assessor)}</li>")
        P.append(f"<li><b>{e(t('min.plan'))}:</b> {e(cs.plan or '–')}</li>")
        if cs.actions:
            P.append(f"<li><b>{e(t('min.actions'))}:</b><ul>" + "".join(
                f"<li>{e(a.kind)} — {e(a.owner or '–')}, {e(a.due)} ({e(a.status_text)})</li>"
                for a in cs.actions) + "</ul></li>")
        P.append("</ul>")
    P.append(f"<h2>{e(t('min.followups'))}</h2>")
    if not m.followups:
        P.append(f"<p>{e(t('sum.no_actions'))}</p>")
    else:
        for status, label in (("done", "min.done"), ("open", "min.still_open"), ("dropped", "min.dropped")):
            acts = m.followups.get(status, [])
            P.append(f"<h3>{e(t(label))} ({len(acts)})</h3><ul>" + "".join(
                f"<li>{e(t('col.case'))} {a.case_no}: {e(a.kind)} — {e(a.owner or '–')}{e(a.dates)}</li>"
                for a in acts) + "</ul>")
    P.append("</body></html>")
    return "\n".join(P) + "\n"
