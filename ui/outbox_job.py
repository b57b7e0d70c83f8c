"""Sends due emails every 30 s while the app runs (the outbox retry).

The job runs on APScheduler's worker thread and never touches a widget: it emits
``sig_outbox_processed(OutboxRun)`` (queued to the GUI thread by Qt), and there the op
runner announces what the pass changed (``what_changed.outbox_ran``), so lead panels
refresh the email's status. The job writes outside a run; ``announce`` is the runner's
one way in for such work.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from PySide6.QtCore import QObject, Signal

from qualdesk import clock
from qualdesk.errors import KnownError
from qualdesk.services.outbox import OutboxRun, process_outbox
from ui.context import AppContext
from ui.what_changed import outbox_ran

log = logging.getLogger(__name__)
JOB_ID = "qualdesk-outbox"


class OutboxJob(QObject):
    sig_outbox_processed = Signal(object)  # OutboxRun
    sig_outbox_failed = Signal(str)  # a known error (database unavailable …)

    def __init__(self, ctx: AppContext, interval_s: int = 30, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else ctx)
        self.ctx = ctx
        self.interval_s = interval_s
        self._scheduler: BackgroundScheduler | None = None
        self.sig_outbox_processed.connect(self._announce)

    def start(self) -> None:
        if self._scheduler is not None:
            return
        self._scheduler = BackgroundScheduler(daemon=True)
        self._scheduler.add_job(self.run_once, "interval", seconds=self.interval_s, id=JOB_ID,
                                max_instances=1, coalesce=True)
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def run_once(self) -> OutboxRun | None:
        """One pass (the scheduler's thread, or a test); results leave by signal only."""
        try:
            result = process_outbox(self.ctx.db, clock.now())
        except KnownError as exc:
            self.sig_outbox_failed.emit(str(exc))
            return None
        except Exception:  # a bug must not kill the scheduler; it is logged
            log.exception("outbox run failed")
            return None
        self.sig_outbox_processed.emit(result)
        return result

    def _announce(self, result: OutboxRun) -> None:
        self.ctx.runner.announce(outbox_ran(result), self)
