"""Incubation: a lead that is not ready yet rests until a re-touch date, then comes back.

The queue service already offers incubating leads whose ``Lead.retouch_at`` has come, so
nothing here needs a timer; ``due_retouches`` exists for the app's scheduler, which
raises a desktop notification when a rep's incubated leads come due.

A re-touch *date* means the start of that day in the team's time zone: the lead is
back in the queue on that date (the calling window still decides when it is offered).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Lead, Note, User
from qualdesk.domain import designation as dz
from qualdesk.domain.records import Changes
from qualdesk.domain.words import designation as said_designation
from qualdesk.errors import InvalidInput, NotAllowed
from qualdesk.services import audit, team_settings
from qualdesk.services.designations import move
from qualdesk.services.leads import get_lead

# Default re-touch delay by the words of the reason; the first match wins, anything
# else takes the ``incubation.default_days`` setting.
REASON_DAYS: tuple[tuple[str, int], ...] = (
    ("not ready", 30),
    ("too early", 30),
    ("bad timing", 90),
    ("timing", 90),
    ("no budget", 90),
    ("budget", 90),
)


@dataclass(frozen=True)
class Incubated:
    lead_id: int
    retouch_at: datetime
    reason: str
    owner: str | None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lead"] = d.pop("lead_id")
        d["retouch_at"] = self.retouch_at.isoformat()
        d["designation"] = dz.Designation.INCUBATING.value
        return d


@dataclass(frozen=True)
class RetouchDue:
    lead_id: int
    name: str
    company: str | None
    retouch_at: datetime
    reason: str | None
    owner: str | None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lead"] = d.pop("lead_id")
        d["retouch_at"] = self.retouch_at.isoformat()
        return d


def reason_days(reason: str | None) -> int | None:
    """Days the reason's words imply, or ``None`` for the team's default."""
    text = " ".join((reason or "").lower().replace("_", " ").replace("-", " ").split())
    for words, days in REASON_DAYS:
        if words in text:
            return days
    return None


def default_days(s: Session, reason: str | None) -> int:
    days = reason_days(reason)
    return days if days is not None else int(team_settings.get(s, "incubation.default_days"))


def start_of_day(s: Session, day: date) -> datetime:
    """Midnight of ``day`` in the team's zone, as UTC."""
    tz = ZoneInfo(team_settings.get(s, "team.timezone"))
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(ZoneInfo("UTC"))


def team_today(s: Session, now: datetime) -> date:
    return now.astimezone(ZoneInfo(team_settings.get(s, "team.timezone"))).date()


def default_retouch_at(s: Session, reason: str | None, now: datetime) -> datetime:
    return start_of_day(s, team_today(s, now) + timedelta(days=default_days(s, reason)))


def incubate_in(s: Session, lead: Lead, retouch_at: datetime, reason: str,
                by_id: int | None, owner_id: int | None = None, *,
                keep_owner: bool = True) -> None:
    """Rest ``lead`` until ``retouch_at`` (the core, shared with sales' rejections)."""
    move(s, lead, dz.Designation.INCUBATING, by_id, reason)
    old = lead.retouch_at
    lead.retouch_at = retouch_at
    lead.retouch_reason = reason
    if not keep_owner:
        lead.owner_id = owner_id
    # The rep is done with it for now: the claim ends.
    lead.claimed_by_id = None
    lead.lease_expires_at = None
    lead.updated_at = clock.now()
    lead.version += 1
    s.add(Note(lead_id=lead.id, author_id=by_id,
               body=f"Incubating until {retouch_at:%Y-%m-%d}: {reason}",
               created_at=clock.now(), updated_at=clock.now()))
    audit.record(s, lead.id, by_id, "incubate", "retouch_at",
                 old.isoformat() if old else None, retouch_at.isoformat())


def parse_until(s: Session, value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidInput(f"re-touch time {value.isoformat()} has no UTC offset")
        return clock.ensure_utc(value)
    return start_of_day(s, value)


def incubate(db: Database, lead_id: int, until: date | datetime, reason: str,
             by: str | None = None) -> Incubated:
    """A rep rests an open lead until a date, with a reason (bad timing, no budget yet…)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("incubating a lead needs a reason (e.g. 'bad timing', 'no budget yet')")
    from qualdesk.services.users import user_by_name

    now = clock.now()
    with db.session() as s:
        lead = get_lead(s, lead_id)
        if lead.designation not in dz.OPEN:
            raise NotAllowed(f"lead {lead_id} is {said_designation(lead.designation).lower()}: "
                             "only a lead the qualifying team works (cold, warm, hot, "
                             "incubating) can be incubated")
        retouch = parse_until(s, until)
        if retouch <= now:
            raise InvalidInput(f"re-touch date {retouch:%Y-%m-%d} is not in the future")
        by_user = user_by_name(s, by) if by else None
        by_id = by_user.id if by_user else None
        incubate_in(s, lead, retouch, reason, by_id)
        if lead.owner_id is None and by_user is not None and by_user.role in ("rep", "lead"):
            lead.owner_id = by_user.id
        owner = s.get(User, lead.owner_id).name if lead.owner_id else None
        return Incubated(lead.id, retouch, reason, owner)


def incubate_op(db: Database, lead_id: int, until: date | datetime, reason: str,
                by: str | None = None) -> Changes:
    """``incubate`` for the GUI's op runner."""
    incubate(db, lead_id, until, reason, by)
    return Changes(leads=(lead_id,), queue=True, notes=True)


def due_retouches(db: Database, now: datetime | None = None) -> list[RetouchDue]:
    """Incubating leads whose re-touch date has come (for the scheduler's notification)."""
    now = now or clock.now()
    with db.session(write=False) as s:
        q = (
            select(Lead, User.name)
            .outerjoin(User, User.id == Lead.owner_id)
            .where(Lead.designation == dz.Designation.INCUBATING.value,
                   Lead.retouch_at.is_not(None), Lead.retouch_at <= now)
            .order_by(Lead.retouch_at, Lead.id)
        )
        out = []
        for lead, owner in s.execute(q).unique():
            name = " ".join(p for p in (lead.first_name, lead.last_name) if p) or (lead.company or "")
            out.append(RetouchDue(lead.id, name, lead.company, lead.retouch_at,
                                  lead.retouch_reason, owner))
        return out
