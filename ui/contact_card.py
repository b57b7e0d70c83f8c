"""The lead's contact card: who, where, and what time it is for them right now."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout, QWidget

from qualdesk.domain.countdown import local_time_text
from qualdesk.domain.designation import LABELS, Designation
from qualdesk.domain.records import LeadDetail


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

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Phone", self.phone)
        form.addRow("Email", self.email)
        form.addRow("Their time", self.local_time)
        form.addRow("Time zones", self.zones)
        form.addRow("Campaign", self.campaign)
        form.addRow("Designation", self.designation)
        form.addRow("Owner", self.owner)
        lay = QVBoxLayout(self)
        lay.addWidget(self.name)
        lay.addWidget(self.role)
        lay.addWidget(self.warning)
        lay.addLayout(form)
        self.warning.hide()

    def set_detail(self, detail: LeadDetail | None, now: datetime, team_tz: str = "UTC") -> None:
        self._detail = detail
        self._team_tz = team_tz
        if detail is None:
            for lab in (self.name, self.role, self.phone, self.email, self.local_time, self.zones,
                        self.campaign, self.designation, self.owner):
                lab.clear()
            self.warning.hide()
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
        self.zones.setText(", ".join(s.time_zones) or f"unknown (team zone {team_tz} assumed)")
        self.campaign.setText(s.campaign)
        try:
            self.designation.setText(LABELS[Designation(s.designation)])
        except ValueError:
            self.designation.setText(s.designation)
        claim = f" · claimed by {detail.claimed_by}" if detail.claimed_by else ""
        self.owner.setText((s.owner or "unowned") + claim)
        if s.do_not_call:
            self.warning.setText("⚠ Do not call: email only")
            self.warning.show()
        else:
            self.warning.hide()
        self.tick(now)

    def tick(self, now: datetime) -> None:
        if self._detail is not None:
            self.local_time.setText(local_time_text(self._detail.summary.time_zones, now,
                                                    self._team_tz))
