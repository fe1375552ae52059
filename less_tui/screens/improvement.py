"""The improvement work ("Förbättringsarbete"): problems (1, 2 …), their ideas (1.1, 1.2 …) with a status
and the indicators they aim at, and each idea's PDSA cycles. Keyboard only; what is typed is saved as it
is typed (after a short pause, through the app's write queue, which retries while the database is busy)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Static

from .. import clock
from ..core import improvement as imp_core
from ..core.indicators import INDICATOR_KEYS
from ..core.plaintext import one_line
from ..i18n import t
from ..services.improvement import ImprovementService
from ..widgets.row_table import RowTable
from ..widgets.screen_title import ScreenTitle
from ..widgets.footer import LessFooter
from .base import AppKeyRef, DataScreen, KeySpec, Translated

SAVE_DELAY = 0.4  # seconds after the last key
CYCLE_FIELDS = ("plan", "do", "study", "act", "owner", "start", "end", "result")
DATE_FIELDS = ("start", "end")


def cycle_when(c: imp_core.CycleLine) -> str:
    """``2023-02-07–2023-06-01`` (``…`` for a date not yet set)."""
    return f"{c.start.isoformat() if c.start else '…'}–{c.end.isoformat() if c.end else '…'}"


def short(text: str, width: int = 50) -> str:
    """Typed text on one line, cut with ``…`` to ``width`` characters (a dialog's question)."""
    s = one_line(text) or "…"
    return s if len(s) <= width else s[: width - 1] + "…"


@dataclass(frozen=True)
class Entry:
    """One line of the list: a problem, an idea or a cycle, with the ids its keys need."""

    key: str
    kind: str  # "problem" | "idea" | "cycle"
    id: int
    problem: imp_core.ProblemLine
    idea: imp_core.IdeaLine | None = None
    cycle: imp_core.CycleLine | None = None


@dataclass
class Editing:
    kind: str
    id: int | None  # None until the first save has made it
    parent: int | None  # the problem of a new idea, the idea of a new cycle
    label: str
    new: bool = False  # made in this form (an empty one is removed again when the form is left)
    left: bool = False  # the form was left (a first save still under way then removes an empty line)


def is_empty(values: dict) -> bool:
    """Nothing typed: every text blank and no date."""
    return all(not (v.strip() if isinstance(v, str) else v) for v in values.values())


class WorkTable(Translated, RowTable):
    KEYS = [KeySpec("p", "new_problem", "key.new_problem", "improvement_new_problem"),
            KeySpec("i", "new_idea", "key.new_idea", "improvement_new_idea"),
            KeySpec("c", "new_cycle", "key.new_cycle", "improvement_new_cycle"),
            KeySpec("s", "next_status", "key.idea_status", "improvement_status"),
            KeySpec("delete", "delete_line", "key.delete_work", "improvement_delete"),
            *[KeySpec(str(n), f"toggle_indicator({n})", "key.toggle_indicator", f"improvement_indicator_{n}",
                      show=n == 1, help="key.toggle_indicator_n", help_args=(("name", f"ind.short.{key}"),))
              for n, key in enumerate(INDICATOR_KEYS, start=1)]]

    def __init__(self, **kw):
        super().__init__(**kw)
        self.translate_bindings()

    def action_new_problem(self) -> None:
        self.screen.new_problem()

    def action_new_idea(self) -> None:
        self.screen.new_idea()

    def action_new_cycle(self) -> None:
        self.screen.new_cycle()

    def action_next_status(self) -> None:
        self.screen.next_status()

    def action_delete_line(self) -> None:
        self.screen.delete_line()

    def action_toggle_indicator(self, n: int) -> None:
        self.screen.toggle_indicator(n)


class ImprovementScreen(DataScreen):
    TITLE_KEY = "screen.improvement"
    KEYS = [KeySpec("escape", "back", "key.back", "improvement_back"),
            AppKeyRef("help")]

    DEFAULT_CSS = """
    ImprovementScreen #work { height: 1fr; min-height: 6; }
    ImprovementScreen #detail { height: auto; max-height: 50%; border-top: solid $primary; padding: 0 1; }
    ImprovementScreen #form { height: auto; max-height: 60%; border-top: solid $primary; padding: 0 1; }
    ImprovementScreen .field { height: 1; }
    ImprovementScreen .field Label { width: 22; color: $text-muted; }
    ImprovementScreen .field Input { width: 1fr; background: $panel; }
    ImprovementScreen #form-title { text-style: bold; }
    ImprovementScreen #form-state { color: $text-muted; height: 1; }
    ImprovementScreen #form-state.problem { color: $error; }
    """

    class Loaded(Message):
        def __init__(self, work: list[imp_core.ProblemLine]):
            super().__init__()
            self.work = work

    def __init__(self):
        super().__init__()
        self.translate_bindings()
        self.entries: list[Entry] = []
        self.editing: Editing | None = None
        self._select: str | None = None  # the line to highlight after the next load
        self._timer: Timer | None = None
        self._creating = False  # the first save of a new line is under way
        self._pending: tuple[Editing, dict, list[str]] | None = None  # to save when it is done
        self.saved_count = 0  # saves done (tests wait for it)

    def compose(self) -> ComposeResult:
        yield ScreenTitle(id="screen-title")
        yield WorkTable(id="work")
        yield Static("", id="detail")  # the highlighted line in full: a cycle's plan, do, study, act, result
        with Vertical(id="form"):
            yield Static("", id="form-title", markup=False)
            with Horizontal(classes="field", id="row-text"):
                yield Label(t("work.field.text"), markup=False)
                yield Input(id="f-text", compact=True)
            for name in CYCLE_FIELDS:
                label = t(f"work.field.{name}") if name in DATE_FIELDS else t(f"pdsa.{name}")
                with Horizontal(classes="field cycle-field", id=f"row-{name}"):
                    yield Label(label, markup=False)
                    yield Input(id=f"f-{name}", compact=True)
            yield Static("", id="form-state", markup=False)
        yield LessFooter()

    def on_mount(self) -> None:
        self.title = t(self.TITLE_KEY)
        self.sub_title = t("work.hint")
        self.service = ImprovementService(self.app.engine, self.app.cfg, self.app.service.unit_code)
        self.query_one("#form").display = False
        self.query_one(WorkTable).focus()
        self.load()

    # ------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="improvement")
    def load(self) -> None:
        self.post_message(self.Loaded(self.service.work()))

    def refresh_from_db(self) -> None:
        # (a change noticed while the screen is still being mounted: its own first load comes anyway)
        if self.editing is None and getattr(self, "service", None) is not None:
            self.load()

    def on_improvement_screen_loaded(self, msg: Loaded) -> None:
        entries = []
        for p in msg.work:
            entries.append(Entry(f"p{p.id}", "problem", p.id, p))
            for i in p.ideas:
                entries.append(Entry(f"i{i.id}", "idea", i.id, p, i))
                for c in i.cycles:
                    entries.append(Entry(f"c{c.id}", "cycle", c.id, p, i, c))
        table = self.query_one(WorkTable)
        current = self.entries[table.cursor_row].key if self.entries and 0 <= table.cursor_row < len(self.entries) else None
        self.entries = entries
        self.render_table(select=self._select or current)
        self._select = None

    NO_WIDTH, STATUS_WIDTH = 5, 9  # "  1.1", "avslutad"

    def _widths(self) -> tuple[int, int, bool]:
        """(text, indicators) column widths for the screen's width, and whether the indicators are shown
        by number (narrow: "1, 3") rather than by name. Every column fits: nothing is pushed off screen."""
        width = self.app.size.width
        narrow = width < 100
        ind = 11 if narrow else 28
        # 4 columns of 1 cell padding each side (8), the table's border (2) and its scrollbar (2)
        text = max(12, width - self.NO_WIDTH - self.STATUS_WIDTH - ind - 8 - 2 - 2)
        return text, ind, narrow

    def render_table(self, select: str | None = None) -> None:
        """The list, one line per problem, idea and cycle, each cut to its column (the detail below the
        table shows the highlighted line in full)."""
        table = self.query_one(WorkTable)
        text_w, ind_w, narrow = self._widths()
        table.clear(columns=True)
        for key, label, w in (("no", "work.col.no", self.NO_WIDTH), ("text", "work.col.text", text_w),
                              ("status", "work.col.status", self.STATUS_WIDTH), ("ind", "work.col.indicators", ind_w)):
            table.add_column(t(label), key=key, width=w)
        names = {k: (str(n) if narrow else t(f"ind.short.{k}")) for n, k in enumerate(INDICATOR_KEYS, start=1)}
        rows = []
        for e in self.entries:
            if e.kind == "problem":
                rows.append([Text(str(e.problem.number), style="bold"),
                             Text(short(e.problem.text, text_w), style="bold"), Text(""), Text("")])
            elif e.kind == "idea":
                rows.append([Text("  " + e.idea.code), Text(short(e.idea.text, text_w)),
                             Text(t(f"idea.status.{e.idea.status}")),
                             Text(short(", ".join(names.get(k, k) for k in e.idea.indicators), ind_w) if e.idea.indicators
                                  else "")])
            else:
                c = e.cycle
                line = f"{t('work.pdsa')} {cycle_when(c)}" + (f" · {one_line(c.owner)}" if c.owner.strip() else "")
                rows.append([Text(""), Text("  " + short(line, text_w - 2), style="italic"), Text(""), Text("")])
        if not rows:
            rows.append([Text(""), Text(t("work.empty"), style="dim"), Text(""), Text("")])
        table.add_rows(rows)
        for n, e in enumerate(self.entries):
            if e.key == select:
                table.move_cursor(row=n)
                break
        self.render_detail()

    def on_resize(self) -> None:
        if self.entries:
            current = self.highlighted()
            self.render_table(select=current.key if current else None)

    @on(DataTable.RowHighlighted, "#work")
    def moved(self, event: DataTable.RowHighlighted) -> None:
        self.render_detail()

    def render_detail(self) -> None:
        """Under the table, the highlighted line in full, wrapped: a problem's or idea's text, an idea's
        status and indicators, a cycle's dates, owner, plan, do, study, act and result."""
        detail = self.query_one("#detail", Static)
        e = self.highlighted()
        detail.display = e is not None and self.editing is None
        if e is None:
            return
        out = Text()
        if e.kind == "problem":
            out.append(t("work.problem", no=e.problem.number), style="bold")
            out.append("\n" + (one_line(e.problem.text) or "…"))
        elif e.kind == "idea":
            i = e.idea
            out.append(t("work.idea", code=i.code), style="bold")
            out.append(" · " + t(f"idea.status.{i.status}"))
            if i.indicators:
                out.append(" · " + ", ".join(t(f"ind.short.{k}") for k in i.indicators if k in INDICATOR_KEYS))
            out.append("\n" + (one_line(i.text) or "…"))
        else:
            c = e.cycle
            out.append(t("work.cycle", code=e.idea.code), style="bold")
            out.append(" · " + cycle_when(c))
            if c.owner.strip():
                out.append(f" · {t('pdsa.owner')}: {one_line(c.owner)}")
            for name in ("plan", "do", "study", "act", "result"):
                out.append(f"\n{t(f'pdsa.{name}')}: ", style="bold")
                out.append(one_line(getattr(c, name)) or "–")
        detail.update(out)

    # ------------------------------------------------------------ the highlighted line

    def highlighted(self) -> Entry | None:
        table = self.query_one(WorkTable)
        if not self.entries or not 0 <= table.cursor_row < len(self.entries):
            return None
        return self.entries[table.cursor_row]

    # ------------------------------------------------------------ new lines and changes from the list

    def new_problem(self) -> None:
        self.edit(Editing("problem", None, None, t("work.new_problem"), new=True), {"text": ""})

    def new_idea(self) -> None:
        e = self.highlighted()
        if e is None:
            self.notify(t("work.need_problem"), severity="warning")
            return
        self.edit(Editing("idea", None, e.problem.id, t("work.new_idea", no=e.problem.number), new=True),
                  {"text": ""})

    def new_cycle(self) -> None:
        e = self.highlighted()
        if e is None or e.idea is None:
            self.notify(t("work.need_idea"), severity="warning")
            return
        self.edit(Editing("cycle", None, e.idea.id, t("work.cycle", code=e.idea.code), new=True),
                  {name: "" for name in CYCLE_FIELDS})

    def next_status(self) -> None:
        e = self.highlighted()
        if e is None or e.kind != "idea":
            self.notify(t("work.on_idea"), severity="warning")
            return
        statuses = imp_core.STATUSES
        new = statuses[(statuses.index(e.idea.status) + 1) % len(statuses)]
        self._select = e.key
        self.app.write(partial(self.service.update_idea, e.idea.id, status=new), then=lambda _: self.load())

    def toggle_indicator(self, n: int) -> None:
        e = self.highlighted()
        if e is None or e.kind != "idea":
            self.notify(t("work.on_idea"), severity="warning")
            return
        key = INDICATOR_KEYS[n - 1]
        keys = [k for k in e.idea.indicators if k != key] if key in e.idea.indicators else [*e.idea.indicators, key]
        keys = [k for k in INDICATOR_KEYS if k in keys]
        self._select = e.key
        self.app.write(partial(self.service.update_idea, e.idea.id, indicators=keys), then=lambda _: self.load())

    def delete_line(self) -> None:
        """Delete (after a yes) the highlighted problem, idea or cycle; the question names it and what goes
        with it (a problem's ideas and cycles, an idea's cycles)."""
        from ..present import counted
        from .dialogs import ConfirmDialog

        e = self.highlighted()
        if e is None:
            self.notify(t("work.nothing_to_delete"), severity="warning")
            return
        svc = self.service
        if e.kind == "problem":
            ideas = len(e.problem.ideas)
            cycles = sum(len(i.cycles) for i in e.problem.ideas)
            text = short(e.problem.text)
            if ideas:
                children = counted("work.ideas", ideas) + (
                    " " + t("work.and") + " " + counted("work.cycles", cycles) if cycles else "")
                question = t("work.delete_problem_with", no=e.problem.number, text=text, children=children)
            else:
                question = t("work.delete_problem", no=e.problem.number, text=text)
            fn = partial(svc.delete_problem, e.id)
        elif e.kind == "idea":
            cycles = len(e.idea.cycles)
            text = short(e.idea.text)
            question = (t("work.delete_idea_with", code=e.idea.code, text=text, children=counted("work.cycles", cycles))
                        if cycles else t("work.delete_idea", code=e.idea.code, text=text))
            fn = partial(svc.delete_idea, e.id)
        else:
            c = e.cycle
            question = t("work.delete_cycle", code=e.idea.code, when=cycle_when(c), plan=short(c.plan))
            fn = partial(svc.delete_cycle, e.id)

        def answer(yes: bool | None) -> None:
            if yes:
                self.app.write(fn, then=lambda _: (self.notify(t("work.deleted")), self.load()))

        self.app.push_screen(ConfirmDialog(question), answer)

    @on(DataTable.RowSelected, "#work")
    def chosen(self, event: DataTable.RowSelected) -> None:
        e = self.highlighted()
        if e is None:
            return
        if e.kind == "problem":
            self.edit(Editing("problem", e.id, None, t("work.problem", no=e.problem.number)), {"text": e.problem.text})
        elif e.kind == "idea":
            self.edit(Editing("idea", e.id, e.problem.id, t("work.idea", code=e.idea.code)), {"text": e.idea.text})
        else:
            c = e.cycle
            values = {name: getattr(c, name) for name in CYCLE_FIELDS}
            values.update({name: values[name].isoformat() if values[name] else "" for name in DATE_FIELDS})
            self.edit(Editing("cycle", e.id, e.idea.id, t("work.cycle", code=e.idea.code)), values)

    # ------------------------------------------------------------ the form, saved as typed

    def edit(self, editing: Editing, values: dict[str, str]) -> None:
        self.editing = editing
        self.query_one("#detail").display = False
        form = self.query_one("#form")
        form.display = True
        self.query_one("#form-title", Static).update(editing.label)
        cycle = editing.kind == "cycle"
        self.query_one("#row-text").display = not cycle
        for row in self.query(".cycle-field"):
            row.display = cycle
        # the values put in the form are not typing: no Changed message, so nothing is saved (or made)
        with self.prevent(Input.Changed):
            for name, value in values.items():
                self.query_one(f"#f-{name}", Input).value = value
        self._state("")
        self.query_one("#f-plan" if cycle else "#f-text", Input).focus()

    @on(Input.Changed)
    def typed(self, event: Input.Changed) -> None:
        if self.editing is None:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SAVE_DELAY, self.save)

    def _values(self) -> tuple[dict, list[str]]:
        """The form's fields as the service takes them, and the problems (a date that is not one)."""
        ed = self.editing
        if ed.kind != "cycle":
            return {"text": self.query_one("#f-text", Input).value}, []
        out: dict = {}
        problems = []
        for name in CYCLE_FIELDS:
            value = self.query_one(f"#f-{name}", Input).value
            if name in DATE_FIELDS:
                value = value.strip()
                try:
                    out[name] = imp_core.iso_date(value) if value else None
                except ValueError:
                    problems.append(t("work.bad_date", field=t(f"work.field.{name}"), value=value))
                    out.pop(name, None)
            else:
                out[name] = value
        try:
            imp_core.check_cycle_dates(out.get("start"), out.get("end"))
        except imp_core.EndBeforeStart as e:  # neither date is saved until they agree (the rest is)
            problems.append(t("work.end_before_start", start=e.start.isoformat(), end=e.end.isoformat()))
            out.pop("start")
            out.pop("end")
        return out, problems

    def save(self) -> None:
        """Hand what is in the form to the write queue (a new line is made by its first save)."""
        self._timer = None
        ed = self.editing
        if ed is None:
            return
        values, problems = self._values()
        if problems:
            self._state("; ".join(problems), problem=True)
        else:
            self._state(t("work.saving"))
        if self._creating:  # the line is being made: this text follows once it has its id
            self._pending = (ed, values, problems)
            return
        if ed.id is None and is_empty(values):  # nothing typed yet: nothing is made
            self._state("")
            return
        self._write(ed, values, problems)

    def _write(self, ed: Editing, values: dict, problems: list[str]) -> None:
        svc = self.service
        if ed.id is None:
            self._creating = True
            if ed.kind == "problem":
                fn = partial(svc.add_problem, values["text"])
            elif ed.kind == "idea":
                fn = partial(svc.add_idea, ed.parent, values["text"])
            else:
                fn = partial(svc.add_cycle, ed.parent, **values)
            self.app.write(fn, then=partial(self._made, ed, problems))
            return
        if ed.kind == "problem":
            fn = partial(svc.set_problem_text, ed.id, values["text"])
        elif ed.kind == "idea":
            fn = partial(svc.update_idea, ed.id, text=values["text"])
        else:
            fn = partial(svc.update_cycle, ed.id, **values)
        self.app.write(fn, then=partial(self._saved, ed, problems))

    def _made(self, ed: Editing, problems: list[str], new_id: int) -> None:
        ed.id = new_id
        self._creating = False
        pending, self._pending = self._pending, None
        if pending is not None:
            self._write(*pending)
            if ed.left:
                self._drop_if_empty(ed, pending[1])
            return
        self._saved(ed, problems, None)

    def _drop_if_empty(self, ed: Editing, values: dict) -> None:
        """A line made in this form and left empty is removed again (an accidental key leaves nothing)."""
        if not ed.new or ed.id is None or not is_empty(values):
            return
        svc = self.service
        fn = {"problem": svc.delete_problem, "idea": svc.delete_idea, "cycle": svc.delete_cycle}[ed.kind]
        self.app.write(partial(fn, ed.id), then=lambda _: self.load())

    def _saved(self, ed: Editing, problems: list[str], _result) -> None:
        self.saved_count += 1
        self._select = {"problem": "p", "idea": "i", "cycle": "c"}[ed.kind] + str(ed.id)
        if not problems and ed is self.editing:
            self._state(t("work.saved"))
        self.load()

    def _state(self, text: str, problem: bool = False) -> None:
        w = self.query_one("#form-state", Static)
        w.update(text)
        w.set_class(problem, "problem")

    def flush(self) -> None:
        """Save at once what waits for the typing to pause (leaving the form or the screen)."""
        if self._timer is not None:
            self._timer.stop()
            self.save()

    # ------------------------------------------------------------ keys

    def action_back(self) -> None:
        if self.editing is not None:
            ed = self.editing
            self.flush()
            problems = self._values()[1]
            if problems:  # a date that is not one, or an end before the start, is not kept: say so
                self.notify(t("work.left_unsaved", problems="; ".join(problems)), severity="warning",
                            markup=False, timeout=10)
            ed.left = True
            if not self._creating:  # (else once it is made)
                self._drop_if_empty(ed, self._values()[0])
            self.editing = None
            self.query_one("#form").display = False
            self.render_detail()
            self.query_one(WorkTable).focus()
            self.load()
            return
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        self.app.pop_screen()
        if isinstance(below, DataScreen):
            # after the writes still queued (a status or an indicator changed just before Esc): the
            # screen below (the summary's ideas being tested) shows the new state at once
            self.less_app.write(lambda: None, then=lambda _: below.refresh_from_db())



