"""The lead panel's designation row: the designation (Alt+G) and Give back.

A designation the lead never comes back from (do not call, disqualified) asks first;
``sig_change`` carries the designation to set once the rep means it, and ``show``
puts the lead's own back (a cancel, or a refusal).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from qualdesk.domain.designation import LABELS, Designation
from ui import keymap
from ui.dialog_buttons import confirm
from ui.disposition_log import FINAL


class DesignationRow(QWidget):
    sig_change = Signal(str)  # the designation to set

    def __init__(self, parent: QWidget | None = None,
                 on_ask: Callable[[QWidget], None] | None = None) -> None:
        super().__init__(parent)
        self.current: str | None = None
        self.lead_name = "this lead"
        self.on_ask = on_ask  # told of each "are you sure" it opens (the panel's, for tests)
        self.combo = QComboBox(self)
        self.combo.setObjectName("lead_designation_combo")
        self.combo.setToolTip(keymap.tooltip("designation"))
        for d in Designation:
            self.combo.addItem(LABELS[d], d.value)
        self.combo.activated.connect(self._chosen)
        label = QLabel("&Designation", self)
        label.setBuddy(self.combo)
        self.release_button = QPushButton("Give back", self)
        self.release_button.setObjectName("lead_release_button")
        self.release_button.setToolTip(keymap.tooltip("release"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.combo, 1)
        row.addWidget(self.release_button)

    def show_designation(self, designation: str | None, lead_name: str = "this lead") -> None:
        self.current, self.lead_name = designation, lead_name
        self.show_current()

    def show_current(self) -> None:
        if self.current is not None:
            self.combo.setCurrentIndex(max(self.combo.findData(self.current), 0))

    def _chosen(self, index: int) -> None:
        to = self.combo.itemData(index)
        if self.current is None or to == self.current:
            return
        if to in FINAL:
            box = confirm(
                self, "Confirm designation", FINAL[to].format(name=self.lead_name),
                f"Make it {LABELS[Designation(to)].lower()}", lambda: self.sig_change.emit(to),
                self.show_current)
            if self.on_ask is not None:
                self.on_ask(box)
            return
        self.sig_change.emit(to)
