"""Live sync: another client's write reaches the watcher within 2 s, by LISTEN/NOTIFY or
by polling, and the watcher survives a real PostgreSQL restart."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from qualdesk.db.engine import Database
from qualdesk.db.migrate import upgrade
from qualdesk.services import audit
from qualdesk.services.sync import ChangeWatcher, current_position, libpq_url
from tests.pg_cluster import PgCluster


class Recorder:
    def __init__(self) -> None:
        self.positions: list[int] = []
        self.status: list[tuple[bool, str]] = []
        self.event = threading.Event()

    def __call__(self, pos: int) -> None:
        self.positions.append(pos)
        self.event.set()

    def on_status(self, online: bool, reason: str) -> None:
        self.status.append((online, reason))

    def wait_for(self, pos: int, timeout: float) -> float:
        """Seconds until ``pos`` was reported (fails the test after ``timeout``)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.positions and self.positions[-1] >= pos:
                return time.monotonic() - t0
            time.sleep(0.02)
        raise AssertionError(f"position {pos} not seen in {timeout}s (saw {self.positions})")


def _write(db: Database, kind: str = "claim", lead_id: int | None = None) -> int:
    with db.session() as s:
        audit.bump(s, kind, lead_id)
    return current_position(db)


@pytest.mark.parametrize("listen", [True, False], ids=["listen", "poll"])
def test_watcher_sees_another_clients_write_within_2s(db_url: str, listen: bool) -> None:
    watcher_db, other = Database(db_url), Database(db_url)
    rec = Recorder()
    w = ChangeWatcher(watcher_db, poll_interval=0.5, listen=listen, on_status=rec.on_status)
    start = current_position(other)
    w.start(rec)
    try:
        deadline = time.monotonic() + 5
        while w.online is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert w.position == start and rec.positions == []  # the start is not news
        pos = _write(other, "hand_raise", 7)
        assert pos == start + 1
        assert rec.wait_for(pos, 2.0) < 2.0
        pos = _write(other, "reassign", 7)
        rec.wait_for(pos, 2.0)
    finally:
        w.stop()
    assert not w.running
    assert rec.status == [(True, "")]
    watcher_db.dispose()
    other.dispose()


def test_notify_trigger_payload(db_url: str) -> None:
    db = Database(db_url)
    if not db.is_postgres:
        # SQLite has no NOTIFY; the migration must not have tried to make one.
        with db.engine.connect() as c:
            n = c.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type='trigger'").scalar()
        assert n == 0
        return
    with psycopg.connect(libpq_url(db), autocommit=True) as conn:
        conn.execute("LISTEN qualdesk_changes")
        _write(db, "claim", 42)
        _write(db, "settings", None)
        got = [n.payload for n in conn.notifies(timeout=2, stop_after=2)]
    assert got == ["claim:42", "settings:"]
    db.dispose()


def test_watcher_survives_a_server_restart(private_pg: PgCluster) -> None:
    url = private_pg.create_database("qd_sync")
    db = Database(url)
    upgrade(db)
    rec = Recorder()
    w = ChangeWatcher(Database(url), poll_interval=0.3, on_status=rec.on_status)
    w.start(rec, since=current_position(db))
    try:
        pos = _write(db)
        rec.wait_for(pos, 2.0)
        private_pg.stop()
        deadline = time.monotonic() + 5
        while w.online is not False and time.monotonic() < deadline:
            time.sleep(0.05)
        assert w.online is False
        time.sleep(1.0)
        private_pg.start()
        db.dispose()  # the pool's connections died with the server
        pos = _write(db, "attempt", 3)
        rec.wait_for(pos, 5.0)
        assert w.online is True
    finally:
        w.stop()
    assert [s[0] for s in rec.status] == [True, False, True]
    db.dispose()
