"""The hand-raised queue: candidates from the database, ranked by the domain's priority
function, and claims that can never hand one lead to two reps.

A claim is a lease: a conditional UPDATE that succeeds only while the lead is free (or
its lease has expired, or it is already the claimer's); on PostgreSQL the candidates are
first locked with ``FOR UPDATE SKIP LOCKED`` so concurrent claimers never queue up
behind one another.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, and_, case, cast, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Callback, Campaign, HandRaise, Lead
from qualdesk.domain.calling_window import CallingWindow
from qualdesk.domain.codes import DEAD_NUMBER, VOICEMAIL
from qualdesk.domain.designation import OPEN
from qualdesk.domain.priority import (
    AttemptPolicy,
    Candidate,
    QueueEntry,
    QueuePolicy,
    QueueResult,
    rank,
)
from qualdesk.domain.records import Changes
from qualdesk.errors import NotAllowed, NotFound
from qualdesk.services import audit, team_settings
from qualdesk.services.users import user_by_name


@dataclass(frozen=True)
class Claim:
    lead_id: int | None
    lease_expires_at: datetime | None
    entry: QueueEntry | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "lead": self.lead_id,
            "lease_expires_at": self.lease_expires_at.isoformat() if self.lease_expires_at else None,
            "reason": self.entry.reason if self.entry else None,
        }


def queue_policy(s: Session) -> QueuePolicy:
    return QueuePolicy(
        order=team_settings.get(s, "queue.policy"),
        window=CallingWindow(time.fromisoformat(team_settings.get(s, "calling.window_start")),
                             time.fromisoformat(team_settings.get(s, "calling.window_end"))),
        team_tz=team_settings.get(s, "team.timezone"),
        callback_handover_minutes=team_settings.get(s, "queue.callback_handover_minutes"),
    )


def day_start(now: datetime, tz_name: str) -> datetime:
    """Midnight of 'today' in the team's zone, as UTC."""
    tz = ZoneInfo(tz_name)
    local = now.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(ZoneInfo("UTC"))


def load_candidates(s: Session, now: datetime, team_tz: str,
                    lead_ids: Iterable[int] | None = None) -> list[Candidate]:
    """One query per aspect (leads, open hand raises, attempts, callbacks), merged here."""
    ids = list(lead_ids) if lead_ids is not None else None
    lead_q = (
        select(Lead.id, Lead.designation, Lead.owner_id, Lead.claimed_by_id, Lead.lease_expires_at,
               Lead.do_not_call, Lead.phone, Lead.email, cast(Lead.time_zones, String),
               Lead.retouch_at,
               Campaign.same_day_live_attempts, Campaign.min_gap_minutes, Campaign.daily_cap,
               Campaign.lifetime_cap)
        .join(Campaign, Campaign.id == Lead.campaign_id)
        .where(Lead.designation.in_([d.value for d in OPEN]))
    )
    hr_q = (
        select(HandRaise.lead_id, HandRaise.kind, HandRaise.strength, HandRaise.raised_at,
               HandRaise.deadline_at, HandRaise.first_call_at, HandRaise.first_email_at)
        .join(Lead, Lead.id == HandRaise.lead_id)
        .where(Lead.designation.in_([d.value for d in OPEN]),
               or_(HandRaise.first_call_at.is_(None), HandRaise.first_email_at.is_(None)))
    )
    today = day_start(now, team_tz)
    att_q = select(
        Attempt.lead_id,
        func.count(Attempt.id),
        func.sum(case((Attempt.started_at >= today, 1), else_=0)),
        func.sum(case((and_(Attempt.started_at >= today, Attempt.disposition != VOICEMAIL), 1), else_=0)),
        func.max(Attempt.started_at),
        func.sum(case((Attempt.disposition.in_(DEAD_NUMBER), 1), else_=0)),
    ).group_by(Attempt.lead_id)
    cb_q = (
        select(Callback.lead_id, Callback.due_at, Callback.rep_id, Callback.scope)
        .where(Callback.done_at.is_(None))
        .order_by(Callback.due_at.desc())
    )
    if ids is not None:
        lead_q = lead_q.where(Lead.id.in_(ids))
        hr_q = hr_q.where(HandRaise.lead_id.in_(ids))
        att_q = att_q.where(Attempt.lead_id.in_(ids))
        cb_q = cb_q.where(Callback.lead_id.in_(ids))

    conn = s.connection()
    open_hr: dict[int, list[tuple]] = {}
    for row in conn.execute(hr_q):
        open_hr.setdefault(row[0], []).append(row)
    attempts = {r[0]: r[1:] for r in conn.execute(att_q)}
    callbacks = {r[0]: r[1:] for r in conn.execute(cb_q)}
    zones: dict[str, tuple[str, ...]] = {}

    out: list[Candidate] = []
    for (lid, desig, owner, claimed, lease, dnc, phone, email, tzs, retouch,
         n_live, gap, daily, life) in conn.execute(lead_q):
        hrs = open_hr.get(lid, ())
        att = attempts.get(lid, (0, 0, 0, None, 0))
        cb = callbacks.get(lid)
        first = min(hrs, key=lambda r: (r[4], -r[2])) if hrs else None
        out.append(Candidate(
            lead_id=lid, designation=desig, owner_id=owner, claimed_by_id=claimed,
            lease_expires_at=lease, do_not_call=bool(dnc), has_phone=phone is not None,
            has_email=bool(email), time_zones=_zones(tzs, zones),
            open_deadline=first[4] if first else None,
            open_raised_at=max(r[3] for r in hrs) if hrs else None,
            open_strength=max(r[2] for r in hrs) if hrs else 0,
            open_kind=first[1] if first else None,
            open_has_call=bool(first and first[5] is not None),
            open_has_email=bool(first and first[6] is not None),
            first_raised_at=min(r[3] for r in hrs) if hrs else None,
            callback_due_at=cb[0] if cb else None, callback_rep_id=cb[1] if cb else None,
            callback_scope=cb[2] if cb else "anyone", retouch_at=retouch,
            attempts_total=int(att[0] or 0), attempts_today=int(att[1] or 0),
            live_attempts_today=int(att[2] or 0), last_attempt_at=att[3],
            dead_number=bool(att[4]),
            policy=AttemptPolicy(n_live, gap, daily, life),
        ))
    return out


