"""What ranking reads about a lead, and the one builder from database rows to ``Candidate``.

Every reader of the queue (the full ranking, the claim slice, the queue view, the claim's
walk on PostgreSQL) selects the column sets defined here and hands the parts of each row
to ``candidate`` by name: a column added to a set is seen by all of them, and no reader
counts positions in another's row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from qualdesk.db.models import Attempt, AuditEntry, Callback, Campaign, HandRaise, Lead
from qualdesk.domain import follow_up
from qualdesk.domain.calling_window import CallingWindow
from qualdesk.domain.codes import DEAD_NUMBER, VOICEMAIL
from qualdesk.domain.designation import OPEN
from qualdesk.domain.priority import AttemptPolicy, Candidate, QueuePolicy
from qualdesk.services import team_settings


class Columns:
    """A named, ordered column set: ``select(*cols.cols)``; ``cols.index("name")``."""

    def __init__(self, **cols: Any) -> None:
        self.names: tuple[str, ...] = tuple(cols)
        self.cols: tuple[Any, ...] = tuple(cols.values())

    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        return self.names.index(name)


class Layout:
    """Where each named part sits in a row made of several column sets, as slices."""

    def __init__(self, *parts: tuple[str, int]) -> None:
        self.slices: dict[str, slice] = {}
        at = 0
        for name, width in parts:
            self.slices[name] = slice(at, at + width)
            at += width
        self.width = at

    def __getitem__(self, name: str) -> slice:
        return self.slices[name]


OPEN_CODES = sorted(d.value for d in OPEN)
OPEN_LEAD = Lead.designation.in_(OPEN_CODES)


def open_hand_raise(hr: Any = HandRaise) -> ColumnElement[bool]:
    """``follow_up``'s open hand raise (call or email still missing) on ``hr`` (an alias)."""
    return or_(*(getattr(hr, f).is_(None) for f in follow_up.FIELDS))


OPEN_HR = open_hand_raise()

LEAD = Columns(
    lead_id=Lead.id, designation=Lead.designation, owner_id=Lead.owner_id,
    claimed_by_id=Lead.claimed_by_id, lease_expires_at=Lead.lease_expires_at,
    do_not_call=Lead.do_not_call, phone=Lead.phone, email=Lead.email,
    time_zones=cast(Lead.time_zones, String), retouch_at=Lead.retouch_at,
    same_day_live_attempts=Campaign.same_day_live_attempts,
    min_gap_minutes=Campaign.min_gap_minutes, daily_cap=Campaign.daily_cap,
    lifetime_cap=Campaign.lifetime_cap)
# One open hand raise (the lead's id first: rows of several leads can be told apart).
HAND_RAISE = Columns(
    lead_id=HandRaise.lead_id, kind=HandRaise.kind, strength=HandRaise.strength,
    raised_at=HandRaise.raised_at, deadline_at=HandRaise.deadline_at,
    first_call_at=HandRaise.first_call_at, first_email_at=HandRaise.first_email_at)
# The lead's earliest open callback.
CALLBACK = Columns(due_at=Callback.due_at, rep_id=Callback.rep_id, scope=Callback.scope)
# Per lead: attempts in all, today, live today, the last one, dead-number ones.
ATTEMPT_NAMES = ("total", "today", "live_today", "last_at", "dead")
# The audit row a corrected phone leaves (``lead_edit``: action "edit", field "phone").
PHONE_CORRECTED = ("edit", "phone")


def dead_attempt(attempt: Any = Attempt) -> ColumnElement[bool]:
    """A call that found the lead's number dead (wrong or bad number) — the number the
    lead has now: a phone corrected after the call started makes that finding about the
    old number, and the new one is callable (``lead_edit``; the audit says when). The
    one definition: the ranking, the claim's walk on PostgreSQL (rendered to text) and
    the follow-up's email-only rule read it."""
    action, field = PHONE_CORRECTED
    corrected = (select(AuditEntry.id)
                 .where(AuditEntry.lead_id == attempt.lead_id, AuditEntry.action == action,
                        AuditEntry.field == field, AuditEntry.at > attempt.started_at)
                 .correlate_except(AuditEntry).exists())
    return and_(attempt.disposition.in_(sorted(DEAD_NUMBER)), ~corrected)


