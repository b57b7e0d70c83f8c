"""Team settings in words: the team's time zone, business hours, the calling window, the
queue order, how long a claim holds; and per campaign its SLA and attempt policy.

Each field says what it means under it. Saving goes through the CLI's services
(``team_settings.set_values`` — ``qualdesk config set`` — and
``campaigns.update_campaign``), all or nothing; running clients pick the change up by
live sync (both bump the settings' change counter).
"""

from __future__ import annotations

from functools import partial
from typing import Any
from zoneinfo import available_timezones

from PySide6.QtCore import QSize, Qt, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from qualdesk.errors import KnownError
from qualdesk.services import team_settings
from qualdesk.services.campaigns import list_campaigns, update_campaign
from ui.what_changed import configuration_saved

# (key, label, what it means)
TIMES = (
    ("business.start", "Business hours start", "When the team's working day starts."),
    ("business.end", "Business hours end", "When it ends; 'same day' in reports uses the "
                                           "team's time zone."),
    ("calling.window_start", "Calling window opens",
     "The earliest local time, in the lead's own zone, a lead may be called."),
    ("calling.window_end", "Calling window closes",
     "The latest local time a lead may be called. A number with several zones is "
     "callable only when every zone is inside the window."),
)
NUMBERS = (
    ("claim.lease_minutes", "Claim holds for (min)", 1, 240,
     "How long a rep's claim keeps a lead off the others' screens without activity."),
    ("queue.callback_handover_minutes", "Overdue callback is anyone's after (min)", 1, 1440,
     "A rep's promised callback that is this late goes to the whole team."),
    ("incubation.default_days", "Re-touch incubating leads after (days)", 1, 3650,
     "The default re-touch date for a lead sales sent back."),
)
CAMPAIGN_FIELDS = (
    ("sla_minutes", "Follow-up clock (min)", 5, 10080,
     "A hand raise must have had a call and an email within this time."),
    ("same_day_live_attempts", "Live attempts the same day", 1, 20,
     "Calls to try on the day of the hand raise before the voicemail + email."),
    ("min_gap_minutes", "Minutes between attempts", 1, 1440,
     "The least time between two calls to the same lead."),
    ("daily_cap", "Attempts a day at most", 1, 50, "No lead is called more often in a day."),
    ("lifetime_cap", "Attempts in all at most", 1, 500,
     "After this many calls the lead is not offered again."),
)


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance("M") * 18)  # not a sliver
    font = label.font()  # a little smaller than the values: an explanation, still readable
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    return label


