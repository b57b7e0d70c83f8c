"""Ending a rep's claims when they leave a lead or quit, so no lead stays locked to a rep
who is not looking at it (and the floor shows no one "on" a lead they left).

Only the claim ends, never the ownership: a lead the rep did not work was never made
theirs by this claim (a claim is a lease, see ``queue``), and one they already owned
(their callback from yesterday) stays theirs. "Give back" (``queue.release``) is the
rep saying they will not work it; leaving it on screen for another lead is not.
A client that crashes calls neither: its claims lapse with their lease.
"""

from __future__ import annotations

from sqlalchemy import select, update

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead
from qualdesk.domain.records import Changes
from qualdesk.services import audit
from qualdesk.services.users import user_by_name


def end_claims(db: Database, rep_name: str, lead_id: int | None = None) -> Changes:
    """End the rep's claim on ``lead_id`` (or on every lead when None); audited per lead.
    A lead the rep does not hold (called, given back, taken over) is left alone."""
    with db.session() as s:
        rep = user_by_name(s, rep_name)
        where = [Lead.claimed_by_id == rep.id]
        if lead_id is not None:
            where.append(Lead.id == lead_id)
        ids = list(s.scalars(select(Lead.id).where(*where).with_for_update()))
        if not ids:
            return Changes()
        s.execute(update(Lead).where(Lead.id.in_(ids), Lead.claimed_by_id == rep.id)
                  .values(claimed_by_id=None, lease_expires_at=None)
                  .execution_options(synchronize_session=False))
        for i in ids:
            audit.record(s, i, rep.id, "release", "claimed_by", rep.name, None)
    return Changes(leads=tuple(ids), queue=True)
