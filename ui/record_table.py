"""The configuration pages' read-only record tables (campaigns, codes, intake sources):
a column spec, a thin model over frozen records, and the table that shows it with one
selected row at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ui.rows_model import RowsModel

Index = QModelIndex | QPersistentModelIndex
SortRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Col:
    header: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None


class RecordTableModel(RowsModel):
    """Thin: rows are frozen records, columns a fixed spec; ``SortRole`` gives native values."""

    def __init__(self, columns: Sequence[Col], parent: QWidget | None = None) -> None:
        super().__init__([c.header for c in columns], parent)
        self._cols = tuple(columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        rec = self.at(index)
        if rec is None:
            return None
        col = self._cols[index.column()]
        if role == SortRole:
            return col.sort(rec) if col.sort else col.text(rec)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return col.text(rec)
        return None


def record_table(model: RecordTableModel, name: str, parent: QWidget) -> QTableView:
    """A read-only table of whole rows, one selected at a time."""
    t = QTableView(parent)
    t.setObjectName(name)
    t.setModel(model)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    t.verticalHeader().hide()
    return t


def selected_record(table: QTableView, model: RecordTableModel) -> Any | None:
    sel = table.selectionModel()
    rows = sel.selectedRows() if sel is not None else []
    return model.record(rows[0].row()) if rows else None


def select_record(table: QTableView, model: RecordTableModel,
                  match: Callable[[Any], bool]) -> bool:
    """Select the first row ``match`` accepts; False when none does."""
    for i in range(model.rowCount()):
        if match(model.record(i)):
            table.selectRow(i)
            return True
    return False
