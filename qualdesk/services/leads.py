"""Reading leads: lists for ``qualdesk leads`` and the detail the lead panel shows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from qualdesk.db.engine import Database
from qualdesk.db.models import (
    Attempt,
    Callback,
    Campaign,
    Email,
    HandRaise,
    Lead,
    Note,
    User,
)
from qualdesk.domain.records import (
    AttemptRecord,
    CallbackRecord,
    EmailRecord,
    HandRaiseRecord,
    LeadDetail,
    LeadSummary,
    NoteRecord,
)
from qualdesk.errors import NotFound


@dataclass(frozen=True)
class LeadFilter:
    designation: str | None = None
    owner: str | None = None
    campaign: str | None = None
    search: str | None = None
    limit: int | None = None


def _summary_query() -> Select:
    owner = aliased(User)
    hr_count = (
        select(func.count(HandRaise.id)).where(HandRaise.lead_id == Lead.id).scalar_subquery()
    )
    return (
        select(Lead, owner.name, Campaign.name, hr_count)
        .join(Campaign, Campaign.id == Lead.campaign_id)
        .outerjoin(owner, owner.id == Lead.owner_id)
    ), owner


def _to_summary(lead: Lead, owner: str | None, campaign: str, n: int) -> LeadSummary:
    return LeadSummary(
        id=lead.id, first_name=lead.first_name, last_name=lead.last_name, company=lead.company,
        title=lead.title, email=lead.email, phone=lead.phone, phone_ext=lead.phone_ext,
        phone_region=lead.phone_region, time_zones=list(lead.time_zones or []),
        designation=lead.designation, owner=owner, campaign=campaign,
        do_not_call=bool(lead.do_not_call), hand_raises=int(n or 0),
        last_hand_raise_at=lead.last_hand_raise_at, lead_source=lead.lead_source,
    )


def list_leads(db: Database, f: LeadFilter | None = None) -> list[LeadSummary]:
    f = f or LeadFilter()
    q, owner = _summary_query()
    if f.designation:
        from qualdesk.domain.designation import parse

        q = q.where(Lead.designation == parse(f.designation).value)
    if f.owner:
        if f.owner.lower() in ("none", "unowned", "-"):
            q = q.where(Lead.owner_id.is_(None))
        else:
            q = q.where(func.lower(owner.name) == f.owner.lower())
    if f.campaign:
        q = q.where(func.lower(Campaign.name) == f.campaign.lower())
    if f.search:
        like = f"%{f.search.lower()}%"
        q = q.where(
            func.lower(func.coalesce(Lead.first_name, "") + " " + func.coalesce(Lead.last_name, "")
                       + " " + func.coalesce(Lead.company, "") + " " + func.coalesce(Lead.email, ""))
            .like(like)
        )
    q = q.order_by(Lead.id)
    if f.limit:
        q = q.limit(f.limit)
    with db.session(write=False) as s:
        return [_to_summary(*row) for row in s.execute(q).unique()]


def get_lead(s: Session, lead_id: int) -> Lead:
    """The lead, or ``NotFound`` naming the id (every use case starts here)."""
    lead = s.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"no lead with id {lead_id}")
    return lead


def summary(s: Session, lead_id: int) -> LeadSummary:
    q, _ = _summary_query()
    row = s.execute(q.where(Lead.id == lead_id)).unique().first()
    if row is None:
        raise NotFound(f"no lead with id {lead_id}")
    return _to_summary(*row)


def lead_detail(db: Database, lead_id: int) -> LeadDetail:
    with db.session(write=False) as s:
        summ = summary(s, lead_id)
        lead = s.get(Lead, lead_id)
        assert lead is not None
        names = dict(s.execute(select(User.id, User.name)).all())
        hrs = tuple(
            HandRaiseRecord(h.id, h.kind, h.strength, h.raised_at, h.deadline_at, h.details,
                            h.source, h.first_call_at, h.first_email_at)
            for h in s.scalars(select(HandRaise).where(HandRaise.lead_id == lead_id)
                               .order_by(HandRaise.raised_at.desc()))
        )
        attempts = tuple(
            AttemptRecord(a.id, names.get(a.rep_id), a.started_at, a.ended_at, a.disposition, a.notes)
            for a in s.scalars(select(Attempt).where(Attempt.lead_id == lead_id)
                               .order_by(Attempt.started_at.desc()))
        )
        notes = tuple(
            NoteRecord(n.id, names.get(n.author_id), n.body, n.created_at, n.updated_at)
            for n in s.scalars(select(Note).where(Note.lead_id == lead_id, Note.body != "")
                               .order_by(Note.created_at.desc()))
        )
        emails = tuple(
            EmailRecord(e.id, e.subject, e.to_addr, e.status, e.created_at, e.sent_at, e.last_error)
            for e in s.scalars(select(Email).where(Email.lead_id == lead_id)
                               .order_by(Email.created_at.desc()))
        )
        callbacks = tuple(
            CallbackRecord(c.id, c.due_at, c.lead_tz, c.scope, names.get(c.rep_id), c.note, c.done_at)
            for c in s.scalars(select(Callback).where(Callback.lead_id == lead_id)
                               .order_by(Callback.due_at.desc()))
        )
        return LeadDetail(
            summary=summ, campaign_id=lead.campaign_id, mobile=lead.mobile, country=lead.country,
            claimed_by=names.get(lead.claimed_by_id), lease_expires_at=lead.lease_expires_at,
            retouch_at=lead.retouch_at, retouch_reason=lead.retouch_reason,
            hand_raises=hrs, attempts=attempts, notes=notes, emails=emails, callbacks=callbacks,
        )
