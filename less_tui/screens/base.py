"""Bindings whose descriptions come from the language catalogue, with ids for the user keymap."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

from textual._context import NoActiveAppError
from textual.binding import Binding, BindingsMap
from textual.message_pump import MessagePump
from textual.screen import Screen

from ..i18n import t
from ..keymap import DEFAULTS as KEYMAP_DEFAULTS

if TYPE_CHECKING:
    from textual.app import App

    from ..app import LessApp


@dataclass(frozen=True)
class KeySpec:
    """A key binding as declared in a ``KEYS`` list: its keys, action, catalogue label and id (the id
    is what ``[keymap]`` rebinds)."""

    keys: str
    action: str
    label: str  # catalogue key
    id: str
    show: bool = True
    priority: bool = False
    help: str = ""  # catalogue key of the help screen's text when it says more than the footer's label
    help_args: tuple[tuple[str, str], ...] = ()  # its placeholders: (name, catalogue key of the value)

    def __post_init__(self) -> None:
        # the config checks [keymap] ids against less_tui/keymap.py, so every id must be listed there
        if KEYMAP_DEFAULTS.get(self.id) != self.keys:
            raise ValueError(f"binding id {self.id!r} with keys {self.keys!r} is not in less_tui/keymap.py "
                             f"(listed: {KEYMAP_DEFAULTS.get(self.id)!r})")

    def help_text(self) -> str:
        """What the help screen says the key does (the footer's label, or its own longer text)."""
        if not self.help:
            return t(self.label)
        return t(self.help, **{name: t(key) for name, key in self.help_args})

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, t(self.label), show=self.show, priority=self.priority, id=self.id)


@dataclass(frozen=True)
class AppKeyRef:
    """An app-wide key (help, quit, masking, projector, follow), declared once in ``LessApp.APP_KEYS``,
    that a screen offers: named by its id in the screen's ``KEYS``, where it goes in the screen's footer
    and help. Its action runs on the app."""

    id: str


def key_specs(node) -> list[KeySpec]:
    """``node.KEYS`` with each ``AppKeyRef`` replaced by the app's declaration (its action on the app)."""
    specs: list[KeySpec] = []
    for k in getattr(node, "KEYS", []):
        if isinstance(k, AppKeyRef):
            from ..app import LessApp  # (imported here: the app module imports the screens)

            spec = LessApp.app_key(k.id)
            k = replace(spec, action=f"app.{spec.action}")
        specs.append(k)
    return specs


