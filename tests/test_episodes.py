import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from less_tui.core.episodes import (CaseSpan, Cert, StatusRecord, build_episodes, covered_days, number_new_certificates,
                                    split_patient)

D = dt.date


def c(i, start, end, degree=100, doctor="A", pid=1, signed=None, dx="F32.1", case_no=None):
    return Cert(i, pid, start, end, degree, doctor, doctor, dx, signed, case_no)


def test_gap_of_max_gap_days_joins_and_one_more_splits():
    a = c(1, D(2026, 1, 1), D(2026, 1, 10))
    # next start = end + 5 + 1 days -> joins (gap of exactly 5 days between)
    joined = c(2, D(2026, 1, 16), D(2026, 1, 20))
    assert len(split_patient([a, joined], 5)) == 1
    split = c(3, D(2026, 1, 17), D(2026, 1, 20))
    assert len(split_patient([a, split], 5)) == 2
    # with max_gap 0: the next day joins, a one-day gap splits
    assert len(split_patient([a, c(4, D(2026, 1, 11), D(2026, 1, 12))], 0)) == 1
    assert len(split_patient([a, c(5, D(2026, 1, 12), D(2026, 1, 13))], 0)) == 2


def test_certificate_starting_after_the_date_does_not_count():
    certs = [c(1, D(2026, 1, 1), D(2026, 1, 31)), c(2, D(2026, 2, 1), D(2026, 2, 28), doctor="B")]
    eps = build_episodes(certs, D(2026, 1, 31))
    assert len(eps) == 1 and eps[0].end == D(2026, 1, 31) and eps[0].n_doctors == 1
    eps = build_episodes(certs, D(2026, 2, 1))
    assert eps[0].end == D(2026, 2, 28) and eps[0].n_doctors == 2


def test_length_counts_distinct_days_not_gaps():
    certs = [c(1, D(2026, 1, 1), D(2026, 1, 10)), c(2, D(2026, 1, 5), D(2026, 1, 12)),
             c(3, D(2026, 1, 15), D(2026, 1, 16))]
    (e,) = build_episodes(certs, D(2026, 1, 20))
    assert e.length == 12 + 2
    assert e.start == D(2026, 1, 1) and e.end == D(2026, 1, 16)
    assert not e.ongoing


def test_two_doctors_with_one_name_and_different_hsa_ids():
    a = Cert(1, 1, D(2026, 1, 1), D(2026, 1, 10), 100, "hsa:SE1", "Anna Berg", "F32.1")
    b = Cert(2, 1, D(2026, 1, 11), D(2026, 1, 20), 100, "hsa:SE2", "Anna Berg", "F32.1")
    (e,) = build_episodes([a, b], D(2026, 1, 15))
    assert e.n_doctors == 2
    same = Cert(3, 1, D(2026, 1, 11), D(2026, 1, 20), 100, "hsa:SE1", "Anna Berg", "F32.1")
    (e,) = build_episodes([a, same], D(2026, 1, 15))
    assert e.n_doctors == 1


def test_one_doctor_however_the_name_is_spelt_and_with_or_without_the_hsa_id():
    """"Anna Berg", "anna berg" and "Anna  Berg" were three doctors (the one-doctor indicator fell, the case
    showed "≥3 läkare"), and Anna Berg with her HSA-id and without it two (QA helper, hand-made files)."""
    def cert(i, key, name, month):
        return Cert(i, 1, D(2026, month, 1), D(2026, month, 28), 100, key, name, "F32.1")

    spelt = [cert(1, "name:Anna Berg", "Anna Berg", 1), cert(2, "name:anna berg", "anna berg", 2),
             cert(3, "name:Anna  Berg", "Anna  Berg", 3)]
    (e,) = build_episodes(spelt, D(2026, 3, 15))
    assert e.n_doctors == 1
    with_id = [cert(1, "hsa:SE1", "Anna Berg", 1), cert(2, "name:anna berg", "anna berg", 2)]
    (e,) = build_episodes(with_id, D(2026, 2, 15))
    assert e.n_doctors == 1
    # two namesakes with ids stay two; a certificate without an id adds no third
    namesakes = [cert(1, "hsa:SE1", "Anna Berg", 1), cert(2, "hsa:SE2", "Anna Berg", 2),
                 cert(3, "name:Anna Berg", "Anna Berg", 3)]
    (e,) = build_episodes(namesakes, D(2026, 3, 15))
    assert e.n_doctors == 2
    # another name is another doctor
    other = [cert(1, "hsa:SE1", "Anna Berg", 1), cert(2, "name:Anna Bergman", "Anna Bergman", 2)]
    (e,) = build_episodes(other, D(2026, 2, 15))
    assert e.n_doctors == 2


