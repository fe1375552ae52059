"""The episode rule (the same as Rehabstöd), as pure functions over plain data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, NamedTuple, Sequence

CONTACT_STATUSES = frozenset(
    {"Kontaktad", "Aktiv", "Uppföljning", "Avslutad", "Avböjt", "Medicinsk rehab"}
)
COORDINATOR_STATUSES = ("-", "Kontaktad", "Aktiv", "Uppföljning", "Avslutad", "Avböjt",
                        "Lämnas utan åtgärd", "Medicinsk rehab")
CHECKPOINTS = (90, 180, 365)


class Cert(NamedTuple):
    """One certificate (a tuple: a region holds a million of them)."""

    id: int
    patient_id: int
    start: dt.date
    end: dt.date
    degree: int
    doctor_key: str
    doctor_name: str
    diagnosis: str
    signed: dt.date | None = None
    case_no: int | None = None
    source: str = "intyg"  # "intyg" or "rehabstod" (one row per episode; doctors a lower bound)


class StatusRecord(NamedTuple):
    """A coordinator-status or rehab-plan record for the episode holding ``certificate_id``."""

    id: int
    certificate_id: int
    as_of: dt.date
    kind: str  # "coordinator" or "rehab_plan"
    value: str  # coordinator status text, or "ja"/"nej"


@lru_cache(maxsize=65536)  # (a unit has a few dozen doctors; their names recur in every episode)
def doctor_name_key(name: str) -> str:
    """A doctor's name as it identifies the doctor: case and spacing do not make another doctor ("Anna
    Berg", "anna berg" and "Anna  Berg" are one)."""
    return " ".join(name.split()).casefold()


def distinct_doctors(certs: Sequence[Cert]) -> frozenset[str]:
    """The doctors of one episode's certificates by the rule of ``doctor_identities`` (the same count), made
    from the distinct keys rather than per certificate (a region counts the doctors of 50,000 episodes)."""
    keys = {c.doctor_key for c in certs}
    if len(keys) < 2:
        return frozenset(keys)
    hsa = {k for k in keys if k.startswith("hsa:")}
    names = {doctor_name_key(k[5:]) for k in keys if k.startswith("name:")}
    if hsa and names:
        names -= {doctor_name_key(c.doctor_name) for c in certs if c.doctor_key in hsa}
    other = {k for k in keys if not k.startswith(("hsa:", "name:"))}  # (keys made by hand)
    return frozenset(hsa | {f"name:{n}" for n in names} | other)


def doctor_identities(certs: Iterable[Cert]) -> dict[int, str]:
    """{certificate id: the doctor who signed it} over one episode's certificates, by HSA-id when known,
    else by name (``doctor_name_key``); a certificate without an id whose doctor's name is that of a doctor
    with an id in the episode is that doctor (the id names the doctor; one certificate was written without
    it), of two such namesakes the first by id (it adds no doctor either way). Empty when the certificates
    share one key (nothing to join). ``distinct_doctors`` counts by the same rule."""
    certs = list(certs)
    keys = {c.doctor_key for c in certs}
    if len(keys) < 2:
        return {}
    by_name: dict[str, set[str]] = {}
    for c in certs:
        if c.doctor_key.startswith("hsa:"):
            by_name.setdefault(doctor_name_key(c.doctor_name), set()).add(c.doctor_key)
    out: dict[int, str] = {}
    for c in certs:
        if c.doctor_key.startswith("hsa:"):
            out[c.id] = c.doctor_key
            continue
        name = doctor_name_key(c.doctor_key[5:] if c.doctor_key.startswith("name:") else c.doctor_name)
        ids = by_name.get(name, ())
        out[c.id] = min(ids) if ids else f"name:{name}"
    return out


