"""Mautic's own webhook payloads (tests/data/mautic, from Mautic's repository) through
the real receiver: signature over the raw bytes (PHP's ``\\/``), a form submit, a
batched delivery of several event types, a contact id that finds its lead again, and
the team's rules turning page hits and email opens into hand raises."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import HandRaise, IntakeContact, Lead, LeadActivity
from qualdesk.services import team_settings
from qualdesk.services.intake.live.activity import lead_activity
from qualdesk.services.intake.live.mautic import php_json
from qualdesk.services.intake.live.sources import add_source
from tests.intake_server import Receiver, mautic_headers, sample

SECRET = "mautic-shows-this-secret-0123456789"


@pytest.fixture
def receiver(db_url: str) -> Iterator[Receiver]:
    with Receiver(db_url) as r:
        yield r


def _item(raw: bytes, timestamp: str) -> bytes:
    """A sample payload as Mautic queues it: the payload plus its ``timestamp``."""
    raw = raw.strip()
    return raw[:-1] + b',"timestamp":"' + timestamp.encode() + b'"}'


def _envelope(**types: list[bytes]) -> bytes:
    """Mautic's delivery body, built from raw bytes (never re-encoded)."""
    parts = [b'"mautic.' + name.encode() + b'":[' + b",".join(items) + b"]"
             for name, items in types.items()]
    return b"{" + b",".join(parts) + b"}"


FORM = _item(sample("form_on_submit"), "2015-08-26T01:30:35+00:00")
HIT = _item(sample("page_on_hit"), "2015-08-26T01:32:40+00:00")
OPEN = _item(sample("email_on_open"), "2015-08-26T01:35:54+00:00")
POINTS = sample("lead_points_change").strip()[1:-1]  # already one queued item


def test_the_signature_is_over_the_raw_bytes_php_escapes_and_all(db: Database,
                                                                 receiver: Receiver) -> None:
    add_source(db, "mautic", "mautic", secret=SECRET, hand_raise="demo request")
    body = _envelope(form_on_submit=[FORM])
    assert b"\\/" in body  # PHP's escaped slashes, as Mautic signs them
    reencoded = json.dumps(json.loads(body)).encode()
    assert reencoded != body
    r = httpx.post(receiver.url("mautic"), content=reencoded,
                   headers=mautic_headers(SECRET, body))
    assert r.status_code == 401
    assert php_json(json.loads(body)) == body  # our PHP-style encoder matches Mautic's
    r = httpx.post(receiver.url("mautic"), content=body, headers=mautic_headers(SECRET, body))
    assert r.status_code == 200, r.text
    with db.session(write=False) as s:
        lead = s.scalars(select(Lead)).one()
        assert lead.email == "email@formsubmit.com" and lead.designation == "warm"
        hr = s.scalars(select(HandRaise)).one()
        assert hr.kind == "demo_request" and hr.source == "mautic"
        assert hr.raised_at.isoformat() == "2015-08-26T01:30:34+00:00"
        assert "leadpoints" not in (hr.details or "") and "lead points" in (hr.details or "")
        contact = s.scalars(select(IntakeContact)).one()
        assert (contact.external_id, contact.lead_id) == ("26", lead.id)


def test_a_batched_delivery_of_several_types_and_a_contact_id_seen_before(
        db: Database, receiver: Receiver) -> None:
    add_source(db, "mautic", "mautic", secret=SECRET)
    first = _envelope(form_on_submit=[FORM])
    assert httpx.post(receiver.url("mautic"), content=first,
                      headers=mautic_headers(SECRET, first)).status_code == 200
    # The page hit's contact 26 without any email: found again by its Mautic id.
    anonymous_hit = HIT.replace(b'"value":"email@formsubmit.com"', b'"value":null')
    assert b"formsubmit" not in anonymous_hit
    batch = _envelope(page_on_hit=[anonymous_hit], email_on_open=[OPEN],
                      lead_points_change=[POINTS])
    r = httpx.post(receiver.url("mautic"), content=batch, headers=mautic_headers(SECRET, batch))
    assert r.status_code == 200, r.text
    assert r.json()["events"] == 3
    with db.session(write=False) as s:
        leads = {lead.email: lead for lead in s.scalars(select(Lead))}
        assert set(leads) == {"email@formsubmit.com", "john@doe.name"}
        ann = leads["email@formsubmit.com"]
        kinds = sorted(a.kind for a in s.scalars(
            select(LeadActivity).where(LeadActivity.lead_id == ann.id)))
        assert kinds == ["email_open", "form_submit", "page_hit"]
        john = leads["john@doe.name"]
        assert (john.first_name, john.last_name, john.company) == ("John", "Doe", "Mautic")
        assert john.designation == "cold"  # points alone are activity, not a hand raise
        assert len(s.scalars(select(HandRaise)).all()) == 1
    timeline = lead_activity(db, ann.id)
    assert timeline[0].kind == "email_open"  # newest first
    assert timeline[-1].kind == "form_submit" and timeline[-1].raised_hand
    # The same batch again (Mautic retrying): nothing more.
    again = httpx.post(receiver.url("mautic"), content=batch,
                       headers=mautic_headers(SECRET, batch))
    assert again.json()["duplicate"] is True


def test_page_hit_on_a_key_page_and_three_opens_in_seven_days(db: Database,
                                                              receiver: Receiver) -> None:
    team_settings.set_values(db, {"intake.key_pages": "*/pagehit",
                                  "intake.opens_count": "3", "intake.opens_days": "7"})
    add_source(db, "mautic", "mautic", secret=SECRET)
    body = _envelope(page_on_hit=[HIT])
    r = httpx.post(receiver.url("mautic"), content=body, headers=mautic_headers(SECRET, body))
    assert r.status_code == 200 and len(r.json()["hand_raises"]) == 1, r.text
    opened = []
    for day in ("2015-08-26", "2015-08-28", "2015-09-01"):
        item = OPEN.replace(b'"dateRead":"2015-08-26T01:35:53+00:00"',
                            b'"dateRead":"' + day.encode() + b'T09:00:00+00:00"')
        body = _envelope(email_on_open=[item])
        r = httpx.post(receiver.url("mautic"), content=body,
                       headers=mautic_headers(SECRET, body))
        assert r.status_code == 200, r.text
        opened.append(len(r.json()["hand_raises"]))
    assert opened == [0, 0, 1]
    with db.session(write=False) as s:
        kinds = sorted(h.kind for h in s.scalars(select(HandRaise)))
        assert kinds == ["email_opens", "page_visits"]
        lead_ids = {h.lead_id for h in s.scalars(select(HandRaise))}
    assert len(lead_ids) == 1  # contact 26 throughout
    timeline = lead_activity(db, lead_ids.pop())
    rules = [a.raised_hand for a in timeline if a.raised_hand]
    assert rules == ["3 email opens in 7 days", "key page */pagehit"]


def test_a_malformed_mautic_event_is_refused_naming_it(db: Database, receiver: Receiver) -> None:
    add_source(db, "mautic", "mautic", secret=SECRET)
    body = _envelope(form_on_submit=[FORM, b'{"submission":"oops"}'])
    r = httpx.post(receiver.url("mautic"), content=body, headers=mautic_headers(SECRET, body))
    assert r.status_code == 400 and "mautic.form_on_submit[1]" in r.json()["error"]
    with db.session(write=False) as s:
        assert s.scalars(select(Lead)).first() is None
