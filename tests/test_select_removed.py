"""A Select removed before it was mounted (a screen replaced while it was being built: the follower's
decision screen when the presenter steps through cases quickly) must not end the app."""

from textual.app import App
from textual.containers import Vertical

from less_tui.widgets.select import LessSelect


class _Built(App):
    def __init__(self, remove: bool):
        super().__init__()
        self.remove_at_once = remove

    def on_mount(self) -> None:
        box = Vertical(id="box")
        self.mount(box)
        box.mount(LessSelect([("a", 1), ("b", 2)], value=2, id="s"))
        if self.remove_at_once:
            box.remove()


async def test_a_select_removed_before_it_is_mounted_leaves_the_app_running():
    app = _Built(remove=True)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert not app.query("#s")
        assert app.is_running
    assert app._exception is None
    assert app.return_code in (None, 0)


async def test_a_select_kept_is_set_up_as_textual_does():
    app = _Built(remove=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.query_one("#s", LessSelect).value == 2
    assert app._exception is None
