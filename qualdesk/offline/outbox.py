"""The local outbox: what a rep did while the shared database was unreachable.

A small SQLite file in the user's data directory (never the shared database), one row
per change in the order it was made, each with the idempotency key its replay uses, so
a change is applied exactly once however often replay is interrupted. Rows are kept
after replay (with their outcome) so the rep can see what happened to each.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from qualdesk import clock
from qualdesk.paths import data_dir

PENDING = "pending"
APPLIED = "applied"
DUPLICATE = "duplicate"
CONFLICT = "conflict"
FAILED = "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    lead_id INTEGER,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    message TEXT,
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS ix_items_status ON items (status, id);
"""


@dataclass(frozen=True)
class OutboxItem:
    id: int
    key: str
    kind: str
    lead_id: int | None
    payload: dict[str, Any]
    created_at: datetime
    status: str = PENDING
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "kind": self.kind, "lead": self.lead_id,
                "created_at": self.created_at.isoformat(), "status": self.status,
                "message": self.message}


class Outbox:
    """Thread-safe; every call opens its own short connection (the file may be shared
    by the GUI's worker threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._conn() as c:
            c.executescript(_SCHEMA)

    @classmethod
    def default(cls) -> Outbox:
        return cls(data_dir() / "outbox.sqlite3")

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = sqlite3.connect(self.path, timeout=30)
            try:
                # FULL: a change the rep was told is "queued" survives a power cut.
                conn.execute("PRAGMA synchronous=FULL")
                with conn:
                    yield conn
            finally:
                conn.close()

    def add(self, kind: str, payload: dict[str, Any], key: str) -> OutboxItem:
        """Queue a change; adding the same key twice keeps the first."""
        now = clock.now()
        lead_id = payload.get("lead_id")
        with self._conn() as c:
            c.execute("INSERT OR IGNORE INTO items (key, kind, lead_id, payload, created_at) "
                      "VALUES (?, ?, ?, ?, ?)",
                      (key, kind, lead_id, json.dumps(payload), now.isoformat()))
            row = c.execute(f"SELECT {_COLS} FROM items WHERE key = ?", (key,)).fetchone()
        return _item(row)

    def pending(self) -> list[OutboxItem]:
        with self._conn() as c:
            rows = c.execute(f"SELECT {_COLS} FROM items WHERE status = ? ORDER BY id",
                             (PENDING,)).fetchall()
        return [_item(r) for r in rows]

    def pending_count(self) -> int:
        with self._conn() as c:
            return int(c.execute("SELECT count(*) FROM items WHERE status = ?",
                                 (PENDING,)).fetchone()[0])

    def mark(self, item_id: int, status: str, message: str | None = None) -> None:
        with self._conn() as c:
            c.execute("UPDATE items SET status = ?, message = ?, done_at = ? WHERE id = ?",
                      (status, message, clock.now().isoformat(), item_id))

    def recent(self, limit: int = 50) -> list[OutboxItem]:
        """The latest items, newest first, whatever their status (for the status view)."""
        with self._conn() as c:
            rows = c.execute(f"SELECT {_COLS} FROM items ORDER BY id DESC LIMIT ?",
                             (limit,)).fetchall()
        return [_item(r) for r in rows]


_COLS = "id, key, kind, lead_id, payload, created_at, status, message"


def _item(row: tuple[Any, ...]) -> OutboxItem:
    return OutboxItem(id=row[0], key=row[1], kind=row[2], lead_id=row[3],
                      payload=json.loads(row[4]), created_at=datetime.fromisoformat(row[5]),
                      status=row[6], message=row[7])
