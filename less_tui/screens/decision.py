"""The decision screen: one case's facts, history and the plan, saved as it is typed."""

from __future__ import annotations

import textwrap
import threading
import time
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Label, Select, Static, TextArea

from ..core.episodes import COORDINATOR_STATUSES
from ..core.plaintext import one_line, strip_controls
from ..i18n import counted, t
from ..services.errors import Conflict, ReadOnly
from ..services.meeting import ASSESSORS, ActionInfo, CaseDetail
from ..recovery import Recovered
from ..widgets.screen_title import ScreenTitle
from ..widgets.select import LessSelect
from ..widgets.timeline import Timeline
from ..widgets.yes_no import YesNo
from ..widgets.footer import LessFooter
from ..widgets.plan_area import PlanArea
from ..services.errors import is_db_error
from .base import AppKeyRef, DataScreen, KeySpec, Translated, db_trouble, retry_delay
from .dialogs import AddActionDialog, ConfirmDialog, ConflictDialog
from ..present import checkpoint_text, coordinator_status_text, doctors_text, patient_label, reason_labels

SAVE_DELAY = 0.4  # seconds after the last key press
CONFLICT_QUIET = 1.5  # a conflict is shown after this pause in typing (not in a pause between two words)
SAVE_MAX_DELAY = 0.8  # typing without a pause is still saved this often (the first unsaved key + this)
EXIT_LOCK_WAIT = 2.0  # a hang-up or SIGTERM waits at most this long for a save under way (the text is in its recovery file)


def _flow(parts: list[tuple[str, str]], width: int, sep: str = " · ", sep_style: str = "", used: int = 0) -> Text:
    """Styled parts joined by ``sep`` into lines of at most ``width``, broken only between parts (a line
    ends without the separator; a part longer than a line gets a line of its own and wraps there)."""
    txt = Text()
    for i, (part, style) in enumerate(parts):
        if i:
            if used + len(sep) + len(part) > width:
                txt.append("\n")
                used = 0
            else:
                txt.append(sep, style=sep_style)
                used += len(sep)
        txt.append(part, style=style)
        used += len(part)
    return txt


def _wrap(text: str, width: int) -> list[str]:
    """``text`` broken between words into lines of at most ``width`` (a longer word is split)."""
    return textwrap.wrap(text, width=max(1, width), break_long_words=True, break_on_hyphens=False) or [""]


def _now_hms() -> str:
    from .. import clock

    return clock.now().strftime("%H:%M:%S")


