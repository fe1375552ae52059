"""The year's improvement report (Markdown, Word, Excel) in the shape of the region's template: the
team, the problems and ideas, the indicator table (start value, target, each closed meeting's result,
source), what was tested and introduced, and run charts. No Textual here.

The report is made from counts frozen when meetings closed, the roster and the improvement work:
no patient is read, so no personnummer or patient name can appear in it."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Callable

from .. import clock
from ..core import improvement as imp_core
from ..core.plaintext import strip_controls
from ..i18n import counted, indicator_labels, t

FORMATS = ("md", "docx", "xlsx")


class ReportError(Exception):
    """A report that cannot be written as asked (one line for the user)."""


# ---------------------------------------------------------------- plain data shared by the formats

def _clean(s: str) -> str:
    """Typed text without control characters (Word's XML and Excel cannot hold them; a terminal would
    act on them); tabs and line ends kept."""
    return strip_controls(str(s))


def status_word(status: str) -> str:
    return t(f"idea.status.{status}")


def idea_head(i: imp_core.IdeaLine) -> str:
    return f"{i.code}: {_one_line(i.text)}"


def idea_tail(i: imp_core.IdeaLine) -> str:
    """``införd; indikatorer: En läkare, Heltid``."""
    short = {k: t(f"ind.short.{k}") for k in indicator_labels()}
    out = status_word(i.status)
    names = [short.get(k, k) for k in i.indicators]
    return out + (f"; {t('rep.idea_indicators', names=', '.join(names))}" if names else "")


def cycle_head(c: imp_core.CycleLine) -> str:
    dates = t("rep.cycle_dates", start=c.start.isoformat() if c.start else "…",
              end=c.end.isoformat() if c.end else "…")
    owner = f", {t('pdsa.owner').lower()} {_one_line(c.owner)}" if c.owner.strip() else ""
    return f"{t('rep.cycle')} {dates}{owner}"


def cycle_parts(c: imp_core.CycleLine) -> list[tuple[str, str]]:
    return [(t(f"pdsa.{k}"), getattr(c, k)) for k in ("plan", "do", "study", "act", "result")
            if getattr(c, k).strip()]


def year_heads() -> list[str]:
    """The template's columns: name, start value, its date, target, results, their dates, source."""
    return [t("rep.col.indicator"), t("rep.col.start"), t("rep.col.start_date"), t("rep.col.target"),
            t("rep.col.results"), t("rep.col.result_dates"), t("rep.col.source")]


def indicator_table(r: imp_core.Report) -> tuple[list[str], list[list[str]]]:
    """The template's table: name, start value, its date, target, results, their dates, source."""
    labels = indicator_labels()
    heads = year_heads()
    rows = []
    later = r.meetings[1:]
    for row in r.indicators:
        rows.append([labels[row.key], imp_core.whole_pct(row.start),
                     r.start_date.isoformat() if r.start_date else "–",
                     imp_core.target_text(row.target, row.direction, signed=True),
                     [imp_core.whole_pct(v) for v in row.values[1:]] or ["–"],
                     [d.isoformat() for d in later] or ["–"], t("rep.source")])
    return heads, rows


def measure_table(r: imp_core.Report) -> tuple[list[str], list[list]]:
    """The team's own measures in the same shape as the indicator table: the start value is the year's
    first meeting with a value (and its date), the results the later meetings with one; a measure never
    entered in the year says so."""
    heads = year_heads()
    rows: list[list] = []
    for m in r.measures:
        got = m.entered()
        if not got:
            rows.append([_one_line(m.name), t("rep.measure_never"), "–",
                         imp_core.measure_target(m.target, m.direction, m.kind, signed=True), ["–"], ["–"],
                         t("rep.measure_source")])
            continue
        (d0, v0), later = got[0], got[1:]
        rows.append([_one_line(m.name), imp_core.measure_value(v0, m.kind), d0.isoformat(),
                     imp_core.measure_target(m.target, m.direction, m.kind, signed=True),
                     [imp_core.measure_value(v, m.kind) for _, v in later] or ["–"],
                     [d.isoformat() for d, _ in later] or ["–"], t("rep.measure_source")])
    return heads, rows


