"""The case queue: the ranked cases of the meeting's date."""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from ..core.episodes import CONTACT_STATUSES
from ..core.plaintext import one_line
from ..core.queue import REASONS
from ..i18n import language, t
from ..services.meeting import CaseRow, QueueData
from ..present import coordinator_status_text, doctors_text, reason_labels, reason_word
from ..widgets.meeting_header import MeetingHeader
from ..widgets.plain import plain
from ..widgets.screen_title import ScreenTitle
from ..widgets.footer import LessFooter
from ..services.errors import is_db_error
from .base import AppKeyRef, DataScreen, KeySpec, Translated, db_trouble, retry_delay

# (id, header key, width, priority: higher stays longer when the terminal is narrow)
COLUMNS = [
    ("case", "col.case", 6, 100), ("decided", "col.decided", 4, 98), ("patient", "col.patient", 10, 96),
    ("age", "col.age", 5, 50), ("diagnosis", "col.diagnosis", 9, 90), ("day", "col.day", 7, 88),
    ("degree", "col.degree", 6, 84), ("doctors", "col.doctors", 6, 86), ("coordinator", "col.coordinator", 11, 60),
    ("reasons", "col.reasons", 20, 92),
]
COORDINATOR_WIDTH = next(c[2] for c in COLUMNS if c[0] == "coordinator")
PROJECTOR_HIDE = {"age", "coordinator"}
SORTS = ["rank", "case", "length", "doctors", "degree", "diagnosis"]
# the column a sort orders by, marked in its header (ranking is by the reasons' weights)
SORT_COLUMN = {"rank": ("reasons", "▼"), "case": ("case", "▲"), "length": ("day", "▼"), "doctors": ("doctors", "▼"),
               "degree": ("degree", "▼"), "diagnosis": ("diagnosis", "▲")}


class CaseTable(Translated, DataTable):
    KEYS = [KeySpec("enter", "select_cursor", "key.open", "open"),
            KeySpec("home", "scroll_top", "key.first_row", "queue_first_row", show=False),
            KeySpec("end", "scroll_bottom", "key.last_row", "queue_last_row", show=False)]

    def __init__(self, **kw):
        super().__init__(cursor_type="row", zebra_stripes=True, **kw)
        self.translate_bindings()


