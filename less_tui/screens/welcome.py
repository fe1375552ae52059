"""Shown instead of an empty queue when the unit has no certificates: what to do next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from ..i18n import t
from ..services.errors import is_db_error
from ..widgets.screen_title import ScreenTitle
from ..widgets.footer import LessFooter
from .base import AppKeyRef, DataScreen, db_trouble, retry_delay

if TYPE_CHECKING:
    from ..app import LessApp


def db_flag(app: LessApp) -> str:
    """`` --db PATH`` when the app runs on another database than the commands would find by
    themselves ($LESS_TUI_DB, the config, the user data dir); else nothing."""
    return app.service.db_flag(app.cfg.database.url)


class WelcomeScreen(DataScreen):
    TITLE_KEY = "screen.welcome"
    DEFAULT_CSS = """
    #welcome { height: 1fr; padding: 1 2; }
    #welcome Static { width: 100%; max-width: 100; margin-bottom: 1; }
    #welcome .lead { text-style: bold; }
    #welcome .command { padding-left: 4; color: $accent; text-style: bold; }
    #welcome-status { padding: 0 2; height: auto; }
    """
    KEYS = [AppKeyRef("help"), AppKeyRef("quit")]

    class Arrived(Message):
        """Certificates are there and the meeting is open: the queue can take this screen's place."""

    class OpenFailed(Message):
        """The database did not answer (locked, full, gone): say so, try again."""

        def __init__(self, error: BaseException):
            super().__init__()
            self.error = error

    def __init__(self):
        super().__init__()
        self.translate_bindings()
        self._attempts = 0
        self._arrived = False

    def compose(self) -> ComposeResult:
        yield ScreenTitle(id="screen-title")
        with VerticalScroll(id="welcome"):
            yield Static(t("welcome.empty", unit=self.less_app.cfg.unit), classes="lead", markup=False)
            yield Static(t("welcome.import"), markup=False)
            yield Static(f"less-tui import{db_flag(self.less_app)} {t('welcome.file')}", classes="command",
                         id="import-command", markup=False)
            yield Static(t("welcome.demo"), markup=False)
            yield Static("less-tui demo", classes="command", id="demo-command", markup=False)
            yield Static(t("welcome.then"), markup=False)
        yield Static("", id="welcome-status", markup=False)
        yield LessFooter()

    def on_mount(self) -> None:
        self.title = t(self.TITLE_KEY)
        self.sub_title = self.less_app.cfg.clinic_name
        self.query_one("#welcome").focus()
        self.query_one("#welcome-status").display = False
        self.less_app.release_held_keys("start")

    def refresh_from_db(self) -> None:
        """Something changed in the database (perhaps certificates imported from another terminal)."""
        self.check()

    @work(thread=True, exclusive=True, group="welcome")
    def check(self) -> None:
        """Off the event loop, as the queue's load: are there certificates now? Then open the meeting."""
        try:
            if not self.less_app.service.has_certificates():
                return
            self.less_app.service.open()
        except Exception as e:
            if not is_db_error(e):
                raise
            self.post_message(self.OpenFailed(e))
            return
        self.post_message(self.Arrived())

    def on_welcome_screen_open_failed(self, msg: OpenFailed) -> None:
        self._attempts += 1
        delay = retry_delay(self._attempts)
        st = self.query_one("#welcome-status", Static)
        st.update(Text(t("welcome.open_failed", reason=db_trouble(msg.error), seconds=f"{delay:g}"),
                       style="bold red"))
        st.display = True
        self.set_timer(delay, self.check)

    def on_welcome_screen_arrived(self, msg: Arrived) -> None:
        self._arrived = True
        if self.app.screen is self:
            self.less_app.leave_welcome()

    def on_screen_resume(self) -> None:
        if self._arrived:  # (help was open over it when the meeting opened)
            self.less_app.leave_welcome()