def measure_line(m: imp_core.MeasureRow) -> str:
    """``30 %, 40 %, 50 % (mål 75 %)``: the values entered in the year; in words when none was."""
    if not m.entered():
        return t("rep.measure_never_line", target=imp_core.measure_target(m.target, m.direction, m.kind))
    return t("rep.series", series=m.series(), target=imp_core.measure_target(m.target, m.direction, m.kind))


def sick_lines(r: imp_core.Report) -> list[str]:
    """Per meeting the sick-listed share of listed patients, then the region's and country's figures."""
    from ..core.text import pct

    out = [t("rep.sick_line", date=x.date.isoformat(), share=pct(x.share, 1), ongoing=x.ongoing, listed=x.listed)
           for x in r.sick_shares]
    region, country = r.region_share, r.country_share
    if out and region and country:
        out.append(t("rep.compare", region=pct(region, 1), country=pct(country, 1)))
    elif out and region:
        out.append(t("rep.compare_region", region=pct(region, 1)))
    elif out and country:
        out.append(t("rep.compare_country", country=pct(country, 1)))
    return out


def series_line(row: imp_core.IndicatorRow) -> str:
    """``Andel …: 58 %, 58, 64, 58, 61, 60 (mål 80 %)``."""
    return t("rep.series", series=row.series(), target=imp_core.target_text(row.target, row.direction))


def per_meeting(r: imp_core.Report) -> tuple[list[str], list[list[str]]]:
    """One row per closed meeting: its date, the population and each indicator's count/N and share."""
    heads = [t("rep.col.meeting"), t("col.n")] + [t(f"ind.short.{row.key}") for row in r.indicators]
    rows = []
    for n, d in enumerate(r.meetings):
        vals = [row.values[n] for row in r.indicators]
        pop = next((v.denominator for v in vals if v is not None), 0)
        rows.append([d.isoformat(), str(pop)] + [
            "–" if v is None else f"{v.count}/{v.denominator} = {imp_core.whole_pct(v)}" for v in vals])
    return heads, rows


def trained_line(r: imp_core.Report) -> str:
    """``Utbildade i försäkringsmedicin vid årets slut: 2 läkare, 1 annan profession.``"""
    doctors, others = r.trained
    return t("rep.trained", doctors=counted("sup.doctors", doctors), others=counted("sup.others", others))


def training_table(r: imp_core.Report) -> tuple[list[str], list[list[str]]]:
    """Who took which training when, and their profession (a doctor or another, as the roster says)."""
    heads = [t("col.date"), t("rep.col.person"), t("rep.col.profession"), t("rep.col.course")]
    return heads, [[x.date.isoformat(), _one_line(x.person), t("rep.doctor" if x.doctor else "rep.other_profession"),
                    _one_line(x.course)] for x in r.trainings]


def supervision_table(r: imp_core.Report) -> tuple[list[str], list[list[str]]]:
    """The year's supervision sessions: date, length in minutes, who led it, how many came."""
    heads = [t("col.date"), t("sup.col.minutes"), t("sup.col.leader"), t("rep.col.attendee_count")]
    return heads, [[x.date.isoformat(), str(x.minutes), _one_line(x.leader), str(x.attendees)]
                   for x in r.supervisions]


def imports_line(r: imp_core.Report) -> str:
    line = t("rep.imports", dates=", ".join(d.isoformat() for d in r.imports)) if r.imports else t("rep.no_imports")
    if r.lower_bound:  # (the one-doctor share is then at most what it says)
        line += " " + t("ctx.lower_bound") + "."
    return line


# ---------------------------------------------------------------- Markdown

_MD_LEADING = re.compile(r"^([#>+=-]|[0-9]+[.)])")


def _one_line(s: object) -> str:
    return " ".join(_clean(str(s)).split())


