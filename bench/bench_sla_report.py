"""Benchmark: the follow-up SLA report over 1,000,000 hand raises on PostgreSQL, against
one hand-written SQL query computing the same figures, in the same run.

    source tools/pg.sh && pg_start && python bench/bench_sla_report.py; pg_stop

Uses $QUALDESK_TEST_PG_URL (a superuser URL, as tools/pg.sh exports) to create and drop
a scratch database. Rows are generated in SQL with generate_series, so set-up takes
seconds. Prints both times (best of N) and their ratio (target <= 1.2).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from qualdesk.db.engine import Database, normalise_url  # noqa: E402
from qualdesk.db.migrate import upgrade  # noqa: E402
from qualdesk.services.reports.periods import make_period  # noqa: E402
from qualdesk.services.reports.sla import sla_report  # noqa: E402

TZ = "America/New_York"

SEED_SQL = [
    "SELECT setseed(0.42)",
    """INSERT INTO users (name, role, active, created_at)
       SELECT 'rep' || g, 'rep', true, now() FROM generate_series(1, 20) g""",
    """INSERT INTO campaigns (name, is_default, sla_minutes, script, templates,
                            same_day_live_attempts, min_gap_minutes, daily_cap, lifetime_cap, created_at)
       SELECT 'Campaign ' || g, false, 60, 'default', 'default', 2, 10, 3, 6, now()
       FROM generate_series(1, 5) g""",
    """INSERT INTO leads (first_name, time_zones, campaign_id, designation, created_at, updated_at)
       SELECT 'Lead ' || g, '["America/New_York"]',
              (SELECT min(id) FROM campaigns) + g % 5, 'warm', now(), now()
       FROM generate_series(1, :leads) g""",
    # minute offsets: first call 0..3 days after the raise (10 % never), email likewise (15 % never)
    """INSERT INTO hand_raises (lead_id, campaign_id, kind, strength, raised_at, deadline_at,
                               first_call_at, first_call_rep_id, first_email_at, created_at)
       SELECT l.id, l.campaign_id,
              (ARRAY['called_in','demo_request','contact_form','chat','asset_download'])[1 + g % 5],
              50, r.raised, r.raised + interval '1 hour',
              CASE WHEN random() < 0.9 THEN r.raised + (random() ^ 3 * 4320) * interval '1 minute' END,
              (SELECT min(id) FROM users) + g % 20,
              CASE WHEN random() < 0.85 THEN r.raised + (random() ^ 3 * 4320) * interval '1 minute' END,
              now()
       FROM generate_series(1, :rows) g
       JOIN leads l ON l.id = (SELECT min(id) FROM leads) + g % :leads
       CROSS JOIN LATERAL (SELECT timestamptz '2026-01-01 00:00+00'
                                  + (g::double precision / :rows) * interval '320 days' AS raised) r""",
    "ANALYZE",
]

HAND_WRITTEN = f"""
WITH t AS (
  SELECT raised_at AS r, first_call_at AS c,
         CASE WHEN first_call_at IS NOT NULL AND first_email_at IS NOT NULL
              THEN greatest(first_call_at, first_email_at) END AS f
  FROM hand_raises WHERE raised_at >= :start AND raised_at < :end)
SELECT count(*),
       count(*) FILTER (WHERE f - r <= interval '1 hour'),
       count(*) FILTER (WHERE (f AT TIME ZONE '{TZ}')::date = (r AT TIME ZONE '{TZ}')::date),
       count(*) FILTER (WHERE f - r <= interval '24 hours'),
       count(*) FILTER (WHERE f - r <= interval '48 hours'),
       count(*) FILTER (WHERE f - r <= interval '72 hours'),
       count(*) FILTER (WHERE f IS NULL),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c - r) / 60),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c - r) / 60),
       count(*) FILTER (WHERE c - r <= interval '5 minutes')
FROM t
"""


def best(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    admin_url = os.environ.get("QUALDESK_TEST_PG_URL")
    if not admin_url:
        print("set QUALDESK_TEST_PG_URL (source tools/pg.sh && pg_start)", file=sys.stderr)
        return 2
    name = f"qd_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(admin_url.rpartition("/")[0] + "/" + name)
    try:
        upgrade(db)
        t0 = time.perf_counter()
        with db.engine.begin() as c:
            for sql in SEED_SQL:
                c.execute(text(sql), {"rows": args.rows, "leads": max(1, args.rows // 10)})
        print(f"seeded {args.rows:,} hand raises in {time.perf_counter() - t0:.1f} s")
        period = make_period(db, "2026-01-01", "2026-12-31", TZ)

        def ours() -> dict:
            return sla_report(db, period).data  # type: ignore[return-value]

        def hand() -> tuple:
            with db.engine.connect() as c:
                return tuple(c.execute(text(HAND_WRITTEN), {"start": period.start, "end": period.end}).one())

        ours()
        hand()  # warm caches for both
        # interleave so drift in the machine's load hits both alike
        t_ours, t_hand = float("inf"), float("inf")
        for _ in range(args.repeat):
            t, got = best(ours, 1)
            t_ours = min(t_ours, t)
            t, want = best(hand, 1)
            t_hand = min(t_hand, t)
        assert got["hand_raises"] == want[0] and got["within_1h"] == want[1]  # type: ignore[index]
        assert got["same_day"] == want[2] and got["never"] == want[6]  # type: ignore[index]
        print(f"report sla (qualdesk):  {t_ours * 1000:8.1f} ms   {got['hand_raises']:,} hand raises, "  # type: ignore[index]
              f"within_1h {got['pct_within_1h']} %, median first touch {got['first_touch_median_min']} min")  # type: ignore[index]
        print(f"hand-written SQL:       {t_hand * 1000:8.1f} ms")
        print(f"ratio: {t_ours / t_hand:.2f} (target <= 1.2)")
        return 0
    finally:
        db.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
