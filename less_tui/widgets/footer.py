"""The footer: Textual's, composed anew only when what it shows changes.

Textual's footer rebuilds all its keys whenever the screen's bindings are updated, which happens on
every focus change (Tab through the decision form, a dialog opening and closing) even when the keys
shown stay the same: most of those rebuilds (a dozen widgets each, styled anew) drew the same line.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class LessFooter(Footer):
    """A compact footer that recomposes only when its keys, their labels or their state change."""

    # Textual's compact footer gives every key a right margin, the command-palette key (docked right)
    # too: the last column was then the keys' row behind it, a stray letter after "^p Kommandon" when the
    # keys do not fit. Here the palette key reaches the edge, with its own space at the end.
    DEFAULT_CSS = """
    LessFooter.-compact FooterKey.-command-palette {
        margin-right: 0;
        padding-right: 1;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)
        self._shown: tuple[object, ...] | None = None

    def shown_keys(self) -> tuple[object, ...]:
        """What the footer would show now: each key with its label, action, state and tooltip."""
        out: list[object] = []
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING:
                group = binding.group
                out.append((binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, enabled, tooltip or binding.tooltip,
                            (group.description, group.compact) if group is not None else None))
        return (self.compact, self.show_command_palette, tuple(out))

    def compose(self):  # type: ignore[override]
        if self._bindings_ready:
            self._shown = self.shown_keys()
            self.call_after_refresh(self._fit)
        yield from super().compose()

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        for key in self.query(FooterKey):
            key.display = True
        self.call_after_refresh(self._fit)

    def _fit(self, tries: int = 0) -> None:
        """No key cut mid-label: the keys that do not fit whole before the command-palette key (a
        narrow terminal, long Swedish labels) are left out of the footer from the first that does not
        (all of them are in the help, F1/?, and the palette)."""
        if not self.is_attached or not self.screen.is_current or not self.region.width:
            return  # (a screen in the background: fitted when it is shown and laid out again)
        keys = list(self.query(FooterKey))
        if any(k.display and not k.region.width for k in keys):
            if tries < 10:
                self.call_after_refresh(self._fit, tries + 1)  # (the keys are not laid out yet)
            return
        palette = [k for k in keys if k.has_class("-command-palette")]
        limit = palette[0].region.x if palette else self.region.right
        cut = False
        for key in keys:
            if key.has_class("-command-palette") or not key.display:
                continue
            if cut or key.region.right > limit:
                cut = True
                key.display = False

    def bindings_changed(self, screen: Screen) -> None:  # type: ignore[type-arg]
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        if self._shown is not None and self.shown_keys() == self._shown:
            return  # the same keys, labels and states: nothing to draw anew
        await self.recompose()
