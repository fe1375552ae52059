"""Typed dialogs: each returns its answer through ``dismiss``."""

from __future__ import annotations

import datetime as dt
import re

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..core.suggest import Suggestion, same, suggest
from ..i18n import t
from .base import KeySpec, Translated


class ConfirmDialog(Translated, ModalScreen[bool]):
    """A yes/no question. "No" has the focus, so a stray Enter never does the irreversible thing."""

    KEYS = [KeySpec("y,j", "yes", "btn.yes", "confirm_yes"), KeySpec("n,escape", "no", "btn.no", "confirm_no")]

    def __init__(self, question: str, yes: str | None = None, no: str | None = None):
        super().__init__()
        self.translate_bindings()
        self.question = question
        self.yes_label = yes or t("btn.yes_key")  # the key that answers is on the button
        self.no_label = no or t("btn.no_key")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-question", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.no_label, id="no", variant="primary")
                yield Button(self.yes_label, id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only


def parse_iso_date(text: str) -> dt.date | None:
    """``yyyy-mm-dd`` with ASCII digits and a real day, else None."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


class SuggestInput(Translated, Input):
    """A field with a suggestion list under it: ↓ moves into the list."""

    KEYS = [KeySpec("down", "suggestions", "act.key_suggestions", "action_suggest", show=False)]

    class OpenList(Message):
        def __init__(self, field: SuggestInput):
            super().__init__()
            self.field = field

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.translate_bindings()

    def action_suggestions(self) -> None:
        self.post_message(self.OpenList(self))


class SuggestionList(Translated, OptionList):
    """The suggestions for one field. Not in the Tab chain: it takes focus only when entered with ↓.

    ↑ on the first suggestion or Escape goes back to the field; typing goes back to the field too.
    """

    KEYS = [KeySpec("escape", "back", "act.key_back", "action_suggest_back", show=False)]

    class Back(Message):
        def __init__(self, suggestions: SuggestionList, key: str | None = None):
            super().__init__()
            self.suggestions = suggestions
            self.key = key

    MARK = "▸ "

    def __init__(self, field: str, **kw):
        super().__init__(compact=True, **kw)
        self.translate_bindings()
        self.field = field
        self.values: list[str | None] = []  # what each option puts in the field
        self._prompts: list[Text] = []
        self.can_focus = False

    def fill(self, items: list[tuple[Text, str | None]]) -> None:
        """Options from (prompt, value); a value of None makes a line that cannot be chosen."""
        self._prompts = [p for p, _ in items]
        self.values = [v for _, v in items]
        self.set_options([Option(self._marked(i), disabled=v is None) for i, (_, v) in enumerate(items)])

    def _marked(self, index: int, mark: bool = False) -> Text:
        return Text(self.MARK if mark else " " * len(self.MARK)) + self._prompts[index]

    def _watch_highlighted(self, old: int | None, new: int | None) -> None:
        """The highlighted suggestion (the one Enter takes) also gets a ▸, whatever the theme."""
        for index, mark in ((old, False), (new, True)):
            if index is not None and 0 <= index < len(self._prompts) and index < self.option_count:
                self.replace_option_prompt_at_index(index, self._marked(index, mark))

    def enter(self) -> bool:
        """Take focus with the first suggestion highlighted (or the one already highlighted)."""
        if not any(not o.disabled for o in self.options):
            return False
        self.can_focus = True
        if self.highlighted is None:
            self.action_first()
        self.focus()
        return True

    def on_blur(self) -> None:
        self.can_focus = False

    def action_back(self) -> None:
        self.post_message(self.Back(self))

    def action_cursor_up(self) -> None:
        first = next((i for i, o in enumerate(self.options) if not o.disabled), None)
        if self.highlighted is None or self.highlighted == first:
            self.post_message(self.Back(self))
        else:
            super().action_cursor_up()

    def on_key(self, event: events.Key) -> None:
        if event.key == "backspace" or (event.is_printable and event.character):
            event.stop()
            event.prevent_default()
            self.post_message(self.Back(self, "backspace" if event.key == "backspace" else event.character))


class AddActionDialog(Translated, ModalScreen["tuple[str, str, dt.date] | None"]):
    """A new action (or, with ``initial``, an existing one): kind, owner and due date, by keys alone.

    Typing in the kind or owner field shows matching catalogue entries or roster names under it
    (``core.suggest``: any part of the text, case and å/ä/ö ignored, abbreviations expanded), the best
    one highlighted. Enter takes the highlighted suggestion (or the typed text, when none is
    highlighted) and goes to the next field; ↓ moves into the list, where ↑/↓ move, Enter picks and
    ↑ on the first one or Escape returns to the field. The last suggestion keeps the typed text as it
    is. Enter on the due date (or the Add/Save button) checks the three fields and closes the dialog;
    Escape cancels it from anywhere but a suggestion list, where it first returns to the field.
    """

    KEYS = [KeySpec("escape", "cancel", "act.cancel", "action_cancel")]
    AUTO_FOCUS = "#kind"
    FIELDS = ("kind", "owner", "due")

    # Own class names (not app.tcss's .field/.field-label): the focused row is marked from
    # on_descendant_focus, because Textual does not restyle a label when only its parent's
    # :focus-within changes.
    DEFAULT_CSS = """
    AddActionDialog #action-dialog {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
        border-subtitle-color: $text-muted;
    }
    AddActionDialog .dialog-title { text-style: bold; margin: 0 0 1 0; }
    AddActionDialog .act-field { height: 1; }
    AddActionDialog #owner-field, AddActionDialog #due-field { margin-top: 1; }
    AddActionDialog .act-label { width: 15; padding: 0 1; color: $text-muted; }
    AddActionDialog .act-field.-error > .act-label { color: $error; text-style: bold; }
    AddActionDialog .act-field.-active > .act-label { background: $accent; color: $background; text-style: bold; }
    AddActionDialog .act-field.-active.-error > .act-label { background: $error; color: $background; }
    AddActionDialog .act-field Input { width: 1fr; background: $panel; }
    AddActionDialog .act-field Input:focus { background: $accent 25%; }
    AddActionDialog #due { width: 12; }
    AddActionDialog .act-hint { color: $text-muted; margin-left: 2; width: auto; }
    AddActionDialog SuggestionList { height: 6; margin-left: 15; background: $surface; }
    AddActionDialog SuggestionList > .option-list--option-highlighted {
        background: $surface; color: $foreground; text-style: bold;
    }
    AddActionDialog SuggestionList:focus > .option-list--option-highlighted {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    AddActionDialog #action-error { color: $error; height: auto; min-height: 1; margin-top: 1; }
    """

    def __init__(self, catalogue: list[str], roster: list[str], default_due: dt.date, *,
                 earliest: dt.date | None = None, initial: tuple[str, str, dt.date | None] | None = None,
                 abbreviations: dict[str, str] | None = None):
        super().__init__()
        self.translate_bindings()
        self.catalogue = list(catalogue)
        self.roster = list(roster)
        self.default_due = default_due
        self.earliest = earliest
        self.initial = initial
        self.abbreviations = dict(abbreviations or {})
        self._edited = {"kind": False, "owner": False}  # typed in since the dialog last set the text
        self._set_by_us: dict[str, str] = {}
        self._error_field: str | None = None

    # ------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        kind, owner, due = self.initial or ("", "", None)
        self._set_by_us = {"kind": kind, "owner": owner}
        with Vertical(id="action-dialog"):
            yield Label(t("act.title_edit" if self.initial else "act.title_new"), classes="dialog-title",
                        markup=False)
            with Horizontal(classes="act-field", id="kind-field"):
                yield Label(t("act.kind"), classes="act-label", markup=False)
                yield SuggestInput(kind, id="kind", compact=True, select_on_focus=False)
            yield SuggestionList("kind", id="kind-list")
            with Horizontal(classes="act-field", id="owner-field"):
                yield Label(t("act.owner"), classes="act-label", markup=False)
                yield SuggestInput(owner, id="owner", compact=True, select_on_focus=False)
            yield SuggestionList("owner", id="owner-list")
            with Horizontal(classes="act-field", id="due-field"):
                yield Label(t("act.due"), classes="act-label", markup=False)
                yield Input((due or self.default_due).isoformat(), id="due", compact=True)
                yield Label(t("act.date_format"), classes="act-hint", markup=False)
            yield Static("", id="action-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("act.save" if self.initial else "act.add"), id="add", variant="primary")
                yield Button(t("act.cancel"), id="cancel")

    def on_mount(self) -> None:
        box = self.query_one("#action-dialog")
        box.border_subtitle = t("act.hint")
        for field in ("kind", "owner"):
            self._refresh(field)
        self.query_one("#owner-list").display = False
        self._fit(self.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        """As many suggestion rows (3-10) as fit: the rest of the dialog takes 15 rows, and 3 stay free."""
        rows = max(3, min(10, height - 18))
        for lst in self.query(SuggestionList):
            lst.styles.height = rows

    # ------------------------------------------------------------ suggestions
    def _input(self, field: str) -> Input:
        return self.query_one(f"#{field}", Input)

    def _list(self, field: str) -> SuggestionList:
        return self.query_one(f"#{field}-list", SuggestionList)

    def _prompt(self, s: Suggestion) -> Text:
        text = Text(s.text)
        for start, end in s.spans:
            text.stylize("bold underline", start, end)
        return text

    def _refresh(self, field: str) -> None:
        lst = self._list(field)
        query = self._input(field).value.strip()
        found = suggest(query, self.catalogue if field == "kind" else self.roster, self.abbreviations)
        items: list[tuple[Text, str | None]] = [(self._prompt(s), s.text) for s in found]
        exact = next((i for i, s in enumerate(found) if same(s.text, query)), None)
        if query and exact is None:
            items.append((Text(t("act.own_text", text=query), style="italic"), query))
        if not items:
            items.append((Text(t("act.no_suggestions"), style="italic"), None))
        lst.fill(items)
        if exact is not None:
            lst.highlighted = exact
        elif query and self._edited[field]:  # what Enter will take; not for a text the dialog filled in
            lst.highlighted = 0
        else:
            lst.scroll_home(animate=False)

    def _set_field(self, field: str, value: str) -> None:
        inp = self._input(field)
        self._set_by_us[field] = value
        self._edited[field] = False
        inp.value = value
        inp.cursor_position = len(value)
        self._refresh(field)

    def _take(self, field: str, index: int | None) -> None:
        """Put suggestion ``index`` (None: keep the text) in ``field`` and go on to the next field."""
        lst = self._list(field)
        if index is not None and 0 <= index < len(lst.values) and lst.values[index] is not None:
            self._set_field(field, lst.values[index])
        self._input(self.FIELDS[self.FIELDS.index(field) + 1]).focus()

    @on(Input.Changed, "#kind, #owner")
    def typed(self, event: Input.Changed) -> None:
        field = event.input.id
        if event.value != self._set_by_us.get(field):
            self._edited[field] = True
            self._set_by_us.pop(field, None)
        self._refresh(field)
        self._clear_error(field)

    @on(Input.Changed, "#due")
    def due_typed(self) -> None:
        self._clear_error("due")

    @on(Input.Submitted, "#kind, #owner")
    def field_done(self, event: Input.Submitted) -> None:
        event.stop()
        self._take(event.input.id, self._list(event.input.id).highlighted)

    @on(SuggestInput.OpenList)
    def open_list(self, msg: SuggestInput.OpenList) -> None:
        self._list(msg.field.id).enter()

    @on(OptionList.OptionSelected, "SuggestionList")
    def picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._take(event.option_list.field, event.option_index)

    @on(SuggestionList.Back)
    def back_to_field(self, msg: SuggestionList.Back) -> None:
        inp = self._input(msg.suggestions.field)
        inp.focus()
        if msg.key == "backspace":
            inp.action_delete_left()
        elif msg.key:
            inp.insert_text_at_cursor(msg.key)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The suggestions shown are those of the kind or owner field that has the focus; on the due
        date and the buttons none are shown (what was picked is in its field)."""
        wid = event.widget.id or ""
        for field in self.FIELDS:
            self.query_one(f"#{field}-field").set_class(wid in (field, f"{field}-list"), "-active")
        for field in ("kind", "owner"):
            self._list(field).display = wid in (field, f"{field}-list")

    # ------------------------------------------------------------ checking and closing
    def _error(self, field: str, message: str) -> None:
        self._clear_error()
        self._error_field = field
        self.query_one("#action-error", Static).update(Text(message))
        self.query_one(f"#{field}-field").add_class("-error")
        self._input(field).focus()

    def _clear_error(self, field: str | None = None) -> None:
        if self._error_field is None or (field is not None and field != self._error_field):
            return
        self.query_one(f"#{self._error_field}-field").remove_class("-error")
        self._error_field = None
        self.query_one("#action-error", Static).update("")

    def _canonical(self, text: str, entries: list[str]) -> str:
        """The catalogue's or roster's spelling of ``text`` when it is one of them, else the text."""
        return next((e for e in entries if same(e, text)), text)

    @on(Input.Submitted, "#due")
    @on(Button.Pressed, "#add")
    def submit(self, event: Message) -> None:
        event.stop()
        kind = self._canonical(self._input("kind").value.strip(), self.catalogue)
        owner = self._canonical(self._input("owner").value.strip(), self.roster)
        due_text = self._input("due").value.strip()
        due = parse_iso_date(due_text)
        example = max(self.default_due, self.earliest or self.default_due).isoformat()
        kept = self.initial is not None and due == self.initial[2]  # an existing date may stay as it is
        if not kind:
            self._error("kind", t("act.kind_required"))
        elif not owner:
            self._error("owner", t("act.owner_required"))
        elif not due_text:
            self._error("due", t("act.due_required", example=example))
        elif due is None:
            shown = due_text if len(due_text) <= 30 else due_text[:29] + "…"
            self._error("due", t("act.bad_date", value=shown, example=example))
        elif self.earliest is not None and due < self.earliest and not kept:
            self._error("due", t("act.too_early", value=due.isoformat(), earliest=self.earliest.isoformat()))
        elif self.earliest is not None and due > _a_year_after(self.earliest) and not kept:
            # (a year typed wrong, 2031 for 2026: a follow-up is for a coming meeting, as the import refuses
            # certificate dates more than a year ahead)
            self._error("due", t("act.too_late", value=due.isoformat(), latest=_a_year_after(self.earliest).isoformat()))
        else:
            self.dismiss((kind, owner, due))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def has_typing(self) -> bool:
        """Something is typed in the dialog that is not stored (an action not yet added, or changed)."""
        try:
            now = tuple(self.query_one(f"#{f}", Input).value.strip() for f in self.FIELDS)
        except Exception:
            return False
        kind, owner, due = self.initial or ("", "", None)
        was = (kind, owner, (due or self.default_due).isoformat())
        return now != was if self.initial else bool(now[0] or now[1])


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return dt.date(day.year + 1, 3, 1)


def when_text(when: dt.datetime | None) -> str:
    """A save's time as the screen shows it: local ``YYYY-MM-DD HH:MM`` (empty when unknown)."""
    if when is None:
        return ""
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d %H:%M")


def both_plans(mine: str, theirs: str, user: str, when: dt.datetime | None) -> str:
    """Both texts of a conflict, mine first, then a line naming whose text follows, then theirs.
    An empty text (or one the other already holds) adds nothing."""
    a, b = mine.rstrip(), theirs.strip()
    if not b or b in a:
        return mine
    if not a.strip() or a.strip() in b:
        return theirs
    line = t("dec.both_separator", user=user or t("dec.someone"), when=when_text(when)).strip()
    return f"{a}\n\n{line}\n{b}"


class ConflictDialog(Translated, ModalScreen[str]):
    """Two people saved the same plan: both texts, who saved the other one and when; the answer is
    mine, theirs or both (both texts kept, one after the other). Answered only with the buttons
    (Tab, Shift+Tab and the arrows move between them, Enter chooses); Escape keeps both. Letters are
    not answers: typed while the dialog is up they are ignored and the hint says why."""

    KEYS = [
        KeySpec("escape", "both", "dec.keep_both", "conflict_both"),
        KeySpec("left,up", "app.focus_previous", "key.prev_field", "conflict_prev", show=False),
        KeySpec("right,down", "app.focus_next", "key.next_field", "conflict_next", show=False),
        KeySpec("pageup", "scroll_texts(-1)", "key.page", "conflict_page_up", show=False),
        KeySpec("pagedown", "scroll_texts(1)", "key.page", "conflict_page_down", show=False),
    ]
    DEFAULT_CSS = """
    ConflictDialog #conflict { width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1; }
    ConflictDialog .dialog-title { margin-bottom: 0; }
    ConflictDialog #conflict-hint { color: $text-muted; }
    ConflictDialog #conflict-hint.-typed { color: $warning; text-style: bold; }
    ConflictDialog #conflict-texts { height: auto; max-height: 12; }
    ConflictDialog .dialog-sub { margin-top: 1; }
    ConflictDialog .plan-text { padding-left: 2; }
    ConflictDialog .dialog-buttons { margin-top: 1; }
    ConflictDialog .dialog-buttons Button { margin-right: 1; }
    """

    def __init__(self, mine: str, theirs: str, user: str = "", when: dt.datetime | None = None):
        super().__init__()
        self.translate_bindings()
        self.mine = mine
        self.theirs = theirs
        self.user = user or t("dec.someone")
        self.when = when
        self.both = both_plans(mine, theirs, user, when)

    def compose(self) -> ComposeResult:
        when = when_text(self.when)
        with Vertical(id="conflict"):
            yield Label(t("dec.conflict", user=self.user, when=when), classes="dialog-title", markup=False)
            yield Label(t("dec.conflict_hint"), id="conflict-hint", markup=False)
            with VerticalScroll(id="conflict-texts", can_focus=False):
                yield Label(t("dec.mine"), classes="dialog-sub", markup=False)
                yield Static(self.mine.strip() or "–", classes="plan-text", markup=False)
                yield Label(t("dec.theirs_by", user=self.user, when=when), classes="dialog-sub", markup=False)
                yield Static(self.theirs.strip() or "–", classes="plan-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dec.keep_both"), id="both", variant="primary")
                yield Button(t("dec.keep_mine"), id="mine")
                yield Button(t("dec.take_theirs"), id="theirs")

    def on_mount(self) -> None:
        # (a dialog answered or replaced before its mount is handled has no buttons left: nothing to do)
        for button in self.query("#both").results(Button):
            button.focus()  # Enter at once keeps both: nothing is lost
        self._fit(self.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        """The texts take what the title, hint and buttons leave (they take 9 rows with the border)."""
        for texts in self.query("#conflict-texts"):
            texts.styles.max_height = max(3, height - 9)

    def on_key(self, event: events.Key) -> None:
        """A letter (or a space) is not an answer: nothing happens but the hint saying how to answer."""
        if event.is_printable:
            event.stop()
            event.prevent_default()
            self._typed()

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        self._typed()

    def _typed(self) -> None:
        hint = self.query_one("#conflict-hint", Label)
        hint.update(t("dec.conflict_typed"))
        hint.add_class("-typed")

    def action_scroll_texts(self, pages: int) -> None:
        box = self.query_one("#conflict-texts", VerticalScroll)
        if pages < 0:
            box.scroll_page_up(animate=False)
        else:
            box.scroll_page_down(animate=False)

    @on(Button.Pressed, "#mine")
    def action_mine(self) -> None:
        self.dismiss(self.mine)

    @on(Button.Pressed, "#theirs")
    def action_theirs(self) -> None:
        self.dismiss(self.theirs)

    @on(Button.Pressed, "#both")
    def action_both(self) -> None:
        self.dismiss(self.both)


class ChoiceDialog(Translated, ModalScreen["str | None"]):
    """Pick one of a few options (for example the export format)."""

    KEYS = [KeySpec("escape", "cancel", "btn.cancel", "choice_cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]):
        super().__init__()
        self.translate_bindings()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield OptionList(*[Option(Text(label), id=value) for value, label in self.choices], id="choices")
            yield Static(t("choice.hint"), classes="choice-hint", markup=False)  # the keys, as the other dialogs say them

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
