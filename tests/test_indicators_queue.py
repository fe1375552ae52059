import datetime as dt

from less_tui.config import QueueSettings
from less_tui.core import indicators as ind
from less_tui.core import queue as q
from less_tui.core.episodes import Cert, StatusRecord, build_episodes

D = dt.date
AT = D(2026, 6, 1)
QCFG = QueueSettings(max_cases=25, min_days=60, full_time_days=30, contact_after_days=30, plan_after_days=30,
                     checkpoint_window_days=30,
                     weights={"several_doctors": 2, "three_plus_doctors": 2, "long": 2, "full_time": 2,
                              "no_coordinator": 1.5, "no_rehab_plan": 1, "checkpoint": 2.5})
TARGETS = {"one_doctor": 0.8, "full_time": 0.2, "coordinator_contact": 0.8, "rehab_plan": 0.8}


def cert(i, pid, start, end, deg=100, doc="A", dx="F32.1"):
    return Cert(i, pid, start, end, deg, doc, doc, dx)


def sample():
    return [
        cert(1, 1, D(2026, 1, 1), D(2026, 3, 31), 100, "A"), cert(2, 1, D(2026, 4, 1), D(2026, 7, 1), 100, "B"),
        cert(3, 2, D(2026, 5, 20), D(2026, 6, 20), 50, "A", "M54.5"),
        cert(4, 3, D(2026, 5, 1), D(2026, 7, 1), 100, "C", "J18.9"),  # chapter J: not in the population
        cert(5, 4, D(2026, 1, 1), D(2026, 2, 1), 100, "A", "F43.8A"),  # ended
        cert(6, 5, D(2026, 3, 1), D(2026, 4, 1), 100, "A"), cert(7, 5, D(2026, 4, 2), D(2026, 5, 1), 75, "B"),
        cert(8, 5, D(2026, 5, 2), D(2026, 6, 30), 50, "C", "R53.9"),
    ]


def test_indicators_count_over_population():
    recs = [StatusRecord(1, 3, D(2026, 5, 25), "coordinator", "Aktiv"),
            StatusRecord(2, 8, D(2026, 5, 25), "rehab_plan", "ja"),
            StatusRecord(3, 2, D(2026, 6, 2), "coordinator", "Aktiv")]  # after the date: ignored
    eps = build_episodes(sample(), AT, 5, recs)
    s = ind.compute(eps, AT, ["F", "M", "R"], TARGETS,
                    previous={"one_doctor": ind.Value(1, 4)}, previous_date=D(2026, 5, 1))
    assert s.population == 3
    v = {i.key: (i.count, i.denominator) for i in s.indicators}
    assert v == {"one_doctor": (1, 3), "full_time": (1, 3), "coordinator_contact": (1, 3), "rehab_plan": (1, 3)}
    one = s.by_key("one_doctor")
    assert one.delta_pp == round((0.3333 - 0.25) * 100, 2)
    assert one.improved() is True and one.on_target is False
    assert s.by_key("full_time").direction == "lower"
    assert s.context.ongoing_total == 4
    assert s.context.chapters == {"F": 1, "M": 1, "R": 1}
    assert s.context.three_plus_doctors == 1
    assert s.context.over_90 == 2  # patient 1: 152 days, patient 5: 122 days
    js = ind.to_json(s, "VC", {})
    assert js["indicators"][0]["previous"]["meeting_date"] == "2026-05-01"
    assert js["indicators"][1]["previous"] is None


def test_empty_population_has_no_share():
    s = ind.compute([], AT, ["F"], TARGETS)
    assert s.population == 0 and s.by_key("one_doctor").share is None
    assert s.by_key("one_doctor").delta_pp is None


def test_queue_reasons_and_ranking():
    eps = build_episodes(sample(), AT, 5)
    items = q.rank(eps, QCFG)
    by_pid = {it.episode.patient_id: it for it in items}
    assert set(by_pid) == {1, 3, 5}  # patient 2 is short and part-time; patient 4 ended
    assert by_pid[1].reasons == ["several_doctors", "long", "full_time", "no_coordinator", "no_rehab_plan",
                                 "checkpoint"]
    assert by_pid[1].checkpoint == (180, 28)  # day 152 on 2026-06-01
    assert "three_plus_doctors" in by_pid[5].reasons
    assert "full_time" not in by_pid[5].reasons
    # day 90 passed 3 days ago for patient 5: due now, so first; then by score
    assert by_pid[5].checkpoint == (90, -3) and by_pid[5].reasons[0] == "checkpoint"
    assert [it.episode.patient_id for it in items[:2]] == [5, 1]
    # follow-ups always come first, even with a lower score
    items = q.rank(eps, QCFG, {4: 1})
    assert items[0].episode.patient_id == 3 and items[0].follow_up and items[0].reasons[0] == "follow_up"


def test_checkpoint_within_window():
    eps = build_episodes([cert(1, 1, D(2026, 3, 10), D(2026, 7, 1), 50)], AT, 5,
                         [StatusRecord(1, 1, AT, "coordinator", "Aktiv"), StatusRecord(2, 1, AT, "rehab_plan", "ja")])
    (it,) = q.rank(eps, QCFG)
    assert it.episode.day_number() == 84
    assert it.reasons == ["long", "checkpoint"] and it.checkpoint == (90, 6)


def test_sparkline():
    assert ind.sparkline([0, 0.5, 1, None]) == "▁▅█ "


def test_a_checkpoint_passed_since_the_last_meeting_is_due_now_and_first():
    # day 100 on 2026-06-01: day 90 passed 10 days ago (within the 30-day window), day 180 is far off
    eps = build_episodes([cert(1, 1, D(2026, 2, 22), D(2026, 8, 1), 50)], AT, 5,
                         [StatusRecord(1, 1, AT, "coordinator", "Aktiv"), StatusRecord(2, 1, AT, "rehab_plan", "ja")])
    (it,) = q.rank(eps, QCFG)
    assert it.episode.day_number() == 100
    assert it.checkpoint == (90, -10)
    assert it.reasons == ["checkpoint", "long"]  # due now: first
    assert q.due_now("checkpoint", it.checkpoint) and not q.due_now("long", it.checkpoint)
    # past the window: no checkpoint reason (and not "next: 180" either)
    late = build_episodes([cert(1, 1, D(2026, 1, 23), D(2026, 8, 1), 50)], AT, 5,
                          [StatusRecord(1, 1, AT, "coordinator", "Aktiv"), StatusRecord(2, 1, AT, "rehab_plan", "ja")])
    (it2,) = q.rank(late, QCFG)
    assert it2.episode.day_number() == 130 and it2.checkpoint is None and "checkpoint" not in it2.reasons


def test_reason_words_say_when_the_checkpoint_is():
    from less_tui.i18n import set_language
    from less_tui.present import checkpoint_text, reason_labels, reasons_line

    set_language("sv")
    assert checkpoint_text((180, 12)) == "dag 180 om 12 d"
    assert checkpoint_text((180, 0)) == "dag 180 i dag"
    assert checkpoint_text((180, -3)) == "dag 180 passerad"
    labels = reason_labels(["follow_up", "checkpoint", "three_plus_doctors", "several_doctors"], (180, -3))
    assert labels == [("uppföljning", True), ("dag 180 passerad", True), ("≥3 läkare", False)]
    assert reasons_line(["checkpoint"], (90, 5), lang="en") == "day 90 in 5 d"
