"""The reports view's chart: matplotlib's Qt canvas drawing with the same function as
the PDF (``qualdesk.services.reports.figures.draw_chart``), in the desktop's colours.

matplotlib serves both the screen and print (vector PDF), so the chart a team lead
sees is the one the manager gets; QtCharts would drag in ~650 MB of PySide6-Addons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QFontInfo, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from qualdesk.services.reports.tables import Table

if TYPE_CHECKING:
    from qualdesk.services.reports.figures import Style


def palette_style(widget: QWidget) -> Style:
    """The chart in the widget's palette (light or dark) and font size."""
    from qualdesk.services.reports.figures import Style

    pal = widget.palette()
    base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
    mid = pal.color(QPalette.ColorRole.Mid)
    return Style(fg=text.name(), bg=base.name(), grid=mid.name(),
                 font_pt=float(QFontInfo(widget.font()).pointSizeF()) * 0.95)


class ReportChart(QWidget):
    """matplotlib (about 0.4 s to import) loads with the first chart drawn, not with the
    app: a team lead's window opens as fast as a rep's."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("report_chart")
        self.figure: Any = None
        self.canvas: Any = None
        self.ax: Any = None
        self.items: list[Any] = []  # what is drawn now (tests count them)
        self.message = ""  # the empty state's words, when there is nothing to draw
        self.table: Table | None = None
        self.placeholder = QLabel("", self)
        self.placeholder.setObjectName("report_chart_placeholder")
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.addWidget(self.placeholder)

    def _ensure(self) -> None:
        if self.canvas is not None:
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.figure = Figure(layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setObjectName("report_chart_canvas")
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumHeight(160)
        self.ax = self.figure.add_subplot()
        self.canvas.mpl_connect("resize_event", self._resized)  # the canvas' own new size
        self.placeholder.hide()
        self.lay.addWidget(self.canvas)

    def _style(self) -> Style:
        style = palette_style(self)
        self.figure.set_facecolor(style.bg)
        return style

    def clear(self, message: str = "") -> None:
        self.items = []
        self.message = message
        if self.canvas is None:  # nothing drawn yet: words are enough
            self.placeholder.setText(message)
            return
        from qualdesk.services.reports.figures import draw_message

        draw_message(self.ax, message, self._style())
        self.canvas.draw_idle()

    def show_table(self, table: Table | None) -> None:
        from qualdesk.services.reports.figures import draw_chart

        self._ensure()
        self.table = table
        self.items = draw_chart(self.ax, table, self._style())
        self.message = "" if self.items else (table.chart.empty if table is not None
                                               and table.chart is not None else "")
        self.fit()

    def fit(self) -> None:
        """Labels measured at this size: wrapped (or upright) so that none touch, the
        title inside the chart; done again when the chart changes size."""
        from qualdesk.services.reports.figures import fit_text

        if self.items:
            self.canvas.draw()  # lays the chart out at its size, so the labels can be measured
            fit_text(self.ax, self.canvas.get_renderer(), right_px=self.figure.bbox.x1)
        self.canvas.draw_idle()

    def _resized(self, _event: object = None) -> None:
        if self.items:
            self.show_table(self.table)  # drawn afresh: labels fitted to the new width
