"""What every window and view shares: the database, who is signed in, the op runner,
and the one app-wide signal that says a write happened.

Views never build SQL and never hold an ORM object: they call ``qualdesk.services``
through the op runner (``ctx.run_query`` for reads, ``ctx.run_op`` for writes) and
refresh when ``sig_operation_executed`` (the runner's) says the changes concern them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

from qualdesk.db.engine import Database
from qualdesk.domain.records import UserRecord
from qualdesk.offline.previews import PreviewCache
from qualdesk.offline.resilient import ResilientOps
from ui.ops import ChangesOf, OpRunner, SyncRunner, changes_in


class AppContext(QObject):
    # The database became unreachable (str: why) or came back (empty string).
    sig_db_status = Signal(str)

    def __init__(self, db: Database, user: UserRecord | None,
                 runner: OpRunner | SyncRunner | None = None,
                 parent: QObject | None = None, resilient: ResilientOps | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.user = user
        self.runner = runner if runner is not None else OpRunner(self)
        # One local outbox per client: calls made while the shared database is away wait
        # here (the status bar's sync indicator shows and replays the same one).
        self.resilient = resilient if resilient is not None else ResilientOps(db)
        # Follow-up previews rendered while online, for a follow-up made offline.
        self.previews = PreviewCache()

    @property
    def rep_name(self) -> str | None:
        return self.user.name if self.user else None

    @property
    def sig_operation_executed(self) -> SignalInstance:
        """(changes, initiator) after every write: the op runner's own signal, so the
        runner is the only one that says what changed."""
        return self.runner.sig_operation_executed

    def run_op(self, fn: Callable[[], Any], initiator: object = None,
               on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               changes: ChangesOf = changes_in) -> None:
        """Run a write; the runner announces what it changed (see ``OpRunner.run_op``)."""
        self.runner.run_op(fn, initiator, on_done, on_error, changes)

    def run_query(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
                  key: str | None = None,
                  on_error: Callable[[BaseException], None] | None = None) -> None:
        """Run a read; a newer query under the same ``key`` supersedes a stale one."""
        self.runner.run(fn, on_done, on_error, key=key)
