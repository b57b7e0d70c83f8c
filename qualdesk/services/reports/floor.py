"""The team lead's floor: per rep today (team zone) — attempts, live connects,
voicemail+email follow-ups, turn-overs, the lead they hold now, hand raises of theirs
behind the clock — the team's totals, and the hand raises at risk.

A handful of grouped queries, merged into frozen records for the floor view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import (
    Attempt,
    ChangeLog,
    DesignationChange,
    Disposition,
    FollowUp,
    HandRaise,
    Lead,
    PhoneState,
    User,
)
from qualdesk.domain.designation import OPEN
from qualdesk.domain.rep_state import AWAY, OPEN_CALL, RepState, rep_state
from qualdesk.services import team_settings
from qualdesk.services.candidates import day_start, open_hand_raise
from qualdesk.services.claim_rules import lease_held_sql

AT_RISK_MINUTES = 15
AT_RISK_LIMIT = 200


@dataclass(frozen=True)
class RepFloorRow:
    rep_id: int | None
    name: str
    attempts: int = 0
    connects: int = 0
    followups: int = 0
    turned_over: int = 0
    current_lead_id: int | None = None
    current_lead: str | None = None
    claimed_at: datetime | None = None
    behind_clock: int = 0
    phone_state: str | None = None  # from the rep's phone (phone_states): idle, on_call, …
    phone_since: datetime | None = None
    state: RepState = RepState("signed_out", None)  # phone first, activity otherwise

    def state_text(self, now: datetime) -> str:
        return self.state.label(now)

    def held_minutes(self, now: datetime) -> float | None:
        if self.claimed_at is None:
            return None
        return max(0.0, (now - self.claimed_at).total_seconds() / 60.0)


@dataclass(frozen=True)
class AtRiskRow:
    hand_raise_id: int
    lead_id: int
    lead: str
    company: str | None
    owner: str | None
    kind: str
    raised_at: datetime
    deadline_at: datetime
    has_call: bool
    has_email: bool

    def minutes_left(self, now: datetime) -> float:
        """Negative once breached."""
        return (self.deadline_at - now).total_seconds() / 60.0

    def breached(self, now: datetime) -> bool:
        return self.deadline_at <= now


@dataclass(frozen=True)
class FloorSnapshot:
    as_of: datetime
    team_tz: str
    reps: tuple[RepFloorRow, ...]
    totals: RepFloorRow
    at_risk: tuple[AtRiskRow, ...]
    marker: int
    rep_names: tuple[str, ...] = ()


def change_marker(db: Database) -> int:
    """The cheap 'anything changed?' poll: the newest change-log id."""
    with db.session(write=False) as s:
        return int(s.scalar(select(func.max(ChangeLog.id))) or 0)


def _name(first: str | None, last: str | None, company: str | None) -> str:
    return " ".join(p for p in (first, last) if p) or (company or "")


def _rep_rows(s: Session, now: datetime, since: datetime) -> tuple[list[RepFloorRow], int]:
    """The rows, and how many hand raises behind the clock belong to nobody."""
    att: dict[int | None, tuple[int, int]] = {}
    for rep_id, n, c in s.execute(
        # the outer join keeps only contact dispositions, so count(code) counts connects
        select(Attempt.rep_id, func.count(), func.count(Disposition.code))
        .outerjoin(Disposition, (Disposition.code == Attempt.disposition)
                   & Disposition.is_contact.is_(True))
        .where(Attempt.started_at >= since, Attempt.started_at <= now)
        .group_by(Attempt.rep_id)
    ):
        att[rep_id] = (int(n), int(c))
    fus = dict(s.execute(select(FollowUp.rep_id, func.count())
                         .where(FollowUp.at >= since, FollowUp.at <= now).group_by(FollowUp.rep_id)).all())
    tos = dict(s.execute(select(DesignationChange.by_id, func.count(func.distinct(DesignationChange.lead_id)))
                         .where(DesignationChange.to_designation == "turned_over",
                                DesignationChange.at >= since, DesignationChange.at <= now)
                         .group_by(DesignationChange.by_id)).all())
    held: dict[int, tuple[int, str, datetime | None]] = {}
    for lid, by, first, last, company, at in s.execute(
        select(Lead.id, Lead.claimed_by_id, Lead.first_name, Lead.last_name, Lead.company,
               Lead.claimed_at)
        # a lapsed lease, or a lead already turned over or closed, is nobody's screen now
        .where(lease_held_sql(Lead.claimed_by_id, Lead.lease_expires_at, now),
               Lead.designation.in_([d.value for d in OPEN]))
        .order_by(Lead.claimed_at)
    ):
        held[by] = (lid, _name(first, last, company), at)
    behind = dict(s.execute(
        select(Lead.owner_id, func.count())
        .select_from(HandRaise).join(Lead, Lead.id == HandRaise.lead_id)
        .where(Lead.designation.in_([d.value for d in OPEN]),
               open_hand_raise(),
               HandRaise.deadline_at < now)
        .group_by(Lead.owner_id)).all())
    active = set(att) | set(fus) | set(tos) | set(held)  # non-reps who worked today too
    users = s.execute(select(User.id, User.name)
                      .where(or_(User.role == "rep", User.id.in_([i for i in active if i])))
                      .where(or_(User.active.is_(True), User.id.in_([i for i in active if i])))
                      .order_by(User.name)).all()
    from qualdesk.services.phone_states import STALE

    phones = {rid: (st, since) for rid, st, since in s.execute(
        select(PhoneState.rep_id, PhoneState.state, PhoneState.since)
        .where(PhoneState.updated_at >= now - STALE))}
    activity = _activity(s, now)
    rows = []
    for uid, name in users:
        h = held.get(uid)
        ph = phones.get(uid)
        call_started, call_end, last = activity.get(uid, (None, None, None))
        state = rep_state(now, phone_state=ph[0] if ph else None, phone_since=ph[1] if ph else None,
                          call_started=call_started, last_call_end=call_end,
                          last_activity=max((t for t in (last, h[2] if h else None) if t),
                                            default=None),
                          holds_claim=h is not None)
        rows.append(RepFloorRow(
            rep_id=uid, name=name, attempts=att.get(uid, (0, 0))[0], connects=att.get(uid, (0, 0))[1],
            followups=int(fus.get(uid, 0)), turned_over=int(tos.get(uid, 0)),
            current_lead_id=h[0] if h else None, current_lead=h[1] if h else None,
            claimed_at=h[2] if h else None, behind_clock=int(behind.get(uid, 0)),
            phone_state=ph[0] if ph else None, phone_since=ph[1] if ph else None, state=state))
    return rows, int(behind.get(None, 0))


def _activity(s: Session, now: datetime) -> dict[int, tuple[datetime | None, ...]]:
    """Per rep: the start of a call still open, the end of the last call, the last sign
    of work (a call started or ended, a follow-up) within the last hours."""
    since = now - OPEN_CALL - AWAY
    out: dict[int, list[datetime | None]] = {}
    for rep_id, opened, ended, started in s.execute(
        select(Attempt.rep_id,
               func.max(case((Attempt.ended_at.is_(None), Attempt.started_at))),
               func.max(Attempt.ended_at), func.max(Attempt.started_at))
        .where(Attempt.started_at >= since, Attempt.started_at <= now,
               Attempt.rep_id.is_not(None))
        .group_by(Attempt.rep_id)
    ):
        out[rep_id] = [opened, ended, max((t for t in (ended, started) if t), default=None)]
    for rep_id, at in s.execute(select(FollowUp.rep_id, func.max(FollowUp.at))
                                .where(FollowUp.at >= since, FollowUp.at <= now)
                                .group_by(FollowUp.rep_id)):
        row = out.setdefault(rep_id, [None, None, None])
        row[2] = max((t for t in (row[2], at) if t), default=None)
    return {k: tuple(_utc(t) for t in v) for k, v in out.items()}


def _utc(t: datetime | None) -> datetime | None:
    # SQLite's max() hands back text or naive datetimes; the UTC type is skipped there
    if t is None or isinstance(t, datetime) and t.tzinfo is not None:
        return t
    if isinstance(t, str):
        t = datetime.fromisoformat(t)
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


def _at_risk(s: Session, now: datetime) -> list[AtRiskRow]:
    owner, claimer = aliased(User), aliased(User)
    # A lead nobody owns yet may be on a rep's screen (claimed, not yet called): say who,
    # so the team lead does not hand it to someone else.
    who = func.coalesce(owner.name, claimer.name + " (claimed)")
    q = (
        select(HandRaise.id, Lead.id, Lead.first_name, Lead.last_name, Lead.company, who,
               HandRaise.kind, HandRaise.raised_at, HandRaise.deadline_at,
               HandRaise.first_call_at, HandRaise.first_email_at)
        .join(Lead, Lead.id == HandRaise.lead_id)
        .outerjoin(owner, owner.id == Lead.owner_id)
        .outerjoin(claimer, and_(claimer.id == Lead.claimed_by_id,
                                 lease_held_sql(Lead.claimed_by_id, Lead.lease_expires_at, now)))
        .where(Lead.designation.in_([d.value for d in OPEN]),
               open_hand_raise(),
               HandRaise.deadline_at <= now + timedelta(minutes=AT_RISK_MINUTES))
        # Unowned first; then, as the queue does, the saveable ones by deadline before the
        # breached ones, most recent breach first (an old breach is already lost).
        .order_by(Lead.owner_id.is_not(None),
                  case((HandRaise.deadline_at <= now, 1), else_=0),
                  case((HandRaise.deadline_at > now, HandRaise.deadline_at)),
                  HandRaise.deadline_at.desc(), HandRaise.id)
        .limit(AT_RISK_LIMIT)
    )
    return [AtRiskRow(hid, lid, _name(f, la, co), co, own, kind, raised, deadline,
                      call is not None, mail is not None)
            for hid, lid, f, la, co, own, kind, raised, deadline, call, mail in s.execute(q)]


def floor_snapshot(db: Database, now: datetime | None = None) -> FloorSnapshot:
    now = now or clock.now()
    with db.session(write=False) as s:
        marker = int(s.scalar(select(func.max(ChangeLog.id))) or 0)
        tz = team_settings.get(s, "team.timezone")
        reps, unowned_behind = _rep_rows(s, now, day_start(now, tz))
        at_risk = _at_risk(s, now)
        rep_names = tuple(s.scalars(select(User.name).where(User.role == "rep",
                                                            User.active.is_(True))
                                    .order_by(User.name)))
    totals = RepFloorRow(
        rep_id=None, name="Team",
        attempts=sum(r.attempts for r in reps), connects=sum(r.connects for r in reps),
        followups=sum(r.followups for r in reps), turned_over=sum(r.turned_over for r in reps),
        behind_clock=sum(r.behind_clock for r in reps) + unowned_behind,
    )
    held = sum(1 for r in reps if r.current_lead_id is not None)
    totals = replace(totals, current_lead=f"{held} on a lead" if held else None)
    return FloorSnapshot(now, tz, tuple(reps), totals, tuple(at_risk), marker, rep_names)