class QueueScreen(DataScreen):
    TITLE_KEY = "screen.queue"
    KEYS = [
        AppKeyRef("help"),  # first: every other key is in the help, whatever the footer's width leaves out
        KeySpec("s", "summary", "key.summary", "summary"),
        AppKeyRef("mask"),
        KeySpec("slash", "filter", "key.filter", "filter"),
        KeySpec("r", "reason", "key.reason", "reason"),
        KeySpec("o", "sort", "key.sort", "sort"),
        KeySpec("a", "show_all", "key.show_all", "show_all"),
        KeySpec("l", "meetings", "key.meetings", "meetings"),
        AppKeyRef("projector"),
        AppKeyRef("follow"),
        AppKeyRef("quit"),
        KeySpec("escape", "clear_filter", "key.back", "clear_filter", show=False),
    ]

    class Loaded(Message):
        def __init__(self, data: QueueData, recovered: list[int] | None = None):
            super().__init__()
            self.data = data
            self.recovered = recovered or []  # cases with plan text kept at an exit (``recovery``)

    class Decided(Message):
        """Something was decided on this case in this session (its ✔)."""

        def __init__(self, case_no: int):
            super().__init__()
            self.case_no = case_no

    class LoadFailed(Message):
        """The database did not answer (locked, full, gone): say so, try again."""

        def __init__(self, error: BaseException):
            super().__init__()
            self.error = error

    def __init__(self):
        super().__init__()
        self.translate_bindings()
        self.data: QueueData | None = None
        self.filter_text = ""
        self.reason_filter: str | None = None
        self.sort_key = "rank"
        self.shown_rows: list[CaseRow] = []
        self.show_all = False  # every qualifying case, not only the first queue.max_cases
        self._told_recovery = False
        self._stale = False  # shown as it was: drawn again when shown (masking, projector, a ✔ changed)
        self._drawn_from: tuple[object, ...] | None = None  # what the table was last drawn from

    def compose(self) -> ComposeResult:
        yield ScreenTitle(id="screen-title")
        yield MeetingHeader(self.less_app.cfg.meeting.length_minutes, id="meeting-header")
        yield Input(placeholder=t("queue.filter"), id="filter")
        yield Static("", id="queue-status")
        yield CaseTable(id="cases")
        yield Static("", id="reason-legend", markup=False)
        yield LessFooter()

    def on_mount(self) -> None:
        self.title = t(self.TITLE_KEY)
        self.sub_title = self.less_app.cfg.clinic_name
        self.query_one("#filter", Input).display = False
        self.query_one(CaseTable).focus()
        self.watch(self.less_app, "masked", self._app_state_changed, init=False)
        self.watch(self.less_app, "projector", self._app_state_changed, init=False)
        self.reload()

    def _app_state_changed(self) -> None:
        """Masking or projector mode changed: the table is drawn again now if it is shown, else when it is."""
        if self.data is None:
            return
        if self.is_active:  # the top screen (under a dialog or another screen: drawn when it is again)
            self.render_table()
        else:
            self._stale = True

    def on_queue_screen_decided(self, msg: Decided) -> None:
        for r in self.data.rows if self.data else []:
            if r.case_no == msg.case_no and not r.decided:
                r.decided = True
                self._app_state_changed()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            if self._stale:
                self.render_table()
            self.reload()

    def language_changed(self) -> None:
        self._drawn_from = None
        super().language_changed()
        self.call_after_refresh(self.reload)

    @work(thread=True, exclusive=True, group="queue")
    def reload(self) -> None:
        try:
            data = self.less_app.service.queue(show_all=self.show_all)  # opens (makes) the meeting the first time
            self.less_app.audit_shown(data)  # unmasked: the patients it shows are audited before they are
        except Exception as e:
            if not is_db_error(e):
                raise
            self.post_message(self.LoadFailed(e))
            return
        recovered = self.less_app.recovered_cases() if not self._told_recovery else []
        self.post_message(self.Loaded(data, recovered))

    def on_queue_screen_load_failed(self, msg: LoadFailed) -> None:
        self._load_attempts = getattr(self, "_load_attempts", 0) + 1
        delay = retry_delay(self._load_attempts)
        st = self.query_one("#queue-status", Static)
        st.update(Text(t("queue.load_failed", reason=db_trouble(msg.error), seconds=f"{delay:g}"), style="bold red"))
        st.display = True
        self.set_timer(delay, self.reload)

    def on_queue_screen_loaded(self, msg: Loaded) -> None:
        self._load_attempts = 0
        first = self.data is None
        self.data = msg.data
        if msg.recovered and not self._told_recovery:
            self._told_recovery = True
            self.notify(t("queue.recovery", cases=", ".join(map(str, msg.recovered))), severity="warning",
                        markup=False, timeout=15)
        self.less_app.current_queue = msg.data
        self.render_table()
        if first and msg.data.resume_case is not None:
            self.resume_at(msg.data.resume_case)
        self.call_after_refresh(self.less_app.release_held_keys, "start")  # (not the keys of a case being opened)

    def resume_at(self, case_no: int) -> None:
        """After a restart (a killed process, a dropped line) the cursor is where the meeting was: on the
        case it last opened, said in a notice."""
        for i, r in enumerate(self.shown_rows):
            if r.case_no == case_no:
                if i:
                    self.query_one(CaseTable).move_cursor(row=i)
                    self.notify(t("queue.resumed", case=case_no), markup=False)
                return

    def on_resize(self) -> None:
        if self.data is not None:
            self.render_table()

    # ------------------------------------------------------------ table
    def columns(self) -> list[tuple[str, str, int, int]]:
        width = self.app.size.width
        cols = [c for c in COLUMNS if not (self.less_app.projector and c[0] in PROJECTOR_HIDE)]
        masked = self.less_app.masked
        def need(cs):
            return sum((self.PATIENT_WIDTH if (c[0] == "patient" and not masked) else c[2]) + 2 for c in cs) + 2
        # the column the queue is sorted by stays, with its arrow (sorted by a hidden Grad, nothing said how)
        keep = {"case", "patient", "reasons", SORT_COLUMN[self.sort_key][0]}
        while need(cols) > width and len(cols) > 4:
            drop = min((c for c in cols if c[0] not in keep), key=lambda c: c[3], default=None)
            if drop is None:
                break
            cols.remove(drop)
        return [c for c in COLUMNS if c in cols]

    def filtered(self) -> list[CaseRow]:
        rows = list(self.data.rows if self.data else [])
        if self.reason_filter:
            rows = [r for r in rows if self.reason_filter in r.reasons]
        if self.filter_text:
            needle = self.filter_text.lower()
            def hay(r: CaseRow) -> str:
                parts = [str(r.case_no), r.diagnosis, r.masked(), r.coordinator_status,
                         coordinator_status_text(r.coordinator_status),
                         " ".join(reason_word(x, r.checkpoint) for x in r.reasons)]
                if not self.less_app.masked:
                    parts += [r.pnr, r.name]
                return " ".join(parts).lower()
            rows = [r for r in rows if needle in hay(r)]
        key = self.sort_key
        if key == "case":
            rows.sort(key=lambda r: r.case_no)
        elif key == "length":  # the sick day shown in the table, not the planned length
            rows.sort(key=lambda r: -r.day)
        elif key == "doctors":
            rows.sort(key=lambda r: -r.doctors)
        elif key == "degree":
            rows.sort(key=lambda r: -r.degree)
        elif key == "diagnosis":
            rows.sort(key=lambda r: r.diagnosis)
        return rows

    def cell(self, col: str, r: CaseRow):
        if col == "case":
            return Text(str(r.case_no), justify="right")
        if col == "decided":
            return Text("✔", style="bold green") if r.decided else Text("")
        if col == "patient":
            if self.less_app.masked:
                return plain(r.masked())  # text, never markup
            # unmasked: the personnummer, then the whole name on the lines it needs (never cut)
            lines = textwrap.wrap(one_line(r.name), width=self.PATIENT_WIDTH, break_long_words=True) or [""]
            return Text("\n".join([one_line(r.pnr), *lines]))
        if col == "age":
            return Text(str(r.age), justify="right")
        if col == "diagnosis":
            return plain(r.diagnosis)
        if col == "day":  # sick days so far (the rehab chain's day number), not the planned length
            if r.end < self.less_app.service.date:  # a follow-up of a case that has ended: no sick day now
                return Text(t("queue.ended_short"), justify="right", style="dim")
            return Text(str(r.day), justify="right", style="bold" if r.day >= 180 else "")
        if col == "degree":
            return Text(f"{r.degree} %", justify="right", style="bold" if r.degree == 100 else "")
        if col == "doctors":
            return Text(doctors_text(r.doctors, r.lower_bound), justify="right", style="bold" if r.doctors >= 3 else "")
        if col == "coordinator":  # on the lines it needs ("Lämnas utan / åtgärd"), never cut
            words = textwrap.wrap(coordinator_status_text(r.coordinator_status), width=COORDINATOR_WIDTH,
                                  break_long_words=True) or [""]
            return Text("\n".join(words), style="" if r.coordinator_status in CONTACT_STATUSES else "dim")
        if col == "reasons":
            return self.reasons_cell(r, self.reasons_width)
        return ""

    reasons_width = 0
    PATIENT_WIDTH = 20  # the patient column while unmasked
    SHORT_BELOW = 40  # a reasons column narrower than this shows codes, with a legend under the table

    def reasons_cell(self, r: CaseRow, width: int) -> Text:
        """The reasons, what is due now first and marked, broken between reasons (never inside one)
        into as many lines as the column needs."""
        txt = Text()
        used = 0
        short = 0 < width < self.SHORT_BELOW
        for i, (label, now) in enumerate(reason_labels(r.reasons, r.checkpoint, short=short)):
            sep = " " if short else " · "
            if i:
                if width and used + len(sep) + len(label) > width:
                    txt.append(sep.rstrip() + "\n", style="dim")
                    used = 0
                else:
                    txt.append(sep, style="dim")
                    used += len(sep)
            txt.append(label, style="bold reverse" if now else "")
            used += len(label)
        return txt

    def render_table(self) -> None:
        self._stale = False
        table = self.query_one(CaseTable)
        cols = self.columns()
        # what the table and the lines around it are drawn from: the same again (back from a case with
        # nothing changed, a reload that found the queue as it was) keeps what is drawn, cursor and all
        drawn_from = (repr(self.data), tuple(cols), self.sort_key, self.reason_filter, self.filter_text,
                      self.less_app.masked, self.less_app.projector, self.app.size.width, language())
        if drawn_from == self._drawn_from and table.row_count == len(self.shown_rows):
            return
        self._drawn_from = drawn_from
        keep = None
        if table.row_count and table.cursor_row < len(self.shown_rows):
            keep = self.shown_rows[table.cursor_row].case_no
        table.clear(columns=True)
        fixed = {c[0]: (self.PATIENT_WIDTH if c[0] == "patient" and not self.less_app.masked else c[2]) for c in cols}
        marked, arrow = SORT_COLUMN[self.sort_key]
        heads = {cid: t(label) + (arrow if cid == marked else "") for cid, label, _, _ in cols}
        if marked in fixed and marked != "reasons":  # the sorted column's header with its arrow, never cut
            fixed[marked] = max(fixed[marked], len(heads[marked]))
        # the table's border (2), its vertical scrollbar (2) and the reasons column's padding (2)
        rest = self.app.size.width - sum(w + 2 for k, w in fixed.items() if k != "reasons") - 6
        fixed["reasons"] = max(12, rest)
        for cid, _, _, _ in cols:
            table.add_column(heads[cid], key=cid, width=fixed[cid])
        self.shown_rows = self.filtered()
        # reasons are never cut off: a row takes the lines its reasons need (projector: at least two)
        base = 2 if self.less_app.projector else 1
        self.reasons_width = max(8, fixed.get("reasons", 0) - 1)
        for r in self.shown_rows:
            cells = [self.cell(c[0], r) for c in cols]
            lines = 1 + (self.reasons_cell(r, self.reasons_width).plain.count("\n") if "reasons" in fixed else 0)
            for tall in ("patient", "coordinator"):
                if tall in fixed:
                    lines = max(lines, 1 + cells[[c[0] for c in cols].index(tall)].plain.count("\n"))
            table.add_row(*cells, height=max(base, lines))
        legend = self.query_one("#reason-legend", Static)
        legend.display = 0 < self.reasons_width < self.SHORT_BELOW and "reasons" in fixed
        legend.update(t("queue.legend", min_days=self.less_app.cfg.queue.min_days))
        if keep is not None:
            for i, r in enumerate(self.shown_rows):
                if r.case_no == keep:
                    table.move_cursor(row=i)
                    break
        d = self.data
        filtered = bool(self.filter_text or self.reason_filter)
        shown = t("queue.shown", shown=len(d.rows), qualifying=d.qualifying) if d.qualifying > len(d.rows) else ""
        if filtered:  # said in the header too: a filter left on made ↓ and Enter open the one case it kept
            shown = t("queue.filtered_head", shown=len(self.shown_rows), total=len(d.rows))
        self.query_one(MeetingHeader).show(d.meeting, d.decided, len(d.rows), self.less_app.masked, extra=shown,
                                           projector=self.less_app.projector)
        status = []
        if self.reason_filter:
            status.append(f"{t('key.reason')}: {reason_word(self.reason_filter)}")
        if self.filter_text:
            status.append(f"{t('key.filter')}: {self.filter_text}")
        if self.filter_text or self.reason_filter:
            status.append(t("queue.filtered", shown=len(self.shown_rows), total=len(d.rows)))
        if self.sort_key != "rank":
            status.append(f"{t('key.sort')}: {t('sort.' + self.sort_key)}")
        if not self.shown_rows:
            status.append(t("queue.empty"))
        if filtered:
            status.append(t("queue.filter_off"))
        st = self.query_one("#queue-status", Static)
        line = plain("  ".join(status))  # the filter is what was typed: text, never markup
        if filtered:
            line.stylize("bold reverse")
        st.update(line)
        st.display = bool(status)

    # ------------------------------------------------------------ actions
    @on(DataTable.RowSelected)
    def open_row(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.shown_rows):
            self.less_app.open_case(self.shown_rows[event.cursor_row].case_no)

    def action_summary(self) -> None:
        self.less_app.show_summary()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.render_table()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one(CaseTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display or self.filter_text:
            box.value = ""
            box.display = False
            self.filter_text = ""
            self.render_table()
        self.query_one(CaseTable).focus()

    def action_reason(self) -> None:
        cycle = [None, *REASONS]
        self.reason_filter = cycle[(cycle.index(self.reason_filter) + 1) % len(cycle)]
        self.render_table()

    def action_sort(self) -> None:
        self.sort_key = SORTS[(SORTS.index(self.sort_key) + 1) % len(SORTS)]
        self.render_table()

    def action_show_all(self) -> None:
        self.show_all = not self.show_all
        self.notify(t("queue.all_on") if self.show_all else t("queue.all_off", n=self.less_app.cfg.queue.max_cases),
                    timeout=3)
        self.reload()

    def action_meetings(self) -> None:
        self.less_app.show_meetings()

    def refresh_from_db(self) -> None:
        self.reload()

    def select_case(self, case_no: int) -> None:
        for i, r in enumerate(self.shown_rows):
            if r.case_no == case_no:
                self.query_one(CaseTable).move_cursor(row=i)
                return