class Translated:
    """Mixin for screens and widgets: ``KEYS`` become bindings in the current language.

    The bindings the class inherits from Textual (a screen's Tab / Shift+Tab, a table's cursor keys,
    a text area's editing keys) are kept; a key named in ``KEYS`` replaces an inherited binding of the
    same key, so a screen or widget can give a key its own meaning.
    """

    KEYS: list[KeySpec | AppKeyRef] = []
    TITLE_KEY = ""  # a screen's name in the catalogue (its title line), set again when the language changes
    _app_ref = None

    @property
    def app(self) -> App:  # type: ignore[override]
        """The app, also from a thread worker that outlives its screen.

        Textual finds the app through a context variable, or else by walking up the DOM; a thread
        worker has no context variable, and once its screen is popped (or the app is shutting down)
        the walk ends at ``None``. A save or reload still running then must not fail for that, so
        the app found the first time is remembered."""
        try:
            app = MessagePump.app.fget(self)  # type: ignore[attr-defined]
        except NoActiveAppError:
            if self._app_ref is None:
                raise
            return self._app_ref
        self._app_ref = app
        return app

    @property
    def less_app(self) -> LessApp:
        """The app, typed: the meeting app's own state and commands (``service``, ``cfg``, ``masked`` …)."""
        return cast("LessApp", self.app)

    async def recompose(self) -> None:
        """Composed anew (a language switch rebuilds every screen): on a screen, what is typed in its
        fields (each ``Input`` and ``TextArea`` with an id), their cursors and the focused field stay."""
        from textual.screen import Screen
        from textual.widgets import Input, TextArea

        if not isinstance(self, Screen):
            await super().recompose()  # type: ignore[misc]
            return
        kept: dict[str, tuple[str, object]] = {}
        for w in self.query("Input, TextArea"):
            if w.id and isinstance(w, Input):
                kept[w.id] = (w.value, w.cursor_position)
            elif w.id and isinstance(w, TextArea):
                kept[w.id] = (w.text, w.cursor_location)
        focused = self.focused.id if self.focused is not None else None
        await super().recompose()  # type: ignore[misc]
        for w in self.query("Input, TextArea"):
            if w.id not in kept:
                continue
            value, cursor = kept[w.id]
            if isinstance(w, Input):
                if w.value != value:
                    w.value = value
                w.cursor_position = min(int(cursor), len(value))  # type: ignore[call-overload]
            elif isinstance(w, TextArea):
                if w.text != value:
                    w.text = value
                w.cursor_location = w.clamp_visitable(cursor)  # type: ignore[arg-type]
        if focused:
            try:
                widget = self.query_one(f"#{focused}")
            except Exception:
                widget = None
            if widget is not None and widget.focusable:
                widget.focus()

    def language_changed(self) -> None:
        """The language was switched (on a screen): its keys and its widgets' keys in the new language,
        and the screen composed anew in it."""
        self.translate_bindings()
        for w in self.query("*"):  # type: ignore[attr-defined]
            if isinstance(w, Translated):
                w.translate_bindings()
        if self.TITLE_KEY:
            self.title = t(self.TITLE_KEY)  # type: ignore[attr-defined]
        self.refresh(recompose=True)  # type: ignore[attr-defined]

    def translate_bindings(self) -> None:
        ours = BindingsMap([k.binding() for k in key_specs(self)])
        inherited = type(self)._merged_bindings  # type: ignore[attr-defined]
        keys: dict[str, list[Binding]] = {}
        if inherited is not None:
            for key, bindings in inherited.key_to_bindings.items():
                if key not in ours.key_to_bindings:
                    keys[key] = list(bindings)
        for key, bindings in ours.key_to_bindings.items():
            keys[key] = list(bindings)
        self._bindings = BindingsMap.from_keys(keys)  # type: ignore[attr-defined]


RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 5.0)  # seconds before the 1st, 2nd, … retry of a failed save


def retry_delay(attempt: int) -> float:
    """Backoff before retry number ``attempt`` (1, 2, …) of a write the database refused."""
    return RETRY_DELAYS[max(0, min(attempt, len(RETRY_DELAYS)) - 1)]


def db_trouble(err: BaseException) -> str:
    """What is wrong with the database, in the user's language, as a short phrase."""
    from ..services.errors import db_reason

    return db_reason(err)  # (locked, full and out of reach are said in words there)


class DataScreen(Translated, Screen):
    """A screen that shows what is stored. The app tells the screen in front what happened to the data
    through these hooks (each does nothing unless the screen has something to show for it)."""

    def palette_fields(self) -> list[tuple[str, str]]:
        """The screen's fields the palette goes to by name, as (label, widget id): "Gå till Rehabplan finns"
        finds what only Tab reached before."""
        return []

    def focus_field(self, widget_id: str) -> None:
        self.query_one(f"#{widget_id}").focus()

    def refresh_from_db(self) -> None:
        """Something was committed (here or in another session): show what is stored now."""

    def write_failed(self, error: BaseException, delay: float) -> None:
        """A write from this screen waits for the database; the app retries in ``delay`` seconds."""

    def writes_done(self) -> None:
        """The writes that waited are saved."""

    def became_readonly(self) -> bool:
        """The meeting was closed (perhaps in another session): nothing more is written. True when the
        screen says so itself; otherwise the app notifies."""
        return False
