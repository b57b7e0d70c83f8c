"""Queue, claim and call on both engines, through the command line contract."""

from __future__ import annotations

import threading
from datetime import timedelta

from qualdesk.db.engine import Database
from qualdesk.services import queue as q
from qualdesk.services.calls import log_call
from tests.cli_helpers import run
from tests.conftest import FrozenClock
from tests.factories import make_lead


def _team(db_url: str) -> None:
    for name in ("Ann", "Bob"):
        assert run(db_url, "user", "add", name, "--role", "rep", "--email", f"{name}@x.test").code == 0


def test_queue_order_claim_and_log_call(db: Database, db_url: str, frozen: FrozenClock) -> None:
    _team(db_url)
    now = frozen.t
    old = make_lead(db, email="a@x.test", raised_at=now - timedelta(minutes=90))
    near = make_lead(db, email="b@x.test", raised_at=now - timedelta(minutes=50))
    fresh = make_lead(db, email="c@x.test", raised_at=now - timedelta(minutes=5))

    r = run(db_url, "queue", "--rep", "Ann", "--json")
    assert r.code == 0, r.err
    rows = r.json()
    assert [x["lead"] for x in rows] == [near, fresh, old]
    assert rows[0]["deadline"] == (now + timedelta(minutes=10)).isoformat()
    assert rows[0]["reason"] == "contact form, 10 min left on the clock"

    c = run(db_url, "claim-next", "--rep", "Ann", "--json").json()
    assert c["lead"] == near
    assert c["lease_expires_at"] == (now + timedelta(minutes=15)).isoformat()
    # Bob is offered the next one, never Ann's.
    assert run(db_url, "claim-next", "--rep", "Bob", "--json").json()["lead"] == fresh

    r = run(db_url, "log-call", str(near), "--rep", "Ann", "--disposition", "No Answer",
            "--notes", "rang out", "--json")
    assert r.code == 0, r.err
    assert r.json()["disposition"] == "no_answer"
    # Recycle delay holds it back; Ann's own lead stays hers, Bob doesn't see it.
    held = run(db_url, "queue", "--rep", "Ann", "--held", "--json").json()
    assert {"lead": near, "reason": "recycle delay: next attempt from 15:10 UTC"} in held["held"]
    assert near not in [x["lead"] for x in run(db_url, "queue", "--rep", "Bob", "--json").json()]


def test_bad_disposition_and_unknown_rep_are_one_line_errors(db: Database, db_url: str) -> None:
    _team(db_url)
    lead = make_lead(db)
    r = run(db_url, "log-call", str(lead), "--rep", "Ann", "--disposition", "maybe")
    assert r.code == 1 and "unknown disposition 'maybe'" in r.err and r.out == ""
    r = run(db_url, "claim-next", "--rep", "Zed", "--json")
    assert r.code == 1 and "no user named 'Zed'" in r.err


def test_dnc_request_closes_the_lead(db: Database, db_url: str) -> None:
    _team(db_url)
    lead = make_lead(db)
    assert run(db_url, "log-call", str(lead), "--rep", "Ann", "--disposition", "dnc request").code == 0
    leads = run(db_url, "leads", "--json").json()
    assert leads[0]["designation"] == "do_not_call" and leads[0]["do_not_call"] is True
    r = run(db_url, "designate", str(lead), "warm")
    assert r.code == 1 and "a do not call lead cannot become warm" in r.err


def test_two_reps_pressing_next_at_the_same_instant_never_share_a_lead(
    db_url: str, frozen: FrozenClock
) -> None:
    db = Database(db_url)
    _team(db_url)
    ids = [make_lead(db, email=f"l{i}@x.test") for i in range(6)]
    got: dict[str, list[int | None]] = {"Ann": [], "Bob": []}
    barrier = threading.Barrier(2)

    def worker(rep: str) -> None:
        mine = Database(db_url)
        for _ in range(3):
            barrier.wait()
            lead = q.claim_next(mine, rep).lead_id
            got[rep].append(lead)
            if lead is not None:  # dispose, so the next press moves on to another lead
                log_call(mine, lead, rep, "no_answer")
        mine.dispose()

    ts = [threading.Thread(target=worker, args=(r,)) for r in got]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    ann, bob = got["Ann"], got["Bob"]
    assert None not in ann + bob
    assert len(set(ann)) == 3 and len(set(bob)) == 3
    assert not set(ann) & set(bob)
    assert set(ann) | set(bob) <= set(ids)
    db.dispose()


def test_due_callback_heads_the_queue_until_a_call_keeps_it(
    db: Database, db_url: str, frozen: FrozenClock
) -> None:
    _team(db_url)
    now = frozen.t
    fresh = make_lead(db, email="f@x.test", raised_at=now - timedelta(minutes=5))
    promised = make_lead(db, email="p@x.test", kind=None)
    due = (now + timedelta(minutes=30)).isoformat()
    assert run(db_url, "callback", str(promised), "--rep", "Ann", "--at", due).code == 0
    # An old call (imported history from last week) must not close today's promise.
    assert run(db_url, "log-call", str(promised), "--rep", "Ann", "--disposition", "no_answer",
               "--at", (now - timedelta(days=7)).isoformat()).code == 0
    frozen.advance(minutes=31)
    order = [x["lead"] for x in run(db_url, "queue", "--rep", "Ann", "--json").json()]
    assert order == [promised, fresh]
    assert run(db_url, "log-call", str(promised), "--rep", "Ann", "--disposition", "connected").code == 0
    order = [x["lead"] for x in run(db_url, "queue", "--rep", "Ann", "--json").json()]
    assert order == [fresh]
