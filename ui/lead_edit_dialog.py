"""Add a person who calls in ("New lead") or correct the lead's contact card ("Edit").

One form for both: the same fields the import reads, checked by the same services
(``lead_edit.add_lead`` / ``edit_lead``); a refusal names each field and value and the
dialog stays open with what was typed. Non-modal (``open()``); Ctrl+Enter confirms.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from qualdesk.domain.records import LeadDetail
from qualdesk.services import lead_edit
from qualdesk.services.intake.live.one_lead import LeadRefused
from ui.context import AppContext
from ui.dialog_buttons import action_buttons, column, ok_of
from ui.labels import HAND_RAISES, humanize

# (field, label) in the order the eye reads a card
FIELDS = (("first_name", "&First name"), ("last_name", "&Last name"),
          ("company", "&Company"), ("title", "&Title"), ("email", "&Email"),
          ("phone", "&Phone"))


class LeadFormDialog(QDialog):
    sig_saved = Signal(int, bool)  # lead id, created (False: edited, or an existing lead)

    def __init__(self, ctx: AppContext, detail: LeadDetail | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.detail = ctx, detail
        editing = detail is not None
        self.setObjectName("lead_edit_dialog" if editing else "new_lead_dialog")
        self.setWindowTitle(f"Edit {detail.summary.name}" if detail else "New lead — a person "
                            "calls in")
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name, label in FIELDS:
            e = QLineEdit(self)
            e.setObjectName(f"lead_form_{name}")
            self.edits[name] = e
            form.addRow(label, e)
        self.edits["phone"].setPlaceholderText("+1 212 555 0100, or a local number")
        # only the field this form shows is made: a second, unplaced child would lie at
        # (0, 0) over "First name"
        self.time_zone: QLineEdit | None = None
        self.kind: QComboBox | None = None
        if editing:
            self.time_zone = QLineEdit(self)
            self.time_zone.setObjectName("lead_form_time_zone")
            self.time_zone.setPlaceholderText("from the phone number, or e.g. Europe/Berlin")
            form.addRow("Time &zone", self.time_zone)
            s = detail.summary
            for name, value in (("first_name", s.first_name), ("last_name", s.last_name),
                                ("company", s.company), ("title", s.title),
                                ("email", s.email), ("phone", s.phone)):
                self.edits[name].setText(value or "")
            self.time_zone.setText(", ".join(s.time_zones))
        else:
            self.kind = QComboBox(self)
            self.kind.setObjectName("lead_form_hand_raise")
            for code, text in HAND_RAISES.items():
                self.kind.addItem(text, code)
            form.addRow("&Why they got in touch", self.kind)
            self.hint = QLabel("A known email (or phone) opens that lead instead of a "
                               "duplicate.", self)
            self.hint.setWordWrap(True)
            form.addRow("", self.hint)
        self.error = QLabel("", self)
        self.error.setObjectName("lead_form_error")
        self.error.setWordWrap(True)
        self.buttons = action_buttons(self, "lead_form", "Save" if editing else "Add lead",
                                      self.submit)
        column(self, form, self.error, self.buttons)
        # wide enough for a long email and "Europe/Berlin, America/New_York" uncut
        self.setMinimumWidth(max(520, self.fontMetrics().horizontalAdvance("M") * 40))
        self.edits["first_name"].setFocus()

    @property
    def ok_button(self) -> QWidget:
        return ok_of(self.buttons)

    def _values(self) -> dict[str, str | None]:
        return {name: e.text() for name, e in self.edits.items()}

    def submit(self) -> None:
        rep = self.ctx.rep_name or ""
        db, values = self.ctx.db, self._values()
        self.error.setText("")
        self.ok_button.setEnabled(False)
        if self.detail is None:
            assert self.kind is not None
            kind = str(self.kind.currentData())
            self.ctx.run_op(lambda: lead_edit.add_lead(db, values, rep=rep, hand_raise=kind),
                            self, on_done=self._added, on_error=self._refused)
            return
        lead_id = self.detail.summary.id
        changed = {k: v for k, v in values.items()
                   if (v or "") != (getattr(self.detail.summary, k) or "")}
        assert self.time_zone is not None
        zones = self.time_zone.text().strip()
        if zones != ", ".join(self.detail.summary.time_zones) and "phone" not in changed:
            changed["time_zone"] = zones
        self.ctx.run_op(lambda: lead_edit.edit_lead(db, lead_id, changed, by=rep), self,
                        on_done=self._edited, on_error=self._refused)

    def _added(self, r: lead_edit.AddedLead) -> None:
        self.sig_saved.emit(r.lead_id, r.created)
        self.accept()

    def _edited(self, r: lead_edit.EditedLead) -> None:
        self.sig_saved.emit(r.lead_id, False)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, LeadRefused):
            self.error.setText("Not saved: " + "; ".join(
                f"{humanize(p.field).lower()} “{p.value}”: {p.reason}" for p in exc.problems))
            first = next((self.edits[p.field] for p in exc.problems if p.field in self.edits),
                         None)
            if first is not None:
                first.setFocus()
                first.selectAll()
        else:
            self.error.setText(f"Not saved: {exc}")
