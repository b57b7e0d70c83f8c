"""Two reps, one lead: a call, follow-up, callback or note on a lead another rep holds
(a live claim) is refused, naming who holds it and until when.

A team lead or admin may override the hold (``override_by``: their name); the override
is audited. This is the one home of the rule for both engines; on PostgreSQL a rep's own
login is refused by the database as well (migration 0007), whatever client it uses.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.models import Lead, User
from qualdesk.domain.priority import lease_held
from qualdesk.errors import NotAllowed
from qualdesk.services import audit
from qualdesk.services.users import user_by_name

MAY_OVERRIDE = frozenset({"lead", "admin"})


def holder_of(s: Session, lead: Lead, rep_id: int | None,
              at: datetime | None = None) -> str | None:
    """The name of whoever else holds ``lead`` under a live claim, or None. ``at``: when
    the call was made, if not now — a call made before that claim began (offline, and
    replayed later) was not made on a lead someone held."""
    if lead.claimed_by_id is None or lead.claimed_by_id == rep_id:
        return None
    if not lease_held(lead.claimed_by_id, lead.lease_expires_at, clock.now()):
        return None  # a lapsed claim holds nothing
    if at is not None and lead.claimed_at is not None and at < lead.claimed_at:
        return None
    name = s.scalar(select(User.name).where(User.id == lead.claimed_by_id))
    return name or f"user {lead.claimed_by_id}"


def check_not_held_by_other(s: Session, lead: Lead, rep_id: int | None,
                            override_by: str | None = None, *, what: str = "call",
                            at: datetime | None = None) -> None:
    """Refuse ``what`` (a call, a follow-up, a callback, a note) by ``rep_id`` on a lead
    another rep holds; with ``override_by`` (a team lead's or admin's name) let it
    through and audit the override. ``at``: see ``holder_of``."""
    held_by = holder_of(s, lead, rep_id, at)
    if held_by is None:
        return
    until = lead.lease_expires_at
    assert until is not None
    if override_by is None:
        raise NotAllowed(f"lead {lead.id} is held by {held_by} until {until:%H:%M} UTC: "
                         f"the {what} is theirs to make (a team lead may override)")
    boss = user_by_name(s, override_by)
    if boss.role not in MAY_OVERRIDE:
        raise NotAllowed(f"{boss.name} is a {boss.role}: only a team lead or an admin may "
                         f"override {held_by}'s hold on lead {lead.id}")
    audit.record(s, lead.id, boss.id, "hold override", what, held_by, None)
