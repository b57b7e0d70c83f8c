"""The queue's order: one pure, configurable function.

Default order (DESIGN.md, "Default queue order"):

1. callbacks due now (earliest first);
2. hand raises still inside their clock, earliest deadline first, the stronger hand raise
   first on ties;
3. breached hand raises, most recent first — earliest-deadline-first over everything
   collapses under overload (it chases leads already lost while the saveable ones breach
   too); this order keeps saving the saveable, and fresher leads answer more often;
4. re-touches: incubation dates that have come, and further live attempts on later days,
   least recently tried first.

Leads that may not be called now are held back with the reason (do not call, outside the
calling window, caps reached, recycle delay). A lead with no usable phone is offered for
email only. The ``fifo`` policy (oldest hand raise first, nothing else) exists as the
baseline the simulator compares against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum

from qualdesk.domain.calling_window import CallingWindow, outside_window

CALLBACK_WINDOW_GRACE_MINUTES = 60
# A lead in these designations with attempts before today and none today, and nothing
# else to do, is offered again (tier 4, "next live attempt"); ``claim_rules.may_retouch``
# reads the same rule as SQL.
RETRY_DESIGNATIONS = ("warm", "hot")


class Tier(IntEnum):
    CALLBACK = 1
    IN_CLOCK = 2
    BREACHED = 3
    RETOUCH = 4


@dataclass(frozen=True)
class AttemptPolicy:
    """Per campaign: live attempts before the voicemail + email, spacing and caps."""

    same_day_live_attempts: int = 2
    min_gap_minutes: int = 10
    daily_cap: int = 3
    lifetime_cap: int = 6


@dataclass(frozen=True)
class QueuePolicy:
    order: str = "priority"  # or "fifo"
    window: CallingWindow = field(default_factory=CallingWindow)
    team_tz: str = "UTC"
    # An overdue "mine" callback becomes anyone's after this long.
    callback_handover_minutes: int = 15


@dataclass(slots=True)
class Candidate:
    """What the priority function needs to know about one lead, and nothing else.

    Not frozen: a queue builds 100,000 of these at once, and a frozen dataclass pays
    ``object.__setattr__`` per field; slots keep each one small.
    """

    lead_id: int
    designation: str
    owner_id: int | None = None
    claimed_by_id: int | None = None
    lease_expires_at: datetime | None = None
    do_not_call: bool = False
    has_phone: bool = True
    has_email: bool = True
    time_zones: tuple[str, ...] = ()
    # The earliest deadline among hand raises not yet followed up (call AND email).
    open_deadline: datetime | None = None
    open_raised_at: datetime | None = None
    # Ties are broken by the hand raise that sets the order: the strength of the one whose
    # deadline is ``open_deadline`` (in clock), of the latest one (breached).
    open_strength: int = 0
    recent_strength: int = 0
    open_kind: str | None = None
    open_has_call: bool = False
    open_has_email: bool = False
    first_raised_at: datetime | None = None
    callback_due_at: datetime | None = None
    callback_rep_id: int | None = None
    callback_scope: str = "anyone"
    retouch_at: datetime | None = None
    attempts_today: int = 0
    live_attempts_today: int = 0
    attempts_total: int = 0
    last_attempt_at: datetime | None = None
    dead_number: bool = False
    policy: AttemptPolicy = field(default_factory=AttemptPolicy)


@dataclass(frozen=True, slots=True)
class QueueEntry:
    lead_id: int
    tier: Tier
    deadline: datetime | None
    reason: str
    next_action: str  # "call", "voicemail_email", "email_only"

    def as_dict(self) -> dict[str, object]:
        return {
            "lead": self.lead_id,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "reason": self.reason,
            "tier": int(self.tier),
            "next_action": self.next_action,
        }


@dataclass(frozen=True, slots=True)
class Held:
    lead_id: int
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"lead": self.lead_id, "reason": self.reason}


@dataclass(frozen=True)
class QueueResult:
    entries: list[QueueEntry]
    held: list[Held]


def _mins(delta: timedelta) -> str:
    total = int(abs(delta.total_seconds()) // 60)
    return f"{total // 60}h{total % 60:02d}m" if total >= 60 else f"{total} min"


def lease_held(claimed_by_id: int | None, lease_expires_at: datetime | None, now: datetime) -> bool:
    """THE lease rule: a claim holds its lead while ``now < lease_expires_at`` — at the
    lease's last instant the lead is free again. A claim with no expiry holds nothing:
    every writer sets both together (claim, heartbeat) or clears both (release,
    reassign), so a claimer without a lease is a row some other tool left half-written,
    and holding it forever would strand the lead; the database guard (0007) reads it the
    same way. ``qualdesk.services.claim_rules`` builds every SQL copy from this definition."""
    return claimed_by_id is not None and lease_expires_at is not None and now < lease_expires_at


def _visible_to(c: Candidate, rep_id: int | None, now: datetime) -> str | None:
    """``None`` if the rep may see the lead; a reason if someone else holds it."""
    if c.owner_id is not None and rep_id is not None and c.owner_id != rep_id:
        return "owned by another rep"
    if c.claimed_by_id != rep_id and lease_held(c.claimed_by_id, c.lease_expires_at, now):
        return "claimed by another rep"
    return None


def _callback_due(c: Candidate, rep_id: int | None, now: datetime, p: QueuePolicy) -> bool:
    if c.callback_due_at is None or c.callback_due_at > now:
        return False
    if c.callback_scope != "mine" or rep_id is None or c.callback_rep_id in (None, rep_id):
        return True
    return now - c.callback_due_at >= timedelta(minutes=p.callback_handover_minutes)


def _same_day_combo_due(c: Candidate) -> bool:
    return (
        c.open_deadline is not None
        and not c.open_has_email
        and c.live_attempts_today >= c.policy.same_day_live_attempts
    )


def classify(
    c: Candidate, rep_id: int | None, now: datetime, p: QueuePolicy,
    window_cache: dict[tuple[str, ...], str | None] | None = None,
) -> QueueEntry | Held | None:
    """Place one lead: an entry, held back with a reason, or nothing to do (``None``)."""
    if c.designation not in ("cold", "warm", "hot", "incubating"):
        return None
    if (why := _visible_to(c, rep_id, now)) is not None:
        return Held(c.lead_id, why)

    callback = _callback_due(c, rep_id, now, p)
    retouch = c.retouch_at is not None and c.retouch_at <= now
    if c.designation == "incubating" and not retouch and not callback and c.open_deadline is None:
        return None
    open_hr = c.open_deadline is not None
    retry = (
        not open_hr and not callback and c.designation in RETRY_DESIGNATIONS
        and c.attempts_total > 0 and c.attempts_today == 0
    )
    if not (callback or open_hr or retouch or retry):
        return None

    combo = _same_day_combo_due(c)
    callable_phone = c.has_phone and not c.dead_number
    if c.do_not_call or not callable_phone:
        if open_hr and c.has_email and not c.open_has_email:
            reason = "do not call: email only" if c.do_not_call else "no valid phone: email only"
            return _entry(c, now, callback=False, reason_prefix=reason, action="email_only")
        return Held(c.lead_id, "do not call" if c.do_not_call else "no valid phone and nothing to email")

    if c.attempts_total >= c.policy.lifetime_cap and not combo:
        return Held(c.lead_id, f"lifetime cap reached ({c.attempts_total} of {c.policy.lifetime_cap} attempts)")
    if c.attempts_today >= c.policy.daily_cap and not combo:
        return Held(c.lead_id, f"daily cap reached ({c.attempts_today} of {c.policy.daily_cap} today)")
    if c.last_attempt_at is not None and not combo:
        ready = c.last_attempt_at + timedelta(minutes=c.policy.min_gap_minutes)
        if ready > now:
            return Held(c.lead_id, f"recycle delay: next attempt from {ready:%H:%M} UTC")
    # A callback promised inside the calling window may run a little past its edge (the
    # lead chose the time); one left overdue past the grace period, or promised for a time
    # outside the window, is judged like any other call (no calls at 3 a.m.).
    fresh_callback = (
        callback and c.callback_due_at is not None
        and now - c.callback_due_at <= timedelta(minutes=CALLBACK_WINDOW_GRACE_MINUTES)
        and outside_window(c.time_zones, c.callback_due_at, p.window, p.team_tz) is None
    )
    if not fresh_callback:
        if window_cache is None:
            why = outside_window(c.time_zones, now, p.window, p.team_tz)
        elif c.time_zones in window_cache:
            why = window_cache[c.time_zones]
        else:
            why = window_cache[c.time_zones] = outside_window(c.time_zones, now, p.window, p.team_tz)
        if why:
            return Held(c.lead_id, why)
    return _entry(c, now, callback=callback, reason_prefix=None,
                  action="voicemail_email" if combo else "call")


def _entry(
    c: Candidate, now: datetime, *, callback: bool, reason_prefix: str | None, action: str
) -> QueueEntry:
    kind = (c.open_kind or "hand raise").replace("_", " ")
    if callback:
        assert c.callback_due_at is not None
        tier, reason = Tier.CALLBACK, f"callback due {_mins(now - c.callback_due_at)} ago"
    elif c.open_deadline is not None and c.open_deadline > now:
        tier = Tier.IN_CLOCK
        reason = f"{kind}, {_mins(c.open_deadline - now)} left on the clock"
    elif c.open_deadline is not None:
        tier = Tier.BREACHED
        reason = f"{kind}, clock breached {_mins(now - c.open_deadline)} ago"
    elif c.retouch_at is not None and c.retouch_at <= now:
        tier, reason = Tier.RETOUCH, "incubation re-touch due"
    else:
        tier = Tier.RETOUCH
        reason = f"next live attempt ({c.attempts_total + 1} of {c.policy.lifetime_cap})"
    if action == "voicemail_email":
        reason += f"; {c.live_attempts_today} live attempts today: voicemail + email due"
    if reason_prefix:
        reason = f"{reason_prefix}; {reason}"
    return QueueEntry(c.lead_id, tier, c.open_deadline, reason, action)


def ts(d: datetime | None) -> float:
    return d.timestamp() if d is not None else float("inf")


@dataclass(frozen=True)
class TierOrder:
    """How one tier is ordered: by a time (``at``, a ``Candidate`` field), earliest or
    newest first, then the stronger hand raise (``strength``), then the lead id."""

    tier: Tier
    at: str
    newest_first: bool
    strength: str | None


# THE tier order (DESIGN.md, "Default queue order"). ``sort_key`` reads it; the claim's
# walk on PostgreSQL and the claim slice build their ORDER BYs from it (services.claim_rules).
TIER_ORDER: tuple[TierOrder, ...] = (
    TierOrder(Tier.CALLBACK, "callback_due_at", newest_first=False, strength=None),
    TierOrder(Tier.IN_CLOCK, "open_deadline", newest_first=False, strength="open_strength"),
    TierOrder(Tier.BREACHED, "open_raised_at", newest_first=True, strength="recent_strength"),
)
_ORDER = {o.tier: o for o in TIER_ORDER}


def sort_key(e: QueueEntry, c: Candidate) -> tuple:
    """The priority policy's order; re-touches (tier 4): least recently tried first."""
    o = _ORDER.get(e.tier)
    if o is None:
        return (int(e.tier), ts(c.retouch_at or c.last_attempt_at), 0.0, c.lead_id)
    at = ts(getattr(c, o.at))
    return (int(e.tier), -at if o.newest_first else at,
            -getattr(c, o.strength) if o.strength else 0.0, c.lead_id)


def fifo_key(e: QueueEntry, c: Candidate) -> tuple:
    first = c.first_raised_at or c.open_raised_at or c.retouch_at or c.last_attempt_at
    return (first.timestamp() if first else float("inf"), c.lead_id)


def rank(
    candidates: Iterable[Candidate], rep_id: int | None, now: datetime, policy: QueuePolicy | None = None
) -> QueueResult:
    """Order what ``rep_id`` may work now; ``rep_id=None`` ranks for the whole team."""
    p = policy or QueuePolicy()
    placed: list[tuple[QueueEntry, Candidate]] = []
    held: list[Held] = []
    # Leads share few zone sets: judge each set once per ranking, not once per lead.
    windows: dict[tuple[str, ...], str | None] = {}
    for c in candidates:
        r = classify(c, rep_id, now, p, windows)
        if isinstance(r, QueueEntry):
            placed.append((r, c))
        elif isinstance(r, Held):
            held.append(r)
    key = fifo_key if p.order == "fifo" else sort_key
    placed.sort(key=lambda ec: key(*ec))
    return QueueResult([e for e, _ in placed], held)
