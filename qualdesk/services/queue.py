"""The hand-raised queue: candidates from the database, ranked by the domain's priority
function, and claims that can never hand one lead to two reps.

A claim is a lease: a conditional UPDATE that succeeds only while the lead is free (or
its lease has expired, or it is already the claimer's); on PostgreSQL the candidates are
first locked with ``FOR UPDATE SKIP LOCKED`` so concurrent claimers never queue up
behind one another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal,
    select,
    union,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Callback, Campaign, HandRaise, Lead, Setting, User
from qualdesk.db.types import UTCDateTime
from qualdesk.domain.priority import (
    Candidate,
    QueueEntry,
    QueuePolicy,
    QueueResult,
    Tier,
    lease_held,
    rank,
)
from qualdesk.domain.records import Changes
from qualdesk.errors import NotAllowed, NotFound
from qualdesk.services import audit, team_settings
from qualdesk.services.candidates import (
    ATTEMPT_NAMES,
    CALLBACK,
    HAND_RAISE,
    LEAD,
    OPEN_HR,
    OPEN_LEAD,
    Layout,
    as_utc,
    attempt_aggregates,
    candidate,
    day_start,
    open_hand_raise,
    policy_from,
    queue_policy,
)
from qualdesk.services.claim_pg import Claimed, Walk, fast_claim
from qualdesk.services.claim_rules import (
    claim_audit,
    free_for,
    lease_held_sql,
    may_retouch,
    takeable,
)
from qualdesk.services.users import user_by_name

__all__ = ["Claim", "claim_lead", "claim_next", "day_start", "heartbeat", "lease_for",
           "load_candidates", "policy_from", "queue_policy", "reassign", "release", "rep_queue"]

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


def load_candidates(s: Session, now: datetime, team_tz: str,
                    lead_ids: Iterable[int] | None = None) -> list[Candidate]:
    """One query per aspect (leads, open hand raises, attempts, callbacks), merged here."""
    ids = list(lead_ids) if lead_ids is not None else None
    lead_q = select(*LEAD.cols).join(Campaign, Campaign.id == Lead.campaign_id).where(OPEN_LEAD)
    hr_q = select(*HAND_RAISE.cols).join(Lead, Lead.id == HandRaise.lead_id).where(OPEN_LEAD, OPEN_HR)
    att_q = (select(Attempt.lead_id, *attempt_aggregates(day_start(now, team_tz)).cols)
             .group_by(Attempt.lead_id))
    cb_q = (
        select(Callback.lead_id, *CALLBACK.cols)
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
    callbacks = {r[0]: r[1:] for r in conn.execute(cb_q)}  # the earliest last: it wins
    zones: dict[str, tuple[str, ...]] = {}

    return [candidate(row, open_hr.get(row[0], ()), attempts.get(row[0]), callbacks.get(row[0]), zones)
            for row in conn.execute(lead_q)]


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
    """Claim the top lead of the rep's queue; ``lead_id=None`` when nothing is offered.

    PostgreSQL: the server walks the queue's first three tiers itself (``claim_pg``; two
    round trips). What it leaves (re-touches, fifo, SQLite) is ranked here.

    Fast path: one statement fetches the leads that can head the queue (due callbacks,
    the first SLICE leads in their clock, the SLICE most recent breached ones) with
    everything ``rank`` needs; ``rank`` orders them, and only the prefix that the full
    ranking would order the same way is tried. Nothing claimable there: rank everything.

    The walk found tiers 1-3 empty for the rep (``Walk.EMPTY``): no slice (they look only
    there), and only the leads that can be re-touches (``claim_rules.may_retouch``) are
    loaded and ranked — an empty queue costs the walk and one probe, not a full ranking.
    """
    now = now or clock.now()
    got: Claimed | Walk = Walk.UNAVAILABLE
    if db.dialect == "postgresql":
        got = fast_claim(db, rep_name, now)
        if isinstance(got, Claimed):
            return Claim(got.lead_id, got.lease_expires_at, got.entry)
    with db.session() as s:
        rep_id, rep_name, cfg = _rep_and_settings(s, rep_name)
        policy = policy_from(cfg)
        expires = now + timedelta(minutes=int(cfg["claim.lease_minutes"]))
        if got is Walk.EMPTY:
            retouch = _retouch_ids(s, rep_id, now, policy.team_tz)
            if not retouch:
                return Claim(None, None)
            cands = load_candidates(s, now, policy.team_tz, retouch)
        else:
            # A slice full of leads held back (night in their zone, recycle delays) or
            # claimed meanwhile vouches for nothing: try a wider one before everything.
            for size in (SLICE, SLICE * 8) if policy.order == "priority" else ():
                entries = _certain_prefix(s, rep_id, now, policy, size)
                taken = _claim_first(s, [e.lead_id for e in entries], rep_id, rep_name, now, expires)
                if taken is not None:
                    return _claimed(taken, expires, entries)
            cands = load_candidates(s, now, policy.team_tz)
        entries = rank(cands, rep_id, now, policy).entries
        for start in range(0, len(entries), 50):
            batch = entries[start:start + 50]
            taken = _claim_first(s, [e.lead_id for e in batch], rep_id, rep_name, now, expires)
            if taken is not None:
                return _claimed(taken, expires, batch)
        return Claim(None, None)


# Not setting keys: those are dotted names without spaces.
_REP_ID, _REP_NAME = "(rep id)", "(rep name)"
_THE_REP = func.lower(User.name) == bindparam("name", type_=String())
_REP_AND_SETTINGS = union_all(
    select(Setting.key, Setting.value),
    select(literal(_REP_ID), cast(User.id, String)).where(_THE_REP),
    select(literal(_REP_NAME), User.name).where(_THE_REP),
)


def _rep_and_settings(s: Session, rep_name: str) -> tuple[int, str, dict[str, Any]]:
    """The rep's id and name as stored, and the team's settings, in one round trip."""
    stored = {k: v for k, v in s.connection().execute(_REP_AND_SETTINGS,
                                                       {"name": rep_name.strip().lower()})}
    rep_id, name = stored.pop(_REP_ID, None), stored.pop(_REP_NAME, None)
    if rep_id is None or name is None:
        user_by_name(s, rep_name)  # raises the usual "no user named ..." NotFound
        raise AssertionError("unreachable")
    return int(rep_id), name, team_settings.parse_stored(stored)


def _retouch_ids(s: Session, rep_id: int, now: datetime, team_tz: str) -> list[int]:
    """The leads free for the rep that can be re-touches now (tier 4)."""
    return list(s.scalars(select(Lead.id).where(
        free_for(Lead, rep_id, now), may_retouch(Lead, now, day_start(now, team_tz)))))


def _claimed(lead_id: int, expires: datetime, entries: list[QueueEntry]) -> Claim:
    return Claim(lead_id, expires, next(e for e in entries if e.lead_id == lead_id))


SLICE = 16


@dataclass(frozen=True)
class _Slice:
    candidates: dict[int, Candidate]
    # None: that scan was not cut short, so every lead it looks for is in the slice.
    in_clock_cut: datetime | None  # every lead with an open deadline before this is in
    recent_cut: datetime | None  # every breached lead with an open hand raise after this is in


def _certain_prefix(s: Session, rep_id: int, now: datetime, policy: QueuePolicy,
                    size: int = SLICE) -> list[QueueEntry]:
    """The head of the rep's ranked queue, computed from a slice of the leads.

    The slice holds every lead with a due callback, the in-clock leads of the ``size``
    open hand raises due soonest, and the breached leads of the ``size`` raised last, each with
    all its facts; ``rank``
    orders them as it orders everything. So the slice's ranking IS the full one up to
    the first entry that a lead outside the slice could beat: a tier-2 entry whose
    deadline is not before the in-clock cut; a tier-3 entry when tier 2 was cut, or
    whose latest hand raise is not after the recent cut; a tier-4 entry (re-touches are
    not looked for).
    """
    sl = _slice(s, rep_id, now, policy.team_tz, size)
    out: list[QueueEntry] = []
    for e in rank(sl.candidates.values(), rep_id, now, policy).entries:
        if e.tier == Tier.IN_CLOCK:
            if sl.in_clock_cut is not None and not (e.deadline and e.deadline < sl.in_clock_cut):
                break
        elif e.tier == Tier.BREACHED:
            raised = sl.candidates[e.lead_id].open_raised_at
            if sl.in_clock_cut is not None or (
                    sl.recent_cut is not None and not (raised and raised > sl.recent_cut)):
                break
        elif e.tier != Tier.CALLBACK:
            break
        out.append(e)
    return out


# The slice's row: the lead, one open hand raise (id, facts), the attempt aggregates, one
# open callback (id, facts), and the two cuts (see ``_Slice``) with their counts.
_SLICE_ROW = Layout(("lead", len(LEAD)), ("hr_id", 1), ("hr", len(HAND_RAISE)),
                    ("att", len(ATTEMPT_NAMES)), ("cb_id", 1), ("cb", len(CALLBACK)),
                    ("cuts", 4))


def _slice(s: Session, rep_id: int, now: datetime, team_tz: str, size: int) -> _Slice:
    """ONE statement: the slice's leads with their open hand raises, attempt counts and
    open callbacks (a row per hand raise x callback, merged here), and the two cuts."""
    params = {"now": now, "rep": rep_id, "today": day_start(now, team_tz)}
    lay = _SLICE_ROW
    lead_at, hr_id_at, hr_at, att_at = lay["lead"], lay["hr_id"].start, lay["hr"], lay["att"]
    cb_id_at, cb_at, cuts_at = lay["cb_id"].start, lay["cb"], lay["cuts"]
    leads: dict[int, Any] = {}
    hrs: dict[int, dict[int, Sequence[Any]]] = {}
    atts: dict[int, Sequence[Any]] = {}
    cbs: dict[int, dict[int, Sequence[Any]]] = {}
    cuts: Sequence[Any] = (None, 0, None, 0)
    for row in s.connection().execute(_slice_stmt(size), params):
        lid = row[0]
        leads[lid] = row[lead_at]
        if row[hr_id_at] is not None:
            hrs.setdefault(lid, {})[row[hr_id_at]] = row[hr_at]
        atts[lid] = row[att_at]
        if row[cb_id_at] is not None:
            cbs.setdefault(lid, {})[row[cb_id_at]] = row[cb_at]
        cuts = row[cuts_at]
    last_deadline, n_ic, oldest_raised, n_recent = cuts
    zones: dict[str, tuple[str, ...]] = {}
    return _Slice(
        {lid: candidate(lead, list(hrs.get(lid, {}).values()), atts[lid] if atts[lid][0] else None,
                        min(cbs[lid].values(), key=lambda c: c[0]) if lid in cbs else None, zones)
         for lid, lead in leads.items()},
        in_clock_cut=as_utc(last_deadline) if n_ic >= size else None,
        recent_cut=as_utc(oldest_raised) if n_recent >= size else None,
    )


@lru_cache(maxsize=4)
def _slice_stmt(size: int) -> Any:
    """Built once per size and bound with :now, :rep, :today — a claim pays no statement
    construction, and psycopg prepares it after a few runs."""
    now = bindparam("now", type_=UTCDateTime())
    rep = bindparam("rep", type_=Integer())
    visible = free_for(Lead, rep, now)
    # Scans of hand raises, not an aggregate per lead over all of them: LIMIT stops them
    # early, and ranking needs no more than the cuts they report. A lead is in its clock
    # while none of its open hand raises is breached; its first hand raise in deadline
    # order then carries its deadline, its first in raised order its recency.
    # In-clock: the breached leads once, as a set to test membership in (a correlated
    # NOT EXISTS became a scan of all hand raises per row on a database not yet
    # analyzed). Recent: a correlated EXISTS, probed only until LIMIT rows are found.
    other = aliased(HandRaise)
    breached = (select(HandRaise.lead_id)
                .where(OPEN_HR, HandRaise.deadline_at <= now).cte("breached"))
    ic = (select(HandRaise.lead_id.label("lid"), HandRaise.deadline_at.label("d"))
          .join(Lead, Lead.id == HandRaise.lead_id)
          .where(OPEN_HR, visible, HandRaise.deadline_at > now,
                 HandRaise.lead_id.not_in(select(breached.c.lead_id)))
          .order_by(HandRaise.deadline_at, HandRaise.id).limit(size).cte("ic"))
    recent = (select(HandRaise.lead_id.label("lid"), HandRaise.raised_at.label("r"))
              .join(Lead, Lead.id == HandRaise.lead_id)
              .where(OPEN_HR, visible, select(other.id).where(
                  other.lead_id == HandRaise.lead_id, other.deadline_at <= now,
                  open_hand_raise(other)).exists())
              .order_by(HandRaise.raised_at.desc(), HandRaise.id).limit(size).cte("recent"))
    due = (select(Callback.lead_id.label("lid")).join(Lead, Lead.id == Callback.lead_id)
           .where(visible, Callback.done_at.is_(None), Callback.due_at <= now).cte("due"))
    pick = union(select(ic.c.lid), select(recent.c.lid), select(due.c.lid)).subquery("pick")
    att = (select(Attempt.lead_id.label("lid"),
                  *attempt_aggregates(bindparam("today", type_=UTCDateTime())).cols)
           .where(Attempt.lead_id.in_(select(pick.c.lid)))
           .group_by(Attempt.lead_id).subquery("att"))
    return (
        select(*LEAD.cols, HandRaise.id, *HAND_RAISE.cols, *list(att.c)[1:], Callback.id, *CALLBACK.cols,
               select(func.max(ic.c.d)).scalar_subquery(), select(func.count()).select_from(ic).scalar_subquery(),
               select(func.min(recent.c.r)).scalar_subquery(),
               select(func.count()).select_from(recent).scalar_subquery())
        .select_from(pick)
        .join(Lead, Lead.id == pick.c.lid)
        .join(Campaign, Campaign.id == Lead.campaign_id)
        .outerjoin(HandRaise, and_(HandRaise.lead_id == Lead.id, OPEN_HR))
        .outerjoin(att, att.c.lid == Lead.id)
        .outerjoin(Callback, and_(Callback.lead_id == Lead.id, Callback.done_at.is_(None)))
    )


def _claim_first(s: Session, ids: list[int], rep_id: int, rep_name: str, now: datetime,
                 expires: datetime) -> int | None:
    """Claim the first lead of ``ids`` (priority order) that nobody else holds, and audit it.

    PostgreSQL: ONE statement — an UPDATE whose subquery locks exactly one row, the best
    free one, with SKIP LOCKED (a concurrent claimer skips it instead of waiting, and
    never starves on a locked batch), writing the audit rows in the same statement.
    SQLite: the write session already holds the database's single write lock, so try
    them in order.
    """
    if not ids:
        return None
    params = {"rep": rep_id, "now": now, "expires": expires, "rep_name": rep_name}
    conn = s.connection()
    if conn.dialect.name == "postgresql":
        return conn.execute(_TAKE_BEST_PG, {**params, "ids": ids, "at": clock.now()}).scalar()
    held = {i: (by, until) for i, by, until in conn.execute(_HELD, {"ids": ids})}
    for lead_id in ids:
        if conn.execute(_TAKE_ONE, {**params, "lead": lead_id}).rowcount == 1:
            _audit_claim(s, lead_id, rep_id, rep_name, *held.get(lead_id, (None, None)), now)
            return lead_id
    return None


# Who held each candidate before the claim: the audit's "old", and a renewal's tell.
_HELD = (select(Lead.id, Lead.claimed_by_id, Lead.lease_expires_at)
         .where(Lead.id.in_(bindparam("ids", expanding=True))))


def _audit_claim(s: Session, lead_id: int, rep_id: int, rep_name: str, was: int | None,
                 was_until: datetime | None, now: datetime) -> None:
    """A claim's audit row: old is whoever held the lead before (a lapsed claim), new
    the rep. None when the rep already held it under a live lease — pressing "next"
    again renews the lease; it is not a new claim."""
    if was == rep_id and lease_held(was, was_until, now):
        audit.bump(s, "claim", lead_id)
        return
    old = s.scalar(select(User.name).where(User.id == was)) if was is not None else None
    audit.record_core(s, lead_id, rep_id, "claim", "claimed_by", old, rep_name)


def _take_stmt() -> Any:
    rep = bindparam("rep", type_=Integer())
    now = bindparam("now", type_=UTCDateTime())
    return (
        update(Lead)
        .where(takeable(Lead, rep, now))
        .values(claimed_by_id=rep, claimed_at=now,
                lease_expires_at=bindparam("expires", type_=UTCDateTime()),
                updated_at=now, version=Lead.version + 1)
    )


def _take_best_pg() -> Any:
    ids = bindparam("ids", type_=ARRAY(Integer))
    # The same conditions as the UPDATE, so the row locked is one it will take; a row
    # another claimer changed meanwhile is re-checked by PostgreSQL and passed over.
    take = _take_stmt()
    # The locked row as it stands once locked: who held it before (see ``_audit_claim``).
    best = (
        select(Lead.id, Lead.claimed_by_id.label("was"), Lead.lease_expires_at.label("was_until"))
        .where(Lead.id == func.any(ids), take.whereclause)
        .order_by(func.array_position(ids, Lead.id))
        .limit(1)
        .with_for_update(skip_locked=True)
        .cte("best")
    )
    taken = (take.where(Lead.id == best.c.id)
             .returning(Lead.id, best.c.was, best.c.was_until).cte("taken"))
    rep, now = bindparam("rep", type_=Integer()), bindparam("now", type_=UTCDateTime())
    audit_row, change_row = claim_audit(
        taken.c.id, rep, bindparam("at", type_=UTCDateTime()), bindparam("rep_name", type_=String()),
        old=select(User.name).where(User.id == taken.c.was).scalar_subquery(),
        # NOT NULL-safe: a lead nobody held (was NULL) is a claim, never a renewal.
        renewal=and_(taken.c.was == rep, lease_held_sql(taken.c.was, taken.c.was_until, now)))
    return select(taken.c.id).add_cte(audit_row.cte("audit_row"), change_row.cte("change_row"))


_TAKE_ONE = _take_stmt().where(Lead.id == bindparam("lead", type_=Integer()))
_TAKE_BEST_PG = _take_best_pg()


def _take(s: Session, lead_id: int, rep_id: int, now: datetime, expires: datetime) -> bool:
    return s.connection().execute(
        _TAKE_ONE, {"lead": lead_id, "rep": rep_id, "now": now, "expires": expires}).rowcount == 1


def claim_lead(db: Database, lead_id: int, rep_name: str) -> Claim:
    """Claim one named lead (the rep picked it in the queue)."""
    now = clock.now()
    with db.session() as s:
        rep = user_by_name(s, rep_name)
        # Locked as read: who held it is the audit's "old" (see ``_audit_claim``).
        lead = s.get(Lead, lead_id, with_for_update={"of": Lead})
        if lead is None:
            raise NotFound(f"no lead with id {lead_id}")
        expires = now + lease_for(s)
        was, was_until = lead.claimed_by_id, lead.lease_expires_at
        if not _take(s, lead_id, rep.id, now, expires):
            raise NotAllowed(f"lead {lead_id} is held by another rep")
        _audit_claim(s, lead_id, rep.id, rep.name, was, was_until, now)
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
    """Give a claimed lead back to the team's queue ("Give back"): the claim ends and, if
    the rep owns the lead, so does the ownership — any rep can take it next, or its hand
    raise would wait on someone who said they will not work it. A callback the rep
    promised on it becomes anyone's. Changes nothing (and names no lead) unless the rep
    holds the claim."""
    with db.session() as s:
        rep = user_by_name(s, rep_name)
        released = s.execute(update(Lead).where(Lead.id == lead_id, Lead.claimed_by_id == rep.id)
                             .values(claimed_by_id=None, lease_expires_at=None)
                             .execution_options(synchronize_session=False)).rowcount
        if not released:
            return Changes(queue=True)
        audit.record(s, lead_id, rep.id, "release", "claimed_by", rep.name, None)
        disowned = s.execute(update(Lead).where(Lead.id == lead_id, Lead.owner_id == rep.id)
                             .values(owner_id=None, updated_at=clock.now())
                             .execution_options(synchronize_session=False)).rowcount
        if disowned:
            audit.record(s, lead_id, rep.id, "release", "owner", rep.name, None)
            s.execute(update(Callback).where(Callback.lead_id == lead_id, Callback.rep_id == rep.id,
                                             Callback.scope == "mine", Callback.done_at.is_(None))
                      .values(scope="anyone").execution_options(synchronize_session=False))
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
