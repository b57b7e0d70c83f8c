"""Live intake under a burst, against a bare INSERT of the same rows in the same run.

    python bench/bench_intake.py [--events 2000] [--senders 20] [--live 40]

Starts its own throwaway PostgreSQL (tests/pg_cluster.py), two databases on it with the
schema at head, and the real receiver (``qualdesk intake serve`` in a subprocess).

  burst:  EVENTS signed json events (each a new lead with a demo request) from SENDERS
          concurrent senders (threads, one keep-alive HTTP connection each): accepted
          per second and p50/p95 time from POST to the 2xx (sent only after the commit)
  bare:   the same rows (a lead, a hand raise, a change-log row per event) as plain
          psycopg INSERTs, one transaction per event, from SENDERS threads, into the
          second database: the floor under any receiver
  live:   LIVE more events, one every 0.25 s, while a listening client (the app's
          ChangeWatcher, LISTEN/NOTIFY) reloads the queue model (queue_rows, as the rep's
          queue view does) on every wake-up: p50/p95 from the POST to the lead's row in
          the reloaded queue (goal <= 2 s), with the burst's leads already in the queue
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from qualdesk.db.engine import Database  # noqa: E402
from qualdesk.db.migrate import upgrade  # noqa: E402
from qualdesk.services.intake.live.sources import add_source  # noqa: E402
from qualdesk.services.queue_rows import queue_rows  # noqa: E402
from qualdesk.services.sync import ChangeWatcher  # noqa: E402
from tests.intake_server import Receiver, json_headers  # noqa: E402
from tests.pg_cluster import PgCluster  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live children (the workers):
    steadier than wall time on a shared, loaded box."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def event(i: int, tag: str) -> bytes:
    return json.dumps({
        "event_id": f"{tag}-{i}",
        "lead": {"first_name": f"Pat{i}", "last_name": "Burst", "company": f"Co {i % 97}",
                 "email": f"{tag}{i}@example.com", "phone": f"+1 212 555 {i % 10000:04d}"},
        "hand_raise": {"kind": "demo_request",
                       "details": {"form": "demo", "page": "/pricing"}}}).encode()


def burst(rcv: Receiver, secret: str, n: int, senders: int) -> tuple[float, list[float]]:
    times: list[float] = []
    lock = threading.Lock()

    def send(chunk: range) -> None:
        with httpx.Client(timeout=30) as http:
            for i in chunk:
                body = event(i, "b")
                t0 = time.perf_counter()
                r = http.post(rcv.url("bench"), content=body, headers=json_headers(secret, body))
                dt = time.perf_counter() - t0
                if r.status_code != 200:
                    raise RuntimeError(f"event {i}: {r.status_code} {r.text[:200]}")
                with lock:
                    times.append(dt)

    chunks = [range(k, n, senders) for k in range(senders)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(send, chunks))
    return time.perf_counter() - t0, times


BARE = [
    ("INSERT INTO leads (first_name, last_name, company, email, email_norm, phone, "
     "phone_region, time_zones, campaign_id, designation, do_not_call, email_opt_out, "
     "last_hand_raise_at, created_at, updated_at, version) VALUES (%s, %s, %s, %s, %s, %s, "
     "'US', '[\"America/New_York\"]', %s, 'warm', false, false, now(), now(), now(), 1) "
     "RETURNING id"),
    ("INSERT INTO hand_raises (lead_id, campaign_id, kind, strength, raised_at, deadline_at, "
     "details, source, created_at) VALUES (%s, %s, 'demo_request', 90, now(), "
     "now() + interval '1 hour', %s, 'bench', now())"),
    "INSERT INTO change_log (at, kind, lead_id) VALUES (now(), 'intake', %s)",
]


def bare(url: str, n: int, senders: int) -> tuple[float, list[float]]:
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq) as c:
        camp = c.execute("SELECT id FROM campaigns WHERE is_default").fetchone()[0]
    times: list[float] = []
    lock = threading.Lock()

    def send(chunk: range) -> None:
        with psycopg.connect(libpq) as conn:
            for i in chunk:
                t0 = time.perf_counter()
                with conn.transaction():
                    lead = conn.execute(BARE[0], (f"Pat{i}", "Burst", f"Co {i % 97}",
                                                  f"b{i}@example.com", f"b{i}@example.com",
                                                  f"+1212555{i % 10000:04d}", camp)
                                        ).fetchone()[0]
                    conn.execute(BARE[1], (lead, camp, '{"form": "demo"}'))
                    conn.execute(BARE[2], (lead,))
                with lock:
                    times.append(time.perf_counter() - t0)

    chunks = [range(k, n, senders) for k in range(senders)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(send, chunks))
    return time.perf_counter() - t0, times


def live(db: Database, rcv: Receiver, secret: str, n: int) -> list[float]:
    posted: dict[int, float] = {}
    seen: dict[int, float] = {}
    lock = threading.Lock()
    wake = threading.Event()
    stop = threading.Event()

    def reload_queue() -> None:  # the queue model, reloaded on each wake-up
        while not stop.is_set():
            if not wake.wait(0.5):
                continue
            wake.clear()
            rows = queue_rows(db, None).rows
            now = time.perf_counter()
            with lock:
                for row in rows:
                    seen.setdefault(row.lead_id, now)

    watcher = ChangeWatcher(db, poll_interval=1.0)
    watcher.start(lambda _pos: wake.set())
    reader = threading.Thread(target=reload_queue, daemon=True)
    reader.start()
    time.sleep(1.0)
    with httpx.Client(timeout=30) as http:
        for i in range(n):
            body = event(i, "live")
            t0 = time.perf_counter()
            r = http.post(rcv.url("bench"), content=body, headers=json_headers(secret, body))
            r.raise_for_status()
            with lock:
                posted[r.json()["leads"][0]] = t0
            time.sleep(0.25)
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        with lock:
            if all(k in seen for k in posted):
                break
        time.sleep(0.1)
    stop.set()
    watcher.stop()
    reader.join(5)
    missing = [k for k in posted if k not in seen]
    if missing:
        raise RuntimeError(f"{len(missing)} leads never showed in the queue")
    return [seen[k] - t for k, t in posted.items()]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--senders", type=int, default=20)
    ap.add_argument("--live", type=int, default=40)
    ap.add_argument("--workers", type=int, default=1, help="receiver processes")
    args = ap.parse_args()
    cluster = PgCluster()
    cluster.start()
    try:
        url = cluster.create_database("bench_intake")
        bare_url = cluster.create_database("bench_bare")
        db, bare_db = Database(url, pool_size=25), Database(bare_url)
        upgrade(db)
        upgrade(bare_db)
        bare_db.dispose()
        secret = add_source(db, "bench", "json", rate_per_minute=1_000_000).secret
        assert secret
        with Receiver(url, workers=args.workers) as rcv:
            assert rcv.proc is not None
            cpu0 = cpu_s(rcv.proc.pid)
            wall, times = burst(rcv, secret, args.events, args.senders)
            cpu = cpu_s(rcv.proc.pid) - cpu0
            print(f"burst: {args.events} events, {args.senders} senders, {args.workers} "
                  f"receiver process(es): {wall:.1f} s, "
                  f"{args.events / wall:.0f} accepted/s, p50 {1000 * pct(times, 50):.0f} ms, "
                  f"p95 {1000 * pct(times, 95):.0f} ms to 2xx; receiver CPU "
                  f"{1000 * cpu / args.events:.1f} ms per event")
            bwall, btimes = bare(bare_url, args.events, args.senders)
            print(f"bare INSERT: {bwall:.1f} s, {args.events / bwall:.0f} rows/s, "
                  f"p50 {1000 * pct(btimes, 50):.1f} ms, p95 {1000 * pct(btimes, 95):.1f} ms")
            print(f"ratio: throughput {args.events / bwall / (args.events / wall):.1f}x "
                  f"slower, p95 {pct(times, 95) / pct(btimes, 95):.1f}x")
            lat = live(db, rcv, secret, args.live)
            print(f"live: {args.live} events, POST -> row in the listening client's queue: "
                  f"p50 {1000 * pct(lat, 50):.0f} ms, p95 {1000 * pct(lat, 95):.0f} ms, "
                  f"max {1000 * max(lat):.0f} ms (goal p95 <= 2000 ms); mean "
                  f"{1000 * statistics.mean(lat):.0f} ms")
        db.dispose()
    finally:
        cluster.destroy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
