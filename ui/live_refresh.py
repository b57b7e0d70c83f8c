"""Other clients' writes, delivered on the GUI thread.

``LiveRefresh`` owns a ``qualdesk.services.sync.ChangeWatcher`` (a plain thread) and
re-emits what it reports through signals: Qt queues a signal emitted on the watcher's
thread to this object's (GUI) thread, so no widget is ever touched from the watcher.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from qualdesk.db.engine import Database
from qualdesk.services.sync import ChangeWatcher


class LiveRefresh(QObject):
    # The new change-log position (int): something changed elsewhere; views refresh.
    sig_remote_change = Signal(object)
    # (previous, new) change-log positions: what landed in between can be asked for.
    sig_remote_span = Signal(int, int)
    # "" when the database is reachable, else why not (for AppContext.sig_db_status).
    sig_db_status = Signal(str)

    # Emitted from the watcher thread only; connected to the public signals above.
    _sig_from_thread = Signal(object)
    _sig_span_from_thread = Signal(int, int)
    _sig_status_from_thread = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None,
                 poll_interval: float = 1.0) -> None:
        super().__init__(parent)
        self.setObjectName("liveRefresh")
        self._watcher = ChangeWatcher(db, poll_interval=poll_interval,
                                      on_status=self._status_in_thread)
        self._sig_from_thread.connect(self.sig_remote_change)
        self._sig_span_from_thread.connect(self.sig_remote_span)
        self._sig_status_from_thread.connect(self.sig_db_status)

    def start(self, since: int | None = None) -> None:
        self._watcher.start(self._changed_in_thread, since=since)

    def _changed_in_thread(self, position: int) -> None:
        self._sig_span_from_thread.emit(self._watcher.previous, position)
        self._sig_from_thread.emit(position)

    def stop(self) -> None:
        self._watcher.stop()

    @property
    def position(self) -> int:
        return self._watcher.position

    def _status_in_thread(self, online: bool, reason: str) -> None:
        self._sig_status_from_thread.emit("" if online else (reason or "database unavailable"))
