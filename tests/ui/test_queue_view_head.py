"""The queue view's first load shows the head of the queue (callbacks due, leads in their
clock) before the rest; later refreshes never shrink the queue to its head."""

from __future__ import annotations

from ui.context import AppContext
from ui.ops import OpRunner
from ui.queue_model import Column
from ui.queue_view import QueueView


def _names(view: QueueView) -> list[str]:
    m = view.model
    return [m.index(r, Column.NAME).data() for r in range(m.rowCount())]


def test_head_first_then_the_whole_queue(qtbot, ctx, frozen) -> None:
    view = QueueView(ctx)
    qtbot.addWidget(view)
    view.tick_timer.stop()
    view.refresh_timer.stop()
    shown: list[tuple[list[str], str]] = []
    view.model.modelReset.connect(lambda: shown.append((_names(view), view.summary.text())))
    view.refresh()
    # Alice and Bob are in their clock (tier 2); Carol is breached (tier 3): she comes
    # with the rest. (The summary is written after each reset: the text seen at the
    # second reset is the head's.)
    assert shown == [(["Alice Able", "Bob Brown"], ""),
                     (["Alice Able", "Bob Brown", "Carol Chen"],
                      "Top 2 leads of your queue · loading the rest…")]
    assert view.summary.text() == "3 leads in your queue · 1 held back"
    assert view.loaded_once and view.first_rows_at is not None
    shown.clear()
    view.refresh()
    assert [names for names, _ in shown] == [["Alice Able", "Bob Brown", "Carol Chen"]]


def test_show_held_loads_the_held_rows(qtbot, ctx) -> None:
    view = QueueView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    assert view.model.rowCount() == 3 and view.model.held_count() == 1
    assert not view.model.held_rows_loaded()  # counted, not built
    view.held_check.setChecked(True)
    assert _names(view) == ["Alice Able", "Bob Brown", "Carol Chen", "Dan Diaz"]
    assert view.model.held_rows_loaded()


def test_first_load_through_the_thread_pool(qtbot, sqlite_db, seeded, frozen) -> None:
    runner = OpRunner()
    view = QueueView(AppContext(sqlite_db, seeded.rep, runner))
    qtbot.addWidget(view)
    view.refresh_timer.stop()
    view.refresh()
    qtbot.waitUntil(lambda: view.loaded_once, timeout=5000)
    assert runner.wait(5000)
    qtbot.wait(50)  # a late head must not replace the full queue
    assert _names(view) == ["Alice Able", "Bob Brown", "Carol Chen"]
    assert view.summary.text() == "3 leads in your queue · 1 held back"
