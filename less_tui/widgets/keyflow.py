"""Keys reach the widget they were typed for, in the order they were typed.

Textual routes a key to the widget that has the focus when the key is taken from the app's queue,
and that widget handles it later, in its own task. Over SSH a burst of keys arrives in one read
("avst⏎Kers", "Tab Space", "Enter" and the first words of a plan), so the keys after one that moves
the focus would be routed to the old field before the focus has moved. And keys typed while a
screen is still opening (at start, right after Enter on a case) would reach the screen underneath.

``OrderedKeys`` (mixed into the App) holds keys instead:
- while a screen is opening (``hold_keys`` … ``release_held_keys``), and
- after a key that can move the focus (Enter, Escape, Tab, function keys …) or that works through a binding
  (End, Backspace, arrows …: Textual runs a field's binding only after the key has bubbled up to the app,
  while a letter is inserted at once), until the app and the screen have processed everything that key set
  off (a few rounds of their message queues);
then it hands the held keys, oldest first, to the App's key handling in the app's own task (never posted
again, so no key from the terminal can come between them), one routing at a time.
"""

from __future__ import annotations

import time

from textual import events

# Keys whose handling may move the focus or change the screen; what follows them waits.
FOCUS_MOVING = {"enter", "escape", "tab", "shift+tab", "ctrl+p", "delete", "space",
                *(f"f{n}" for n in range(1, 13))}
# Ctrl+C only shows which key quits; it never waits behind held keys. Quitting (Ctrl+Q) does: the text
# typed before it in the same read reaches the plan, and is saved, before the app ends.
PASS_THROUGH = {"ctrl+c"}
QUIT_KEYS = {"ctrl+q"}
QUIT_WAIT = 2.0  # seconds: a quit held behind other keys waits at most this long for them
SETTLE_ROUNDS = 40  # at most this many passes over the message queues after a focus-moving key
MIN_SETTLE = 0.05  # seconds: what follows a focus-moving key waits at least this long
MAX_SETTLE = 5.0  # seconds: a settle not ended by then (a node removed before its callback ran) ends anyway
MAX_HOLD = 30.0  # seconds: never hold keys longer than this (a busy machine can take 15 s to open a screen)


