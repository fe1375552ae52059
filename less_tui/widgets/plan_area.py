"""The plan's editor: Textual's ``TextArea`` without the two keys the decision screen uses itself.

``TextArea`` binds F6 (select the line) and F7 (select all). On the decision screen F6 copies the case
and F7 goes to the previous case (the screen's keys come first), so the editor's own F6 and F7 never
ran; yet, being the focused widget's, they put "f6" and "f7" at the head of the footer, before Esc and
F8, and pushed the help key off an 80-column footer. Without them the footer follows the screen's order.
"""

from __future__ import annotations

from textual.widgets import TextArea


class PlanArea(TextArea, inherit_bindings=False):
    """``TextArea`` with every binding of Textual's but F6 and F7."""

    BINDINGS = [b for b in TextArea.BINDINGS if getattr(b, "key", None) not in ("f6", "f7")]
