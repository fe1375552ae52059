"""The run chart of the four indicators (matplotlib, no display), for the HTML and Word minutes."""

from __future__ import annotations

import datetime as dt
import io

from ..i18n import t
from ..core.minutes import Minutes


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

    dates = m.chart_dates
    fig, axes = plt.subplots(2, 2, figsize=(9, 5.2), sharex=True)
    for ax, series in zip(axes.flat, m.chart):
        ys = [None if v is None else v * 100 for v in series.shares]
        ax.plot(dates, [float("nan") if y is None else y for y in ys], marker="o", color="#1f5fa8")
        ax.axhline(series.target * 100, color="#c0392b", linestyle="--", linewidth=1, label=t("col.target"))
        ax.set_title(series.label, fontsize=9)
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
