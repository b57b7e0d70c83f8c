"""UI fixtures: an ``AppContext`` on a fresh SQLite database with a synchronous runner,
and a seeding helper that goes through the services (never the demo module)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, Lead
from qualdesk.domain.records import UserRecord
from qualdesk.services.hand_raises import add_hand_raise, kind_strengths
from qualdesk.services.users import add_user


@dataclass(frozen=True)
class Seeded:
    rep: UserRecord
    other: UserRecord
    leads: dict[str, int]  # first name -> lead id


# (first, last, company, phone, zone, kind, minutes since the hand raise or None)
LEADS = (
    ("Alice", "Able", "Acme Inc", "+12125550101", "America/New_York", "demo_request", 50),
    ("Bob", "Brown", "Beta GmbH", "+493012345678", "Europe/Berlin", "contact_form", 20),
    ("Carol", "Chen", "Cargo Ltd", "+12125550103", "America/New_York", "called_in", 90),
    ("Dan", "Diaz", "Delta LLC", "+13105550104", "America/Los_Angeles", "asset_download", 10),
    ("Eve", "Evans", "Echo plc", "+442071234567", "Europe/London", None, None),
)


def seed_workspace(db: Database, now: datetime) -> Seeded:
    """Two reps and five leads; with the clock at 2026-11-23 15:00 UTC the queue is
    Alice (10 min left), Bob (40 min left), Carol (breached 30 min ago); Dan is held
    (07:00 in Los Angeles, before the calling window); Eve has no hand raise."""
    rep = add_user(db, "Ana Rep", "rep", email="ana@example.com")
    other = add_user(db, "Ben Rep", "rep", email="ben@example.com")
    ids: dict[str, int] = {}
    with db.session() as s:
        campaign = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert campaign is not None
        strengths = kind_strengths(s)
        for first, last, company, phone, tz, kind, ago in LEADS:
            lead = Lead(first_name=first, last_name=last, company=company, phone=phone,
                        email=f"{first.lower()}@{company.split()[0].lower()}.example",
                        email_norm=f"{first.lower()}@{company.split()[0].lower()}.example",
                        phone_region=phone[1:3], time_zones=[tz], campaign_id=campaign.id,
                        designation="cold", created_at=now - timedelta(days=1),
                        updated_at=now - timedelta(days=1))
            s.add(lead)
            s.flush()
            if kind is not None and ago is not None:
                add_hand_raise(s, lead, campaign, kind, strengths[kind],
                               now - timedelta(minutes=ago),
                               details=f"{kind.replace('_', ' ')} on /pricing")
            ids[first] = lead.id
    return Seeded(rep, other, ids)


@pytest.fixture
def seeded(sqlite_db: Database, frozen) -> Seeded:
    return seed_workspace(sqlite_db, frozen.t)


@pytest.fixture
def ctx(qtbot, sqlite_db: Database, seeded: Seeded) -> Iterator:
    from ui.context import AppContext
    from ui.ops import SyncRunner

    c = AppContext(sqlite_db, seeded.rep, SyncRunner())
    yield c
