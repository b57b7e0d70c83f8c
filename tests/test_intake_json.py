"""The real receiver, our signed json format, on both engines: the event lands once;
replays, repeated event ids, clock skew and bad signatures add nothing; 404/413/415/429."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import HandRaise, IntakeDelivery, Lead, LeadActivity
from qualdesk.services import team_settings
from qualdesk.services.intake.live.activity import lead_activity
from qualdesk.services.intake.live.sources import add_source, list_sources, recent_refusals
from qualdesk.services.queue_rows import queue_rows
from tests.cli_helpers import run
from tests.intake_server import Receiver, json_headers


@pytest.fixture
def receiver(db_url: str) -> Iterator[Receiver]:
    with Receiver(db_url) as r:
        yield r


def _event(event_id: str, email: str = "ann@example.com", **extra: object) -> dict:
    return {"event_id": event_id,
            "lead": {"First Name": "Ann", "Last Name": "Lee", "Company": "Acme",
                     "Email": email, "Phone": "+1 415 555 0100"},
            "hand_raise": {"kind": "demo request", "at": "2026-11-23T14:05:00-05:00",
                           "details": {"form": "demo"}}, **extra}


def _count(db: Database, model: object) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)))  # type: ignore[arg-type]


def test_a_signed_event_lands_once_and_reaches_the_queue(db: Database,
                                                         receiver: Receiver) -> None:
    secret = add_source(db, "hubspot", "json", campaign="Webinar").secret
    assert secret
    body = json.dumps(_event("hs-1")).encode()
    r = httpx.post(receiver.url("hubspot"), content=body, headers=json_headers(secret, body))
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["events"] == 1 and len(answer["hand_raises"]) == 1
    lead_id = answer["leads"][0]
    # The same body again (a sender's retry): nothing new.
    again = httpx.post(receiver.url("hubspot"), content=body, headers=json_headers(secret, body))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    # The same event_id in another body (re-signed, re-sent later): nothing new either.
    other = json.dumps(_event("hs-1", email="someone@else.example")).encode()
    r3 = httpx.post(receiver.url("hubspot"), content=other, headers=json_headers(secret, other))
    assert r3.status_code == 200 and r3.json()["repeated_events"] == 1
    assert _count(db, Lead) == 1 and _count(db, HandRaise) == 1
    with db.session(write=False) as s:
        lead = s.get(Lead, lead_id)
        assert lead is not None and lead.email == "ann@example.com"
        assert lead.phone == "+14155550100" and lead.designation == "warm"
        assert lead.campaign.name == "Webinar"
        hr = s.scalars(select(HandRaise)).one()
        assert hr.kind == "demo_request" and hr.source == "hubspot"
        assert hr.raised_at.isoformat() == "2026-11-23T19:05:00+00:00"
    rows = queue_rows(db, None)
    assert lead_id in [row.lead_id for row in rows.rows]
    status = {s.name: s for s in list_sources(db)}["hubspot"]
    assert status.events_today == 1 and status.last_event_at is not None
    assert status.path == "/intake/hubspot"
    timeline = run(db.url, "activity", str(lead_id), "--json").json()
    assert timeline[0]["kind"] == "hand_raise" and timeline[0]["source"] == "hubspot"
    assert set(timeline[0]) >= {"kind", "at", "source", "details"}


def test_signature_refusals_are_401_and_kept_with_their_reason(db: Database,
                                                               receiver: Receiver) -> None:
    secret = add_source(db, "zap", "json").secret
    assert secret
    body = json.dumps(_event("z-1")).encode()
    url = receiver.url("zap")
    cases = {
        "missing": {"Content-Type": "application/json"},
        "wrong": json_headers("another-secret-entirely", body),
        "skewed": json_headers(secret, body, t=int(time.time()) - 301),
        "garbled": {"Content-Type": "application/json", "X-QualDesk-Signature": "v1=zz"},
    }
    for why, headers in cases.items():
        r = httpx.post(url, content=body, headers=headers)
        assert r.status_code == 401, (why, r.text)
        assert "error" in r.json()
    # The body re-encoded (spaces changed) under the original signature: refused.
    headers = json_headers(secret, body)
    respaced = json.dumps(_event("z-1"), indent=1).encode()
    assert httpx.post(url, content=respaced, headers=headers).status_code == 401
    # Within the skew, accepted.
    ok = httpx.post(url, content=body, headers=json_headers(secret, body,
                                                           t=int(time.time()) - 250))
    assert ok.status_code == 200, ok.text
    refusals = recent_refusals(db, "zap")
    assert len(refusals) == 5 and all(r.status == 401 for r in refusals)
    assert any("clock" in r.reason for r in refusals)
    assert all(secret not in (r.reason + (r.excerpt or "")) for r in refusals)
    status = {s.name: s for s in list_sources(db)}["zap"]
    assert status.refused_today == 5 and status.last_refusal_reason


def test_a_bad_event_refuses_the_whole_delivery_naming_it(db: Database,
                                                          receiver: Receiver) -> None:
    secret = add_source(db, "batch", "json").secret
    assert secret
    good = _event("b-1")
    bad = _event("b-2", email="not-an-email")
    body = json.dumps([good, bad]).encode()
    r = httpx.post(receiver.url("batch"), content=body, headers=json_headers(secret, body))
    assert r.status_code == 400
    assert "event 2 (event_id b-2)" in r.json()["error"] and "not-an-email" in r.json()["error"]
    assert _count(db, Lead) == 0 and _count(db, IntakeDelivery) == 0
    # Fixed and re-sent, both land; the event ids of the refused delivery were not kept.
    body = json.dumps([good, _event("b-2", email="bob@example.com")]).encode()
    r = httpx.post(receiver.url("batch"), content=body, headers=json_headers(secret, body))
    assert r.status_code == 200 and r.json()["events"] == 2
    assert _count(db, Lead) == 2


def test_unknown_source_big_body_wrong_type_and_rate(db: Database, receiver: Receiver) -> None:
    secret = add_source(db, "slow", "json", rate_per_minute=3).secret
    assert secret
    r = httpx.post(receiver.url("nobody"), content=b"{}",
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 404 and "nobody" in r.json()["error"]
    assert recent_refusals(db, "nobody")[0].status == 404
    r = httpx.post(receiver.url("slow"), content=b"a=1",
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    huge = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'
    r = httpx.post(receiver.url("slow"), content=huge, headers=json_headers(secret, huge))
    assert r.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        for _ in range(40):
            yield b"x" * 32768

    r = httpx.post(receiver.url("slow"), content=chunks(),
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    statuses = []
    for i in range(4):
        body = json.dumps(_event(f"r-{i}", email=f"r{i}@example.com")).encode()
        statuses.append(httpx.post(receiver.url("slow"), content=body,
                                   headers=json_headers(secret, body)).status_code)
    # Three a minute (refusals before the rate check, 404/415/413, do not count).
    assert statuses == [200, 200, 200, 429]
    assert {r.status for r in recent_refusals(db, "slow")} >= {413, 415, 429}
    assert receiver.alive
    t0 = time.monotonic()
    # SIGTERM: uvicorn finishes, then re-raises the signal it caught (not a kill after
    # the 15 s grace, which would be -9).
    assert receiver.stop() in (0, -15) and time.monotonic() - t0 < 10


def test_activity_on_a_key_page_raises_a_hand_that_says_which_rule(db: Database,
                                                                   receiver: Receiver) -> None:
    team_settings.set_value(db, "intake.key_pages", "/pricing*")
    secret = add_source(db, "site", "json").secret
    assert secret
    events = [
        {"event_id": "a-1", "lead": {"email": "cara@example.com", "first_name": "Cara"},
         "activity": {"kind": "page_hit", "at": "2026-11-23T10:00:00Z",
                      "details": {"url": "https://example.com/blog"}}},
        {"event_id": "a-2", "lead": {"email": "CARA@example.com"},
         "activity": {"kind": "page_hit", "at": "2026-11-23T10:01:00Z",
                      "details": {"url": "https://example.com/pricing/teams"}}},
    ]
    body = json.dumps(events).encode()
    r = httpx.post(receiver.url("site"), content=body, headers=json_headers(secret, body))
    assert r.status_code == 200, r.text
    assert len(r.json()["hand_raises"]) == 1 and len(set(r.json()["leads"])) == 1
    lead_id = r.json()["leads"][0]
    with db.session(write=False) as s:
        hr = s.scalars(select(HandRaise)).one()
        assert hr.kind == "page_visits" and hr.lead_id == lead_id
        assert _count(db, LeadActivity) == 2
    timeline = lead_activity(db, lead_id)
    assert [a.details.get("url") for a in timeline] == ["https://example.com/pricing/teams",
                                                        "https://example.com/blog"]
    assert timeline[0].raised_hand == "key page /pricing*"
    assert timeline[0].hand_raise == "page_visits" and timeline[1].raised_hand is None
