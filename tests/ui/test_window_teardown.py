"""Closing the main window while work is still on its way: the features' jobs stop, the
window's coalescing timers die with it, and results that arrive after it is gone are
dropped. pytest-qt fails a test on any exception raised in the event loop, so a late
result landing on a deleted widget ("Internal C++ object already deleted") fails here."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from qualdesk.db.engine import Database
from qualdesk.services import audit
from qualdesk.services.sync import current_position
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.ops import OpRunner


@pytest.fixture
def window(qtbot, sqlite_db: Database, seeded) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    # One worker thread: a gate taken first holds back every op asked after it.
    ctx = AppContext(sqlite_db, seeded.rep, OpRunner(max_threads=1))
    w = MainWindow(ctx)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.queue.loaded_once, timeout=10_000)
    ctx.runner.wait()
    QApplication.processEvents()  # the first load's follow-up reads have landed
    yield w
    if shiboken6.isValid(w):  # a window left alive would take the next test's keys
        _destroy(w)
    ctx.runner.wait()


def _hold(runner: OpRunner) -> threading.Event:
    """Occupy the runner's only thread; what the window asks next stays in flight."""
    gate = threading.Event()
    runner.run(lambda: gate.wait(10))
    return gate


def _destroy(w: MainWindow) -> None:
    """What closing the app does to the window: closed, then deleted."""
    if w.isVisible():
        w.close()
    w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(w)


def test_results_that_arrive_after_the_window_is_gone_are_dropped(qtbot, window: MainWindow,
                                                                  sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    runner = window.ctx.runner
    assert isinstance(runner, OpRunner)
    announced: list[object] = []
    runner.sig_operation_executed.connect(lambda changes, _who: announced.append(changes))
    gate = _hold(runner)
    window.retry()  # the queue and the lead panel reload
    window.features.sync_status.refresh_now()
    assert runner.busy >= 3  # the gate and the window's reads, all waiting
    _destroy(window)
    gate.set()
    assert runner.wait()
    QApplication.processEvents()
    qtbot.wait(50)
    assert runner.busy == 0 and announced == []


def test_closing_stops_the_jobs_and_the_pending_reloads(qtbot, window: MainWindow,
                                                         sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    window.start_background()
    features, live = window.features, window.live
    assert live is not None and features.running
    assert features.outbox_job is not None and features.outbox_job.running
    before = current_position(sqlite_db)
    with sqlite_db.session() as s:  # another client changes the team's settings
        audit.bump(s, "settings")
    refreshes: list[int] = []
    window.queue.sig_loaded.connect(lambda *_: refreshes.append(1))
    # What the live watcher delivers for it: a reload and a settings check, 250 ms later.
    live.sig_remote_change.emit(current_position(sqlite_db))
    live.sig_remote_span.emit(before, current_position(sqlite_db))
    window.close()
    assert not features.running and not features.outbox_job.running
    assert not features.sync_status.timer.isActive()
    _destroy(window)
    qtbot.wait(400)  # past the coalescing delay: nothing fires on the deleted window
    QApplication.processEvents()
    assert refreshes == []


def test_a_window_closed_but_not_deleted_ignores_late_reloads(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.start_background()
    assert window.live is not None
    loads: list[int] = []
    window.queue.sig_loaded.connect(lambda *_: loads.append(1))
    window.live.sig_remote_change.emit(1)
    window.close()
    qtbot.wait(400)
    window.retry()  # the banner's Retry, clicked as the window went
    window.ctx.runner.wait()
    QApplication.processEvents()
    assert loads == []
