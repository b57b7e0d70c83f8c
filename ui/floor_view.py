"""The team lead's floor: one row per rep (today's attempts, connects, follow-ups,
turn-overs, the lead held now and for how long, hand raises behind the clock), the
team's totals, and the hand raises at risk — with reassign.

It refreshes by itself: a one-second timer polls the cheap ``change_marker`` query
through the op runner and reloads only when it moved (or every 30 s, as deadlines
approach with no write at all). Queries run off the GUI thread; ``key=`` drops stale
results. The same timer repaints the two ticking columns.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from enum import IntEnum
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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
from qualdesk.domain.countdown import countdown
from qualdesk.services.queue import reassign
from qualdesk.services.reports.floor import (
    AtRiskRow,
    FloorSnapshot,
    RepFloorRow,
    change_marker,
    floor_snapshot,
)
from ui import labels
from ui.context import AppContext
from ui.icons import is_dark, state_colours, state_icon
from ui.queue_model import clock_font
from ui.rows_model import RowsModel

Index = QModelIndex | QPersistentModelIndex
SortRole = Qt.ItemDataRole.UserRole + 1
LeadIdRole = Qt.ItemDataRole.UserRole + 2
FULL_RELOAD_SECONDS = 30.0
NOBODY = "(nobody)"


def minutes_text(minutes: float) -> str:
    """A span as a team lead reads it: "7 min", "2 h 05 min", and from two days on
    "5 d 23 h" (a breach counted in hundreds of hours reads as noise)."""
    m = int(abs(minutes))
    if m >= 48 * 60:
        return f"{m // 1440} d {m % 1440 // 60:02d} h"
    return f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min"


class RepCol(IntEnum):
    REP = 0
    STATE = 1
    ATTEMPTS = 2
    CONNECTS = 3
    FOLLOWUPS = 4
    TURNED_OVER = 5
    CURRENT = 6
    HELD_FOR = 7
    BEHIND = 8


REP_HEADERS = ("Rep", "Now", "Attempts today", "Live connects", "Voicemail + email",
               "Turned over", "On lead now", "On it for", "Behind the clock")
STATE_ORDER = {"on_call": 0, "wrap_up": 1, "idle": 2, "away": 3, "signed_out": 4}


class FloorRepModel(QAbstractTableModel):
    """The reps, then the team's totals as a bold last row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RepFloorRow] = []
        self._totals: RepFloorRow | None = None

    def set_rows(self, rows: Sequence[RepFloorRow], totals: RepFloorRow | None) -> None:
        self.beginResetModel()
        self._rows, self._totals = list(rows), totals
        self.endResetModel()

    def row_record(self, row: int) -> RepFloorRow:
        return self._rows[row] if row < len(self._rows) else self._totals  # type: ignore[return-value]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._rows) + (1 if self._totals is not None else 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RepCol)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return REP_HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.row_record(index.row())
        col = RepCol(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, SortRole):
            return self._value(r, col, role == SortRole)
        if role == Qt.ItemDataRole.FontRole and r is self._totals:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole and col == RepCol.STATE:
            return ("From the rep's phone where there is one; otherwise from what they do: "
                    "a call open, wrap-up (3 min after a call), idle (active in the last "
                    "15 min or holding a lead), away, signed out (nothing for an hour)")
        if role == Qt.ItemDataRole.TextAlignmentRole and col not in (RepCol.REP, RepCol.STATE,
                                                                     RepCol.CURRENT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == RepCol.BEHIND:
            return "Hand raises they own past the deadline without a call and an email"
        return None

    def _value(self, r: RepFloorRow, col: RepCol, native: bool) -> Any:
        if col == RepCol.REP:
            return r.name
        if col == RepCol.STATE:
            if r is self._totals:
                return "" if not native else 9
            # the phone's state where there is one, the rep's activity otherwise
            return STATE_ORDER[r.state.code] if native else r.state_text(clock.now())
        if col == RepCol.CURRENT:
            if r.current_lead_id is None:
                return r.current_lead or ""
            return f"{r.current_lead} (#{r.current_lead_id})"
        if col == RepCol.HELD_FOR:
            held = r.held_minutes(clock.now())
            if native:
                return held if held is not None else -1.0
            return "" if held is None else minutes_text(held)
        value = {RepCol.ATTEMPTS: r.attempts, RepCol.CONNECTS: r.connects,
                 RepCol.FOLLOWUPS: r.followups, RepCol.TURNED_OVER: r.turned_over,
                 RepCol.BEHIND: r.behind_clock}[col]
        if col == RepCol.BEHIND and value and not native:
            return f"⚠ {value}"
        return value

    def tick(self) -> None:
        if self.rowCount():  # the call clocks and the "for" column count up
            for col in (RepCol.STATE, RepCol.HELD_FOR):
                self.dataChanged.emit(self.index(0, col), self.index(self.rowCount() - 1, col),
                                      [Qt.ItemDataRole.DisplayRole])


class RiskCol(IntEnum):
    CLOCK = 0
    LEAD = 1
    COMPANY = 2
    OWNER = 3
    KIND = 4
    RAISED = 5
    CALLED = 6
    EMAILED = 7


RISK_HEADERS = ("Clock", "Lead", "Company", "Owner", "Hand raise", "Raised", "Called", "Emailed")


class AtRiskModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(RISK_HEADERS, parent)
        self.tz = ZoneInfo("UTC")

    def set_zone_and_rows(self, rows: Sequence[AtRiskRow], tz: str) -> None:
        self.tz = ZoneInfo(tz)
        self.set_rows(rows)

    def row_record(self, row: int) -> AtRiskRow:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = RiskCol(index.column())
        now = clock.now()
        if role == LeadIdRole:
            return r.lead_id
        if role == SortRole:
            return {RiskCol.CLOCK: r.minutes_left(now), RiskCol.RAISED: r.raised_at.timestamp(),
                    RiskCol.OWNER: r.owner or ""}.get(col, self._text(r, col, now))
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col, now)
        if col == RiskCol.CLOCK:  # the queue's clock: its icon, colours, font and text
            cd = countdown(r.deadline_at, now)
            if role == Qt.ItemDataRole.DecorationRole:
                return state_icon(cd.state, is_dark())
            if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
                colours = state_colours(cd.state, is_dark())
                if colours is None:
                    return None
                return QBrush(colours[0] if role == Qt.ItemDataRole.BackgroundRole else colours[1])
            if role == Qt.ItemDataRole.FontRole:
                return clock_font()
            if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
                return f"{cd.words}: {cd.text}"
        return None

    def _text(self, r: AtRiskRow, col: RiskCol, now: Any) -> str:
        if col == RiskCol.CLOCK:
            # as the queue shows it: the time left, a breached clock counting up with "+",
            # the state's icon beside it (text, symbol and colour)
            cd = countdown(r.deadline_at, now)
            if cd.seconds <= -48 * 3600:  # "+143:34:00" reads as noise: days and hours
                return "+" + minutes_text(-cd.seconds / 60)
            return cd.clock
        if col == RiskCol.LEAD:
            return r.lead
        if col == RiskCol.COMPANY:
            return r.company or ""
        if col == RiskCol.OWNER:
            return r.owner or "unowned"
        if col == RiskCol.KIND:
            return labels.hand_raise(r.kind)
        if col == RiskCol.RAISED:
            return r.raised_at.astimezone(self.tz).strftime("%H:%M %a %d %b")
        if col == RiskCol.CALLED:
            return "✓" if r.has_call else "—"
        return "✓" if r.has_email else "—"

    def tick(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, RiskCol.CLOCK),
                                  self.index(len(self._rows) - 1, RiskCol.CLOCK),
                                  [Qt.ItemDataRole.DisplayRole])


