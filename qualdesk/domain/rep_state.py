"""What a rep is doing now, for the floor: on a call, wrap-up, idle, away, signed out.

The phone says it best where there is one (``phone_states``); without one, the rep's
own activity tells: a call logged as started and not yet ended is a call; the minutes
after a call ended are its wrap-up; a claim held or anything done in the last quarter
hour is idle (at the desk, ready); then away; after an hour, or nothing today, signed
out. Pure: the floor report hands the times in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

WRAP_UP = timedelta(minutes=3)  # the notes and disposition after a call
IDLE = timedelta(minutes=15)  # active within this: at the desk
AWAY = timedelta(minutes=60)  # after this without a sign of life: signed out
OPEN_CALL = timedelta(minutes=90)  # a call "started" longer ago was never closed

STATES = ("on_call", "wrap_up", "idle", "away", "signed_out")
PHONE_TO_STATE = {"on_call": "on_call", "ringing": "on_call", "dialing": "on_call",
                  "wrap_up": "wrap_up", "idle": "idle"}


@dataclass(frozen=True)
class RepState:
    code: str  # one of STATES
    since: datetime | None

    def label(self, now: datetime) -> str:
        """'On a call 3:05', 'Wrap-up', 'Idle', 'Away 22 min', 'Signed out'."""
        span = "" if self.since is None else _span(now - self.since)
        if self.code == "on_call":
            return f"On a call {span}".strip()
        if self.code == "away":
            return f"Away {span}".strip()
        return {"wrap_up": "Wrap-up", "idle": "Idle", "signed_out": "Signed out"}[self.code]


def _span(d: timedelta) -> str:
    s = max(0, int(d.total_seconds()))
    if s < 3600 and s >= 60 * 10:
        return f"{s // 60} min"
    if s < 600:
        return f"{s // 60}:{s % 60:02d}"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def rep_state(now: datetime, *, phone_state: str | None = None,
              phone_since: datetime | None = None, call_started: datetime | None = None,
              last_call_end: datetime | None = None, last_activity: datetime | None = None,
              holds_claim: bool = False) -> RepState:
    if phone_state in PHONE_TO_STATE:
        return RepState(PHONE_TO_STATE[phone_state], phone_since)
    if call_started is not None and now - call_started <= OPEN_CALL:
        return RepState("on_call", call_started)
    if last_call_end is not None and timedelta(0) <= now - last_call_end <= WRAP_UP:
        return RepState("wrap_up", last_call_end)
    if holds_claim:
        return RepState("idle", None)
    if last_activity is None or now - last_activity > AWAY:
        return RepState("signed_out", None)
    if now - last_activity <= IDLE:
        return RepState("idle", None)
    return RepState("away", last_activity)
