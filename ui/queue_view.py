"""The rep's queue: the order ``rep_queue`` decides, with live countdowns.

One QTimer drives every countdown and asks the model to repaint only the rows the
table shows. Claiming ("Next lead", F2) goes through ``claim_next`` as a lease; the
claimed lead is announced with ``sig_lead_claimed`` for the lead panel.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qualdesk import clock
from qualdesk.domain.records import Changes
from qualdesk.services import queue as queue_svc
from qualdesk.services.mail_waiting import Waiting, waiting_emails
from qualdesk.services.queue_rows import QueueRows, queue_rows
from ui import keymap
from ui.context import AppContext
from ui.icons import is_dark
from ui.labels import mail_problem
from ui.queue_columns import ColumnFitter
from ui.queue_model import PINNED_MARK, Column, FilterRole, LeadIdRole, QueueModel
from ui.what_changed import claimed

Index = QModelIndex | QPersistentModelIndex


class QueueProxy(QSortFilterProxyModel):
    """Filters on a precomputed text role; sorting is delegated to the source model's
    native-key sort so a header click on 100,000 rows stays fast. With no filter text
    Qt accepts every row without calling back into Python."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterRole(FilterRole)
        self.setFilterKeyColumn(int(Column.POSITION))
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        src = self.sourceModel()
        if isinstance(src, QueueModel):
            src.sort(column, order)

    def set_text(self, text: str) -> None:
        text = text.strip().lower()
        if not text:
            self.setFilterRegularExpression(QRegularExpression())
            return
        # The text, or the lead being worked (``PINNED_MARK``): never hidden by a filter.
        self.setFilterRegularExpression(QRegularExpression(
            f"{QRegularExpression.escape(text)}|^{PINNED_MARK}"))


