"""The reports view's chart: matplotlib's Qt canvas drawing with the same function as
the PDF (``qualdesk.services.reports.figures.draw_chart``), in the desktop's colours.

matplotlib serves both the screen and print (vector PDF), so the chart a team lead
sees is the one the manager gets; QtCharts would drag in ~650 MB of PySide6-Addons.
"""

from __future__ import annotations

from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtGui import QFontInfo, QPalette
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from qualdesk.services.reports.figures import Style, draw_chart, draw_message
from qualdesk.services.reports.tables import Table


def palette_style(widget: QWidget) -> Style:
    """The chart in the widget's palette (light or dark) and font size."""
    pal = widget.palette()
    base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
    mid = pal.color(QPalette.ColorRole.Mid)
    return Style(fg=text.name(), bg=base.name(), grid=mid.name(),
                 font_pt=float(QFontInfo(widget.font()).pointSizeF()) * 0.95)


class ReportChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("report_chart")
        self.figure = Figure(layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setObjectName("report_chart_canvas")
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumHeight(160)
        self.ax = self.figure.add_subplot()
        self.items: list[Any] = []  # what is drawn now (tests count them)
        self.message = ""  # the empty state's words, when there is nothing to draw
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.canvas)

    def _style(self) -> Style:
        style = palette_style(self)
        self.figure.set_facecolor(style.bg)
        return style

    def clear(self, message: str = "") -> None:
        self.items = []
        self.message = message
        draw_message(self.ax, message, self._style())
        self.canvas.draw_idle()

    def show_table(self, table: Table | None) -> None:
        style = self._style()
        self.items = draw_chart(self.ax, table, style)
        self.message = "" if self.items else (table.chart.empty if table is not None
                                               and table.chart is not None else "")
        self.canvas.draw_idle()
