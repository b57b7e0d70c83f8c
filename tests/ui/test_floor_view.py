"""FloorView on the hand-built day of ``tests/test_floor.py`` (SQLite, real widgets)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from qualdesk.db.engine import Database
from qualdesk.domain.records import UserRecord
from qualdesk.services.users import get_user
from tests import report_seed as rs
from tests.test_floor import seed
from ui.context import AppContext
from ui.floor_view import FloorView, RepCol, RiskCol, minutes_text
from ui.ops import OpRunner, SyncRunner


def text(model, row: int, col: int) -> str:  # type: ignore[no-untyped-def]
    return model.data(model.index(row, col), Qt.ItemDataRole.DisplayRole)


@pytest.fixture
def floor_ids(sqlite_db: Database, frozen) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return seed(sqlite_db, frozen)


@pytest.fixture
def lead_user(sqlite_db: Database, floor_ids) -> UserRecord:  # type: ignore[no-untyped-def]
    return get_user(sqlite_db, "lee")


def test_rows_totals_and_risk(qtbot, qtmodeltester, sqlite_db, floor_ids, lead_user) -> None:  # type: ignore[no-untyped-def]
    view = FloorView(AppContext(sqlite_db, lead_user, SyncRunner()))
    qtbot.addWidget(view)
    m = view.rep_model
    assert m.rowCount() == 4  # alice, bob, carol + the team
    assert [text(m, r, RepCol.REP) for r in range(4)] == ["alice", "bob", "carol", "Team"]
    assert [text(m, 0, c) for c in (RepCol.ATTEMPTS, RepCol.CONNECTS, RepCol.FOLLOWUPS,
                                    RepCol.TURNED_OVER)] == [3, 1, 1, 1]
    assert text(m, 1, RepCol.CURRENT) == f"Four Test (#{floor_ids['L4']})"
    assert text(m, 1, RepCol.HELD_FOR) == "10 min"
    assert text(m, 3, RepCol.ATTEMPTS) == 5 and text(m, 3, RepCol.BEHIND) == "⚠ 3"
    r = view.risk_model
    assert r.rowCount() == 4
    assert [text(r, i, RiskCol.OWNER) for i in range(4)] == ["unowned", "unowned", "carol", "bob"]
    # the queue's clock: its text, icon and colours (a breach counts up with "+")
    assert text(r, 0, RiskCol.CLOCK) == "10:00"
    assert text(r, 1, RiskCol.CLOCK) == "+2:00:00"
    assert not r.data(r.index(1, RiskCol.CLOCK), Qt.ItemDataRole.DecorationRole).isNull()
    assert r.data(r.index(1, RiskCol.CLOCK), Qt.ItemDataRole.ToolTipRole) == "breached: ✖ +2:00:00"
    assert text(m, 0, RepCol.STATE) == "Away 50 min"  # alice's last call was 50 min ago
    assert text(r, 0, RiskCol.RAISED).startswith("09:10")  # 14:10 UTC in New York
    assert "4 at risk (3 breached)" in view.summary.text()
    qtmodeltester.check(m)
    qtmodeltester.check(r)


def test_reassign_from_the_floor(qtbot, sqlite_db, floor_ids, lead_user) -> None:  # type: ignore[no-untyped-def]
    view = FloorView(AppContext(sqlite_db, lead_user, SyncRunner()))
    qtbot.addWidget(view)
    view.risk_table.selectRow(1)
    assert view.selected_lead() == floor_ids["L9"]
    view.reassign_to.setCurrentText("carol")
    qtbot.mouseClick(view.reassign_button, Qt.MouseButton.LeftButton)
    assert view.message.text() == f"Lead {floor_ids['L9']} now belongs to carol"
    # the write announced itself: the list reloaded, L7 is now the only unowned one
    assert [view.risk_model.row_record(i).lead_id for i in range(4)] == [
        floor_ids["L7"], floor_ids["L8"], floor_ids["L3"], floor_ids["L9"]]
    assert view.selected_lead() == floor_ids["L9"]  # the selection follows the lead
    assert text(view.rep_model, 2, RepCol.BEHIND) == "⚠ 2"


def test_reassign_by_keyboard_only(qtbot, sqlite_db, floor_ids, lead_user) -> None:  # type: ignore[no-untyped-def]
    view = FloorView(AppContext(sqlite_db, lead_user, SyncRunner()))
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)  # mnemonics and focus need the active window
    qtbot.keyClick(view, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)  # "At ris&k"
    assert view.risk_table.hasFocus()
    view.risk_table.setCurrentIndex(view.risk_model.index(0, 0))
    qtbot.keyClick(view.risk_table, Qt.Key.Key_Down)
    assert view.selected_lead() == floor_ids["L9"]
    qtbot.keyClick(view.risk_table, Qt.Key.Key_Return)  # on to the rep box
    assert view.reassign_to.hasFocus()
    view.reassign_to.setCurrentIndex(view.reassign_to.findText("carol"))
    qtbot.keyClick(view.reassign_to, Qt.Key.Key_Return)  # Enter in the rep box reassigns
    assert view.message.text() == f"Lead {floor_ids['L9']} now belongs to carol"


@pytest.fixture
def threaded_ctx(qtbot, sqlite_db, lead_user) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    ctx = AppContext(sqlite_db, lead_user, OpRunner())
    yield ctx
    ctx.runner.wait(5000)


def test_refreshes_after_another_clients_write(qtbot, sqlite_db, floor_ids, threaded_ctx) -> None:  # type: ignore[no-untyped-def]
    view = FloorView(threaded_ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.snapshot is not None, timeout=3000)
    assert text(view.rep_model, 0, RepCol.ATTEMPTS) == 3
    other = Database(sqlite_db.url)  # another client on the same file
    try:
        rs.call(other, floor_ids["L6"], "alice", rs.utc(2026, 11, 23, 14, 55), "connected")
    finally:
        other.dispose()
    # within 2 s: the 1 s poll sees change_log move and reloads
    qtbot.waitUntil(lambda: text(view.rep_model, 0, RepCol.ATTEMPTS) == 4, timeout=2500)
    assert text(view.rep_model, 0, RepCol.CONNECTS) == 2
    view.poll_timer.stop()


def test_spans_read_in_minutes_hours_then_days() -> None:
    assert [minutes_text(m) for m in (7, 59.9, 60, 125, 47 * 60 + 59, 48 * 60, 143 * 60 + 34)] == [
        "7 min", "59 min", "1 h 00 min", "2 h 05 min", "47 h 59 min", "2 d 00 h", "5 d 23 h"]


def test_the_at_risk_clock_reads_as_the_queues(qtbot, frozen) -> None:
    from datetime import timedelta

    from qualdesk.services.reports.floor import AtRiskRow
    from ui.floor_view import AtRiskModel

    def clock(seconds_over: int) -> str:
        row = AtRiskRow(1, 1, "Ann A.", None, None, "chat", frozen.t,
                        frozen.t - timedelta(seconds=seconds_over), False, False)
        return AtRiskModel()._text(row, RiskCol.CLOCK, frozen.t)

    assert clock(30) == "+00:30"  # counts up, as the queue's does
    assert clock(90) == "+01:30"
    assert clock(-120) == "02:00"
    assert clock(6 * 86400 - 3600) == "+5 d 23 h"  # from two days on: days and hours


def test_tab_leaves_the_tables_and_reaches_the_reassign_button(qtbot, sqlite_db, floor_ids,  # type: ignore[no-untyped-def]
                                                               lead_user) -> None:
    """W10 #11: the tables no longer eat Tab; arrows still move between rows."""
    view = FloorView(AppContext(sqlite_db, lead_user, SyncRunner()))
    qtbot.addWidget(view)
    view.resize(1280, 700)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.rep_table.setFocus()
    qtbot.waitUntil(view.rep_table.hasFocus)
    seen = []
    for _ in range(4):
        qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Tab)
        seen.append(view.focusWidget())
    assert seen[:3] == [view.risk_table, view.reassign_to, view.reassign_button]
    view.risk_table.setFocus()
    view.risk_table.setCurrentIndex(view.risk_model.index(0, 0))
    qtbot.keyClick(view.risk_table, Qt.Key.Key_Down)
    assert view.risk_table.currentIndex().row() == 1
    # W10 #24: every column is labelled in words, and an empty "On lead now" stays narrow
    heads = [view.rep_model.headerData(c, Qt.Orientation.Horizontal) for c in RepCol]
    assert "For" not in heads and "On it for" in heads
    widest = max(range(len(heads)), key=view.rep_table.columnWidth)
    assert view.rep_table.columnWidth(RepCol.CURRENT) < view.rep_table.viewport().width() / 3
    assert widest != RepCol.CURRENT or view.rep_table.columnWidth(widest) < 300
