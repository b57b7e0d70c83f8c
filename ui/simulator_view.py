"""The team lead's staffing screen: how many reps follow up 95 % of hand raises within
the hour, under the default priority order and FIFO side by side.

The simulation is a plain function (``qualdesk.sim.staffing.run_staffing``) with a
progress/cancel state; the view runs it through the context's op runner under one key,
so a new run cancels and supersedes the stale one.
"""

from __future__ import annotations

import itertools
from enum import IntEnum
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qualdesk.errors import KnownError
from qualdesk.sim.report import DEFAULT_SEED, POLICIES
from qualdesk.sim.run_state import Cancelled, RunState
from qualdesk.sim.staffing import (
    MAX_REPS,
    TARGET_PCT,
    StaffingRequest,
    StaffingResult,
    StaffingRow,
    run_staffing,
)
from ui.context import AppContext
from ui.rows_model import RowsModel

SortRole = Qt.ItemDataRole.UserRole + 1
_QUERY_KEY = "simulator.staffing"
_Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    REPS = 0
    PRIORITY_1H = 1
    FIFO_1H = 2
    GAIN = 3
    PRIORITY_NEVER = 4
    FIFO_NEVER = 5
    PRIORITY_TOUCH = 6
    FIFO_TOUCH = 7
    PRIORITY_ATTEMPTS = 8
    FIFO_ATTEMPTS = 9


_HEADERS = {
    Column.REPS: "Reps",
    Column.PRIORITY_1H: "Priority ≤ 1 h",
    Column.FIFO_1H: "FIFO ≤ 1 h",
    Column.GAIN: "Gain (points)",
    Column.PRIORITY_NEVER: "Priority never",
    Column.FIFO_NEVER: "FIFO never",
    Column.PRIORITY_TOUCH: "Priority first touch\nmedian / p90",
    Column.FIFO_TOUCH: "FIFO first touch\nmedian / p90",
    Column.PRIORITY_ATTEMPTS: "Priority\nattempts / rep",
    Column.FIFO_ATTEMPTS: "FIFO\nattempts / rep",
}
_POLICY_OF = {
    Column.PRIORITY_1H: "priority", Column.FIFO_1H: "fifo",
    Column.PRIORITY_NEVER: "priority", Column.FIFO_NEVER: "fifo",
    Column.PRIORITY_TOUCH: "priority", Column.FIFO_TOUCH: "fifo",
    Column.PRIORITY_ATTEMPTS: "priority", Column.FIFO_ATTEMPTS: "fifo",
}


def _minutes(v: Any) -> str:
    return "—" if v is None else f"{v:g} min"


