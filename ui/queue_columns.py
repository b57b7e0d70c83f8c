"""The queue's column widths: each column as wide as its text needs (within a cap), and
narrower, down to a floor, only when the queue truly has no room (the text then elides
and its tooltip says it whole). The columns always fit the table's width at 1280, so
no horizontal scroll bar; ``wanted_width`` tells the workspace splitter how much room
the queue would like (issue 17, trap 7)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QTableView

from ui.queue_model import Column

# Columns whose width follows their text; the others keep the width set for them.
_FLEXIBLE = (Column.NAME, Column.COMPANY, Column.REASON, Column.KIND, Column.CAMPAIGN,
             Column.DESIGNATION)
# Order of give when there is no room: the first group gives up its width first, its
# columns in proportion to what each can spare.
_GIVE_ORDER = ((Column.KIND, Column.CAMPAIGN), (Column.DESIGNATION,), (Column.REASON,),
               (Column.NAME,), (Column.COMPANY,))
_SAMPLE_ROWS = 300  # enough to see the long names; cheap at 100,000 rows


class ColumnFitter:
    def __init__(self, table: QTableView, base: dict[Column, int]) -> None:
        self.table = table
        self.base = dict(base)
        ch = table.fontMetrics().horizontalAdvance("M")
        self.caps = {Column.NAME: ch * 16, Column.COMPANY: ch * 18, Column.REASON: ch * 46,
                     Column.KIND: ch * 14, Column.CAMPAIGN: ch * 14, Column.DESIGNATION: ch * 9}
        self.floors = {Column.NAME: ch * 6, Column.COMPANY: ch * 6, Column.REASON: ch * 10,
                       Column.KIND: ch * 4, Column.CAMPAIGN: ch * 4, Column.DESIGNATION: ch * 5}
        self.wanted = dict(base)
        # A header cut short ends in "…" (its tooltip says it whole), never clipped.
        table.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)

    def measure(self) -> None:
        """What the rows on screen need (a sample of the first rows), within the caps."""
        model: QAbstractItemModel = self.table.model()
        fm = self.table.fontMetrics()
        pad = fm.horizontalAdvance("M") * 2
        rows = min(model.rowCount(), _SAMPLE_ROWS)
        for col in _FLEXIBLE:
            need = 0
            for row in range(rows):
                text = model.index(row, int(col)).data(Qt.ItemDataRole.DisplayRole)
                if text:
                    need = max(need, fm.horizontalAdvance(str(text)))
            header = str(model.headerData(int(col), Qt.Orientation.Horizontal) or "")
            need = max(need, fm.horizontalAdvance(header)) + pad
            self.wanted[col] = max(self.floors[col], min(self.caps[col], need)) if rows else \
                self.base[col]

    def wanted_width(self) -> int:
        """The table's width with every column as wide as it wants (frame and scroll bar
        included)."""
        frame = self.table.frameWidth() * 2
        bar = self.table.verticalScrollBar().sizeHint().width()
        return sum(self.wanted.values()) + frame + bar

    def fit(self) -> None:
        """Every column its wish when the room is there; otherwise the columns in
        ``_GIVE_ORDER`` give, each down to its floor, until the columns fit."""
        room = self.table.viewport().width()
        widths = dict(self.wanted)
        over = sum(widths.values()) - room
        for group in _GIVE_ORDER:
            spare = {col: max(0, widths[col] - self.floors[col]) for col in group}
            total = sum(spare.values())
            if over <= 0 or total <= 0:
                continue
            share = min(1.0, over / total)
            for col in group:
                give = min(over, round(spare[col] * share))
                widths[col] -= give
                over -= give
        hh = self.table.horizontalHeader()
        for col, width in widths.items():
            hh.resizeSection(int(col), width)
