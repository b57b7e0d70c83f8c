"""Stateless receivers: two at once on one source never keep a delivery twice, and a
PostgreSQL outage mid-burst costs 503s, then, after the senders' retries, every event
exactly once."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.migrate import upgrade
from qualdesk.db.models import HandRaise, IntakeDelivery, IntakeEventId, Lead
from qualdesk.services.intake.live.sources import add_source
from tests.intake_server import Receiver, json_headers
from tests.pg_cluster import PgCluster


def _body(i: int, event_id: str | None = None, note: str = "") -> bytes:
    return json.dumps({"event_id": event_id or f"ev-{i}",
                       "lead": {"first_name": f"P{i}", "last_name": "Burst",
                                "email": f"p{i}@example.com"},
                       "hand_raise": {"kind": "contact_form", "at": "2026-11-23T10:00:00Z",
                                      "details": note or None}}).encode()


def _counts(db: Database) -> tuple[int, int, int, int]:
    with db.session(write=False) as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)))  # type: ignore[return-value]
                     for m in (Lead, HandRaise, IntakeDelivery, IntakeEventId))


def test_two_receivers_on_one_source_keep_each_delivery_once(db_url: str) -> None:
    db = Database(db_url)
    try:
        secret = add_source(db, "lb", "json", rate_per_minute=10_000).secret
        assert secret
        with Receiver(db_url) as a, Receiver(db_url) as b, httpx.Client() as http:
            def both(i: int) -> list[int]:
                # The same delivery to both receivers at the same moment, and the same
                # event in another body (a sender's re-signed retry) to one of them.
                body = _body(i)
                again = _body(i, note="re-sent")
                start = threading.Barrier(3)

                def post(url: str, content: bytes) -> int:
                    start.wait()
                    return http.post(url, content=content,
                                     headers=json_headers(secret, content)).status_code

                with ThreadPoolExecutor(3) as pool:
                    futs = [pool.submit(post, a.url("lb"), body),
                            pool.submit(post, b.url("lb"), body),
                            pool.submit(post, (b if i % 2 else a).url("lb"), again)]
                    return [f.result() for f in futs]

            with ThreadPoolExecutor(4) as pool:
                statuses = [s for group in pool.map(both, range(30)) for s in group]
        assert set(statuses) == {200}
        leads, raises, deliveries, event_ids = _counts(db)
        assert (leads, raises, event_ids) == (30, 30, 30)
        assert deliveries <= 60  # one per distinct body that won its event id
    finally:
        db.dispose()


def test_postgres_stopped_mid_burst_then_everything_kept_exactly_once(
        private_pg: PgCluster) -> None:
    url = private_pg.create_database("intake_outage")
    db = Database(url)
    upgrade(db)
    secret = add_source(db, "burst", "json", rate_per_minute=10_000).secret
    assert secret
    n = 80
    accepted = threading.Semaphore(0)
    seen: dict[str, int] = {"503": 0, "down": 0}
    lock = threading.Lock()
    with Receiver(url) as rcv:
        def send(i: int) -> int:
            body = _body(i)
            deadline = time.monotonic() + 90
            with httpx.Client(timeout=15) as http:
                while time.monotonic() < deadline:
                    try:
                        r = http.post(rcv.url("burst"), content=body,
                                      headers=json_headers(secret, body))
                    except httpx.HTTPError:
                        r = None
                    if r is not None and r.status_code == 200:
                        accepted.release()
                        return i
                    with lock:
                        seen["503" if r is not None and r.status_code == 503 else "down"] += 1
                    time.sleep(0.2)  # the sender's retry
            raise AssertionError(f"event {i} never accepted")

        with ThreadPoolExecutor(8) as pool:
            futs = [pool.submit(send, i) for i in range(n)]
            for _ in range(20):
                accepted.acquire(timeout=60)
            private_pg.stop()
            time.sleep(1.0)
            health = httpx.get(rcv.base + "/healthz", timeout=10).status_code
            time.sleep(2.0)
            private_pg.start()
            done = sorted(f.result() for f in futs)
        assert rcv.alive
    assert done == list(range(n))
    assert health == 503
    assert seen["503"] > 0  # the outage was felt, as 503s
    db.dispose()
    db = Database(url)
    try:
        leads, raises, deliveries, event_ids = _counts(db)
        assert (leads, raises, deliveries, event_ids) == (n, n, n, n)
    finally:
        db.dispose()
