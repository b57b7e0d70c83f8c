"""The claim's own connection to PostgreSQL: one per client, kept open.

A claim from the pool pays the pool's pre-ping (a round trip, and server work, before
every checkout): measured, that was a third of claim-next's p95 in a 50-rep burst. This
connection is checked by use instead — a claim on a dead one fails, the connection is
dropped, and the caller ranks in Python through the pool, which pings, reconnects and
reports an unreachable server in the usual words. It costs each client one more database
connection (see docs/team-setup.md).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from qualdesk.db.engine import Database

_LINES: weakref.WeakKeyDictionary[Database, ClaimLine] = weakref.WeakKeyDictionary()
_LINES_LOCK = threading.Lock()


class ClaimLine:
    def __init__(self, db: Database) -> None:
        cargs, cparams = db.engine.dialect.create_connect_args(db.engine.url)
        self._cargs, self._cparams = list(cargs), {**cparams, "connect_timeout": 5}
        self._lock = threading.Lock()
        self._conn: Any = None
        self.prepared: set[str] = set()  # server-side statements this connection holds

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """The connection in autocommit mode (``None`` if another claim of this client
        kept it busy for 5 s). Raises the driver's error if it cannot connect."""
        if not self._lock.acquire(timeout=5):
            yield None
            return
        try:
            if self._conn is None or self._conn.closed:
                import psycopg

                self.prepared = set()
                self._conn = psycopg.connect(*self._cargs, **self._cparams, autocommit=True)
            yield self._conn
        finally:
            self._lock.release()

    def drop(self) -> None:
        """Close it (dead, or the client is done); the next claim connects again."""
        conn, self._conn = self._conn, None
        self.prepared = set()
        if conn is not None and not conn.closed:
            conn.close()


def claim_line(db: Database) -> ClaimLine:
    with _LINES_LOCK:
        line = _LINES.get(db)
        if line is None:
            line = _LINES[db] = ClaimLine(db)
            db.on_dispose(line.drop)
        return line
