"""Cold start to a usable queue, and memory with 100,000 open leads.

Targets (issue 8): cold start < 1.5 s; RSS with 100,000 leads < 300 MB.

Runs the real app offscreen (`qualdesk app --smoke-test`), which prints when the main
window shows a loaded queue. Baseline, measured in the same run: a bare PySide6
process that creates a QApplication and shows an empty QMainWindow — the floor no Qt
app can go below.

    python bench/bench_startup.py [--leads 100000] [--runs 3] [--big-runs 1]
                                  [--workdir DIR] [--skip-demo]

``--workdir`` keeps the seeded databases between runs (seeding 100,000 leads takes a
while); ``--skip-demo`` measures only the 100,000-lead start. Peak RSS is each app
process's own (``wait4``), not the maximum over every child this script ran.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


# The app as ``python -m ui`` runs it, plus one line when the queue's first rows show
# (the head of the queue, before the whole of it has loaded).
FIRST_ROWS = r"""
import json, sys, time
from ui import launcher
from ui import queue_view

def first_rows(self, _orig=getattr(queue_view.QueueView, "_first_rows", None)):
    if self.first_rows_at is None:
        print(json.dumps({"first_rows_s": round(time.perf_counter() - launcher.T0, 3)}),
              flush=True)
    _orig(self)

if hasattr(queue_view.QueueView, "_first_rows"):  # older checkouts: whole queue only
    queue_view.QueueView._first_rows = first_rows
raise SystemExit(launcher.main(sys.argv[1:]))
"""


def run_app(url: str, rep: str, env: dict[str, str],
            first_rows: bool = False) -> tuple[dict, float, int]:
    """Start the app once: (the smoke test's JSON, wall seconds, this process's peak RSS
    in kB). ``first_rows``: also report when the first queue rows showed."""
    t0 = time.perf_counter()
    launch = ["-c", FIRST_ROWS] if first_rows else ["-m", "ui"]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen([sys.executable, *launch, "--db", url, "app", "--rep", rep,
                              "--smoke-test", "120"], stdout=out, stderr=err, env=env,
                             cwd=ROOT)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if p.returncode != 0:
        raise SystemExit(stdout + stderr)
    seen: dict = {}
    for line in stdout.splitlines():
        if line.startswith("{"):
            seen.update(json.loads(line))
    return seen, wall, usage.ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--big-runs", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--skip-demo", action="store_true")
    args = ap.parse_args()
    tmp = args.workdir or Path(tempfile.mkdtemp(prefix="qd-bench-start-"))
    tmp.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QUALDESK_DATA_DIR=str(tmp / "data"),
               QUALDESK_CONFIG_DIR=str(tmp / "config"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    os.environ.update(QUALDESK_DATA_DIR=env["QUALDESK_DATA_DIR"])
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at start")

    bare = [float(subprocess.run([sys.executable, "-c", BARE], capture_output=True, text=True,
                                 env=env).stdout.strip()) for _ in range(args.runs)]
    print(f"bare Qt window (baseline):    median {statistics.median(bare):.3f} s")

    if not args.skip_demo:
        demo_db = tmp / "demo.sqlite3"
        demo_url = f"sqlite:///{demo_db}"
        if not demo_db.exists():
            subprocess.run([sys.executable, "-m", "qualdesk", "--db", demo_url, "demo"], env=env,
                           check=True, capture_output=True, cwd=ROOT)
        reps = json.loads(subprocess.run(
            [sys.executable, "-m", "qualdesk", "--db", demo_url, "users", "--json"], env=env,
            capture_output=True, text=True, cwd=ROOT).stdout)
        demo_rep = next(u["name"] for u in reps if u["role"] == "rep")
        demo = [run_app(demo_url, demo_rep, env)[0]["ready_s"] for _ in range(args.runs)]
        print(f"cold start, demo data:        median {statistics.median(demo):.3f} s "
              f"(target < 1.5 s; {statistics.median(demo) / statistics.median(bare):.1f}x "
              f"baseline; runs {', '.join(f'{d:.3f}' for d in demo)})")

    big_db = tmp / f"big-{args.leads}.sqlite3"
    big_url = f"sqlite:///{big_db}"
    rep_file = big_db.with_suffix(".rep")
    if big_db.exists() and rep_file.exists():
        rep = rep_file.read_text()
    else:
        rep = seed(big_url, args.leads)
        rep_file.write_text(rep)
    for _ in range(args.big_runs):
        seen, wall, rss_kb = run_app(big_url, rep, env, first_rows=True)
        print(f"cold start, {args.leads:,} leads:  first rows {seen.get('first_rows_s', 0):.3f} s,"
              f" whole queue {seen['ready_s']:.3f} s ({seen['queue_rows']:,} offered); "
              f"peak RSS {rss_kb / 1024:.0f} MB (targets < 2 s, < 300 MB)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
