"""The queue as a thin Qt table model (vorta style): a column enum, ``set_rows()``, a
``SortRole`` with native values, and ``tick()`` that repaints only the ticking cells of
the rows the view says are visible.

Everything shown is derived from immutable ``QueueRow`` records; nothing here touches
the database. Held rows (not offered now, with the reason) are kept but exposed only
while ``show_held`` is on, so the common case needs no per-row filtering at all; the
service builds them only when asked, so ``held_count`` may exceed the held rows loaded
(``held_rows_loaded``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QFont, QGuiApplication, QPalette

from qualdesk import clock
from qualdesk.domain.countdown import Countdown, age_text, countdown, local_time_text
from qualdesk.domain.designation import LABELS, Designation
from qualdesk.services.queue_rows import QueueRow
from ui.icons import is_dark, state_colours, state_icon
from ui.labels import hand_raise, mail_problem

Index = QModelIndex | QPersistentModelIndex

SortRole = Qt.ItemDataRole.UserRole + 1
LeadIdRole = Qt.ItemDataRole.UserRole + 2
HeldRole = Qt.ItemDataRole.UserRole + 3
FilterRole = Qt.ItemDataRole.UserRole + 4
StateRole = Qt.ItemDataRole.UserRole + 5


class Column(IntEnum):
    # The lead's local time and why it is here sit left, so they stay visible however
    # narrow the queue is (DESIGN.md: "always visible").
    POSITION = 0
    COUNTDOWN = 1
    LOCAL_TIME = 2
    NAME = 3
    COMPANY = 4
    REASON = 5
    KIND = 6
    AGE = 7
    CAMPAIGN = 8
    ATTEMPTS = 9
    DESIGNATION = 10


HEADERS: dict[Column, str] = {
    Column.POSITION: "#",
    Column.COUNTDOWN: "Follow-up clock",
    Column.NAME: "Name",
    Column.COMPANY: "Company",
    Column.KIND: "Hand raise",
    Column.AGE: "Raised",
    Column.CAMPAIGN: "Campaign",
    Column.ATTEMPTS: "Today",
    Column.LOCAL_TIME: "Their time",
    Column.DESIGNATION: "Designation",
    Column.REASON: "Why it is here",
}

HEADER_TIPS: dict[Column, str] = {
    Column.POSITION: "Queue position (held leads have none)",
    Column.COUNTDOWN: "Time left to call AND email; counts up once breached",
    Column.AGE: "How long ago the hand raise came in",
    Column.ATTEMPTS: "Call attempts today",
    Column.LOCAL_TIME: "The lead's local time in each of their time zones",
}

# The columns that change with time alone: the only ones a tick repaints.
TICKING: tuple[Column, ...] = (Column.COUNTDOWN, Column.AGE, Column.LOCAL_TIME)
_TICK_ROLES = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole,
               Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole,
               Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole, StateRole]
_INF = math.inf
_NCOLS = len(Column)
# Columns whose text may elide in a narrow queue: their tooltip gives it whole.
_TEXT_TIPS = (Column.NAME, Column.COMPANY, Column.KIND, Column.CAMPAIGN)


MAIL_MARK = "✉ "  # an email to this lead waits in the outbox

# The filter matches this prefix too, so the pinned row survives any filter text while
# the matching stays in C++ (a Python filterAcceptsRow would run per row of 100,000).
PINNED_MARK = "\x01"


def clock_font(base: QFont | None = None) -> QFont:
    """The countdown's font, the loudest on screen: the queue's cells and the lead's clock."""
    base = QFont(base or QGuiApplication.font())
    f = QFont(base)
    f.setBold(True)
    f.setPointSizeF(base.pointSizeF() * 1.3 if base.pointSizeF() > 0 else 12)
    return f


def _ts(d: datetime | None) -> float:
    return d.timestamp() if d is not None else _INF


class QueueModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None, team_tz: str = "UTC") -> None:
        super().__init__(parent)
        self._all: list[QueueRow] = []
        self._rows: list[QueueRow] = []
        self._offered_rows: list[QueueRow] = []
        self._offered = self._held = self._held_loaded = 0
        self._show_held = False
        self._team_tz = team_tz
        self._now = clock.now()
        # Time-dependent texts, computed once per tick for the rows being painted.
        self._cache: dict[int, tuple[Countdown, str, str]] = {}
        self._dark = is_dark()
        self._clock_font = clock_font()
        self._pinned: int | None = None  # the lead being worked: no filter hides it
        self._mail: dict[int, str] = {}  # leads with an email waiting -> why it waits
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    # --- loading ---------------------------------------------------------------------

    def set_rows(self, rows: Sequence[QueueRow], now: datetime | None = None,
                 team_tz: str | None = None, held_count: int | None = None) -> None:
        """``held_count``: how many leads are held back when ``rows`` leaves their rows out
        (the service builds held rows only while "Show held" is on)."""
        self.beginResetModel()
        self._all = list(rows)
        self._offered_rows = [r for r in self._all if not r.held]
        self._offered = len(self._offered_rows)
        self._held_loaded = len(self._all) - self._offered
        self._held = self._held_loaded if held_count is None else max(held_count,
                                                                       self._held_loaded)
        if team_tz:
            self._team_tz = team_tz
        self._now = now or clock.now()
        self._cache.clear()
        self._rows = self._exposed()
        self._apply_sort()
        self.endResetModel()

    def set_show_held(self, show: bool) -> None:
        if show == self._show_held:
            return
        self.beginResetModel()
        self._show_held = show
        self._rows = self._exposed()
        self._apply_sort()
        self._cache.clear()
        self.endResetModel()

    @property
    def show_held(self) -> bool:
        return self._show_held

    def _exposed(self) -> list[QueueRow]:
        return list(self._all if self._show_held else self._offered_rows)

    def row_record(self, row: int) -> QueueRow:
        return self._rows[row]

    def row_of_lead(self, lead_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.lead_id == lead_id:
                return i
        return -1

    def held_count(self) -> int:
        """Leads held back, whether or not their rows are loaded."""
        return self._held

    def offered_count(self) -> int:
        return self._offered

    def held_rows_loaded(self) -> bool:
        return self._held_loaded == self._held

    def set_mail_waiting(self, by_lead: dict[int, str]) -> None:
        """Leads whose email has not gone out (queued or failed): marked in the name."""
        if by_lead == self._mail:
            return
        self._mail = dict(by_lead)
        if self._rows:
            self.dataChanged.emit(self.index(0, Column.NAME),
                                  self.index(len(self._rows) - 1, Column.NAME))

    def set_pinned(self, lead_id: int | None) -> None:
        """The lead on the rep's screen: its row matches every filter (``PINNED_MARK``)."""
        old, self._pinned = self._pinned, lead_id
        for lid in {old, lead_id} - {None}:
            row = self.row_of_lead(lid)  # type: ignore[arg-type]
            if row >= 0:
                self.dataChanged.emit(self.index(row, 0), self.index(row, _NCOLS - 1),
                                      [FilterRole])

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        if self._rows:
            self.dataChanged.emit(self.index(0, Column.COUNTDOWN),
                                  self.index(len(self._rows) - 1, Column.COUNTDOWN))

    # --- the one tick ----------------------------------------------------------------

    def tick(self, now: datetime, rows: Iterable[int]) -> int:
        """Advance the clock and repaint the ticking cells of ``rows`` (the visible
        ones); returns how many rows were announced."""
        self._now = now
        self._cache.clear()
        wanted = sorted({r for r in rows if 0 <= r < len(self._rows)})
        for first, last in _runs(wanted):
            for col in TICKING:
                self.dataChanged.emit(self.index(first, col), self.index(last, col), _TICK_ROLES)
        return len(wanted)

    @property
    def now(self) -> datetime:
        return self._now

    def _timed(self, row: int) -> tuple[Countdown, str, str]:
        hit = self._cache.get(row)
        if hit is None:
            r = self._rows[row]
            hit = (countdown(r.deadline, self._now), age_text(r.raised_at, self._now),
                   local_time_text(r.time_zones, self._now, self._team_tz))
            self._cache[row] = hit
        return hit

    # --- Qt model interface ----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _NCOLS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        col = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(col, HEADERS[col])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < _NCOLS):
            return None
        r = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, row, col)
        if role == SortRole:
            return self._sort_value(r, col)
        if role == LeadIdRole:
            return r.lead_id
        if role == HeldRole:
            return r.held
        if role == FilterRole:
            pin = PINNED_MARK if r.lead_id == self._pinned else ""
            return f"{pin}{r.name} {r.company} {r.campaign} {r.reason} {r.kind or ''}".lower()
        if col == Column.COUNTDOWN:
            return self._countdown_role(r, row, role)
        if role == Qt.ItemDataRole.ForegroundRole and r.held:
            pal = QGuiApplication.palette()
            return QBrush(pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        if role == Qt.ItemDataRole.ToolTipRole and col == Column.NAME and r.lead_id in self._mail:
            return "An email to this lead has not gone out: " + mail_problem(self._mail[r.lead_id])
        if role == Qt.ItemDataRole.ToolTipRole and col == Column.REASON:
            return ("Held back: " if r.held else "") + r.reason
        if role == Qt.ItemDataRole.ToolTipRole and col in _TEXT_TIPS:
            return self._display(r, row, col) or None  # whole, when the column elides it
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (Column.POSITION, Column.ATTEMPTS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, r: QueueRow, row: int, col: int) -> str:
        if col == Column.POSITION:
            return str(r.position) if r.position else "held"
        if col == Column.COUNTDOWN:
            return self._timed(row)[0].clock  # the state's icon is beside it
        if col == Column.NAME:
            return f"{MAIL_MARK}{r.name}" if r.lead_id in self._mail else r.name
        if col == Column.COMPANY:
            return r.company
        if col == Column.KIND:
            return hand_raise(r.kind) if r.kind else ("callback" if r.callback_due_at else "")
        if col == Column.AGE:
            return self._timed(row)[1]
        if col == Column.CAMPAIGN:
            return r.campaign
        if col == Column.ATTEMPTS:
            return str(r.attempts_today)
        if col == Column.LOCAL_TIME:
            return self._timed(row)[2]
        if col == Column.DESIGNATION:
            try:
                return LABELS[Designation(r.designation)]
            except ValueError:
                return r.designation
        return ("held: " if r.held else "") + r.reason  # Column.REASON

    def _countdown_role(self, r: QueueRow, row: int, role: int) -> Any:
        cd = self._timed(row)[0]
        if role == Qt.ItemDataRole.DecorationRole:
            return state_icon(cd.state, self._dark)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            colours = state_colours(cd.state, self._dark)
            if colours is None:
                return None
            return QBrush(colours[0] if role == Qt.ItemDataRole.BackgroundRole else colours[1])
        if role == Qt.ItemDataRole.FontRole:
            return self._clock_font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            if r.deadline is None:
                return "No open hand raise: no follow-up clock"
            return f"{cd.words}: {cd.text} (deadline {r.deadline:%H:%M} UTC)"
        if role == StateRole:
            return cd.state.value
        return None

    def _sort_value(self, r: QueueRow, col: int) -> Any:
        if col == Column.POSITION:
            return r.position if r.position else 1_000_000_000 + r.lead_id
        if col == Column.COUNTDOWN:
            return _ts(r.deadline)
        if col == Column.NAME:
            return r.name.lower()
        if col == Column.COMPANY:
            return r.company.lower()
        if col == Column.KIND:
            return r.kind or ""
        if col == Column.AGE:
            return -_ts(r.raised_at)
        if col == Column.CAMPAIGN:
            return r.campaign.lower()
        if col == Column.ATTEMPTS:
            return r.attempts_today
        if col == Column.LOCAL_TIME:
            return _utc_offset(r.time_zones, self._now)
        if col == Column.DESIGNATION:
            return r.designation
        return r.reason.lower()

    # --- sorting with native keys -----------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder rows by ``SortRole`` in one Python sort (C++ comparisons calling back
        into ``data()`` would cost seconds at 100,000 rows); persistent indexes follow."""
        if (column, order) == self._sort:
            # Rows are always kept in the current order (set_rows re-sorts), and
            # QTableView.sortByColumn asks twice (the header's signal, then a forced sort).
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = list(self._rows)
        self._apply_sort()
        self._cache.clear()
        persistent = self.persistentIndexList()
        if persistent:
            # Only the few rows that views hold on to (current, selected) are looked up.
            # Only the few rows that views hold on to (current, selected) are looked up,
            # by identity, with C-level scans.
            ids = list(map(id, self._rows))

            def moved(p: QModelIndex) -> QModelIndex:
                if not 0 <= p.row() < len(old):
                    return QModelIndex()
                try:
                    return self.index(ids.index(id(old[p.row()])), p.column())
                except ValueError:
                    return QModelIndex()

            self.changePersistentIndexList(persistent, [moved(p) for p in persistent])
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        # Stable sorts of the queue order on one scalar key: ties keep queue order, and
        # scalar comparisons are several times cheaper than tuple ones at 100,000 rows.
        column, order = self._sort
        base = self._exposed()
        col = Column.POSITION if column < 0 else Column(column)
        rev = order == Qt.SortOrder.DescendingOrder
        if col == Column.POSITION and not rev:
            self._rows = base
            return
        self._rows = sorted(base, key=self._key_function(col), reverse=rev)

    def _key_function(self, col: Column) -> Callable[[QueueRow], Any]:
        fast: dict[Column, Callable[[QueueRow], Any]] = {
            Column.COUNTDOWN: lambda r: _ts(r.deadline),
            Column.NAME: lambda r: r.name.lower(),
            Column.COMPANY: lambda r: r.company.lower(),
            Column.AGE: lambda r: -_ts(r.raised_at),
            Column.ATTEMPTS: lambda r: r.attempts_today,
        }
        return fast.get(col) or (lambda r: self._sort_value(r, col))


def _runs(rows: list[int]) -> Iterable[tuple[int, int]]:
    """Sorted row numbers as contiguous (first, last) runs: one signal per run."""
    if not rows:
        return
    first = prev = rows[0]
    for r in rows[1:]:
        if r != prev + 1:
            yield first, prev
            first = r
        prev = r
    yield first, prev


def _utc_offset(zones: tuple[str, ...], now: datetime) -> float:
    from qualdesk.domain.calling_window import zone

    for name in zones:
        tz = zone(name)
        if tz is not None:
            off = now.astimezone(tz).utcoffset()
            return off.total_seconds() if off is not None else 0.0
    return _INF
