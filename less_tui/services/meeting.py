"""The meeting as the app sees it: plain data in, plain data out, no Textual.

Every method opens its own database session (``storage.db.session``) and owns its transaction, so the
app can call them from thread workers. What a call refuses is a ``services.errors`` exception.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace


from typing import TYPE_CHECKING, Callable

from sqlalchemy.engine import Engine
from sqlmodel import Session

from .. import present
from ..config import Config
from ..core import indicators as ind_core
from ..core import pnr as pnrmod
from ..core import episodes as ep_core
from ..core.episodes import Episode
from ..core.queue import QueueItem, item_for, reasons_for
from ..storage import db, repo
from ..storage.models import CaseReview, Meeting, Unit, pk
from . import views
from .errors import Conflict, NotClosed, NotFound, NotThisMeeting, ReadOnly, ReasonRequired

if TYPE_CHECKING:
    from ..storage.watch import ChangeWatcher

ASSESSORS = ("", "doctor", "psychologist", "counsellor", "physiotherapist")


def _conflict(c: repo.Conflict) -> Conflict:
    return Conflict(c.theirs, c.version, c.user, c.when)


@dataclass
class MeetingInfo:
    id: int
    date: dt.date
    status: str
    attendees: list[str]
    started_at: dt.datetime | None
    closed_at: dt.datetime | None

    @property
    def closed(self) -> bool:
        return self.status == "closed"


@dataclass
class CaseRow:
    case_no: int
    patient_id: int
    pnr: str
    name: str
    age: int
    diagnosis: str
    chapter: str
    length: int
    day: int
    degree: int
    doctors: int
    lower_bound: bool
    coordinator_status: str
    rehab_plan: bool
    reasons: list[str]
    checkpoint: tuple[int, int] | None
    score: float
    follow_up: bool
    decided: bool
    start: dt.date
    end: dt.date

    def masked(self) -> str:
        return present.patient_label(self.pnr, self.name)

    @property
    def initials(self) -> str:
        return pnrmod.initials(self.name)


@dataclass
class QueueData:
    meeting: MeetingInfo
    rows: list[CaseRow]
    qualifying: int = 0  # cases with a reason to be discussed; the queue may show fewer (queue.max_cases)
    # the case the meeting last opened (any session), on this session's first load only: where to resume
    resume_case: int | None = None

    @property
    def decided(self) -> int:
        return sum(1 for r in self.rows if r.decided)


@dataclass
class CertInfo:
    start: dt.date
    end: dt.date
    degree: int
    doctor: str
    diagnosis: str
    doctor_changed: bool


@dataclass
class ActionInfo:
    id: int
    kind: str
    owner: str
    due: dt.date | None
    status: str
    meeting_date: dt.date | None = None
    decided_as: int | None = None  # a follow-up's case number when decided, if its case has another now


@dataclass
class HistoryInfo:
    meeting_date: dt.date
    plan: str
    actions: list[ActionInfo]


@dataclass
class CaseDetail:
    row: CaseRow
    certs: list[CertInfo]
    history: list[HistoryInfo]
    review_id: int | None
    plan: str
    version: int
    assessor: str
    actions: list[ActionInfo]
    next_checkpoint: tuple[int, int] | None
    default_due: dt.date
    # the REKO status and rehab plan stored now (the queue's row may be older: read before a status was set)
    stored_coordinator: str = "-"
    stored_rehab_plan: bool = False


@dataclass
class SummaryData:
    meeting: MeetingInfo
    indicators: ind_core.IndicatorSet
    history: list[tuple[dt.date, dict[str, ind_core.Value]]]
    actions_by_owner: dict[str, list[tuple[int, ActionInfo]]]
    last_meeting: dt.date | None
    last_actions: dict[str, list[tuple[int, ActionInfo]]] = field(default_factory=dict)
    reviewed: int = 0


def _info(m: Meeting) -> MeetingInfo:
    return MeetingInfo(pk(m), m.date, m.status, repo.attendees(m), m.started_at, m.closed_at)


class MeetingService:
    def __init__(self, engine: Engine, cfg: Config, date: dt.date, unit_code: str | None = None,
                 session_id: str = "") -> None:
        self.engine = engine
        self.session_id = session_id
        self.cfg = cfg
        self.date = date
        self.unit_code = unit_code or cfg.unit
        self._episodes: dict[int, tuple[Episode, QueueItem | None]] = {}
        self.meeting: MeetingInfo | None = None
        # the places of the cases shown beyond the meeting's running order (``a``: every case), as this
        # session first showed them: {case number: place}
        self._order: dict[int, int] = {}
        # cases this session added to the running order that are not stored yet (the database was busy)
        self._unstored: list[int] = []
        self._resumed = False  # the first load has said where the meeting was

    def _session(self) -> Session:
        return db.session(self.engine)

    # ------------------------------------------------------------ the database
    def change_watcher(self, on_change: Callable[[], None]) -> ChangeWatcher:
        """A watcher that, once ``start()``-ed, calls ``on_change`` (from its own thread) whenever some
        session commits a change to this database; ``stop()`` it when done."""
        from ..storage.watch import ChangeWatcher

        return ChangeWatcher(self.engine, on_change)

    def db_flag(self, config_url: str) -> str:
        """`` --db PATH`` when this database is not the one the commands would find by themselves
        ($LESS_TUI_DB, the config's ``database.url``, the user data dir); else nothing."""
        url = self.engine.url.render_as_string(hide_password=False)
        if url == db.resolve_url(None, config_url):
            return ""
        path = db.sqlite_path(url)
        return f" --db {path if path is not None else self.engine.url.render_as_string(hide_password=True)}"

    # ------------------------------------------------------------ meeting
    def has_certificates(self) -> bool:
        """Does the unit have any certificate? Without one the app opens on the welcome screen."""
        with self._session() as s:
            return repo.unit_has_certificates(s, self.unit_code)

    def open(self) -> MeetingInfo:
        with self._session() as s:
            unit = repo.get_unit(s, self.unit_code)
            m = views.open_or_create_meeting(s, self.cfg, unit, self.date)
            repo.audit(s, "meeting.open", unit.id, detail=self.date.isoformat())
            s.commit()
            self.meeting = _info(m)
            return self.meeting

    def meetings(self) -> list[tuple[MeetingInfo, int]]:
        with self._session() as s:
            unit = repo.get_unit(s, self.unit_code)
            return [(_info(m), len(repo.recorded_reviews(s, pk(m)))) for m in repo.list_meetings(s, pk(unit))]

    def _meeting_row(self, s: Session, unit: Unit) -> Meeting:
        """The unit's meeting row on this service's date, which ``open`` has made (a meeting is never
        deleted); ``NotFound`` if there is none."""
        m = repo.meeting_at(s, pk(unit), self.date)
        if m is None:
            raise NotFound(self.date.isoformat())
        return m

    def _unit_meeting(self, s: Session) -> tuple[Unit, Meeting, MeetingInfo]:
        """This service's unit and meeting rows (the meeting opened first if need be), and the meeting
        as ``self.meeting`` now holds it."""
        if self.meeting is None:
            self.open()
        unit = repo.get_unit(s, self.unit_code)
        m = self._meeting_row(s, unit)
        self.meeting = info = _info(m)
        return unit, m, info

    def _writable(self) -> None:
        if self.meeting is None or self.meeting.closed:
            raise ReadOnly()

    # ------------------------------------------------------------ queue
    def queue(self, show_all: bool = False) -> QueueData:
        """The meeting's queue: follow-ups first, then by rank, at most ``queue.max_cases`` cases unless
        ``show_all`` (every case that qualifies, still follow-ups first)."""
        with self._session() as s:
            unit, m, info = self._unit_meeting(s)
            reviews = repo.reviews_of_meeting(s, pk(m))
            agenda = repo.agenda(s, pk(m))
            stored = set(agenda)
            agenda += [c for c in self._unstored if c not in stored]  # (kept here while the database was busy)
            on_agenda = set(agenda)
            # the patients with an episode ongoing, a follow-up due or a review at this meeting
            due = repo.open_actions_due(s, pk(unit), self.date)
            eps = views.live_episodes_at(s, pk(unit), self.date, self.cfg.max_gap_days,
                                         [*due, *(r.anchor_certificate_id for r in reviews)])
            items = views.queue_at(s, self.cfg, unit, self.date, eps, due)
            ranked = {id(it.episode): it for it in items}  # (every case that qualifies, before the cap)
            qualifying = len(items)
            limit = 0 if show_all else self.cfg.queue.max_cases
            if limit:
                # what is due now is always on the meeting's list, whatever the cap
                fu = [it for it in items if it.urgent]
                items = fu + [it for it in items if not it.urgent][: max(0, limit - len(fu))]
            decided_anchor = {r.anchor_certificate_id for r in repo.recorded_reviews(s, pk(m), reviews)}
            chosen: list[tuple[Episode, QueueItem | None]] = [(it.episode, it) for it in items]
            seen = {id(it.episode) for it in items}
            anchors = {r.anchor_certificate_id for r in reviews}
            for e in eps:  # reviewed at this meeting, or on its list, but not (or no longer) in the queue
                if id(e) not in seen and (e.cert_ids & anchors or e.case_no in on_agenda):
                    # beyond the cap now (its follow-up done, a status set): still on the list, with its reasons
                    chosen.append((e, ranked.get(id(e))))
            new = [] if show_all else [e.case_no for e, _ in chosen if e.case_no and e.case_no not in on_agenda]
            if (new or self._unstored) and not info.closed:
                # the meeting's running order: stored, so a restart or a second session sees the same
                agenda = self._store_agenda(s, pk(m), agenda, new)
            pats = repo.patients_by_id(s, [e.patient_id for e, _ in chosen])
            resume = None
            if not self._resumed:  # a restarted app (or a second session) finds the case the meeting was on
                resume = repo.latest_case_view(s, pk(unit), self.date, exclude_session="\0")
                self._resumed = True
        rows: list[CaseRow] = []
        self._episodes = {}
        for e, it in chosen:
            p = pats[e.patient_id]
            row = CaseRow(
                case_no=e.case_no or 0, patient_id=e.patient_id, pnr=p.pnr, name=p.name,
                age=pnrmod.age(p.pnr, self.date), diagnosis=e.diagnosis, chapter=e.chapter, length=e.length,
                day=e.day_number(), degree=e.degree, doctors=e.n_doctors, lower_bound=e.lower_bound,
                coordinator_status=e.coordinator_status, rehab_plan=e.rehab_plan,
                reasons=list(it.reasons) if it else [], checkpoint=it.checkpoint if it else None,
                score=it.score if it else 0.0, follow_up=it.follow_up if it else False,
                decided=bool(e.cert_ids & decided_anchor), start=e.start, end=e.end,
            )
            rows.append(row)
            self._episodes[row.case_no] = (e, it)
        return QueueData(info, self._in_running_order(rows, agenda), qualifying, resume_case=resume)

    def _store_agenda(self, s: Session, meeting_id: int, agenda: list[int], new: list[int]) -> list[int]:
        """Add ``new`` to the meeting's stored running order (with what an earlier load could not store) and
        return the order. A database another writer holds (an import) is waited for only briefly: the
        order then holds in this session and is stored at a later load; the queue is shown either way."""
        wanted = [*self._unstored, *new]
        try:
            with db.short_wait(s):
                stored = repo.extend_agenda(s, meeting_id, wanted)
                s.commit()
        except Exception as e:
            if not db.is_db_error(e):
                raise
            s.rollback()
            self._unstored = list(dict.fromkeys(wanted))
            return [*agenda, *(c for c in new if c not in set(agenda))]
        self._unstored = []
        return stored

    def _in_running_order(self, rows: list[CaseRow], agenda: list[int]) -> list[CaseRow]:
        """The rows in the meeting's running order (``agenda``: the order its list first showed them): a
        status set or an action done during the meeting changes a case's rank, but the cases do not change
        places under the team's feet (F8 would skip the case that moved up), nor after a restart. A case
        not on it (every case, ``a``) comes after them, in the order this session first showed it."""
        place = {c: i for i, c in enumerate(agenda)}
        listed = sorted((r for r in rows if r.case_no in place), key=lambda r: place[r.case_no])
        rest = [r for r in rows if r.case_no not in place]
        for r in rest:
            self._order.setdefault(r.case_no, len(self._order))
        rest.sort(key=lambda r: self._order[r.case_no])
        return listed + rest

    def _episode(self, case_no: int) -> tuple[Episode, QueueItem | None]:
        if case_no not in self._episodes:
            self.queue()
        return self._episodes[case_no]

    # ------------------------------------------------------------ one case
    def case(self, case_no: int, row: CaseRow, identified: bool = False) -> CaseDetail:
        """The case's details; the view is audited (per patient, with the case number), saying whether
        the screen shows the patient identified (unmasked) or masked."""
        e, it = self._episode(case_no)
        with self._session() as s:
            unit = repo.get_unit(s, self.unit_code)
            m = self._meeting_row(s, unit)
            doctors = {c.doctor_key: c.doctor_name for c in repo.load_certs_of(s, pk(unit), e.cert_ids)}
            ep_core.apply_records([e], repo.records_of(s, pk(unit), e.cert_ids), self.date)  # (as stored now)
            certs: list[CertInfo] = []
            prev_doc: str | None = None
            who = ep_core.doctor_identities(e.certs)  # (one doctor however the name was spelt)
            for c in sorted(e.certs, key=lambda c: (c.start, c.id)):
                doc = who.get(c.id, c.doctor_key)
                certs.append(CertInfo(c.start, c.end, c.degree, doctors.get(c.doctor_key, c.doctor_key),
                                      c.diagnosis, prev_doc is not None and doc != prev_doc))
                prev_doc = doc
            hist: list[HistoryInfo] = []
            for h in repo.history(s, pk(unit), e, before=self.date):
                hist.append(HistoryInfo(h.meeting_date, h.review.plan,
                                        [ActionInfo(pk(a), a.kind, a.owner, a.due, a.status, h.meeting_date)
                                         for a in h.actions]))
            r = repo.review_for(s, pk(m), e)
            actions = [ActionInfo(pk(a), a.kind, a.owner, a.due, a.status, self.date)
                       for a in repo.actions_of(s, pk(r))] if r else []
            repo.audit_case_view(s, pk(unit), e.patient_id, case_no, self.date, self.session_id, identified)
            s.commit()
        return CaseDetail(
            row=row, certs=certs, history=hist, review_id=pk(r) if r else None, plan=r.plan if r else "",
            version=r.version if r else 0, assessor=r.primary_assessor if r else "", actions=actions,
            next_checkpoint=e.next_checkpoint(), default_due=self.default_due(),
            stored_coordinator=e.coordinator_status, stored_rehab_plan=e.rehab_plan,
        )

    def review_state(self, case_no: int) -> tuple[str, int, list[ActionInfo]] | None:
        """The stored plan, its version and the actions of this case at this meeting; ``self.meeting`` as
        stored now (another session may have closed the meeting)."""
        e, _ = self._episode(case_no)
        with self._session() as s:
            unit = repo.get_unit(s, self.unit_code)
            m = self._meeting_row(s, unit)
            self.meeting = _info(m)
            r = repo.review_for(s, pk(m), e)
            if r is None:
                return None
            acts = [ActionInfo(pk(a), a.kind, a.owner, a.due, a.status, self.date) for a in repo.actions_of(s, pk(r))]
            return r.plan, r.version, acts

    def presenter_case(self) -> int | None:
        """The case another session most recently opened at this meeting (follow mode)."""
        with self._session() as s:
            unit = repo.get_unit(s, self.unit_code)
            return repo.latest_case_view(s, pk(unit), self.date, exclude_session=self.session_id)

    def default_due(self) -> dt.date:
        return present.next_meeting(self.date, self.cfg.meeting.cadence_months)

    def _review(self, s: Session, case_no: int) -> tuple[Unit, Meeting, Episode, CaseReview]:
        """The case's review at this meeting (made if need be), for a write in ``s``: refused with
        ``ReadOnly`` if the meeting is closed, checked in the transaction that writes."""
        e, it = self._episode(case_no)
        unit, m = self._open_meeting(s)
        # the checkpoint as the queue says it now (a case opened from beyond the list: by the same rule)
        checkpoint = it.checkpoint if it else (reasons_for(e, self.cfg.queue)[1] if e.ongoing else None)
        return unit, m, e, repo.ensure_review(s, m, e, it.reasons if it else [], checkpoint)

    def _open_meeting(self, s: Session) -> tuple[Unit, Meeting]:
        """This unit and its meeting, which must still be open; the check holds until ``s`` commits
        (another session closing the meeting meanwhile waits, or has already won and we refuse)."""
        unit = repo.get_unit(s, self.unit_code)
        m = repo.meeting_at(s, pk(unit), self.date)
        try:
            if m is None:
                raise repo.MeetingClosed(None)
            repo.require_open(s, pk(m))
        except repo.MeetingClosed:
            s.rollback()
            if self.meeting is not None:
                self.meeting = replace(self.meeting, status="closed")
            raise ReadOnly() from None
        return unit, m

    def save_plan(self, case_no: int, text: str, version: int) -> tuple[int, int]:
        """Returns (review id, new version); raises ``Conflict`` when someone else saved first."""
        self._writable()
        with self._session() as s:
            _, _, _, r = self._review(s, case_no)
            try:
                if version == 0:  # there was no plan when this session opened the case
                    if r.plan.strip() and r.plan != text:
                        raise repo.conflict_of(s, r)
                    version = r.version
                v = repo.save_plan(s, pk(r), text, version)
            except repo.Conflict as c:
                raise _conflict(c) from None
            s.commit()
            return pk(r), v

    def resolve_plan(self, case_no: int, text: str, version: int) -> "tuple[int, int] | Conflict":
        """Save ``text``, chosen in the conflict dialog against the stored ``version``. If someone saved
        yet again while the dialog was open, nothing is written and the new ``Conflict`` is returned
        (so the dialog is shown again with their newest text: nothing is overwritten unseen)."""
        try:
            return self.save_plan(case_no, text, version)
        except Conflict as c:
            return c

    def add_action(self, case_no: int, kind: str, owner: str, due: dt.date | None) -> ActionInfo:
        self._writable()
        with self._session() as s:
            _, _, _, r = self._review(s, case_no)
            a = repo.add_action(s, pk(r), kind, owner, due)
            s.commit()
            return ActionInfo(pk(a), a.kind, a.owner, a.due, a.status, self.date)

    def _own_action(self, s: Session, action_id: int) -> None:
        """An action made at this meeting (only those can be edited or removed)."""
        m = repo.meeting_at(s, pk(repo.get_unit(s, self.unit_code)), self.date)
        if m is None or repo.meeting_of_action(s, action_id) != m.id:
            raise NotThisMeeting(action_id)

    def edit_action(self, action_id: int, kind: str, owner: str, due: dt.date | None) -> ActionInfo:
        self._writable()
        with self._session() as s:
            self._open_meeting(s)
            self._own_action(s, action_id)
            a = repo.update_action(s, action_id, kind=kind, owner=owner, due=due)
            s.commit()
            return ActionInfo(pk(a), a.kind, a.owner, a.due, a.status, self.date)

    def delete_action(self, action_id: int) -> None:
        self._writable()
        with self._session() as s:
            self._open_meeting(s)
            self._own_action(s, action_id)
            repo.delete_action(s, action_id)
            s.commit()

    def set_action_status(self, action_id: int, status: str) -> None:
        self._writable()
        with self._session() as s:
            self._open_meeting(s)
            repo.set_action_status(s, action_id, status, self.meeting.id if self.meeting else None)
            s.commit()

    def set_status(self, case_no: int, kind: str, value: str) -> list[str] | None:
        """Record a coordinator status or the rehab plan's ja/nej at this meeting; returns the case's reasons
        as they are now (a status or a plan takes "no coordinator" or "no rehab plan" away), or None if
        this service has not ranked the case."""
        self._writable()
        with self._session() as s:
            unit, m, e, _ = self._review(s, case_no)
            repo.record_status(s, pk(unit), e, kind, value, self.date, pk(m))
            s.commit()
        cached = self._episodes.get(case_no)
        if cached is None:
            return None
        ep, it = cached
        # the record just written is the episode's latest as of the meeting (what ``build_episodes`` reads)
        if kind == "coordinator":
            ep.coordinator_status = value
        else:
            ep.rehab_plan = value == "ja"
        now = item_for(ep, self.cfg.queue, it.due_actions if it else 0)
        self._episodes[case_no] = (ep, now)
        return list(now.reasons) if now else []

    def set_attendees(self, names: list[str]) -> MeetingInfo:
        """Who attends this meeting (the minutes name them); refused with ``ReadOnly`` once it is closed."""
        self._writable()
        with self._session() as s:
            _, m = self._open_meeting(s)
            repo.set_attendees(s, pk(m), names)
            s.commit()
            self.meeting = _info(m)
            return self.meeting

    def set_assessor(self, case_no: int, value: str) -> None:
        self._writable()
        with self._session() as s:
            _, _, _, r = self._review(s, case_no)
            repo.set_assessor(s, pk(r), value)
            s.commit()

    def audit(self, action: str, detail: str = "", patient_id: int | None = None) -> None:
        with self._session() as s:
            unit = repo.get_unit(s, self.unit_code)
            repo.audit(s, action, unit.id, patient_id, detail)
            s.commit()

    def audit_identified(self, rows: list[CaseRow], event: str | None = None) -> int:
        """Audit the patients of ``rows`` as shown identified on screen (``screen.identified``, one row
        per patient with its case number), after an ``event`` row (``screen.unmask``) if one is given,
        in one transaction. Returns the number of patients written."""
        with self._session() as s:
            unit = repo.get_unit(s, self.unit_code)
            detail = f"meeting={self.date.isoformat()} session={self.session_id}"
            if event:
                repo.audit(s, event, unit.id, detail=f"{detail} cases={len(rows)}")
            n = repo.audit_patients(s, "screen.identified", unit.id,
                                    [(r.patient_id, r.case_no) for r in rows], detail=detail)
            s.commit()
            return n

    # ------------------------------------------------------------ summary
    def summary(self) -> SummaryData:
        with self._session() as s:
            unit, m, info = self._unit_meeting(s)
            if m.status == "closed":
                iset = views.indicators_at(s, self.cfg, unit, self.date)
                # a closed meeting shows what it froze (its context figures too)
                present.show_frozen(iset, repo.frozen(s, pk(m)), repo.frozen(s, pk(m), context=True))
            else:
                iset = views.indicators_at(s, self.cfg, unit, self.date)
            hist = [(d, v) for d, v in repo.indicator_history(s, pk(unit)) if d < self.date]
            by_owner: dict[str, list[tuple[int, ActionInfo]]] = {}
            reviewed = len(repo.recorded_reviews(s, pk(m)))
            for r, a in repo.actions_of_meeting(s, pk(m)):
                by_owner.setdefault(a.owner or "–", []).append(
                    (r.case_no, ActionInfo(pk(a), a.kind, a.owner, a.due, a.status, m.date)))
            # the same follow-up as the minutes' (export.gather): the last meeting's actions and
            # everything still open from before it
            prev, fus = repo.followups(s, pk(unit), self.date)
            # under the number the case has now (a later import may have made one case of two), as the minutes
            now_no = views.case_numbers_at(s, pk(unit), self.date, self.cfg.max_gap_days,
                                           [f.review.anchor_certificate_id for lst in fus.values() for f in lst])
            last: dict[str, list[tuple[int, ActionInfo]]] = {}
            for status, lst in fus.items():
                last[status] = []
                for f in lst:
                    was = f.review.case_no
                    now = now_no.get(f.review.anchor_certificate_id, was)
                    last[status].append((now, ActionInfo(pk(f.action), f.action.kind, f.action.owner, f.action.due,
                                                         f.action.status, f.meeting.date,
                                                         decided_as=was if now != was else None)))
        return SummaryData(info, iset, hist, by_owner, prev.date if prev else None, last,
                           reviewed=reviewed)

    def close(self) -> ind_core.IndicatorSet:
        self._writable()
        with self._session() as s:
            unit = repo.get_unit(s, self.unit_code)
            m = self._meeting_row(s, unit)
            iset = views.close_meeting(s, self.cfg, unit, m)
            s.commit()
            self.meeting = _info(m)
            return iset

    def reopen(self, reason: str) -> MeetingInfo:
        """Reopen this (closed) meeting; raises ``NotClosed`` or ``ReasonRequired``."""
        with self._session() as s:
            unit = repo.get_unit(s, self.unit_code)
            m = repo.meeting_at(s, pk(unit), self.date)
            if m is None:
                raise NotClosed(self.date.isoformat())
            try:
                repo.reopen_meeting(s, unit, m, reason)
            except repo.NotClosed as e:
                raise NotClosed(str(e)) from None
            except repo.ReasonRequired as e:
                raise ReasonRequired(str(e)) from None
            s.commit()
            self.meeting = _info(m)
            return self.meeting
