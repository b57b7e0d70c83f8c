"""What the queue view shows per lead: the priority order of ``rep_queue`` plus the
display fields (name, company, campaign, hand-raise kind and age, attempts today, zones).

Built for big queues (100,000 open leads) in one pass over the open leads: one query
brings each lead's candidate facts, display fields and open hand raises (``candidates``' own columns); attempts and callbacks come back ordered by lead and are merged
in as the rows stream. Each lead's ``Candidate`` (``candidates.candidate``) is
judged by the domain's own ``classify`` and dropped at once, and entries are ordered by
the domain's own sort key: only the display rows stay. Held leads are always counted
but turned into rows only when asked (the view's "Show held"). Repeated strings
(campaigns, companies, reasons) are shared, not copied per row.

``on_head`` splits the pass in two — leads that may head the queue (a callback due, a
hand raise in its clock) first — so a view can show the top of a big queue early.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, not_, or_, select, type_coerce
from sqlalchemy.engine import Connection

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Callback, Campaign, HandRaise, Lead
from qualdesk.db.types import UTCDateTime
from qualdesk.domain.priority import (
    Candidate,
    QueueEntry,
    QueuePolicy,
    Tier,
    classify,
    fifo_key,
    sort_key,
)
from qualdesk.gc_pause import gc_paused
from qualdesk.services.candidates import (
    CALLBACK,
    HAND_RAISE,
    LEAD,
    OPEN_HR,
    OPEN_LEAD,
    Layout,
    attempt_aggregates,
    candidate,
    day_start,
    queue_policy,
)
from qualdesk.services.users import user_by_name


class QueueRow(NamedTuple):
    """One line of the queue view (``position`` 0 and ``held`` true: not offered now).

    A named tuple, not a frozen dataclass: just as immutable, and built in one C call —
    a frozen dataclass pays ``object.__setattr__`` per field (0.3 s per 100,000 rows)."""

    lead_id: int
    position: int
    tier: int
    deadline: datetime | None
    reason: str
    next_action: str
    held: bool
    name: str
    company: str
    phone: str | None
    kind: str | None
    raised_at: datetime | None
    campaign: str
    attempts_today: int
    time_zones: tuple[str, ...]
    designation: str
    callback_due_at: datetime | None


@dataclass(frozen=True)
class QueueRows:
    rows: list[QueueRow]  # offered leads in queue order, then held ones (if asked for)
    team_tz: str
    at: datetime
    held_count: int = 0  # held leads, whether or not their rows were built
    complete: bool = True  # false: only the head of the queue (see ``queue_rows``)

    @property
    def offered(self) -> list[QueueRow]:
        return [r for r in self.rows if not r.held]

    @property
    def held(self) -> list[QueueRow]:
        return [r for r in self.rows if r.held]


def display_name(first: str | None, last: str | None, email: str | None) -> str:
    """How the queue and the tray name a lead: first and last name, else either, else the
    email."""
    if first and last:
        return f"{first} {last}"
    return first or last or email or ""


# The lead query: the candidate columns, then what the view shows, then a hand raise.
# The last hand raise stands in for "raised" only without an open one: parsed only then.
_DISPLAY_COLS = (Lead.first_name, Lead.last_name, Lead.email, Lead.company, Lead.phone,
                 type_coerce(case((HandRaise.id.is_(None), Lead.last_hand_raise_at)),
                             UTCDateTime()),
                 Campaign.name)
_ROW = Layout(("lead", len(LEAD)), ("display", len(_DISPLAY_COLS)), ("hr", len(HAND_RAISE)))


def queue_rows(db: Database, rep_name: str | None, now: datetime | None = None,
               include_held: bool = True,
               on_head: Callable[[QueueRows], None] | None = None) -> QueueRows:
    """The rep's queue in order, with what each line shows (``None``: the team's view).

    Same order and reasons as ``rep_queue`` (``rank``); ``include_held=False`` leaves the
    held rows out but still counts them. ``on_head`` (priority order only) is first
    called, from this thread, with the head of the queue — every due callback and every
    lead still in its clock, in order: tiers 1 and 2, which always come first — as soon
    as those leads are judged, before the rest (``complete`` false, no held rows)."""
    now = now or clock.now()
    with db.session(write=False) as s:
        rep_id = user_by_name(s, rep_name).id if rep_name else None
        policy = queue_policy(s)
        with gc_paused():
            b = _Builder(rep_id, now, policy, include_held)
            if on_head is None or policy.order != "priority":
                b.add(_candidates(s.connection(), now, policy.team_tz, None))
            else:
                head = _urgent(now)
                seen: set[int] = set()
                b.add(_candidates(s.connection(), now, policy.team_tz, head), seen=seen)
                on_head(QueueRows(b.offered(max_tier=int(Tier.IN_CLOCK)), policy.team_tz,
                                  now, complete=False))
                # On PostgreSQL each statement sees the data as it is then: a lead that
                # changed between the passes must not be judged twice.
                b.add(_candidates(s.connection(), now, policy.team_tz, not_(head)), skip=seen)
                b.held.sort(key=itemgetter(0))  # by lead id, as one pass gives them
            offered = b.offered()
    return QueueRows(offered + b.held, policy.team_tz, now, b.n_held)


def _urgent(now: datetime) -> ColumnElement[bool]:
    """Open leads that may be tier 1 or 2: a callback due, or an open hand raise still
    in its clock. A lead outside this set can only land in tier 3 or 4 (or be held)."""
    return or_(
        Lead.id.in_(select(HandRaise.lead_id).where(OPEN_HR,
                                                    HandRaise.deadline_at > now)),
        Lead.id.in_(select(Callback.lead_id).where(Callback.done_at.is_(None),
                                                   Callback.due_at <= now)))


class _Builder:
    """Judges candidates as they stream and keeps only what the view shows."""

    def __init__(self, rep_id: int | None, now: datetime, policy: QueuePolicy,
                 include_held: bool) -> None:
        self.rep_id, self.now, self.policy, self.include_held = rep_id, now, policy, include_held
        self.key = fifo_key if policy.order == "fifo" else sort_key
        self.windows: dict[tuple[str, ...], str | None] = {}
        self.same = {}.setdefault  # one object per distinct string
        self.placed: list[tuple[tuple, tuple]] = []
        self.held: list[QueueRow] = []
        self.n_held = 0

    def add(self, candidates: Iterator[tuple[Candidate, Sequence[Any]]],
            seen: set[int] | None = None, skip: Container[int] = ()) -> None:
        """Judge ``candidates``, noting their lead ids in ``seen`` and passing over the
        leads in ``skip``."""
        rep_id, now, policy, windows, same = (self.rep_id, self.now, self.policy,
                                              self.windows, self.same)
        key, placed = self.key, self.placed
        for c, extra in candidates:
            if seen is not None:
                seen.add(c.lead_id)
            elif c.lead_id in skip:
                continue
            r = classify(c, rep_id, now, policy, windows)
            if r is None:
                continue
            held = not isinstance(r, QueueEntry)
            if held:
                self.n_held += 1
                if not self.include_held:
                    continue
            first, last, email, company, phone, last_hr, campaign = extra
            name = display_name(first, last, email)
            company = same(company or "", company or "")
            campaign = same(campaign, campaign)
            raised = c.open_raised_at or last_hr
            if held:
                self.held.append(QueueRow(
                    c.lead_id, 0, 0, c.open_deadline, same(r.reason, r.reason), "", True,
                    name, company, phone, c.open_kind, raised, campaign, c.attempts_today,
                    c.time_zones, c.designation, c.callback_due_at))
            else:
                assert isinstance(r, QueueEntry)
                placed.append((key(r, c), (
                    c.lead_id, int(r.tier), r.deadline, same(r.reason, r.reason),
                    r.next_action, False, name, company, phone, c.open_kind, raised, campaign,
                    c.attempts_today, c.time_zones, c.designation, c.callback_due_at)))

    def offered(self, max_tier: int | None = None) -> list[QueueRow]:
        """The entries so far in queue order (only tiers up to ``max_tier``)."""
        # Keys end with the lead id, so they never tie and the row tuples are never compared.
        self.placed.sort(key=itemgetter(0))
        got = (self.placed if max_tier is None
               else [p for p in self.placed if p[1][1] <= max_tier])
        return [QueueRow(f[0], pos, *f[1:]) for pos, (_, f) in enumerate(got, start=1)]


def _candidates(conn: Connection, now: datetime, team_tz: str,
                among: ColumnElement[bool] | None) -> Iterator[tuple[Candidate, Sequence[Any]]]:
    """Each open lead's ``Candidate`` (built by ``candidates.candidate``, as
    ``load_candidates`` does) with its display columns, one lead at a time.

    The lead query carries the lead's open hand raises (a LEFT JOIN: one row per open
    hand raise, or one without); attempts and callbacks come back ordered by lead id
    and are merged as the rows stream. ``among``: only the open leads it holds for."""
    lead_q = (select(*LEAD.cols, *_DISPLAY_COLS, *HAND_RAISE.cols)
              .join(Campaign, Campaign.id == Lead.campaign_id)
              .outerjoin(HandRaise, and_(HandRaise.lead_id == Lead.id, OPEN_HR))
              .where(OPEN_LEAD).order_by(Lead.id, HandRaise.id))
    att_q = (select(Attempt.lead_id, *attempt_aggregates(day_start(now, team_tz)).cols)
             .group_by(Attempt.lead_id).order_by(Attempt.lead_id))
    # Per lead, the earliest open callback first (load_candidates keeps the earliest).
    cb_q = (select(Callback.lead_id, *CALLBACK.cols)
            .where(Callback.done_at.is_(None))
            .order_by(Callback.lead_id, Callback.due_at, Callback.id))
    if among is not None:
        lead_q = lead_q.where(among)
        ids = select(Lead.id).where(OPEN_LEAD, among)
        att_q = att_q.where(Attempt.lead_id.in_(ids))
        cb_q = cb_q.where(Callback.lead_id.in_(ids))
    atts, cbs = _Merge(conn, att_q), _Merge(conn, cb_q)
    zones: dict[str, tuple[str, ...]] = {}
    lead_at, display_at, hr_at = _ROW["lead"], _ROW["display"], _ROW["hr"]
    hr_lead = hr_at.start  # the hand raise's lead id: None on a lead without one

    def build(row: Sequence[Any], hrs: list[Sequence[Any]]) -> Candidate:
        lid = row[0]
        att, cb = atts.first(lid), cbs.first(lid)
        return candidate(row[lead_at], hrs, att[1:] if att else None, cb[1:] if cb else None,
                         zones)

    row: Sequence[Any] | None = None
    hrs: list[Sequence[Any]] = []
    for nxt in _stream(conn, lead_q):
        if row is not None and nxt[0] != row[0]:
            yield build(row, hrs), row[display_at]
            hrs = []
        row = nxt
        if nxt[hr_lead] is not None:
            hrs.append(nxt[hr_at])
    if row is not None:
        yield build(row, hrs), row[display_at]


def _stream(conn: Connection, stmt: Any) -> Iterator[Sequence[Any]]:
    """Rows in batches: iterating a result row by row costs a fetch call per row."""
    for part in conn.execute(stmt).partitions(2000):
        yield from part


class _Merge:
    """A result ordered by lead id (its first column), read alongside the lead query."""

    def __init__(self, conn: Connection, stmt: Any) -> None:
        self._rows = _stream(conn, stmt)
        self._next: Sequence[Any] | None = next(self._rows, None)

    def first(self, lead_id: int) -> Sequence[Any] | None:
        """The first row of ``lead_id``, if any (rows of leads no longer open, and the
        other rows of this one, are skipped)."""
        nxt, rows = self._next, self._rows
        if nxt is None or nxt[0] > lead_id:
            return None
        while nxt is not None and nxt[0] < lead_id:
            nxt = next(rows, None)
        got = nxt if nxt is not None and nxt[0] == lead_id else None
        while nxt is not None and nxt[0] == lead_id:
            nxt = next(rows, None)
        self._next = nxt
        return got
