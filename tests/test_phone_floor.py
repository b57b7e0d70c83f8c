"""The floor reads rep states from the phone: on a call (with its duration), wrap-up, idle;
a state nobody refreshed for ten minutes is not shown (a client that closed)."""

from __future__ import annotations

from datetime import timedelta

from qualdesk.db.engine import Database
from qualdesk.services import phone_states
from qualdesk.services.reports.floor import floor_snapshot
from qualdesk.services.users import add_user
from tests.factories import make_lead


def _row(db: Database, name: str, now):  # noqa: ANN001, ANN202
    return next(r for r in floor_snapshot(db, now).reps if r.name == name)


def test_floor_shows_the_phone_state_with_its_duration(db: Database, frozen) -> None:  # noqa: ANN001
    add_user(db, "Ann", "rep")
    add_user(db, "Bo", "rep")
    lead = make_lead(db)
    phone_states.set_state(db, "Ann", phone_states.RINGING, lead)
    frozen.advance(seconds=4)
    phone_states.set_state(db, "Ann", phone_states.ON_CALL, lead)
    frozen.advance(seconds=65)
    assert _row(db, "Ann", frozen.t).state.label(frozen.t) == "On a call 1:05"
    assert _row(db, "Bo", frozen.t).phone_state is None  # no phone: the floor judges activity
    phone_states.set_state(db, "Ann", phone_states.WRAP_UP, lead)
    frozen.advance(seconds=20)
    assert _row(db, "Ann", frozen.t).state.label(frozen.t) == "Wrap-up"
    assert _row(db, "Ann", frozen.t).state.since == frozen.t - timedelta(seconds=20)
    phone_states.set_state(db, "Ann", phone_states.IDLE)
    assert _row(db, "Ann", frozen.t).state.label(frozen.t) == "Idle"
    frozen.advance(minutes=11)  # the client went away: no stale "idle" or "on a call"
    assert _row(db, "Ann", frozen.t).phone_state is None
