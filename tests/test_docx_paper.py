"""The Word minutes on paper: A4, the document's language, 2 cm margins, indicator table columns that
fit the page with no word broken, and a chart whose time axis spans the meetings shown."""

import datetime as dt

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from less_tui.exports import chart as chart_mod
from less_tui.exports import docx as docx_writer
from less_tui.services.minutes import gather
from less_tui.i18n import set_language

MEETING = dt.date(2026, 10, 23)


@pytest.fixture(params=[("sv", "sv-SE"), ("en", "en-GB")], ids=["sv", "en"])
def minutes(request, demo_engine, cfg, tmp_path):
    lang, tag = request.param
    set_language(lang)
    m = gather(demo_engine, cfg, MEETING)
    path = tmp_path / "m.docx"
    docx_writer.render(m, path)
    return Document(str(path)), m, tag


def test_a4_with_margins_and_language(minutes):
    doc, _, tag = minutes
    for s in doc.sections:
        assert abs(s.page_width - Cm(21.0)) < Cm(0.05) and abs(s.page_height - Cm(29.7)) < Cm(0.05)
        for margin in (s.left_margin, s.right_margin, s.top_margin, s.bottom_margin):
            assert Cm(1.9) <= margin <= Cm(2.6)
    assert doc.core_properties.language == tag
    styles = doc.styles.element
    default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert default.get(qn("w:val")) == tag
    assert {el.get(qn("w:val")) for el in styles.iter(qn("w:lang"))} == {tag}  # no style keeps en-US


def test_indicator_table_columns_fit_the_page_and_their_words(minutes):
    doc, m, _ = minutes
    s = doc.sections[0]
    usable = s.page_width - s.left_margin - s.right_margin
    table = doc.tables[0]
    widths = [c.width for c in table.columns]
    assert len(widths) == 7 and all(w for w in widths)
    assert sum(widths) <= usable + Cm(0.02)
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    for row in table.rows:  # Word reads the cells' widths, LibreOffice the grid's: the same
        assert [c.width for c in row.cells] == widths
    heads = m.indicator_headers[:-1]
    for k, col in enumerate(table.columns):
        texts = [c.text for c in col.cells]
        assert texts[0] == heads[k]
        longest = max(docx_writer._text_cm(w, docx_writer.TABLE_PT, bold=True) for t in texts for w in t.split())
        assert col.width.cm >= longest + 0.38, (heads[k], col.width.cm, longest)  # 2 x 0.19 cm cell margins
    # the figures (count, shares, change, target) stay on one line
    for k in range(1, 6):
        longest = max(docx_writer._text_cm(c.text, docx_writer.TABLE_PT) for c in table.columns[k].cells[1:])
        assert table.columns[k].width.cm >= longest + 0.38, heads[k]


def _chart_axes(m, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs = []
    real_close = plt.close
    monkeypatch.setattr(plt, "close", lambda fig=None: figs.append(fig))
    chart_mod.chart(m, "png")
    monkeypatch.setattr(plt, "close", real_close)
    ax = figs[0].axes[0]
    return ax, figs[0]


def test_chart_time_axis_spans_the_meetings_shown(demo_engine, cfg, monkeypatch):
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    m = gather(demo_engine, cfg, MEETING)
    dates = m.chart_dates
    assert len(dates) > 1 and dates[-1] == m.date
    ax, fig = _chart_axes(m, monkeypatch)
    lo, hi = ax.get_xlim()
    assert mdates.date2num(dates[0]) - 31 <= lo < mdates.date2num(dates[0])
    assert mdates.date2num(dates[-1]) < hi <= mdates.date2num(dates[-1]) + 31
    assert list(ax.get_xticks()) == [mdates.date2num(d) for d in dates]
    plt.close(fig)
    # one meeting: one point in the middle of a month-wide axis, not years of empty axis
    m.chart_dates = [m.date]
    for series in m.chart:
        series.shares = series.shares[-1:]
    ax, fig = _chart_axes(m, monkeypatch)
    lo, hi = ax.get_xlim()
    assert hi - lo <= 31 and lo < mdates.date2num(m.date) < hi
    assert list(ax.get_xticks()) == [mdates.date2num(m.date)]
    assert len(ax.lines[0].get_xdata()) == 1
    plt.close(fig)
