"""The Textual application the coordinator projects during the FMT meeting."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from collections import deque
from functools import partial
from typing import TYPE_CHECKING, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.reactive import var
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from .widgets.palette import CaseCommands, LessCommandPalette
from .services.errors import NotThisMeeting, ReadOnly, is_db_error
from .widgets.plain import PlainPaste
from .config import Config
from .i18n import language, set_language, t
from .widgets.keyflow import OrderedKeys
from .services.meeting import MeetingService, QueueData
from .screens.base import DataScreen, KeySpec, Translated, db_trouble, retry_delay
from .screens.decision import DecisionScreen
from .screens.help import HelpScreen, bindings_of
from .screens.meetings import MeetingsScreen
from .screens.queue import QueueScreen

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

HIGH_CONTRAST = Theme(
    name="less-high-contrast", primary="#ffff00", secondary="#00ffff", accent="#ffff00", foreground="#ffffff",
    background="#000000", surface="#000000", panel="#202020", success="#00ff00", warning="#ffaf00",
    error="#ff5f5f", dark=True,
)
# actions the palette offers as its own commands (not again as a screen's key)
PALETTE_HAS = {"command_palette", "focus_next", "focus_previous", "summary", "toggle_mask", "meetings", "projector",
               "follow", "quit", "close_meeting", "back", "clear_filter"}
THEMES = {"dark": "textual-dark", "light": "textual-light", "high-contrast": "less-high-contrast"}


class LessApp(OrderedKeys, PlainPaste, Translated, App):
    CSS_PATH = "app.tcss"
    TITLE = "less-tui"
    COMMANDS = App.COMMANDS | {CaseCommands}
    KEYS = [
        KeySpec("ctrl+p", "command_palette", "key.palette", "command_palette", show=False, priority=True),
        # Priority, so that focus moves before the next key of a burst is delivered: over SSH
        # "Tab Space" can arrive in one read, and the space must reach the field Tab went to.
        KeySpec("tab", "focus_next", "key.next_field", "focus_next", show=False, priority=True),
        KeySpec("shift+tab", "focus_previous", "key.prev_field", "focus_previous", show=False, priority=True),
    ]
    # The app-wide keys, declared once: a screen offers one by naming its id in its own KEYS
    # (``AppKeyRef``), which also places it in that screen's footer and help; the action is the app's.
    APP_KEYS = [
        KeySpec("m", "toggle_mask", "key.mask", "mask"),
        KeySpec("p", "projector", "key.projector", "projector"),
        KeySpec("f9", "follow", "key.follow", "follow"),
        KeySpec("question_mark,f1", "help", "key.help", "help"),
        KeySpec("q", "quit", "key.quit", "quit"),
    ]

    # State the screens follow (``watch``): names masked or shown, projector mode, follow the presenter
    masked = var(True)
    projector = var(False)
    following = var(False)

    @classmethod
    def app_key(cls, key_id: str) -> KeySpec:
        """The app-wide key with this id (``AppKeyRef``)."""
        return next(k for k in cls.APP_KEYS if k.id == key_id)

    def __init__(self, cfg: Config, engine: Engine, date: dt.date, lang: str | None = None,
                 projector: bool = False, theme: str | None = None):
        set_language(lang or cfg.language)
        super().__init__()
        self.translate_bindings()
        self.cfg = cfg
        self.engine = engine
        import uuid

        self.session_id = uuid.uuid4().hex[:10]
        self.service = MeetingService(engine, cfg, date, session_id=self.session_id)
        self.following = False
        self._follow_waiting = False  # follow mode waits for this session to be done typing
        self.watcher = None
        self.projector = projector
        self.masked = projector or cfg.privacy.mask_on_screen
        self.theme_name = theme or ("high-contrast" if projector else cfg.ui.theme)
        self.current_queue: QueueData | None = None
        # patients audited as shown identified since the screen was last unmasked (or the meeting opened)
        self.identified_patients: set[int] = set()
        self.title = t("app.title")
        # keys typed before the queue has its rows are held and replayed (nothing typed is lost)
        self.init_key_order(holding=True)
        # database writes of the decision screens (actions, statuses), in order, kept until they succeed
        self._writes: deque = deque()
        self._write_busy = False
        self._write_attempts = 0
        self._write_error: BaseException | None = None
        self._quit_asked = 0.0
        # the decision screen last left for the queue, kept to show the next case opened (composing its
        # ~80 widgets anew was most of the time Enter took)
        self._spare: DecisionScreen | None = None

    # ------------------------------------------------------------ start
    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = THEMES.get(self.theme_name, "textual-dark")
        if self.cfg.keymap:
            self.set_keymap(dict(self.cfg.keymap))
        self.set_class(self.projector, "projector")
        try:
            has_certificates = self.service.has_certificates()
            if has_certificates:
                self.service.open()
        except Exception as e:
            if not is_db_error(e):
                raise
            # the database does not answer now (locked, full, gone): the queue's load opens the meeting,
            # with a line on the queue screen saying it cannot yet and a retry, not a crash
            has_certificates = True
        if has_certificates:
            self.push_screen(QueueScreen())
        else:  # nothing imported yet: say what to do next (no meeting is created)
            from .screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen())
        self.watcher = self.service.change_watcher(self._changed_elsewhere)
        self.watcher.start()

    def leave_welcome(self) -> None:
        """Certificates have arrived and the meeting is open (the welcome screen's worker opened it):
        the queue takes the welcome screen's place."""
        self.switch_screen(QueueScreen())

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()

    def _changed_elsewhere(self) -> None:
        """From the watcher thread: someone (maybe this session) committed a change."""
        try:
            self.call_from_thread(self.on_db_change)
        except RuntimeError:  # the app is shutting down
            pass

    def on_db_change(self) -> None:
        if isinstance(self.screen, DataScreen):
            self.screen.refresh_from_db()
        if self.following:
            self.follow_presenter()

    @work(thread=True, exclusive=True, group="follow")
    def follow_presenter(self) -> None:
        try:
            case_no = self.service.presenter_case()
        except Exception as e:
            if is_db_error(e):
                return  # the next change tries again
            raise
        current = self.screen.detail.row.case_no if isinstance(self.screen, DecisionScreen) else None
        if case_no is not None and case_no != current:
            self.call_from_thread(self._follow_to, case_no)

    # seconds without a key before follow mode takes this session to the presenter's case: a follower
    # typing a plan went on typing into the next case (" två tre" landed there), and a dialog half
    # filled in closed without a word
    FOLLOW_QUIET = 3.0

    def _follow_busy(self) -> bool:
        """Is this session in the middle of something that a move to another case would break?"""
        from textual.screen import ModalScreen

        if isinstance(self.screen, ModalScreen):  # a dialog, the palette, help
            return True
        if time.monotonic() - self.last_key_at < self.FOLLOW_QUIET:
            return True
        return isinstance(self.screen, DecisionScreen) and self.screen.plan_unsaved()

    def _follow_to(self, case_no: int) -> None:
        """Follow mode: open the presenter's case, once this session is not busy (said while it waits)."""
        if not self.following:
            return
        if self._follow_busy():
            if not self._follow_waiting:
                self._follow_waiting = True
                self.notify(t("follow.waiting", case=case_no), markup=False)
            self.set_timer(1.0, self._follow_again)
            return
        self._follow_waiting = False
        self.open_case(case_no)

    def _follow_again(self) -> None:
        if self.following and self._follow_waiting:
            self.follow_presenter()  # (the presenter may have moved on meanwhile)

    def action_follow(self) -> None:
        self.following = not self.following
        self._follow_waiting = False
        self.notify(t("follow.on") if self.following else t("follow.off"))
        if self.following:
            self.follow_presenter()

    def action_command_palette(self) -> None:
        if self.use_command_palette and not LessCommandPalette.is_open(self):
            self.push_screen(LessCommandPalette(id="--command-palette", placeholder=t("cmd.placeholder")))

    def copy_case(self, text: str) -> None:
        """Copy over SSH with OSC 52 (no clipboard program needed)."""
        self.copy_to_clipboard(text)
        self.notify(t("dec.copied"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.service.meeting is None:  # the welcome screen: no meeting to show yet
            yield SystemCommand(t("key.quit"), t("cmd.quit.help"), self.exit)
            return
        yield SystemCommand(t("cmd.queue"), t("cmd.queue.help"), self.show_queue)
        yield SystemCommand(t("cmd.summary"), t("cmd.summary.help"), self.show_summary)
        yield SystemCommand(t("cmd.meetings"), t("cmd.meetings.help"), self.show_meetings)
        yield SystemCommand(t("key.improvement"), t("cmd.improvement.help"), self.show_improvement)
        yield SystemCommand(t("cmd.supervision"), t("cmd.supervision.help"), self.record_supervision)
        yield SystemCommand(t("cmd.training"), t("cmd.training.help"), self.record_training)
        yield SystemCommand(t("cmd.mask"), t("cmd.mask.help"), self.action_toggle_mask)
        yield SystemCommand(t("cmd.projector"), t("cmd.projector.help"), self.action_projector)
        yield SystemCommand(t("key.follow"), t("follow.help"), self.action_follow)
        for name in THEMES:
            yield SystemCommand(t("cmd.theme", theme=t(f"theme.{name}")), t("cmd.theme.help"),
                                lambda n=name: self.set_theme(n))
        for lang in ("sv", "en"):
            if lang != language():
                yield SystemCommand(t("cmd.language", language=t(f"language.{lang}")), t("cmd.language.help"),
                                    lambda lg=lang: self.set_lang(lg))
        # what the screen under the palette (and its focused field) can do by a key, by name too:
        # export, new action, next case, copy …; each says its key
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            b = active.binding
            if not (active.enabled and b.show and b.description) or b.description in seen:
                continue
            if b.action.split("(")[0].removeprefix("app.") in PALETTE_HAS:  # offered above under its own name
                continue
            seen.add(b.description)
            yield SystemCommand(b.description, t("cmd.key", keys=self.get_key_display(b)),
                                partial(self._palette_action, b.action, active.node))
        if isinstance(screen, DataScreen):  # the screen's fields by name ("Gå till Rehabplan finns")
            for label, wid in screen.palette_fields():
                yield SystemCommand(t("cmd.goto", field=label), t("cmd.goto.help"), partial(screen.focus_field, wid))
        if self.service.meeting and not self.service.meeting.closed:
            yield SystemCommand(t("cmd.attendees"), t("cmd.attendees.help"), self.edit_attendees)
            yield SystemCommand(t("cmd.close"), t("cmd.close.help"), self.close_meeting_from_palette)
        if self.service.meeting and self.service.meeting.closed:
            yield SystemCommand(t("cmd.reopen"), t("cmd.reopen.help"), self.reopen_meeting_from_palette)
        yield SystemCommand(t("key.quit"), t("cmd.quit.help"), self.exit)

    def _palette_action(self, action: str, node) -> None:
        """Run a key's action from the palette, on the screen or field the key belongs to."""
        self.call_later(self.run_action, action, node)

    # ------------------------------------------------------------ navigation
    def queue_screen(self) -> QueueScreen | None:
        for s in self.screen_stack:
            if isinstance(s, QueueScreen):
                return s
        return None

    def show_queue(self) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, QueueScreen):
            if isinstance(self.screen, DecisionScreen) and not self.screen.may_leave():
                return
            self.pop_screen()

    def show_summary(self) -> None:
        from .screens.summary import SummaryScreen  # plotext loads only when needed

        if isinstance(self.screen, SummaryScreen):
            return
        if isinstance(self.screen, DecisionScreen) and not self.screen.may_leave():
            return
        self.push_screen(SummaryScreen())

    def show_improvement(self) -> None:
        from .screens.improvement import ImprovementScreen

        if isinstance(self.screen, ImprovementScreen):
            return
        if isinstance(self.screen, DecisionScreen) and not self.screen.may_leave():
            return
        self.push_screen(ImprovementScreen())

    def record_supervision(self) -> None:
        """Record a supervision session (the palette): a dialog, then the write queue."""
        from . import clock
        from .screens.improvement import SupervisionDialog
        from .services.improvement import ImprovementService

        svc = ImprovementService(self.engine, self.cfg, self.service.unit_code)

        def done(_result) -> None:
            self.notify(t("sup.recorded"))
            if isinstance(self.screen, DataScreen):
                self.screen.refresh_from_db()

        def answer(value) -> None:
            if value:
                self.write(partial(svc.add_supervision, *value), then=done)

        self.push_screen(SupervisionDialog(clock.today(),
                                           [m.name for m in self.cfg.team if m.attendee]), answer)

    def edit_attendees(self) -> None:
        """Who attends the meeting (the palette): a dialog, then the write queue; the header and the
        minutes name them."""
        from .screens.attendees import AttendeesDialog

        info = self.service.meeting
        if info is None or info.closed:
            self.notify(t("dec.readonly"), severity="warning")
            return

        def done(_result) -> None:
            self.notify(t("att.saved"))
            if isinstance(self.screen, DataScreen):
                self.screen.refresh_from_db()

        def answer(names) -> None:
            if names is not None:
                self.write(self.service.set_attendees, names, then=done)

        self.push_screen(AttendeesDialog(list(info.attendees), [m.name for m in self.cfg.team]), answer)

    def record_training(self) -> None:
        """Record a person's insurance-medicine training (the palette): a dialog, then the write queue."""
        from . import clock
        from .screens.improvement import TrainingDialog
        from .services.improvement import ImprovementService

        svc = ImprovementService(self.engine, self.cfg, self.service.unit_code)

        def done(_result) -> None:
            self.notify(t("tra.recorded"))
            if isinstance(self.screen, DataScreen):
                self.screen.refresh_from_db()

        def answer(value) -> None:
            if value:
                self.write(partial(svc.add_training, *value), then=done)

        self.push_screen(TrainingDialog(clock.today(), [m.name for m in self.cfg.team]), answer)

    def show_meetings(self) -> None:
        self.push_screen(MeetingsScreen())

    def action_help(self) -> None:
        """Help for the screen shown (and its focused field)."""
        screen = self.screen
        self.push_screen(HelpScreen(screen.title or "", bindings_of(screen)))

    def switch_meeting(self, date: dt.date) -> None:
        self.service = MeetingService(self.engine, self.cfg, date, session_id=self.session_id)
        self.identified_patients = set()  # another meeting's queue: its listing is audited anew
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(QueueScreen())

    def open_case(self, case_no: int) -> None:
        self.hold_keys(("case", case_no))  # what is typed right after Enter belongs to the case being opened
        self.load_case(case_no, replace=isinstance(self.screen, DecisionScreen))

    def step_case(self, case_no: int, step: int) -> None:
        q = self.queue_screen()
        rows = q.shown_rows if q and q.shown_rows else (self.current_queue.rows if self.current_queue else [])
        nos = [r.case_no for r in rows]
        if case_no not in nos:
            # (opened from the palette while a filter hides it): no next or previous to go to, said so
            self.notify(t("dec.not_in_list"), timeout=5)
            return
        i = nos.index(case_no) + step
        if not 0 <= i < len(nos):  # no silent wrap: say where the queue ends
            self.notify(t("dec.first_case") if step < 0 else t("dec.last_case"), timeout=3)
            return
        self.hold_keys(("case", nos[i]))
        self.load_case(nos[i], replace=True)  # (the queue's cursor follows once the case is shown)

    @work(thread=True, exclusive=True, group="case")
    def load_case(self, case_no: int, replace: bool = False) -> None:
        try:
            data = self.current_queue or self.service.queue()
            row = next((r for r in data.rows if r.case_no == case_no), None)
            if row is None:
                self.call_from_thread(self.release_held_keys)
                return
            pending = self._writes_for(case_no)  # (a status set here and not stored yet: the row has it)
            detail = self.service.case(case_no, row, identified=not self.masked)
        except Exception as e:
            if not is_db_error(e):
                raise
            self.call_from_thread(self._case_failed, e)
            return
        self.call_from_thread(self._show_case, detail, replace, self.recovered(case_no), pending)

    def db_name(self) -> str:
        """The database as recovery files name it (a URL without its password)."""
        return self.engine.url.render_as_string(hide_password=True)

    def recovered(self, case_no: int):
        """Plan text of this case kept at an exit before it was saved (``recovery``), or None."""
        from . import recovery

        try:
            return recovery.find(self.db_name(), self.service.unit_code, self.service.date, case_no)
        except OSError:
            return None

    def recovered_cases(self) -> list[int]:
        from . import recovery

        try:
            return recovery.pending(self.db_name(), self.service.unit_code, self.service.date)
        except OSError:
            return []

    def _case_failed(self, err: BaseException) -> None:
        self.release_held_keys()
        self.notify(t("dec.open_failed", reason=db_trouble(err)), severity="error", markup=False, timeout=8)

    def _writes_for(self, case_no: int) -> bool:
        """A write of this case (a status, an action) is waiting or on its way to the database."""
        return any(op[3] == case_no for op in list(self._writes))

    def _show_case(self, detail, replace: bool, recovered=None, pending: bool = True) -> None:
        if not pending and not self._writes_for(detail.row.case_no):
            # the statuses as stored when the case was read: the queue's row may have been read before one was
            # set (a reload begun as the palette closed, ended after), and F7 showed "REKO: -" for "Aktiv"
            detail.row.coordinator_status = detail.stored_coordinator
            detail.row.rehab_plan = detail.stored_rehab_plan
        if isinstance(self.screen, DecisionScreen) and not self.screen.may_leave():
            self.release_held_keys()  # follow mode: the plan here is not saved yet, so stay on it
            return
        q = self.queue_screen()
        if q is not None:
            # the queue's cursor on the case shown, moved after this frame: the hidden queue's table
            # redrawn now would take the screen's next frame, and the case would wait for the one after
            self.call_after_refresh(q.select_case, detail.row.case_no)
        if replace and isinstance(self.screen, DecisionScreen) and self.screen.can_refill():
            self.screen.refill(detail, recovered)  # the same widgets, another case (fast: nothing composed)
            return
        spare = self._take_spare()
        if not replace and spare is not None and isinstance(self.screen, QueueScreen):
            spare.shown_as_kept()
            self.push_screen(spare)
            spare.refill(detail, recovered)  # (before the next frame: the last case is never drawn)
            return
        screen = DecisionScreen(detail, recovered)
        if replace and isinstance(self.screen, DecisionScreen):
            self.switch_screen(screen)
        else:
            while not isinstance(self.screen, QueueScreen) and len(self.screen_stack) > 2:
                self.pop_screen()
            self.push_screen(screen)

    def keep_decision_screen(self, screen: DecisionScreen) -> None:
        """``screen`` is being left for the queue: keep it (installed, so that leaving does not remove it)
        to show the next case opened; the screen kept before it goes."""
        if screen is self._spare:
            return  # (the kept one, shown again: still kept)
        self.drop_spare()
        if self._spare is None:
            self.install_screen(screen, "decision-spare")
            self._spare = screen

    def on_resize(self) -> None:
        self.drop_spare()  # (laid out and styled for the old size)

    def _take_spare(self) -> DecisionScreen | None:
        """The kept decision screen if it can show another case now (else it goes, and a new one is made)."""
        spare = self._spare
        if spare is None or spare in self.screen_stack:
            return None
        if not spare.can_refill(hidden=True):
            self.drop_spare()
            return None
        return spare

    def drop_spare(self) -> None:
        """Forget the kept decision screen (the language, the theme or projector mode changed, or another
        is kept): it is removed unless it is shown."""
        spare = self._spare
        if spare is None or spare in self.screen_stack:
            return  # (one shown or under another screen follows the change as every shown screen does)
        self._spare = None
        self.uninstall_screen("decision-spare")
        if spare.is_attached:
            spare.remove()

    def audit_shown(self, data: QueueData) -> None:
        """From the queue's load worker, before the rows are shown: unmasked (``privacy.mask_on_screen =
        false``, or after ``m``), every patient not yet audited as shown identified gets its row. A failure
        to write raises, and the queue is not shown (its load is retried)."""
        if self.masked:
            return
        new = [r for r in data.rows if r.patient_id not in self.identified_patients]
        if new:
            self.service.audit_identified(new)
            self.identified_patients |= {r.patient_id for r in new}

    def mark_decided(self, case_no: int) -> None:
        """Something was decided on this case: the queue marks it (now if shown, else when shown again)."""
        q = self.queue_screen()
        if q is not None:
            q.post_message(QueueScreen.Decided(case_no))

    # ------------------------------------------------------------ toggles
    def action_toggle_mask(self) -> None:
        if self.projector and self.masked:  # nothing unmasked on the wall
            self.notify(t("mask.projector_refused"), severity="warning")
            return
        if self.masked:
            # the patients about to be shown are audited first (``screen.identified``, one row each);
            # if that cannot be written, nothing is unmasked
            rows = self.current_queue.rows if self.current_queue else []
            try:
                self.service.audit_identified(rows, event="screen.unmask")
            except Exception as e:
                if not is_db_error(e):
                    raise
                self.notify(t("mask.audit_failed", reason=db_trouble(e)), severity="error", markup=False, timeout=8)
                return
            self.identified_patients = {r.patient_id for r in rows}
            self.masked = False
        else:
            self.masked = True
            self.identified_patients = set()
            try:
                self.service.audit("screen.mask")
            except Exception as e:  # masking needs no audit row to be safe
                if not is_db_error(e):
                    raise

    def action_projector(self) -> None:
        if not self.projector:
            self.masked = True  # nothing unmasked on the wall (before the screens redraw for the projector)
        self.projector = not self.projector

    def watch_projector(self, projector: bool) -> None:
        if not self.is_running:
            return  # (given at the start: on_mount sets the class and the theme)
        self.drop_spare()  # (its styles were set for the other mode)
        self.set_class(projector, "projector")
        self.theme = THEMES["high-contrast"] if projector else THEMES.get(self.cfg.ui.theme, "textual-dark")

    def set_theme(self, name: str) -> None:
        self.drop_spare()
        self.theme_name = name
        self.theme = THEMES[name]

    def set_lang(self, lang: str) -> None:
        self.drop_spare()  # (its words are in the other language)
        set_language(lang)
        self.translate_bindings()
        for s in self.screen_stack:
            if isinstance(s, Translated):
                s.language_changed()  # its keys, its widgets' keys and its words, composed anew
            else:
                s.refresh(recompose=True)
        self.title = t("app.title")
        self.refresh_bindings()

    def close_meeting_from_palette(self) -> None:
        from .screens.summary import SummaryScreen

        self.show_summary()
        self.call_after_refresh(lambda: isinstance(self.screen, SummaryScreen) and self.screen.action_close_meeting())

    def export_minutes(self) -> None:
        from .screens.dialogs import ChoiceDialog

        def chosen(fmt: str | None) -> None:
            if fmt:
                self.run_export(fmt)

        self.push_screen(ChoiceDialog(t("sum.export_title"), [("md", "Markdown (.md)"), ("docx", "Word (.docx)"),
                                                               ("html", "HTML (.html)"), ("xlsx", "Excel (.xlsx)")]),
                         chosen)
        self.call_after_refresh(self.prepare_export)  # once the dialog is drawn

    @work(thread=True, exclusive=True, group="export-prepare")
    def prepare_export(self) -> None:
        """The slow imports of the chart and Word exports, in a thread while the dialog is up, so that
        neither the dialog nor the screen behind it waits for them."""
        from .exports import warm_up

        warm_up()

    @work(thread=True, group="export")
    def run_export(self, fmt: str) -> None:
        from .exports import ExportError, export_meeting
        from .safefile import FileTargetError

        # always a file (Markdown too), and only its path on screen: the minutes never go up on the wall
        try:
            path = export_meeting(self.engine, self.cfg, self.service.date, fmt, lang=language(), to_file=True)
        except (ExportError, FileTargetError) as e:  # e.g. the export folder is a symlink: say so, go on
            self.call_from_thread(self.notify, str(e), severity="error", timeout=10, markup=False)
            return
        # the path on a line of its own (a long one is not broken inside a word), up long enough to copy
        self.call_from_thread(self.notify, t("sum.exported", path=str(path)), timeout=30, markup=False)

    def reopen_meeting_from_palette(self) -> None:
        from .screens.reopen import ReopenDialog

        # the screen the command was given on (under the palette): the summary stays the summary
        from textual.screen import ModalScreen

        from .screens.summary import SummaryScreen

        under = next((s for s in reversed(self.screen_stack) if not isinstance(s, ModalScreen)), None)
        on_summary = isinstance(under, SummaryScreen)

        def answer(reason: str | None) -> None:
            if reason:
                self.run_reopen(reason, on_summary)

        self.push_screen(ReopenDialog(self.service.date), answer)

    @work(thread=True, group="reopen")
    def run_reopen(self, reason: str, on_summary: bool = False) -> None:
        from .services.errors import NotClosed

        try:
            self.service.reopen(reason)
        except NotClosed:  # someone else reopened it meanwhile
            self.call_from_thread(self.notify, t("reopen.not_closed", date=self.service.date.isoformat()),
                                  severity="warning")
            return
        self.call_from_thread(self._reopened, on_summary)

    def _reopened(self, on_summary: bool = False) -> None:
        self.switch_meeting(self.service.date)  # every screen again, now writable
        if on_summary:
            self.show_summary()
        self.notify(t("reopen.done", date=self.service.date.isoformat()))

    # ------------------------------------------------------------ writes that wait for the database
    def write(self, fn, *args, then=None, case_no: int | None = None) -> None:
        """Run the write ``fn(*args)`` off the event loop, after the writes asked before it; ``then(result)``
        runs back on the loop. If the database is busy, locked, full or gone the write is kept and tried
        again with backoff (a line says it is not saved yet) until it succeeds; it is never dropped."""
        self._writes.append((fn, args, then, case_no))
        self._pump_writes()

    def writes_failing(self) -> bool:
        return self._write_error is not None

    def _pump_writes(self) -> None:
        if self._write_busy or not self._writes:
            return
        self._write_busy = True
        self._write_worker(self._writes[0])

    @work(thread=True, group="write")
    def _write_worker(self, op) -> None:
        fn, args = op[0], op[1]
        try:
            result, err = fn(*args), None
        except Exception as e:
            result, err = None, e
        try:
            self.call_from_thread(self._write_ended, op, result, err)
        except RuntimeError:  # the app is shutting down
            pass

    def _write_ended(self, op, result, err: BaseException | None) -> None:
        self._write_busy = False
        _, _, then, case_no = op
        if err is not None and is_db_error(err):
            self._write_attempts += 1
            self._write_error = err
            delay = retry_delay(self._write_attempts)
            if self._write_attempts == 1:
                self.notify(t("db.not_saved", reason=db_trouble(err)), severity="warning", markup=False)
            if isinstance(self.screen, DataScreen):
                self.screen.write_failed(err, delay)
            self.set_timer(delay, self._pump_writes)
            return
        self._writes.popleft()
        recovered = self._write_error is not None
        self._write_attempts = 0
        self._write_error = None
        if isinstance(err, ReadOnly):
            self._writes.clear()  # the meeting was closed (perhaps elsewhere): nothing more is written
            if not (isinstance(self.screen, DataScreen) and self.screen.became_readonly()):
                self.notify(t("dec.readonly"), severity="warning")
        elif isinstance(err, NotThisMeeting):
            self.notify(t("dec.only_this_meeting"), severity="warning")
        elif err is not None:
            self._handle_exception(err)  # a fault of the program, not of the database
            return
        else:
            if case_no is not None:
                self.mark_decided(case_no)
            if then is not None:
                then(result)
        if recovered:
            self.notify(t("db.saved_again"), markup=False)
            if isinstance(self.screen, DataScreen):
                self.screen.writes_done()
        self._pump_writes()

    def unsaved(self) -> bool:
        """Something typed or chosen is not in the database yet."""
        if self._writes or self.action_being_typed():
            return True
        return any(isinstance(s, DecisionScreen) and s.plan_unsaved() for s in self.screen_stack)

    def action_being_typed(self) -> bool:
        """An action dialog holds typed text that is not added yet (Ctrl+Q would drop it silently)."""
        from .screens.dialogs import AddActionDialog

        return any(isinstance(s, AddActionDialog) and s.has_typing() for s in self.screen_stack)

    # ------------------------------------------------------------ errors and shutdown
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.release_held_keys()
            err = event.worker.error
            if isinstance(err, ReadOnly):
                self.notify(t("dec.readonly"), severity="warning")
            elif isinstance(err, NotThisMeeting):
                self.notify(t("dec.only_this_meeting"), severity="warning")
            elif not is_db_error(err):  # a database error: _handle_exception says it in one line
                self.notify(f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}", markup=False,
                            severity="error", timeout=10)

    def _handle_exception(self, error: Exception) -> None:
        from textual.worker import WorkerFailed

        cause = error.error if isinstance(error, WorkerFailed) else None
        if cause is not None and (is_db_error(cause) or isinstance(cause, (ReadOnly, NotThisMeeting))):
            # a worker met a busy, locked, full or lost database (or a closed meeting): the app goes on,
            # what was typed is still on screen; one line says what happened
            self.release_held_keys()
            if is_db_error(cause):
                self.notify(t("db.trouble", reason=db_trouble(cause)), severity="error", markup=False,
                            timeout=8)
            return
        self._last_error = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """An unexpected error: save what can be saved, log it, show one line, no traceback."""
        try:
            self.flush_pending()
        except Exception:
            pass
        from .crashlog import log_crash

        error = getattr(self, "_last_error", None)
        where = log_crash(error)
        from rich.segment import Segment, Segments

        # one line as it is (a path is only text, never markup); the terminal wraps it, not Rich
        self._exit_renderables.append(Segments([Segment(t("app.internal_error", kind=type(error).__name__,
                                                           where=where))]))
        self._close_messages_no_wait()

    def _each_decision(self, method: str) -> None:
        """``method`` on every open decision screen; one that fails does not stop the rest."""
        for s in self.screen_stack:
            if isinstance(s, DecisionScreen):
                try:
                    getattr(s, method)()
                except Exception:  # saving what can be saved must not stop the rest
                    pass

    def save_for_exit(self) -> None:
        """The app must go now (the SSH line dropped, SIGTERM): each decision screen keeps unsaved plan
        text in a recovery file, then tries once to save it (the file goes when it is saved)."""
        self._each_decision("save_for_exit")

    def flush_pending(self) -> None:
        self._each_decision("flush")

    def action_help_quit(self) -> None:
        """Ctrl+C (Textual's reminder that it does not quit the app): said in the user's language, naming
        the key that quits on this screen."""
        for _key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(t("app.quit_hint", quit_key=self.get_key_display(active.binding)),
                            title=t("app.quit_title"), markup=False)
                return

    async def action_quit(self) -> None:
        import time

        self.flush_pending()
        if self.unsaved() and time.monotonic() - self._quit_asked > 5.0:
            # the database does not take it now (or an action is half typed): say so once; quitting again
            # within 5 s quits anyway
            self._quit_asked = time.monotonic()
            key = "app.quit_action_typed" if self.action_being_typed() else "app.quit_unsaved"
            self.notify(t(key), severity="warning", markup=False)
            return
        if self.unsaved():
            self.save_for_exit()  # quitting anyway: the plan text goes to a recovery file
        self.exit()


# What Textual's driver turns off when the app ends normally: the kitty keyboard protocol, mouse
# reporting (all four modes), focus reports, bracketed paste, in-band resize and synchronized output;
# then line wrap and the cursor back on and the normal screen back.
RESTORE_TERMINAL = ("\x1b[<u" "\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l" "\x1b[?1004l\x1b[?2004l"
                    "\x1b[?2048l\x1b[?2026l" "\x1b[?7h\x1b[?25h" "\x1b[?1049l")


def restore_terminal(app: App, drain: bool = True) -> None:
    """Give the terminal back at once (the app is about to end without Textual's own shutdown): what
    is still queued for the screen is written first (for at most a second; not with ``drain=False``,
    the watchdog's way, which must not wait for a lock the stuck thread may hold), then the modes the
    app turned on are turned off and the terminal's settings are put back as they were."""
    import termios

    driver = getattr(app, "_driver", None)
    if driver is None:  # not started yet (or ended): the terminal is as it was
        return
    writer = getattr(driver, "_writer_thread", None)
    queue = getattr(writer, "_queue", None)
    if drain and writer is not None and queue is not None:
        try:
            queue.put(None, timeout=1.0)  # the writer thread's own "stop": it ends after what was queued
            writer.join(timeout=1.0)
        except Exception:
            pass
    out = getattr(getattr(driver, "_file", None), "fileno", lambda: 2)
    try:
        os.write(out(), RESTORE_TERMINAL.encode())
    except (OSError, ValueError):
        pass
    attrs = getattr(driver, "attrs_before", None)
    if attrs is not None:
        try:
            termios.tcsetattr(driver.fileno, termios.TCSANOW, attrs)
        except (termios.error, OSError, AttributeError):
            pass


EXIT_WATCHDOG_SECONDS = 10.0


def install_exit_handlers(app: LessApp, exit=os._exit) -> None:
    """SIGHUP (the SSH line dropped) and SIGTERM (kill, a shutdown, systemd): keep and save what is on
    screen (``save_for_exit``: unsaved plan text goes to a recovery file first), then go; SIGTERM also
    gives the terminal back (the SSH line of a hang-up is gone already) and exits with 128 + 15.

    A handler runs on the main thread between two of its steps, so it may find a lock that the main
    thread itself was holding at that moment (the screen writer's queue, the plan's save lock) and wait
    for it for ever. A watchdog thread therefore ends the process after ``EXIT_WATCHDOG_SECONDS``
    whatever the handler is doing (the plan text is in its recovery file by then: that is done first)."""

    def watchdog(code: int, restore: bool) -> threading.Timer:
        def fire() -> None:
            if restore:
                try:
                    restore_terminal(app, drain=False)
                except Exception:
                    pass
            exit(code)

        timer = threading.Timer(EXIT_WATCHDOG_SECONDS, fire)
        timer.daemon = True
        timer.start()
        return timer

    def hangup(signum, frame):
        timer = watchdog(0, restore=False)
        try:
            app.save_for_exit()
        finally:
            timer.cancel()
            exit(0)

    def terminate(signum, frame):
        timer = watchdog(128 + signum, restore=True)
        try:
            app.save_for_exit()
        finally:
            try:
                restore_terminal(app)
            finally:
                timer.cancel()
                exit(128 + signum)

    signal.signal(signal.SIGHUP, hangup)
    signal.signal(signal.SIGTERM, terminate)


def run_app(cfg: Config, engine: Engine, date: dt.date, lang: str | None = None, projector: bool = False) -> int:
    """Run the meeting app; returns its exit code (1 after an internal error)."""
    app = LessApp(cfg, engine, date, lang=lang, projector=projector)
    install_exit_handlers(app)
    app.run()
    return app.return_code or 0
