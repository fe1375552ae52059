"""The top line of every screen: its name (and what it shows), so the room sees where the presenter is."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..i18n import t


class ScreenTitle(Static):
    DEFAULT_CSS = """
    ScreenTitle { dock: top; height: 1; width: 100%; padding: 0 1; background: $primary; color: $text;
                  text-style: bold; }
    """

    def __init__(self, **kw):
        super().__init__("", markup=False, **kw)

    def on_mount(self) -> None:
        self.watch(self.screen, "title", self._show, init=True)
        self.watch(self.screen, "sub_title", self._show, init=False)
        if hasattr(self.app, "following"):  # (F9: this session shows the presenter's case; said on every screen)
            self.watch(self.app, "following", self._show, init=False)

    def _show(self, _=None) -> None:
        screen = self.screen
        txt = Text(screen.title or "", style="bold")
        if screen.sub_title:
            txt.append("  ·  " + screen.sub_title, style="not bold")
        if getattr(self.app, "following", False):
            txt.append("  ·  ")
            txt.append(t("follow.marker"), style="reverse")
        self.update(txt)
