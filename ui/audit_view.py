"""The lead panel's "History" tab: every change to the lead — who, when, what, old → new."""

from __future__ import annotations

from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from qualdesk.domain.records import Changes
from qualdesk.services.audit_query import AuditRecord, audit_entries
from ui.rows_model import RowsModel

Index = QModelIndex | QPersistentModelIndex
SortRole = Qt.ItemDataRole.UserRole + 1


class Col(IntEnum):
    AT = 0
    USER = 1
    ACTION = 2
    FIELD = 3
    OLD = 4
    NEW = 5


HEADERS = {Col.AT: "When", Col.USER: "Who", Col.ACTION: "What", Col.FIELD: "Field",
           Col.OLD: "Old", Col.NEW: "New"}


class AuditModel(RowsModel):
    def __init__(self, parent: QWidget | None = None, tz: str | None = None) -> None:
        super().__init__([HEADERS[c] for c in Col], parent)
        self._tz = ZoneInfo(tz) if tz else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r: AuditRecord | None = self.at(index)
        if r is None:
            return None
        col = Col(index.column())
        if role == SortRole:
            return r.at.timestamp() if col == Col.AT else (self._text(r, col) or "")
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(r, col)
        return None

    def _text(self, r: AuditRecord, col: Col) -> str:
        if col == Col.AT:
            at = r.at.astimezone(self._tz) if self._tz else r.at.astimezone()
            return at.strftime("%Y-%m-%d %H:%M:%S %Z")
        # a team lead acting for a rep: both names, as the database wrote them
        who = f"{r.user or 'system'} (by {r.by})" if r.by else (r.user or "system")
        value = {Col.USER: who, Col.ACTION: r.action, Col.FIELD: r.field,
                 Col.OLD: r.old, Col.NEW: r.new}[col]
        return value or ""


class AuditView(QWidget):
    """``set_lead(lead_id)`` shows that lead's history; refreshes when a write touches it
    (``ctx.sig_operation_executed``) or on ``refresh()`` (connect live sync to it)."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditView")
        self.ctx = ctx
        self.lead_id: int | None = None
        self.model = AuditModel(self, getattr(ctx, "team_tz", None))
        self.table = QTableView(self)
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.empty = QLabel("No changes recorded yet.", self)
        self.empty.setObjectName("auditEmpty")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table)
        lay.addWidget(self.empty)
        ctx.sig_operation_executed.connect(self._on_changes)

    def set_lead(self, lead_id: int | None) -> None:
        self.lead_id = lead_id
        self.refresh()

    def refresh(self, *_: object) -> None:
        if self.lead_id is None:
            self._show([])
            return
        lead_id, db = self.lead_id, self.ctx.db
        self.ctx.run_query(lambda: audit_entries(db, lead_id), self._show,
                           key=f"audit-{id(self)}")

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if self.lead_id is not None and self.lead_id in changes.leads:
            self.refresh()

    def _show(self, rows: list[AuditRecord]) -> None:
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        if rows:
            self.table.scrollToBottom()
