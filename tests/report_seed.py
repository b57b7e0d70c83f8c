"""Building report data sets through the real services (hand raises, attempts, sent
emails, designation moves), with the frozen clock where a service stamps 'now'."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, Email, Lead, User
from qualdesk.services import designations
from qualdesk.services.calls import record_attempt
from qualdesk.services.hand_raises import add_hand_raise, kind_strengths, resolve_kind, stamp_email
from qualdesk.services.users import add_user


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def user(db: Database, name: str, role: str = "rep") -> int:
    return add_user(db, name, role, f"{name.lower()}@example.com").id


def campaign(db: Database, name: str) -> int:
    with db.session() as s:
        c = s.scalar(select(Campaign).where(Campaign.name == name))
        if c is None:
            c = Campaign(name=name, created_at=clock.now())
            s.add(c)
            s.flush()
        return c.id


def lead(db: Database, first: str, campaign_name: str = "Default", owner: str | None = None) -> int:
    cid = campaign(db, campaign_name)
    with db.session() as s:
        owner_id = s.scalar(select(User.id).where(User.name == owner)) if owner else None
        lead = Lead(first_name=first, last_name="Test", company=f"{first} Co",
                    email=f"{first.lower()}@lead.example", email_norm=f"{first.lower()}@lead.example",
                    phone="+12125550100", time_zones=["America/New_York"], campaign_id=cid,
                    owner_id=owner_id, designation="cold", created_at=clock.now(),
                    updated_at=clock.now())
        s.add(lead)
        s.flush()
        return lead.id


def hand_raise(db: Database, lead_id: int, kind: str, at: datetime) -> int:
    with db.session() as s:
        lead = s.get(Lead, lead_id)
        assert lead is not None
        code, strength, _ = resolve_kind(kind, kind_strengths(s))
        hr = add_hand_raise(s, lead, s.get(Campaign, lead.campaign_id), code, strength, at)
        s.flush()
        return hr.id


def call(db: Database, lead_id: int, rep: str, at: datetime, disposition: str = "no_answer") -> None:
    with db.session() as s:
        lead = s.get(Lead, lead_id)
        rep_id = s.scalar(select(User.id).where(User.name == rep))
        record_attempt(s, lead, rep_id, disposition, started_at=at)


def email(db: Database, lead_id: int, rep: str, at: datetime) -> None:
    with db.session() as s:
        rep_id = s.scalar(select(User.id).where(User.name == rep))
        s.add(Email(lead_id=lead_id, rep_id=rep_id, to_addr="x@lead.example", subject="Hello",
                    body_text="Hi", status="sent", created_at=at, sent_at=at))
        stamp_email(s, lead_id, at)


def move(db: Database, frozen, lead_id: int, to: str, by: str | None, at: datetime) -> None:  # type: ignore[no-untyped-def]
    frozen.t = at
    with db.session() as s:
        lead = s.get(Lead, lead_id)
        by_id = s.scalar(select(User.id).where(User.name == by)) if by else None
        designations.move(s, lead, to, by_id, "test")


def followup(db: Database, lead_id: int, rep: str, at: datetime) -> None:
    """The voicemail + email combination: a voicemail attempt, a sent email, one FollowUp."""
    from qualdesk.db.models import FollowUp

    with db.session() as s:
        lead = s.get(Lead, lead_id)
        rep_id = s.scalar(select(User.id).where(User.name == rep))
        a = record_attempt(s, lead, rep_id, "left_voicemail", started_at=at)
        e = Email(lead_id=lead_id, rep_id=rep_id, to_addr="x@lead.example", subject="Sorry I missed you",
                  body_text="Hi", status="sent", created_at=at, sent_at=at)
        s.add(e)
        s.flush()
        stamp_email(s, lead_id, at)
        s.add(FollowUp(lead_id=lead_id, rep_id=rep_id, attempt_id=a.id, email_id=e.id, at=at))


def turnover(db: Database, lead_id: int, at: datetime, verdict: str | None = None,
             verdict_at: datetime | None = None, outcome: str | None = None,
             outcome_at: datetime | None = None) -> None:
    """A turn-over row with sales' verdict fields (the lead's move is done with ``move``)."""
    from qualdesk.db.models import TurnOver

    with db.session() as s:
        s.add(TurnOver(lead_id=lead_id, to_owner="Sam Sales", snapshot={}, at=at, verdict=verdict,
                       verdict_at=verdict_at, outcome=outcome, outcome_at=outcome_at))
