"""The indicators and the queue are built from the live patients only (an episode ongoing, a follow-up
due, a review at the meeting): they must be exactly what building every patient of the unit gives."""

import datetime as dt

from less_tui.core import indicators as ind_core
from less_tui.services import views
from less_tui.storage import db, repo
from less_tui.storage.models import pk

DATES = [dt.date(2025, 11, 23) + dt.timedelta(days=d) for d in range(0, 366, 13)]


def _queue(items):
    return [(it.case_no, it.reasons, it.score, it.follow_up, it.due_actions, it.checkpoint) for it in items]


def test_live_patients_give_the_same_indicators_and_queue_as_every_patient(demo_engine, cfg):
    for at in DATES:
        _same_at(demo_engine, cfg, at)


def _same_at(engine, cfg, at: dt.date) -> None:
    with db.session(engine) as s:
        unit = repo.get_unit(s, cfg.unit, create=False)
        every = views.episodes_at(s, pk(unit), at, cfg.max_gap_days)
        due = repo.open_actions_due(s, pk(unit), at)
        live = views.live_episodes_at(s, pk(unit), at, cfg.max_gap_days, due)
        # the precondition the comparison needs: a unit with past patients and live ones
        assert len(live) < len(every) and any(e.ongoing for e in live), at
        key = lambda e: (e.patient_id, e.start)  # noqa: E731
        assert {key(e) for e in every if e.ongoing} == {key(e) for e in live if e.ongoing}
        full_ind = views.indicators_at(s, cfg, unit, at, every)
        live_ind, live_queue = views.overview_at(s, cfg, unit, at)
        assert ind_core.to_json(live_ind, "u", {}) == ind_core.to_json(full_ind, "u", {}), at
        assert ind_core.to_json(views.indicators_at(s, cfg, unit, at), "u", {}) == ind_core.to_json(full_ind, "u", {})
        full_queue = views.queue_at(s, cfg, unit, at, every)
        assert full_queue, "the demo clinic has a queue at every date"
        assert _queue(live_queue) == _queue(full_queue), at
        assert _queue(views.queue_at(s, cfg, unit, at)) == _queue(full_queue)
        # a follow-up due on a case no longer ongoing is still found (its patient is loaded)
        for it in full_queue:
            if it.follow_up and not it.episode.ongoing:
                assert any(x.case_no == it.case_no for x in live_queue)
