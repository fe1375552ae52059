"""The Textual application the coordinator projects during the FMT meeting."""

from __future__ import annotations

import datetime as dt
import os
import signal
from typing import Iterable

from sqlalchemy.engine import Engine
from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from .widgets.palette import CaseCommands, LessCommandPalette
from .config import Config
from .i18n import language, set_language, t
from .keyflow import OrderedKeys
from .meeting import MeetingService, QueueData
from .screens.base import Key, Translated
from .screens.decision import DecisionScreen
from .screens.help import HelpScreen, bindings_of
from .screens.meetings import MeetingsScreen
from .screens.queue import QueueScreen

HIGH_CONTRAST = Theme(
    name="less-high-contrast", primary="#ffff00", secondary="#00ffff", accent="#ffff00", foreground="#ffffff",
    background="#000000", surface="#000000", panel="#202020", success="#00ff00", warning="#ffaf00",
    error="#ff5f5f", dark=True,
)
THEMES = {"dark": "textual-dark", "light": "textual-light", "high-contrast": "less-high-contrast"}


class LessApp(OrderedKeys, Translated, App):
    CSS_PATH = "app.tcss"
    TITLE = "less-tui"
    COMMANDS = App.COMMANDS | {CaseCommands}
    KEYS = [
        Key("ctrl+p", "command_palette", "key.palette", "command_palette", show=False, priority=True),
        # Priority, so that focus moves before the next key of a burst is delivered: over SSH
        # "Tab Space" can arrive in one read, and the space must reach the field Tab went to.
        Key("tab", "focus_next", "key.next_field", "focus_next", show=False, priority=True),
        Key("shift+tab", "focus_previous", "key.prev_field", "focus_previous", show=False, priority=True),
    ]

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
        self.watcher = None
        self.projector = projector
        self.masked = projector or cfg.data["privacy"]["mask_on_screen"]
        self.theme_name = theme or ("high-contrast" if projector else cfg.data["ui"]["theme"])
        self.current_queue: QueueData | None = None
        self.title = t("app.title")
        # keys typed before the queue has its rows are held and replayed (nothing typed is lost)
        self.init_key_order(holding=True)

    # ------------------------------------------------------------ start
    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = THEMES.get(self.theme_name, "textual-dark")
        if self.cfg.data.get("keymap"):
            self.set_keymap(dict(self.cfg.data["keymap"]))
        if self.projector:
            self.add_class("projector")
        if self.service.has_certificates():
            self.service.open()
            self.push_screen(QueueScreen())
        else:  # nothing imported yet: say what to do next (no meeting is created)
            from .screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen())
        from .storage.watch import ChangeWatcher

        self.watcher = ChangeWatcher(self.engine, self._changed_elsewhere)
        self.watcher.start()

    def leave_welcome(self) -> None:
        """Certificates have arrived: open the meeting and its queue in the welcome screen's place."""
        self.service.open()
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
        screen = self.screen
        refresh = getattr(screen, "refresh_from_db", None)
        if refresh is not None:
            refresh()
        if self.following:
            self.follow_presenter()

    @work(thread=True, exclusive=True, group="follow")
    def follow_presenter(self) -> None:
        case_no = self.service.presenter_case()
        current = self.screen.detail.row.case_no if isinstance(self.screen, DecisionScreen) else None
        if case_no is not None and case_no != current:
            self.call_from_thread(self.open_case, case_no)

    def toggle_follow(self) -> None:
        self.following = not self.following
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
        yield SystemCommand(t("cmd.mask"), t("cmd.mask.help"), self.toggle_mask)
        yield SystemCommand(t("cmd.projector"), t("cmd.projector.help"), self.toggle_projector)
        yield SystemCommand(t("key.follow"), t("follow.help"), self.toggle_follow)
        for name in THEMES:
            yield SystemCommand(t("cmd.theme", theme=t(f"theme.{name}")), t("cmd.theme.help"),
                                lambda n=name: self.set_theme(n))
        for lang in ("sv", "en"):
            if lang != language():
                yield SystemCommand(t("cmd.language", language=t(f"language.{lang}")), t("cmd.language.help"),
                                    lambda lg=lang: self.set_lang(lg))
        if self.service.meeting and not self.service.meeting.closed:
            yield SystemCommand(t("cmd.close"), t("cmd.close.help"), self.close_meeting_from_palette)
        yield SystemCommand(t("key.quit"), t("cmd.quit.help"), self.exit)

    # ------------------------------------------------------------ navigation
    def queue_screen(self) -> QueueScreen | None:
        for s in self.screen_stack:
            if isinstance(s, QueueScreen):
                return s
        return None

    def show_queue(self) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, QueueScreen):
            if isinstance(self.screen, DecisionScreen):
                self.screen.flush()
            self.pop_screen()

    def show_summary(self) -> None:
        from .screens.summary import SummaryScreen  # plotext loads only when needed

        if isinstance(self.screen, SummaryScreen):
            return
        if isinstance(self.screen, DecisionScreen):
            self.screen.flush()
        self.push_screen(SummaryScreen())

    def show_meetings(self) -> None:
        self.push_screen(MeetingsScreen())

    def show_help(self, screen: Screen) -> None:
        self.push_screen(HelpScreen(screen.title or "", bindings_of(screen)))

    def switch_meeting(self, date: dt.date) -> None:
        self.service = MeetingService(self.engine, self.cfg, date, session_id=self.session_id)
        self.service.open()
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(QueueScreen())

    def open_case(self, case_no: int) -> None:
        self.hold_keys()  # what is typed right after Enter belongs to the case being opened
        self.load_case(case_no, replace=isinstance(self.screen, DecisionScreen))

    def step_case(self, case_no: int, step: int) -> None:
        q = self.queue_screen()
        rows = q.shown_rows if q and q.shown_rows else (self.current_queue.rows if self.current_queue else [])
        nos = [r.case_no for r in rows]
        if case_no not in nos or not nos:
            return
        i = nos.index(case_no) + step
        if not 0 <= i < len(nos):  # no silent wrap: say where the queue ends
            self.notify(t("dec.first_case") if step < 0 else t("dec.last_case"), timeout=3)
            return
        if q:
            q.select_case(nos[i])
        self.hold_keys()
        self.load_case(nos[i], replace=True)

    @work(thread=True, exclusive=True, group="case")
    def load_case(self, case_no: int, replace: bool = False) -> None:
        data = self.current_queue or self.service.queue()
        row = next((r for r in data.rows if r.case_no == case_no), None)
        if row is None:
            self.call_from_thread(self.release_held_keys)
            return
        detail = self.service.case(case_no, row)
        self.call_from_thread(self._show_case, detail, replace)

    def _show_case(self, detail, replace: bool) -> None:
        screen = DecisionScreen(detail)
        if replace and isinstance(self.screen, DecisionScreen):
            self.switch_screen(screen)
        else:
            while not isinstance(self.screen, QueueScreen) and len(self.screen_stack) > 2:
                self.pop_screen()
            self.push_screen(screen)

    def mark_decided(self, case_no: int) -> None:
        if self.current_queue:
            for r in self.current_queue.rows:
                if r.case_no == case_no and not r.decided:
                    r.decided = True
                    q = self.queue_screen()
                    if q is not None and q.data is not None:
                        q.render_table()

    # ------------------------------------------------------------ toggles
    def toggle_mask(self) -> None:
        if self.projector and self.masked:  # nothing unmasked on the wall
            self.notify(t("mask.projector_refused"), severity="warning")
            return
        self.masked = not self.masked
        self.service.audit("screen.unmask" if not self.masked else "screen.mask")
        q = self.queue_screen()
        if q is not None and q.data is not None:
            q.render_table()
        if isinstance(self.screen, DecisionScreen):
            from textual.widgets import Static

            self.screen.query_one("#facts", Static).update(self.screen.facts_text())

    def toggle_projector(self) -> None:
        self.projector = not self.projector
        self.set_class(self.projector, "projector")
        if self.projector:
            self.masked = True
            self.theme = THEMES["high-contrast"]
            if isinstance(self.screen, DecisionScreen):
                from textual.widgets import Static

                self.screen.query_one("#facts", Static).update(self.screen.facts_text())
        else:
            self.theme = THEMES.get(self.cfg.data["ui"]["theme"], "textual-dark")
        q = self.queue_screen()
        if q is not None and q.data is not None:
            q.render_table()

    def set_theme(self, name: str) -> None:
        self.theme_name = name
        self.theme = THEMES[name]

    def set_lang(self, lang: str) -> None:
        set_language(lang)
        self.translate_bindings()
        for s in self.screen_stack:
            if isinstance(s, Translated):
                s.translate_bindings()
            for w in s.query("*"):
                if isinstance(w, Translated):
                    w.translate_bindings()
            s.refresh(recompose=True)
            if isinstance(s, QueueScreen):
                s.call_after_refresh(s.reload)
            if s.__class__.__name__ == "SummaryScreen":
                s.call_after_refresh(s.reload)
        self.title = t("app.title")
        self.refresh_bindings()

    def close_meeting_from_palette(self) -> None:
        self.show_summary()
        self.call_after_refresh(lambda: self.screen.__class__.__name__ == "SummaryScreen"
                                and self.screen.action_close_meeting())

    def export_minutes(self) -> None:
        from .screens.dialogs import ChoiceDialog

        def chosen(fmt: str | None) -> None:
            if fmt:
                self.run_export(fmt)

        self.push_screen(ChoiceDialog(t("sum.export_title"), [("md", "Markdown (.md)"), ("docx", "Word (.docx)"),
                                                               ("html", "HTML (.html)"), ("xlsx", "Excel (.xlsx)")]),
                         chosen)

    @work(thread=True, group="export")
    def run_export(self, fmt: str) -> None:
        from .export import export_meeting

        path = export_meeting(self.engine, self.cfg, self.service.date, fmt, lang=language())
        self.call_from_thread(self.notify, t("sum.exported", path=str(path)), timeout=10)

    # ------------------------------------------------------------ errors and shutdown
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.release_held_keys()
            err = event.worker.error
            from .meeting import ReadOnly

            from .meeting import NotThisMeeting

            if isinstance(err, ReadOnly):
                self.notify(t("dec.readonly"), severity="warning")
            elif isinstance(err, NotThisMeeting):
                self.notify(t("dec.only_this_meeting"), severity="warning")
            else:
                self.notify(f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}",
                            severity="error", timeout=10)

    def _handle_exception(self, error: Exception) -> None:
        self._last_error = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """An unexpected error: save what can be saved, log it, show one line, no traceback."""
        try:
            self.flush_pending()
        except Exception:
            pass
        from .cli import _log_crash

        where = _log_crash(getattr(self, "_last_error", None))
        self._exit_renderables.append(
            f"less-tui: internal error; everything saved before it is kept. Details in {where}")
        self._close_messages_no_wait()

    def flush_pending(self) -> None:
        for s in self.screen_stack:
            if isinstance(s, DecisionScreen):
                s.flush()

    async def action_quit(self) -> None:
        self.flush_pending()
        self.exit()


def run_app(cfg: Config, engine: Engine, date: dt.date, lang: str | None = None, projector: bool = False) -> None:
    app = LessApp(cfg, engine, date, lang=lang, projector=projector)

    def hangup(signum, frame):  # the SSH line dropped: save what is on screen, then go
        try:
            app.flush_pending()
        finally:
            os._exit(0)

    signal.signal(signal.SIGHUP, hangup)
    signal.signal(signal.SIGTERM, hangup)
    app.run()
