"""Sales' side of the loop: the signed-in sales person's turned-over leads (everyone's for
a team lead or admin), what travelled with each, and Accept (with a weighting) / Reject
(with a reason and a re-touch date; by default the date the reason implies).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qualdesk import clock
from qualdesk.domain.records import Changes
from qualdesk.services import team_settings
from qualdesk.services.turnover import TurnOverRecord, turned_over_leads
from qualdesk.services.verdicts import accept, reject
from ui import labels
from ui.context import AppContext
from ui.incubate_dialog import REASONS, from_qdate, to_qdate
from ui.rows_model import RowsModel
from ui.sales_handoff import DATE_FORMAT, handoff_html, team_time_text

Index = QModelIndex | QPersistentModelIndex
SortRole = Qt.ItemDataRole.UserRole + 1
LeadIdRole = Qt.ItemDataRole.UserRole + 2


class Column(IntEnum):
    LEAD = 0
    COMPANY = 1
    TURNED_OVER = 2
    BY = 3
    OWNER = 4
    STATUS = 5


HEADERS = {Column.LEAD: "Lead", Column.COMPANY: "Company", Column.TURNED_OVER: "Turned over",
           Column.BY: "By", Column.OWNER: "Sales owner", Column.STATUS: "Status"}


class TurnOverModel(RowsModel):
    """Thin: rows are frozen ``TurnOverRecord``s; ``SortRole`` gives native values."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__([HEADERS[c] for c in Column], parent)
        self.tz = "UTC"  # the team's time zone, set with the rows

    def record(self, row: int) -> TurnOverRecord:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = Column(index.column())
        if role == LeadIdRole:
            return r.lead_id
        if role == SortRole:
            return {Column.TURNED_OVER: r.at.timestamp()}.get(col, self._text(r, col))
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(r, col)
        return None

    def _text(self, r: TurnOverRecord, col: Column) -> str:
        if col == Column.LEAD:
            return r.lead_name
        if col == Column.COMPANY:
            return r.company or ""
        if col == Column.TURNED_OVER:
            return team_time_text(r.at, self.tz)  # team time, as the floor shows it
        if col == Column.BY:
            return r.by or ""
        if col == Column.OWNER:
            return r.to_owner
        return labels.sales_status(r.designation, r.verdict, r.verdict_reason)


