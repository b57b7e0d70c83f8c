"""A public web form (Salesforce Web-to-Lead field names) and the app's test event,
through the real receiver: retURL allow-list, honeypot, per-address rate, multipart;
one-use test tokens for every source kind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import HandRaise, IntakeTestToken, Lead
from qualdesk.services.intake.live.sources import (
    add_source,
    issue_test_token,
    recent_refusals,
    test_email,
    test_event_body,
)
from qualdesk.services.queue_rows import queue_rows
from tests.intake_server import Receiver

FORM = "application/x-www-form-urlencoded"
W2L = {"oid": "00D000000000062", "retURL": "https://www.example.com/thanks?from=demo",
       "first_name": "Dana", "last_name": "Ng", "email": "dana@example.org",
       "company": "Ng & Daughters", "title": "CFO", "phone": "(415) 555-0142",
       "description": "Please call me about pricing", "lead_source": "Web", "qd_hp": ""}


@pytest.fixture
def receiver(db_url: str) -> Iterator[Receiver]:
    with Receiver(db_url) as r:
        yield r


def test_a_web_to_lead_post_is_a_hand_raise_and_its_allowed_retURL_a_303(
        db: Database, receiver: Receiver) -> None:
    add_source(db, "site", "form", campaign="Website", hand_raise="demo_request",
               allowed_redirects=("https://www.example.com/thanks",))
    r = httpx.post(receiver.url("site"), data=W2L)
    assert r.status_code == 303 and r.headers["location"] == W2L["retURL"]
    with db.session(write=False) as s:
        lead = s.scalars(select(Lead)).one()
        assert (lead.first_name, lead.company, lead.title) == ("Dana", "Ng & Daughters", "CFO")
        assert lead.phone == "+14155550142" and lead.lead_source == "Web"
        assert lead.campaign.name == "Website"
        hr = s.scalars(select(HandRaise)).one()
        assert hr.kind == "demo_request" and "pricing" in (hr.details or "")
    assert [row.lead_id for row in queue_rows(db, None).rows] == [lead.id]
    # A retURL that is not on the list: a plain thank-you page, no redirect anywhere.
    evil = dict(W2L, retURL="https://evil.example.net/phish", email="eve@example.org")
    r = httpx.post(receiver.url("site"), data=evil)
    assert r.status_code == 200 and "Thank you" in r.text and "evil" not in r.text
    lookalike = dict(W2L, retURL="https://www.example.com.evil.net/thanks",
                     email="lou@example.org")
    assert httpx.post(receiver.url("site"), data=lookalike).status_code == 200


def test_multipart_honeypot_and_per_address_rate(db: Database, receiver: Receiver) -> None:
    add_source(db, "site", "form", rate_per_address=3)
    files = {k: (None, v) for k, v in W2L.items()}
    r = httpx.post(receiver.url("site"), files=files)
    assert r.status_code == 200, r.text
    bot = dict(W2L, email="bot@example.org", qd_hp="http://spam.example")
    r = httpx.post(receiver.url("site"), data=bot)
    assert r.status_code == 200  # the bot is thanked, and nothing is kept
    with db.session(write=False) as s:
        assert [lead.email for lead in s.scalars(select(Lead))] == ["dana@example.org"]
    third = httpx.post(receiver.url("site"), data=dict(W2L, email="x@example.org"))
    assert third.status_code == 200
    fourth = httpx.post(receiver.url("site"), data=dict(W2L, email="y@example.org"))
    assert fourth.status_code == 429 and "127.0.0.1" in fourth.json()["error"]
    reasons = {r.status: r.reason for r in recent_refusals(db, "site")}
    assert "honeypot" in reasons[200] and 429 in reasons
    r = httpx.post(receiver.url("site"), content=b'{"a": 1}',
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 415


@pytest.mark.parametrize("kind", ["form", "mautic", "json"])
def test_a_test_token_proves_the_path_once(db: Database, receiver: Receiver, kind: str) -> None:
    add_source(db, "src", kind)
    token = issue_test_token(db, "src")
    body = test_event_body("src")
    headers = {"Content-Type": "application/json", "X-QualDesk-Test": token}
    r = httpx.post(receiver.url("src"), content=body, headers=headers)
    assert r.status_code == 200, r.text
    with db.session(write=False) as s:
        lead = s.scalars(select(Lead)).one()
        assert lead.email == test_email("src")
    assert lead.id in [row.lead_id for row in queue_rows(db, None).rows]
    # The app's probe sends it with the kind's own content type: taken the same way.
    media = "application/x-www-form-urlencoded" if kind == "form" else "application/json"
    r = httpx.post(receiver.url("src"), content=test_event_body("src"),
                   headers={"Content-Type": media, "X-QualDesk-Test": issue_test_token(db, "src")})
    assert r.status_code == 200, r.text
    # Used once: a second post (another body) with the same token is refused.
    r = httpx.post(receiver.url("src"), content=test_event_body("src"), headers=headers)
    assert r.status_code == 401
    # The source kind's own body works too, and an expired token does not.
    own = test_event_body("src", kind)
    r = httpx.post(receiver.url("src"), content=own,
                   headers={"Content-Type": media, "X-QualDesk-Test": issue_test_token(db, "src")})
    assert r.status_code == 200, r.text
    late = issue_test_token(db, "src")
    with db.session() as s:
        s.execute(update(IntakeTestToken).values(expires_at=clock.now() - timedelta(seconds=1)))
    r = httpx.post(receiver.url("src"), content=test_event_body("src"),
                   headers={"Content-Type": "application/json", "X-QualDesk-Test": late})
    assert r.status_code == 401


def test_one_address_over_its_rate_does_not_shut_the_form_for_everyone(
        db: Database, receiver: Receiver) -> None:
    add_source(db, "site", "form", rate_per_minute=10, rate_per_address=3)

    def post_from(address: str, n: int) -> list[int]:
        with httpx.Client(transport=httpx.HTTPTransport(local_address=address)) as http:
            return [http.post(receiver.url("site"),
                              data=dict(W2L, email=f"v{i}@example.org")).status_code
                    for i in range(n)]

    assert post_from("127.0.0.3", 15) == [200] * 3 + [429] * 12  # a flood from one place
    assert post_from("127.0.0.4", 3) == [200] * 3  # the site's other visitors still get in
