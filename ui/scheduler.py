"""APScheduler wiring: due callbacks and hand raises about to breach raise a tray
notification, even when the window is behind another.

``QtScheduler`` runs its jobs on a worker thread, so a job never touches a widget: it
asks the core what is due and emits a signal; Qt delivers it on the GUI thread, where
already-announced alerts are dropped and the new ones go on to the tray.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

from qualdesk.db.engine import Database
from qualdesk.errors import KnownError
from qualdesk.services.alerts import Alert, upcoming_alerts

log = logging.getLogger(__name__)


class AlertScheduler(QObject):
    sig_alerts_found = Signal(object)  # list[Alert], emitted on the worker thread
    sig_new_alerts = Signal(object)  # list[Alert] not announced before (GUI thread)

    def __init__(self, db: Database, rep_name: str | None, parent: QObject | None = None,
                 interval_seconds: int = 30, warn_minutes: int = 10) -> None:
        super().__init__(parent)
        self.setObjectName("alert_scheduler")
        self.db = db
        self.rep_name = rep_name
        self.interval_seconds = interval_seconds
        self.warn_minutes = warn_minutes
        self._seen: set[str] = set()
        self._scheduler: Any = None
        self.sig_alerts_found.connect(self._on_found)

    def start(self) -> None:
        from apscheduler.schedulers.qt import QtScheduler

        self._scheduler = QtScheduler(timezone=UTC)
        self._scheduler.add_job(self.check, "interval", seconds=self.interval_seconds,
                                next_run_time=datetime.now(UTC), id="qualdesk-alerts",
                                coalesce=True, max_instances=1)
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def check(self) -> None:
        """The job body (worker thread): ask the core, hand the answer over by signal."""
        try:
            alerts = upcoming_alerts(self.db, self.rep_name, warn_minutes=self.warn_minutes)
        except KnownError as exc:
            log.warning("alert check skipped: %s", exc)
            return
        self.sig_alerts_found.emit(alerts)

    def _on_found(self, alerts: list[Alert]) -> None:
        fresh = [a for a in alerts if a.key not in self._seen]
        self._seen.update(a.key for a in fresh)
        if fresh:
            self.sig_new_alerts.emit(fresh)
