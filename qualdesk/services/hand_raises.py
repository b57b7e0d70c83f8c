"""Recording hand raises, and stamping them when a call or an email follows."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.models import Campaign, HandRaise, HandRaiseKind, Lead
from qualdesk.domain import designation as dz
from qualdesk.domain.codes import DEFAULT_KIND_STRENGTH, normalise_code
from qualdesk.services import audit


def kind_strengths(s: Session) -> dict[str, int]:
    return dict(s.execute(select(HandRaiseKind.code, HandRaiseKind.strength)).all())


def resolve_kind(raw: str | None, strengths: dict[str, int]) -> tuple[str, int, bool]:
    """(code, strength, known): unknown kinds are accepted at the default strength."""
    code = normalise_code(raw or "") or "contact_form"
    if code in strengths:
        return code, strengths[code], True
    return code, DEFAULT_KIND_STRENGTH, False


def add_hand_raise(s: Session, lead: Lead, campaign: Campaign, kind: str, strength: int,
                   raised_at: datetime, details: str | None = None, source: str | None = None,
                   by_id: int | None = None, is_test: bool = False) -> HandRaise:
    """A new hand raise: its deadline is the campaign's SLA; a cold lead becomes warm.
    ``is_test`` marks the intake page's test event, which the reports leave out."""
    hr = HandRaise(
        lead_id=lead.id, campaign_id=campaign.id, kind=kind, strength=strength,
        raised_at=raised_at, deadline_at=raised_at + timedelta(minutes=campaign.sla_minutes),
        details=details, source=source, created_at=clock.now(),
        **({"is_test": True} if is_test else {}),  # else the database's default (0011)
    )
    s.add(hr)
    if lead.last_hand_raise_at is None or raised_at > lead.last_hand_raise_at:
        lead.last_hand_raise_at = raised_at
    new = dz.after_hand_raise(dz.Designation(lead.designation))
    if new.value != lead.designation:
        from qualdesk.services.designations import move

        move(s, lead, new, by_id, f"hand raise: {kind}")
    lead.updated_at = clock.now()
    audit.bump(s, "hand_raise", lead.id)
    return hr


def stamp_call(s: Session, lead_id: int, at: datetime, rep_id: int | None) -> None:
    """The first call at or after each hand raise is its first touch."""
    s.execute(
        update(HandRaise)
        .where(HandRaise.lead_id == lead_id, HandRaise.first_call_at.is_(None),
               HandRaise.raised_at <= at)
        .values(first_call_at=at, first_call_rep_id=rep_id)
    )


def stamp_email(s: Session, lead_id: int, at: datetime) -> None:
    s.execute(
        update(HandRaise)
        .where(HandRaise.lead_id == lead_id, HandRaise.first_email_at.is_(None),
               HandRaise.raised_at <= at)
        .values(first_email_at=at)
    )
