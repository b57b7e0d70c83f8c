"""ReportsView on the SLA data set of ``tests/test_report_sla.py`` (SQLite, real widgets)."""

from __future__ import annotations

import csv
from datetime import date

import openpyxl
import pytest
from PySide6.QtCore import Qt

from qualdesk.services.users import get_user
from tests.test_report_sla import seed
from ui.context import AppContext
from ui.ops import SyncRunner
from ui.reports_view import ReportsView

NY = "America/New_York"


@pytest.fixture
def view(qtbot, sqlite_db, frozen) -> ReportsView:  # type: ignore[no-untyped-def]
    seed(sqlite_db, frozen)
    v = ReportsView(AppContext(sqlite_db, get_user(sqlite_db, "alice"), SyncRunner()))
    qtbot.addWidget(v)
    v.resize(1000, 700)
    return v


def cell(v: ReportsView, row: int, col: str) -> str:
    t = v.model.table
    assert t is not None
    return v.model.data(v.model.index(row, t.columns.index(col)), Qt.ItemDataRole.DisplayRole)


def test_sla_table_and_chart(view: ReportsView, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    view.set_report("sla", "campaign")
    view.set_period(date(2026, 11, 20), date(2026, 11, 22))
    view.zone.setCurrentText(NY)
    view.run()
    assert view.model.rowCount() == 2
    # Default: 4 hand raises, none within 1 h; Webinar: 3, all within 1 h (see test_report_sla)
    assert [cell(view, 0, "group"), cell(view, 0, "hand_raises"), cell(view, 0, "within_1h")] == ["Default", "4", "0"]
    assert [cell(view, 1, "group"), cell(view, 1, "pct_within_1h")] == ["Webinar", "100.0 %"]
    assert len(view.chart.items) == 6  # one bar series per SLA bucket, "never" included
    heads = [view.model.headerData(i, Qt.Orientation.Horizontal).replace("\n", " ")
             for i in range(view.model.columnCount())]  # long names wrap onto lines
    assert heads[:3] == ["Group", "Hand raises", "Within 1 h"] and "Within 1 h (%)" in heads
    assert not [h for h in heads if "_" in h]  # column names in words, not keys
    assert "2 rows" in view.status.text()
    qtmodeltester.check(view.model)


def test_exports(view: ReportsView, tmp_path) -> None:  # type: ignore[no-untyped-def]
    view.set_report("sla", "rep")
    view.set_period(date(2026, 11, 20), date(2026, 11, 22))
    view.zone.setCurrentText(NY)
    view.run()
    view.export_csv(str(tmp_path / "sla.csv"))
    view.export_xlsx(str(tmp_path / "sla.xlsx"))
    view.export_pdf(str(tmp_path / "sla.pdf"))
    rows = list(csv.DictReader((tmp_path / "sla.csv").open(encoding="utf-8")))
    assert [(r["group"], r["hand_raises"]) for r in rows] == [("alice", "3"), ("bob", "3"), ("(none)", "1")]
    ws = openpyxl.load_workbook(tmp_path / "sla.xlsx").active
    assert [ws.cell(r, 1).value for r in (2, 3, 4)] == ["alice", "bob", "(none)"]
    pdf = (tmp_path / "sla.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000  # has the chart in it
    assert view.status.text() == f"Saved {tmp_path / 'sla.pdf'}"


def test_funnel_sections_and_bad_input(view: ReportsView) -> None:
    view.set_report("funnel")
    view.set_period(None, None)
    view.run()
    assert view.section.count() == 7 and view.section.isEnabled()
    view.section.setCurrentText("Designations now")
    assert view.model.rowCount() == 8
    assert len(view.chart.items) == 1
    view.set_report("sla")
    view.set_period(date(2026, 11, 22), date(2026, 11, 20))
    view.run()
    assert view.status.text() == "⚠ --from 2026-11-22 is after --to 2026-11-20"
    view.set_period(date(2020, 1, 1), date(2020, 1, 2))
    view.run()
    assert view.model.rowCount() == 0 and "no data" in view.status.text()
    assert view.chart.items == [] and view.chart.message == "No hand raises in this period"
    view.zone.setCurrentText("Nowhere/City")
    view.run()
    assert "unknown time zone 'Nowhere/City'" in view.status.text()


def test_the_default_report_runs_when_the_view_is_first_seen(qtbot, view: ReportsView) -> None:
    assert view.report is None and view.chart.message.startswith("Choose")
    view.show()
    qtbot.waitExposed(view)
    assert view.report is not None  # the last four weeks' SLA, without a click
    assert view.status.text().endswith("1 row")
    assert view.model.rowCount() == 10  # the one row of measures, shown as a list
    first = view.report
    view.hide()
    view.show()  # seen again: what the lead set up stays, nothing reruns by itself
    assert view.report is first


@pytest.mark.parametrize(("width", "height"), [(1920, 1000), (1280, 640)])
def test_a_short_table_leaves_the_room_to_the_chart(qtbot, view: ReportsView, width: int,  # type: ignore[no-untyped-def]
                                                    height: int) -> None:
    """W10 #21: the ungrouped SLA (one row of 14 numbers) was a one-row table taking
    three quarters of the height, the chart squeezed, a sideways scroll bar at 1280."""
    view.resize(width, height)
    view.show()
    view.set_report("sla", None)
    view.set_period(None, None)
    view.run()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0)
    qtbot.wait(50)
    table_h, chart_h = view.split.sizes()
    assert chart_h > table_h, (table_h, chart_h)
    assert view.chart.height() > 0.4 * view.split.height()
    heads = [view.model.headerData(i, Qt.Orientation.Horizontal) for i in range(view.model.columnCount())]
    assert heads == ["Measure", "Value", "Share (%)"]  # a list, as in the PDF
    assert not view.table.horizontalScrollBar().isVisible()
    rows = view.table.verticalHeader().length() + view.table.horizontalHeader().height()
    assert view.table.height() <= max(rows + 30, view.split.height() // 2 + 2)
    # "–" placeholders in a column of numbers sit on the right, like the numbers
    m = view.model
    share = [m.data(m.index(r, 2), Qt.ItemDataRole.TextAlignmentRole) for r in range(m.rowCount())]
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert m.data(m.index(0, 2), Qt.ItemDataRole.DisplayRole) == "–" and set(share) == {right}


def test_the_screen_chart_labels_never_touch(qtbot) -> None:  # type: ignore[no-untyped-def]
    """W10 #5 on screen: a narrow chart wraps (or stands up) its SLA bucket names."""
    from qualdesk.services.reports.tables import Chart, Table
    from ui.charts import ReportChart

    cols = ("within_1h", "same_day", "within_24h", "within_48h", "within_72h", "never")
    table = Table("SLA", cols, ((35, 41, 43, 43, 43, 57),),
                  Chart("", cols, "bar", "Hand raises followed up (call and email)", percent=True))
    chart = ReportChart()
    qtbot.addWidget(chart)
    chart.resize(340, 260)
    chart.show()
    chart.show_table(table)
    qtbot.wait(20)
    chart.canvas.draw()
    renderer = chart.canvas.get_renderer()
    boxes = sorted((t.get_window_extent(renderer) for t in chart.ax.get_xticklabels()
                    if t.get_text()), key=lambda b: b.x0)
    assert len(boxes) == 6
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a.x1 < b.x0, "x labels touch"
