"""Live sync: notice other clients' writes within a second or two.

Every write service appends to ``change_log``; its highest id is the *position* a client
has seen. ``ChangeWatcher`` runs one background thread that calls back with the new
position whenever it grows:

- PostgreSQL: a dedicated autocommit psycopg connection ``LISTEN``s on
  ``qualdesk_changes`` (a trigger from migration 0002 notifies on every change_log
  INSERT) and also re-reads the position on every wake-up, so a missed notification or a
  server without the trigger costs at most one poll interval. When the server goes away
  the thread reports it, keeps retrying, and catches up on reconnect.
- SQLite: ``PRAGMA data_version`` on a dedicated connection changes only when another
  connection committed, so polling it is nearly free; the position is read only then.

Plain Python (no Qt): the UI wraps it in ``ui.live_refresh.LiveRefresh``, which hops to
the GUI thread with a signal.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url

from qualdesk.db.engine import Database

log = logging.getLogger(__name__)

CHANNEL = "qualdesk_changes"
POSITION_SQL = "SELECT coalesce(max(id), 0) FROM change_log"

PositionCallback = Callable[[int], None]
# (online, reason): reason is empty when online.
StatusCallback = Callable[[bool, str], None]


def libpq_url(db: Database) -> str:
    """The SQLAlchemy URL as psycopg wants it (no ``+psycopg`` driver suffix)."""
    return make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlite_path(db: Database) -> str:
    return make_url(db.url).database or ""


class ChangeWatcher:
    """Calls back with the new change-log position when other writes land."""

    def __init__(self, db: Database, *, poll_interval: float = 1.0, listen: bool = True,
                 on_status: StatusCallback | None = None) -> None:
        self.db = db
        self.poll_interval = poll_interval
        self.listen = listen and db.is_postgres
        self.on_status = on_status
        self.position = 0
        self.previous = 0
        self.online: bool | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._callback: PositionCallback | None = None
        self._since: int | None = None

    # -- public ---------------------------------------------------------------------

    def start(self, callback: PositionCallback, since: int | None = None) -> None:
        """Watch from ``since`` (default: whatever the position is when the thread starts)."""
        if self._thread is not None:
            raise RuntimeError("ChangeWatcher already started")
        self._callback = callback
        self._since = since
        self._stop.clear()
        if since is not None:
            self.position = since
        target = self._run_postgres if self.db.is_postgres else self._run_sqlite
        self._thread = threading.Thread(target=target, name="qualdesk-change-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- shared ---------------------------------------------------------------------

    def _advance(self, pos: int) -> None:
        if pos != self.position:
            # The callback runs on this thread right after: it may read ``previous``.
            self.previous, self.position = self.position, pos
            if self._callback is not None:
                try:
                    self._callback(pos)
                except Exception:  # a broken listener must not kill the watcher
                    log.exception("change callback failed")

    def _set_online(self, online: bool, reason: str = "") -> None:
        if online == self.online:
            return
        self.online = online
        if self.on_status is not None:
            try:
                self.on_status(online, reason)
            except Exception:
                log.exception("status callback failed")

    # -- PostgreSQL -----------------------------------------------------------------

    def _run_postgres(self) -> None:
        import psycopg

        first = True
        while not self._stop.is_set():
            conn: Any = None
            try:
                conn = psycopg.connect(libpq_url(self.db), autocommit=True, connect_timeout=5)
                if self.listen:
                    conn.execute(f"LISTEN {CHANNEL}")
                pos = conn.execute(POSITION_SQL).fetchone()[0]
                self._set_online(True)
                if first and self._since is None:
                    self.position = pos  # the starting point is not news
                else:
                    self._advance(pos)
                first = False  # catch up on what happened while away
                while not self._stop.is_set():
                    self._wait_pg(conn)
                    self._advance(conn.execute(POSITION_SQL).fetchone()[0])
            except psycopg.Error as exc:
                self._set_online(False, str(exc).strip().splitlines()[0] if str(exc) else "lost")
                self._stop.wait(min(1.0, self.poll_interval))
            finally:
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()

    def _wait_pg(self, conn: Any) -> None:
        if not self.listen:
            self._stop.wait(self.poll_interval)
            return
        got = False
        for _ in conn.notifies(timeout=self.poll_interval, stop_after=1):
            got = True
        if got:
            # A burst of writes sends a burst of notifications: drain them, read once.
            for _ in conn.notifies(timeout=0.05):
                pass

    # -- SQLite ---------------------------------------------------------------------

    def _run_sqlite(self) -> None:
        path = sqlite_path(self.db)
        conn: sqlite3.Connection | None = None
        version: int | None = None
        first = True
        while not self._stop.is_set():
            try:
                if conn is None:
                    conn = sqlite3.connect(path, timeout=5, isolation_level=None,
                                           check_same_thread=False)
                v = conn.execute("PRAGMA data_version").fetchone()[0]
                if v != version:
                    version = v
                    pos = conn.execute(POSITION_SQL).fetchone()[0]
                    if first and self._since is None:
                        self.position = pos
                    else:
                        self._advance(pos)
                    first = False
                self._set_online(True)
            except sqlite3.Error as exc:
                self._set_online(False, str(exc))
                if conn is not None:
                    conn.close()
                conn, version = None, None
            self._stop.wait(self.poll_interval)
        if conn is not None:
            conn.close()


def kinds_between(db: Database, after: int, upto: int) -> set[str]:
    """What kinds of change landed after position ``after`` up to ``upto`` (a client
    reloads its configuration only when one of them is ``settings``)."""
    from sqlalchemy import select

    from qualdesk.db.models import ChangeLog

    query = select(ChangeLog.kind).distinct().where(ChangeLog.id > after, ChangeLog.id <= upto)
    with db.engine.connect() as conn:
        return set(conn.execute(query).scalars())


def current_position(db: Database) -> int:
    """The change-log position now (a client's starting point)."""
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql(POSITION_SQL).scalar_one())
