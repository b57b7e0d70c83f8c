"""Incubate a lead that is not ready: a reason and a re-touch date (by default the days the
reason implies — bad timing / no budget 90, not ready 30 — else the team's default).

Non-modal: ``open()`` it; it closes (accepted) when the incubation is saved.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from qualdesk import clock
from qualdesk.services.incubation import incubate_op, reason_days
from qualdesk.services.team_settings import get_value
from ui.context import AppContext
from ui.dialog_buttons import action_buttons, column, ok_of
from ui.typed_dates import TypedDateEdit

REASONS = ("bad timing", "no budget yet", "not ready", "no project this year")


def to_qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def from_qdate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class IncubateDialog(QDialog):
    sig_incubated = Signal(int)  # lead id

    def __init__(self, ctx: AppContext, lead_id: int, lead_name: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("incubate_dialog")
        self.setWindowTitle(f"Incubate {lead_name}".strip())
        self.ctx, self.lead_id = ctx, lead_id
        self._default_days = 90
        self._date_touched = False

        self.reason = QComboBox(self)
        self.reason.setObjectName("incubate_reason")
        self.reason.setEditable(True)
        self.reason.addItems(REASONS)
        self.reason.setToolTip("Why the lead is not ready; it travels with the lead's history")
        self.until = TypedDateEdit(self)
        self.until.setObjectName("incubate_until")
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("ddd dd MMM yyyy")
        self.until.setMinimumDate(to_qdate(clock.now().date() + timedelta(days=1)))
        self.error = QLabel("", self)
        self.error.setObjectName("incubate_error")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Reason", self.reason)
        form.addRow("Re-touch on", self.until)
        self.buttons = action_buttons(self, "incubate", "Incubate", self._submit)
        column(self, form, self.error, self.buttons)
        self.reason.currentTextChanged.connect(self._suggest_date)
        self.until.userDateChanged.connect(self._user_date)
        self._suggest_date()
        ctx.run_query(lambda: get_value(ctx.db, "incubation.default_days"), self._got_default,
                      key=f"incubate_default_{id(self)}")
        self.reason.setFocus()

    @property
    def ok_button(self) -> QPushButton:
        return ok_of(self.buttons)

    def _got_default(self, days: int) -> None:
        self._default_days = int(days)
        self._suggest_date()

    def _user_date(self, _d: QDate) -> None:
        self._date_touched = True

    def _suggest_date(self) -> None:
        if self._date_touched:
            return
        days = reason_days(self.reason.currentText()) or self._default_days
        self.until.blockSignals(True)
        self.until.setDate(to_qdate(clock.now().date() + timedelta(days=days)))
        self.until.blockSignals(False)

    def set_until(self, d: date) -> None:
        self._date_touched = True
        self.until.setDate(to_qdate(d))

    def _submit(self) -> None:
        reason = self.reason.currentText().strip()
        if not reason:
            self.error.setText("A reason is needed (e.g. bad timing, no budget yet).")
            return
        until = from_qdate(self.until.date())
        db, lead_id, by = self.ctx.db, self.lead_id, self.ctx.rep_name
        self.ok_button.setEnabled(False)
        self.ctx.run_op(lambda: incubate_op(db, lead_id, until, reason, by), initiator=self,
                        on_done=self._done, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(str(exc))
        self.ok_button.setEnabled(True)

    def _done(self, _changes: object) -> None:
        self.sig_incubated.emit(self.lead_id)
        self.accept()
