"""'Free for this rep at this time', and the tier order, in the SQL every claim runs.

The rules live in the domain (``priority.lease_held``, ``priority.TIER_ORDER``,
``priority.RETRY_DESIGNATIONS``); this module is their one translation to SQL. The claim
slice, the take (the conditional UPDATE), the PostgreSQL walk (``claim_pg``, which renders
these expressions to text), the re-touch pass and the floor's "on a lead now" all build
their conditions and orders here. ``tests/test_claim_rules.py`` holds the SQL to the
Python rule at the lease's exact last instant on both engines, and
``tests/test_claim_pg.py`` holds the walk's order (and the re-touch pass) to ``rank`` on
random queues.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Insert, and_, not_, or_, select
from sqlalchemy.dialects import postgresql

from qualdesk.db.models import Attempt, HandRaise
from qualdesk.domain.priority import RETRY_DESIGNATIONS, TIER_ORDER, Tier
from qualdesk.services import audit
from qualdesk.services.candidates import OPEN_CODES, open_hand_raise


def _lease_terms(claimed_by: Any, expires: Any, now: Any) -> list[tuple[Any, Any]]:
    """``priority.lease_held``'s three conditions, each beside its negation: a claimer,
    a lease, and ``now < lease_expires_at``. Held is all of them, free any negation."""
    return [(claimed_by.is_not(None), claimed_by.is_(None)),
            (expires.is_not(None), expires.is_(None)),
            (expires > now, expires <= now)]


def lease_held_sql(claimed_by: Any, expires: Any, now: Any) -> ColumnElement[bool]:
    """``priority.lease_held`` in SQL. Never NULL (a missing claimer or lease is tested
    first), as its negation below is never NULL either."""
    return and_(*(held for held, _ in _lease_terms(claimed_by, expires, now)))


def lease_free(lead: Any, rep: Any, now: Any) -> ColumnElement[bool]:
    """No live lease but the rep's own: the rep claims the lead, or ``lease_held`` is
    false (nobody claims it, the claim has no lease, or it ran out: ``now >= expiry``) —
    spelt as the negations (an OR the planner reads as well as the old hand-written one)."""
    unclaimed, *lapsed = (free for _, free in _lease_terms(lead.claimed_by_id,
                                                            lead.lease_expires_at, now))
    return or_(unclaimed, lead.claimed_by_id == rep, *lapsed)


def owner_free(lead: Any, rep: Any) -> ColumnElement[bool]:
    """Nobody owns the lead, or the rep does."""
    return or_(lead.owner_id.is_(None), lead.owner_id == rep)


def takeable(lead: Any, rep: Any, now: Any) -> ColumnElement[bool]:
    """What a take (the claim's UPDATE) requires: neither another's lease nor owner."""
    return and_(lease_free(lead, rep, now), owner_free(lead, rep))


def free_for(lead: Any, rep: Any, now: Any) -> ColumnElement[bool]:
    """An open lead this rep may claim now (what the queue offers, before the rules)."""
    return and_(lead.designation.in_(OPEN_CODES), takeable(lead, rep, now))


def may_retouch(lead: Any, now: Any, today: Any) -> ColumnElement[bool]:
    """The open leads ``priority.classify`` can place in tier 4 (re-touches), as SQL: no
    open hand raise (that is tiers 2-3), and an incubation date that has come, or a retry
    (a ``RETRY_DESIGNATIONS`` lead attempted before ``today``, the team's midnight, and
    not yet today). A superset — callbacks, holds and caps are ``classify``'s to judge —
    never a subset: a claim whose walk found tiers 1-3 empty ranks only these leads."""
    attempted = select(Attempt.id).where(Attempt.lead_id == lead.id)
    return and_(
        lead.designation.in_(OPEN_CODES),
        ~select(HandRaise.id).where(HandRaise.lead_id == lead.id, open_hand_raise()).exists(),
        or_(lead.retouch_at <= now,
            and_(lead.designation.in_(RETRY_DESIGNATIONS), attempted.exists(),
                 ~attempted.where(Attempt.started_at >= today).exists())))


def pg_text(expr: ColumnElement[Any]) -> str:
    """An expression as PostgreSQL text with its constants inlined (for ``claim_pg``'s
    hand-written statement, which names the lead ``l`` and the moment ``cfg.now``)."""
    return str(expr.compile(dialect=postgresql.dialect(),
                            compile_kwargs={"literal_binds": True}))


# Each tier's time, as the column of the row that carries it (a hand raise or a callback).
TIME_COLUMN = {"callback_due_at": "due_at", "open_deadline": "deadline_at",
               "open_raised_at": "raised_at"}
_BY_TIER = {o.tier: o for o in TIER_ORDER}


def order_sql(tier: Tier, alias: str) -> str:
    """The tier's order as an ORDER BY list over ``alias``'s columns (``deadline_at,
    strength DESC, lead_id``), from ``priority.TIER_ORDER``."""
    o = _BY_TIER[tier]
    parts = [f"{alias}.{TIME_COLUMN[o.at]}" + (" DESC" if o.newest_first else "")]
    if o.strength:
        parts.append(f"{alias}.strength DESC")
    parts.append(f"{alias}.lead_id")
    return ", ".join(parts)


def newest_first_tiers() -> tuple[int, ...]:
    """The tiers whose time orders newest first (their keys are negated in a min())."""
    return tuple(int(o.tier) for o in TIER_ORDER if o.newest_first)


def claim_audit(taken_id: Any, rep: Any, at: Any, rep_name: Any, old: Any,
                renewal: ColumnElement[bool]) -> tuple[Insert, Insert]:
    """The claim's audit and change-log rows as INSERT ... SELECTs (``audit.inserts_for``)
    for a statement that claims in one go: old is whoever held the lead, new the rep; no
    audit row for a ``renewal`` (the rep pressed "next" on a lead it holds under a live
    lease). Both PostgreSQL paths (the slow take and the walk) write them through this;
    SQLite writes the same rows with ``audit.record_core`` (``queue._audit_claim``)."""
    return audit.inserts_for(taken_id, rep, at, "claim", "claimed_by", rep_name, old=old,
                             audit_if=not_(renewal))
