"""A dead number stays dead — until it is corrected (issue 17).

A wrong or bad number ends the live attempts on that number: the lead is "no valid
phone: email only", its follow-up is the email alone, and the calling window no longer
holds it. Once the rep corrects the phone on the card (``lead edit``), the calls made to
the old number say nothing about the new one: the lead is callable again, in the
ranking, in PostgreSQL's server-side claim and for the follow-up, with the correction
and its effect in the audit. Both engines.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import AuditEntry, Lead
from qualdesk.services import team_settings
from qualdesk.services.calls import has_callable_number, log_disposition
from qualdesk.services.lead_edit import add_lead, edit_lead
from qualdesk.services.queue import claim_next, release, rep_queue
from qualdesk.services.users import add_user


def _entry(db: Database, lead: int):  # type: ignore[no-untyped-def]
    return next((e for e in rep_queue(db, "ana").entries if e.lead_id == lead), None)


def _callable(db: Database, lead: int) -> bool:
    with db.session(write=False) as s:
        row = s.get(Lead, lead)
        assert row is not None
        return has_callable_number(s, row)


def _setup(db: Database) -> int:
    add_user(db, "ana", "rep", email="ana@example.com")
    return add_lead(db, {"first_name": "Pat", "last_name": "Lee", "email": "pat@acme.test",
                         "phone": "+12125550199"}, rep="ana").lead_id


def test_a_corrected_number_is_callable_again(db: Database, frozen) -> None:
    lead = _setup(db)
    log_disposition(db, lead, "ana", "wrong_number", started_at=frozen.t,
                    ended_at=frozen.t + timedelta(seconds=20))
    frozen.advance(minutes=1)
    entry = _entry(db, lead)
    assert entry is not None and entry.reason.startswith("no valid phone: email only")
    assert not _callable(db, lead)

    # Editing something else changes nothing about the number.
    edit_lead(db, lead, {"title": "CTO"}, by="ana")
    assert not _callable(db, lead)

    edit_lead(db, lead, {"phone": "+1 212 555 0142"}, by="ana")
    assert _callable(db, lead)
    frozen.advance(minutes=120)  # past the campaign's recycle delay
    entry = _entry(db, lead)
    assert entry is not None and "no valid phone" not in entry.reason, entry.reason
    with db.session(write=False) as s:
        rows = [(a.field, a.old, a.new) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.lead_id == lead, AuditEntry.action == "edit")
            .order_by(AuditEntry.id))]
    assert ("phone", "+12125550199", "+12125550142") in rows
    assert ("callable", "no: a call found the number wrong or dead",
            "yes: the number was corrected") in rows

    # The new number found dead too: dead again, as a number should be.
    log_disposition(db, lead, "ana", "bad_number", started_at=frozen.t)
    frozen.advance(minutes=1)
    assert not _callable(db, lead)


def test_the_server_side_claim_follows_the_correction(db: Database, frozen) -> None:
    """A dead number's lead is an email to send, so the calling window does not hold it;
    a corrected one is a call again, held while the window is closed (PostgreSQL: the
    claim walks this in the server)."""
    lead = _setup(db)
    log_disposition(db, lead, "ana", "wrong_number", started_at=frozen.t)
    frozen.advance(minutes=120)
    team_settings.set_value(db, "calling.window_start", "22:00")  # closed at 10:00 NY
    team_settings.set_value(db, "calling.window_end", "23:00")
    assert claim_next(db, "ana").lead_id == lead  # email only: any time
    release(db, lead, "ana")
    edit_lead(db, lead, {"phone": "+12125550142"}, by="ana")
    assert claim_next(db, "ana").lead_id is None  # a call now: not before 22:00 their time
    team_settings.set_value(db, "calling.window_start", "08:00")
    team_settings.set_value(db, "calling.window_end", "21:00")
    assert claim_next(db, "ana").lead_id == lead
