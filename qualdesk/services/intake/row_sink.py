"""Where the lead import's bulk rows go: written at once, or by a COPY thread.

On PostgreSQL the server spends more time on an import's COPYs than the client spends
reading the file: every row fires its foreign-key checks and updates its table's indexes.
``CopyThread`` sends each chunk from a second thread while the import goes on reading and
checking the next rows: psycopg lets go of the GIL while it waits on the server, so the
server's work and the client's overlap (on two cores, nearly all of the server's).
Everything still goes through the import's one connection and transaction.

``Inline`` writes each chunk at once (SQLite: its driver holds the GIL for most of an
insert, so a thread would only take turns with the reader).

Rows are converted to driver values on the caller's thread (``bulk.converted``), so the
memo of conversions is never shared between threads. Progress is reported only from the
caller's thread, one tick per finished chunk.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Sequence
from types import TracebackType
from typing import Any, NamedTuple

import psycopg
from sqlalchemy import Connection, Table

from qualdesk.errors import DatabaseUnavailable, InvalidInput, NotAllowed
from qualdesk.services.intake import bulk
from qualdesk.services.intake.import_meter import Meter


class _Job(NamedTuple):
    table: Table
    columns: tuple[str, ...]
    values: list[tuple[Any, ...]]


class Inline:
    def __init__(self, conn: Connection, meter: Meter, memo: bulk.Memo) -> None:
        self.conn, self.meter, self.memo = conn, meter, memo

    def put(self, table: Table, columns: tuple[str, ...], rows: Sequence[bulk.Row],
            units: int) -> None:
        bulk.insert_rows(self.conn, table, columns, rows, self.memo)
        self.meter.earn(units)
        self.meter.tick()

    def poll(self) -> None:
        """Nothing is ever in flight."""

    def drain(self) -> None:
        """Nothing is ever in flight."""

    def __enter__(self) -> Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class CopyThread:
    """Chunks COPYed in order by one worker thread; ``drain`` waits for all of them."""

    def __init__(self, conn: Connection, meter: Meter, memo: bulk.Memo) -> None:
        self.dialect, self.meter, self.memo = conn.dialect, meter, memo
        self._raw = conn.connection.driver_connection
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        # Units of the chunks sent and not yet credited, oldest first (the worker
        # finishes them in this order). Only the caller's thread touches it.
        self._units: deque[int] = deque()
        self._cond = threading.Condition()
        self._finished = 0  # chunks the worker is done with; guarded by _cond
        self._credited = 0
        self._error: BaseException | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="qualdesk-import-copy",
                                        daemon=True)
        self._thread.start()

    def put(self, table: Table, columns: tuple[str, ...], rows: Sequence[bulk.Row],
            units: int) -> None:
        self._raise_failure()
        if not rows:
            self.meter.earn(units)
            return
        values = bulk.converted(self.dialect, table, columns, rows, self.memo)
        self._units.append(units)
        self._jobs.put(_Job(table, columns, values))

    def poll(self) -> None:
        """Credit the chunks finished so far (no tick: the caller ticks)."""
        with self._cond:
            finished = self._finished
        while self._credited < finished:
            self._credited += 1
            self.meter.earn(self._units.popleft())
        self._raise_failure()

    def drain(self) -> None:
        """Wait until every chunk sent is in the database, ticking as each finishes."""
        while self._units:
            with self._cond:
                if self._finished == self._credited:
                    self._cond.wait(timeout=0.25)
                finished = self._finished
            if finished == self._credited:
                self._raise_failure()
                self.meter.tick()  # a long COPY: keep the bar (and cancel) alive
            while self._credited < finished:
                self._credited += 1
                self.meter.earn(self._units.popleft())
                self.meter.tick()
        self._raise_failure()

    def _raise_failure(self) -> None:
        err = self._error
        if err is None:
            return
        # The driver's own error, as the caller would see it from SQLAlchemy's session:
        # a lost connection or a missing grant is a known error, named as such; anything
        # else the server refused is one line naming the table, line and column.
        if isinstance(err, psycopg.OperationalError):
            raise DatabaseUnavailable(f"database unavailable: {_first_line(err)}") from err
        if isinstance(err, psycopg.Error):
            if err.sqlstate == "42501":
                raise NotAllowed(f"{_first_line(err)} (your database login's role does not "
                                 "allow this)") from err
            where = f" ({err.diag.context.strip()})" if err.diag.context else ""
            raise InvalidInput(f"the database refused the import: {_first_line(err)}{where}; "
                               "nothing was imported") from err
        raise err

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None and not self._stop:
                try:
                    bulk.copy_rows(self._raw, job.table, job.columns, job.values)
                except BaseException as exc:  # handed to the caller's thread
                    self._error = exc
            with self._cond:
                self._finished += 1
                self._cond.notify_all()

    def __enter__(self) -> CopyThread:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        # On failure or cancel, skip what is queued; the chunk being sent finishes first,
        # so the connection is free again when the caller's transaction rolls back.
        self._stop = exc_type is not None
        self._jobs.put(None)
        self._thread.join()


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__
