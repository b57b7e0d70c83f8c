"""What every window and view shares: the database, who is signed in, the op runner,
and the one app-wide signal that says a write happened.

Views never build SQL and never hold an ORM object: they call ``qualdesk.services``
through ``ctx.runner.run(...)`` and refresh when ``sig_operation_executed`` says the
changes concern them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from qualdesk.db.engine import Database
from qualdesk.domain.records import Changes, UserRecord
from qualdesk.offline.previews import PreviewCache
from qualdesk.offline.resilient import ResilientOps
from ui.ops import OpRunner, SyncRunner


class AppContext(QObject):
    # (changes, initiator): initiator is the object that asked for the write, so it
    # can skip refreshing what it already shows.
    sig_operation_executed = Signal(object, object)
    sig_user_changed = Signal(object)
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

    def run_op(self, fn: Callable[[], Changes], initiator: object = None,
               on_done: Callable[[Changes], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> None:
        """Run a write; on success announce its ``Changes`` to every view."""

        def done(changes: Any) -> None:
            if isinstance(changes, Changes):
                self.sig_operation_executed.emit(changes, initiator)
            if on_done is not None:
                on_done(changes)

        self.runner.run(fn, done, on_error)

    def run_query(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
                  key: str | None = None,
                  on_error: Callable[[BaseException], None] | None = None) -> None:
        """Run a read; a newer query under the same ``key`` supersedes a stale one."""
        self.runner.run(fn, on_done, on_error, key=key)

    def set_user(self, user: UserRecord | None) -> None:
        self.user = user
        self.sig_user_changed.emit(user)
