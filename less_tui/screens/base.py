"""Bindings whose descriptions come from the language catalogue, with ids for the user keymap."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingsMap

from ..i18n import t


@dataclass(frozen=True)
class Key:
    keys: str
    action: str
    label: str  # catalogue key
    id: str
    show: bool = True
    priority: bool = False

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, t(self.label), show=self.show, priority=self.priority, id=self.id)


class Translated:
    """Mixin for screens and widgets: ``KEYS`` become bindings in the current language."""

    KEYS: list[Key] = []

    def translate_bindings(self) -> None:
        self._bindings = BindingsMap([k.binding() for k in self.KEYS])  # type: ignore[attr-defined]