def md_text(s: object) -> str:
    """Typed text as literal Markdown on one line: what can start markup is escaped."""
    s = _one_line(s)
    s = "".join("\\" + ch if ch in "\\`*_[]<>|~&#" else ch for ch in s)
    return _MD_LEADING.sub(lambda mt: mt.group(0)[:-1] + "\\" + mt.group(0)[-1], s)


def _md_table(heads: list[str], rows: list[list[object]]) -> str:
    def cell(c: object) -> str:
        return md_text(", ".join(c) if isinstance(c, list) else c)

    out = ["| " + " | ".join(cell(h) for h in heads) + " |", "|" + "---|" * len(heads)]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def render_md(r: imp_core.Report) -> str:
    labels = indicator_labels()
    out = [f"# {md_text(t('rep.title', year=r.year, clinic=r.clinic))}", ""]
    if r.demo:
        out += [f"**{t('min.demo')}**", ""]
    out += [f"**{t('rep.unit')}:** {md_text(r.unit)}  ", md_text(t("rep.made", date=clock.today().isoformat())), ""]
    out += [f"## {t('rep.team')}", ""]
    out += [f"- {md_text(name)}" + (f" — {md_text(role)}" if role else "") for name, role in r.team] or [t("rep.no_team")]
    out += ["", f"## {t('rep.problems')}", ""]
    if not r.problems:
        out.append(t("rep.no_problems"))
    for p in r.problems:
        out += [f"### {p.number}: {md_text(p.text)}", ""]
        out += [f"- **{i.code}** {md_text(i.text)} ({md_text(idea_tail(i))})" for i in p.ideas]
        out.append("")
    out += [f"## {t('rep.indicators')}", ""]
    heads, rows = indicator_table(r)
    out += [_md_table(heads, rows), ""]
    out += [f"- {md_text(labels[row.key])}: {md_text(series_line(row))}" for row in r.indicators]
    out += ["", imports_line(r), "", f"### {t('rep.per_meeting')}", ""]
    heads, rows = per_meeting(r)
    out += [_md_table(heads, rows), ""]
    if r.measures:
        out += [f"### {t('rep.measures')}", ""]
        heads, rows = measure_table(r)
        out += [_md_table(heads, rows), ""]
        out += [f"- {md_text(m.name)}: {md_text(measure_line(m))}" for m in r.measures]
        out.append("")
    if r.sick_shares:
        out += [f"### {t('rep.sick_share')}", ""]
        lines = sick_lines(r)
        out += [f"- {md_text(x)}" for x in lines[:len(r.sick_shares)]] + [""] + [md_text(x) for x in lines[len(r.sick_shares):]]
        out.append("")
    out += [f"## {t('rep.tested')}", ""]
    tested = r.tested()
    if not tested:
        out += [t("rep.none_tested"), ""]
    for i in tested:
        out += [f"### {i.code}: {md_text(i.text)} ({md_text(status_word(i.status))})", ""]
        if not i.cycles:
            out.append(t("rep.no_cycles"))
        for c in i.cycles:
            out.append(f"- **{md_text(cycle_head(c))}**")
            out += [f"  - {md_text(k)}: {md_text(v)}" for k, v in cycle_parts(c)]
        out.append("")
    out += [f"## {t('rep.training')}", "", md_text(trained_line(r)), ""]
    if r.trainings:
        out += [_md_table(*training_table(r)), ""]
    else:
        out += [t("rep.no_trainings"), ""]
    out += [f"### {t('rep.supervisions', year=r.year)}", ""]
    out += [_md_table(*supervision_table(r)) if r.supervisions else t("rep.no_supervisions"), ""]
    out += [f"## {t('rep.charts')}", ""]
    from ..core.indicators import sparkline

    for row in r.indicators:
        out.append(f"- {md_text(labels[row.key])}: `{sparkline(row.shares())}` "
                   f"({md_text(imp_core.whole_pct(row.start))} → {md_text(imp_core.whole_pct(row.values[-1]))}, "
                   f"{md_text(t('rep.chart_target').lower())} {md_text(imp_core.target_text(row.target, row.direction))})")
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------- charts

