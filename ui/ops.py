"""Off the GUI thread and back on it.

``OpRunner.run(fn, on_done, on_error)`` runs ``fn`` in a thread pool and delivers its
result (or its exception) on the GUI thread. Known errors (``KnownError``) go to the
banner; anything else to the crash dialog. Tests use ``SyncRunner``, which runs
everything at once on the calling thread (picard's FakeThreadPool idea).

A new run under the same ``key`` supersedes the stale one: its result is dropped.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    # Emitted from the worker; Qt queues it to the relay's (GUI) thread.
    finished = Signal(int, object, object)


class _Task(QRunnable):
    def __init__(self, ticket: int, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.ticket, self.fn, self.relay = ticket, fn, relay

    def run(self) -> None:
        try:
            result, error = self.fn(), None
        except BaseException as exc:  # delivered to the GUI thread, never lost
            result, error = None, exc
            error.__qualdesk_tb__ = traceback.format_exc()  # type: ignore[attr-defined]
        self.relay.finished.emit(self.ticket, result, error)


class OpRunner(QObject):
    """Runs core calls in a pool; results arrive on the GUI thread."""

    sig_error_known = Signal(str)
    sig_error_bug = Signal(str, str)
    sig_busy_changed = Signal(int)

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._tickets = itertools.count(1)
        self._pending: dict[int, tuple[Done | None, Failed | None, str | None]] = {}
        self._latest: dict[str, int] = {}

    def run(self, fn: Callable[[], Any], on_done: Done | None = None,
            on_error: Failed | None = None, key: str | None = None) -> None:
        ticket = next(self._tickets)
        self._pending[ticket] = (on_done, on_error, key)
        if key is not None:
            self._latest[key] = ticket
        self.sig_busy_changed.emit(len(self._pending))
        self.pool.start(_Task(ticket, fn, self._relay))

    def _on_finished(self, ticket: int, result: Any, error: BaseException | None) -> None:
        on_done, on_error, key = self._pending.pop(ticket, (None, None, None))
        self.sig_busy_changed.emit(len(self._pending))
        if key is not None and self._latest.get(key) != ticket:
            return  # superseded by a newer run
        deliver(result, error, on_done, on_error, self)

    def wait(self, msecs: int = 10000) -> bool:
        return self.pool.waitForDone(msecs)

    @property
    def busy(self) -> int:
        return len(self._pending)


def deliver(result: Any, error: BaseException | None, on_done: Done | None,
            on_error: Failed | None, runner: OpRunner | SyncRunner) -> None:
    from qualdesk.errors import KnownError

    if error is None:
        if on_done is not None:
            on_done(result)
        return
    if on_error is not None:
        on_error(error)
    elif isinstance(error, KnownError):
        runner.sig_error_known.emit(str(error))
    else:
        tb = getattr(error, "__qualdesk_tb__", "") or "".join(
            traceback.format_exception(type(error), error, error.__traceback__))
        log.error("operation failed: %s\n%s", error, tb)
        runner.sig_error_bug.emit(f"{type(error).__name__}: {error}", tb)


class SyncRunner(QObject):
    """Same interface, runs at once on the calling thread (tests)."""

    sig_error_known = Signal(str)
    sig_error_bug = Signal(str, str)
    sig_busy_changed = Signal(int)

    def run(self, fn: Callable[[], Any], on_done: Done | None = None,
            on_error: Failed | None = None, key: str | None = None) -> None:
        try:
            result, error = fn(), None
        except BaseException as exc:
            result, error = None, exc
        deliver(result, error, on_done, on_error, self)

    def wait(self, msecs: int = 0) -> bool:
        return True

    @property
    def busy(self) -> int:
        return 0
