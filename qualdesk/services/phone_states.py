"""What each rep's phone is doing, for the floor: idle, ringing, on a call (since when,
on which lead), wrap-up (the call ended, the disposition not logged yet).

The rep's client writes a row on every change; the floor reads them. A row not touched
for ``STALE`` is shown as unknown (a client that closed or lost the database).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import PhoneState
from qualdesk.errors import InvalidInput
from qualdesk.services.users import user_by_name

IDLE, RINGING, ON_CALL, WRAP_UP = "idle", "ringing", "on_call", "wrap_up"
STATES = (IDLE, RINGING, ON_CALL, WRAP_UP)
STALE = timedelta(minutes=10)


def set_state(db: Database, rep_name: str, state: str, lead_id: int | None = None,
              at: datetime | None = None) -> None:
    if state not in STATES:
        raise InvalidInput(f"phone state {state!r}: expected one of {', '.join(STATES)}")
    now = at or clock.now()
    with db.session() as s:
        rep = user_by_name(s, rep_name)
        row = s.get(PhoneState, rep.id)
        if row is None:
            s.add(PhoneState(rep_id=rep.id, state=state, since=now, lead_id=lead_id, updated_at=now))
            return
        if row.state != state or row.lead_id != lead_id:
            row.state, row.since, row.lead_id = state, now, lead_id
        row.updated_at = now

