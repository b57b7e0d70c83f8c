"""The lead's contact card: who, where, and what time it is for them right now."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qualdesk import clock
from qualdesk.domain.countdown import CountdownState, countdown, local_time_text
from qualdesk.domain.records import LeadDetail
from ui.icons import is_dark, state_colours, state_icon
from ui.labels import designation, mail_problem, time_zone
from ui.queue_model import clock_font


def _label(parent: QWidget, name: str, selectable: bool = True) -> QLabel:
    lab = QLabel("", parent)
    lab.setObjectName(name)
    if selectable:
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lab.setWordWrap(True)
    return lab


class ContactCard(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contact_card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._detail: LeadDetail | None = None
        self._team_tz = "UTC"
        self._repainting = False

        self.name = _label(self, "contact_name")
        f = QFont(self.font())
        f.setBold(True)
        f.setPointSizeF(max(f.pointSizeF(), 9.0) * 1.4)
        self.name.setFont(f)
        self.role = _label(self, "contact_role")
        self.phone = _label(self, "contact_phone")
        self.email = _label(self, "contact_email")
        self.local_time = _label(self, "contact_local_time")
        lt = QFont(self.font())
        lt.setBold(True)
        self.local_time.setFont(lt)
        self.zones = _label(self, "contact_zones")
        self.campaign = _label(self, "contact_campaign")
        self.designation = _label(self, "contact_designation")
        self.owner = _label(self, "contact_owner")
        self.warning = _label(self, "contact_warning", selectable=False)
        # The lead's follow-up clock, as loud as the queue's: the same font, colours,
        # symbol and words, driven by the queue's one timer (``tick``).
        self.clock = QLabel("", self)
        self.clock.setObjectName("lead_clock")
        self.clock.setFont(clock_font(self.font()))
        self.clock.setAutoFillBackground(True)
        self.clock.setMargin(4)
        self.clock_icon = QLabel("", self)
        self.clock_icon.setObjectName("lead_clock_icon")
        self.clock_state = CountdownState.NONE
        self.edit_button = QPushButton("Edit…", self)
        self.edit_button.setObjectName("contact_edit_button")
        self.edit_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # keys stay on the call

        # Two pairs a row: the card stays short, so at 1280x720 the script and the notes
        # below it keep their room.
        form = QGridLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(2)
        pairs = (("Phone", self.phone), ("Their time", self.local_time),
                 ("Email", self.email), ("Time zones", self.zones),
                 ("Campaign", self.campaign), ("Designation", self.designation),
                 ("Owner", self.owner))
        for i, (text, value) in enumerate(pairs):
            r, c = divmod(i, 2)
            caption = QLabel(text, self)
            caption.setBuddy(value)
            form.addWidget(caption, r, c * 2)
            form.addWidget(value, r, c * 2 + 1)
        form.setColumnStretch(1, 3)
        form.setColumnStretch(3, 2)
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(self.name, 1)
        head.addWidget(self.clock_icon)
        head.addWidget(self.clock)
        head.addWidget(self.edit_button)
        lay.addLayout(head)
        lay.addWidget(self.role)
        lay.addWidget(self.warning)
        lay.addLayout(form)
        self.warning.hide()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and not self._repainting:
            self._repainting = True  # our own setPalette on the clock must not recurse
            try:
                self._tick_clock(clock.now())
            finally:
                self._repainting = False
        super().changeEvent(event)

    def set_detail(self, detail: LeadDetail | None, now: datetime, team_tz: str = "UTC") -> None:
        self._detail = detail
        self._team_tz = team_tz
        if detail is None:
            for lab in (self.name, self.role, self.phone, self.email, self.local_time, self.zones,
                        self.campaign, self.designation, self.owner):
                lab.clear()
            self.warning.hide()
            self._tick_clock(now)
            return
        s = detail.summary
        self.name.setText(s.name or f"Lead {s.id}")
        self.role.setText(" at ".join(p for p in (s.title, s.company) if p))
        phone = s.phone or "no valid phone"
        if s.phone and s.phone_ext:
            phone += f" ext. {s.phone_ext}"
        if detail.mobile:
            phone += f" · mobile {detail.mobile}"
        self.phone.setText(phone)
        self.email.setText(s.email or "—")
        self.zones.setText(", ".join(time_zone(z) for z in s.time_zones)
                           or f"unknown (team zone {team_tz} assumed)")
        self.campaign.setText(s.campaign)
        try:
            self.designation.setText(designation(s.designation))
        except ValueError:
            self.designation.setText(s.designation)
        claim = ("" if not detail.claimed_by else " (claimed)" if
                 detail.claimed_by == s.owner else f" · claimed by {detail.claimed_by}")
        self.owner.setText((s.owner or "unowned") + claim)
        warnings = []
        if s.do_not_call:
            warnings.append("⚠ Do not call: email only")
        waiting = [e for e in detail.emails if e.status in ("queued", "sending", "failed")]
        if waiting:
            e = waiting[-1]
            warnings.append(f"✉ The email “{e.subject}” has not gone out: "
                            f"{mail_problem(e.last_error)}")
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))
        self.tick(now)

    def tick(self, now: datetime) -> None:
        if self._detail is not None:
            self.local_time.setText(local_time_text(self._detail.summary.time_zones, now,
                                                    self._team_tz))
        self._tick_clock(now)

    def deadline(self) -> datetime | None:
        """The earliest clock still running: an open hand raise's (not called or not
        emailed yet), as the queue counts it."""
        if self._detail is None:
            return None
        open_ = [h.deadline_at for h in self._detail.hand_raises if h.followed_up_at is None]
        return min(open_) if open_ else None

    def _tick_clock(self, now: datetime) -> None:
        deadline = self.deadline()
        cd = countdown(deadline, now)
        self.clock_state = cd.state
        if cd.state is CountdownState.NONE:
            self.clock.setText("No clock running" if self._detail is not None else "")
            self.clock.setPalette(self.palette())
            self.clock_icon.clear()
            self.clock.setToolTip("No open hand raise: nothing is counting")
            return
        self.clock.setText(f"{cd.clock}  {cd.words}")
        dark = is_dark(self.palette())
        colours = state_colours(cd.state, dark)
        pal = QPalette(self.palette())
        if colours is not None:
            pal.setColor(QPalette.ColorRole.Window, colours[0])
            pal.setColor(QPalette.ColorRole.WindowText, colours[1])
        self.clock.setPalette(pal)
        size = self.clock.fontMetrics().height()
        self.clock_icon.setPixmap(state_icon(cd.state, dark).pixmap(size, size))
        self.clock.setToolTip(f"Follow-up clock: {cd.words}, {cd.text} "
                              f"(deadline {deadline:%H:%M} UTC)" if deadline else "")
