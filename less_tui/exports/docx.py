"""The minutes as a Word file (A4, the document's language, an indicator table whose figures stay on
one line, the run chart), laid out from the minutes model."""

from __future__ import annotations

import io

from ..i18n import t
from .chart import chart
from ..core.minutes import Minutes

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

    from ..i18n import language

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




def _table_font(table, pt: float) -> None:
    from docx.shared import Pt

    for row in table.rows:
        for cell in row.cells:
            for par in cell.paragraphs:
                for run in par.runs:
                    run.font.size = Pt(pt)


def render(m: Minutes, path) -> None:
    """The minutes as a Word file, written to ``path`` (a file name or an open binary file)."""
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    width_cm = _paper(doc)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(FONT_PT)
    doc.styles["Title"].font.size = Pt(20)  # the title and its date on one line
    doc.add_heading(m.title, level=0)
    for note in m.notes:
        doc.add_paragraph().add_run(note).bold = True
    for label, value in ((t("min.clinic"), m.clinic), (t("min.unit"), m.unit), (t("min.date"), m.date.isoformat()),
                         (t("min.time"), m.time),
                         (t("min.attendees"), ", ".join(f"{n} ({r})" if r else n for n, r in m.attendees)),
                         (t("min.next"), m.next_meeting)):
        p = doc.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(value)
    if m.closings:
        doc.add_heading(t("min.closings"), level=1)
        for c in m.closings:
            doc.add_paragraph(c.text + (f": {c.reason}" if c.reason else ""), style="List Bullet")
    doc.add_heading(t("min.todo"), level=1)
    if not m.todo:
        doc.add_paragraph(t("min.no_todo"))
    for owner, acts in m.todo.items():
        doc.add_heading(owner, level=2)
        for a in acts:
            doc.add_paragraph(f"{t('col.case')} {a.case_no}: {a.kind}{a.dates}", style="List Bullet")
    doc.add_heading(t("min.indicators"), level=1)
    if m.previous:  # what the change is against ("jämfört med mötet 2026-10-23"), as in the other formats
        doc.add_paragraph(m.previous)
    heads = m.indicator_headers[:-1]  # no trend column: the chart follows
    rows = [r[:-1] for r in m.indicator_rows]
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Light Grid Accent 1"
    for cell, h in zip(table.rows[0].cells, heads):
        cell.text = h
    for r in rows:
        for cell, v in zip(table.add_row().cells, r):
            cell.text = v
    _table_font(table, TABLE_PT)
    _set_column_widths(table, column_widths(heads, rows, width_cm, TABLE_PT))
    _keep_together(table)
    if m.context:
        doc.add_paragraph(" · ".join(f"{label}: {value}" for label, value in m.context))
    if m.lower_bound_note:
        doc.add_paragraph().add_run(m.lower_bound_note).italic = True
    doc.add_picture(io.BytesIO(chart(m, "png")), width=Cm(min(16.0, width_cm)))
    if m.measure_rows:  # the team's own measures, only when configured
        doc.add_heading(t("min.measures"), level=1)
        mt = doc.add_table(rows=1, cols=len(m.measure_headers))
        mt.style = "Light Grid Accent 1"
        for cell, h in zip(mt.rows[0].cells, m.measure_headers):
            cell.text = h
        for r in m.measure_rows:
            for cell, v in zip(mt.add_row().cells, r):
                cell.text = v
        _table_font(mt, TABLE_PT)
        _set_column_widths(mt, column_widths(m.measure_headers, m.measure_rows, width_cm, TABLE_PT))
        _keep_together(mt)
    if m.ideas:  # only when an idea changed since the last meeting
        doc.add_heading(t("min.ideas"), level=1)
        if m.ideas_since:
            doc.add_paragraph(m.ideas_since)
        for i in m.ideas:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(i.code).bold = True
            p.add_run(f" {i.text or '–'} — {i.status}"
                      + (f" ({t('min.idea_indicators')}: {i.indicators})" if i.indicators else ""))
            for c in i.cycles:
                doc.add_paragraph(f"{t('rep.cycle')} {c.dates}: {c.plan or '–'}"
                                  + (f" · {t('pdsa.owner')}: {c.owner}" if c.owner else "")
                                  + (f" · {t('pdsa.result')}: {c.result}" if c.result else ""),
                                  style="List Bullet 2")
    doc.add_heading(t("min.cases"), level=1)
    if not m.cases:
        doc.add_paragraph(t("min.no_cases"))
    for cs in m.cases:
        doc.add_heading(f"{t('col.case')} {cs.case_no} — {cs.patient}", level=2)
        lines = [[(t("min.reasons"), cs.reasons)],
                 [(t("col.length"), cs.length), (t("col.degree"), cs.degree), (t("col.doctors"), cs.doctors)],
                 [(t("dec.coordinator_status"), cs.coordinator_status), (t("dec.rehab_plan"), cs.rehab_plan),
                  (t("dec.assessor"), cs.assessor)],
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
            doc.add_paragraph(f"{a.kind} — {a.owner or '–'}, {a.due} ({a.status_text})", style="List Bullet")
    doc.add_heading(t("min.followups"), level=1)
    if not m.followups:
        doc.add_paragraph(t("sum.no_actions"))
    else:
        for status, label in (("done", "min.done"), ("open", "min.still_open"), ("dropped", "min.dropped")):
            acts = m.followups.get(status, [])
            doc.add_heading(f"{t(label)} ({len(acts)})", level=2)
            for a in acts:
                doc.add_paragraph(f"{t('col.case')} {a.case_no}: {a.kind} — {a.owner or '–'}{a.dates}",
                                  style="List Bullet")
    doc.save(path if hasattr(path, "write") else str(path))
