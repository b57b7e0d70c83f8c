"""What the queue view shows per lead: the priority order of ``rep_queue`` plus the
display fields (name, company, campaign, hand-raise kind and age, attempts today, zones).

Built for big queues: the candidates and the ranking are the queue service's own
(``load_candidates`` + ``rank``), and the display fields come from one extra query over
the open leads, merged in Python — no per-row queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Callback, Campaign, HandRaise, Lead
from qualdesk.domain.designation import OPEN
from qualdesk.domain.priority import Candidate, rank
from qualdesk.services.queue import load_candidates, queue_policy
from qualdesk.services.users import user_by_name


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One line of the queue view (``position`` 0 and ``held`` true: not offered now)."""

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
    rows: list[QueueRow]  # offered leads in queue order, then held ones
    team_tz: str
    at: datetime

    @property
    def offered(self) -> list[QueueRow]:
        return [r for r in self.rows if not r.held]

    @property
    def held(self) -> list[QueueRow]:
        return [r for r in self.rows if r.held]


def _display_name(first: str | None, last: str | None, email: str | None) -> str:
    name = " ".join(p for p in (first, last) if p)
    return name or (email or "")


def queue_rows(db: Database, rep_name: str | None, now: datetime | None = None,
               include_held: bool = True) -> QueueRows:
    """The rep's queue in order, with what each line shows (``None``: the team's view)."""
    now = now or clock.now()
    with db.session(write=False) as s:
        rep_id = user_by_name(s, rep_name).id if rep_name else None
        policy = queue_policy(s)
        candidates = load_candidates(s, now, policy.team_tz)
        result = rank(candidates, rep_id, now, policy)
        display = {
            r[0]: r[1:]
            for r in s.connection().execute(
                select(Lead.id, Lead.first_name, Lead.last_name, Lead.email, Lead.company,
                       Lead.phone, Lead.last_hand_raise_at, Campaign.name)
                .join(Campaign, Campaign.id == Lead.campaign_id)
                .where(Lead.designation.in_([d.value for d in OPEN]))
            )
        }
    by_id: dict[int, Candidate] = {c.lead_id: c for c in candidates}
    rows: list[QueueRow] = []
    for pos, e in enumerate(result.entries, start=1):
        rows.append(_row(by_id[e.lead_id], display[e.lead_id], pos, int(e.tier), e.deadline,
                         e.reason, e.next_action, held=False))
    if include_held:
        for h in result.held:
            c = by_id[h.lead_id]
            rows.append(_row(c, display[h.lead_id], 0, 0, c.open_deadline, h.reason, "",
                             held=True))
    return QueueRows(rows, policy.team_tz, now)


def _row(c: Candidate, d: tuple, pos: int, tier: int, deadline: datetime | None, reason: str,
         action: str, *, held: bool) -> QueueRow:
    first, last, email, company, phone, last_hr, campaign = d
    return QueueRow(
        lead_id=c.lead_id, position=pos, tier=tier, deadline=deadline, reason=reason,
        next_action=action, held=held, name=_display_name(first, last, email),
        company=company or "", phone=phone, kind=c.open_kind,
        raised_at=c.open_raised_at or last_hr, campaign=campaign,
        attempts_today=c.attempts_today, time_zones=c.time_zones,
        designation=c.designation, callback_due_at=c.callback_due_at,
    )


@dataclass(frozen=True)
class Alert:
    """Something the tray should say: a callback came due, or a clock is about to breach."""

    key: str  # stable, so the same alert is raised once
    kind: str  # "callback" | "breach"
    lead_id: int
    name: str
    at: datetime
    text: str


def upcoming_alerts(db: Database, rep_name: str | None, now: datetime | None = None,
                    warn_minutes: int = 10) -> list[Alert]:
    """Due callbacks the rep may take, open hand raises breaching within ``warn_minutes``,
    and incubated leads whose re-touch date has come, on leads the rep may see (unowned
    or their own)."""
    now = now or clock.now()
    horizon = now + timedelta(minutes=warn_minutes)
    open_codes = [d.value for d in OPEN]
    with db.session(write=False) as s:
        rep_id = user_by_name(s, rep_name).id if rep_name else None
        visible = Lead.owner_id.is_(None) if rep_id is None else or_(
            Lead.owner_id.is_(None), Lead.owner_id == rep_id)
        cb_rows = s.execute(
            select(Callback.id, Callback.lead_id, Callback.due_at, Callback.rep_id,
                   Callback.scope, Lead.first_name, Lead.last_name, Lead.email)
            .join(Lead, Lead.id == Callback.lead_id)
            .where(Callback.done_at.is_(None), Callback.due_at <= now,
                   Lead.designation.in_(open_codes), visible)
        ).all()
        hr_rows = s.execute(
            select(HandRaise.id, HandRaise.lead_id, HandRaise.deadline_at, HandRaise.kind,
                   Lead.first_name, Lead.last_name, Lead.email)
            .join(Lead, Lead.id == HandRaise.lead_id)
            .where(HandRaise.deadline_at > now, HandRaise.deadline_at <= horizon,
                   or_(HandRaise.first_call_at.is_(None), HandRaise.first_email_at.is_(None)),
                   Lead.designation.in_(open_codes), visible)
        ).all()
        retouch_rows = s.execute(
            select(Lead.id, Lead.retouch_at, Lead.retouch_reason, Lead.first_name, Lead.last_name,
                   Lead.email)
            .where(Lead.designation == "incubating", Lead.retouch_at.is_not(None),
                   Lead.retouch_at <= now, visible)
        ).all()
    out: list[Alert] = []
    for lead_id, due, reason, first, last, email in retouch_rows:
        name = _display_name(first, last, email)
        why = f" ({reason})" if reason else ""
        out.append(Alert(f"rt:{lead_id}:{due.isoformat()}", "retouch", lead_id, name, due,
                         f"Back from incubation: {name}{why}"))
    for cb_id, lead_id, due, cb_rep, scope, first, last, email in cb_rows:
        if scope == "mine" and cb_rep not in (None, rep_id):
            continue
        name = _display_name(first, last, email)
        out.append(Alert(f"cb:{cb_id}", "callback", lead_id, name, due,
                         f"Callback due: {name} (lead {lead_id})"))
    for hr_id, lead_id, deadline, kind, first, last, email in hr_rows:
        name = _display_name(first, last, email)
        mins = max(1, int((deadline - now).total_seconds() // 60))
        out.append(Alert(f"hr:{hr_id}", "breach", lead_id, name, deadline,
                         f"{(kind or 'hand raise').replace('_', ' ')} from {name} breaches "
                         f"in {mins} min"))
    out.sort(key=lambda a: a.at)
    return out