def _zones(raw: str | None, cache: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Decode the JSON zone list once per distinct value (a few values, many leads)."""
    if not raw:
        return ()
    got = cache.get(raw)
    if got is None:
        got = cache[raw] = tuple(json.loads(raw))
    return got


def rep_queue(db: Database, rep_name: str | None, now: datetime | None = None) -> QueueResult:
    """What ``rep_name``'s queue shows now, in order (``None``: the whole team's view)."""
    now = now or clock.now()
    with db.session(write=False) as s:
        rep_id = user_by_name(s, rep_name).id if rep_name else None
        policy = queue_policy(s)
        return rank(load_candidates(s, now, policy.team_tz), rep_id, now, policy)


def lease_for(s: Session) -> timedelta:
    return timedelta(minutes=int(team_settings.get(s, "claim.lease_minutes")))


def claim_next(db: Database, rep_name: str, now: datetime | None = None) -> Claim:
    """Claim the top lead of the rep's queue; ``lead_id=None`` when nothing is offered."""
    now = now or clock.now()
    with db.session() as s:
        rep = user_by_name(s, rep_name)
        policy = queue_policy(s)
        expires = now + lease_for(s)
        # Most claims are decided among the first few leads of tiers 1-3, whose SQL order
        # is their priority order: rank that slice first, everything only if it yields
        # nothing claimable.
        for ids in (_top_slice(s, rep.id, now, policy), None):
            result = rank(load_candidates(s, now, policy.team_tz, ids), rep.id, now, policy)
            by_id = {e.lead_id: e for e in result.entries}
            for start in range(0, len(result.entries), 50):
                batch = [e.lead_id for e in result.entries[start:start + 50]]
                got = _claim_first(s, batch, rep.id, now, expires)
                if got is not None:
                    audit.record(s, got, rep.id, "claim", "claimed_by", None, rep.name)
                    return Claim(got, expires, by_id[got])
        return Claim(None, None)


SLICE = 100


def _top_slice(s: Session, rep_id: int, now: datetime, policy: QueuePolicy) -> list[int]:
    """Ids of the leads that can head this rep's queue (due callbacks; the first leads
    inside their clock by deadline; the most recent breached ones)."""
    if policy.order != "priority":
        return []
    visible = and_(Lead.designation.in_([d.value for d in OPEN]),
                   or_(Lead.owner_id.is_(None), Lead.owner_id == rep_id))
    hr = (
        select(HandRaise.lead_id.label("lid"), func.min(HandRaise.deadline_at).label("d"),
               func.max(HandRaise.raised_at).label("r"), func.max(HandRaise.strength).label("st"))
        .where(or_(HandRaise.first_call_at.is_(None), HandRaise.first_email_at.is_(None)))
        .group_by(HandRaise.lead_id)
        .subquery()
    )
    base = select(hr.c.lid).join(Lead, Lead.id == hr.c.lid).where(visible)
    conn = s.connection()
    ids = list(conn.execute(
        select(Callback.lead_id).join(Lead, Lead.id == Callback.lead_id)
        .where(visible, Callback.done_at.is_(None), Callback.due_at <= now)).scalars())
    ids += conn.execute(base.where(hr.c.d > now).order_by(hr.c.d, hr.c.st.desc()).limit(SLICE)).scalars()
    ids += conn.execute(base.where(hr.c.d <= now).order_by(hr.c.r.desc()).limit(SLICE)).scalars()
    return list(dict.fromkeys(ids))


