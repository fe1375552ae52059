"""A ``Select`` whose open list says its Escape key in the user's language.

Textual's ``SelectOverlay`` binds Escape with the English description "Dismiss menu", and the footer
shows it while the list is open. ``LessSelect`` is Textual's ``Select`` with an overlay whose Escape
binding comes from the catalogue (``key.dismiss_menu``); everything else is Textual's own. The app's
language switch re-translates it like every other ``Translated`` widget.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay

from ..screens.base import KeySpec, Translated


class LessSelectOverlay(Translated, SelectOverlay):
    """Textual's overlay with Escape described in the current language."""

    KEYS = [KeySpec("escape", "dismiss", "key.dismiss_menu", id="select.dismiss")]

    def __init__(self, type_to_search: bool = True) -> None:
        super().__init__(type_to_search=type_to_search)
        self.translate_bindings()


class LessSelect(Select):
    """``Select`` with a translated overlay; a drop-in for ``textual.widgets.Select``."""

    def compose(self) -> ComposeResult:
        # as Select.compose, with the overlay above
        yield SelectCurrent(self.prompt)
        yield LessSelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)

    def _on_mount(self, event: events.Mount) -> None:
        # Textual's Select sets its list up when mounted; a Select removed before that (its screen
        # replaced while it was being built: following the presenter through cases quickly) has no list
        # any more, or no label (its current-value line closed before it was composed), and Select's own
        # handler would end the app with NoMatches. Nothing to set up then.
        if not self.query(SelectOverlay) or not self.query("SelectCurrent #label"):
            event.prevent_default()
