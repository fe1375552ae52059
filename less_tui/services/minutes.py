"""The minutes and the workbook gathered from the database: one session per export, the storage
layer's queries, every text formatted by ``present.py``. What comes out is plain data
(``core.minutes``); the writers in ``exports/`` lay it out. No Textual here.

Without ``identify`` no personnummer or full name is gathered into the minutes."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.engine import Engine
from sqlmodel import Session

from .. import present
from ..config import Config
from ..core import improvement as imp_core
from ..core import indicators as ind_core
from ..core.queue import reasons_for
from ..core.text import median
from ..core.minutes import (ActionLine, CaseLine, ChartSeries, Closing, CycleChange, ExportError, IdeaChange,
                             MeetingRow, Minutes, Workbook, WorkbookAction, WorkbookMeasure, clean)
from ..i18n import indicator_labels, t
from ..storage.models import Action, CaseReview, Meeting, Unit, pk
from ..storage import db, repo
from ..storage import improvement as imp_store
from . import views

TREND_MEETINGS = 12  # earlier meetings in the trend and the chart, besides this one


def _hm(x: dt.datetime | None) -> str:
    return x.astimezone().strftime("%H:%M") if x else "–"


def _stamp(x: dt.datetime | None) -> str:
    return x.astimezone().strftime("%Y-%m-%d %H:%M") if x else "–"


def time_text(status: str, started: dt.datetime | None, ended: dt.datetime | None) -> str:
    """"13:00–13:45"; a meeting not closed has no end time, whatever an undone closing said."""
    if status != "closed":
        return f"{_hm(started)}–" if started else "–"
    return f"{_hm(started)}–{_hm(ended)}" if ended else _hm(started)


def _due(due: dt.date | None, overdue: bool) -> str:
    return (due.isoformat() if due else "–") + (f" ({t('status.overdue')})" if overdue else "")


def _action(case_no: int, a: Action, decided: dt.date, at: dt.date, followup: bool = False,
            decided_as: int | None = None) -> ActionLine:
    """``decided_as``: a follow-up's case number when it was decided, if the case has another now."""
    overdue = followup and a.status == "open" and a.due is not None and a.due < at
    return ActionLine(case_no=case_no, kind=a.kind, owner=a.owner, due=_due(a.due, overdue), status=a.status,
                      status_text=t(f"status.{a.status}"), meeting_date=decided,
                      dates=present.followup_suffix(a.due, a.status, decided, at, decided_as=decided_as)
                      if followup else "")


def _meeting(s: Session, cfg: Config, unit: Unit, meeting: str | dt.date) -> Meeting:
    if meeting == "latest":
        m = repo.latest_meeting(s, pk(unit))
        if m is None:
            raise ExportError(t("exp.no_meetings", unit=cfg.unit))
        return m
    d = meeting if isinstance(meeting, dt.date) else dt.date.fromisoformat(str(meeting))
    m = repo.meeting_at(s, pk(unit), d)
    if m is None:
        raise ExportError(t("cli.no_meeting", date=d.isoformat(), unit=cfg.unit))
    return m


def _idea_changes(changed: list[tuple[imp_core.IdeaLine, bool, tuple[imp_core.CycleLine, ...]]]
                  ) -> list[IdeaChange]:
    """The ideas whose status or PDSA cycles changed since the last meeting, in words."""
    labels = {k: t(f"ind.short.{k}") for k in ind_core.INDICATOR_KEYS}
    out = []
    for idea, _own, cycles in changed:
        out.append(IdeaChange(
            code=idea.code, text=idea.text, status=t(f"idea.status.{idea.status}"),
            indicators=", ".join(labels.get(k, k) for k in idea.indicators),
            cycles=[CycleChange(dates=t("rep.cycle_dates", start=c.start.isoformat() if c.start else "…",
                                        end=c.end.isoformat() if c.end else "…"),  # as the report and the app
                                plan=c.plan.strip(), owner=c.owner.strip(), result=c.result.strip())
                    for c in cycles]))
    return out


