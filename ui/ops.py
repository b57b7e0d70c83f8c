"""Off the GUI thread and back on it, and the one place that says what a write changed.

``runner.run(fn, on_done, on_error)`` runs ``fn`` in a thread pool and delivers its
result (or its exception) on the GUI thread. Tests use ``SyncRunner``, which runs
everything at once on the calling thread (picard's FakeThreadPool idea).

Writes go through ``runner.run_op(...)`` only: the write answers with ``Changes`` (or a
result carrying ``.changes``, or the caller names the rule that derives them), and the
runner announces them once on ``sig_operation_executed`` for every view. Work that
writes outside a run (the outbox job, the offline replay, another client's writes seen
by live sync) announces through ``runner.announce(...)``; no view emits the signal.

A failure nobody handles goes to ``runner.report(exc)``: a ``KnownError`` to the banner,
anything else to the crash dialog with its traceback. The type decides, never the
traceback's text.

A new run under the same ``key`` supersedes the stale one: its result is dropped.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from qualdesk.domain.records import Changes
from qualdesk.errors import KnownError

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]
ChangesOf = Callable[[Any], Changes]
NOTHING = Changes()


def changes_in(result: Any) -> Changes:
    """The ``Changes`` a write answered with: itself, or its ``.changes``."""
    if isinstance(result, Changes):
        return result
    carried = getattr(result, "changes", None)
    return carried if isinstance(carried, Changes) else NOTHING


def bug_details(exc: BaseException) -> str:
    """The traceback of a bug: the worker's (kept when it failed), else its own; never
    empty (an exception that was never raised still shows its type and message)."""
    return getattr(exc, "__qualdesk_tb__", "") or "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__))


def receiver_alive(callback: Callable[..., Any]) -> bool:
    """False for a method of a Qt object that is gone (its window closed while the op
    ran): a late result has nowhere to go and is dropped, not delivered to a dead widget."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class _Runner(QObject):
    """What both runners share: the signals, ``run_op``, ``announce`` and ``report``."""

    sig_error_known = Signal(str)
    sig_error_bug = Signal(str, str)
    sig_busy_changed = Signal(int)
    # (changes, initiator): initiator is the object that asked for the write, so it
    # can skip refreshing what it already shows.
    sig_operation_executed = Signal(object, object)

    def run(self, fn: Callable[[], Any], on_done: Done | None = None,
            on_error: Failed | None = None, key: str | None = None) -> None:
        raise NotImplementedError

    def run_op(self, fn: Callable[[], Any], initiator: object = None,
               on_done: Done | None = None, on_error: Failed | None = None,
               changes: ChangesOf = changes_in) -> None:
        """Run a write; on success announce what it changed (``changes(result)``), then
        hand the result to ``on_done``. A failure goes to ``on_error``, else ``report``."""

        def done(result: Any) -> None:
            self.announce(changes(result), initiator)
            if on_done is not None and receiver_alive(on_done):
                on_done(result)

        self.run(fn, done, on_error)

    def announce(self, changes: Changes, initiator: object = None) -> None:
        """Tell every view what changed (GUI thread only); nothing changed, nothing said."""
        if changes != NOTHING:
            self.sig_operation_executed.emit(changes, initiator)

    def report(self, exc: BaseException) -> None:
        """A failure no caller handled: the banner for a known error, the crash dialog
        (and the log) for a bug."""
        if isinstance(exc, KnownError):
            self.sig_error_known.emit(str(exc))
            return
        details = bug_details(exc)
        log.error("operation failed: %s\n%s", exc, details)
        self.sig_error_bug.emit(f"{type(exc).__name__}: {exc}", details)

    def _deliver(self, result: Any, error: BaseException | None, on_done: Done | None,
                 on_error: Failed | None) -> None:
        if error is None:
            if on_done is not None and receiver_alive(on_done):
                on_done(result)
        elif on_error is not None:
            if receiver_alive(on_error):
                on_error(error)
        else:
            self.report(error)


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


class OpRunner(_Runner):
    """Runs core calls in a pool; results arrive on the GUI thread."""

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
        self._deliver(result, error, on_done, on_error)

    def wait(self, msecs: int = 10000) -> bool:
        return self.pool.waitForDone(msecs)

    @property
    def busy(self) -> int:
        return len(self._pending)


class SyncRunner(_Runner):
    """Same interface, runs at once on the calling thread (tests)."""

    def run(self, fn: Callable[[], Any], on_done: Done | None = None,
            on_error: Failed | None = None, key: str | None = None) -> None:
        try:
            result, error = fn(), None
        except BaseException as exc:
            result, error = None, exc
        self._deliver(result, error, on_done, on_error)

    def wait(self, msecs: int = 0) -> bool:
        return True

    @property
    def busy(self) -> int:
        return 0