@dataclass(slots=True)
class Episode:
    """One episode evaluated at date ``at``. Length, active certificate and day number are
    computed on first use: a region holds many more past episodes than ongoing ones."""

    patient_id: int
    certs: list[Cert]
    start: dt.date
    end: dt.date
    at: dt.date
    case_no: int | None
    lower_bound: bool = False
    coordinator_status: str = "-"
    rehab_plan: bool = False
    cert_ids: frozenset[int] = field(default_factory=frozenset)
    _length: int | None = None
    _active: Cert | None = None
    _day: int | None = None
    _doctors: frozenset[str] | None = None
    _spans: list[list[int]] | None = None

    def _union(self) -> list[list[int]]:
        """The certificates' periods joined where they overlap or touch, as day ordinals (made once:
        the length and the day number both read it)."""
        if self._spans is None:
            self._spans = _union(self.certs)
        return self._spans

    @property
    def length(self) -> int:
        if self._length is None:
            self._length = sum(e - s + 1 for s, e in self._union())
        return self._length

    @property
    def active(self) -> Cert:
        if self._active is None:
            self._active = _active(self.certs, self.at)
        return self._active

    @property
    def doctors(self) -> frozenset[str]:
        """The episode's distinct doctors (``doctor_identities``)."""
        if self._doctors is None:
            self._doctors = distinct_doctors(self.certs)
        return self._doctors

    @property
    def degree(self) -> int:
        return self.active.degree

    @property
    def diagnosis(self) -> str:
        return self.active.diagnosis

    @property
    def chapter(self) -> str:
        return self.active.diagnosis[:1].upper()

    @property
    def n_doctors(self) -> int:
        return len(self.doctors)

    @property
    def ongoing(self) -> bool:
        return self.start <= self.at <= self.end

    @property
    def coordinator_contact(self) -> bool:
        return self.coordinator_status in CONTACT_STATUSES

    def day_number(self) -> int:
        """Sick days of the episode up to and including the evaluation date."""
        if self._day is None:
            self._day = _days_until(self._union(), self.at.toordinal())
        return self._day

    def full_time_days(self) -> int:
        """Days up to the evaluation date covered by full-time certificates."""
        return _days_until(_union([c for c in self.certs if c.degree == 100]), self.at.toordinal())

    def next_checkpoint(self) -> tuple[int, int] | None:
        """The next rehab-chain checkpoint (day, days left) or None past day 365."""
        n = self.day_number()
        for cp in CHECKPOINTS:
            if cp >= n:
                return cp, cp - n
        return None


def covered_days(certs: Iterable[Cert], until: dt.date | None = None) -> int:
    """Distinct days covered by the certificates' periods (end day included)."""
    spans = sorted((c.start, min(c.end, until) if until else c.end) for c in certs)
    total = 0
    cur_s: dt.date | None = None
    cur_e: dt.date | None = None
    for s, e in spans:
        if e < s:
            continue
        if cur_s is None or cur_e is None or s > cur_e + dt.timedelta(days=1):
            if cur_s is not None and cur_e is not None:
                total += (cur_e - cur_s).days + 1
            cur_s, cur_e = s, e
        elif e > cur_e:
            cur_e = e
    if cur_s is not None and cur_e is not None:
        total += (cur_e - cur_s).days + 1
    return total


def _union(certs: Iterable[Cert]) -> list[list[int]]:
    """The periods of ``certs`` joined where they overlap or touch: [first, last] day ordinals, in order.
    ``covered_days`` is the same count over dates; this form is what an episode's figures read."""
    out: list[list[int]] = []
    last: list[int] | None = None
    for s, e in sorted([(c.start.toordinal(), c.end.toordinal()) for c in certs]):
        if last is not None and s <= last[1] + 1:
            if e > last[1]:
                last[1] = e
        else:
            last = [s, e]
            out.append(last)
    return out


def _days_until(spans: list[list[int]], until: int) -> int:
    """Days of the joined ``spans`` on or before the day ordinal ``until``."""
    total = 0
    for s, e in spans:
        if s > until:
            break
        total += (e if e < until else until) - s + 1
    return total


def _active(certs: Sequence[Cert], at: dt.date) -> Cert:
    """The certificate covering ``at`` signed last (then the latest start, then the highest id); with
    none covering it, the one starting last."""
    best: Cert | None = None
    best_key: tuple[dt.date, dt.date, int] | None = None
    for c in certs:
        if c.start <= at <= c.end:
            key = (c.signed or dt.date.min, c.start, c.id)
            if best_key is None or key > best_key:
                best, best_key = c, key
    if best is not None:
        return best
    return max(certs, key=lambda c: (c.start, c.signed or dt.date.min, c.id))


def split_patient(certs: Sequence[Cert], max_gap_days: int) -> list[list[Cert]]:
    """Group one patient's certificates into episodes (certificates in start order)."""
    ordered = sorted(certs, key=lambda c: (c.start, c.end, c.id))
    groups: list[list[Cert]] = []
    latest_end: dt.date | None = None
    gap = dt.timedelta(days=max_gap_days + 1)
    for c in ordered:
        if latest_end is not None and c.start <= latest_end + gap:
            groups[-1].append(c)
            if c.end > latest_end:
                latest_end = c.end
        else:
            groups.append([c])
            latest_end = c.end
    return groups