class SalesView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sales_view")
        self.ctx = ctx
        self._build_list()
        verdict = self._build_verdict()
        self._arrange(verdict)

        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        ctx.sig_operation_executed.connect(self._on_operation)
        self._selection_changed()
        self.refresh()

    def _build_list(self) -> None:
        """The turned-over leads, what travelled with the selected one, the messages."""
        self.model = TurnOverModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("sales_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)  # Tab goes on to the next control
        self.pending_only = QCheckBox("Waiting for a verdict only", self)
        self.pending_only.setObjectName("sales_pending_only")
        self.pending_only.setChecked(True)
        self.pending_only.toggled.connect(self.refresh)
        self.scope = QLabel("", self)
        self.scope.setObjectName("sales_scope")
        self.detail = QTextBrowser(self)
        self.detail.setObjectName("sales_detail")
        self.error = QLabel("", self)
        self.error.setObjectName("sales_error")
        self.error.setWordWrap(True)
        self.done = QLabel("", self)  # the success message after a verdict
        self.done.setObjectName("sales_done")
        self.done.setWordWrap(True)

    def _build_verdict(self) -> QGroupBox:
        """Accept with a weighting; reject with a reason and a re-touch date."""
        self.weighting = QSpinBox(self)
        self.weighting.setObjectName("sales_weighting")
        self.weighting.setRange(0, 100)
        self.weighting.setSuffix(" %")
        self.weighting.setSpecialValueText("not set")  # 0: sales picks one, none is assumed
        self.weighting.setToolTip("The opportunity's weighting (probability), percent")
        self.accept_button = QPushButton("Accept", self)
        self.accept_button.setObjectName("sales_accept")
        self.accept_button.setToolTip("Accept: becomes a marketing-generated opportunity")
        self.accept_button.clicked.connect(self._accept)
        self.reason = QComboBox(self)
        self.reason.setObjectName("sales_reject_reason")
        self.reason.setEditable(True)
        self.reason.addItems(REASONS)
        self.reason.setCurrentIndex(-1)  # no reason assumed: sales picks or types one
        self.reason.lineEdit().setPlaceholderText("Pick or type a reason")
        self.set_retouch = QCheckBox("Re-touch on", self)
        self.set_retouch.setObjectName("sales_retouch_set")
        self.set_retouch.setToolTip("Unticked: the date the reason implies (or the team default)")
        self.retouch = QDateEdit(self)
        self.retouch.setObjectName("sales_retouch")
        self.retouch.setCalendarPopup(True)
        self.retouch.setDisplayFormat(DATE_FORMAT)  # the app's date words, as everywhere
        self.retouch.setDate(to_qdate(clock.now().date() + timedelta(days=90)))
        self.retouch.setEnabled(False)
        self.set_retouch.toggled.connect(self.retouch.setEnabled)
        self.reject_button = QPushButton("Reject", self)
        self.reject_button.setObjectName("sales_reject")
        self.reject_button.setToolTip("Reject: back to the qualifying rep, incubating until the "
                                      "re-touch date")
        self.reject_button.clicked.connect(self._reject)

        verdict = QGroupBox("Verdict", self)
        acc = QHBoxLayout()
        acc.addWidget(QLabel("Weighting", self))
        acc.addWidget(self.weighting)
        acc.addWidget(self.accept_button)
        acc.addStretch(1)
        rej = QHBoxLayout()
        rej.addWidget(QLabel("Reason", self))
        rej.addWidget(self.reason, 1)
        rej.addWidget(self.set_retouch)
        rej.addWidget(self.retouch)
        rej.addWidget(self.reject_button)
        vl = QVBoxLayout(verdict)
        vl.addLayout(acc)
        vl.addLayout(rej)
        return verdict

    def _arrange(self, verdict: QGroupBox) -> None:
        top = QHBoxLayout()
        top.addWidget(self.scope, 1)
        top.addWidget(self.pending_only)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setObjectName("sales_split")
        split.addWidget(self.table)
        split.addWidget(self.detail)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addWidget(verdict)
        lay.addWidget(self.done)
        lay.addWidget(self.error)

    # --- loading ---------------------------------------------------------------

    def owner_filter(self) -> str | None:
        """A sales person sees theirs; a team lead or admin sees everyone's."""
        u = self.ctx.user
        return u.name if u is not None and u.role == "sales" else None

    def refresh(self) -> None:
        owner, pending, db = self.owner_filter(), self.pending_only.isChecked(), self.ctx.db
        self.scope.setText(f"Turned over to {owner}" if owner else "Turned over to everyone")
        self.ctx.run_query(lambda: (turned_over_leads(db, owner, pending_only=pending),
                                    str(team_settings.get_value(db, "team.timezone"))),
                           self._loaded, key=f"sales_view_{id(self)}", on_error=self._failed)

    def _loaded(self, loaded: tuple[list[TurnOverRecord], str]) -> None:
        rows, self.model.tz = loaded
        keep = self.selected()
        self.model.set_rows(rows)
        for i, r in enumerate(rows):
            if keep is not None and r.lead_id == keep.lead_id:
                self.table.selectRow(i)
                break
        else:
            if rows:
                self.table.selectRow(0)
        self._selection_changed()

    def _on_operation(self, changes: Changes, initiator: object) -> None:
        if changes.turnovers or (changes.leads and self.model.rowCount()):
            self.refresh()

    # --- selection and verdicts -------------------------------------------------------

    def selected(self) -> TurnOverRecord | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.record(rows[0].row()) if rows else None

    def select_lead(self, lead_id: int) -> bool:
        for i in range(self.model.rowCount()):
            if self.model.record(i).lead_id == lead_id:
                self.table.selectRow(i)
                return True
        return False

    def _selection_changed(self, *_args: object) -> None:
        r = self.selected()
        pending = r is not None and r.designation == "turned_over"
        self.accept_button.setEnabled(pending)
        self.reject_button.setEnabled(pending)
        self.detail.setHtml(handoff_html(r.snapshot, self.model.tz) if r is not None else "")

    def _accept(self) -> None:
        r = self.selected()
        if r is None:
            return
        db, weighting, by = self.ctx.db, self.weighting.value(), self.ctx.rep_name
        if weighting == 0:
            self.error.setText("Set the weighting (1–100 %) before accepting.")
            self.weighting.setFocus()
            return
        self.error.setText("")
        self.done.setText("")
        from ui.dialog_buttons import confirm

        def accepted(_: object = None) -> None:
            self.done.setText(f"✓ Accepted {r.lead_name}: now a marketing-generated "
                              f"opportunity ({weighting} %).")
            self.weighting.setValue(0)

        self.confirm_box = confirm(
            self, "Confirm acceptance", f"Accept {r.lead_name} as an opportunity "
            f"({weighting} % weighting)?", "Accept",
            lambda: self.ctx.run_op(lambda: accept(db, r.lead_id, weighting, by),
                                    initiator=self, on_error=self._failed, on_done=accepted))

    def _reject(self) -> None:
        r = self.selected()
        if r is None:
            return
        reason = self.reason.currentText().strip()
        if not reason:
            self.error.setText("A rejection needs a reason: pick or type one.")
            self.reason.setFocus()
            return
        when: date | None = from_qdate(self.retouch.date()) if self.set_retouch.isChecked() else None
        db, by = self.ctx.db, self.ctx.rep_name
        self.error.setText("")
        self.done.setText("")
        from ui.dialog_buttons import confirm

        # A rejection sends the lead back to qualifying: asked first, as every final step.
        self.confirm_box = confirm(
            self, "Confirm rejection", f"Reject this lead and send it back to the qualifying "
            f"team ({reason})?", "Reject",
            lambda: self.ctx.run_op(lambda: reject(db, r.lead_id, reason, when, by),
                                    initiator=self, on_error=self._failed,
                                    on_done=lambda _=None: self._rejected(r.lead_name, reason)))

    def _rejected(self, name: str, reason: str) -> None:
        """Said, and the form cleared for the next lead."""
        self.done.setText(f"✓ Rejected {name} ({reason}): back with the qualifying team, "
                          "incubating until the re-touch date.")
        self.reason.setCurrentIndex(-1)
        self.reason.setEditText("")
        self.set_retouch.setChecked(False)
        self.retouch.setDate(to_qdate(clock.now().date() + timedelta(days=90)))

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(str(exc))
