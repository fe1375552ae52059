"""A yes/no field that says its state in words ("Ja"/"Nej"), toggled with Space or Enter."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from ..i18n import t
from ..screens.base import KeySpec, Translated


class YesNo(Translated, Widget, can_focus=True):
    DEFAULT_CSS = """
    YesNo { height: 3; width: auto; min-width: 16; border: tall $border-blurred; padding: 0 1;
            background: $surface; }
    YesNo:focus { border: tall $accent; background-tint: $foreground 5%; }
    YesNo:disabled { opacity: 0.6; }
    """
    # Space in the footer (the field says nothing of how it changes), Enter too
    KEYS = [KeySpec("space", "toggle", "key.toggle_yes_no", "yes_no_toggle"),
            KeySpec("enter", "toggle", "key.toggle_yes_no", "yes_no_toggle_enter", show=False)]

    value: reactive[bool] = reactive(False, init=False)

    class Changed(Message):
        def __init__(self, control: "YesNo", value: bool):
            super().__init__()
            self.yes_no = control
            self.value = value

        @property
        def control(self) -> "YesNo":
            return self.yes_no

    def __init__(self, label: str, value: bool = False, **kw):
        super().__init__(**kw)
        self.translate_bindings()
        self.label = label
        self.set_reactive(YesNo.value, value)

    def render(self) -> Text:
        txt = Text(f"{self.label}: " if self.label else "")
        if self.value:
            txt.append(f" {t('btn.yes')} ", style="bold reverse green")
        else:
            txt.append(f" {t('btn.no')} ", style="bold reverse")
        return txt

    def action_toggle(self) -> None:
        if not self.disabled:
            self.value = not self.value

    def watch_value(self, value: bool) -> None:
        self.post_message(self.Changed(self, value))
