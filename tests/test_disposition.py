"""One home for a disposition: the lead panel, ``log-call`` and the outbox replay all log a
call with its note through ``calls.log_disposition``, in one transaction (#17)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, AuditEntry, HandRaise, Lead, Note
from qualdesk.errors import NotAllowed
from qualdesk.offline.outbox import Outbox
from qualdesk.offline.replay import replay
from qualdesk.services import notes as notes_svc
from qualdesk.services.turnover import turn_over
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from tests.factories import make_lead


def _people(db: Database) -> None:
    add_user(db, "ana", "rep", email="ana@example.com")
    add_user(db, "bob", "rep", email="bob@example.com")
    add_user(db, "sam", "sales", email="sam@example.com")


def _note_audits(db: Database, lead: int) -> list[tuple[str | None, str | None]]:
    with db.session(write=False) as s:
        return [(e.old, e.new) for e in s.scalars(select(AuditEntry).where(
            AuditEntry.lead_id == lead, AuditEntry.action == "note").order_by(AuditEntry.id))]


def test_replayed_call_keeps_the_notes_audit(db: Database, frozen, tmp_path: Path) -> None:
    """A call logged offline replays through the same use case: its note is audited like a
    note typed online (the replay used to write the note row directly)."""
    _people(db)
    lead = make_lead(db)
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.add("log_call", {"lead_id": lead, "rep": "ana", "disposition": "connected",
                         "notes": "wants a demo", "started_at": frozen.t.isoformat(),
                         "queued_at": frozen.t.isoformat()}, "k1")
    [o] = replay(db, box)
    assert o.status == "applied", o.message
    assert _note_audits(db, lead) == [(None, "wants a demo")]
    with db.session(write=False) as s:
        note = s.scalar(select(Note).where(Note.lead_id == lead))
        assert note is not None and note.attempt_id == o.attempt_id


def test_a_call_never_commits_without_its_note(db: Database, frozen) -> None:
    """The lead panel's path: a note that cannot be saved refuses the call too (it used to
    commit the call in one transaction and fail the note in the next)."""
    from ui.lead_panel import log_disposition

    _people(db)
    lead = make_lead(db)
    bobs = notes_svc.upsert_note(db, lead, "bob", "bob's own note").note_id
    with pytest.raises(NotAllowed):
        log_disposition(db, None, lead, "ana", "connected", frozen.t, "typed by ana", bobs, None)
    with db.session(write=False) as s:
        assert s.scalar(select(Attempt.id).where(Attempt.lead_id == lead)) is None


def test_the_typed_note_becomes_the_calls_note(db: Database, frozen) -> None:
    from ui.lead_panel import log_disposition

    _people(db)
    lead = make_lead(db)
    nid = notes_svc.upsert_note(db, lead, "ana", "draft").note_id
    log_disposition(db, None, lead, "ana", "no_answer", frozen.t, "rang out", nid, None)
    with db.session(write=False) as s:
        notes = list(s.scalars(select(Note).where(Note.lead_id == lead)))
        attempt = s.scalar(select(Attempt).where(Attempt.lead_id == lead))
        assert attempt is not None and attempt.notes == "rang out"
        assert [(n.id, n.body, n.attempt_id) for n in notes] == [(nid, "rang out", attempt.id)]


def test_cli_log_call_audits_its_note(db_url: str, frozen) -> None:
    db = Database(db_url)
    _people(db)
    lead = make_lead(db)
    r = run(db_url, "log-call", str(lead), "--rep", "ana", "--disposition", "busy",
            "--notes", "line busy", "--json")
    assert r.code == 0, r.err
    assert _note_audits(db, lead) == [(None, "line busy")]


def test_a_call_made_before_the_turn_over_can_still_be_logged(db: Database, frozen) -> None:
    """Trap 2: the rep turns the lead over while on the call (or just after it); the call is
    still logged, counts as the hand raise's first touch, and the lead stays turned over."""
    from ui.lead_panel import log_disposition

    _people(db)
    lead = make_lead(db)
    started = frozen.t
    frozen.advance(minutes=4)
    turn_over(db, lead, "sam", by="ana", override="ready to buy")
    frozen.advance(minutes=1)
    log_disposition(db, None, lead, "ana", "connected", started, "budget agreed", None, None)
    with db.session(write=False) as s:
        attempt = s.scalar(select(Attempt).where(Attempt.lead_id == lead))
        assert attempt is not None and attempt.disposition == "connected"
        assert attempt.started_at.replace(tzinfo=None) == started.replace(tzinfo=None)
        hr = s.scalar(select(HandRaise).where(HandRaise.lead_id == lead))
        assert hr is not None and hr.first_call_at is not None
        row = s.get(Lead, lead)
        assert row is not None and row.designation == "turned_over"


def test_a_new_call_on_a_lead_closed_long_ago_is_refused(db: Database, frozen) -> None:
    from qualdesk.services.calls import log_disposition

    _people(db)
    lead = make_lead(db)
    turn_over(db, lead, "sam", by="ana", override="ready to buy")
    frozen.advance(hours=2)
    with pytest.raises(NotAllowed, match="turned over"):
        log_disposition(db, lead, "ana", "connected", started_at=frozen.t - timedelta(minutes=1))


def test_a_call_disposition_on_a_lead_without_phone_is_refused(db: Database, frozen) -> None:
    """Trap 6: no number, no call; a wrong number (or a do-not-call request) still logs."""
    from qualdesk.services.calls import log_disposition

    _people(db)
    lead = make_lead(db, phone=None)
    with pytest.raises(NotAllowed, match="no valid phone"):
        log_disposition(db, lead, "ana", "connected")
    assert log_disposition(db, lead, "ana", "wrong_number").disposition == "wrong_number"


def test_ending_claims_keeps_ownership_and_spares_others(db: Database, frozen) -> None:
    """Leaving a lead (or quitting) ends only the rep's own claims; a lead the rep owns
    stays theirs (a claim is a lease, not a hand-back)."""
    from qualdesk.services.claims import end_claims
    from qualdesk.services.queue import claim_lead

    _people(db)
    mine, theirs = make_lead(db), make_lead(db, email="kim@acme.test")
    claim_lead(db, mine, "ana")
    claim_lead(db, theirs, "bob")
    with db.session() as s:
        row = s.get(Lead, mine)
        assert row is not None
        ana_id = row.claimed_by_id
        row.owner_id = ana_id
    assert end_claims(db, "ana").leads == (mine,)
    with db.session(write=False) as s:
        a, b = s.get(Lead, mine), s.get(Lead, theirs)
        assert a is not None and b is not None
        assert a.claimed_by_id is None and a.owner_id == ana_id
        assert b.claimed_by_id is not None
    assert end_claims(db, "ana").leads == ()


def test_a_dead_number_gets_the_email_only_follow_up(db: Database, frozen) -> None:
    """Trap 6: after a wrong number, F6 leaves no voicemail on it (the queue already says
    "no valid phone: email only")."""
    from qualdesk.services.calls import log_disposition
    from qualdesk.services.followup import preview, run_followup

    _people(db)
    lead = make_lead(db)
    assert not preview(db, lead, "ana").email_only
    log_disposition(db, lead, "ana", "wrong_number")
    frozen.advance(minutes=1)
    assert preview(db, lead, "ana").email_only
    r = run_followup(db, lead, "ana", send_now=False)
    assert r.attempt_id is None and r.followup_id is None
    with db.session(write=False) as s:
        assert list(s.scalars(select(Attempt.disposition).where(Attempt.lead_id == lead))) == \
            ["wrong_number"]
