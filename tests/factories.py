"""Build test data through the real services (no SQL shortcuts past the domain rules)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, Lead
from qualdesk.services.hand_raises import add_hand_raise, kind_strengths, resolve_kind


def make_lead(db: Database, *, first: str = "Pat", last: str = "Lee", company: str = "Acme",
              email: str | None = "pat@acme.test", phone: str | None = "+12125550100",
              zones: tuple[str, ...] = ("America/New_York",), kind: str | None = "contact_form",
              raised_at: datetime | None = None, campaign: str | None = None) -> int:
    with db.session() as s:
        q = select(Campaign).where(Campaign.name == campaign) if campaign else \
            select(Campaign).where(Campaign.is_default.is_(True))
        camp = s.scalar(q)
        assert camp is not None
        now = clock.now()
        lead = Lead(first_name=first, last_name=last, company=company, email=email,
                    email_norm=email.lower() if email else None, phone=phone,
                    phone_region="US" if phone else None, time_zones=list(zones),
                    campaign_id=camp.id, designation="cold", created_at=now, updated_at=now)
        s.add(lead)
        s.flush()
        if kind is not None:
            code, strength, _ = resolve_kind(kind, kind_strengths(s))
            add_hand_raise(s, lead, camp, code, strength, raised_at or now, details="test")
        return lead.id
