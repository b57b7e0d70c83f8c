"""The small callback editor a "call back later" disposition opens: a wall-clock time
in the lead's zone (shown in the team's zone too), for me or for anyone.

Opened with ``open()``; the caller reads ``value()`` from its ``accepted`` handler.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTime
from PySide6.QtGui import QKeyEvent
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
from qualdesk.domain.calling_window import CallingWindow, zone
from qualdesk.domain.countdown import both_zones_text
from qualdesk.services.calls import local_to_utc
from ui import keymap
from ui.dialog_buttons import action_buttons
from ui.typed_dates import TypedDateEdit, TypedTimeEdit


def zone_words(name: str) -> str:
    """A zone as a rep says it: "America/Los_Angeles" -> "Los Angeles"."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def _team_open(local: datetime, lead_tz: str, team_tz: str, business: CallingWindow) -> bool:
    utc = local_to_utc(local, lead_tz)
    team_local = utc.astimezone(zone(team_tz) or zone("UTC"))
    return business.contains(team_local.time()) and team_local.weekday() < 5


def default_local_time(now: datetime, lead_tz: str, window: CallingWindow | None = None,
                       team_tz: str | None = None,
                       business: CallingWindow | None = None) -> datetime:
    """Two hours from now in the lead's zone, on the next quarter hour (naive), moved on
    to the first quarter hour inside the lead's calling window and (given ``team_tz``)
    the team's hours, Monday to Friday: a promise must be one the rep may keep, and
    Ctrl+Enter on the default must never schedule one nobody is there to call."""
    tz = zone(lead_tz) or zone("UTC")
    local = (now + timedelta(hours=2)).astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    local += timedelta(minutes=(15 - local.minute % 15) % 15)
    w = window or CallingWindow()
    hours = business or CallingWindow(time(8, 0), time(18, 0))
    for step in range(14 * 24 * 4):  # two weeks of quarter hours
        at = local + timedelta(minutes=15 * step)
        if w.contains(at.time()) and (team_tz is None or _team_open(at, lead_tz, team_tz,
                                                                    hours)):
            return at
    day = local.date() if local.time() < w.start else local.date() + timedelta(days=1)
    return datetime.combine(day, w.start)  # the windows never meet: the lead's window


def hours_warning(due: datetime, lead_tz: str, team_tz: str, window: CallingWindow,
                  business: CallingWindow) -> str:
    """Why this time is a bad promise, in words (empty: fine)."""
    problems = []
    if due <= clock.now():
        problems.append("that is in the past")
    lead_local = due.astimezone(zone(lead_tz) or zone("UTC"))
    if not window.contains(lead_local.time()):
        problems.append(f"outside the lead's calling window ({window.label()} their time)")
    team_local = due.astimezone(zone(team_tz) or zone("UTC"))
    if not business.contains(team_local.time()) or team_local.weekday() >= 5:
        problems.append(f"outside the team's hours ({business.label()} {zone_words(team_tz)} "
                        "time, Monday to "
                        "Friday): nobody may be there to call")
    return "; ".join(problems)


class CallbackDialog(QDialog):
    def __init__(self, lead_name: str, lead_tz: str | None, team_tz: str,
                 parent: QWidget | None = None, window: CallingWindow | None = None,
                 business: CallingWindow | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callback_dialog")
        self.setWindowTitle(f"Call back {lead_name}")
        self.lead_tz = lead_tz if lead_tz and zone(lead_tz) else team_tz
        self.team_tz = team_tz
        self.window_ = window or CallingWindow()
        self.business = business or CallingWindow(time(8, 0), time(18, 0))

        when_row = self._when_row()
        self.zones = QLabel("", self)
        self.zones.setObjectName("callback_both_zones")
        self.zones.setWordWrap(True)
        self.warning = QLabel("", self)
        self.warning.setObjectName("callback_warning")
        self.warning.setWordWrap(True)

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
        # a label with a buddy: "&" is a mnemonic (Alt+W to the time), not a literal
        when_label = QLabel(f"&When ({zone_words(self.lead_tz)} time, theirs)", self)
        when_label.setObjectName("callback_when_label")
        when_label.setBuddy(self.time)
        form.addRow(when_label, when_row)
        form.addRow("", self.zones)
        form.addRow("", self.warning)
        who = QLabel("Who &calls", self)
        who.setBuddy(self.mine)  # a row of radios has no buddy of its own: "&" showed
        form.addRow(who, scope)
        form.addRow("&Note", self.note)
        buttons = action_buttons(self, "callback", "Schedule", self.accept,
                                 ok_name="callback_schedule", cancel_name="callback_cancel")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip(keymap.tooltip("callback_ok"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            keymap.tooltip("callback_cancel"))
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        # The eye's order: date, time, who, note, Schedule; no stop on a read-only label.
        order = (self.date, self.time, self.mine, self.anyone, self.note,
                 buttons.button(QDialogButtonBox.StandardButton.Ok),
                 buttons.button(QDialogButtonBox.StandardButton.Cancel))
        for a, b in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(a, b)
        for field in (self.date, self.time):
            field.installEventFilter(self)
        self._update_zones()
        # a rep types a time first ("1230"): focus opens on the hour, not the date's year
        self.time.setFocus()
        self.time.setCurrentSection(QDateTimeEdit.Section.HourSection)

    def _when_row(self) -> QHBoxLayout:
        # A date and a time of plain digits: typed digits fill the field they are in
        # (a day-name section ate them before), Return goes on to the next field.
        self.date = TypedDateEdit(self)
        self.date.setObjectName("callback_date")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.time = TypedTimeEdit(self)
        self.time.setObjectName("callback_time")
        self.time.setDisplayFormat("HH:mm")
        self.when = self.date  # the first field (tests and callers focus it)
        self.day_name = QLabel("", self)
        self.day_name.setObjectName("callback_day_name")
        local = default_local_time(clock.now(), self.lead_tz, self.window_, self.team_tz,
                                   self.business)
        self.set_local(local)
        self.date.dateChanged.connect(self._update_zones)
        self.time.timeChanged.connect(self._update_zones)
        row = QHBoxLayout()
        row.addWidget(self.date)
        row.addWidget(self.time)
        row.addWidget(self.day_name, 1)
        return row

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Return in the date or the time goes on (to the note at the end), so the promise
        # is never scheduled before the rep reached the note; Ctrl+Enter schedules.
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            (self.time if watched is self.date else self.note).setFocus()
            return True
        return super().eventFilter(watched, event)

    def set_local(self, local: datetime) -> None:
        """Set the wall-clock time in the lead's zone (naive)."""
        self.date.setDate(QDate(local.year, local.month, local.day))
        self.time.setTime(QTime(local.hour, local.minute))

    def local_value(self) -> datetime:
        d, t = self.date.date(), self.time.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())

    def due_at(self) -> datetime:
        return local_to_utc(self.local_value(), self.lead_tz)

    def scope(self) -> str:
        return "anyone" if self.anyone.isChecked() else "mine"

    def value(self) -> tuple[datetime, str, str | None]:
        return self.due_at(), self.scope(), (self.note.text().strip() or None)

    def _update_zones(self, *_args: object) -> None:
        due = self.due_at()
        self.day_name.setText(f"{self.local_value():%a %d %b %Y}")  # the app's date words
        self.zones.setText(both_zones_text(due, self.lead_tz, self.team_tz))
        why = hours_warning(due, self.lead_tz, self.team_tz, self.window_, self.business)
        self.warning.setText(f"⚠ {why[:1].upper()}{why[1:]}." if why else "")
        self.warning.setVisible(bool(why))
