"""Report charts on pyqtgraph (QtCharts would drag in ~650 MB of PySide6-Addons).

``ReportChart.show_table(table)`` draws a report ``Table`` as its ``Chart`` says: grouped
bars (x labels along the bottom, one colour per series) or lines. Rows that share an x
label are summed (e.g. a rep's attempts over several days). A table whose chart has no
``x`` is one row of buckets: one bar per series.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from qualdesk.services.reports.tables import Table

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


def series(table: Table) -> tuple[list[str], dict[str, list[float]]]:
    """(x labels, values per y column) with rows sharing an x label summed."""
    chart = table.chart
    assert chart is not None
    if not chart.x:
        labels = [pretty(y) for y in chart.ys]
        row = table.rows[0] if table.rows else None
        vals = [_num(row[table.columns.index(y)]) if row else 0.0 for y in chart.ys]
        return labels, {"value": vals}
    xi = table.columns.index(chart.x)
    labels: list[str] = []
    sums: dict[str, dict[str, float]] = {}
    for r in table.rows:
        key = "" if r[xi] is None else str(r[xi])
        if key not in sums:
            labels.append(key)
            sums[key] = dict.fromkeys(chart.ys, 0.0)
        for y in chart.ys:
            sums[key][y] += _num(r[table.columns.index(y)])
    return labels, {y: [sums[k][y] for k in labels] for y in chart.ys}


def pretty(column: str) -> str:
    """'pct_within_1h' -> 'within 1h': the legend and axis speak words."""
    return column.removeprefix("pct_").replace("_", " ")


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


class ReportChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("report_chart")
        pal = self.palette()
        self.plot = pg.PlotWidget(background=pal.color(QPalette.ColorRole.Base))
        self.plot.setObjectName("report_chart_plot")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showGrid(x=False, y=True, alpha=0.3)
        self._fg = pal.color(QPalette.ColorRole.Text)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setTextPen(self._fg)
            self.plot.getAxis(axis).setPen(self._fg)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextColor=self._fg)
        self.items: list[Any] = []  # what is drawn now (tests count them)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)

    def clear(self, message: str = "") -> None:
        self.plot.clear()
        self.items = []
        self.legend.clear()
        self.plot.setTitle(message, color=self._fg)

    def show_table(self, table: Table | None) -> None:
        if table is None or table.chart is None:
            self.clear("")
            return
        if not table.rows:
            self.clear(f"{table.chart.title or table.name}: no data")
            return
        self.clear(table.chart.title or table.name)
        labels, values = series(table)
        self.legend.setVisible(len(values) > 1)
        n = max(1, len(values))
        if table.chart.kind == "line" and len(labels) > 1:
            for i, (name, ys) in enumerate(values.items()):
                colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
                item = self.plot.plot(list(range(len(labels))), ys, name=pretty(name),
                                      pen=pg.mkPen(colour, width=2), symbol="o", symbolBrush=colour)
                self.items.append(item)
        else:
            width = 0.8 / n
            for i, (name, ys) in enumerate(values.items()):
                colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
                xs = [k - 0.4 + width * (i + 0.5) for k in range(len(labels))]
                bars = pg.BarGraphItem(x=xs, height=ys, width=width * 0.9, brush=colour,
                                       pen=pg.mkPen(colour), name=pretty(name))
                self.plot.addItem(bars)  # named items join the legend by themselves
                self.items.append(bars)
        self.plot.getAxis("bottom").setTicks([list(enumerate(labels))])
        self.plot.setXRange(-0.6, len(labels) - 0.4, padding=0)
        top = max((max(v) for v in values.values() if v), default=0.0)
        self.plot.setYRange(0, top * 1.15 if top > 0 else 1, padding=0)
