"""The lead import's progress bar: the first half is reading rows, the second writing them.

Every row is worth one unit of each half. A row's write unit is earned when the rows it
brings have reached the database (shared among its chunk's bulk inserts by row count), or
at once when it writes nothing (a skipped bad row), or when its merge is applied. When the
writes run alongside the reading (PostgreSQL), both halves fill at the same time; the bar
never moves back, and stays short of the end until the import is done.
"""

from __future__ import annotations

from qualdesk.services.intake.outcome import CancelFlag, Progress, tick


class Meter:
    def __init__(self, progress: Progress | None, cancel: CancelFlag | None, rows: int) -> None:
        self.progress, self.cancel = progress, cancel
        self.total = 2 * rows
        self.read = 0
        self.written = 0
        self._last = 0

    def tick(self) -> None:
        """Report the position (and raise ``ImportCancelled`` if the user cancelled)."""
        at = max(self._last, min(self.read + self.written, self.total - 1))
        self._last = at
        tick(self.progress, self.cancel, at, self.total)

    def earn(self, units: int) -> None:
        self.written += units

    def finish(self) -> None:
        tick(self.progress, self.cancel, self.total, self.total)
