"""The import dialog's column mapping, editable: one row per column of the file, what
it is imported as (a lead field, "keep as lead details", or "don't import"), and its
first values, so the choice is made looking at the data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from qualdesk.services.import_mapping import KEEP
from qualdesk.services.intake.header_aliases import FIELDS, IGNORE
from ui.labels import humanize

FIELD_WORDS: dict[str, str] = {
    "first_name": "First name", "last_name": "Last name", "full_name": "Full name",
    "company": "Company", "title": "Job title", "email": "Email", "email_alt": "Second email",
    "phone": "Phone", "mobile": "Mobile phone", "country": "Country", "city": "City",
    "website": "Website", "industry": "Industry", "lead_source": "Lead source",
    "notes": "Notes", "external_id": "CRM id", "owner": "Owner (rep)",
    "do_not_call": "Do not call", "email_opt_out": "Opted out of email",
    "hand_raised_at": "Hand raised at", "hand_raise": "Hand-raise kind",
    "details": "Hand-raise details", "campaign": "Campaign",
}
CHOICES: tuple[tuple[str, str], ...] = (
    (KEEP, "Keep as lead details"), (IGNORE, "Don't import"),
    *((f, FIELD_WORDS.get(f, humanize(f))) for f in FIELDS),
)


class MappingTable(QTableWidget):
    sig_mapping_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.setObjectName("import_mapping")
        self.setHorizontalHeaderLabels(["Column in the file", "Imported as", "First rows"])
        head = self.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(True)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.headers: list[str] = []
        self.combos: list[QComboBox] = []

    def set_columns(self, headers: Sequence[str], mapping: Mapping[str, str] | None,
                    rows: Sequence[Sequence[str]]) -> None:
        """``mapping`` None: a file whose columns are fixed (activity): shown, not chosen."""
        self.headers, self.combos = list(headers), []
        self.setRowCount(len(headers))
        for i, h in enumerate(headers):
            self.setItem(i, 0, QTableWidgetItem(h))
            sample = " · ".join(r[i] for r in rows[:3] if i < len(r) and r[i].strip())
            self.setItem(i, 2, QTableWidgetItem(sample))
            if mapping is None:
                self.setCellWidget(i, 1, None)
                self.setItem(i, 1, QTableWidgetItem(h))
                continue
            combo = QComboBox(self)
            combo.setObjectName(f"import_map_{i}")
            for code, words in CHOICES:
                combo.addItem(words, code)
            combo.setCurrentIndex(max(0, combo.findData(mapping.get(h, KEEP))))
            combo.currentIndexChanged.connect(self._changed)
            self.setCellWidget(i, 1, combo)
            self.combos.append(combo)
        self.resizeColumnsToContents()

    def _changed(self, _index: int) -> None:
        self.sig_mapping_changed.emit()

    def mapping(self) -> dict[str, str]:
        return {h: str(c.currentData()) for h, c in zip(self.headers, self.combos, strict=False)}

    def set_field(self, header: str, field: str) -> None:
        combo = self.combos[self.headers.index(header)]
        combo.setCurrentIndex(combo.findData(field))

    def rows_as_text(self) -> list[tuple[str, str]]:
        """(column, what it is imported as in words), for tests and screen readers."""
        out = []
        for i, h in enumerate(self.headers):
            w = self.cellWidget(i, 1)
            out.append((h, w.currentText() if isinstance(w, QComboBox) else self.item(i, 1).text()))
        return out