def count_ongoing_sorted(spans: Iterable[tuple[int, dt.date, dt.date]], at: dt.date, max_gap_days: int) -> int:
    """How many episodes are ongoing at ``at``, from (patient id, start, end) already sorted by patient,
    start and end, and holding only certificates that start on or before ``at``: one pass, nothing kept, so a unit of a
    million certificates is counted without holding them. Only a patient's last episode can cover
    ``at`` (a later one would start after ``at``)."""
    gap = dt.timedelta(days=max_gap_days + 1)
    n = 0
    current = None
    latest_end: dt.date | None = None
    for patient, start, end in spans:
        if patient != current:
            if latest_end is not None and latest_end >= at:
                n += 1
            current, latest_end = patient, end
        elif latest_end is not None and start <= latest_end + gap:
            if end > latest_end:
                latest_end = end
        else:
            latest_end = end
    if latest_end is not None and latest_end >= at:
        n += 1
    return n


def make_episode(patient_id: int, group: list[Cert], at: dt.date) -> Episode:
    first = group[0]
    start, end, case_no, lower = first.start, first.end, None, False
    for c in group:  # one pass: a region makes fifty thousand episodes
        if c.start < start:
            start = c.start
        if c.end > end:
            end = c.end
        n = c.case_no
        if n is not None and (case_no is None or n < case_no):
            case_no = n
        if c.source == "rehabstod":
            lower = True
    return Episode(patient_id, group, start, end, at, case_no, lower, cert_ids=frozenset([c.id for c in group]))


def build_episodes(
    certs: Iterable[Cert],
    at: dt.date,
    max_gap_days: int = 5,
    records: Iterable[StatusRecord] = (),
) -> list[Episode]:
    """All episodes at date ``at`` (only certificates that started on or before it count)."""
    by_patient: dict[int, list[Cert]] = defaultdict(list)
    for c in certs:
        if c.start <= at:
            by_patient[c.patient_id].append(c)
    episodes: list[Episode] = []
    for pid, pcerts in by_patient.items():
        for group in split_patient(pcerts, max_gap_days):
            episodes.append(make_episode(pid, group, at))
    apply_records(episodes, records, at)
    return episodes


def apply_records(episodes: list[Episode], records: Iterable[StatusRecord], at: dt.date) -> None:
    """Set each episode's latest coordinator status and rehab-plan flag on or before ``at``."""
    where: dict[int, Episode] = {}
    for ep in episodes:
        for cid in ep.cert_ids:
            where[cid] = ep
    latest: dict[tuple[int, str], tuple[dt.date, int, str]] = {}
    for r in records:
        if r.as_of > at:
            continue
        owner = where.get(r.certificate_id)
        if owner is None:
            continue
        key = (id(owner), r.kind)
        cand = (r.as_of, r.id, r.value)
        if key not in latest or cand[:2] > latest[key][:2]:
            latest[key] = cand
    for ep in episodes:
        c = latest.get((id(ep), "coordinator"))
        ep.coordinator_status = c[2] if c else "-"
        p = latest.get((id(ep), "rehab_plan"))
        ep.rehab_plan = bool(p and p[2] == "ja")


def ongoing(episodes: Iterable[Episode]) -> list[Episode]:
    return [e for e in episodes if e.ongoing]


class CaseSpan(NamedTuple):
    """A stored certificate's period and the case number it carries."""

    start: dt.date
    end: dt.date
    case_no: int


def number_new_certificates(stored: Sequence[CaseSpan], new: Sequence[tuple[dt.date, dt.date]],
                            max_gap_days: int, next_no: int) -> tuple[list[int], int]:
    """Case numbers for one patient's ``new`` certificates ((start, end) periods) beside the patient's
    ``stored`` ones.

    A new certificate takes the number of its episode: the smallest number among the episode's stored
    certificates, or, for an episode of new certificates only, ``next_no`` (such episodes numbered in
    date order). Returns (a number for each of ``new``, in its order; the next free number). Numbers
    stay with a case when it is extended, gets an earlier certificate, or merges with another (the
    smaller wins)."""
    items = sorted([(s.start, s.end, s.case_no, -1) for s in stored]
                   + [(start, end, None, i) for i, (start, end) in enumerate(new)], key=lambda x: (x[0], x[1]))
    gap = dt.timedelta(days=max_gap_days + 1)
    groups: list[tuple[list[int], list[int]]] = []  # per episode: (stored numbers, indexes into new)
    latest_end: dt.date | None = None
    for start, end, case_no, i in items:
        if latest_end is not None and start <= latest_end + gap:
            if end > latest_end:
                latest_end = end
        else:
            groups.append(([], []))
            latest_end = end
        if case_no is not None:
            groups[-1][0].append(case_no)
        else:
            groups[-1][1].append(i)
    out = [0] * len(new)
    for numbers, members in groups:
        if not members:
            continue
        if numbers:
            no = min(numbers)
        else:
            no = next_no
            next_no += 1
        for i in members:
            out[i] = no
    return out, next_no