class StaffingTableModel(RowsModel):
    """One row per team size; both policies side by side (a missing policy shows —)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([_HEADERS[c] for c in Column], parent)

    def _value(self, row: StaffingRow, col: Column) -> Any:
        if col == Column.REPS:
            return row.reps
        if col == Column.GAIN:
            p, f = row.pct("priority"), row.pct("fifo")
            return None if p is None or f is None else round(p - f, 1)
        r = row.by_policy.get(_POLICY_OF[col])
        if r is None:
            return None
        if col in (Column.PRIORITY_1H, Column.FIFO_1H):
            return r["pct_within_1h"]
        if col in (Column.PRIORITY_NEVER, Column.FIFO_NEVER):
            return r["never"]
        if col in (Column.PRIORITY_TOUCH, Column.FIFO_TOUCH):
            return r["first_touch_median_min"]
        return r["attempts_per_rep_mean"]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row, col = self._rows[index.row()], Column(index.column())
        value = self._value(row, col)
        if role == SortRole:
            return value if value is not None else float("-inf")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if value is None:
            return "—"
        if col in (Column.PRIORITY_1H, Column.FIFO_1H):
            return f"{value:.1f} %"
        if col == Column.GAIN:
            return f"{value:+.1f}"
        if col in (Column.PRIORITY_TOUCH, Column.FIFO_TOUCH):
            r = row.by_policy[_POLICY_OF[col]]
            return f"{_minutes(r['first_touch_median_min'])} / {_minutes(r['first_touch_p90_min'])}"
        return str(value)


class _ProgressRelay(QObject):
    # (run token, done, total); emitted from the worker, delivered on the GUI thread.
    sig_progress = Signal(int, int, int)


class SimulatorView(QWidget):
    """Reps range, policy, seed and arrivals file in; staffing table and chart out."""

    sig_run_finished = Signal(object)  # StaffingResult

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("simulator_view")
        self.ctx = ctx
        self._tokens = itertools.count(1)
        self._token = 0
        self._state: RunState | None = None
        self._file_dialog: QFileDialog | None = None
        self.result: StaffingResult | None = None
        self._relay = _ProgressRelay(self)
        self._relay.sig_progress.connect(self._on_progress)
        self._build()

    # ---- layout ----
    def _build(self) -> None:
        self._build_inputs()
        form, buttons = self._arrange_inputs()
        self._build_table()
        self._build_chart()
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.chart)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

    def _build_inputs(self) -> None:
        """The staffing range, queue order, seed, arrivals; Run, Cancel, progress, status."""
        self.reps_from = self._spin("simulator_reps_from", 1, MAX_REPS, 2)
        self.reps_to = self._spin("simulator_reps_to", 1, MAX_REPS, 10)
        self.seed = self._spin("simulator_seed", 0, 2_000_000_000, DEFAULT_SEED)
        self.policy = QComboBox(self)
        self.policy.setObjectName("simulator_policy")
        self.policy.addItem("Priority and FIFO, side by side", POLICIES)
        self.policy.addItem("Priority only", ("priority",))
        self.policy.addItem("FIFO only", ("fifo",))
        self.arrivals = QLineEdit(self)
        self.arrivals.setObjectName("simulator_arrivals")
        self.arrivals.setPlaceholderText("built-in day (leave empty), or a CSV: at[,kind] / Technion")
        self.browse = QPushButton("Browse…", self)
        self.browse.setObjectName("simulator_browse")
        self.browse.clicked.connect(self.choose_arrivals)
        self.run_button = QPushButton("Run", self)
        self.run_button.setObjectName("simulator_run")
        self.run_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.run_button.setToolTip("Run the simulation (Ctrl+Enter)")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("simulator_cancel")
        self.cancel_button.setToolTip("Stop the running simulation (Esc)")
        self.cancel_button.setShortcut(QKeySequence("Escape"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("simulator_progress")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.status = QLabel("Choose a staffing range and press Run.", self)
        self.status.setObjectName("simulator_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _arrange_inputs(self) -> tuple[QFormLayout, QHBoxLayout]:
        """The inputs as a form, and the run buttons beside the progress bar."""
        reps = QHBoxLayout()
        reps.addWidget(self.reps_from)
        reps.addWidget(QLabel("to", self))
        reps.addWidget(self.reps_to)
        reps.addStretch(1)
        arrivals = QHBoxLayout()
        arrivals.addWidget(self.arrivals, 1)
        arrivals.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("Reps", reps)
        form.addRow("Queue order", self.policy)
        form.addRow("Seed", self.seed)
        form.addRow("Arrivals", arrivals)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)
        return form, buttons

    def _build_table(self) -> None:
        """One row per staffing level, both queue orders side by side."""
        self.model = StaffingTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("simulator_table")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def _build_chart(self) -> None:
        """% followed up within 1 h against reps, one curve per queue order."""
        # Follow the desktop's light/dark palette rather than pyqtgraph's black default.
        pal = self.palette()
        self.chart = pg.PlotWidget(self, background=pal.base().color())
        self.chart.setObjectName("simulator_chart")
        self.chart.setMinimumHeight(self.fontMetrics().height() * 14)
        for axis in ("bottom", "left"):
            self.chart.getAxis(axis).setTextPen(pal.text().color())
            self.chart.getAxis(axis).setPen(pal.text().color())
        self.chart.setLabel("bottom", "reps")
        self.chart.setLabel("left", "% followed up within 1 h")
        self.chart.setYRange(0, 100)
        self.chart.showGrid(x=True, y=True, alpha=0.3)
        self.chart.addLegend()
        self.chart.addItem(pg.InfiniteLine(pos=TARGET_PCT, angle=0, movable=False,
                                           pen=pg.mkPen(style=Qt.PenStyle.DotLine),
                                           label=f"{TARGET_PCT:g} %"))
        # Told apart by line style and marker as well as colour (colour-blind safe).
        self.curves = {
            "priority": self.chart.plot([], [], name="priority", symbol="o", symbolBrush="#1f77b4",
                                        pen=pg.mkPen("#1f77b4", width=2)),
            "fifo": self.chart.plot([], [], name="FIFO", symbol="t", symbolBrush="#ff7f0e",
                                    pen=pg.mkPen("#ff7f0e", width=2, style=Qt.PenStyle.DashLine)),
        }
        # The x axis is the staffing range asked for, before any run (not pyqtgraph's 0-1).
        self.reps_from.valueChanged.connect(self._fit_reps_axis)
        self.reps_to.valueChanged.connect(self._fit_reps_axis)
        self._fit_reps_axis()

    def _fit_reps_axis(self) -> None:
        lo, hi = sorted((self.reps_from.value(), self.reps_to.value()))
        self.chart.setXRange(lo, max(hi, lo + 1), padding=0.05)
        step = max(1, round((hi - lo) / 10))  # whole reps: no "2.5" tick
        self.chart.getAxis("bottom").setTickSpacing(step, step)

    def _spin(self, name: str, lo: int, hi: int, value: int) -> QSpinBox:
        s = QSpinBox(self)
        s.setObjectName(name)
        s.setRange(lo, hi)
        s.setValue(value)
        return s

    # ---- inputs ----
    def choose_arrivals(self) -> None:
        dlg = QFileDialog(self, "Arrivals file", "", "CSV files (*.csv);;All files (*)")
        dlg.setObjectName("simulator_file_dialog")
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dlg.fileSelected.connect(self.arrivals.setText)
        self._file_dialog = dlg
        dlg.open()

    def request(self) -> StaffingRequest:
        lo, hi = self.reps_from.value(), self.reps_to.value()
        text = self.arrivals.text().strip()
        return StaffingRequest(reps=(min(lo, hi), max(lo, hi)), policies=tuple(self.policy.currentData()),
                               seed=self.seed.value(), arrivals=Path(text) if text else None)

    # ---- running ----
    def run(self) -> None:
        """Start a run; a run still going is cancelled and its result dropped."""
        if self._state is not None:
            self._state.cancel()
        req = self.request()
        token = next(self._tokens)
        self._token = token
        relay = self._relay
        state = RunState(on_progress=lambda done, total: relay.sig_progress.emit(token, done, total))
        self._state = state
        self.progress.setValue(0)
        self.cancel_button.setEnabled(True)
        self.status.setText(f"Simulating {req.reps[0]}–{req.reps[1]} reps…")
        self.ctx.run_query(lambda: run_staffing(req, state), self._on_done, key=_QUERY_KEY,
                           on_error=lambda exc: self._on_error(token, exc))

    def cancel(self) -> None:
        if self._state is not None:
            self._state.cancel()

    def _on_progress(self, token: int, done: int, total: int) -> None:
        if token == self._token and total > 0:
            self.progress.setValue(round(1000 * done / total))

    def _finish(self) -> None:
        self._state = None
        self.cancel_button.setEnabled(False)

    def _on_error(self, token: int, exc: BaseException) -> None:
        if token != self._token:
            return
        self._finish()
        if isinstance(exc, Cancelled):
            self.status.setText("Cancelled.")
        elif isinstance(exc, KnownError):
            self.status.setText(f"Cannot simulate: {exc}")
        else:
            self.ctx.runner.report(exc)

    def _on_done(self, result: StaffingResult) -> None:
        self._finish()
        self.progress.setValue(1000)
        self.result = result
        self.model.set_rows(result.rows)
        for policy, curve in self.curves.items():
            pts = [(r.reps, r.pct(policy)) for r in result.rows if r.pct(policy) is not None]
            curve.setData([x for x, _ in pts], [y for _, y in pts])
        src = result.request.arrivals.name if result.request.arrivals else "built-in day"
        lines = [f"{result.hand_raises} hand raises ({src}), seed {result.request.seed}."]
        self.status.setText("\n".join(lines + [s[0].upper() + s[1:] + "." for s in result.verdict.lines()]))
        self.sig_run_finished.emit(result)
