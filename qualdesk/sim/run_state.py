"""Progress and cancellation for long simulation runs (orange3's TaskState idea): the
run is a plain function that reports progress and checks a flag; the caller cancels."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancelled(Exception):
    """The run was cancelled by its caller (e.g. superseded by a newer run)."""


class RunState:
    def __init__(self, on_progress: Callable[[int, int], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._on_progress = on_progress

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled("simulation cancelled")

    def progress(self, done: int, total: int) -> None:
        self.check()
        if self._on_progress is not None:
            self._on_progress(done, total)