def _measure_rows(s: Session, cfg: Config, unit_id: int, m: Meeting) -> list[list[str]]:
    """The team's own measures at the meeting, as the indicator rows: name, this meeting's value
    (``7``, ``12/40 30 %``, or not entered), the previous closed meeting's, the change, the target with
    its direction and whether it is met, in words. Empty when no measure is configured."""
    if not cfg.measures:
        return []
    now = imp_store.measures_of(s, pk(m))
    prev_m = repo.previous_closed(s, unit_id, m.date)
    prev = imp_store.measures_of(s, pk(prev_m)) if prev_m else {}
    on_words = {True: t("word.yes"), False: t("word.no"), None: "–"}
    rows = []
    for d in cfg.measures:
        v, p = now.get(d.key), prev.get(d.key)
        change, verdict = imp_core.measure_change(v, p, d.direction, d.kind)
        if verdict:
            change += f" ({t(f'change.{verdict}')})"
        rows.append([d.name, imp_core.measure_count_share(v, d.kind) if v is not None else t("mea.not_entered"),
                     imp_core.measure_count_share(p, d.kind), change,
                     imp_core.measure_target(d.target, d.direction, d.kind, signed=True),
                     on_words[imp_core.measure_on_target(v, d.target, d.direction, d.kind)]])
    return rows


def is_demo(engine: Engine) -> bool:
    """Does the database hold the synthetic demo clinic? (A database that cannot be read is not.)"""
    from .demo import is_demo as holds_demo

    try:
        return holds_demo(engine)
    except Exception:  # no tables yet, or not reachable: the caller reports that itself
        return False


