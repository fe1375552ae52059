"""Keys reach their field in the order they were typed, also when new keys come from the terminal
while held ones are being replayed (under load a plan was once stored as "aPln" for "Plan")."""

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from less_tui.widgets.keyflow import OrderedKeys


class Harness(OrderedKeys, App):
    def __init__(self):
        super().__init__()
        self.init_key_order(holding=False)

    def compose(self) -> ComposeResult:
        yield Input(id="field")


def terminal_key(ch: str) -> events.Key:
    """A key as the terminal driver posts it to the app."""
    key = events.Key(ch, " " if ch == "space" else ch)
    key._sender = None
    return key


async def test_a_key_from_the_terminal_never_overtakes_the_replayed_ones():
    app = Harness()
    async with app.run_test() as pilot:
        await pilot.pause()
        field = app.query_one(Input)
        assert app.focused is field
        app.hold_keys()  # as while a screen opens
        app.post_message(terminal_key("P"))
        app.post_message(terminal_key("l"))
        await pilot.pause()
        assert field.value == ""  # held
        # the next key is already in the app's queue when the screen becomes ready and the held keys
        # are replayed behind it
        app.post_message(terminal_key("a"))
        app.release_held_keys()
        app.post_message(terminal_key("n"))
        for _ in range(20):
            await pilot.pause()
            if len(field.value) == 4:
                break
        assert field.value == "Plan"


async def test_keys_after_a_focus_moving_key_keep_their_order():
    app = Harness()
    async with app.run_test() as pilot:
        await pilot.pause()
        field = app.query_one(Input)
        for ch in "ab":
            app.post_message(terminal_key(ch))
        app.post_message(terminal_key("space"))  # a focus-moving key: what follows waits, then is replayed
        for ch in "cd":
            app.post_message(terminal_key(ch))
        for _ in range(40):
            await pilot.pause()
            if len(field.value) == 5:
                break
        assert field.value == "ab cd"
