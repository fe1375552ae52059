"""What people typed or imported is shown as text, never read as markup, and never reaches the
terminal as a control sequence.

- ``plain(s)``: a Rich ``Text`` for a table cell or a line on screen. A ``str`` given to a Textual
  ``DataTable`` cell, ``Static``, ``Label``, ``notify`` or the command palette's highlighter is read
  as markup: ``[/]`` in a name ends the app, ``[@click=app.quit]`` becomes a link. ``Text`` is not
  read; control characters are removed as well (a database written before the importer refused them).
- ``PlainPaste`` (mixed into the App): a paste from the terminal loses its control characters and
  escape sequences before it reaches the focused field (tabs and line ends are kept; an Input keeps
  only the first line, as Textual does). Typed keys never insert one: Textual inserts only printable
  characters. So nothing typed into the plan or a dialog can hold ESC, OSC, CSI, NUL or C1.
"""

from __future__ import annotations

from rich.text import Text
from textual import events

from ..core.plaintext import one_line, strip_controls


def plain(s: object, style: str = "", **kw) -> Text:
    """``s`` as literal text on one line (no markup, no control characters)."""
    return Text(one_line("" if s is None else str(s)), style=style, **kw)


class PlainPaste:
    """Mixin for the App (before ``App`` in the bases): pasted text without control characters."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Paste) and not event.is_forwarded:
            clean = strip_controls(event.text, keep="\t\n")
            if clean != event.text:
                event = events.Paste(clean)
        await super().on_event(event)  # type: ignore[misc]
