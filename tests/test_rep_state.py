"""The floor's rep state: the phone's where there is one, activity otherwise — wrap-up
after a call, idle, away, signed out; and no ghost 'on lead now' entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead
from qualdesk.domain.rep_state import RepState, rep_state
from qualdesk.services import phone_states
from qualdesk.services.calls import record_attempt
from qualdesk.services.queue import claim_lead
from qualdesk.services.reports.floor import floor_snapshot
from qualdesk.services.users import add_user
from tests.factories import make_lead

T = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_the_rules_in_order() -> None:
    m = timedelta(minutes=1)
    assert rep_state(T, phone_state="on_call", phone_since=T - 3 * m).label(T) == "On a call 3:00"
    assert rep_state(T, phone_state="ringing", phone_since=T).code == "on_call"
    assert rep_state(T, call_started=T - 2 * m).code == "on_call"
    assert rep_state(T, call_started=T - 200 * m, last_activity=T - 200 * m).code == "signed_out"
    assert rep_state(T, last_call_end=T - 2 * m, last_activity=T - 2 * m).code == "wrap_up"
    assert rep_state(T, last_call_end=T - 5 * m, last_activity=T - 5 * m).code == "idle"
    assert rep_state(T, last_activity=T - 20 * m).label(T) == "Away 20 min"
    assert rep_state(T, last_activity=T - 61 * m).code == "signed_out"
    assert rep_state(T, last_activity=T - 61 * m, holds_claim=True).code == "idle"
    assert rep_state(T).label(T) == "Signed out"
    assert RepState("on_call", T - timedelta(hours=1, minutes=5)).label(T) == "On a call 1 h 05 min"


def _state(db: Database, name: str, now: datetime) -> str:
    row = next(r for r in floor_snapshot(db, now).reps if r.name == name)
    return row.state_text(now)


def test_the_floor_reads_activity_and_the_phone(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    ann = add_user(db, "Ann", "rep")
    add_user(db, "Bo", "rep")
    lead_id = make_lead(db)
    assert _state(db, "Ann", frozen.t) == "Signed out"  # nothing today
    with db.session() as s:
        record_attempt(s, s.get(Lead, lead_id), ann.id, "no_answer",
                       started_at=frozen.t - timedelta(minutes=1), ended_at=frozen.t)
    frozen.advance(minutes=1)
    assert _state(db, "Ann", frozen.t) == "Wrap-up"
    frozen.advance(minutes=10)
    assert _state(db, "Ann", frozen.t) == "Idle"
    frozen.advance(minutes=20)
    assert _state(db, "Ann", frozen.t) == "Away 31 min"
    frozen.advance(minutes=40)
    assert _state(db, "Ann", frozen.t) == "Signed out"
    phone_states.set_state(db, "Bo", phone_states.ON_CALL, lead_id)
    frozen.advance(seconds=65)
    assert _state(db, "Bo", frozen.t) == "On a call 1:05"  # the phone says it best


def test_no_ghost_on_lead_now(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    add_user(db, "Ann", "rep")
    lead_id = make_lead(db)
    claim_lead(db, lead_id, "Ann")
    row = next(r for r in floor_snapshot(db, frozen.t).reps if r.name == "Ann")
    assert row.current_lead_id == lead_id and row.state.code == "idle"
    with db.session() as s:  # turned over meanwhile: not on anybody's screen any more
        s.execute(update(Lead).where(Lead.id == lead_id).values(designation="turned_over"))
    row = next(r for r in floor_snapshot(db, frozen.t).reps if r.name == "Ann")
    assert row.current_lead_id is None
    with db.session() as s:
        s.execute(update(Lead).where(Lead.id == lead_id).values(designation="warm"))
    frozen.advance(minutes=60)  # the lease lapsed: no ghost either
    row = next(r for r in floor_snapshot(db, frozen.t).reps if r.name == "Ann")
    assert row.current_lead_id is None
