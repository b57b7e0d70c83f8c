"""Claim-next under 50 concurrent reps, against a bare SKIP LOCKED loop in the same run.

    python bench/bench_claim.py [--reps 50] [--leads 1000] [--claims 400]

Starts its own throwaway PostgreSQL with tools/pg.sh, seeds leads with open hand raises,
then runs two phases with the same number of threads and claims:
  bare:     psycopg, BEGIN; SELECT id ... WHERE claimed_by IS NULL ORDER BY id LIMIT 1
            FOR UPDATE SKIP LOCKED; UPDATE ...; COMMIT   (the floor)
  qualdesk: qualdesk.services.queue.claim_next (ranking + lease + audit), then the rep
            disposes the lead (not timed) so the queue keeps moving.
Prints throughput (claims/s), p50/p95 latency (ms) and the p95 ratio (target <= 2x).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def start_cluster() -> dict[str, str]:
    out = subprocess.run(
        ["bash", "-c", "source tools/pg.sh >/dev/null && pg_start >/dev/null && "
                       "echo PGTMP=$PGTMP && echo URL=$QUALDESK_TEST_PG_URL"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.split())


def stop_cluster(pgtmp: str) -> None:
    subprocess.run(["bash", "-c", f"PGTMP={pgtmp}; source tools/pg.sh; pg_stop"], cwd=ROOT,
                   check=False)


def zone_at_noon(now: datetime) -> str:
    offset = 12 - now.hour
    offset = offset - 24 if offset > 12 else offset + 24 if offset < -11 else offset
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def seed(url: str, reps: int, leads: int) -> None:
    from sqlalchemy import select

    from qualdesk.db.engine import Database
    from qualdesk.db.migrate import upgrade
    from qualdesk.db.models import Campaign, Lead, User
    from qualdesk.services.hand_raises import add_hand_raise

    db = Database(url)
    upgrade(db)
    now = datetime.now(UTC)
    tz = zone_at_noon(now)
    with db.session() as s:
        camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert camp is not None
        s.add_all([User(name=f"rep{i}", role="rep", created_at=now) for i in range(reps)])
        for i in range(leads):
            lead = Lead(first_name=f"L{i}", email=f"l{i}@x.test", phone=f"+1212{i:07d}",
                        time_zones=[tz], campaign_id=camp.id, designation="cold",
                        created_at=now, updated_at=now)
            s.add(lead)
            s.flush()
            add_hand_raise(s, lead, camp, "contact_form", 50, now - timedelta(seconds=i % 3000))
    with db.engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE bare_leads (id serial PRIMARY KEY, claimed_by int)")
        c.exec_driver_sql(f"INSERT INTO bare_leads (claimed_by) SELECT NULL FROM generate_series(1, {leads})")
        c.exec_driver_sql("CREATE INDEX ix_bare_free ON bare_leads (id) WHERE claimed_by IS NULL")
    db.dispose()


def run_threads(n: int, per_thread: int, work) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n + 1)

    def body(i: int) -> None:
        ctx = work.setup(i)
        barrier.wait()
        mine = []
        for _ in range(per_thread):
            t0 = time.perf_counter()
            got = work.claim(ctx, i)
            mine.append(time.perf_counter() - t0)
            if got is not None:
                work.after(ctx, i, got)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies


class Bare:
    def __init__(self, url: str) -> None:
        self.url = url

    def setup(self, i: int):
        import psycopg

        return psycopg.connect(self.url)

    def claim(self, conn, i: int):
        with conn.transaction():
            row = conn.execute("SELECT id FROM bare_leads WHERE claimed_by IS NULL ORDER BY id "
                               "LIMIT 1 FOR UPDATE SKIP LOCKED").fetchone()
            if row:
                conn.execute("UPDATE bare_leads SET claimed_by = %s WHERE id = %s", (i, row[0]))
        return row[0] if row else None

    def after(self, conn, i: int, got) -> None:
        pass


class QualDesk:
    def __init__(self, db) -> None:
        self.db = db

    def setup(self, i: int):
        return None

    def claim(self, _ctx, i: int):
        from qualdesk.services.queue import claim_next

        return claim_next(self.db, f"rep{i}").lead_id

    def after(self, _ctx, i: int, lead_id: int) -> None:
        from qualdesk.services.calls import log_call

        log_call(self.db, lead_id, f"rep{i}", "no_answer")


def report(name: str, elapsed: float, lat: list[float]) -> float:
    lat_ms = sorted(x * 1000 for x in lat)
    p95 = lat_ms[int(0.95 * (len(lat_ms) - 1))]
    print(f"{name:9s} {len(lat_ms) / elapsed:8.1f} claims/s   p50 {statistics.median(lat_ms):7.1f} ms"
          f"   p95 {p95:7.1f} ms   ({len(lat_ms)} claims in {elapsed:.1f} s)")
    return p95


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--leads", type=int, default=1000)
    ap.add_argument("--claims", type=int, default=400, help="claims per phase")
    args = ap.parse_args()
    env = start_cluster()
    try:
        import psycopg

        from qualdesk.db.engine import Database

        with psycopg.connect(env["URL"], autocommit=True) as c:
            c.execute("CREATE DATABASE bench")
        url = env["URL"].rsplit("/", 1)[0] + "/bench"
        seed(url, args.reps, args.leads)
        per = max(1, args.claims // args.reps)
        e_bare, l_bare = run_threads(args.reps, per, Bare(url))
        db = Database(url, pool_size=args.reps, max_overflow=10)
        e_qd, l_qd = run_threads(args.reps, per, QualDesk(db))
        db.dispose()
        print(f"{args.reps} concurrent reps, {args.leads} leads, {os.cpu_count()} CPUs")
        p_bare = report("bare", e_bare, l_bare)
        p_qd = report("qualdesk", e_qd, l_qd)
        ratio = p_qd / p_bare if p_bare else float("inf")
        print(f"p95 ratio qualdesk/bare: {ratio:.1f}x (target <= 2x)")
    finally:
        stop_cluster(env["PGTMP"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