def run_chart(r: imp_core.Report, row: "imp_core.IndicatorRow | imp_core.MeasureRow") -> bytes:
    """A run chart of one indicator (or measure) over the year's meetings with its target line (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    import matplotlib.ticker as mticker

    counted = isinstance(row, imp_core.MeasureRow) and row.kind == "count"
    if counted:
        ys = [float("nan") if v is None else float(v.count) for v in row.values]
        target = row.target
    else:
        ys = [float("nan") if s is None else s * 100 for s in row.shares()]
        target = row.target * 100
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ax.plot(r.meetings, ys, marker="o", color="#1f5fa8")
    ax.axhline(target, color="#c0392b", linestyle="--", linewidth=1, label=t("rep.chart_target"))
    title = _one_line(row.name) if isinstance(row, imp_core.MeasureRow) else indicator_labels()[row.key]
    ax.set_title(title, fontsize=10)
    if counted:
        top = max([y for y in ys if y == y] + [target])
        ax.set_ylim(0, top * 1.15 + 1)
    else:
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(mticker.PercentFormatter())
    pad = dt.timedelta(days=15)
    ax.set_xlim(min(r.meetings) - pad, max(r.meetings) + pad)
    ax.xaxis.set_major_locator(mticker.FixedLocator([mdates.date2num(d) for d in r.meetings]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    ax.tick_params(labelsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    return buf.getvalue()


# ---------------------------------------------------------------- Word

def _docx_table(doc, heads: list[str], rows: list[list], font=None) -> None:
    """A grid table: the heads, then a row per row (a cell given as a list: one line per item); ``font``:
    the size of every cell's text (else the document's)."""
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    for cell, h in zip(table.rows[0].cells, heads):
        cell.text = h
    for row in rows:
        for cell, v in zip(table.add_row().cells, row):
            cell.text = "\n".join(v) if isinstance(v, list) else v
    if font is not None:
        for trow in table.rows:
            for cell in trow.cells:
                for par in cell.paragraphs:
                    for run in par.runs:
                        run.font.size = font


def render_docx(r: imp_core.Report, path) -> None:
    from docx import Document
    from docx.shared import Cm, Pt

    labels = indicator_labels()
    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10)
    doc.add_heading(_clean(t("rep.title", year=r.year, clinic=r.clinic)), level=0)
    if r.demo:
        doc.add_paragraph().add_run(t("min.demo")).bold = True
    p = doc.add_paragraph()
    p.add_run(f"{t('rep.unit')}: ").bold = True
    p.add_run(_one_line(r.unit))
    doc.add_paragraph(t("rep.made", date=clock.today().isoformat()))
    doc.add_heading(t("rep.team"), level=1)
    if not r.team:
        doc.add_paragraph(t("rep.no_team"))
    for name, role in r.team:
        doc.add_paragraph(_one_line(name) + (f" — {_one_line(role)}" if role else ""), style="List Bullet")
    doc.add_heading(t("rep.problems"), level=1)
    if not r.problems:
        doc.add_paragraph(t("rep.no_problems"))
    for pr in r.problems:
        doc.add_heading(f"{pr.number}: {_one_line(pr.text)}", level=2)
        for i in pr.ideas:
            par = doc.add_paragraph(style="List Bullet")
            par.add_run(f"{i.code} ").bold = True
            par.add_run(f"{_one_line(i.text)} ({idea_tail(i)})")
    doc.add_heading(t("rep.indicators"), level=1)
    _docx_table(doc, *indicator_table(r), font=Pt(8))
    for row in r.indicators:
        doc.add_paragraph(f"{labels[row.key]}: {series_line(row)}", style="List Bullet")
    doc.add_paragraph(imports_line(r))
    doc.add_heading(t("rep.per_meeting"), level=2)
    _docx_table(doc, *per_meeting(r))
    if r.measures:
        doc.add_heading(t("rep.measures"), level=2)
        _docx_table(doc, *measure_table(r))
        for m in r.measures:
            doc.add_paragraph(f"{_one_line(m.name)}: {measure_line(m)}", style="List Bullet")
    if r.sick_shares:
        doc.add_heading(t("rep.sick_share"), level=2)
        lines = sick_lines(r)
        for x in lines[:len(r.sick_shares)]:
            doc.add_paragraph(x, style="List Bullet")
        for x in lines[len(r.sick_shares):]:
            doc.add_paragraph(x)
    doc.add_heading(t("rep.tested"), level=1)
    tested = r.tested()
    if not tested:
        doc.add_paragraph(t("rep.none_tested"))
    for i in tested:
        doc.add_heading(f"{idea_head(i)} ({status_word(i.status)})", level=2)
        if not i.cycles:
            doc.add_paragraph(t("rep.no_cycles"))
        for c in i.cycles:
            doc.add_paragraph().add_run(cycle_head(c)).bold = True
            for k, v in cycle_parts(c):
                par = doc.add_paragraph(style="List Bullet")
                par.add_run(f"{k}: ").bold = True
                par.add_run(_clean(v))
    doc.add_heading(t("rep.training"), level=1)
    doc.add_paragraph(trained_line(r))
    if r.trainings:
        _docx_table(doc, *training_table(r))
    else:
        doc.add_paragraph(t("rep.no_trainings"))
    doc.add_heading(t("rep.supervisions", year=r.year), level=2)
    if r.supervisions:
        _docx_table(doc, *supervision_table(r))
    else:
        doc.add_paragraph(t("rep.no_supervisions"))
    doc.add_heading(t("rep.charts"), level=1)
    for row in [*r.indicators, *r.measures]:
        doc.add_picture(io.BytesIO(run_chart(r, row)), width=Cm(15.5))
    doc.save(path if hasattr(path, "write") else str(path))


# ---------------------------------------------------------------- Excel

def render_xlsx(r: imp_core.Report, path) -> None:
    """A workbook: the values per meeting (shares as numbers, with each indicator's target beside it)
    with a line chart per indicator, and the ideas with their cycles."""
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference

    labels = indicator_labels()
    wb = Workbook()
    ws = wb.active
    ws.title = t("rep.indicators")[:31]
    ws.append([t("rep.col.meeting"), t("col.n")] + [x for row in r.indicators
                                                     for x in (labels[row.key], f"{t('rep.col.target')}: {t(f'ind.short.{row.key}')}")])
    for n, d in enumerate(r.meetings):
        vals = [row.values[n] for row in r.indicators]
        pop = next((v.denominator for v in vals if v is not None), 0)
        line: list[object] = [d, pop]
        for row, v in zip(r.indicators, vals):
            line += [None if v is None or v.share is None else v.share, row.target]
        ws.append(line)
    for col in ws.iter_cols(min_row=2, min_col=3):
        for cell in col:
            cell.number_format = "0%"
    for cell in ws["A"][1:]:
        cell.number_format = "yyyy-mm-dd"
    last = len(r.meetings) + 1
    if r.lower_bound:  # under the values, above the charts
        ws.cell(last + 2, 1, t("ctx.lower_bound"))
    for k, row in enumerate(r.indicators):
        ch = LineChart()
        ch.title = labels[row.key]
        ch.y_axis.number_format = "0%"
        ch.y_axis.scaling.min, ch.y_axis.scaling.max = 0, 1
        col = 3 + 2 * k
        ch.add_data(Reference(ws, min_col=col, max_col=col + 1, min_row=1, max_row=last), titles_from_data=True)
        ch.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
        ch.height, ch.width = 7, 14
        ws.add_chart(ch, f"A{last + 3 + 15 * k}")
    if r.measures:
        ms = wb.create_sheet(t("rep.measures")[:31])
        ms.append([t("rep.col.meeting")] + [x for m in r.measures
                                            for x in (_one_line(m.name), f"{t('rep.col.target')}: {_one_line(m.name)}")])
        for n, d in enumerate(r.meetings):
            line = [d]
            for m in r.measures:
                v = m.values[n]
                if m.kind == "count":
                    line += [None if v is None else v.count, m.target]
                else:
                    line += [None if v is None or not v.denominator else v.share, m.target]
            ms.append(line)
        for cell in ms["A"][1:]:
            cell.number_format = "yyyy-mm-dd"
        for k, m in enumerate(r.measures):
            if m.kind == "share":
                for col in ms.iter_cols(min_row=2, min_col=2 + 2 * k, max_col=3 + 2 * k):
                    for cell in col:
                        cell.number_format = "0%"
            ch = LineChart()
            ch.title = _one_line(m.name)
            col = 2 + 2 * k
            ch.add_data(Reference(ms, min_col=col, max_col=col + 1, min_row=1, max_row=last), titles_from_data=True)
            ch.set_categories(Reference(ms, min_col=1, min_row=2, max_row=last))
            ch.height, ch.width = 7, 14
            ms.add_chart(ch, f"A{last + 3 + 15 * k}")
    ideas = wb.create_sheet(t("rep.problems")[:31])
    ideas.append(["#", t("rep.problems"), t("col.status"), t("rep.cycle"),
                  t("pdsa.plan"), t("pdsa.do"), t("pdsa.study"), t("pdsa.act"), t("pdsa.result")])
    for p in r.problems:
        ideas.append([str(p.number), _clean(p.text)])
        for i in p.ideas:
            ideas.append([i.code, _clean(i.text), idea_tail(i)])
            for c in i.cycles:
                ideas.append(["", "", "", cycle_head(c)] + [_clean(getattr(c, k)) for k in
                                                             ("plan", "do", "study", "act", "result")])
    people = wb.create_sheet(t("rep.training")[:31])
    people.append([trained_line(r)])
    people.append([])
    heads, rows = training_table(r)
    people.append(heads)
    for row in rows:
        people.append(row)
    people.append([])
    people.append([t("rep.supervisions", year=r.year)])
    heads, rows = supervision_table(r)
    people.append(heads)
    for x in r.supervisions:  # the length and the count as numbers
        people.append([x.date, x.minutes, _one_line(x.leader), x.attendees])
    for trow in people.iter_rows():
        for cell in trow:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for sheet in wb.worksheets:
        for trow in sheet.iter_rows():
            for cell in trow:  # typed text that begins like a formula stays text
                if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    wb.save(path if hasattr(path, "write") else str(path))


# ---------------------------------------------------------------- writing

def file_name(unit: str, year: int, fmt: str, demo: bool = False) -> str:
    """``forbattringsarbete-UNIT-2023.md`` (``improvement-report-…`` in English, ``demo-…`` from the demo)."""
    from ..safefile import safe_name

    return f"{'demo-' if demo else ''}{t('rep.file_stem')}-{safe_name(unit)}-{year}.{fmt}"


def write(r: imp_core.Report, fmt: str, path: Path, group: str = "") -> Path:
    """Write the report whole into a new file beside ``path`` and rename it over it (``safefile``)."""
    from ..safefile import check_target, group_id, write_file

    if fmt not in FORMATS:
        raise ReportError(t("rep.bad_format", value=repr(fmt), choices=", ".join(FORMATS)))
    check_target(path)
    render: Callable
    if fmt == "md":
        render = lambda f: f.write(render_md(r).encode("utf-8"))  # noqa: E731
    elif fmt == "docx":
        render = lambda f: render_docx(r, f)  # noqa: E731
    else:
        render = lambda f: render_xlsx(r, f)  # noqa: E731
    return write_file(path, render, mode=0o660 if group else 0o600, gid=group_id(group) if group else None)


__all__ = ["FORMATS", "ReportError", "render_md", "render_docx", "render_xlsx", "run_chart", "write", "file_name"]