class ActionTable(Translated, DataTable):
    """Actions of this meeting (``editable``) or of earlier meetings; keys act on the highlighted one."""

    KEYS = [
        KeySpec("d", "request('done')", "key.done", "action_done"),
        KeySpec("x", "request('dropped')", "key.drop", "action_drop"),
        KeySpec("e", "request('edit')", "key.edit_action", "action_edit"),
        KeySpec("delete", "request('delete')", "key.delete_action", "action_delete"),
        KeySpec("home", "scroll_top", "key.first_row", "first_row", show=False),
        KeySpec("end", "scroll_bottom", "key.last_row", "last_row", show=False),
    ]

    class Request(Message):
        """The user asked for ``what`` (done, dropped, edit, delete) on an action."""

        def __init__(self, table: "ActionTable", action: ActionInfo, what: str):
            super().__init__()
            self.table = table
            self.action = action
            self.what = what

    # seconds after a key that is no command here (someone typing, thinking they are in the plan) during
    # which the one-letter commands are not taken either: " efter" typed into the list opened the edit
    # dialog at its "e" and the rest went into the action's name
    TYPING_PAUSE = 1.5
    # a one-letter command waits this long for a next key before it acts: "dags för avstämning" typed into
    # the list after a pause reopened an action at its "d" (the keys after it then showed it was text)
    COMMAND_WAIT = 0.4

    def __init__(self, actions: list[ActionInfo], with_meeting: bool, editable: bool, **kw):
        super().__init__(cursor_type="row", **kw)
        self.translate_bindings()
        self.actions = actions
        self.with_meeting = with_meeting
        self.editable = editable
        self._typing_until = 0.0
        self._pending: Timer | None = None  # a one-letter command waiting to see whether text follows it

    def key_for(self, what: str) -> str:
        """The key that asks for ``what`` (done, dropped …) on an action, as the keymap has it now."""
        for key, bindings in self._bindings.key_to_bindings.items():
            if any(b.action == f"request('{what}')" for b in bindings):
                return self.app.get_key_display(bindings[0])
        return what

    def on_key(self, event: events.Key) -> None:
        """Text typed into the list (a letter that is no command here, a space) says where the focus is,
        and the letters typed with it are taken as text gone astray, not as commands."""
        if not event.is_printable or event.key in ("home", "end"):
            return
        now = time.monotonic()
        own = self._bindings.key_to_bindings.get(event.key)  # d, x, e: done, dropped, edit
        if not own and event.key in self.screen.active_bindings:
            return  # the screen's or the app's key (? help, m masking …)
        if own and getattr(self.screen, "readonly", False):
            return  # a closed meeting: the screen says why the key does nothing
        event.stop()
        event.prevent_default()
        if own and now >= self._typing_until and self._pending is None:
            # the action the cursor is on now (↓ pressed within the wait must not move it to another row)
            action, row = own[0].action, self.cursor_row
            target = self.actions[row] if 0 <= row < len(self.actions) else None
            self._pending = self.set_timer(self.COMMAND_WAIT, lambda: self._run_pending(action, target))
            return
        if self._pending is not None:  # the command key was the first letter of text
            self._pending.stop()
            self._pending = None
        if now >= self._typing_until:
            self.notify(t("dec.typing_in_plan" if self.editable else "dec.typing_in_actions"),
                        severity="warning", markup=False)
        self._typing_until = now + self.TYPING_PAUSE

    async def _run_pending(self, action: str, target: ActionInfo | None) -> None:
        self._pending = None
        what = action.removeprefix("request('").removesuffix("')")
        if action.startswith("request(") and target is not None:
            if self.check_action("request", (what,)):  # (as the binding would: not on a closed meeting)
                self.post_message(self.Request(self, target, what))
        else:
            await self.run_action(action)

    def on_mount(self) -> None:
        self.fill()

    # what the form around the table takes from the terminal's width: the form's scrollbar (2), the
    # table's margins (2), its focus border (2) and room for its own scrollbar when the list is long (2)
    CHROME = 8

    def fill(self, keep_row: int | None = None) -> None:
        """Columns sized to the terminal: the short ones first, the action and the owner wrapped inside
        their columns (never cut, never a sideways scrollbar that would hide a row)."""
        self.clear(columns=True)
        meeting_date = self.less_app.service.date
        cells = []
        for a in self.actions:
            overdue = a.status == "open" and a.due is not None and a.due < meeting_date
            style = "bold red" if overdue else {"open": "bold", "done": "green", "dropped": "dim strike"}[a.status]
            status = t("status.overdue") if overdue else t(f"status.{a.status}")  # in words, not only colour
            cells.append((a.meeting_date.isoformat() if a.meeting_date else "",
                          a.due.isoformat() if a.due else "–", overdue, status, style,
                          one_line(a.kind), one_line(a.owner)))
        heads = {key: t(label) for key, label in (("meeting", "col.meeting"), ("due", "col.due"),
                                                   ("status", "col.status"), ("kind", "col.kind"),
                                                   ("owner", "col.owner"))}
        statuses = [t(f"status.{s}") for s in ("open", "done", "dropped", "overdue")]
        widths = {"due": max(10, len(heads["due"])), "status": max(len(heads["status"]), *map(len, statuses))}
        if self.with_meeting:
            widths["meeting"] = max(10, len(heads["meeting"]))
        longest_owner = max([len(c[6]) for c in cells] + [len(heads["owner"])])
        longest_kind = max([len(c[5]) for c in cells] + [len(heads["kind"])])
        room = self.app.size.width - self.CHROME - sum(w + 2 for w in widths.values()) - 4  # 2 wrapped columns
        owner = min(longest_owner, max(10, room // 3))
        kind = max(12, min(longest_kind, room - owner))
        widths["owner"], widths["kind"] = owner, kind
        order = (["meeting"] if self.with_meeting else []) + ["due", "status", "kind", "owner"]
        for key in order:
            self.add_column(heads[key], key=key, width=widths[key])
        total = 0
        for meeting, due, overdue, status, style, kind_text, owner_text in cells:
            kind_lines = _wrap(kind_text, widths["kind"])
            owner_lines = _wrap(owner_text, widths["owner"])
            row = [Text(due, style="red" if overdue else ""), Text(status, style=style),
                   Text("\n".join(kind_lines)), Text("\n".join(owner_lines))]
            if self.with_meeting:
                row.insert(0, meeting)
            height = max(len(kind_lines), len(owner_lines))
            total += height
            self.add_row(*row, height=height)
        # header + rows + the focus border's two lines (max-height in app.tcss caps a long list)
        self.styles.height = total + 3 if self.actions else 1
        # an empty table is not shown and is skipped by Tab
        self.can_focus = bool(self.actions)
        self.display = bool(self.actions)
        if keep_row is not None and self.actions:
            self.move_cursor(row=min(keep_row, len(self.actions) - 1))
        if self.actions and self.is_mounted:
            self.call_after_refresh(self._in_view)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Earlier meetings' actions can be marked done or dropped, not edited or removed: the footer
        does not offer what the table cannot do."""
        if action == "request" and parameters and parameters[0] in ("edit", "delete") and not self.editable:
            return False
        if action == "request" and getattr(self.screen, "readonly", False):
            return None  # a closed meeting: shown dimmed (the key says why), not offered as if it worked
        return True

    def action_request(self, what: str) -> None:
        if 0 <= self.cursor_row < len(self.actions):
            self.post_message(self.Request(self, self.actions[self.cursor_row], what))

    def _in_view(self) -> None:
        """The whole table in the form's view (it is at most 12 rows): the highlighted row is never
        below the footer or above the screen's top. When another field has the focus (the plan, after
        F2), that field stays in view first."""
        if not (self.display and self.is_mounted):
            return
        screen = self.screen
        screen.scroll_to_widget(self, animate=False, immediate=True)
        if screen.focused is not None and screen.focused is not self:
            self.call_after_refresh(self._focused_in_view)

    def _focused_in_view(self) -> None:
        screen = self.screen
        focused = screen.focused
        if focused is not None and focused is not self and not screen.can_view_entire(focused):
            screen.scroll_to_widget(focused, animate=False, immediate=True)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.has_focus:
            self.call_after_refresh(self._in_view)

    def on_focus(self) -> None:
        self.call_after_refresh(self._in_view)

    def action_cursor_up(self) -> None:
        """↑ on the first row shows the top of the form (the certificates' timeline) as well."""
        if self.cursor_row <= 0 and not self.editable:
            form = self.screen.query_one("#decision")
            form.scroll_home(animate=False)
            return
        super().action_cursor_up()


class DecisionScreen(DataScreen):
    AUTO_FOCUS = "#plan"  # Textual would focus the first field (the earlier actions)
    KEYS = [
        KeySpec("escape", "back", "key.back", "back"),
        KeySpec("f8", "next_case", "key.next", "next_case", priority=True),
        KeySpec("f7", "prev_case", "key.prev", "prev_case", priority=True, help="key.prev_help"),
        KeySpec("f2", "add_action", "key.add_action", "add_action", priority=True),
        AppKeyRef("help"),
        AppKeyRef("follow"),
        KeySpec("f6", "copy", "key.copy", "copy_case", priority=True),
    ]

    class Saved(Message):
        def __init__(self, version: int, when: str, changed: bool = True, case_no: int = 0):
            super().__init__()
            self.case_no = case_no  # the case it was saved for (the screen may show another one by now)
            self.version = version
            self.changed = changed  # False: the text was already stored (nothing written)
            self.when = when

    class Fresh(Message):
        def __init__(self, state, case_no: int):
            super().__init__()
            self.state = state
            self.case_no = case_no  # the case it was read for (the screen may show another one by now)

    class ConflictFound(Message):
        def __init__(self, mine: str, conflict: Conflict):
            super().__init__()
            self.mine = mine
            self.conflict = conflict

    class SaveFailed(Message):
        """The database refused the plan (locked, full, gone): it stays here and is tried again."""

        def __init__(self, error: BaseException):
            super().__init__()
            self.error = error

    class SaveEnded(Message):
        """A save in a worker is over (whatever came of it)."""

    class ReopenedElsewhere(Message):
        """The meeting was reopened by another session; this case can be written again."""

    class ClosedElsewhere(Message):
        """The meeting was closed by another session; the plan was not saved."""

    def __init__(self, detail: CaseDetail, recovered: Recovered | None = None):
        super().__init__()
        self.translate_bindings()
        self.detail = detail
        self.recovered = recovered  # text kept when the app had to go before it was saved
        self.version = detail.version
        self._saved_text = detail.plan
        self._lock = threading.Lock()
        self._timer: Timer | None = None
        self._ready = False
        self._dirty_since: float | None = None  # when the first key not yet handed to a save was typed
        self._saving = False  # a save runs in a worker
        self._again = False  # save once more when it ends
        self._failing: BaseException | None = None  # the database error of the last try, until a save succeeds
        self._attempts = 0
        self._retry: Timer | None = None
        self._stopped = False  # the last save met a conflict or a closed meeting: no automatic save again
        self._last_key = 0.0
        self._conflict_waiting: Conflict | None = None  # a conflict waiting for the typing to pause
        self._conflict_open = False
        self._saved_at = ""  # when this screen last saved the plan (the line under it shows it)
        self._said_saving = False
        self._resolving = False  # the text chosen in the conflict dialog is being saved
        self._status_before: dict[int, str] = {}  # an action's status before d / x (the same key again restores it)

    @property
    def readonly(self) -> bool:
        return bool(self.less_app.service.meeting and self.less_app.service.meeting.closed)

    @property
    def in_stack(self) -> bool:
        """Shown or under another screen (not yet left)."""
        try:
            return self in self.app.screen_stack
        except Exception:
            return False

    # ------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        d = self.detail
        r = d.row
        yield ScreenTitle(id="screen-title")
        yield Static(self.facts_text(), id="facts")  # always in view, above the scrolling form
        # the form scrolls to the focused field; the scroll container itself is not a Tab stop
        with VerticalScroll(id="decision", can_focus=False):
            yield Label(t("dec.timeline"), classes="section")
            yield Timeline(d.certs, self.less_app.service.date, id="timeline")
            with Vertical(classes="field", id="history-field"):
                yield Label(t("dec.history"), classes="section")
                # all three are always there (shown or not), so that another case can be shown in them
                yield Static(self._history_plans(), id="history-plans", markup=False)
                yield ActionTable(self._history_actions(), with_meeting=True, editable=False, id="history-actions")
                yield Static(t("dec.no_history"), classes="dim", id="no-history")
            with Vertical(classes="field", id="plan-field"):
                yield Label(t("dec.plan"), classes="section")
                area = PlanArea(d.plan, id="plan", soft_wrap=True, tab_behavior="focus", read_only=self.readonly,
                                show_line_numbers=False)
                area.placeholder = t("dec.plan_placeholder_readonly" if self.readonly else "dec.plan_placeholder")
                yield area
                yield Static("", id="save-state")
            with Vertical(classes="field", id="actions-field"):
                yield Label(t("dec.actions"), classes="section")
                yield ActionTable(d.actions, with_meeting=False, editable=True, id="actions")
                yield Static(t("dec.no_actions_closed" if self.readonly else "dec.no_actions"), id="no-actions",
                             classes="dim")
            with Horizontal(id="status-row"):
                with Vertical(classes="field"):
                    yield Label(t("dec.coordinator_status"), classes="field-label")
                    # shown in the screen's language; the stored value stays Rehabstöd's term
                    yield LessSelect([(coordinator_status_text(s), s) for s in COORDINATOR_STATUSES],
                                 value=r.coordinator_status,
                                 allow_blank=False, id="coordinator", disabled=self.readonly)
                with Vertical(classes="field"):
                    yield Label(t("dec.assessor"), classes="field-label")
                    yield LessSelect([(t(f"assessor.{a or 'none'}"), a) for a in ASSESSORS],
                                 value=d.assessor if d.assessor in ASSESSORS else "", allow_blank=False,
                                 id="assessor", disabled=self.readonly)
                with Vertical(classes="field"):
                    yield Label(t("dec.rehab_plan"), classes="field-label")
                    # the field's label says what it is; the field says Ja / Nej (fits at 80x24)
                    yield YesNo("", value=r.rehab_plan, id="rehab-plan", disabled=self.readonly)
        yield LessFooter()

    def _history_plans(self) -> Text:
        plans = Text()
        for h in self.detail.history:
            if h.plan.strip():
                plans.append(f"{h.meeting_date.isoformat()}  ", style="bold")
                plans.append(strip_controls(h.plan.strip()) + "\n")
        return plans

    def _history_actions(self) -> list[ActionInfo]:
        return [a for h in self.detail.history for a in h.actions]

    def _show_history_parts(self) -> None:
        has = bool(self.detail.history)
        self.query_one("#history-plans").display = has
        self.query_one("#no-history").display = not has

    def facts_text(self) -> Text:
        """The case in three to four lines. A line is broken only between its parts (" · "), never in
        the middle of one ("Dag 180 passerad för 8 / dagar sedan" cannot happen)."""
        d = self.detail
        r = d.row
        width = max(20, self.app.size.width - 2)  # the facts' padding
        who = patient_label(r.pnr, r.name, masked=self.less_app.masked)
        docs = doctors_text(r.doctors, r.lower_bound)
        first = [(f"{t('col.case')} {r.case_no}  {one_line(who)}", "bold"), (f"{r.age}", ""),
                 (f"{r.diagnosis} ({r.chapter})", ""), (f"{r.degree} %", ""),
                 (t("dec.doctors", n=docs) if r.lower_bound else counted("dec.doctors", r.doctors),
                  "bold" if r.doctors >= 2 else ""),
                 (f"{t('col.coordinator')}: {coordinator_status_text(r.coordinator_status)}", "")]
        # the day number so far and the planned length are named, never two bare numbers
        second = [(t("dec.episode", start=r.start.isoformat(), end=r.end.isoformat()), "")]
        ended = r.end < self.less_app.service.date  # in the queue only for an action due
        if ended:
            second.append((t("dec.ended", end=r.end.isoformat(), length=r.length), "bold"))
        else:
            from .. import clock

            # "i dag" only at today's meeting; an earlier one (read afterwards) counts to its own date
            today = self.less_app.service.date == clock.today()
            second += [(t("dec.day_now" if today else "dec.day_at", day=r.day,
                          date=self.less_app.service.date.isoformat()), "bold"),
                       (t("dec.planned_length", length=r.length), "")]
        cp = r.checkpoint if r.checkpoint and r.checkpoint[1] <= 0 else None  # passed since the last meeting
        if ended:
            pass
        elif cp is not None:
            second.append((t("dec.checkpoint_passed", cp=cp[0], days=-cp[1]) if cp[1] < 0 else
                           checkpoint_text(cp), "bold reverse"))
        elif d.next_checkpoint:
            cpn, days = d.next_checkpoint
            second.append((t("dec.next_checkpoint", cp=cpn, days=days), "bold yellow" if days <= 30 else ""))
        else:
            second.append((t("dec.past_checkpoints"), "bold red"))
        txt = _flow(first, width)
        txt.append("\n")
        txt.append_text(_flow(second, width))
        if r.reasons:
            reasons = [(label, "bold reverse" if now else "italic")
                       for label, now in reason_labels(r.reasons, r.checkpoint)]
            label = t("col.reasons") + ": "
            txt.append("\n" + label, style="italic")
            txt.append_text(_flow(reasons, width, sep=", ", sep_style="italic", used=len(label)))
        if r.lower_bound:
            txt.append("\n" + t("ctx.lower_bound"), style="dim")
        if self.readonly:
            txt.append("\n" + t("dec.readonly"), style="bold reverse")
        return txt

    def _update_facts(self) -> None:
        try:
            self.query_one("#facts", Static).update(self.facts_text())
        except NoMatches:  # being composed anew (a language switch)
            pass

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A closed meeting does not offer a new action in the footer (F2 still says why: ``on_key``)."""
        if action == "add_action" and self.readonly:
            return None  # shown dimmed, not offered as if it worked
        return True

    def palette_fields(self) -> list[tuple[str, str]]:
        fields = [(t("dec.plan"), "plan"), (t("dec.actions"), "actions")]
        if not self.readonly:  # (the statuses cannot be changed on a closed meeting: not offered)
            # (REKO-status: "rehab" is the rehab plan's first word, the coordinator status's too in Swedish)
            fields += [(t("dec.goto_coordinator"), "coordinator"), (t("dec.assessor"), "assessor"),
                       (t("dec.rehab_plan"), "rehab-plan")]
        return fields

    def on_key(self, event: events.Key) -> None:
        """The new-action key, or an action's key (done, dropped …), on a closed meeting: its binding is
        disabled (dimmed), so the key would do nothing at all; say why instead."""
        table = self.focused if isinstance(self.focused, ActionTable) else None
        table_keys = table._bindings.key_to_bindings.get(event.key, ()) if table is not None else ()
        if self.readonly and (any(b.action == "add_action" for b in self._bindings.key_to_bindings.get(event.key, ()))
                              or any(b.action.startswith("request") for b in table_keys)):
            event.stop()
            event.prevent_default()
            self.notify(t("dec.readonly"), severity="warning", markup=False)

    def shown_as_kept(self) -> None:
        """About to be shown again as the kept screen (``LessApp.keep_decision_screen``): what it is styled
        by did not change while it was hidden (a theme, projector or size change lets it go), so its
        resume need not style its ~80 widgets anew (most of the time Enter took)."""
        self._styles_current = True

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        if getattr(self, "_styles_current", False):
            self._styles_current = False
            event.refresh_styles = False  # (Textual's own handler runs next, with this)

    @property
    def replaced(self) -> bool:
        """Taken down before it was set up: following the presenter, the next case came while this screen
        was still being built and a new screen took its place, or the app is ending (its widgets are going)."""
        try:
            app = self.app
            return (not self.is_attached or not app.is_running or app._closing or self._closing
                    or self not in app.screen_stack)
        except Exception:
            return True

    def on_mount(self) -> None:
        if self.replaced:
            return  # (its widgets are going: nothing to set up, and the new screen releases the held keys)
        self.title = f"{t('screen.decision')} – {t('col.case')} {self.detail.row.case_no}"
        self.sub_title = self.position_text()
        self.query_one("#no-actions").display = not self.detail.actions
        self._show_history_parts()
        area = self.query_one("#plan", TextArea)
        area.move_cursor(area.document.end)  # what is typed goes on after the plan already written
        area.focus(scroll_visible=False)
        self.call_after_refresh(self._show_top_and_plan)
        self.call_after_refresh(self._set_ready)
        # names masked or shown (m, the palette; projector mode masks them): the facts say the case anew
        self.watch(self.less_app, "masked", self._update_facts, init=False)
        if self.recovered is not None:
            self.call_after_refresh(self._restore_recovered)

    async def recompose(self) -> None:
        """Composed anew (a language switch): the plan as it is in the editor, saved or not, stays
        (``Translated.recompose`` keeps the cursor and the focused field); nothing counts as typed."""
        self.detail.plan = self._plan_text()
        self._ready = False
        try:
            await super().recompose()
        finally:
            self.title = f"{t('screen.decision')} – {t('col.case')} {self.detail.row.case_no}"
            self.sub_title = self.position_text()
            try:
                self.query_one("#no-actions").display = not self.detail.actions
                self._show_history_parts()
            except Exception:
                pass
            self.call_after_refresh(self._set_ready)

    # ------------------------------------------------------------ another case in the same screen
    def can_refill(self, hidden: bool = False) -> bool:
        """Nothing of this case is on its way (a save, a retry, a conflict): the next case can be shown in
        this screen's widgets instead of a new screen (composing ~80 widgets is most of opening a case).
        ``hidden``: the screen was left for the queue and is kept (``LessApp.keep_decision_screen``)."""
        shown = (self.app.screen is not self and self.is_running and not self._closing) if hidden \
            else self.app.screen is self
        return (self.is_mounted and self._ready and shown and not self._saving
                and self._timer is None and self._retry is None and self._failing is None
                and not self._stopped and not self._conflict_open and self._conflict_waiting is None
                and not self._resolving and not self.less_app.unsaved())  # (an action or status on its way)

    def refill(self, detail: CaseDetail, recovered: Recovered | None = None) -> None:
        """Show ``detail`` (F8/F7, following the presenter) in this screen, as a new screen would: the
        plan focused with the cursor at its end, the form at its top, nothing counted as typed."""
        self._ready = False
        self.detail = detail
        self.recovered = recovered
        self.version = detail.version
        self._saved_text = detail.plan
        self._dirty_since = None
        self._again = False
        self._attempts = 0
        self._last_key = 0.0
        self._saved_at = ""
        self._said_saving = False
        r = detail.row
        self.title = f"{t('screen.decision')} – {t('col.case')} {r.case_no}"
        self.sub_title = self.position_text()
        self.query_one("#facts", Static).update(self.facts_text())
        timeline = self.query_one("#timeline", Timeline)
        timeline.show(detail.certs, self.less_app.service.date)
        self.query_one("#history-plans", Static).update(self._history_plans())
        history = self.query_one("#history-actions", ActionTable)
        history.actions = self._history_actions()
        history.fill()
        self._show_history_parts()
        area = self.query_one("#plan", TextArea)
        area.read_only = self.readonly
        area.placeholder = t("dec.plan_placeholder_readonly" if self.readonly else "dec.plan_placeholder")
        area.load_text(detail.plan)  # (a new undo history: Ctrl+Z never brings back the last case's plan)
        area.move_cursor(area.document.end)  # what is typed goes on after the plan already written
        self._line("")
        self.show_actions(detail.actions)
        # the stored values of this case (the handlers write only a value that differs from the case's)
        coordinator = self.query_one("#coordinator", Select)
        assessor = self.query_one("#assessor", Select)
        rehab = self.query_one("#rehab-plan", YesNo)
        with self.prevent(Select.Changed, YesNo.Changed):
            coordinator.value = r.coordinator_status
            assessor.value = detail.assessor if detail.assessor in ASSESSORS else ""
            rehab.value = r.rehab_plan
        for w in (coordinator, assessor, rehab):
            w.disabled = self.readonly
        area.focus(scroll_visible=False)
        self.call_after_refresh(self._show_top_and_plan)
        self.call_after_refresh(self._set_ready)
        if recovered is not None:
            self.call_after_refresh(self._restore_recovered)
        if self.is_current:
            self.call_later(self._draw_now)

    def _draw_now(self) -> None:
        """Lay out and draw the refilled screen now (F8/F7), not at the screen's next update slot.

        Textual draws a screen at most every 1/60 s on a fixed grid of slots; whatever was drawn just
        before the key (the "saved" line of the plan the key saved) took the slot, and the next case
        then waited up to a whole slot, plus its own layout. This is that update, run at once (Textual
        8.2's own ``Screen._on_timer_update``: it pauses the timer, lays out what is marked, draws, and
        runs the callbacks waiting for a refresh); the timer's next slot then finds nothing to do."""
        if self.is_current and not self.replaced:
            self._on_timer_update()

    def plan_unsaved(self) -> bool:
        """The plan in the editor is not the text saved (nothing is unsaved on a closed meeting)."""
        try:
            return not self.readonly and self.query_one("#plan", TextArea).text != self._saved_text
        except Exception:
            return False

    def _plan_text(self) -> str:
        """The text in the editor (while the screen is being composed anew: what it held)."""
        try:
            return self.query_one("#plan", TextArea).text
        except Exception:
            return self.detail.plan

    # ------------------------------------------------------------ text kept at an exit
    def _recovery_key(self) -> tuple[str, str, object, int]:
        app = self.less_app
        return (app.engine.url.render_as_string(hide_password=True), app.service.unit_code, app.service.date,
                self.detail.row.case_no)

    def _restore_recovered(self) -> None:
        """Put the text kept at the last exit back in the editor and save it over the version it was
        typed on: if the plan was changed since, that save meets the conflict and the dialog asks."""
        from .. import recovery

        rec = self.recovered
        if rec is None or self.readonly or self.replaced:
            return  # a closed meeting: the file stays (the meeting may be reopened)
        if rec.text == self.detail.plan:
            recovery.drop(rec.path)  # it was saved after all
            self.recovered = None
            return
        self._put_text(rec.text)
        # as when the app went: the text was typed over the base of that version (so another session's
        # save since then is a conflict, never overwritten)
        self.version, self._saved_text = rec.version, rec.base
        changed = self.detail.plan != rec.base
        self.notify(t("dec.recovered_conflict" if changed else "dec.recovered", when=rec.when), markup=False,
                    timeout=8)
        self._say_saving()
        self._start_save()

    def keep_unsaved(self) -> Path | None:
        """The app has to go now: write the plan to a recovery file if it is not saved (fast, local)."""
        from .. import recovery

        if self.readonly:
            return None
        text = self._plan_text()
        if text == self._saved_text:
            return None
        db, unit, date, case_no = self._recovery_key()
        return recovery.keep(db, unit, date, case_no, self._saved_text, self.version, text)

    def save_for_exit(self) -> None:
        """A hang-up or SIGTERM: keep unsaved text in a file first, then try to save it once; the file
        is removed only when the plan is in the database."""
        from .. import recovery

        try:
            path = self.keep_unsaved()
        except OSError:
            path = None
        try:
            self.flush(wait=EXIT_LOCK_WAIT)
        except Exception:
            pass
        if path is not None and self._plan_text() == self._saved_text:
            recovery.drop(path)

    def scroll_to_center(self, widget, *args, **kwargs) -> None:
        """A field that gets the focus is scrolled into view as little as needed, not to the middle of
        the screen (Textual's default), so the certificates' timeline at the top stays in view as long
        as it can."""
        if self.focused is widget:
            self.scroll_to_widget(widget, animate=False, immediate=True)

    def _show_top_and_plan(self) -> None:
        """The form opens at its top (the certificates' timeline, the earlier decisions), scrolled down
        only as far as the plan needs to be in view."""
        if self.replaced:
            return
        form = self.query_one("#decision", VerticalScroll)
        form.scroll_home(animate=False, immediate=True)
        form.scroll_to_widget(self.query_one("#plan-field"), animate=False, immediate=True)

    def on_resize(self) -> None:
        """The action tables' columns follow the terminal's width."""
        for table in self.query(ActionTable):
            if table.actions:
                table.fill(table.cursor_row)

    def position_text(self) -> str:
        """Where this case is in the queue the room walks ("3 av 25")."""
        q = self.less_app.queue_screen()
        rows = q.shown_rows if q is not None and q.shown_rows else []
        nos = [r.case_no for r in rows]
        if self.detail.row.case_no in nos:
            return t("dec.position", pos=nos.index(self.detail.row.case_no) + 1, total=len(nos))
        return ""

    def _set_ready(self) -> None:
        if self.replaced:
            return
        self._ready = True
        self.less_app.release_held_keys(("case", self.detail.row.case_no))

    # ------------------------------------------------------------ autosave
    @on(TextArea.Changed, "#plan")
    def plan_changed(self) -> None:
        if not self._ready or self.readonly:
            return
        if self._timer is None and self._dirty_since is None and self._plan_text() == self._saved_text:
            return  # the text as stored (a case just shown, its plan loaded): nothing typed, nothing to save
        now = time.monotonic()
        self._last_key = now
        if self._failing is not None:
            return  # the retry under way takes the text as it is then; the line says it is not saved
        if self._conflict_waiting is not None or self._conflict_open or self._resolving:
            return  # the conflict dialog (once the typing pauses) decides what is saved; then the rest
        self._say_saving()
        if self._dirty_since is None:
            self._dirty_since = now
        # SAVE_DELAY after the last key, but never later than SAVE_MAX_DELAY after the first unsaved one:
        # typing without a pause is saved too
        delay = max(0.01, min(SAVE_DELAY, self._dirty_since + SAVE_MAX_DELAY - now))
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(delay, self._save_soon)

    def _save_soon(self) -> None:
        self._timer = None
        if self._saving:
            self._again = True
            return
        self._start_save()

    def _start_save(self) -> None:
        if self.readonly or not self.in_stack:
            return
        self._stopped = False
        self._again = False
        self._dirty_since = None
        self._saving = True
        self.save_in_worker(self._plan_text())

    def _say_saving(self) -> None:
        self._said_saving = True  # until a save (or a save that finds the text stored) says "saved"
        self._line(t("dec.saving"))

    def _line(self, text: str, style: str = "") -> None:
        """The one line under the plan: saving, saved, not saved yet."""
        try:
            self.query_one("#save-state", Static).update(Text(text, style=style))
        except Exception:  # the screen is going away
            pass

    def on_descendant_focus(self, event) -> None:
        """Mark the field that has the focus (its label), besides the widget's own focus border.

        Done here rather than with ``:focus-within`` in CSS, which Textual does not restyle when
        the focus moves between siblings."""
        if getattr(event.widget, "id", None) == "history-actions":  # the first field: the top of the form too
            form = self.query_one("#decision", VerticalScroll)
            form.scroll_home(animate=False, immediate=True)
            form.scroll_to_widget(event.widget, animate=False, immediate=True)
        active = next((a for a in event.widget.ancestors_with_self if a.has_class("field")), None)
        for field in self.query(".field"):
            field.set_class(field is active, "-active")

    def on_descendant_blur(self, event) -> None:
        if getattr(event.control, "id", None) == "plan":
            self.flush()

    @work(thread=True, group="save")
    def save_in_worker(self, text: str) -> None:
        try:
            self._save(text)
        finally:
            self.post_message(self.SaveEnded())

    def _save(self, text: str, on_loop: bool = False, wait: float | None = None) -> bool:
        """Save ``text`` if it differs from what was saved. Serialized by a lock. False when it is not
        saved because the database failed (then a retry is scheduled and the text stays in the editor).

        ``on_loop``: called on the event loop (``flush``); if the database failed a moment ago it is
        not tried again there (that would freeze the screen for the busy timeout): the retry does it.
        ``wait``: at most that many seconds for the lock, then False (not saved: the caller keeps it)."""
        if not self._lock.acquire(timeout=-1 if wait is None else wait):
            return False
        try:
            return self._save_locked(text, on_loop)
        finally:
            self._lock.release()

    def _save_locked(self, text: str, on_loop: bool) -> bool:
        if text == self._saved_text:  # nothing is unsaved (typed back to what is stored, or put back)
            if self._failing is not None or self._said_saving:
                self._failing = None
                self._post_saved(self.version, changed=False)  # the line under the plan says so
            return True
        if on_loop and self._failing is not None:
            return False
        try:
            _, v = self.less_app.service.save_plan(self.detail.row.case_no, text, self.version)
        except Conflict as c:
            self._failing = None
            self._stopped = True  # the conflict dialog decides what is saved
            self.post_message(self.ConflictFound(text, c))
            return True
        except ReadOnly:
            self._failing = None
            self._stopped = True
            self.post_message(self.ClosedElsewhere())
            return True
        except Exception as e:
            if not is_db_error(e):
                raise
            self._failing = e
            self.post_message(self.SaveFailed(e))
            return False
        self.version = v
        self._saved_text = text
        self._failing = None
        self._post_saved(v)
        return True

    def _post_saved(self, version: int, changed: bool = True) -> None:
        if changed or not self._saved_at:
            self._saved_at = _now_hms()  # (nothing written: the time of the last save stays)
        self.post_message(self.Saved(version, self._saved_at, changed, self.detail.row.case_no))

    def flush(self, wait: float | None = None) -> bool:
        """Save now, in this thread (leaving the screen, losing focus, a hang-up). False when the plan
        could not be saved: it stays in the editor and is tried again (callers then stay here).
        ``wait``: give up after that many seconds if a save in a worker holds the lock (a signal
        handler must not wait for a worker stuck on a locked database, nor for itself)."""
        if self.readonly or not self.is_mounted:
            return True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        try:
            text = self.query_one("#plan", TextArea).text
        except Exception:
            return True
        self._dirty_since = None
        return self._save(text, on_loop=True, wait=wait)

    def may_leave(self) -> bool:
        """Save the plan before leaving the case; if it cannot be saved now, stay (the text is kept and
        the retry goes on at once) and say so."""
        if self.flush():
            return True
        self.notify(t("dec.not_saved_stay"), severity="warning", markup=False)
        self._retry_now()
        return False

    def on_decision_screen_saved(self, msg: Saved) -> None:
        if msg.case_no != self.detail.row.case_no:
            return  # saved for the case shown before this one (F8/F7)
        self._attempts = 0
        if self.recovered is not None and self._plan_text() == self._saved_text:
            from .. import recovery

            recovery.drop(self.recovered.path)  # the kept text is in the database now
            self.recovered = None
        if self._retry is not None:
            self._retry.stop()
            self._retry = None
        if not self.less_app.writes_failing() and self._timer is None:  # (with newer keys: still "saving …")
            self._said_saving = False
            self._line(t("dec.saved", time=msg.when))
        if msg.changed:
            self.less_app.mark_decided(self.detail.row.case_no)

    def on_decision_screen_save_failed(self, msg: SaveFailed) -> None:
        self._attempts += 1
        delay = retry_delay(self._attempts)
        self._line(t("dec.not_saved", reason=db_trouble(msg.error), seconds=f"{delay:g}"), "bold red")
        if self._attempts == 1:
            self.notify(t("db.not_saved", reason=db_trouble(msg.error)), severity="warning", markup=False)
        if self._retry is None:
            self._retry = self.set_timer(delay, self._retry_save)

    def _retry_save(self) -> None:
        self._retry = None
        if self._saving:
            self._again = True
        else:
            self._start_save()

    def _retry_now(self) -> None:
        if self._retry is not None:
            self._retry.stop()
            self._retry_save()

    def on_decision_screen_save_ended(self, msg: SaveEnded) -> None:
        self._saving = False
        if self._failing is not None or self._timer is not None or self._stopped:
            return  # the retry, or the timer of the latest keys, saves next (or the conflict dialog decides)
        try:
            text = self.query_one("#plan", TextArea).text
        except Exception:
            return
        if self._again or text != self._saved_text:
            self._start_save()

    def on_decision_screen_closed_elsewhere(self, msg: ClosedElsewhere) -> None:
        self.became_readonly()

    def on_decision_screen_reopened_elsewhere(self, msg: ReopenedElsewhere) -> None:
        """Another session reopened the meeting: the plan, the statuses and the actions' keys work again."""
        area = self.query_one("#plan", TextArea)
        area.read_only = False
        area.placeholder = t("dec.plan_placeholder")
        for wid in ("#coordinator", "#assessor", "#rehab-plan"):
            self.query_one(wid).disabled = False
        self._stopped = False
        self.query_one("#facts", Static).update(self.facts_text())
        if not self.detail.actions:
            self.query_one("#no-actions", Static).update(t("dec.no_actions"))
        self.refresh_bindings()
        self.notify(t("dec.reopened_elsewhere"), markup=False)

    def became_readonly(self) -> bool:
        """Another session closed the meeting: nothing more is written; what was typed stays to read."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._retry is not None:
            self._retry.stop()
            self._retry = None
        self._failing = None
        unsaved = self.query_one("#plan", TextArea).text != self._saved_text
        self.query_one("#plan", TextArea).read_only = True
        self.query_one("#plan", TextArea).placeholder = t("dec.plan_placeholder_readonly")
        for wid in ("#coordinator", "#assessor", "#rehab-plan"):
            self.query_one(wid).disabled = True
        self.query_one("#facts", Static).update(self.facts_text())
        if not self.detail.actions:
            self.query_one("#no-actions", Static).update(t("dec.no_actions_closed"))
        self.refresh_bindings()  # F2 and the actions' keys dimmed (they say why)
        if unsaved:
            self._line(t("dec.closed_elsewhere"), "bold red")
        self.notify(t("dec.closed_elsewhere") if unsaved else t("dec.readonly"), severity="warning",
                    markup=False, timeout=10)
        return True

    def write_failed(self, error: BaseException, delay: float) -> None:
        """A write of this screen (an action, a status) waits for the database (from the app's writer)."""
        self._line(t("dec.not_saved", reason=db_trouble(error), seconds=f"{delay:g}"), "bold red")

    def writes_done(self) -> None:
        """The app's writes that waited are saved."""
        if self._failing is None:
            from .. import clock

            self._line(t("dec.saved", time=clock.now().strftime("%H:%M:%S")))

    def on_decision_screen_conflict_found(self, msg: ConflictFound) -> None:
        if self._conflict_open or self._resolving:
            return
        self._conflict_waiting = msg.conflict
        self._conflict_when_quiet()

    def _conflict_when_quiet(self) -> None:
        """Show the conflict once the typing pauses, with everything typed: a save can meet the other
        session's text in the middle of a word (typing is saved every second), and a dialog opened
        then would take the next letters."""
        if self._conflict_waiting is None or not self.in_stack:
            return
        quiet = time.monotonic() - self._last_key
        if quiet < CONFLICT_QUIET:
            self.set_timer(max(0.01, CONFLICT_QUIET - quiet), self._conflict_when_quiet)
            return
        conflict, self._conflict_waiting = self._conflict_waiting, None
        self._show_conflict(self.query_one("#plan", TextArea).text, conflict)

    def _show_conflict(self, mine: str, conflict: Conflict) -> None:
        """Ask which text stands. The answer is saved over the version the dialog showed; if someone
        saved yet again meanwhile the dialog comes back with their newest text."""
        self._conflict_open = True

        def chosen(text: str | None) -> None:
            self._conflict_open = False
            if text is None:  # (the dialog always answers; Escape keeps both)
                text = mine
            self._put_text(text)
            self._resolving = True

            def saved(result) -> None:
                self._resolving = False
                if isinstance(result, Conflict):
                    self._show_conflict(self.query_one("#plan", TextArea).text, result)
                    return
                self.version = result[1]
                self._saved_text = text
                self._stopped = False
                self._post_saved(result[1])
                if self.query_one("#plan", TextArea).text != text and not self._saving:
                    self._start_save()  # typed after choosing

            self.run_db(self.less_app.service.resolve_plan, self.detail.row.case_no, text, conflict.version,
                        then=saved)

        self.app.push_screen(ConflictDialog(mine, conflict.theirs, conflict.user, conflict.when), chosen)

    def _put_text(self, text: str) -> None:
        """Put ``text`` in the editor without it counting as typed (no save of its own)."""
        area = self.query_one("#plan", TextArea)
        if area.text == text:
            return
        self._ready = False
        area.text = text
        area.move_cursor(area.document.end)
        self.call_after_refresh(self._set_ready)

    # ------------------------------------------------------------ the rest of the form
    @on(Select.Changed, "#coordinator")
    def coordinator_changed(self, event: Select.Changed) -> None:
        if self._ready and event.value != self.detail.row.coordinator_status:
            self.detail.row.coordinator_status = str(event.value)
            self.query_one("#facts", Static).update(self.facts_text())
            self.run_db(self.less_app.service.set_status, self.detail.row.case_no, "coordinator", str(event.value),
                        then=self._reasons_now(self.detail.row))

    @on(Select.Changed, "#assessor")
    def assessor_changed(self, event: Select.Changed) -> None:
        if self._ready and event.value != self.detail.assessor:
            self.detail.assessor = str(event.value)
            self.run_db(self.less_app.service.set_assessor, self.detail.row.case_no, str(event.value))

    @on(YesNo.Changed, "#rehab-plan")
    def plan_flag_changed(self, event: YesNo.Changed) -> None:
        if self._ready and event.value != self.detail.row.rehab_plan:
            self.detail.row.rehab_plan = event.value
            self.run_db(self.less_app.service.set_status, self.detail.row.case_no, "rehab_plan",
                        "ja" if event.value else "nej", then=self._reasons_now(self.detail.row))

    def _reasons_now(self, row):
        """After a status is stored: the case's reasons as they are now, on the facts (the "no coordinator"
        or "no rehab plan" it took away was still shown until the case was left)."""

        def show(reasons: list[str] | None) -> None:
            if reasons is None or row is not self.detail.row:
                return  # not ranked by this session, or another case is shown by now
            row.reasons = reasons
            self._update_facts()

        return show

    def run_db(self, fn, *args, then=None) -> None:
        """A database write off the event loop, through the app's writer (in order; kept and tried again
        while the database is busy, locked, full or gone); ``then(result)`` runs back on the event loop
        while this screen is shown."""

        def done(result) -> None:
            if then is not None and self.in_stack:
                then(result)

        self.less_app.write(fn, *args, then=done, case_no=self.detail.row.case_no)

    def show_actions(self, actions: list[ActionInfo], keep_row: int | None = None) -> None:
        """Show this meeting's actions (after an add, edit, removal or another session's change)."""
        self.detail.actions = actions
        try:
            table = self.query_one("#actions", ActionTable)
            empty = self.query_one("#no-actions")
        except NoMatches:  # the screen is being taken down (the app ends, a language switch rebuilds it)
            return
        table.actions = actions
        table.fill(keep_row)
        empty.display = not actions
        empty.update(t("dec.no_actions_closed" if self.readonly else "dec.no_actions"))
        if not actions and self.focused is table:
            self.query_one("#plan", TextArea).focus()

    @on(ActionTable.Request)
    def action_requested(self, msg: ActionTable.Request) -> None:
        msg.stop()
        if self.readonly:
            self.notify(t("dec.readonly"), severity="warning")
            return
        a = msg.action
        table = msg.table
        row = table.cursor_row
        if msg.what in ("done", "dropped"):
            if a.status == msg.what:  # the same key again undoes it: back to the status it had ("klar" too)
                status = self._status_before.pop(a.id, "open")
            else:
                self._status_before[a.id] = a.status
                status = msg.what

            def marked(_) -> None:
                for x in table.actions:
                    if x.id == a.id:
                        x.status = status
                table.fill(row)
                # said, with how to undo it (the same key again)
                if status == msg.what:
                    note = t(f"dec.marked_{status}", kind=one_line(a.kind), letter=table.key_for(msg.what))
                else:
                    note = t("dec.marked_back", kind=one_line(a.kind), status=t(f"status.{status}"))
                self.notify(note, markup=False)

            self.run_db(self.less_app.service.set_action_status, a.id, status, then=marked)
            return
        if not table.editable:
            self.notify(t("dec.only_this_meeting"), severity="warning")
            return
        if msg.what == "edit":
            def edited(result) -> None:
                if not result:
                    return
                kind, owner, due = result
                self.run_db(self.less_app.service.edit_action, a.id, kind, owner, due,
                            then=lambda info: self.show_actions(
                                [info if x.id == info.id else x for x in self.detail.actions], row))

            self.app.push_screen(self._action_dialog(initial=(a.kind, a.owner, a.due)), edited)
        elif msg.what == "delete":
            def answer(yes: bool | None) -> None:
                if yes:
                    self.run_db(self.less_app.service.delete_action, a.id,
                                then=lambda _: self.show_actions([x for x in self.detail.actions if x.id != a.id],
                                                                 row))

            self.app.push_screen(ConfirmDialog(t("dec.delete_confirm", kind=a.kind, owner=a.owner)), answer)

    def _action_dialog(self, initial=None) -> AddActionDialog:
        roster = [m.name for m in self.less_app.cfg.team]
        return AddActionDialog(self.less_app.cfg.catalogue, roster, self.detail.default_due,
                               earliest=self.less_app.service.date, initial=initial,
                               abbreviations=self.less_app.cfg.abbreviations)

    def action_add_action(self) -> None:
        if self.readonly:
            self.notify(t("dec.readonly"), severity="warning")
            return

        def added(result) -> None:
            if not result:
                return
            kind, owner, due = result

            def added_row(a) -> None:
                if any(x.id == a.id for x in self.detail.actions):
                    return
                self.show_actions([*self.detail.actions, a], len(self.detail.actions))

            self.run_db(self.less_app.service.add_action, self.detail.row.case_no, kind, owner, due, then=added_row)

        self.app.push_screen(self._action_dialog(), added)

    def action_back(self) -> None:
        if self.may_leave():
            if self.can_refill():
                self.less_app.keep_decision_screen(self)  # the next case opened is shown in it
            self.app.pop_screen()

    def action_next_case(self) -> None:
        if self.may_leave():
            self.less_app.step_case(self.detail.row.case_no, +1)

    def action_prev_case(self) -> None:
        if self.may_leave():
            self.less_app.step_case(self.detail.row.case_no, -1)

    # ------------------------------------------------------------ other sessions
    def refresh_from_db(self) -> None:
        self._fetch_state()

    @work(thread=True, exclusive=True, group="fresh")
    def _fetch_state(self) -> None:
        case_no = self.detail.row.case_no
        was_open = not self.readonly
        try:
            state = self.less_app.service.review_state(case_no)
        except Exception as e:
            if is_db_error(e):
                return  # the next change, or the next save, brings it
            raise
        if state is not None:
            self.post_message(self.Fresh(state, case_no))
        if was_open and self.readonly:  # another session closed the meeting: said now, not at the next save
            self.post_message(self.ClosedElsewhere())
        elif not was_open and not self.readonly:  # reopened in another session: writable again here too
            self.post_message(self.ReopenedElsewhere())

    def on_decision_screen_fresh(self, msg: Fresh) -> None:
        if msg.case_no != self.detail.row.case_no:
            return  # read for the case shown before this one (F8/F7)
        plan, version, actions = msg.state
        area = self.query_one("#plan", TextArea)
        dirty = area.text != self._saved_text or self._timer is not None or self._saving
        if version != self.version and plan != self._saved_text and not dirty:
            # someone else saved and nothing typed here is unsaved: show their text
            self._ready = False
            row, col = area.cursor_location
            at_end = area.cursor_location == area.document.end
            area.text = plan  # (puts the cursor at the start: typing on would go in front of their text)
            if at_end:
                area.move_cursor(area.document.end)
            else:  # the same place, as far as the new text reaches
                row = min(row, area.document.line_count - 1)
                area.move_cursor((row, min(col, len(area.document.get_line(row)))))
            self._saved_text = plan
            self.version = version
            self.call_after_refresh(self._set_ready)
            self.query_one("#save-state", Static).update(t("dec.updated"))
        elif version != self.version and plan == self._saved_text:
            self.version = version
        key = [(a.id, a.kind, a.owner, a.due, a.status) for a in actions]
        if key != [(a.id, a.kind, a.owner, a.due, a.status) for a in self.detail.actions]:
            self.show_actions(actions, self.query_one("#actions", ActionTable).cursor_row)

    def action_copy(self) -> None:
        r = self.detail.row
        plan = self.query_one("#plan", TextArea).text.strip()
        acts = "; ".join(f"{a.kind} ({a.owner}, {a.due.isoformat() if a.due else '–'})" for a in self.detail.actions)
        self.less_app.copy_case(f"{t('col.case')} {r.case_no} {r.masked()} {r.diagnosis}: {plan}" + (f" — {acts}" if acts else ""))
