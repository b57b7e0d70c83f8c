"""The intake page's test event proves a path; it is not a lead anyone follows up. Its
hand raise is marked as a test when it is written, the reports leave it (and its test
lead) out, and on PostgreSQL nobody can later call a real hand raise a test."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select, text, update

from qualdesk.db.engine import Database
from qualdesk.db.models import HandRaise, Lead
from qualdesk.errors import NotAllowed
from qualdesk.services.intake.live.sources import (
    add_source,
    issue_test_token,
    test_email,
    test_event_body,
)
from qualdesk.services.reports import run_report
from qualdesk.services.reports.funnel import conversion
from qualdesk.services.reports.periods import make_period
from tests.conftest import drop_pg, new_pg_url
from tests.intake_server import Receiver, json_headers


@pytest.fixture
def receiver(db_url: str) -> Iterator[Receiver]:
    with Receiver(db_url) as r:
        yield r


def _real_event() -> bytes:
    return json.dumps({"event_id": "real-1",
                       "lead": {"first_name": "Ann", "last_name": "Lee", "company": "Acme",
                                "email": "ann@example.com", "phone": "+1 415 555 0100"},
                       "hand_raise": {"kind": "demo request",
                                      "at": "2026-11-23T14:05:00-05:00"}}).encode()


def _post_test_event(receiver: Receiver, db: Database) -> None:
    r = httpx.post(receiver.url("src"), content=test_event_body("src"),
                   headers={"Content-Type": "application/json",
                            "X-QualDesk-Test": issue_test_token(db, "src")})
    assert r.status_code == 200, r.text


def test_a_test_event_is_marked_and_left_out_of_the_reports(db: Database,
                                                            receiver: Receiver) -> None:
    secret = add_source(db, "src", "json").secret
    assert secret
    body = _real_event()
    r = httpx.post(receiver.url("src"), content=body, headers=json_headers(secret, body))
    assert r.status_code == 200, r.text
    _post_test_event(receiver, db)
    _post_test_event(receiver, db)  # the next test warms the same test lead again
    with db.session(write=False) as s:
        marks = dict(s.execute(select(Lead.email, HandRaise.is_test)
                               .join(Lead, Lead.id == HandRaise.lead_id)).all())
        n_test = len(s.scalars(select(HandRaise.id).where(HandRaise.is_test)).all())
    assert marks == {"ann@example.com": False, test_email("src"): True} and n_test == 2

    period = make_period(db, "2026-01-01", "2027-12-31", "UTC")
    sla = run_report(db, "sla", period)
    (row,) = sla.tables[0].as_dicts()
    assert row["hand_raises"] == 1  # Ann's only: the two tests are nobody's breach
    funnel = run_report(db, "funnel", period)
    assert sum(r["hand_raises"] for r in funnel.data["monthly"]) == 1
    assert sum(r["hand_raises"] for r in funnel.data["campaigns"]) == 1
    with db.session(write=False) as s:
        stages = {r["stage"]: r["leads"] for r in conversion(s, period)}
    assert stages["cold"] == 1  # the test lead is no new lead of the cohort
    loop = run_report(db, "closed-loop", period)
    assert sum(r.get("hand_raises", 0) for t in loop.tables for r in t.as_dicts()) >= 1
    assert all(r.get("hand_raises", 0) <= 1 for t in loop.tables for r in t.as_dicts())


def test_whether_a_hand_raise_was_a_test_cannot_change_later(pg_template: str) -> None:
    """On PostgreSQL (the team's database; SQLite is one machine without logins)."""
    url = new_pg_url(pg_template)
    db = Database(url)
    try:
        with Receiver(url) as receiver:
            _forge_nothing(db, receiver)
    finally:
        db.dispose()
        drop_pg(url)


def _forge_nothing(db: Database, receiver: Receiver) -> None:
    secret = add_source(db, "src", "json").secret
    assert secret
    body = _real_event()
    assert httpx.post(receiver.url("src"), content=body,
                      headers=json_headers(secret, body)).status_code == 200
    _post_test_event(receiver, db)
    for hide in (True, False):  # hide a real breach, or turn the test into a real one
        with pytest.raises(NotAllowed, match="fixed when it is written"), db.session() as s:
            s.execute(update(HandRaise).where(HandRaise.is_test.is_(not hide))
                      .values(is_test=hide))
    with db.session() as s:  # the rest of the row stays the services' to keep
        s.execute(text("UPDATE hand_raises SET first_email_at = raised_at"))
