"""What each rep's phone is doing, for the floor: idle, ringing, on a call (since when,
on which lead), wrap-up (the call ended, the disposition not logged yet).

The rep's client writes a row on every change; the floor reads them. A row not touched
for ``STALE`` is shown as unknown (a client that closed or lost the database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import PhoneState, User
from qualdesk.errors import InvalidInput
from qualdesk.services.users import user_by_name

IDLE, RINGING, ON_CALL, WRAP_UP = "idle", "ringing", "on_call", "wrap_up"
STATES = (IDLE, RINGING, ON_CALL, WRAP_UP)
LABELS = {IDLE: "idle", RINGING: "dialling", ON_CALL: "on a call", WRAP_UP: "wrap-up"}
STALE = timedelta(minutes=10)


@dataclass(frozen=True)
class RepPhoneState:
    rep: str
    state: str
    since: datetime
    lead_id: int | None

    def seconds(self, now: datetime) -> int:
        return max(0, int((now - self.since).total_seconds()))

    def label(self, now: datetime) -> str:
        secs = self.seconds(now)
        clock_txt = f"{secs // 60}:{secs % 60:02d}"
        return f"{LABELS[self.state]} {clock_txt}" if self.state != IDLE else "idle"


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


def floor_states(db: Database, now: datetime | None = None) -> dict[str, RepPhoneState]:
    """Each rep's phone state by name (fresh rows only)."""
    at = now or clock.now()
    with db.session(write=False) as s:
        rows = s.execute(select(User.name, PhoneState).join(PhoneState, PhoneState.rep_id == User.id))
        return {name: RepPhoneState(name, ps.state, ps.since, ps.lead_id)
                for name, ps in rows if at - ps.updated_at <= STALE}
