"""One tray notification when a new hand raise lands at the top of the rep's queue.

The queue view reloads whenever live sync reports a write (a receiver committing a
hand raise is one). After each load this looks at the head of the queue, in the queue's
own order whatever the table's sort: if it is a hand raise this client had not seen in
the previous load (a new lead, or a known lead raising its hand again), the rep hears
about it once. A burst of arrivals inside ``quiet_ms`` makes one notification naming
the newest head and how many arrived, not a stack of balloons.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from qualdesk import clock
from qualdesk.domain.countdown import CountdownState, countdown
from qualdesk.services.queue_rows import QueueRow
from ui import labels
from ui.queue_model import QueueModel

ArrivalKey = tuple[int, datetime]


def head_row(model: QueueModel) -> QueueRow | None:
    """The first offered lead in queue order (position 1), even with the table sorted."""
    n = model.rowCount()
    if n and model.row_record(0).position == 1:
        return model.row_record(0)
    for i in range(n):
        r = model.row_record(i)
        if r.position == 1:
            return r
    return None


def arrival_text(row: QueueRow, now: datetime) -> str:
    """'Dana O'Neil (Brick & Mortar) — demo request, 59:12 left'."""
    who = row.name + (f" ({row.company})" if row.company else "")
    kind = labels.hand_raise(row.kind).lower() if row.kind else "hand raise"
    cd = countdown(row.deadline, now)
    clock_part = ("" if cd.state is CountdownState.NONE else
                  f", breached {cd.clock.lstrip('+')} ago" if cd.state is CountdownState.BREACHED
                  else f", {cd.clock} left")
    return f"{who} — {kind}{clock_part}"


class TopArrival(QObject):
    """Watches ``model`` after each load (``check``); emits (title, message) for the tray."""

    sig_arrived = Signal(str, str)

    def __init__(self, model: QueueModel, parent: QObject | None = None,
                 quiet_ms: int = 10_000) -> None:
        super().__init__(parent)
        self.setObjectName("top_arrival")
        self.model = model
        self._known: set[ArrivalKey] | None = None  # None until the first load is seen
        self._waiting = 0  # arrivals held back by the quiet period
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(quiet_ms)
        self._quiet.timeout.connect(self._after_quiet)
        self.notified: list[tuple[str, str]] = []

    def prime(self) -> None:
        """What the queue holds now is not news (the app just started)."""
        self._known = self._keys()

    def _keys(self) -> set[ArrivalKey]:
        m = self.model
        return {(r.lead_id, r.raised_at) for r in (m.row_record(i) for i in range(m.rowCount()))
                if r.raised_at is not None and not r.held}

    def check(self, *_: object) -> None:
        """After a queue load: is the head a hand raise the last load did not have?"""
        known, now_keys = self._known, self._keys()
        self._known = now_keys
        head = head_row(self.model)
        if known is None or head is None or head.raised_at is None:
            return
        if (head.lead_id, head.raised_at) in known:
            return
        if self._quiet.isActive():
            self._waiting += 1  # told once the quiet period ends
            return
        self._notify(head, 1)
        self._quiet.start()

    def _after_quiet(self) -> None:
        if self._waiting:
            head = head_row(self.model)
            if head is not None:
                self._notify(head, self._waiting)
                self._quiet.start()
            self._waiting = 0

    def _notify(self, head: QueueRow, count: int) -> None:
        title = ("New hand raise at the top of your queue" if count == 1 else
                 f"{count} new hand raises reached the top of your queue")
        message = arrival_text(head, clock.now())
        self.notified.append((title, message))
        self.sig_arrived.emit(title, message)
