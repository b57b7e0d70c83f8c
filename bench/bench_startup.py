"""Cold start to a usable queue, and memory with 100,000 open leads.

Targets (issue 8): cold start < 1.5 s; RSS with 100,000 leads < 300 MB.

Runs the real app offscreen (`qualdesk app --smoke-test`), which prints when the main
window shows a loaded queue. Baseline, measured in the same run: a bare PySide6
process that creates a QApplication and shows an empty QMainWindow — the floor no Qt
app can go below.

    python bench/bench_startup.py [--leads 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

BARE = r"""
import time, sys
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QTimer
app = QApplication(sys.argv[:1]); w = QMainWindow(); w.show()
QTimer.singleShot(0, lambda: (print(round(time.perf_counter() - t0, 3)), app.exit(0)))
app.exec()
"""


def seed(url: str, n: int) -> str:
    from sqlalchemy import insert, select

    from qualdesk import clock
    from qualdesk.db.engine import Database
    from qualdesk.db.migrate import upgrade
    from qualdesk.db.models import HandRaise, Lead
    from qualdesk.services.users import add_user

    db = Database(url)
    upgrade(db)
    rep = add_user(db, "Bench Rep", "rep", email="rep@bench.test")
    now, rnd = clock.now(), random.Random(7)
    zones = [["America/New_York"], ["Europe/London"], ["America/Chicago"], ["Europe/Berlin"]]
    with db.session() as s:
        s.execute(insert(Lead), [dict(
            first_name=f"First{i}", last_name=f"Last{i}", company=f"Company {i % 5000}",
            email=f"lead{i}@bench.test", email_norm=f"lead{i}@bench.test",
            phone=f"+1212555{i % 10000:04d}", time_zones=rnd.choice(zones), campaign_id=1,
            designation="warm", created_at=now, updated_at=now, last_hand_raise_at=now)
            for i in range(n)])
    with db.session() as s:
        rows = []
        for lid in s.scalars(select(Lead.id)):
            t = now - timedelta(minutes=rnd.randint(0, 600))
            rows.append(dict(lead_id=lid, campaign_id=1, kind="contact_form", strength=85,
                             raised_at=t, deadline_at=t + timedelta(hours=1), created_at=now))
        s.execute(insert(HandRaise), rows)
    db.dispose()
    return rep.name


def run_app(url: str, rep: str, env: dict[str, str]) -> tuple[dict, float, int]:
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run([sys.executable, "-m", "ui", "--db", url, "app", "--rep", rep,
                        "--smoke-test", "120"], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(p.stdout + p.stderr)
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return json.loads(p.stdout.strip().splitlines()[-1]), wall, max(rss_kb, before)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="qd-bench-start-"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QUALDESK_DATA_DIR=str(tmp / "data"),
               QUALDESK_CONFIG_DIR=str(tmp / "config"))
    os.environ.update(QUALDESK_DATA_DIR=env["QUALDESK_DATA_DIR"])

    bare = [float(subprocess.run([sys.executable, "-c", BARE], capture_output=True, text=True,
                                 env=env).stdout.strip()) for _ in range(args.runs)]

    demo_url = f"sqlite:///{tmp / 'demo.sqlite3'}"
    subprocess.run([sys.executable, "-m", "qualdesk", "--db", demo_url, "demo"], env=env,
                   check=True, capture_output=True)
    reps = json.loads(subprocess.run([sys.executable, "-m", "qualdesk", "--db", demo_url, "users",
                                      "--json"], env=env, capture_output=True, text=True).stdout)
    demo_rep = next(u["name"] for u in reps if u["role"] == "rep")
    demo = [run_app(demo_url, demo_rep, env)[0]["ready_s"] for _ in range(args.runs)]

    big_url = f"sqlite:///{tmp / 'big.sqlite3'}"
    rep = seed(big_url, args.leads)
    seen, wall, rss_kb = run_app(big_url, rep, env)

    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print(f"bare Qt window (baseline):    median {statistics.median(bare):.3f} s")
    print(f"cold start, demo data:        median {statistics.median(demo):.3f} s "
          f"(target < 1.5 s; {statistics.median(demo) / statistics.median(bare):.1f}x baseline)")
    print(f"cold start, {args.leads:,} leads:  {seen['ready_s']:.3f} s to a loaded queue "
          f"({seen['queue_rows']:,} offered)")
    print(f"peak RSS, {args.leads:,} leads:    {rss_kb / 1024:.0f} MB (target < 300 MB)")


if __name__ == "__main__":
    main()
