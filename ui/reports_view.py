"""The reports view: pick a report, a period, a zone and a grouping; see it as a table
plus a chart; export it to CSV, XLSX or PDF.

Reports run in the op runner (``key="reports"``: a newer run supersedes a stale one);
bad input (reversed dates, unknown zone) shows as a one-line message, never a dialog.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.errors import KnownError
from qualdesk.services import team_settings
from qualdesk.services.reports import GROUPINGS, KINDS, run_report
from qualdesk.services.reports.export_tables import write_csv, write_xlsx
from qualdesk.services.reports.labels import is_percent
from qualdesk.services.reports.periods import make_period
from qualdesk.services.reports.tables import Report, Table
from ui import labels
from ui.charts import ReportChart
from ui.context import AppContext
from ui.report_pdf import locale_paper, write_pdf

Index = QModelIndex | QPersistentModelIndex
SortRole = Qt.ItemDataRole.UserRole + 1
TITLES = {"sla": "Follow-up SLA", "attempts": "Same-day attempts", "funnel": "Funnel",
          "closed-loop": "Closed loop"}
COMMON_ZONES = ("UTC", "America/New_York", "America/Chicago", "America/Denver",
                "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Kolkata",
                "Australia/Sydney")
NO_GROUP = "(no grouping)"


class ReportTableModel(QAbstractTableModel):
    """Any report ``Table``: headers from its columns, native values for sorting."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table: Table | None = None
        self.numeric: list[bool] = []

    def set_table(self, table: Table | None) -> None:
        self.beginResetModel()
        self.table = table
        # a "–" in a column of numbers sits where the number would, on the right
        self.numeric = [any(isinstance(r[i], int | float) for r in table.rows)
                        for i in range(len(table.columns))] if table is not None else []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.table is None else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.table is None else len(self.table.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (self.table is not None and orientation == Qt.Orientation.Horizontal
                and role == Qt.ItemDataRole.DisplayRole):
            # long names on two or three lines: the columns fit the window, no sideways scroll
            label = self.table.label(self.table.columns[section])
            return "\n".join(textwrap.wrap(label, 13, break_long_words=False)) or label
        if (self.table is not None and orientation == Qt.Orientation.Horizontal
                and role == Qt.ItemDataRole.ToolTipRole):
            return self.table.label(self.table.columns[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.table is None:
            return None
        v = self.table.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            col = self.table.columns[index.column()]
            if v is None:
                return "–"
            if isinstance(v, float):
                return f"{v:.1f} %" if is_percent(col) else f"{v:.1f}"
            return str(self.table.display(col, v))
        if role == SortRole:
            return v if isinstance(v, int | float) else ("" if v is None else str(v))
        if role == Qt.ItemDataRole.TextAlignmentRole and (
                isinstance(v, int | float) or (v is None and self.numeric[index.column()])):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ReportsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reports_view")
        self.ctx = ctx
        self.report: Report | None = None
        self._build_inputs()
        self._build_results()
        self._build_exports()
        self._arrange()

        self._kind_changed()
        self._set_exports_enabled(False)
        self.chart.clear("Choose a report and press Run report")
        self.set_period(*self._default_period("UTC"))
        # The default report runs once the view is first seen and the team's zone is
        # known: a team lead opening Reports sees the last four weeks without a click.
        self._shown = self._zone_known = self._first_run = False
        ctx.run_query(partial(team_settings.get_value, ctx.db, "team.timezone"), self._team_zone,
                      key="reports-zone")

    def _build_inputs(self) -> None:
        """Which report, over which period, in which zone, grouped how."""
        self.kind = QComboBox()
        self.kind.setObjectName("reports_kind")
        for k in KINDS:
            self.kind.addItem(TITLES[k], k)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.from_edit = QDateEdit()
        self.from_edit.setObjectName("reports_from")
        self.to_edit = QDateEdit()
        self.to_edit.setObjectName("reports_to")
        for e in (self.from_edit, self.to_edit):
            e.setCalendarPopup(True)
            e.setDisplayFormat("yyyy-MM-dd")
        self.all_time = QCheckBox("All time")
        self.all_time.setObjectName("reports_all_time")
        self.all_time.toggled.connect(self._all_time_toggled)
        self.zone = QComboBox()
        self.zone.setObjectName("reports_zone")
        self.zone.setEditable(True)
        self.zone.setToolTip("Time zone of the dates and of 'same day' (IANA name)")
        self.zone.addItems(COMMON_ZONES)
        self.group = QComboBox()
        self.group.setObjectName("reports_group")
        self.run_button = QPushButton("&Run report")
        self.run_button.setObjectName("reports_run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)

    def _build_results(self) -> None:
        """The section picker, the status line, the table and the chart."""
        self.section = QComboBox()
        self.section.setObjectName("reports_section")
        self.section.setToolTip("Which part of the report the table and chart show")
        self.section.currentIndexChanged.connect(self._section_changed)
        self.status = QLabel("")
        self.status.setObjectName("reports_status")
        self.model = ReportTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("reports_table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the next control
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.chart = ReportChart()
        self.chart.setObjectName("reports_chart")

    def _build_exports(self) -> None:
        self.csv_button = QPushButton("Export &CSV…")
        self.csv_button.setObjectName("reports_export_csv")
        self.xlsx_button = QPushButton("Export &XLSX…")
        self.xlsx_button.setObjectName("reports_export_xlsx")
        self.pdf_button = QPushButton("Export &PDF…")
        self.pdf_button.setObjectName("reports_export_pdf")
        self.csv_button.clicked.connect(lambda: self._ask_path("CSV (*.csv)", ".csv", self.export_csv))
        self.xlsx_button.clicked.connect(lambda: self._ask_path("Excel (*.xlsx)", ".xlsx", self.export_xlsx))
        self.pdf_button.clicked.connect(lambda: self._ask_path("PDF (*.pdf)", ".pdf", self.export_pdf))

    def _arrange(self) -> None:
        form = QFormLayout()
        form.addRow("Report", self.kind)
        dates = QHBoxLayout()
        dates.addWidget(self.from_edit)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.to_edit)
        dates.addWidget(self.all_time)
        dates.addStretch(1)
        form.addRow("Period", dates)
        form.addRow("Time zone", self.zone)
        form.addRow("Group by", self.group)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addStretch(1)
        for b in (self.csv_button, self.xlsx_button, self.pdf_button):
            buttons.addWidget(b)
        head = QHBoxLayout()
        head.addWidget(QLabel("Show"))
        head.addWidget(self.section, 1)
        head.addWidget(self.status, 2)
        self.split = split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("reports_splitter")
        split.addWidget(self.table)
        split.addWidget(self.chart)
        split.setStretchFactor(1, 1)  # room the table does not need goes to the chart
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addLayout(head)
        lay.addWidget(split, 1)

    # --- inputs ---------------------------------------------------------------

    @staticmethod
    def _default_period(tz: str) -> tuple[date, date]:
        today = clock.now().astimezone(ZoneInfo(tz)).date()
        return today - timedelta(days=29), today

    def _team_zone(self, tz: str) -> None:
        if self.zone.findText(tz) < 0:
            self.zone.insertItem(0, tz)
        self.zone.setCurrentText(tz)
        self.set_period(*self._default_period(tz))
        self._zone_known = True
        self._run_first()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._shown = True
        self._run_first()

    def _run_first(self) -> None:
        if self._shown and self._zone_known and not self._first_run and self.report is None:
            self._first_run = True
            self.run()

    def set_period(self, start: date | None, end: date | None) -> None:
        """Dates in the chosen zone; ``None`` for both means all time."""
        self.all_time.setChecked(start is None and end is None)
        if start is not None:
            self.from_edit.setDate(QDate(start.year, start.month, start.day))
        if end is not None:
            self.to_edit.setDate(QDate(end.year, end.month, end.day))

    def set_report(self, kind: str, group: str | None = None) -> None:
        self.kind.setCurrentIndex(KINDS.index(kind))
        self.group.setCurrentIndex(max(0, self.group.findData(group)))

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.group.clear()
        self.group.addItem(NO_GROUP, None)
        for g in GROUPINGS[kind]:
            self.group.addItem(labels.report_column(g), g)

    def _all_time_toggled(self, on: bool) -> None:
        self.from_edit.setEnabled(not on)
        self.to_edit.setEnabled(not on)

    def _dates(self) -> tuple[date | None, date | None]:
        if self.all_time.isChecked():
            return None, None
        return self.from_edit.date().toPython(), self.to_edit.date().toPython()  # type: ignore[return-value]

    # --- running --------------------------------------------------------------

    def run(self) -> None:
        kind, group = self.kind.currentData(), self.group.currentData()
        start, end = self._dates()
        tz = self.zone.currentText().strip()
        self.status.setText("Running…")
        self.ctx.run_query(partial(_compute, self.ctx.db, kind, start, end, tz, group),
                           self._show, key="reports", on_error=self._on_error)

    def _on_error(self, exc: BaseException) -> None:
        if not isinstance(exc, KnownError):
            self.ctx.runner.report(exc)
        self.status.setText(f"⚠ {exc}")

    def _show(self, report: Report) -> None:
        self.report = report
        self.section.blockSignals(True)
        self.section.clear()
        for t in report.tables:
            self.section.addItem(t.name)
        self.section.blockSignals(False)
        self.section.setEnabled(len(report.tables) > 1)
        self._section_changed()
        self._set_exports_enabled(True)

    def current_table(self) -> Table | None:
        if self.report is None or not self.report.tables:
            return None
        return self.report.tables[max(0, self.section.currentIndex())]

    def _section_changed(self) -> None:
        from qualdesk.services.reports.pdf import printed  # with matplotlib: not at start-up

        t = self.current_table()
        # one row of many numbers (the ungrouped SLA) reads as a list, as on paper: no
        # sideways scrolling, and the table stays short
        self.model.set_table(printed(t) if t is not None and t.rows else t)
        self.chart.show_table(t)
        self.fit_split()
        if self.report is not None:
            n = len(t.rows) if t else 0
            self.status.setText(f"{self.report.period.label()}: "
                                + ("no data" if n == 0 else f"{n} row{'s' if n != 1 else ''}"))

    def fit_split(self) -> None:
        """The table as tall as its rows (at most half the room); the chart the rest."""
        total = sum(self.split.sizes())
        if total <= 0:
            return
        t = self.table
        rows = t.verticalHeader().defaultSectionSize() * max(1, self.model.rowCount())
        need = rows + t.horizontalHeader().sizeHint().height() + 2 * t.frameWidth() + 2
        if t.horizontalHeader().length() > t.viewport().width():
            need += t.horizontalScrollBar().sizeHint().height()
        want = min(need, total // 2)
        self.split.setSizes([want, total - want])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_split()

    def _set_exports_enabled(self, on: bool) -> None:
        for b in (self.csv_button, self.xlsx_button, self.pdf_button):
            b.setEnabled(on)

    # --- exports --------------------------------------------------------------

    def _ask_path(self, filt: str, suffix: str, then: Callable[[str], None]) -> None:
        if self.report is None:
            return
        dlg = QFileDialog(self, "Export report", f"{self.report.kind}{suffix}", filt)
        dlg.setObjectName("reports_export_dialog")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setDefaultSuffix(suffix.lstrip("."))
        dlg.fileSelected.connect(then)
        dlg.open()

    def export_csv(self, path: str) -> None:
        assert self.report is not None
        self._export(partial(write_csv, self.report, path))

    def export_xlsx(self, path: str) -> None:
        assert self.report is not None
        self._export(partial(write_xlsx, self.report, path))

    def export_pdf(self, path: str) -> None:
        """Off the GUI thread, through the same writer as ``qualdesk report --pdf``."""
        assert self.report is not None
        self._export(partial(write_pdf, self.ctx.db, self.report, path, locale_paper()))

    def _export(self, fn: Callable[[], Path]) -> None:
        self.ctx.run_query(fn, lambda p: self.status.setText(f"Saved {p}"), on_error=self._on_error)


def _compute(db: Database, kind: str, start: date | None, end: date | None, tz: str,
             group: str | None) -> Report:
    return run_report(db, kind, make_period(db, start, end, tz or None), group)
