"""The minutes in Markdown, laid out from the minutes model. Everything a person typed or imported goes
through ``text`` (a plan through ``lines``): it cannot add headings, tables, checklist items or raw HTML."""

from __future__ import annotations

import re

from ..core.plaintext import strip_controls
from ..i18n import t
from ..core.minutes import Minutes


def cell(s: object) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def plain(s: str) -> str:
    """Free text (a reopening's reason) as literal Markdown: one line, no markup."""
    s = " ".join(str(s).split())
    return "".join("\\" + ch if ch in "\\`*_[]<>|~&" else ch for ch in s)


_LEADING = re.compile(r"^([#>+=-]|[0-9]+[.)])")


def text(s: object) -> str:
    """What a person typed (a name, an action, an owner …) as literal Markdown on one line: every
    character that can start markup (emphasis, code, links, raw HTML, tables, strikethrough) escaped,
    and at the start also what would make a heading, a list item or a quote. Ordinary words and
    sentences come out as they are."""
    s = strip_controls(str(s), keep="\t").replace("\t", " ").strip()
    s = "".join("\\" + ch if ch in "\\`*_[]<>|~&#" else ch for ch in s)
    return _LEADING.sub(lambda mt: mt.group(0)[:-1] + "\\" + mt.group(0)[-1], s)


def lines(s: str, indent: str = "  ") -> str:
    """Typed text of several lines (a plan): each line literal (``text``), kept as a line break
    inside the list item it belongs to; empty lines are left out (they would end the item)."""
    out = [text(line) for line in strip_controls(str(s)).split("\n")]
    return ("\\\n" + indent).join(line for line in out if line)


def table(headers: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def render(m: Minutes) -> str:
    """The minutes as Markdown text."""
    md = text
    L: list[str] = [f"# {m.title}", ""]
    for note in m.notes:
        L += [f"**{note}**", ""]
    L += [f"- **{t('min.clinic')}:** {md(m.clinic)}", f"- **{t('min.unit')}:** {md(m.unit)}",
          f"- **{t('min.date')}:** {m.date.isoformat()}", f"- **{t('min.time')}:** {m.time}",
          f"- **{t('min.attendees')}:** " + ", ".join(f"{md(n)} ({md(r)})" if r else md(n) for n, r in m.attendees),
          f"- **{t('min.next')}:** {m.next_meeting}", ""]
    if m.closings:  # a reopened meeting: every closing, and why it was reopened
        L += [f"## {t('min.closings')}", ""]
        L += [f"- {c.text}" + (f": {plain(c.reason)}" if c.reason else "") for c in m.closings]
        L.append("")
    L += [f"## {t('min.todo')}", ""]
    if not m.todo:
        L += [t("min.no_todo"), ""]
    for owner, acts in m.todo.items():
        L += [f"### {md(owner)}", ""]
        # the action's dates in words: when it is due (late by how many days), which meeting decided it
        L += [f"- [ ] {t('col.case')} {a.case_no}: {md(a.kind)}{a.dates}" for a in acts]
        L.append("")
    L += [f"## {t('min.indicators')}", ""]
    L += [m.previous, "", table(m.indicator_headers, m.indicator_rows), ""]
    L += [" · ".join(f"{label}: {value}" for label, value in m.context), ""]
    if m.lower_bound_note:
        L += [f"*{m.lower_bound_note}*", ""]
    if m.measure_rows:  # the team's own measures, only when configured
        L += [f"## {t('min.measures')}", ""]
        L += [table(m.measure_headers, [[md(r[0]), *r[1:]] for r in m.measure_rows]), ""]
    if m.ideas:  # only when an idea changed since the last meeting
        L += [f"## {t('min.ideas')}", ""]
        if m.ideas_since:
            L += [m.ideas_since, ""]
        for i in m.ideas:
            L.append(f"- **{i.code}** {md(i.text) or '–'} — {i.status}"
                     + (f" ({t('min.idea_indicators')}: {i.indicators})" if i.indicators else ""))
            for c in i.cycles:
                L.append(f"  - {t('rep.cycle')} {c.dates}: {md(c.plan) or '–'}"
                         + (f" · {t('pdsa.owner')}: {md(c.owner)}" if c.owner else "")
                         + (f" · {t('pdsa.result')}: {md(c.result)}" if c.result else ""))
        L.append("")
    L += [f"## {t('min.cases')}", ""]
    if not m.cases:
        L += [t("min.no_cases"), ""]
    for cs in m.cases:
        L += [f"### {t('col.case')} {cs.case_no} — {md(cs.patient)}", ""]
        L += [f"- **{t('min.reasons')}:** {cs.reasons}",
              f"- **{t('col.length')}:** {cs.length} · **{t('col.degree')}:** {cs.degree} · "
              f"**{t('col.doctors')}:** {cs.doctors}",
              f"- **{t('dec.coordinator_status')}:** {cs.coordinator_status} · **{t('dec.rehab_plan')}:** "
              f"{cs.rehab_plan} · **{t('dec.assessor')}:** {cs.assessor}",
              f"- **{t('min.plan')}:** {lines(cs.plan) or '–'}"]
        if cs.actions:
            L.append(f"- **{t('min.actions')}:**")
            L += [f"  - {md(a.kind)} — {md(a.owner) or '–'}, {a.due} ({a.status_text})" for a in cs.actions]
        L.append("")
    L += [f"## {t('min.followups')}", ""]
    if not m.followups:
        L += [t("sum.no_actions"), ""]
    else:
        for status, label in (("done", "min.done"), ("open", "min.still_open"), ("dropped", "min.dropped")):
            acts = m.followups.get(status, [])
            L += [f"**{t(label)} ({len(acts)})**", ""]
            L += [f"- {t('col.case')} {a.case_no}: {md(a.kind)} — {md(a.owner) or '–'}{a.dates}"
                  for a in acts] or ["–"]
            L.append("")
    return "\n".join(L).rstrip() + "\n"