def _claim_first(s: Session, ids: list[int], rep_id: int, now: datetime,
                 expires: datetime) -> int | None:
    """Claim the first lead of ``ids`` (priority order) that nobody else holds.

    PostgreSQL: lock exactly ONE row — the best free one — with SKIP LOCKED, so a
    concurrent claimer skips it instead of waiting, and never starves on a locked batch.
    SQLite: the write session already holds the database's single write lock.
    """
    remaining = list(ids)
    pg = s.get_bind().dialect.name == "postgresql"
    while remaining:
        if pg:
            pick = s.scalar(
                select(Lead.id)
                .where(Lead.id.in_(remaining), _free_clause(rep_id, now))
                .order_by(func.array_position(literal(remaining, ARRAY(Integer)), Lead.id))
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if pick is None:
                return None
        else:
            pick = remaining[0]
        if _take(s, pick, rep_id, now, expires):
            return pick
        remaining.remove(pick)
    return None


def _free_clause(rep_id: int, now: datetime):
    return or_(Lead.claimed_by_id.is_(None), Lead.lease_expires_at < now,
               Lead.claimed_by_id == rep_id)


def _take(s: Session, lead_id: int, rep_id: int, now: datetime, expires: datetime) -> bool:
    res = s.execute(
        update(Lead)
        .where(Lead.id == lead_id, _free_clause(rep_id, now),
               or_(Lead.owner_id.is_(None), Lead.owner_id == rep_id))
        .values(claimed_by_id=rep_id, claimed_at=now, lease_expires_at=expires, owner_id=rep_id,
                updated_at=now, version=Lead.version + 1)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount == 1


def claim_lead(db: Database, lead_id: int, rep_name: str) -> Claim:
    """Claim one named lead (the rep picked it in the queue)."""
    now = clock.now()
    with db.session() as s:
        rep = user_by_name(s, rep_name)
        lead = s.get(Lead, lead_id)
        if lead is None:
            raise NotFound(f"no lead with id {lead_id}")
        expires = now + lease_for(s)
        if not _take(s, lead_id, rep.id, now, expires):
            raise NotAllowed(f"lead {lead_id} is held by another rep")
        audit.record(s, lead_id, rep.id, "claim", "claimed_by", None, rep.name)
        return Claim(lead_id, expires)


def heartbeat(db: Database, lead_id: int, rep_name: str) -> datetime | None:
    """Extend the rep's lease while the lead is on screen; ``None`` if it was lost."""
    now = clock.now()
    with db.session() as s:
        rep = user_by_name(s, rep_name)
        expires = now + lease_for(s)
        res = s.execute(update(Lead).where(Lead.id == lead_id, Lead.claimed_by_id == rep.id)
                        .values(lease_expires_at=expires)
                        .execution_options(synchronize_session=False))
        return expires if res.rowcount == 1 else None


def release(db: Database, lead_id: int, rep_name: str) -> Changes:
    with db.session() as s:
        rep = user_by_name(s, rep_name)
        s.execute(update(Lead).where(Lead.id == lead_id, Lead.claimed_by_id == rep.id)
                  .values(claimed_by_id=None, lease_expires_at=None)
                  .execution_options(synchronize_session=False))
        audit.bump(s, "release", lead_id)
    return Changes(leads=(lead_id,), queue=True)


def reassign(db: Database, lead_id: int, to_rep: str | None, by_name: str | None) -> Changes:
    """A team lead gives a lead to another rep (or to nobody); any claim is dropped."""
    with db.session() as s:
        lead = s.get(Lead, lead_id)
        if lead is None:
            raise NotFound(f"no lead with id {lead_id}")
        by = user_by_name(s, by_name).id if by_name else None
        new = user_by_name(s, to_rep) if to_rep else None
        old_owner = lead.owner.name if lead.owner else None
        lead.owner_id = new.id if new else None
        lead.claimed_by_id = None
        lead.lease_expires_at = None
        lead.version += 1
        lead.updated_at = clock.now()
        audit.record(s, lead_id, by, "reassign", "owner", old_owner, new.name if new else None)
    return Changes(leads=(lead_id,), queue=True)
