"""The lead panel's "History" tab: every change to the lead — who, when, what, old → new,
in words (``ui.labels``) and in team time, as the other tabs write time."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from qualdesk.domain.records import Changes
from qualdesk.services.audit_query import AuditRecord, audit_entries
from ui import labels
from ui.rows_model import RowsModel
from ui.sales_handoff import team_time_text

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
        self.tz = tz or "UTC"  # the team's zone, read with the rows

    def when(self, at: Any) -> str:
        return team_time_text(at, self.tz)

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
            return self.when(r.at)
        if col == Col.USER:  # a team lead acting for a rep: both names, as written
            return f"{r.user or 'system'} (by {r.by})" if r.by else (r.user or "system")
        if col == Col.ACTION:
            return labels.audit_action(r.action)
        if col == Col.FIELD:
            return labels.audit_field(r.field)
        return labels.audit_value(r.field, r.old if col == Col.OLD else r.new, self.when)


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
        self.ctx.run_query(lambda: _load(db, lead_id), self._loaded, key=f"audit-{id(self)}")

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if self.lead_id is not None and self.lead_id in changes.leads:
            self.refresh()

    def _loaded(self, loaded: tuple[list[AuditRecord], str]) -> None:
        rows, tz = loaded
        self.model.tz = tz
        self._show(rows)

    def _show(self, rows: list[AuditRecord]) -> None:
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        if rows:
            self.table.scrollToBottom()


def _load(db: Any, lead_id: int) -> tuple[list[AuditRecord], str]:
    """The lead's history and the team's time zone (off the GUI thread)."""
    from qualdesk.services import team_settings

    return audit_entries(db, lead_id), str(team_settings.get_value(db, "team.timezone") or "UTC")
