"""What the tray says: due callbacks the rep may take, hand raises about to breach, and
incubated leads whose re-touch date has come, on leads the rep may see; and how several
at once become one notification (``ui.scheduler`` polls, the main window notifies).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Callback, HandRaise, Lead
from qualdesk.domain.designation import OPEN
from qualdesk.services.candidates import open_hand_raise
from qualdesk.services.queue_rows import display_name
from qualdesk.services.users import user_by_name


@dataclass(frozen=True)
class Alert:
    """Something the tray should say: a callback came due, a clock is about to breach, or
    an incubated lead's re-touch date has come."""

    key: str  # stable, so the same alert is raised once
    kind: str  # "callback" | "breach" | "retouch"
    lead_id: int
    name: str
    at: datetime
    text: str


_ALERT_TITLES = {"callback": "Callback due", "retouch": "Re-touch due",
                 "breach": "Hand raise about to breach"}


def alert_summary(alerts: Sequence[Alert], shown: int = 3) -> tuple[str, str]:
    """One notification for what came up at once: (title, lines). A single alert keeps
    its own title; several are counted, the first ``shown`` named, the rest counted."""
    if len(alerts) == 1:
        return _ALERT_TITLES.get(alerts[0].kind, "QualDesk"), alerts[0].text
    lines = [a.text for a in alerts[:shown]]
    if len(alerts) > shown:
        lines.append(f"…and {len(alerts) - shown} more")
    return f"{len(alerts)} leads need you now", "\n".join(lines)


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
                   open_hand_raise(),
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
        name = display_name(first, last, email)
        why = f" ({reason})" if reason else ""
        out.append(Alert(f"rt:{lead_id}:{due.isoformat()}", "retouch", lead_id, name, due,
                         f"Back from incubation: {name}{why}"))
    for cb_id, lead_id, due, cb_rep, scope, first, last, email in cb_rows:
        if scope == "mine" and cb_rep not in (None, rep_id):
            continue
        name = display_name(first, last, email)
        out.append(Alert(f"cb:{cb_id}", "callback", lead_id, name, due,
                         f"Callback due: {name} (lead {lead_id})"))
    for hr_id, lead_id, deadline, kind, first, last, email in hr_rows:
        name = display_name(first, last, email)
        mins = max(1, int((deadline - now).total_seconds() // 60))
        out.append(Alert(f"hr:{hr_id}", "breach", lead_id, name, deadline,
                         f"{(kind or 'hand raise').replace('_', ' ')} from {name} breaches "
                         f"in {mins} min"))
    out.sort(key=lambda a: a.at)
    return out
