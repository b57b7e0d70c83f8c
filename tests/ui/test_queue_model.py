"""The queue's Qt model: passes qtmodeltester, shows the service's order, and ticks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from qualdesk.services.queue_rows import QueueRow, queue_rows
from ui.queue_model import Column, LeadIdRole, QueueModel, SortRole, StateRole
from ui.queue_view import QueueProxy

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def row(lead_id: int, pos: int, minutes_left: float | None, *, held: bool = False,
        name: str = "", tz: str = "America/New_York") -> QueueRow:
    deadline = NOW + timedelta(minutes=minutes_left) if minutes_left is not None else None
    return QueueRow(lead_id=lead_id, position=pos, tier=2, deadline=deadline,
                    reason=f"reason {lead_id}", next_action="call", held=held,
                    name=name or f"Lead {lead_id}", company=f"Co {lead_id}", phone="+12125550100",
                    kind="demo_request", raised_at=NOW - timedelta(minutes=7), campaign="Default",
                    attempts_today=lead_id % 3, time_zones=(tz,), designation="warm",
                    callback_due_at=None)


def test_model_passes_qtmodeltester(qapp, qtmodeltester) -> None:
    m = QueueModel(team_tz="Europe/Berlin")
    m.set_rows([row(1, 1, 30), row(2, 2, 5), row(3, 3, -12), row(4, 0, None, held=True)], NOW)
    qtmodeltester.check(m, force_py=True)
    m.set_show_held(True)
    qtmodeltester.check(m, force_py=True)


def test_cells_show_countdown_states_and_local_time(qtbot) -> None:
    m = QueueModel(team_tz="Europe/Berlin")
    m.set_rows([row(1, 1, 30), row(2, 2, 5), row(3, 3, -12.5), row(4, 4, None, tz="Asia/Tokyo")], NOW)
    text = [m.index(r, Column.COUNTDOWN).data() for r in range(4)]
    assert text == ["30:00", "05:00", "+12:30", "—"]
    states = [m.index(r, Column.COUNTDOWN).data(StateRole) for r in range(4)]
    assert states == ["comfortable", "warning", "breached", "none"]
    # 15:00 UTC is 10:00 in New York and midnight in Tokyo.
    assert m.index(0, Column.LOCAL_TIME).data() == "10:00 EST"
    assert m.index(3, Column.LOCAL_TIME).data() == "00:00 JST"
    assert m.index(0, Column.AGE).data() == "7m"
    # Each state has its own colour and icon; "no clock" has neither.
    bgs = {m.index(r, Column.COUNTDOWN).data(Qt.ItemDataRole.BackgroundRole).color().name()
           for r in range(3)}
    assert len(bgs) == 3
    assert m.index(3, Column.COUNTDOWN).data(Qt.ItemDataRole.BackgroundRole) is None
    assert not m.index(0, Column.COUNTDOWN).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert m.index(0, Column.COUNTDOWN).data(Qt.ItemDataRole.FontRole).bold()


def test_held_rows_only_when_asked(qapp) -> None:
    m = QueueModel()
    m.set_rows([row(1, 1, 30), row(9, 0, 20, held=True)], NOW)
    assert m.rowCount() == 1
    m.set_show_held(True)
    assert m.rowCount() == 2
    assert m.index(1, Column.POSITION).data() == "held"
    assert m.index(1, Column.REASON).data() == "held: reason 9"


def test_tick_repaints_only_visible_ticking_cells(qtbot) -> None:
    m = QueueModel()
    m.set_rows([row(i, i, 20 + i) for i in range(1, 101)], NOW)
    seen: list[tuple[int, int, int, int]] = []
    m.dataChanged.connect(lambda a, b, roles=None: seen.append((a.row(), b.row(), a.column(), b.column())))
    n = m.tick(NOW + timedelta(seconds=1), range(10, 20))
    assert n == 10
    assert sorted(seen) == sorted((10, 19, int(c), int(c)) for c in
                                  (Column.COUNTDOWN, Column.AGE, Column.LOCAL_TIME))
    assert m.index(10, Column.COUNTDOWN).data() == "30:59"  # lead 11: 31 min left, 1 s later


def test_sort_by_native_values_and_back_to_queue_order(qtbot) -> None:
    m = QueueModel()
    m.set_rows([row(1, 1, 30, name="zed"), row(2, 2, 5, name="Amy"), row(3, 3, -12, name="bob")], NOW)
    proxy = QueueProxy()
    proxy.setSourceModel(m)
    proxy.sort(int(Column.NAME))
    assert [proxy.index(r, Column.NAME).data() for r in range(3)] == ["Amy", "bob", "zed"]
    proxy.sort(int(Column.COUNTDOWN), Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, 0).data(LeadIdRole) for r in range(3)] == [1, 2, 3]
    proxy.sort(int(Column.COUNTDOWN))
    assert [proxy.index(r, 0).data(LeadIdRole) for r in range(3)] == [3, 2, 1]
    assert proxy.index(0, Column.COUNTDOWN).data(SortRole) < proxy.index(1, Column.COUNTDOWN).data(SortRole)
    proxy.sort(int(Column.POSITION))
    assert [proxy.index(r, 0).data(LeadIdRole) for r in range(3)] == [1, 2, 3]
    proxy.set_text("BOB")
    assert proxy.rowCount() == 1 and proxy.index(0, 0).data(LeadIdRole) == 3


def test_model_loads_the_service_order(ctx, frozen) -> None:
    result = queue_rows(ctx.db, ctx.rep_name)
    m = QueueModel()
    m.set_rows(result.rows, frozen.t, result.team_tz)
    names = [m.index(r, Column.NAME).data() for r in range(m.rowCount())]
    assert names == ["Alice Able", "Bob Brown", "Carol Chen"]
    assert [m.index(r, Column.COUNTDOWN).data() for r in range(3)] == ["10:00", "40:00", "+30:00"]
    m.set_show_held(True)
    assert m.index(3, Column.NAME).data() == "Dan Diaz"
    assert "outside calling window" in m.index(3, Column.REASON).data()
