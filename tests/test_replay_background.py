"""The outbox replays in the background (#21): after an outage with hundreds of changes
queued, the rep's next change returns at once (queued behind them, in order) while a
replay drains the outbox on its own thread; every change lands exactly once. Real
PostgreSQL stop/start."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.migrate import upgrade
from qualdesk.db.models import Attempt, Note
from qualdesk.offline.outbox import Outbox
from qualdesk.offline.resilient import ResilientOps
from tests.pg_cluster import PgCluster
from tests.test_offline import seed

BACKLOG = 300


def test_the_next_change_never_waits_for_the_backlog(private_pg: PgCluster, tmp_path: Path) -> None:
    url = private_pg.create_database("qd_backlog")
    db = Database(url)
    upgrade(db)
    a, b, _ = seed(db)
    ops = ResilientOps(Database(url), Outbox(tmp_path / "outbox.sqlite3"))
    private_pg.stop()
    for i in range(BACKLOG):
        assert ops.save_note(a, "ana", f"note {i}").status == "queued"
    assert ops.pending() == BACKLOG
    private_pg.start()

    t0 = time.monotonic()
    r = ops.log_call(b, "ana", "no_answer")
    waited = time.monotonic() - t0
    assert r.status == "queued" and waited < 0.5, waited  # not 300 changes replayed inline
    deadline = time.monotonic() + 120
    while ops.pending() or ops.replaying():
        assert time.monotonic() < deadline, "the background replay never drained the outbox"
        time.sleep(0.05)
    report = ops.sync()
    assert report.online and report.pending == 0
    assert len(report.outcomes) == BACKLOG + 1  # what the background replay did, reported
    assert {o.status for o in report.outcomes} == {"applied"}
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Attempt)) == 1
        notes = list(s.scalars(select(Note.body).where(Note.lead_id == a).order_by(Note.id)))
    assert notes == [f"note {i}" for i in range(BACKLOG)]  # each once, in the order made
    print(f"next change returned in {waited * 1000:.0f} ms with {BACKLOG} changes waiting")
    db.dispose()
