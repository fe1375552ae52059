"""Command palette: jump to a case by number or initials, and the app's own commands."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.widgets.option_list import Option

from ..core.plaintext import one_line
from ..i18n import t

if TYPE_CHECKING:
    from ..app import LessApp

EXACT = 1000.0  # an exact case number or initials outranks every fuzzy match


class CaseCommands(Provider):
    """Offers every case of the current queue, matched on number or initials (or name, unmasked)."""

    @property
    def less_app(self) -> LessApp:
        return cast("LessApp", self.app)

    def _cases(self):
        data = self.less_app.current_queue
        seen: set[int] = set()
        for r in data.rows if data else []:
            if r.case_no not in seen:
                seen.add(r.case_no)
                yield r

    def _label(self, r) -> str:
        who = r.masked() if self.less_app.masked else f"{r.pnr} {r.name}"
        return one_line(t("cmd.case", case=r.case_no, patient=who) + f" · {r.diagnosis}")

    async def discover(self) -> Hits:
        for r in list(self._cases())[:20]:
            yield DiscoveryHit(Text(self._label(r)), partial(self.less_app.open_case, r.case_no))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        q = query.strip().lower()
        if q.isdigit():
            # a case number: that case, or those whose number begins with it; never a fuzzy match on the
            # digits ("795" matched case 461 by its patient's birth year 1979, and Enter opened it)
            found = False
            for r in self._cases():
                number = str(r.case_no)
                if number.startswith(q):
                    found = found or number == q
                    yield Hit(EXACT + 1 if number == q else EXACT - len(number), Content(self._label(r)),
                              partial(self.less_app.open_case, r.case_no))
            data = self.less_app.current_queue
            if not found and data is not None and data.qualifying > len(data.rows):
                # it may be among the cases beyond the list's cap: say how to see them
                hint = t("cmd.case_not_listed", case=q, shown=len(data.rows), total=data.qualifying)
                yield Hit(EXACT, Content(hint), partial(self.less_app.notify, hint, markup=False))
            return
        for r in self._cases():
            label = self._label(r)
            if q and q == str(r.case_no):
                score = EXACT + 1
            elif q and q == r.initials.lower():
                score = EXACT
            else:
                score = matcher.match(label)
            if score > 0:
                yield Hit(score, highlight(matcher, label), partial(self.less_app.open_case, r.case_no))


def highlight(matcher: Matcher, label: str) -> Content:
    """``Matcher.highlight`` without reading ``label`` as markup (a name holding ``[/]`` would end the
    app, ``[@click=…]`` would become a link): the label as plain content, matched letters styled."""
    content = Content(label)
    score, offsets = matcher.fuzzy_search.match(matcher.query, label)
    if score:
        style = matcher.match_style
        for offset in offsets:
            if not label[offset].isspace():
                content = content.stylize(style, offset, offset + 1)
    return content


class LessCommandPalette(CommandPalette):
    """Textual's palette with its one fixed English text ("No matches found") from the catalogue."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                command_list = self.query_one(CommandList)
                command_list.add_option(Option(Align.center(Text(t("cmd.no_matches"), style="not bold")),
                                               disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
