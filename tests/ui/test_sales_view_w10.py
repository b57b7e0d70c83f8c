"""The sales view as W10 found it (#18): times in the team's zone in the app's words
(not C-locale UTC), no reason or weighting assumed, and no rep toolbar or Phone menu."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from qualdesk.db.engine import Database
from qualdesk.services import team_settings
from qualdesk.services.turnover import turn_over
from qualdesk.services.users import add_user, get_user
from tests.test_turnover import add_people, designation, make_lead, qualify
from tests.ui.test_workspace import open_window
from ui.context import AppContext
from ui.ops import SyncRunner
from ui.sales_handoff import team_time_text
from ui.sales_view import Column, SalesView


def _view(qtbot, db: Database) -> SalesView:  # type: ignore[no-untyped-def]
    view = SalesView(AppContext(db, get_user(db, "Sam"), SyncRunner()))
    qtbot.addWidget(view)
    return view


def test_times_read_in_team_time_in_the_apps_words(qtbot, sqlite_db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    add_people(sqlite_db)
    team_settings.set_value(sqlite_db, "team.timezone", "America/New_York")
    lid = make_lead(sqlite_db)
    qualify(sqlite_db, lid)
    turn_over(sqlite_db, lid, "Sam", note="Call her Tuesday")
    view = _view(qtbot, sqlite_db)
    shown = view.model.data(view.model.index(0, Column.TURNED_OVER))
    at = view.model.record(0).at
    expected = at.astimezone(ZoneInfo("America/New_York"))
    assert shown == expected.strftime("%a %d %b %Y %H:%M %Z")
    assert shown.endswith(("EST", "EDT")) and "UTC" not in shown
    detail = view.detail.toPlainText()
    assert "Turned over " + shown in detail  # the hand-off line in team time too
    assert view.retouch.displayFormat() == "ddd dd MMM yyyy"
    assert team_time_text("2026-12-02T01:05:00+00:00", "America/New_York") == \
        "Tue 01 Dec 2026 20:05 EST"
    assert team_time_text(datetime(2026, 12, 2, 1, 5, tzinfo=UTC), "Nowhere/Else").endswith("UTC")


def test_no_reason_or_weighting_is_assumed(qtbot, sqlite_db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    add_people(sqlite_db)
    lid = make_lead(sqlite_db)
    qualify(sqlite_db, lid)
    turn_over(sqlite_db, lid, "Sam")
    view = _view(qtbot, sqlite_db)
    assert view.reason.currentText() == "" and view.reason.currentIndex() == -1
    assert view.weighting.value() == 0 and view.weighting.text() == "not set"
    qtbot.mouseClick(view.reject_button, Qt.MouseButton.LeftButton)
    assert "needs a reason" in view.error.text()
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    assert "Set the weighting" in view.error.text()
    assert designation(sqlite_db, lid) == "turned_over"  # nothing happened


def test_a_sales_user_gets_no_rep_toolbar_nor_phone_menu(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    who = add_user(sqlite_db, "P sales", "sales", email="p@x.test")
    w, _ = open_window(qtbot, AppContext(sqlite_db, who, SyncRunner()))
    toolbar = w.features.lead_actions.toolbar
    assert toolbar not in w.findChildren(type(toolbar)) or not toolbar.isVisibleTo(w)
    menus = [a.text() for a in w.menuBar().actions() if a.isVisible()]
    assert "&Phone" not in menus and "&File" in menus
    phone = w.menuBar().findChild(QMenu, "menu_phone")
    assert phone is None or not phone.menuAction().isVisible()


def test_a_rep_still_has_them(qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    w, _ = open_window(qtbot, AppContext(sqlite_db, seeded.rep, SyncRunner()))
    assert w.features.lead_actions.toolbar.isVisibleTo(w)
    assert "&Phone" in [a.text() for a in w.menuBar().actions() if a.isVisible()]


def test_tab_leaves_the_sales_and_reports_tables(qtbot, sqlite_db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    from ui.reports_view import ReportsView

    add_people(sqlite_db)
    add_user(sqlite_db, "Lee", "lead")
    view = _view(qtbot, sqlite_db)
    reports = ReportsView(AppContext(sqlite_db, get_user(sqlite_db, "Lee"), SyncRunner()))
    qtbot.addWidget(reports)
    assert not view.table.tabKeyNavigation() and not reports.table.tabKeyNavigation()
