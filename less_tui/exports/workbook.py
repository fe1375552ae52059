"""The indicator workbook (Excel): one line per meeting with its indicators and a chart per
indicator, and a sheet of every action decided; written from plain data (``core.minutes.Workbook``)."""

from __future__ import annotations

from ..i18n import t
from ..core.minutes import Workbook

FORMULA_START = ("=", "+", "-", "@")


def write_text_safely(ws) -> None:
    """Cells whose text begins like a formula are stored as text (never evaluated by Excel)."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value[:1] in FORMULA_START:
                cell.data_type = "s"
                cell.quotePrefix = True




def _measures(wb, data: Workbook) -> None:
    """The team's own measures: one line per meeting (a count; a share's count, denominator and share),
    each with its target, and a chart per measure. An empty cell: no value entered at that meeting."""
    from openpyxl.chart import LineChart, Reference
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(t("min.measures")[:31])
    header: list[str] = [t("col.date"), t("col.status")]
    value_cols: list[int] = []  # per measure: the column charted (the count, or the share)
    for m in data.measures:
        if m.kind == "count":
            value_cols.append(len(header) + 1)
            header += [m.name, f"{m.name}: {t('col.target').lower()}"]
        else:
            value_cols.append(len(header) + 3)
            header += [f"{m.name}: {t('col.count').lower()}", f"{m.name}: {t('col.n')}",
                       f"{m.name}: {t('col.share').lower()}", f"{m.name}: {t('col.target').lower()}"]
    ws.append(header)
    for mt in data.meetings:
        line: list = [mt.date, mt.status]
        for m in data.measures:
            v = mt.measures.get(m.key)
            if m.kind == "count":
                line += [v[0] if v else None, m.target]
            else:
                line += [v[0] if v else None, v[1] if v else None, (v[0] / v[1] if v[1] else None) if v else None,
                         m.target]
        ws.append(line)
    write_text_safely(ws)
    n = len(data.meetings)
    for r in range(2, n + 2):
        ws.cell(r, 1).number_format = "yyyy-mm-dd"
        for m, col in zip(data.measures, value_cols):
            if m.kind == "share":
                ws.cell(r, col).number_format = "0%"
                ws.cell(r, col + 1).number_format = "0%"
    for c in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14 if c > 2 else 12
    ws.freeze_panes = "B2"
    for k, (m, col) in enumerate(zip(data.measures, value_cols)):
        ch = LineChart()
        ch.title = m.name
        if m.kind == "share":
            ch.y_axis.number_format = "0%"
            ch.y_axis.scaling.min, ch.y_axis.scaling.max = 0, 1
        ch.height, ch.width = 7, 16
        ch.add_data(Reference(ws, min_col=col, max_col=col + 1, min_row=1, max_row=n + 1), titles_from_data=True)
        ch.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
        if len(ch.series) > 1:
            ch.series[1].graphicalProperties.line.dashStyle = "dash"
            ch.series[1].graphicalProperties.line.solidFill = "C0392B"
        ws.add_chart(ch, f"{get_column_letter(len(header) + 2)}{1 + k * 15}")


def render(data: Workbook, path) -> None:
    """The indicator workbook, written to ``path`` (a file name or an open binary file)."""
    from openpyxl import Workbook as Book
    from openpyxl.chart import LineChart, Reference
    from openpyxl.utils import get_column_letter

    keys = data.keys
    wb = Book()
    ws = wb.active
    ws.title = t("min.sheet.indicators")
    header = [t("col.date"), t("col.status")]
    for key in keys:
        short = data.short[key]
        header += [f"{short} {t('col.count').lower()}", f"{short} {t('col.n')}", f"{short} {t('col.share').lower()}",
                   f"{short} {t('col.target').lower()}"]
    ws.append(header)
    for mt in data.meetings:
        line: list = [mt.date, mt.status]
        for key in keys:
            v = mt.values.get(key)
            # the exact share: Excel's "0.0%" rounds it once (54/94 shows 57.4%, not 57.5% from 0.5745)
            line += [v[0] if v else None, v[1] if v else None,
                     (v[0] / v[1] if v[1] else None) if v else None, data.targets[key]]
        ws.append(line)
    n = len(data.meetings)
    for r in range(2, n + 2):
        ws.cell(r, 1).number_format = "yyyy-mm-dd"
        for k in range(len(keys)):
            ws.cell(r, 3 + 4 * k + 2).number_format = "0.0%"
            ws.cell(r, 3 + 4 * k + 3).number_format = "0%"
    for c in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14 if c > 2 else 12
    ws.freeze_panes = "B2"
    if data.note:  # under the values (the charts are beside them)
        ws.cell(n + 3, 1, data.note)
    for k, key in enumerate(keys):
        ch = LineChart()
        ch.title = data.labels[key]
        ch.y_axis.title = t("col.share")
        ch.y_axis.number_format = "0%"
        ch.y_axis.scaling.min = 0
        ch.y_axis.scaling.max = 1
        ch.height, ch.width = 7, 16
        share_col = 3 + 4 * k + 2
        ch.add_data(Reference(ws, min_col=share_col, max_col=share_col + 1, min_row=1, max_row=n + 1),
                    titles_from_data=True)
        ch.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
        if len(ch.series) > 1:
            ch.series[1].graphicalProperties.line.dashStyle = "dash"
            ch.series[1].graphicalProperties.line.solidFill = "C0392B"
        ws.add_chart(ch, f"{get_column_letter(len(header) + 2)}{1 + k * 15}")
    if data.measures:
        _measures(wb, data)
    wa = wb.create_sheet(t("min.sheet.actions"))
    wa.append([t("col.meeting"), t("col.case"), t("col.kind"), t("col.owner"), t("col.due"), t("col.status")])
    for a in data.actions:
        wa.append([a.meeting, a.case_no, a.kind, a.owner, a.due, a.status])
    write_text_safely(wa)
    for r in range(2, len(data.actions) + 2):
        wa.cell(r, 1).number_format = "yyyy-mm-dd"
        wa.cell(r, 5).number_format = "yyyy-mm-dd"
    for c, w in zip("ABCDEF", (12, 8, 40, 24, 12, 12)):
        wa.column_dimensions[c].width = w
    wb.save(path if hasattr(path, "write") else str(path))
