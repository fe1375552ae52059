"""The summary: indicators now and at the last meeting, a run chart, actions, and closing."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Label, Static
from textual_plotext import PlotextPlot

from .. import clock
from ..core.indicators import INDICATOR_KEYS, sparkline
from ..core.plaintext import one_line
from ..core.text import median, pct
from ..i18n import counted, t
from ..services.errors import NotHeldYet
from ..services.meeting import SummaryData
from ..present import delta, followup_dates, previous_share_text, share_text, sick_share_lines, target_text
from ..widgets.screen_title import ScreenTitle
from ..widgets.footer import LessFooter
from .base import AppKeyRef, DataScreen, KeySpec, Translated
from .dialogs import ConfirmDialog


def delta_text(ind, brackets: bool = True) -> Text:
    """``↓ −7,4 p.e. (sämre)``: the arrow is the direction of the number, the word (and the colour) says
    whether that is better or worse for this indicator."""
    ch = delta(ind)
    if ch.value is None:
        return Text("–", justify="right")
    style = {"better": "bold green", "worse": "bold red"}.get(ch.verdict, "")
    text = ch.text() if brackets else f"{ch.text(word=False)} {ch.word}"
    return Text(text, style=style, justify="right")


TESTING_SHOWN = 3  # idea codes in an indicator's row; more are counted ("1.1, 1.2, 2.1 +2")


def testing_text(codes: list[str]) -> str:
    """The ideas being tested for one indicator, short enough for its row: ``1.2, 2.1`` or ``–``."""
    if not codes:
        return "–"
    more = len(codes) - TESTING_SHOWN
    return ", ".join(codes[:TESTING_SHOWN]) + (f" +{more}" if more > 0 else "")


class IndicatorTable(Translated, DataTable):
    KEYS = [KeySpec("home", "page_end(-1)", "key.first_row", "indicator_first_row", show=False),
            KeySpec("end", "page_end(1)", "key.last_row", "indicator_last_row", show=False),
            # four rows need no paging: PgUp/PgDn scroll the summary page (the actions below the chart)
            KeySpec("pagedown", "page(1)", "key.page", "summary_page_down", show=False),
            KeySpec("pageup", "page(-1)", "key.page", "summary_page_up", show=False)]

    def action_page_end(self, direction: int) -> None:
        """Home / End: the first / last indicator, and the summary page back to its top / on to its end
        (after PgDn the table's own cursor alone would move out of sight)."""
        self.move_cursor(row=0 if direction < 0 else self.row_count - 1, scroll=False)
        page = self.screen.query_one("#summary", VerticalScroll)
        if direction < 0:
            page.scroll_home(animate=False)
        else:
            page.scroll_end(animate=False)

    def action_page(self, direction: int) -> None:
        page = self.screen.query_one("#summary", VerticalScroll)
        if direction > 0:
            page.scroll_page_down()
        else:
            page.scroll_page_up()

    def __init__(self, **kw):
        super().__init__(cursor_type="row", **kw)
        self.translate_bindings()


class SummaryScreen(DataScreen):
    TITLE_KEY = "screen.summary"
    # what the indicator table's surroundings take of the terminal's width: its margins (2), its border (2),
    # the page's focus bar (1) and scrollbar (2), and a column to spare
    TABLE_CHROME = 8
    KEYS = [
        KeySpec("escape", "back", "key.back", "summary_back"),
        KeySpec("n", "next_indicator", "key.next_indicator", "next_indicator"),
        KeySpec("c", "close_meeting", "key.close_meeting", "close_meeting"),
        KeySpec("e", "export", "key.export", "export"),
        # the improvement work (not in the footer, which stays as it was; in the help and the palette)
        KeySpec("i", "improvement", "key.improvement", "improvement", show=False),
        KeySpec("v", "measures", "key.measures", "measures", show=False),
        AppKeyRef("help"),
        AppKeyRef("quit"),
    ]

    class Loaded(Message):
        def __init__(self, data: SummaryData):
            super().__init__()
            self.data = data

    def __init__(self):
        super().__init__()
        self.translate_bindings()
        self.data: SummaryData | None = None
        self.selected = 0
        self.measures: list = []  # the team's own measures at this meeting (config [[less.measures]])
        self.testing: dict[str, list[str]] = {}  # indicator key: ideas being tested for it
        self.rollout = None  # trained counts and the next supervision (None: nothing recorded)
        self.listed = 0  # the unit's listed patients (0: not known)
        self._close_asked = False  # closing was asked for before the figures were read (the palette, a fast c)

    def compose(self) -> ComposeResult:
        yield ScreenTitle(id="screen-title")
        with VerticalScroll(id="summary"):
            yield Static("", id="summary-head")
            yield Label(t("sum.indicators"), classes="section")
            yield IndicatorTable(id="indicators")
            yield Static("", id="testing")  # the ideas being tested, per indicator (only when there are any)
            yield Static("", id="rollout")  # trained counts and the next supervision (only once recorded)
            with Horizontal(id="chart-row"):
                yield PlotextPlot(id="chart")
                yield Static("", id="context")
            yield Static("", id="measures")  # the team's own measures (only when configured)
            yield Label(t("sum.actions_by_owner"), classes="section")
            yield Static("", id="by-owner")
            yield Label(t("sum.last_actions"), classes="section")
            yield Static("", id="last-actions")
        yield LessFooter()

    def on_mount(self) -> None:
        self.title = t(self.TITLE_KEY)
        self.query_one(IndicatorTable).focus()
        # projector mode on or off (p) changes the theme: redraw the chart in its colours
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.data is not None and self.render_chart())
        self.reload()

    @work(thread=True, exclusive=True, group="summary")
    def reload(self) -> None:
        app = self.less_app
        data = app.service.summary()
        from ..services.improvement import ImprovementService

        svc = ImprovementService(app.engine, app.cfg, app.service.unit_code)
        self.measures = svc.measures_at(app.service.date)
        self.testing = svc.testing_by_indicator()
        self.rollout = svc.roll_out()
        self.listed = svc.listed_patients()
        self.post_message(self.Loaded(data))

    def refresh_from_db(self) -> None:
        self.reload()

    def language_changed(self) -> None:
        super().language_changed()
        self.call_after_refresh(self.reload)

    def on_summary_screen_loaded(self, msg: Loaded) -> None:
        self.data = msg.data
        self.render_all()
        self.refresh_bindings()  # "c Stäng mötet" only while the meeting is open
        if self._close_asked:  # now it can be asked (the team sees what it freezes)
            self._close_asked = False
            self.action_close_meeting()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_meeting" and self.data is not None and self.data.meeting.closed:
            return False  # a closed meeting cannot be closed: the footer does not offer it
        return True

    def render_all(self) -> None:
        d = self.data
        m = d.meeting
        head = Text()
        head.append(f"{self.less_app.cfg.clinic_name} · {t('queue.meeting', date=m.date.isoformat())}", style="bold")
        head.append("  ·  " + (t("cli.previous", date=d.last_meeting.isoformat()) if d.last_meeting else t("cli.no_previous")))
        head.append("  ·  " + counted("sum.reviewed", d.reviewed))  # (the queue's ✔, the minutes' cases)
        if m.closed:
            head.append("  ·  " + t("sum.closed"), style="bold reverse")
        self.query_one("#summary-head", Static).update(head)
        table = self.query_one(IndicatorTable)
        heads, rows = self._indicator_rows(narrow=False)
        if heads is None:  # the whole labels do not fit beside a trend: the narrow layout
            heads, rows = self._indicator_rows(narrow=True)
        same_columns = [(c.key.value, c.label.plain) for c in table.columns.values()] == heads
        if not same_columns:
            table.clear(columns=True)
            for key, label in heads:
                table.add_column(label, key=key)
        keys = [i.key for i in d.indicators.indicators]
        if same_columns and [r.value for r in table.rows] == keys:
            # a reload (another session saved something): new values in place, so the table never
            # shows for a moment with its columns cleared and not yet measured
            for key, row in zip(keys, rows):
                for (col, _), cell in zip(heads, row):
                    table.update_cell(key, col, cell, update_width=True)
        else:
            table.clear()
            for key, row in zip(keys, rows):
                table.add_row(*row, key=key)
        table.move_cursor(row=self.selected)
        self.render_testing()
        self.render_chart()
        c = d.indicators.context
        ctx = Text()
        ctx.append(t("sum.context") + "\n", style="bold")
        items = [(t("ctx.ongoing_total"), c.ongoing_total), (t("ctx.population"), d.indicators.population)]
        items += [(t("ctx.chapter", ch=k), v) for k, v in c.chapters.items()]
        items += [(t("ctx.over_90"), c.over_90), (t("ctx.over_180"), c.over_180),
                  (t("ctx.three_plus"), c.three_plus_doctors),
                  (t("ctx.median"), median(c.median_length))]
        less = self.less_app.cfg.less
        items += sick_share_lines(c.ongoing_total, self.listed, less.region_sick_share, less.country_sick_share)
        for k, v in items:
            ctx.append(f"{k}: ", style="dim")
            ctx.append(f"{v}\n")
        if c.lower_bound:
            ctx.append(t("ctx.lower_bound"), style="italic")
        self.query_one("#context", Static).update(ctx)
        self.render_rollout()
        self.render_measures()
        by = Text()
        if not d.actions_by_owner:
            by.append(t("sum.no_actions"), style="dim")
        for owner, acts in sorted(d.actions_by_owner.items()):
            by.append(f"{one_line(owner)}\n", style="bold")
            for case_no, a in acts:
                due = t("fu.due", date=a.due.isoformat()) if a.due else "–"
                by.append(f"  {t('col.case')} {case_no}: {one_line(a.kind)} – {due} ({t('status.' + a.status)})\n")
        self.query_one("#by-owner", Static).update(by)
        self.query_one("#last-actions", Static).update(self.followup_renderable())

    def _indicator_rows(self, narrow: bool):
        """The indicator table's heads and rows. Wide: whole names, the change with its words in brackets
        and a trend of as many meetings as the width leaves (up to 13); (None, None) when that does not
        fit. Narrow (80 columns): short names, "last meeting" shortened, no trend (the run chart below
        shows the selected indicator's course)."""
        d = self.data
        cols = [("ind", "col.indicator"), ("now", "col.now"), ("prev", "col.previous_short" if narrow else "col.previous"),
                ("delta", "col.delta"), ("target", "col.target")] + ([] if narrow else [("trend", "col.trend")])
        heads = [(key, t(label)) for key, label in cols]
        rows = []
        for i in d.indicators.indicators:
            series = [v[i.key].share if i.key in v else None for _, v in d.history] + [i.share]
            label = t(f"ind.short.{i.key}") if narrow else t(f"ind.{i.key}")
            ok = i.on_target
            row = [
                Text(label, style="bold" if ok else ""),
                Text(f"{i.count}/{i.denominator} {share_text(i.count, i.denominator)}", justify="right",
                     style="green" if ok else ("red" if ok is False else "")),
                Text(previous_share_text(i), justify="right"),
                delta_text(i, brackets=not narrow),
                Text(target_text(i), justify="right"),
            ]
            rows.append((row, series))
        if not narrow:
            widths = [max([len(h) for _, h in heads[n:n + 1]] + [r[n].cell_len for r, _ in rows])
                      for n in range(len(heads) - 1)]
            room = self.app.size.width - self.TABLE_CHROME - sum(w + 2 for w in widths) - 2
            if room < len(heads[-1][1]):
                return None, None
            points = min(13, room)
            for row, series in rows:
                row.append(Text(sparkline(series[-points:]), style="cyan"))
        return heads, [row for row, _ in rows]

    def on_resize(self) -> None:
        if self.data is not None:
            self.render_all()

    def render_testing(self) -> None:
        """Directly under the indicator table: each indicator's ideas being tested, in the table's order
        and with its short name ("Idéer som testas: En läkare 1.1, 1.2 · Heltid 1.1"); hidden when none."""
        line = Text()
        if self.testing:
            line.append(t("sum.testing") + ": ", style="bold")
            parts = [(t(f"ind.short.{k}"), testing_text(self.testing[k])) for k in INDICATOR_KEYS if k in self.testing]
            for n, (label, codes) in enumerate(parts):
                if n:
                    line.append(" · ", style="dim")
                line.append(f"{label} ", style="dim")
                line.append(codes)
        widget = self.query_one("#testing", Static)
        widget.update(line)
        widget.display = bool(self.testing)

    def followup_renderable(self):
        """The follow-up (the same data as the minutes'): per status a heading with the count, and a
        line per action saying what its dates are; a long line wraps under its own text (a hanging
        indent), never back to the first column."""
        d = self.data
        if not d.last_actions:
            return Text(t("sum.no_actions"), style="dim")
        parts = []
        for status in ("done", "open", "dropped"):
            acts = d.last_actions.get(status, [])
            if not acts:
                continue
            parts.append(Text(f"{t('status.' + status)} ({len(acts)})", style="bold"))
            grid = Table.grid(expand=True)
            grid.add_column(width=4, no_wrap=True)  # "  • ": a wrapped line goes on under its text
            grid.add_column(ratio=1)
            for case_no, a in acts:
                line = Text(f"{t('col.case')} {case_no}: {one_line(a.kind)} – {one_line(a.owner) or '–'}")
                for text, overdue in followup_dates(a.due, a.status, a.meeting_date, d.meeting.date,
                                                    decided_as=a.decided_as):
                    line.append(text, style="bold red" if overdue else "")  # overdue in words and colour
                grid.add_row("  •", line)
            parts.append(grid)
        return Group(*parts)

    def render_chart(self) -> None:
        d = self.data
        key = INDICATOR_KEYS[self.selected]
        ind = d.indicators.by_key(key)
        dates = [dd for dd, _ in d.history] + [d.meeting.date]
        values = [(v[key].share if key in v and v[key].share is not None else float("nan")) for _, v in d.history]
        values.append(ind.share if ind.share is not None else float("nan"))
        chart = self.query_one(PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        plt.date_form("Y-m-d")
        xs = [x.isoformat() for x in dates]
        ys = [v * 100 for v in values]
        # Read from the back of the room: a thick line with a dot per meeting, the target as its own line,
        # and in projector mode colours that hold on a washed-out wall (the canvas follows the app theme).
        line, target_colour = ((255, 255, 0), (255, 95, 95)) if self.less_app.projector else ("cyan+", "red+")
        plt.plot(xs, [ind.target * 100] * len(xs), marker="━", label=t("col.target"), color=target_colour)
        plt.plot(xs, ys, marker="hd", label=t(f"ind.short.{key}"), color=line)
        plt.scatter(xs, ys, marker="●", color=line)
        plt.title(t("sum.chart", label=t(f"ind.short.{key}")))
        plt.ylim(0, 100)
        ticks = [0, 20, 40, 60, 80, 100]
        plt.yticks(ticks, [pct(y / 100) for y in ticks])
        plt.xticks([xs[0], xs[len(xs) // 2], xs[-1]] if len(xs) > 2 else xs)
        chart.refresh()

    @on(DataTable.RowHighlighted, "#indicators")
    def highlight(self, event: DataTable.RowHighlighted) -> None:
        if self.data is not None and event.cursor_row != self.selected and 0 <= event.cursor_row < 4:
            self.selected = event.cursor_row
            self.render_chart()

    def action_next_indicator(self) -> None:
        self.selected = (self.selected + 1) % len(INDICATOR_KEYS)
        self.query_one(IndicatorTable).move_cursor(row=self.selected)
        self.render_chart()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_close_meeting(self) -> None:
        if self.data is None:
            # the figures are being read (the palette's "Stäng mötet" opens this screen and closes at once):
            # the question comes when they are shown. It said "Mötet är stängt" and closed nothing.
            self._close_asked = True
            return
        if self.data.meeting.closed:
            self.notify(t("sum.closed"))
            return
        today = clock.today()
        if self.data.meeting.date > today:  # said at once, not after a question it then refuses
            self.notify(t("meeting.not_held", date=self.data.meeting.date.isoformat(), today=today.isoformat()),
                        severity="warning", markup=False)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.close_in_worker()

        self.app.push_screen(ConfirmDialog(t("sum.close_confirm", date=self.data.meeting.date.isoformat())), answer)

    @work(thread=True, group="close")
    def close_in_worker(self) -> None:
        try:
            self.less_app.service.close()
        except NotHeldYet as e:  # a meeting planned ahead: its figures would be those of a day not come
            self.app.call_from_thread(self.notify, t("meeting.not_held", date=e.date.isoformat(),
                                                     today=e.today.isoformat()), severity="warning", markup=False)
            return
        self.app.call_from_thread(self.notify, t("sum.closed"))
        self.app.call_from_thread(self.reload)

    def action_export(self) -> None:
        self.less_app.export_minutes()


    def action_improvement(self) -> None:
        self.less_app.show_improvement()

    def render_rollout(self) -> None:
        """Under the indicator table, the whole width (so never cut by the chart's height, and in view at
        80×24): the LESS roll-out, trained counts and the next supervision, overdue in words and red.
        Hidden until something of it is recorded."""
        from .. import clock
        from ..present import supervision_line

        widget = self.query_one("#rollout", Static)
        widget.display = self.rollout is not None
        if self.rollout is None:
            return
        line = Text()
        line.append(t("sum.rollout") + ": ", style="bold")
        late = self.rollout.overdue_days(clock.today())
        line.append(supervision_line(self.rollout, clock.today()), style="bold red" if late else "")
        widget.update(line)

    def render_measures(self) -> None:
        """Below the chart, the whole width: the team's own measures now, last meeting's and the target
        (only when configured; the summary is otherwise as it was)."""
        from ..core.improvement import measure_target, measure_value

        widget = self.query_one("#measures", Static)
        widget.display = bool(self.measures)
        if not self.measures:
            return
        text = Text()
        text.append(t("sum.measures") + "\n", style="bold")
        for m in self.measures:
            text.append(f"{one_line(m.name)}: ", style="dim")
            text.append(f"{measure_value(m.value, m.kind)} ({t('col.previous_short').lower()} "
                        f"{measure_value(m.previous, m.kind)}; {t('col.target').lower()} "
                        f"{measure_target(m.target, m.direction, m.kind, signed=True)})\n")
        widget.update(text)

    def action_measures(self) -> None:
        if not self.less_app.cfg.measures:
            self.notify(t("mea.none"), severity="warning")
            return
        if self.data is None or self.data.meeting.closed:
            self.notify(t("mea.frozen"), severity="warning")
            return
        from functools import partial

        from ..services.improvement import ImprovementService
        from .improvement import MeasuresDialog

        svc = ImprovementService(self.less_app.engine, self.less_app.cfg, self.less_app.service.unit_code)
        date = self.less_app.service.date

        def answer(typed) -> None:
            if typed:
                self.less_app.write(partial(svc.set_measures, date, typed), then=lambda n: self.reload())

        self.less_app.push_screen(MeasuresDialog(date, self.measures), answer)

