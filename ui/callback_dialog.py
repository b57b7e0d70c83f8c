"""The small callback editor a "call back later" disposition opens: a wall-clock time
in the lead's zone (shown in the team's zone too), for me or for anyone.

Opened with ``open()``; the caller reads ``value()`` from its ``accepted`` handler.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from qualdesk import clock
from qualdesk.domain.calling_window import zone
from qualdesk.domain.countdown import both_zones_text
from qualdesk.services.calls import local_to_utc
from ui import keymap
from ui.dialog_buttons import action_buttons


def default_local_time(now: datetime, lead_tz: str) -> datetime:
    """Two hours from now in the lead's zone, on the next quarter hour (naive)."""
    tz = zone(lead_tz) or zone("UTC")
    local = (now + timedelta(hours=2)).astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    return local + timedelta(minutes=(15 - local.minute % 15) % 15)


class CallbackDialog(QDialog):
    def __init__(self, lead_name: str, lead_tz: str | None, team_tz: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callback_dialog")
        self.setWindowTitle(f"Call back {lead_name}")
        self.lead_tz = lead_tz if lead_tz and zone(lead_tz) else team_tz
        self.team_tz = team_tz

        self.when = QDateTimeEdit(self)
        self.when.setObjectName("callback_when")
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("ddd dd MMM yyyy  HH:mm")
        local = default_local_time(clock.now(), self.lead_tz)
        self.set_local(local)
        self.when.dateTimeChanged.connect(self._update_zones)
        self.zones = QLabel("", self)
        self.zones.setObjectName("callback_both_zones")
        self.zones.setWordWrap(True)

        self.mine = QRadioButton("Mine", self)
        self.mine.setObjectName("callback_mine")
        self.mine.setToolTip("Only you get it; if you are not there it goes to anyone after a while")
        self.anyone = QRadioButton("Anyone", self)
        self.anyone.setObjectName("callback_anyone")
        self.mine.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.mine)
        group.addButton(self.anyone)
        scope = QHBoxLayout()
        scope.addWidget(self.mine)
        scope.addWidget(self.anyone)
        scope.addStretch(1)

        self.note = QLineEdit(self)
        self.note.setObjectName("callback_note")
        self.note.setPlaceholderText("What was promised (optional)")

        form = QFormLayout()
        form.addRow(f"When ({self.lead_tz}, their time)", self.when)
        form.addRow("", self.zones)
        form.addRow("Who calls", scope)
        form.addRow("Note", self.note)
        buttons = action_buttons(self, "callback", "Schedule", self.accept,
                                 ok_name="callback_schedule", cancel_name="callback_cancel")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip(keymap.tooltip("callback_ok"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            keymap.tooltip("callback_cancel"))
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self._update_zones()
        self.when.setFocus()

    def set_local(self, local: datetime) -> None:
        """Set the wall-clock time in the lead's zone (naive)."""
        self.when.setDateTime(QDateTime(QDate(local.year, local.month, local.day),
                                        QTime(local.hour, local.minute)))

    def local_value(self) -> datetime:
        d, t = self.when.date(), self.when.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())

    def due_at(self) -> datetime:
        return local_to_utc(self.local_value(), self.lead_tz)

    def scope(self) -> str:
        return "anyone" if self.anyone.isChecked() else "mine"

    def value(self) -> tuple[datetime, str, str | None]:
        return self.due_at(), self.scope(), (self.note.text().strip() or None)

    def _update_zones(self) -> None:
        due = self.due_at()
        text = both_zones_text(due, self.lead_tz, self.team_tz)
        if due <= clock.now():
            text += "  — ⚠ that is in the past"
        self.zones.setText(text)