class OrderedKeys:
    """Mixin for the App (first in the bases, so its ``on_event`` runs first).

    Held keys are never posted again: ``_drain`` hands them, oldest first, to the App's own key handling
    inside the app's task, so nothing can come between them; a key that arrives from the terminal while
    any is held joins the end of the list."""

    _holding_keys: bool
    _settling: int
    _held_keys: list[events.Key]

    def init_key_order(self, holding: bool) -> None:
        self._holding_keys = holding
        # what the keys are held for: the app's first screen ("start"), or the case being opened; only its
        # own release ends a hold (the queue's reload, done while a case opens, must not hand the keys typed
        # for that case to the queue)
        self._hold_for: object = "start" if holding else None
        self._settling = 0
        self._settle_gen = 0  # which settle is the current one (a late callback of an old one is ignored)
        self._held_keys = []
        self._settle_started = 0.0
        self._settle_floor = MIN_SETTLE
        self._draining = False
        self._drain_queued = False
        self._hold_since = time.monotonic()

    last_key_at = 0.0  # when the last key came from the terminal (monotonic; follow mode waits for a pause)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.last_key_at = time.monotonic()
        if isinstance(event, events.Key) and not event.is_forwarded and event.key not in PASS_THROUGH:
            if self._holding_keys or self._settling or self._held_keys or self._draining:
                # never ahead of an older key
                self._held_keys.append(event)
                if len(self._held_keys) == 1:
                    self._hold_since = time.monotonic()
                    self.set_timer(MAX_HOLD, self._force_release)  # type: ignore[attr-defined]
                if event.key in QUIT_KEYS:  # quitting waits for the keys before it, but not for long
                    self.set_timer(QUIT_WAIT, self._release_for_quit)  # type: ignore[attr-defined]
                self._replay()
                return
            await self._deliver(event)
            return
        await super().on_event(event)  # type: ignore[misc]

    async def _deliver(self, event: events.Key) -> None:
        """One key through the App's key handling; after one that may move the focus, wait (settle)."""
        if event.key in QUIT_KEYS and not getattr(event, "_after_settle", False):
            # Quitting is an app binding, run at once, while the letters handed on just before it still wait
            # in the field's own queue: first let everything before it be handled (the plan then holds the
            # text, and the quit saves it), then hand the quit on.
            event._after_settle = True  # type: ignore[attr-defined]
            self._held_keys.insert(0, event)
            if len(self._held_keys) == 1:
                self._hold_since = time.monotonic()
            self.set_timer(QUIT_WAIT, self._release_for_quit)  # type: ignore[attr-defined]
            self._start_settle(0.0)
            return
        # a printable key that does not go into a text field is a command ("/" opens the queue's filter,
        # "s" the summary, "e" the action dialog): what follows it is for what it opens
        command = event.is_printable and not self._typing_into_text()
        await super().on_event(event)  # type: ignore[misc]
        # A key without a printable character (End, Backspace, arrows, Ctrl+U …) does its work through a
        # binding, which Textual runs only when the key has bubbled from the field up to the app, while a
        # letter is inserted by the field at once: without a wait, ", Sara" typed after End replaced a
        # selected list, and "2026-12-23" typed after ten Backspaces became "22026-12-2". A command key
        # waits too: "/620⏎" in one read filtered nothing and opened the case under the cursor (the digits
        # and Enter reached the queue's table before the filter field had the focus).
        if event.key in FOCUS_MOVING or not event.is_printable or command:
            self._start_settle(MIN_SETTLE if event.key in FOCUS_MOVING else 0.0)

    def _typing_into_text(self) -> bool:
        """Does the focused widget take printable keys as text (an input field, the plan)?"""
        from textual.widgets import Input, TextArea

        return isinstance(getattr(self, "focused", None), (Input, TextArea))

    def _start_settle(self, floor: float) -> None:
        """Hold what comes next until the app and the screen have handled everything queued now (and at
        least ``floor`` seconds)."""
        self._settle_floor = floor
        self._settle_started = time.monotonic()
        self._settle_gen += 1
        self._settling = 1
        gen = self._settle_gen
        self.set_timer(MAX_SETTLE, lambda: self._settled(gen))  # type: ignore[attr-defined]
        self._settle(gen, SETTLE_ROUNDS)

    # ------------------------------------------------------------ a screen opening
    def hold_keys(self, for_: object = None) -> None:
        """Hold typed keys until the screen being opened is ready for them: ``release_held_keys(for_)``
        (``for_`` names what is opened, e.g. the case; the newest hold is the one that counts)."""
        self._hold_for = for_
        if not self._holding_keys:
            self._holding_keys = True
            self._hold_since = time.monotonic()
            self.set_timer(MAX_HOLD, self._force_release)  # type: ignore[attr-defined]

    def release_held_keys(self, for_: object = None) -> None:
        """The screen is ready: hand on the keys that arrived before it, in order. With ``for_``, only a
        hold for that (a screen made ready for something else leaves the keys held); without, any hold
        (an error: the keys go where the user is)."""
        if not self._holding_keys:
            return
        if for_ is not None and self._hold_for is not None and for_ != self._hold_for:
            return
        self._holding_keys = False
        self._hold_for = None
        self._replay()

    def _force_release(self) -> None:
        if time.monotonic() - self._hold_since < MAX_HOLD - 0.1:
            return  # the timer of an earlier hold, long over
        self._holding_keys = False
        self._hold_for = None
        self._settling = 0
        self._replay()

    def _release_for_quit(self) -> None:
        """A quit key is still held after ``QUIT_WAIT`` (a screen that does not open, a settle that does
        not end): hand on the held keys now, the quit last, so the app quits as it was asked to."""
        if any(ev.key in QUIT_KEYS for ev in self._held_keys):
            self._holding_keys = False
            self._hold_for = None
            self._settling = 0
            self._replay()

    # ------------------------------------------------------------ after a focus-moving key
    def _settle(self, gen: int, rounds: int, quiet: int = 0) -> None:
        """Pass over the app's and the screen's message queues until everything the last key set off
        has been handled (two passes in a row that find every queue empty), at most ``rounds`` times;
        then replay what was held."""
        if gen != self._settle_gen or not self._settling:
            return  # ended already (by its time limit, or a forced release)
        app = self
        try:
            screen = app.screen  # type: ignore[attr-defined]
            nodes = [app, *screen.walk_children(with_self=True)]
        except Exception:
            nodes = [app]
        pending = 0
        busy = False

        def one_done(node) -> None:
            nonlocal pending, busy
            pending -= 1
            if not node._message_queue.empty():
                busy = True
            if pending == 0:
                finish()

        def finish() -> None:
            # A node's own check misses a message that bubbles: its parent may run its callback before the
            # child passes the message up, and the child's queue is empty by then. So also look at every
            # queue at one instant (no other task runs now): a message on its way is in one of them.
            now_quiet = 0 if busy or self._queues_busy() else quiet + 1
            if now_quiet < 2 and rounds > 1:
                self._settle(gen, rounds - 1, now_quiet)
            else:
                # and at least MIN_SETTLE after the key: some of Textual's follow-up work (actions,
                # screen pops) runs in tasks, not through the message queues seen here
                left = self._settle_floor - (time.monotonic() - self._settle_started)
                if left > 0:
                    self.set_timer(left, lambda: self._settled(gen))  # type: ignore[attr-defined]
                else:
                    self._settled(gen)

        for node in nodes:
            if node.call_later(one_done, node):
                pending += 1
        if pending == 0:
            finish()

    def _queues_busy(self) -> bool:
        """Some message is waiting in the app's queue or that of a node of a screen on the stack."""
        app = self
        if not app._message_queue.empty():  # type: ignore[attr-defined]
            return True
        try:
            screens = list(app.screen_stack)  # type: ignore[attr-defined]
        except Exception:
            return False
        for screen in screens:
            for node in screen.walk_children(with_self=True):
                if not node._message_queue.empty():
                    return True
        return False

    def _settled(self, gen: int) -> None:
        if gen != self._settle_gen or not self._settling:
            return  # a settle that ended already
        self._settling = 0
        self._replay()

    def _replay(self) -> None:
        """Hand on the held keys (in the app's task, after what is queued now) unless something still
        holds them."""
        if self._holding_keys or self._settling or not self._held_keys or self._drain_queued:
            return
        self._drain_queued = True
        self.call_later(self._drain)  # type: ignore[attr-defined]

    async def _drain(self) -> None:
        self._drain_queued = False
        if self._draining:
            return
        self._draining = True
        try:
            while self._held_keys and not self._holding_keys and not self._settling:
                ev = self._held_keys.pop(0)
                # typed before Textual set the terminal to raw mode, Enter arrives as "\n" (ctrl+j)
                key = events.Key("enter", "\r") if ev.key == "ctrl+j" else events.Key(ev.key, ev.character)
                if getattr(ev, "_after_settle", False):
                    key._after_settle = True  # type: ignore[attr-defined]
                # as if from the terminal: a key "sent" by the app would stop bubbling before the app's
                # bindings (Textual stops a message at its sender), and a table's ↓ would be lost
                key._sender = None
                await self._deliver(key)
        finally:
            self._draining = False
        self._replay()  # a hold that ended while these were handed on
