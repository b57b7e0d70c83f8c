"""The claim on the lead on screen: kept alive while it is shown, ended when the rep
moves on or quits (issue 17, trap 5), so no lead stays locked to a rep who left it.

A crashed client's claims still lapse by their lease (the server's rule).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from qualdesk.services import claims as claims_svc
from qualdesk.services import queue as queue_svc
from ui.context import AppContext


class LeaseKeeper(QObject):
    sig_lapsed = Signal(int)  # the lead whose claim lapsed while on screen

    HEARTBEAT_MS = 60_000

    def __init__(self, ctx: AppContext, initiator: QObject,
                 on_screen: Callable[[], int | None]) -> None:
        super().__init__(initiator)
        self.ctx, self.initiator, self.on_screen = ctx, initiator, on_screen
        self.timer = QTimer(self)
        self.timer.setObjectName("lead_heartbeat_timer")
        self.timer.setInterval(self.HEARTBEAT_MS)
        self.timer.timeout.connect(self.heartbeat)

    def heartbeat(self) -> None:
        rep, lead_id = self.ctx.rep_name, self.on_screen()
        if rep is None or lead_id is None:
            return
        db = self.ctx.db
        self.ctx.run_op(lambda: queue_svc.heartbeat(db, lead_id, rep), self.initiator,
                        lambda expires: self._on_heartbeat(lead_id, expires))

    def _on_heartbeat(self, lead_id: int, expires: datetime | None) -> None:
        if expires is None and lead_id == self.on_screen():
            self.sig_lapsed.emit(lead_id)

    def leave(self, lead_id: int) -> None:
        """The rep moves on from a lead without a disposition: its claim ends now, not when
        the lease runs out (a disposition already ended it: then nothing changes)."""
        rep, db = self.ctx.rep_name, self.ctx.db
        if rep is None:
            return
        self.ctx.run_op(lambda: claims_svc.end_claims(db, rep, lead_id), self.initiator,
                        on_error=lambda _exc: None)

    def end_all(self, wait_ms: int) -> None:
        """Quitting ends every claim the rep holds (here or in an older window), so no lead
        stays locked and the floor shows nobody on a lead after they left. Waits briefly
        for the database; a client that cannot reach it leaves the leases to lapse."""
        rep, db = self.ctx.rep_name, self.ctx.db
        self.timer.stop()
        if rep is None:
            return
        self.ctx.runner.run(lambda: claims_svc.end_claims(db, rep), None, lambda _exc: None)
        self.ctx.runner.wait(wait_ms)