class MeasuresDialog(Translated, ModalScreen["dict[str, str] | None"]):
    """The team's own measures at this meeting: one field per measure (a count, or for a share
    ``12/40``). Enter in any field checks them all and saves (a value that is not one is named and
    nothing is saved); Esc cancels. An empty field leaves that measure as it is."""

    KEYS = [KeySpec("escape", "cancel", "btn.cancel", "measures_cancel")]
    DEFAULT_CSS = """
    MeasuresDialog .field { height: 1; margin-top: 1; }
    MeasuresDialog .field Label { width: 1fr; color: $text-muted; padding: 0 1 0 0; }
    MeasuresDialog .field Input { width: 14; background: $panel; }
    MeasuresDialog #measures-error { color: $error; height: auto; min-height: 1; margin-top: 1; }
    MeasuresDialog .measures-hint { color: $text-muted; }
    """

    def __init__(self, date: dt.date, measures: list):
        super().__init__()
        self.translate_bindings()
        self.date = date
        self.measures = measures

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="measures-dialog"):
            yield Label(t("mea.title", date=self.date.isoformat()), classes="dialog-title", markup=False)
            for m in self.measures:
                with Horizontal(classes="field"):
                    yield Label(f"{one_line(m.name)} ({t('mea.kind.' + m.kind)})", markup=False)
                    value = "" if m.value is None else (
                        str(m.value.count) if m.kind == "count" else f"{m.value.count}/{m.value.denominator}")
                    yield Input(value, id=f"m-{m.key}", compact=True)
            yield Static("", id="measures-error", markup=False)
            yield Static(t("mea.hint"), classes="measures-hint", markup=False)

    def on_mount(self) -> None:
        if self.measures:
            self.query_one(f"#m-{self.measures[0].key}", Input).focus()

    @on(Input.Changed)
    def typed(self) -> None:
        self.query_one("#measures-error", Static).update("")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        typed = {m.key: self.query_one(f"#m-{m.key}", Input).value for m in self.measures}
        for m in self.measures:
            try:
                imp_core.parse_measure(typed[m.key], m.kind)
            except ValueError:
                self.query_one("#measures-error", Static).update(
                    t("mea.bad", name=one_line(m.name), value=typed[m.key], expected=t("mea.kind." + m.kind)))
                self.query_one(f"#m-{m.key}", Input).focus()
                return
        self.dismiss(typed)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SupervisionDialog(Translated, ModalScreen["tuple[dt.date, int, str, list[str]] | None"]):
    """Record a supervision session: date (today), length in minutes, who led it, who came (names
    separated by commas; the roster's attendees to start with). Enter checks and records; Esc cancels."""

    KEYS = [KeySpec("escape", "cancel", "btn.cancel", "supervision_cancel")]
    DEFAULT_CSS = """
    SupervisionDialog .field { height: 1; margin-top: 1; }
    SupervisionDialog .field Label { width: 22; color: $text-muted; }
    SupervisionDialog .field Input { width: 1fr; background: $panel; }
    SupervisionDialog #supervision-error { color: $error; height: auto; min-height: 1; margin-top: 1; }
    SupervisionDialog .supervision-hint { color: $text-muted; }
    """

    def __init__(self, today: dt.date, attendees: list[str]):
        super().__init__()
        self.translate_bindings()
        self.today = today
        self.attendees = attendees

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="supervision-dialog"):
            yield Label(t("sup.dialog_title"), classes="dialog-title", markup=False)
            for fid, label, value in (("s-date", "col.date", self.today.isoformat()), ("s-minutes", "sup.col.minutes", ""),
                                      ("s-leader", "sup.col.leader", ""),
                                      ("s-attendees", "col.attendees", ", ".join(self.attendees))):
                with Horizontal(classes="field"):
                    yield Label(t(label), markup=False)
                    yield Input(value, id=fid, compact=True)
            yield Static("", id="supervision-error", markup=False)
            yield Static(t("sup.hint"), classes="supervision-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#s-date", Input).focus()  # the first field; Tab walks down from it

    @on(Input.Changed)
    def typed(self) -> None:
        self.query_one("#supervision-error", Static).update("")

    def _problem(self, text: str, field: str) -> None:
        self.query_one("#supervision-error", Static).update(text)
        self.query_one(f"#{field}", Input).focus()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        value = {w.id: w.value.strip() for w in self.query(Input)}
        try:
            date = imp_core.iso_date(value["s-date"])
        except ValueError:
            self._problem(t("sup.bad_date", value=value["s-date"]), "s-date")
            return
        if imp_core.not_held_yet(date, clock.today()):
            self._problem(t("sup.not_held", date=date.isoformat(), today=clock.today().isoformat()), "s-date")
            return
        minutes = value["s-minutes"]
        if not (minutes.isascii() and minutes.isdigit() and 1 <= int(minutes) <= 600):
            self._problem(t("sup.bad_minutes", value=minutes or "–").replace("--minutes ", ""), "s-minutes")
            return
        leader = " ".join(value["s-leader"].split())
        if not leader:
            self._problem(t("sup.need_leader"), "s-leader")
            return
        names = [" ".join(n.split()) for n in value["s-attendees"].split(",") if n.strip()]
        self.dismiss((date, int(minutes), leader, names))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TrainingDialog(Translated, ModalScreen["tuple[str, str, dt.date] | None"]):
    """Record an insurance-medicine training a person of the team has taken: who (a roster name or any
    name), which course, when (today to start with). Enter checks and records; Esc cancels."""

    KEYS = [KeySpec("escape", "cancel", "btn.cancel", "training_cancel")]
    DEFAULT_CSS = """
    TrainingDialog .field { height: 1; margin-top: 1; }
    TrainingDialog .field Label { width: 22; color: $text-muted; }
    TrainingDialog .field Input { width: 1fr; background: $panel; }
    TrainingDialog #training-error { color: $error; height: auto; min-height: 1; margin-top: 1; }
    TrainingDialog .training-hint { color: $text-muted; }
    """

    def __init__(self, today: dt.date, team: list[str]):
        super().__init__()
        self.translate_bindings()
        self.today = today
        self.team = team

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="training-dialog"):
            yield Label(t("tra.dialog_title"), classes="dialog-title", markup=False)
            for fid, label, value in (("t-person", "tra.person", ""), ("t-course", "tra.course", ""),
                                      ("t-date", "col.date", self.today.isoformat())):
                with Horizontal(classes="field"):
                    yield Label(t(label), markup=False)
                    yield Input(value, id=fid, compact=True)
            yield Static("", id="training-error", markup=False)
            if self.team:
                yield Static(t("tra.team", names=", ".join(self.team)), classes="training-hint", markup=False)
            yield Static(t("tra.hint"), classes="training-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#t-person", Input).focus()

    @on(Input.Changed)
    def typed(self) -> None:
        self.query_one("#training-error", Static).update("")

    def _problem(self, text: str, field: str) -> None:
        self.query_one("#training-error", Static).update(text)
        self.query_one(f"#{field}", Input).focus()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        value = {w.id: " ".join(w.value.split()) for w in self.query(Input)}
        if not value["t-person"]:
            self._problem(t("tra.need_person"), "t-person")
            return
        if not value["t-course"]:
            self._problem(t("tra.need_course"), "t-course")
            return
        try:
            date = imp_core.iso_date(value["t-date"])
        except ValueError:
            self._problem(t("sup.bad_date", value=value["t-date"] or "–"), "t-date")
            return
        if imp_core.not_held_yet(date, clock.today()):
            self._problem(t("sup.not_held", date=date.isoformat(), today=clock.today().isoformat()), "t-date")
            return
        self.dismiss((value["t-person"], value["t-course"], date))

    def action_cancel(self) -> None:
        self.dismiss(None)
