"""The staffing screen: runs the simulator through the op runner, shows both policies side
by side in the table and the chart, cancels and supersedes stale runs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from qualdesk.db.engine import Database
from ui.context import AppContext
from ui.ops import OpRunner, SyncRunner
from ui.simulator_view import Column, SimulatorView, StaffingTableModel


def make_view(qtbot, db: Database, runner: OpRunner | SyncRunner) -> SimulatorView:
    view = SimulatorView(AppContext(db, None, runner))
    qtbot.addWidget(view)
    view.show()
    return view


def test_run_fills_table_chart_and_verdict(qtbot, qtmodeltester, sqlite_db: Database) -> None:
    view = make_view(qtbot, sqlite_db, SyncRunner())
    view.reps_from.setValue(2)
    view.reps_to.setValue(4)
    with qtbot.waitSignal(view.sig_run_finished, timeout=60000):
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    m = view.model
    assert m.rowCount() == 3
    assert [m.index(r, Column.REPS).data() for r in range(3)] == ["2", "3", "4"]
    # Short-staffed, the default order saves more hand raises within the hour than FIFO.
    gains = [float(m.index(r, Column.GAIN).data()) for r in range(3)]
    assert all(g > 5 for g in gains)
    assert m.index(0, Column.PRIORITY_1H).data().endswith(" %")
    assert view.result is not None
    rows = view.result.rows
    assert m.index(0, Column.FIFO_1H).data() == f"{rows[0].pct('fifo'):.1f} %"
    xs, ys = view.curves["priority"].getData()
    assert list(xs) == [2, 3, 4]
    assert list(ys) == [r.pct("priority") for r in rows]
    assert "Priority beats FIFO by up to" in view.status.text()
    assert "FIFO: 95% followed up within 1 h" in view.status.text()
    assert view.progress.value() == 1000
    assert not view.cancel_button.isEnabled()
    # A model of its own: the view's is deleted with the widget before the tester's cleanup.
    own = StaffingTableModel()
    own.set_rows(rows)
    qtmodeltester.check(own, force_py=True)


def test_one_policy_leaves_the_other_columns_empty(qtbot, sqlite_db: Database) -> None:
    view = make_view(qtbot, sqlite_db, SyncRunner())
    view.reps_from.setValue(5)
    view.reps_to.setValue(5)
    view.policy.setCurrentIndex(2)  # FIFO only
    view.run()
    assert view.model.index(0, Column.PRIORITY_1H).data() == "—"
    assert view.model.index(0, Column.GAIN).data() == "—"
    assert view.model.index(0, Column.FIFO_1H).data() != "—"


def test_bad_arrivals_file_is_shown_not_raised(qtbot, sqlite_db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "a.csv"
    bad.write_text("at\nlunchtime\n", encoding="utf-8")
    view = make_view(qtbot, sqlite_db, SyncRunner())
    view.arrivals.setText(str(bad))
    view.run()
    assert view.status.text().startswith("Cannot simulate:")
    assert "row 2, at='lunchtime'" in view.status.text()
    assert view.model.rowCount() == 0


def test_new_run_cancels_the_stale_one(qtbot, sqlite_db: Database) -> None:
    runner = OpRunner(max_threads=2)
    view = make_view(qtbot, sqlite_db, runner)
    view.reps_from.setValue(2)
    view.reps_to.setValue(12)
    view.run()
    stale = view._state
    view.reps_to.setValue(3)
    with qtbot.waitSignal(view.sig_run_finished, timeout=60000) as sig:
        view.run()
    assert stale is not None and stale.cancelled
    assert sig.args[0].request.reps == (2, 3)
    assert view.model.rowCount() == 2
    assert runner.wait(30000)
    qtbot.waitUntil(lambda: runner.busy == 0)
    assert view.model.rowCount() == 2  # the stale run's result never arrived


def test_cancel_button(qtbot, sqlite_db: Database) -> None:
    runner = OpRunner(max_threads=1)
    view = make_view(qtbot, sqlite_db, runner)
    view.reps_from.setValue(2)
    view.reps_to.setValue(12)
    view.run()
    assert view.cancel_button.isEnabled()
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.status.text() == "Cancelled.", timeout=30000)
    assert view.model.rowCount() == 0
    assert not view.cancel_button.isEnabled()
    assert runner.wait(30000)


def test_browse_fills_the_arrivals_field(qtbot, sqlite_db: Database) -> None:
    view = make_view(qtbot, sqlite_db, SyncRunner())
    qtbot.mouseClick(view.browse, Qt.MouseButton.LeftButton)
    dlg = view._file_dialog
    assert dlg is not None and dlg.isVisible()
    dlg.fileSelected.emit("/data/arrivals.csv")
    dlg.reject()
    assert view.arrivals.text() == "/data/arrivals.csv"
    assert view.request().arrivals == Path("/data/arrivals.csv")


def test_the_chart_spans_the_staffing_range_before_any_run(qtbot, sqlite_db: Database) -> None:
    view = make_view(qtbot, sqlite_db, SyncRunner())
    lo, hi = view.chart.getViewBox().viewRange()[0]
    assert lo < 2 <= 10 < hi and hi - lo < 10  # 2..10 reps, a little padding
    view.reps_from.setValue(4)
    view.reps_to.setValue(6)
    lo, hi = view.chart.getViewBox().viewRange()[0]
    assert lo < 4 <= 6 < hi < 7
