"""The status-bar indicator for the shared database and the offline outbox:
"online", "offline — N changes waiting", "syncing — N changes waiting", and the
conflicts a replay found (shown, never dropped).

One timer asks ``ResilientOps.sync()`` (through the op runner, off the GUI thread) every
few seconds: it probes the database and replays the outbox when the database is back. A
replay is a write: it runs through ``run_op``, so the runner announces the leads it
touched (``what_changed.replayed``), and no replay's outcome is dropped for a newer one.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from qualdesk.offline.replay import Outcome
from qualdesk.offline.resilient import ResilientOps, SyncReport
from ui.what_changed import replayed


def status_text(report: SyncReport) -> str:
    n = report.pending
    waiting = f"{n} change{'s' if n != 1 else ''} waiting"
    if not report.online:
        return f"offline — {waiting}"
    return f"syncing — {waiting}" if n else "online"


class SyncStatusWidget(QWidget):
    # Replay outcomes the rep must see (conflicts and refusals), as a list of Outcome.
    sig_conflicts_found = Signal(object)

    def __init__(self, ctx: Any, parent: QWidget | None = None,
                 ops: ResilientOps | None = None, interval_ms: int = 3000) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.ctx = ctx
        self.ops = ops or getattr(ctx, "resilient", None) or ResilientOps(ctx.db)
        self.conflicts: list[Outcome] = []
        self.last_report: SyncReport | None = None
        self.open_url = QDesktopServices.openUrl  # injectable: tests never launch a client
        self.label = QLabel("online", self)
        self.label.setObjectName("syncStatusLabel")
        self.button = QToolButton(self)
        self.button.setObjectName("syncNowButton")
        self.button.setText("Sync now")
        self.button.setToolTip("Try the shared database now and send what is waiting")
        self.button.clicked.connect(self.refresh_now)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label)
        lay.addWidget(self.button)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh_now)
        if hasattr(ctx, "sig_db_status"):
            ctx.sig_db_status.connect(self._on_db_status)

    def start(self) -> None:
        self.timer.start()
        self.refresh_now()

    def stop(self) -> None:
        self.timer.stop()

    def refresh_now(self, *_: object) -> None:
        self.ctx.run_op(self.ops.sync, self, self.show_report, changes=replayed)

    def show_report(self, report: SyncReport) -> None:
        self.last_report = report
        text = status_text(report)
        found = list(report.conflicts)
        if found:
            self.conflicts.extend(found)
            self.sig_conflicts_found.emit(found)
        if self.conflicts:
            n = len(self.conflicts)
            text += f" — {n} conflict{'s' if n != 1 else ''}: {self.conflicts[-1].message}"
        self.label.setText(text)
        self.label.setToolTip("\n".join(c.message for c in self.conflicts) or report.reason or text)
        for o in report.outcomes:
            # A follow-up made offline in mail-client mode: its email is written now, on
            # replay; it goes out only when the rep presses Send in the mail client, so
            # the client opens with it, as it does for a follow-up made online.
            eml = getattr(o.result, "eml_path", None)
            if eml:
                self.open_url(QUrl.fromLocalFile(eml))

    def clear_conflicts(self) -> None:
        """The rep has read them."""
        self.conflicts.clear()
        if self.last_report is not None:
            self.show_report(SyncReport(self.last_report.online, self.last_report.pending))

    def _on_db_status(self, reason: str) -> None:
        # The live-sync watcher noticed first: re-check now rather than at the next tick.
        if reason or (self.last_report is not None and not self.last_report.online):
            self.refresh_now()