class TeamSettingsView(QWidget):
    def __init__(self, db: Any, runner: Any, by: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("team_settings")
        self.setWindowTitle("Team settings")
        self.db, self.runner, self.by = db, runner, by
        self.zone = QComboBox()
        self.zone.setObjectName("team_zone")
        self.zone.setEditable(True)
        self.zone.addItems(sorted(available_timezones()))
        self.policy = QComboBox()
        self.policy.setObjectName("team_queue_policy")
        self.policy.addItem("Save the saveable (recommended)", "priority")
        self.policy.addItem("First come, first served", "fifo")
        self.times: dict[str, QTimeEdit] = {}
        self.numbers: dict[str, QSpinBox] = {}
        team = QFormLayout()
        team.addRow("Team &time zone", self.zone)
        team.addRow("", _hint("'Today', 'same day' and the reports' dates are in this zone."))
        for key, label, words in TIMES:
            edit = QTimeEdit()
            edit.setObjectName("team_" + key.replace(".", "_"))
            edit.setDisplayFormat("HH:mm")
            self.times[key] = edit
            team.addRow(label, edit)
            team.addRow("", _hint(words))
        team.addRow("&Queue order", self.policy)
        team.addRow("", _hint("Callbacks due first, then hand raises still inside their clock "
                              "(earliest deadline first), then breached ones, newest first. "
                              "First come, first served chases leads already lost."))
        for key, label, low, high, words in NUMBERS:
            spin = QSpinBox()
            spin.setObjectName("team_" + key.replace(".", "_"))
            spin.setRange(low, high)
            self.numbers[key] = spin
            team.addRow(label, spin)
            team.addRow("", _hint(words))
        self.save = QPushButton("&Save team settings")
        self.save.setObjectName("team_save")
        self.save.clicked.connect(self.save_team)
        team.addRow("", self.save)
        team_box = QGroupBox("The whole team")
        team_box.setLayout(team)

        self.campaign = QComboBox()
        self.campaign.setObjectName("team_campaign")
        self.campaign.currentIndexChanged.connect(self._campaign_chosen)
        self.campaign_spins: dict[str, QSpinBox] = {}
        camp = QFormLayout()
        camp.addRow("&Campaign", self.campaign)
        for field, label, low, high, words in CAMPAIGN_FIELDS:
            spin = QSpinBox()
            spin.setObjectName(f"team_campaign_{field}")
            spin.setRange(low, high)
            self.campaign_spins[field] = spin
            camp.addRow(label, spin)
            camp.addRow("", _hint(words))
        self.save_campaign = QPushButton("Save &campaign")
        self.save_campaign.setObjectName("team_campaign_save")
        self.save_campaign.clicked.connect(self.save_campaign_policy)
        camp.addRow("", self.save_campaign)
        camp_box = QGroupBox("Per campaign: the SLA and the attempt policy")
        camp_box.setLayout(camp)

        self.message = QLabel("")
        self.message.setObjectName("team_message")
        self.message.setWordWrap(True)
        self.scroll = self._scrolled(team_box, camp_box)
        lay = QVBoxLayout(self)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self.message)
        self.campaigns: list[Any] = []
        self.refresh()

    def _scrolled(self, *boxes: QWidget) -> QScrollArea:
        """The boxes side by side, scrolling rather than squeezing: a squeezed form
        clipped its wrapped hints to a line and a half at 1000x640."""
        inner = QWidget()
        row = QHBoxLayout(inner)
        row.setContentsMargins(0, 0, 0, 0)
        for box in boxes:
            row.addWidget(box, 1, Qt.AlignmentFlag.AlignTop)  # spare height below, not between
        scroll = QScrollArea(self)
        scroll.setObjectName("team_settings_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        return scroll

    def sizeHint(self) -> QSize:
        """All of both boxes, hints unwrapped past their natural height (the Settings
        menu sizes the window to this, within the screen)."""
        inner = self.scroll.widget()
        width = inner.sizeHint().width()
        height = inner.heightForWidth(width) if inner.hasHeightForWidth() else -1
        height = max(height, inner.sizeHint().height())
        m = self.layout().contentsMargins()
        extra = self.scroll.verticalScrollBar().sizeHint().width()
        return QSize(width + m.left() + m.right() + extra,
                     height + m.top() + m.bottom() + 2 * self.message.sizeHint().height())

    def refresh(self) -> None:
        self.runner.run(partial(team_settings.get_all, self.db), self._show, self._failed)
        self.runner.run(partial(list_campaigns, self.db), self._campaigns, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(f"⚠ {exc}" if isinstance(exc, KnownError)
                             else f"⚠ {type(exc).__name__}: {exc}")

    def _show(self, values: dict[str, Any]) -> None:
        self.zone.setCurrentText(str(values["team.timezone"]))
        for key, edit in self.times.items():
            edit.setTime(QTime.fromString(str(values[key]), "HH:mm"))
        self.policy.setCurrentIndex(max(0, self.policy.findData(values["queue.policy"])))
        for key, spin in self.numbers.items():
            spin.setValue(int(values[key]))

    def _campaigns(self, rows: list[Any]) -> None:
        chosen = self.campaign.currentText()
        self.campaigns = rows
        self.campaign.blockSignals(True)
        self.campaign.clear()
        self.campaign.addItems([r.name for r in rows])
        self.campaign.blockSignals(False)
        self.campaign.setCurrentIndex(max(0, self.campaign.findText(chosen)))
        self._campaign_chosen()

    def _campaign_chosen(self) -> None:
        row = next((r for r in self.campaigns if r.name == self.campaign.currentText()), None)
        if row is not None:
            for field, spin in self.campaign_spins.items():
                spin.setValue(int(getattr(row, field)))

    def team_values(self) -> dict[str, str]:
        out = {"team.timezone": self.zone.currentText().strip(),
               "queue.policy": str(self.policy.currentData())}
        out.update({k: e.time().toString("HH:mm") for k, e in self.times.items()})
        out.update({k: str(s.value()) for k, s in self.numbers.items()})
        return out

    def save_team(self) -> None:
        self.runner.run_op(partial(team_settings.set_values, self.db, self.team_values()), self,
                           lambda _: self.message.setText("Saved. Every open QualDesk uses the "
                                                          "new settings within seconds."),
                           self._failed, changes=configuration_saved)

    def save_campaign_policy(self) -> None:
        name = self.campaign.currentText()
        fields = {f: s.value() for f, s in self.campaign_spins.items()}

        def done(_: Any) -> None:
            self.message.setText(f"Saved {name}.")
            self.runner.run(partial(list_campaigns, self.db), self._campaigns, self._failed)

        self.runner.run_op(partial(update_campaign, self.db, name, by=self.by, **fields), self,
                           done, self._failed, changes=configuration_saved)