class FloorView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("floor_view")
        self.ctx = ctx
        self.snapshot: FloorSnapshot | None = None
        self._marker: int | None = None
        self._loaded_at = 0.0
        self._polling = False
        self._build_tables()
        self._build_reassign()
        self._arrange()
        self._start_polling()

    def _build_tables(self) -> None:
        """The summary line, the reps' table and the hand raises at risk."""
        self.summary = QLabel("Loading the floor…")
        self.summary.setObjectName("floor_summary")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setObjectName("floor_refresh_button")
        self.refresh_button.setToolTip("Reload now (the floor also refreshes by itself)")
        self.refresh_button.clicked.connect(self.refresh)
        self.rep_model = FloorRepModel(self)
        self.rep_table = QTableView()
        self.rep_table.setObjectName("floor_reps_table")
        self.rep_table.setModel(self.rep_model)
        self.risk_model = AtRiskModel(self)
        self.risk_table = QTableView()
        self.risk_table.setObjectName("floor_risk_table")
        self.risk_table.setModel(self.risk_model)
        for t in (self.rep_table, self.risk_table):
            t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            t.verticalHeader().setVisible(False)
            t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            t.horizontalHeader().setStretchLastSection(False)
            t.setAlternatingRowColors(True)
            t.setTabKeyNavigation(False)  # Tab moves on to the next control, arrows move rows
        # columns as wide as their words: an empty "On lead now" no longer takes the width
        self.risk_table.horizontalHeader().setSectionResizeMode(RiskCol.COMPANY, QHeaderView.ResizeMode.Stretch)

    def _build_reassign(self) -> None:
        """Reassigning without the mouse: Alt+K to the list, arrows to a lead, Enter to the
        rep box (Alt+T), arrows to a rep, Enter (or Alt+A) to reassign."""
        self.risk_label = QLabel("deadline within 15 min or breached — unowned first, "
                                 "then the saveable ones, then the freshest breaches")
        self.risk_label.setObjectName("floor_risk_label")
        self.reassign_to = QComboBox()
        self.reassign_to.setObjectName("floor_reassign_to")
        self.reassign_to.setToolTip("Give the selected lead to this rep")
        self.reassign_button = QPushButton("Re&assign selected lead")
        self.reassign_button.setObjectName("floor_reassign_button")
        self.reassign_button.clicked.connect(self._reassign_clicked)
        self.message = QLabel("")
        self.message.setObjectName("floor_message")
        self.risk_jump = QLabel("At ris&k:")
        self.risk_jump.setBuddy(self.risk_table)
        self.to_label = QLabel("Reassign &to")
        self.to_label.setBuddy(self.reassign_to)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            to_rep = QShortcut(QKeySequence(key), self.risk_table,
                               context=Qt.ShortcutContext.WidgetShortcut)
            to_rep.activated.connect(self.reassign_to.setFocus)
            go = QShortcut(QKeySequence(key), self.reassign_to,  # Enter in the rep box reassigns
                           context=Qt.ShortcutContext.WidgetShortcut)
            go.activated.connect(self._reassign_clicked)

    def _arrange(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        risk_bar = QHBoxLayout()
        risk_bar.addWidget(self.risk_jump)
        risk_bar.addWidget(self.risk_label, 1)
        risk_bar.addWidget(self.to_label)
        risk_bar.addWidget(self.reassign_to)
        risk_bar.addWidget(self.reassign_button)
        lower = QWidget()
        lower_lay = QVBoxLayout(lower)
        lower_lay.setContentsMargins(0, 0, 0, 0)
        lower_lay.addLayout(risk_bar)
        lower_lay.addWidget(self.risk_table)
        lower_lay.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("floor_splitter")
        split.addWidget(self.rep_table)
        split.addWidget(lower)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        # reps, the leads at risk, then who gets the lead and the button (once placed)
        chain = (self.refresh_button, self.rep_table, self.risk_table, self.reassign_to,
                 self.reassign_button)
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)

    def _start_polling(self) -> None:
        self.poll_timer = QTimer(self)
        self.poll_timer.setObjectName("floor_poll_timer")
        self.poll_timer.setInterval(1000)
        self.poll_timer.timeout.connect(self._poll)
        self.ctx.sig_operation_executed.connect(self._on_operation)
        self.refresh()
        self.poll_timer.start()

    # --- loading ---------------------------------------------------------------

    def refresh(self) -> None:
        self.ctx.run_query(partial(floor_snapshot, self.ctx.db), self._show, key="floor-load",
                           on_error=self._on_error)

    def _poll(self) -> None:
        self.rep_model.tick()
        self.risk_model.tick()
        if self._polling:
            return  # the previous poll is still out: never pile them up
        self._polling = True
        self.ctx.run_query(partial(change_marker, self.ctx.db), self._on_marker,
                           key="floor-marker", on_error=self._on_poll_error)

    def _on_marker(self, marker: int) -> None:
        self._polling = False
        if marker != self._marker or time.monotonic() - self._loaded_at > FULL_RELOAD_SECONDS:
            self._marker = marker  # so a slow reload is not requested twice
            self.refresh()

    def _on_poll_error(self, exc: BaseException) -> None:
        self._polling = False
        self.message.setText(f"Cannot reach the database: {exc}")

    def _on_error(self, exc: BaseException) -> None:
        self.message.setText(str(exc))

    def _on_operation(self, changes: Any, initiator: object) -> None:
        self.refresh()

    def _show(self, snap: FloorSnapshot) -> None:
        self.snapshot = snap
        self._marker = snap.marker
        self._loaded_at = time.monotonic()
        selected = self.selected_lead()
        self.rep_model.set_rows(snap.reps, snap.totals)
        self.risk_model.set_zone_and_rows(snap.at_risk, snap.team_tz)
        if selected is not None:
            for i, r in enumerate(snap.at_risk):
                if r.lead_id == selected:
                    self.risk_table.selectRow(i)
                    break
        current = self.reassign_to.currentText()
        self.reassign_to.blockSignals(True)
        self.reassign_to.clear()
        self.reassign_to.addItems([*snap.rep_names, NOBODY])
        if current:
            self.reassign_to.setCurrentText(current)
        self.reassign_to.blockSignals(False)
        breached = sum(1 for r in snap.at_risk if r.breached(snap.as_of))
        local = snap.as_of.astimezone(ZoneInfo(snap.team_tz))
        self.summary.setText(
            f"Today on the floor — as of {local:%H:%M} ({snap.team_tz}): "
            f"{snap.totals.attempts} attempts, {snap.totals.connects} live connects, "
            f"{len(snap.at_risk)} at risk ({breached} breached)")

    # --- reassign ----------------------------------------------------------------

    def selected_lead(self) -> int | None:
        rows = self.risk_table.selectionModel().selectedRows() if self.risk_table.selectionModel() else []
        if not rows:
            return None
        return self.risk_model.row_record(rows[0].row()).lead_id

    def _reassign_clicked(self) -> None:
        to = self.reassign_to.currentText()
        self.reassign_selected(None if to == NOBODY else to)

    def reassign_selected(self, to_rep: str | None) -> None:
        lead_id = self.selected_lead()
        if lead_id is None:
            self.message.setText("Select a hand raise in the list first")
            return
        by = self.ctx.rep_name
        self.ctx.run_op(partial(reassign, self.ctx.db, lead_id, to_rep, by), initiator=self,
                        on_done=lambda _c: self.message.setText(
                            f"Lead {lead_id} now belongs to {to_rep or 'nobody'}"),
                        on_error=self._on_error)
