"""Moving a lead between designations: through the domain's table, with history and audit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import DesignationChange, Lead
from qualdesk.domain import designation as dz
from qualdesk.domain.records import Changes
from qualdesk.services import audit, retry_keys
from qualdesk.services.leads import get_lead


def move(s: Session, lead: Lead, to: dz.Designation | str, by_id: int | None,
         reason: str | None = None) -> bool:
    """Apply a transition (refused with the reason when illegal); False if unchanged."""
    src = dz.Designation(lead.designation)
    dst = dz.Designation(to)
    dz.check_move(src, dst)
    if src == dst:
        return False
    lead.designation = dst.value
    lead.updated_at = clock.now()
    lead.version += 1
    if dst == dz.Designation.DO_NOT_CALL:
        lead.do_not_call = True
    s.add(DesignationChange(lead_id=lead.id, from_designation=src.value, to_designation=dst.value,
                            at=clock.now(), by_id=by_id, reason=reason))
    audit.record(s, lead.id, by_id, "designation", "designation", src.value, dst.value)
    return True


def set_designation(db: Database, lead_id: int, to: str, by_name: str | None,
                    reason: str | None = None, idempotency_key: str | None = None) -> Changes:
    """``idempotency_key``: a retry finds the move it already made (``retry_keys``)."""
    from qualdesk.services.users import user_by_name

    key = retry_keys.check_key(idempotency_key)
    with db.session() as s:
        lead = get_lead(s, lead_id)
        by = user_by_name(s, by_name).id if by_name else None
        if retry_keys.done(s, key, "designation", lead.id) is None:
            move(s, lead, dz.parse(to), by, reason)
            retry_keys.remember(s, key, "designation", lead.id, by)
    return Changes(leads=(lead_id,), queue=True)