def attempt_aggregates(today: Any) -> Columns:
    """The attempt aggregates (GROUP BY the lead) counted from ``today`` (midnight, UTC)."""
    return Columns(
        total=func.count(Attempt.id),
        today=func.sum(case((Attempt.started_at >= today, 1), else_=0)),
        live_today=func.sum(case((and_(Attempt.started_at >= today,
                                       Attempt.disposition != VOICEMAIL), 1), else_=0)),
        last_at=func.max(Attempt.started_at),
        dead=func.sum(case((dead_attempt(), 1), else_=0)),
    )


_K, _S, _R, _D, _C, _E = (HAND_RAISE.index(n) for n in (
    "kind", "strength", "raised_at", "deadline_at", "first_call_at", "first_email_at"))
_NO_ATTEMPTS = (0, 0, 0, None, 0)


def candidate(lead: Sequence[Any], hrs: Sequence[Sequence[Any]], att: Sequence[Any] | None,
              cb: Sequence[Any] | None, zones: dict[str, tuple[str, ...]]) -> Candidate:
    """One lead's facts -> Candidate: ``lead`` in ``LEAD`` order, ``hrs`` its open hand
    raises in ``HAND_RAISE`` order, ``att`` its ``attempt_aggregates`` (``None``: never
    attempted), ``cb`` its earliest open callback in ``CALLBACK`` order (or ``None``)."""
    (lid, desig, owner, claimed, lease, dnc, phone, email, tzs, retouch,
     n_live, gap, daily, life) = lead
    total, today, live_today, last_at, dead = att or _NO_ATTEMPTS
    # The hand raise that sets the order: in clock the earliest deadline (stronger first),
    # breached the latest raised (stronger first) — ``priority.TIER_ORDER``.
    first = min(hrs, key=lambda r: (r[_D], -r[_S])) if hrs else None
    latest = max(hrs, key=lambda r: (r[_R], r[_S])) if hrs else None
    return Candidate(
        lead_id=lid, designation=desig, owner_id=owner, claimed_by_id=claimed,
        lease_expires_at=lease, do_not_call=bool(dnc), has_phone=phone is not None,
        has_email=bool(email), time_zones=_zones(tzs, zones),
        open_deadline=first[_D] if first else None,
        open_raised_at=latest[_R] if latest else None,
        open_strength=first[_S] if first else 0, recent_strength=latest[_S] if latest else 0,
        open_kind=first[_K] if first else None,
        open_has_call=bool(first and first[_C] is not None),
        open_has_email=bool(first and first[_E] is not None),
        first_raised_at=min(r[_R] for r in hrs) if hrs else None,
        callback_due_at=cb[0] if cb else None, callback_rep_id=cb[1] if cb else None,
        callback_scope=cb[2] if cb else "anyone", retouch_at=retouch,
        attempts_total=int(total or 0), attempts_today=int(today or 0),
        live_attempts_today=int(live_today or 0), last_attempt_at=last_at,
        dead_number=bool(dead),
        policy=AttemptPolicy(n_live, gap, daily, life),
    )


def _zones(raw: str | None, cache: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Decode the JSON zone list once per distinct value (a few values, many leads)."""
    if not raw:
        return ()
    got = cache.get(raw)
    if got is None:
        got = cache[raw] = tuple(json.loads(raw))
    return got


def as_utc(d: datetime | str | None) -> datetime | None:
    """Aggregates come back without the column type: SQLite gives naive UTC text-times."""
    if d is None or isinstance(d, datetime) and d.tzinfo is not None:
        return d
    if isinstance(d, str):
        d = datetime.fromisoformat(d)
    return d.replace(tzinfo=UTC) if d.tzinfo is None else d


def day_start(now: datetime, tz_name: str) -> datetime:
    """Midnight of 'today' in the team's zone, as UTC (where attempts 'today' start)."""
    local = now.astimezone(ZoneInfo(tz_name))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(ZoneInfo("UTC"))


def queue_policy(s: Session) -> QueuePolicy:
    return policy_from(team_settings.snapshot(s))


def policy_from(cfg: dict[str, Any]) -> QueuePolicy:
    """The ranking's policy from the team's settings (parsed values)."""
    return QueuePolicy(
        order=cfg["queue.policy"],
        window=CallingWindow(time.fromisoformat(cfg["calling.window_start"]),
                             time.fromisoformat(cfg["calling.window_end"])),
        team_tz=cfg["team.timezone"],
        callback_handover_minutes=cfg["queue.callback_handover_minutes"],
    )
