"""Shown instead of an empty queue when the unit has no certificates: what to do next."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..i18n import t
from ..widgets.screen_title import ScreenTitle
from .base import Key, Translated


def db_flag(app) -> str:
    """`` --db PATH`` when the app runs on another database than the commands would find by
    themselves ($LESS_TUI_DB, the config, the user data dir); else nothing."""
    from ..storage.db import resolve_url, sqlite_path

    url = app.engine.url.render_as_string(hide_password=False)
    if url == resolve_url(None, app.cfg.data["database"]["url"]):
        return ""
    path = sqlite_path(url)
    return f" --db {path if path is not None else app.engine.url.render_as_string(hide_password=True)}"


class WelcomeScreen(Translated, Screen):
    DEFAULT_CSS = """
    #welcome { height: 1fr; padding: 1 2; }
    #welcome Static { width: 100%; max-width: 100; margin-bottom: 1; }
    #welcome .lead { text-style: bold; }
    #welcome .command { padding-left: 4; color: $accent; text-style: bold; }
    """
    KEYS = [Key("question_mark,f1", "help", "key.help", "help_welcome"),
            Key("q", "quit", "key.quit", "quit_welcome")]

    def __init__(self):
        super().__init__()
        self.translate_bindings()

    def compose(self) -> ComposeResult:
        yield ScreenTitle(id="screen-title")
        with VerticalScroll(id="welcome"):
            yield Static(t("welcome.empty", unit=self.app.cfg.unit), classes="lead", markup=False)
            yield Static(t("welcome.import"), markup=False)
            yield Static(f"less-tui import{db_flag(self.app)} {t('welcome.file')}", classes="command",
                         id="import-command", markup=False)
            yield Static(t("welcome.demo"), markup=False)
            yield Static("less-tui demo", classes="command", id="demo-command", markup=False)
            yield Static(t("welcome.then"), markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = t("screen.welcome")
        self.sub_title = self.app.cfg.clinic_name
        self.query_one("#welcome").focus()
        self.app.release_held_keys()

    def refresh_from_db(self) -> None:
        """Certificates imported from another terminal: the queue takes this screen's place."""
        if self.app.service.has_certificates():
            self.app.leave_welcome()

    def action_help(self) -> None:
        self.app.show_help(self)

    async def action_quit(self) -> None:
        await self.app.action_quit()