def gather(engine: Engine, cfg: Config, meeting: str | dt.date = "latest", identify: bool = False,
           demo: bool | None = None, printed: str = "") -> Minutes:
    """The minutes of ``meeting`` ("latest", a date or an ISO date) in the current language. With
    ``identify`` the personnummer and names are written, and each patient so written is audited.
    ``demo``: made from the demo clinic (None: the database is asked)."""
    if demo is None:
        demo = is_demo(engine)
    with db.session(engine) as s:
        unit = views.existing_unit(s, cfg)
        m = _meeting(s, cfg, unit, meeting)
        unit_id, meeting_id = pk(unit), pk(m)
        reviews = repo.recorded_reviews(s, meeting_id)
        # the patients with an episode ongoing at the meeting and those of its cases (as the summary reads
        # them): the indicators are the same, without building every patient the unit ever had
        eps = views.live_episodes_at(s, unit_id, m.date, cfg.max_gap_days, [r.anchor_certificate_id for r in reviews])
        iset = views.indicators_at(s, cfg, unit, m.date, eps)
        if m.status == "closed":  # the minutes of a closed meeting show what it froze
            present.show_frozen(iset, repo.frozen(s, meeting_id), repo.frozen(s, meeting_id, context=True))
        hist = [(d, v) for d, v in repo.indicator_history(s, unit_id) if d < m.date]
        by_cert = {cid: e for e in eps for cid in e.cert_ids}
        pats = repo.patients_by_id(s, [r.patient_id for r in reviews])
        cases: list[CaseLine] = []
        identities: list[str] = []
        shown: list[tuple[int, int]] = []  # (patient, case) written identified: each is audited
        acts_of: dict[int, list[Action]] = {}  # each review's actions in the order they were added
        for r0, a0 in sorted(repo.actions_of_meeting(s, meeting_id), key=lambda ra: pk(ra[1])):
            acts_of.setdefault(pk(r0), []).append(a0)
        for r in reviews:
            acts = acts_of.get(pk(r), [])
            p = pats[r.patient_id]
            who = present.patient_label(p.pnr, p.name, masked=not identify)
            if identify:
                identities.append(who)
                shown.append((r.patient_id, r.case_no))
            facts = json.loads(r.facts or "{}")
            e = by_cert.get(r.anchor_certificate_id)
            # the checkpoint as the queue said it when the case was taken up ("dag 90 om 12 d"), kept with the
            # review's facts; a review from before they kept it: as the queue says it at the meeting's date now
            if "checkpoint" in facts:
                checkpoint = tuple(facts["checkpoint"]) if facts["checkpoint"] else None
            else:
                checkpoint = reasons_for(e, cfg.queue)[1] if e is not None and e.ongoing else None
            length, degree = facts.get("length"), facts.get("degree")
            cases.append(CaseLine(
                case_no=r.case_no, patient=who,
                reasons=present.reasons_line(json.loads(r.reasons or "[]"), checkpoint),
                length=str(length) if length is not None else "–",
                degree=f"{degree} %" if degree is not None else "–",
                doctors=present.doctors_text(facts.get("doctors"), bool(facts.get("doctors_lower_bound"))),
                coordinator_status=present.coordinator_status_text(e.coordinator_status if e else "-"),
                rehab_plan=present.yes_no(bool(e and e.rehab_plan)),
                assessor=t(f"assessor.{r.primary_assessor or 'none'}"), plan=r.plan.strip(),
                actions=[_action(r.case_no, a, m.date, m.date) for a in acts],
            ))
        # in the meeting's running order (its list as the team walked it); a case opened from beyond the
        # list, or a meeting from before the order was kept, in the order the cases were taken up
        place = {c: i for i, c in enumerate(repo.agenda(s, meeting_id))}
        cases.sort(key=lambda c: place.get(c.case_no, len(place)))
        # the same follow-up as the summary screen's (MeetingService.summary)
        _prev, fus = repo.followups(s, unit_id, m.date)
        still_open = repo.open_actions(s, unit_id, up_to=m.date)
        # each action under the number its case has at this meeting (a later import may have made one
        # case of two), saying the number it was decided under when that is another
        now_no = views.case_numbers_at(s, unit_id, m.date, cfg.max_gap_days,
                                       [f.review.anchor_certificate_id for lst in fus.values() for f in lst]
                                       + [r.anchor_certificate_id for _, r, _ in still_open])

        def followup(r: CaseReview, a: Action, decided: dt.date) -> ActionLine:
            case_no = now_no.get(r.anchor_certificate_id, r.case_no)
            return _action(case_no, a, decided, m.date, followup=True,
                           decided_as=r.case_no if case_no != r.case_no else None)

        followups = {status: [followup(f.review, f.action, f.meeting.date) for f in lst] for status, lst in fus.items()}
        todo: dict[str, list[tuple[tuple[dt.date, int], ActionLine]]] = {}  # (due, case): the order
        for mm, r, a in still_open:
            todo_line = followup(r, a, mm.date)
            todo.setdefault(a.owner or "–", []).append(((a.due or dt.date.max, todo_line.case_no), todo_line))
        reopenings = repo.reopenings(s, meeting_id)
        closings: list[tuple[dt.datetime | None, dt.datetime | None, str, str]] = [(c.closed_at, c.reopened_at, c.reopened_by, c.reason) for c in reopenings]
        if closings and m.status == "closed":
            closings.append((m.closed_at, None, "", ""))
        if printed:  # the minutes are shown, not filed: their export row, in this transaction (before they are shown)
            repo.audit(s, "export", unit_id, detail=f"{printed} meeting={m.date.isoformat()} identify={identify} to=stdout")
            s.commit()
        if identify:
            # the export, then one row per patient written (so `audit --patient` finds each)
            repo.audit(s, "export.identify", unit_id, detail=f"meeting={m.date.isoformat()} cases={len(shown)}")
            repo.audit_patients(s, "export.identified", unit_id, shown, detail=f"meeting={m.date.isoformat()}")
            s.commit()
        attendees = [(n, cfg.role_of(n)) for n in repo.attendees(m)]
        before = [x.date for x in repo.list_meetings(s, unit_id) if x.date < m.date]
        since = before[-1] if before else None
        ideas = _idea_changes(imp_store.changed_between(s, unit_id, since, m.date))
        measures = _measure_rows(s, cfg, unit_id, m)
    # a reopened meeting was held until its first closing (every closing is listed apart); a meeting
    # that is open again has no end yet
    ended = (closings[0][0] if closings else m.closed_at) if m.status == "closed" else None
    held = time_text(m.status, m.started_at, ended)
    if len(closings) > 1 and m.status == "closed":  # the time it was held, then when it was last closed
        held += " " + t("min.last_closed", time=_stamp(m.closed_at))
    closing_lines = []
    for closed_at, reopened_at, by, reason in closings:
        line = t("min.closed_at", time=_stamp(closed_at))
        if reopened_at is not None:
            line += " · " + t("min.reopened_at", time=_stamp(reopened_at), user=by or "–")
        closing_lines.append(Closing(line, reason, closed_at, reopened_at, by))
    notes = []
    if m.status != "closed":
        notes.append(t("min.draft"))
    if demo:
        notes.append(t("min.demo"))
    labels = indicator_labels()
    history = hist[-TREND_MEETINGS:]
    series = {i.key: [v[i.key].share if i.key in v else None for _, v in history] + [i.share]
              for i in iset.indicators}
    rows = [[labels[i.key], f"{i.count}/{i.denominator}", present.share_text(i.count, i.denominator),
             present.previous_share_text(i), present.delta_text(i), present.target_text(i),
             present.on_target_text(i), ind_core.sparkline(series[i.key])] for i in iset.indicators]
    prev = iset.indicators[0].previous_date if iset.indicators else None
    c = iset.context
    context = [(t("ctx.ongoing_total"), str(c.ongoing_total)), (t("ctx.population"), str(iset.population))]
    context += [(t("ctx.chapter", ch=k), str(v)) for k, v in c.chapters.items()]
    context += [(t("ctx.over_90"), str(c.over_90)), (t("ctx.over_180"), str(c.over_180)),
                (t("ctx.three_plus"), str(c.three_plus_doctors)), (t("ctx.median"), median(c.median_length))]
    return clean(Minutes(
        clinic=cfg.clinic_name, unit=cfg.unit, date=m.date, status=m.status,
        title=t("min.title", date=m.date.isoformat()), notes=notes,
        time=held, attendees=attendees,
        next_meeting=present.next_meeting_text(m.date, cfg.meeting.cadence_months),
        closings=closing_lines,
        todo={owner: [a for _, a in sorted(lst, key=lambda x: x[0])] for owner, lst in sorted(todo.items())},
        previous=t("cli.previous", date=prev.isoformat()) if prev else t("cli.no_previous"),
        indicator_headers=[t("col.indicator"), t("col.count"), t("col.now"), t("col.previous"), t("col.delta"),
                           t("col.target"), t("col.on_target"), t("col.trend")],
        indicator_rows=rows, context=context, lower_bound_note=t("ctx.lower_bound") if c.lower_bound else "",
        chart_dates=[d for d, _ in history] + [m.date],
        chart=[ChartSeries(labels[i.key], series[i.key], i.target) for i in iset.indicators],
        cases=cases, followups=followups, demo=demo, identify=identify, identities=identities,
        ideas=ideas, ideas_since=t("min.ideas_since", date=since.isoformat()) if since else "",
        measure_headers=[t("col.measure"), t("col.now"), t("col.previous"), t("col.delta"), t("col.target"),
                         t("col.on_target")] if measures else [],
        measure_rows=measures,
    ))