class ClockDelegate(QStyledItemDelegate):
    """The countdown cell keeps its state colours when its row is selected (Qt would
    paint the selection over them); the selection shows as a frame instead."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        opt = QStyleOptionViewItem(option)
        if selected and index.data(Qt.ItemDataRole.BackgroundRole) is not None:
            opt.state &= ~QStyle.StateFlag.State_Selected
            super().paint(painter, opt, index)
            painter.save()
            pen = QPen(option.palette.color(QPalette.ColorRole.Highlight), 3)
            painter.setPen(pen)
            painter.drawRect(option.rect.adjusted(1, 1, -2, -2))
            painter.restore()
            return
        super().paint(painter, option, index)


class _HeadRelay(QObject):
    sig_head = Signal(int, object)

    def send(self, generation: int, head: QueueRows) -> None:
        """From the worker thread (a queued signal to the view's thread)."""
        # RuntimeError: the view was closed while its queue was loading.
        with contextlib.suppress(RuntimeError):
            self.sig_head.emit(generation, head)


class QueueView(QWidget):
    sig_lead_claimed = Signal(int)
    sig_status = Signal(str)
    sig_loaded = Signal(int)

    TICK_MS = 1000
    REFRESH_MS = 30_000

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queue_view")
        self.ctx = ctx
        self.model = QueueModel(self)
        self.proxy = QueueProxy(self)
        self.proxy.setSourceModel(self.model)
        self._claiming = False
        self.loaded_once = False
        self.first_rows_at: float | None = None  # perf_counter when rows first showed
        self._generation = 0
        # The head of the queue is reported from the worker thread: a queued signal
        # brings it to this one.
        self._head_relay = _HeadRelay(self)
        self._head_relay.sig_head.connect(self._on_head)
        self._new_dialog: QWidget | None = None
        self._mail_told: tuple[int, str] = (0, "")
        self._build_controls()
        self._build_table()
        self._build_layout()
        self._add_keys()
        self._start_timers()
        ctx.sig_operation_executed.connect(self._on_operation)

    def _build_controls(self) -> None:
        """Next lead, the filter, Show held, New lead, Refresh, and the summary line."""
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("queue_filter")
        self.filter_edit.setPlaceholderText("Filter: name, company, reason…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip(keymap.tooltip("queue_filter"))
        self.filter_edit.textChanged.connect(self.proxy.set_text)

        self.held_check = QCheckBox("Show held", self)
        self.held_check.setObjectName("queue_show_held")
        self.held_check.setToolTip(keymap.tooltip("show_held", "Also show leads not offered now, with why"))
        self.held_check.toggled.connect(self._on_show_held)

        self.next_button = QPushButton("Next lead", self)
        self.next_button.setObjectName("queue_next_button")
        self.next_button.setToolTip(keymap.tooltip("next_lead"))
        self.next_button.clicked.connect(self.next_lead)
        self.next_button.setDefault(False)

        self.new_button = QPushButton("New lead…", self)
        self.new_button.setObjectName("queue_new_lead_button")
        self.new_button.setToolTip(keymap.tooltip("new_lead"))
        self.new_button.clicked.connect(self.open_new_lead)

        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setObjectName("queue_refresh_button")
        self.refresh_button.setToolTip(keymap.tooltip("refresh"))
        self.refresh_button.clicked.connect(self.refresh)

        self.summary = QLabel("", self)
        self.summary.setObjectName("queue_summary")

    def _build_table(self) -> None:
        """The queue table: rows by the service's order, one clock delegate, Enter claims."""
        self.table = QTableView(self)
        self.table.setObjectName("queue_table")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # No sort indicator yet: the service's queue order is the default order (Qt
        # would otherwise sort by column 0, descending, the moment sorting is enabled).
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicatorShown(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.doubleClicked.connect(self._claim_index)
        self.clock_delegate = ClockDelegate(self.table)
        self.table.setItemDelegateForColumn(int(Column.COUNTDOWN), self.clock_delegate)
        self._size_columns()
        self.table.horizontalHeader().sectionClicked.connect(self._on_header_clicked)

        claim_key = QShortcut(QKeySequence("Return"), self.table)
        claim_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        claim_key.activated.connect(self.claim_selected)
        self._claim_shortcut = claim_key

    def _build_layout(self) -> None:
        """The controls in one row above the table; the summary under it."""
        top = QHBoxLayout()
        top.addWidget(self.next_button)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.held_check)
        top.addWidget(self.new_button)
        top.addWidget(self.refresh_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.summary)

    def _add_keys(self) -> None:
        """The queue's window-wide keys (keymap names them)."""
        self._add_action("next_lead", self.next_lead)
        self._add_action("queue_filter", self._focus_filter)
        self._add_action("show_held", self.held_check.toggle)
        self._add_action("refresh", self.refresh)
        self._add_action("focus_queue", self.focus_table)
        self._add_action("new_lead", self.open_new_lead)

    def _start_timers(self) -> None:
        """The countdowns' one tick and the slow poll for other clients' writes."""
        # ONE timer for every countdown on screen.
        self.tick_timer = QTimer(self)
        self.tick_timer.setObjectName("queue_tick_timer")
        self.tick_timer.setInterval(self.TICK_MS)
        self.tick_timer.timeout.connect(self.tick)
        self.tick_timer.start()
        # Other clients' writes: a slow poll; our own writes refresh at once.
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(self.REFRESH_MS)
        self.refresh_timer.timeout.connect(self.refresh)
        self.refresh_timer.start()

    def _add_action(self, name: str, slot: Any) -> QAction:
        act = QAction(self)
        act.setObjectName(f"action_{name}")
        act.setShortcuts(keymap.sequences(name))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _size_columns(self) -> None:
        fm = self.table.fontMetrics()
        clock_fm = QFontMetrics(self.model._clock_font)
        row_h = max(clock_fm.height(), fm.height()) + 8
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(row_h)
        vh.hide()
        hh = self.table.horizontalHeader()
        ch = fm.horizontalAdvance("M")
        widths = {
            Column.POSITION: fm.horizontalAdvance("held") + ch * 2,
            Column.COUNTDOWN: clock_fm.horizontalAdvance("✖ +0:00:00") + row_h + ch * 2,
            Column.LOCAL_TIME: fm.horizontalAdvance("00:00 AEDT") + ch,
            Column.NAME: ch * 10, Column.COMPANY: ch * 10, Column.REASON: ch * 22,
            Column.KIND: ch * 11, Column.AGE: ch * 5, Column.CAMPAIGN: ch * 9,
            Column.ATTEMPTS: ch * 3, Column.DESIGNATION: ch * 7,
        }
        self._base_widths: dict[Column, int] = {}
        for col, w in widths.items():
            self._base_widths[col] = max(w, fm.horizontalAdvance(self.model.headerData(
                int(col), Qt.Orientation.Horizontal)) + ch * 2)
            hh.resizeSection(int(col), self._base_widths[col])
        # The text columns follow their rows (``ui.queue_columns``), within the room.
        self.columns = ColumnFitter(self.table, self._base_widths)
        hh.setStretchLastSection(True)
        hh.setMinimumSectionSize(fm.horizontalAdvance("000"))

    # --- loading ---------------------------------------------------------------------

    def refresh(self) -> None:
        # Held leads' rows are built only while they are shown: with 100,000 open leads
        # that halves the work and the memory of every refresh.
        db, rep, held = self.ctx.db, self.ctx.rep_name, self.held_check.isChecked()
        self._generation += 1
        # Until the first full queue arrives, show its head (callbacks due and leads in
        # their clock, in order) as soon as the service has it; later refreshes just
        # replace a full queue with a full queue.
        on_head = None
        if not self.loaded_once:
            gen, relay = self._generation, self._head_relay
            on_head = lambda head: relay.send(gen, head)  # noqa: E731
        self.ctx.run_query(lambda: queue_rows(db, rep, include_held=held, on_head=on_head),
                           self._on_rows, key="queue_rows")

    def _on_head(self, generation: int, head: QueueRows) -> None:
        if self.loaded_once or generation != self._generation or not head.rows:
            return
        self.model.set_rows(head.rows, clock.now(), head.team_tz, 0)
        n = len(head.rows)
        self.summary.setText(f"Top {n} lead{'s' if n != 1 else ''} of your queue · "
                             "loading the rest…")
        self._first_rows()
        self.tick()

    def _first_rows(self) -> None:
        if self.first_rows_at is None:
            self.first_rows_at = time.perf_counter()

    def _on_rows(self, result: QueueRows) -> None:
        self._first_rows()
        selected = self.selected_lead()
        self.model.set_rows(result.rows, clock.now(), result.team_tz, result.held_count)
        n, held = self.model.offered_count(), self.model.held_count()
        self.summary.setText(f"{n} lead{'s' if n != 1 else ''} in your queue · {held} held back"
                             if n or held else "Your queue is empty for now")
        if selected is not None:
            self.select_lead(selected)
        self.columns.measure()
        self._fit_columns()
        self.tick()
        self.loaded_once = True
        self.sig_loaded.emit(n)
        db = self.ctx.db
        self.ctx.run_query(lambda: waiting_emails(db), self._on_mail_waiting, key="mail_waiting",
                           on_error=lambda _exc: None)
        if self.model.show_held and not self.model.held_rows_loaded():
            self.refresh()  # "Show held" was ticked while this load was on its way

    def _on_mail_waiting(self, w: Waiting) -> None:
        """Emails that have not gone out: marked on their leads, counted under the queue,
        and a team lead (who can set the mail server up) is told why."""
        self.model.set_mail_waiting(w.by_lead)
        text = self.summary.text().split(" · ✉")[0]
        if w.count:
            text += f" · ✉ {w.count} email{'s' if w.count != 1 else ''} not sent yet"
        self.summary.setText(text)
        self.summary.setToolTip(mail_problem(w.reason) if w.count else "")
        role = self.ctx.user.role if self.ctx.user else "rep"
        told = (w.count, w.reason)
        if w.count and role in ("lead", "admin") and told != self._mail_told:
            self.ctx.runner.sig_error_known.emit(
                f"{w.count} email{'s' if w.count != 1 else ''} to leads "
                f"{'are' if w.count != 1 else 'is'} waiting in the outbox: "
                f"{mail_problem(w.reason)} (Settings → Team setup, mail server)")
        self._mail_told = told

    def _on_operation(self, changes: Changes, initiator: object) -> None:
        # A settings change that reorders the queue says so (``queue``): the campaigns
        # view's edits do; a remote one is reloaded by the window's own refresh.
        if changes.queue or changes.attempts or changes.users:
            self.refresh()

    def _on_show_held(self, on: bool) -> None:
        self.model.set_show_held(on)
        self.tick()
        if on and not self.model.held_rows_loaded():
            self.refresh()

    def _on_header_clicked(self, section: int) -> None:
        self.table.horizontalHeader().setSortIndicatorShown(True)

    def _focus_filter(self) -> None:
        keymap.focus(self.filter_edit)
        self.filter_edit.selectAll()

    def focus_table(self) -> None:
        keymap.focus(self.table)
        if not self.table.currentIndex().isValid() and self.proxy.rowCount():
            self.table.selectRow(0)

    # --- the tick --------------------------------------------------------------------

    def visible_source_rows(self) -> list[int]:
        n = self.proxy.rowCount()
        if n == 0:
            return []
        top = self.table.rowAt(0)
        if top < 0:
            top = 0
        bottom = self.table.rowAt(self.table.viewport().height() - 1)
        if bottom < 0:
            bottom = n - 1
        return [self.proxy.mapToSource(self.proxy.index(r, 0)).row() for r in range(top, bottom + 1)]

    def tick(self) -> None:
        self.model.tick(clock.now(), self.visible_source_rows())

    # --- claiming --------------------------------------------------------------------

    def selected_lead(self) -> int | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        return int(self.proxy.data(idx, LeadIdRole))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        self.columns.fit()

    def wanted_width(self) -> int:
        """How wide the queue would like to be: every column its text (the workspace
        splitter's first proportions)."""
        return self.columns.wanted_width()

    def changeEvent(self, event: QEvent) -> None:
        # The desktop switched light/dark: the clocks take the other colour set.
        if event.type() == QEvent.Type.PaletteChange:
            self.model.set_dark(is_dark(self.palette()))
        super().changeEvent(event)

    def open_new_lead(self) -> None:
        """A person calls in: add them (or find them) and put them on screen at once."""
        from ui.lead_edit_dialog import LeadFormDialog

        dlg = LeadFormDialog(self.ctx, None, self.window())
        dlg.sig_saved.connect(lambda lead_id, created: self.claim_lead_id(lead_id, created))
        self._new_dialog = dlg
        dlg.open()

    def claim_lead_id(self, lead_id: int, created: bool = False) -> None:
        rep = self.ctx.rep_name
        if rep is None:
            return
        db = self.ctx.db
        self.sig_status.emit(f"Lead {lead_id} added" if created else
                             f"Already known: lead {lead_id} opened, its hand raise added")
        self.ctx.run_op(lambda: queue_svc.claim_lead(db, lead_id, rep), self, self._on_claimed,
                        self._on_claim_error, changes=claimed)

    def pin_lead(self, lead_id: object) -> None:
        """The lead on the rep's screen stays in the list whatever the filter says."""
        self.model.set_pinned(lead_id if isinstance(lead_id, int) else None)
        self.proxy.invalidate()

    def select_lead(self, lead_id: int) -> bool:
        src = self.model.row_of_lead(lead_id)
        if src < 0:
            return False
        idx = self.proxy.mapFromSource(self.model.index(src, 0))
        if not idx.isValid():
            return False
        self.table.selectRow(idx.row())
        self.table.scrollTo(idx)
        return True

    def next_lead(self) -> None:
        """Claim the top lead of the queue (a lease the lead panel keeps alive)."""
        rep = self.ctx.rep_name
        if rep is None or self._claiming:
            return
        self._claiming = True
        db = self.ctx.db
        self.ctx.run_op(lambda: queue_svc.claim_next(db, rep), self, self._on_claimed,
                        self._on_claim_error, changes=claimed)

    def claim_selected(self) -> None:
        idx = self.table.currentIndex()
        if idx.isValid():
            self._claim_index(idx)

    def _claim_index(self, idx: Index) -> None:
        rep = self.ctx.rep_name
        if rep is None or self._claiming:
            return
        lead_id = int(self.proxy.data(self.proxy.index(idx.row(), 0), LeadIdRole))
        self._claiming = True
        db = self.ctx.db
        self.ctx.run_op(lambda: queue_svc.claim_lead(db, lead_id, rep), self, self._on_claimed,
                        self._on_claim_error, changes=claimed)

    def _on_claimed(self, claim: queue_svc.Claim) -> None:
        self._claiming = False
        if claim.lead_id is None:
            self.sig_status.emit("Nothing to claim: your queue is empty for now")
            return
        self.select_lead(claim.lead_id)
        self.sig_lead_claimed.emit(claim.lead_id)

    def _on_claim_error(self, exc: BaseException) -> None:
        self._claiming = False
        self.ctx.runner.report(exc)