def test_the_doctor_count_and_the_per_certificate_doctors_follow_one_rule(demo_engine):
    """``Episode.doctors`` (``distinct_doctors``, made from the distinct keys for speed) and the timeline's
    doctor per certificate (``doctor_identities``) are two ways of one rule: over every episode of the demo
    clinic, with its names spelt other ways too, they count the same doctors."""
    from sqlmodel import Session

    from less_tui.core.episodes import distinct_doctors, doctor_identities
    from less_tui.storage import repo

    with Session(demo_engine) as s:
        unit = repo.get_unit(s, "VC Exempel", create=False)
        certs = repo.load_certs(s, unit.id)
    variants = []
    for i, c in enumerate(certs):  # every third name in capitals, every fifth without its HSA-id
        if c.doctor_key.startswith("name:") and i % 3 == 0:
            c = c._replace(doctor_key="name:" + c.doctor_key[5:].upper())
        elif c.doctor_key.startswith("hsa:") and i % 5 == 0:
            c = c._replace(doctor_key="name:" + c.doctor_name)
        variants.append(c)
    eps = build_episodes(variants, D(2026, 11, 23))
    assert len(eps) > 500
    for e in eps:
        ids = doctor_identities(e.certs)
        assert len(distinct_doctors(e.certs)) == (len(set(ids.values())) if ids else 1), e.certs


def test_active_certificate_when_several_overlap():
    a = c(1, D(2026, 1, 1), D(2026, 1, 31), degree=100, signed=D(2026, 1, 1), dx="F32.1")
    b = c(2, D(2026, 1, 10), D(2026, 2, 10), degree=50, signed=D(2026, 1, 12), dx="M54.5")
    # latest signed wins among those covering the date
    (e,) = build_episodes([a, b], D(2026, 1, 20))
    assert e.degree == 50 and e.diagnosis == "M54.5" and e.chapter == "M"
    # a later-starting one signed earlier loses to the later signature
    b2 = c(2, D(2026, 1, 10), D(2026, 2, 10), degree=50, signed=D(2025, 12, 31))
    (e,) = build_episodes([a, b2], D(2026, 1, 20))
    assert e.degree == 100
    # none covers the date: the latest one that started
    (e,) = build_episodes([c(1, D(2026, 1, 1), D(2026, 1, 10), degree=75),
                           c(2, D(2026, 1, 13), D(2026, 1, 14), degree=25)], D(2026, 1, 12))
    assert e.degree == 75


def test_status_records_latest_on_or_before_date():
    certs = [c(1, D(2026, 1, 1), D(2026, 3, 1))]
    recs = [StatusRecord(1, 1, D(2026, 1, 10), "coordinator", "Kontaktad"),
            StatusRecord(2, 1, D(2026, 2, 10), "coordinator", "Lämnas utan åtgärd"),
            StatusRecord(3, 1, D(2026, 2, 1), "rehab_plan", "ja")]
    (e,) = build_episodes(certs, D(2026, 1, 31), records=recs)
    assert e.coordinator_contact and not e.rehab_plan
    (e,) = build_episodes(certs, D(2026, 2, 15), records=recs)
    assert not e.coordinator_contact and e.rehab_plan


def test_case_numbers_survive_extension_backfill_and_merge():
    a = CaseSpan(D(2026, 1, 1), D(2026, 1, 10), 7)
    b = CaseSpan(D(2026, 3, 1), D(2026, 3, 10), 9)
    bridge = (D(2026, 1, 11), D(2026, 2, 28))  # joins a and b: the smaller number wins
    assert number_new_certificates([a, b], [bridge], 5, 10) == ([7], 10)
    extension = (D(2026, 3, 12), D(2026, 3, 20))
    assert number_new_certificates([a, b], [extension], 5, 10) == ([9], 10)
    backfill = (D(2025, 12, 20), D(2025, 12, 31))
    assert number_new_certificates([a], [backfill], 5, 10) == ([7], 10)
    new = (D(2026, 6, 1), D(2026, 6, 2))
    assert number_new_certificates([a], [new], 5, 10) == ([10], 11)