def workbook(engine: Engine, cfg: Config) -> Workbook:
    """The indicator workbook's data: every meeting's indicators (a closed one's frozen values) and
    every action decided, in the current language."""
    with db.session(engine) as s:
        unit = views.existing_unit(s, cfg)
        meetings = repo.list_meetings(s, pk(unit))
        rows: list[MeetingRow] = []
        actions: list[WorkbookAction] = []
        for mt in meetings:
            vals = repo.frozen(s, pk(mt)) if mt.status == "closed" else views.indicators_at(s, cfg, unit, mt.date).frozen()
            entered = imp_store.measures_of(s, pk(mt)) if cfg.measures else {}
            rows.append(MeetingRow(mt.date, t("word.closed") if mt.status == "closed" else t("word.open"),
                                   {k: (vals[k].count, vals[k].denominator) if k in vals else None
                                    for k in ind_core.INDICATOR_KEYS},
                                   {k: (v.count, v.denominator) for k, v in entered.items()}))
        for mt in meetings:
            for r, a in repo.actions_of_meeting(s, pk(mt)):
                actions.append(WorkbookAction(mt.date, r.case_no, a.kind, a.owner, a.due, t(f"status.{a.status}")))
        note = t("ctx.lower_bound") if repo.unit_has_lower_bounds(s, pk(unit)) else ""
    return clean(Workbook(keys=list(ind_core.INDICATOR_KEYS),
                          short={k: t(f"ind.short.{k}") for k in ind_core.INDICATOR_KEYS},
                          labels=indicator_labels(), targets={k: float(cfg.targets[k]) for k in ind_core.INDICATOR_KEYS},
                          meetings=rows, actions=actions,
                          measures=[WorkbookMeasure(d.key, d.name, d.kind, float(d.target), d.direction)
                                    for d in cfg.measures], note=note))


def record_export(engine: Engine, cfg: Config, fmt: str, date: dt.date, identify: bool) -> None:
    """The audit log's line for an export written."""
    with db.session(engine) as s:
        unit = repo.get_unit(s, cfg.unit)
        repo.audit(s, "export", unit.id, detail=f"{fmt} meeting={date.isoformat()} identify={identify}")
        s.commit()
