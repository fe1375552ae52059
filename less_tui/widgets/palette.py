"""Command palette: jump to a case by number or initials, and the app's own commands."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..i18n import t


class CaseCommands(Provider):
    """Offers every case of the current queue, matched on number or initials (or name, unmasked)."""

    def _cases(self):
        data = getattr(self.app, "current_queue", None)
        return data.rows if data else []

    def _label(self, r) -> str:
        who = r.masked() if self.app.masked else f"{r.pnr} {r.name}"
        return t("cmd.case", case=r.case_no, patient=who) + f" · {r.diagnosis}"

    async def discover(self) -> Hits:
        for r in self._cases()[:20]:
            yield DiscoveryHit(self._label(r), partial(self.app.open_case, r.case_no))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        q = query.strip().lower()
        for r in self._cases():
            label = self._label(r)
            exact = q and (q == str(r.case_no) or q == r.initials.lower())
            score = 1.0 if exact else matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self.app.open_case, r.case_no))