def test_new_episodes_are_numbered_in_date_order_whatever_the_row_order():
    late, early, early_too = (D(2026, 9, 1), D(2026, 9, 5)), (D(2026, 5, 1), D(2026, 5, 5)), (D(2026, 5, 6), D(2026, 5, 9))
    assert number_new_certificates([], [late, early, early_too], 5, 3) == ([4, 3, 3], 5)
    assert number_new_certificates([], [], 5, 3) == ([], 3)


cert_lists = st.lists(
    st.tuples(st.integers(0, 400), st.integers(0, 60), st.sampled_from([25, 50, 75, 100]),
              st.sampled_from(["A", "B", "C"]), st.integers(1, 3)),
    min_size=1, max_size=25,
)


def _certs(spec):
    base = D(2025, 1, 1)
    return [Cert(i + 1, pid, base + dt.timedelta(days=s), base + dt.timedelta(days=s + ln), deg, doc, doc, "F32.1")
            for i, (s, ln, deg, doc, pid) in enumerate(spec)]


@settings(max_examples=150, deadline=None)
@given(cert_lists, st.integers(0, 90), st.randoms())
def test_import_order_does_not_change_episodes(spec, gap, rnd):
    certs = _certs(spec)
    at = D(2026, 6, 1)
    shuffled = certs[:]
    rnd.shuffle(shuffled)

    def key(eps):
        return sorted((e.patient_id, e.start, e.end, e.length, e.n_doctors, e.degree, e.cert_ids) for e in eps)

    assert key(build_episodes(certs, at, gap)) == key(build_episodes(shuffled, at, gap))


@settings(max_examples=150, deadline=None)
@given(cert_lists, st.integers(0, 90))
def test_episode_invariants(spec, gap):
    certs = _certs(spec)
    at = D(2025, 6, 1)
    eps = build_episodes(certs, at, gap)
    counted = [x for x in certs if x.start <= at]
    assert sum(len(e.certs) for e in eps) == len(counted)
    for e in eps:
        assert 1 <= e.length <= (e.end - e.start).days + 1
        assert e.length == covered_days(e.certs)
        assert e.active in e.certs
        assert 1 <= e.n_doctors <= len(e.certs)
        assert e.day_number() <= e.length
    # episodes of one patient never overlap and are separated by more than the gap
    by_p = {}
    for e in eps:
        by_p.setdefault(e.patient_id, []).append(e)
    for lst in by_p.values():
        lst.sort(key=lambda e: e.start)
        for x, y in zip(lst, lst[1:]):
            assert (y.start - x.end).days > gap + 1


@settings(max_examples=100, deadline=None)
@given(cert_lists, st.integers(0, 30))
def test_a_larger_gap_never_makes_more_episodes(spec, gap):
    certs = _certs(spec)
    at = D(2026, 1, 1)
    assert len(build_episodes(certs, at, gap + 1)) <= len(build_episodes(certs, at, gap))


def _active_reference(certs, at):
    """The active certificate as the rule says it (the form the one-pass search in ``_active`` replaced)."""
    covering = [c for c in certs if c.start <= at <= c.end]
    if covering:
        return max(covering, key=lambda c: (c.signed or D.min, c.start, c.id))
    return max(certs, key=lambda c: (c.start, c.signed or D.min, c.id))


@settings(max_examples=200, deadline=None)
@given(cert_lists, st.integers(0, 30), st.integers(-30, 500), st.lists(st.integers(0, 40), max_size=25))
@example([(0, 59, 100, "A", 1), (31, 28, 50, "A", 1)], 5, 45, [7, 4])  # the one signed last, not started last
def test_an_episodes_figures_are_the_rules_counts(spec, gap, at_day, signed_days):
    """Length, day number, full-time days and the active certificate, as an episode computes them once,
    equal ``covered_days`` and the rule's choice of certificate at every date."""
    base = D(2025, 1, 1)
    certs = [x._replace(signed=base + dt.timedelta(days=signed_days[i] * 10))  # (not in start order)
             if i < len(signed_days) and signed_days[i] % 3 else x for i, x in enumerate(_certs(spec))]
    at = base + dt.timedelta(days=at_day)
    for e in build_episodes(certs, at, gap):
        assert e.length == covered_days(e.certs)
        assert e.day_number() == covered_days(e.certs, until=at)
        assert e.full_time_days() == covered_days([x for x in e.certs if x.degree == 100], until=at)
        assert e.active == _active_reference(e.certs, at)
        assert e.start == min(x.start for x in e.certs) and e.end == max(x.end for x in e.certs)
