"""Hostile and broken bodies, correctly signed (so the parsers, not the signature check,
meet them): the receiver answers each with a 4xx naming the problem, keeps no part of
any refused delivery, stays up, and keeps hostile text as plain data."""

from __future__ import annotations

import json
import random

import httpx
from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import HandRaise, IntakeDelivery, Lead, LeadActivity
from qualdesk.services.intake.live.sources import add_source, recent_refusals
from tests.intake_server import Receiver, json_headers, mautic_headers

GOOD = {"event_id": "g", "lead": {"first_name": "Ann", "email": "ann@example.com"},
        "hand_raise": {"kind": "contact_form", "at": "2026-11-23T10:00:00Z"}}


def _bodies() -> dict[str, bytes]:
    good = json.dumps(GOOD).encode()
    rnd = random.Random(16)
    return {
        "truncated": good[: len(good) // 2],
        "deeply nested": b'{"lead":' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        "nested objects": json.dumps({"event_id": "n", "lead": {"email": "n@example.com"},
                                      "activity": {"kind": "page_hit",
                                                   "details": _deep(40)}}).encode(),
        "latin-1": json.dumps(GOOD).replace("Ann", "Ren\u00e9e").encode("latin-1"),
        "utf-16": json.dumps(GOOD).encode("utf-16"),
        "random bytes": bytes(rnd.randrange(256) for _ in range(4096)),
        "NaN": b'{"event_id": "x", "lead": {"email": NaN}}',
        "a list of 501": json.dumps([dict(GOOD, event_id=str(i)) for i in range(501)]).encode(),
        "lead is text": json.dumps({"event_id": "t", "lead": "ann@example.com"}).encode(),
        "nested lead field": json.dumps({"lead": {"email": {"$ne": ""}}}).encode(),
        "bad date": json.dumps(dict(GOOD, hand_raise={"at": "yesterday"})).encode(),
        "empty": b"",
        "empty list": b"[]",
        "huge field": json.dumps({"event_id": "h", "lead": {
            "email": "h@example.com", "first_name": "x" * 900_000}}).encode(),
        "one bad in a batch": json.dumps([GOOD, {"lead": {"email": "bad"}}]).encode(),
    }


def _deep(n: int) -> dict:
    d: dict = {}
    for _ in range(n):
        d = {"x": d}
    return d


def _count(db: Database, model: object) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)))  # type: ignore[arg-type]


def test_broken_and_hostile_bodies_keep_nothing_and_the_receiver_stays_up(db_url: str) -> None:
    db = Database(db_url)
    try:
        secret = add_source(db, "api", "json").secret
        mautic_secret = add_source(db, "mautic", "mautic").secret
        assert secret and mautic_secret
        with Receiver(db_url) as rcv:
            for what, body in _bodies().items():
                r = httpx.post(rcv.url("api"), content=body, headers=json_headers(secret, body))
                assert r.status_code in (400, 413), (what, r.status_code, r.text[:200])
                assert r.json()["error"], what
                r = httpx.post(rcv.url("mautic"), content=body,
                               headers=mautic_headers(mautic_secret, body))
                # Mautic's unknown event types are acknowledged and ignored (it sends
                # types we do not use): a 200 that keeps no event.
                assert 400 <= r.status_code < 500 or (r.status_code == 200 and
                                                       r.json()["events"] == 0), (what, r.text)
            with db.session(write=False) as s:
                kept = s.scalars(select(IntakeDelivery.events)).all()
            assert sum(kept) == 0 and len(kept) <= 1 and _count(db, Lead) == 0
            assert _count(db, HandRaise) == 0 and _count(db, LeadActivity) == 0
            # Hostile text in a valid event is data: kept as typed, never interpreted.
            hostile = {"event_id": "evil", "lead": {
                "first_name": "=HYPERLINK(\"http://evil.example\",\"x\")",
                "last_name": "<script>alert(1)</script>", "company": "@SUM(1+1)*cmd|' /C calc'!A0",
                "email": "mallory@example.com"},
                "hand_raise": {"kind": "<b>demo</b>", "details": "<img src=x onerror=alert(1)>"}}
            body = json.dumps(hostile).encode()
            r = httpx.post(rcv.url("api"), content=body, headers=json_headers(secret, body))
            assert r.status_code == 200, r.text
            with db.session(write=False) as s:
                lead = s.scalars(select(Lead)).one()
                assert lead.first_name == hostile["lead"]["first_name"]
                assert lead.last_name == "<script>alert(1)</script>"
                assert s.scalars(select(HandRaise.kind)).one() == "<b>demo</b>"
            assert httpx.get(rcv.base + "/healthz").status_code == 200
            assert rcv.alive
        excerpts = [r.excerpt or "" for r in recent_refusals(db, "api", limit=100)]
        assert excerpts and all(len(e) <= 300 for e in excerpts)
        assert all(ch.isprintable() or ch in " \n\t" for e in excerpts for ch in e)
    finally:
        db.dispose()
