"""The BANT block of the script: four structured parts, each with a prompt and a check mark.

The form parses what the rep types with the domain's parsers (``qualdesk.domain.bant``)
and emits ``sig_bant_edited(Bant)`` with the parts that changed; it never saves by
itself (the stepper debounces and saves through the op runner).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from qualdesk.domain.bant import Authority, Bant, Need, parse_budget, parse_timeframe
from qualdesk.errors import InvalidInput

DECISION_ITEMS = (("", "— not asked —"), ("yes", "Decision maker"), ("committee", "Part of committee"),
                  ("no", "Not the decision maker"), ("unknown", "Unknown"))
PRIORITY_ITEMS = (("", "— priority —"), ("low", "Low"), ("medium", "Medium"), ("high", "High"),
                  ("critical", "Critical"))
CURRENCIES = ("", "USD", "EUR", "GBP", "CHF", "CAD", "AUD")


def _combo(name: str, items: tuple[tuple[str, str], ...]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for value, label in items:
        box.addItem(label, value)
    return box


class BantForm(QWidget):
    sig_bant_edited = Signal(object)  # Bant with the edited parts only

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bant_form")
        self._loading = False
        self.budget = QLineEdit(objectName="bant_budget")
        self.budget.setPlaceholderText("50000, 40k-60k, or 'unknown'")
        self.currency = QComboBox(objectName="bant_currency")
        self.currency.setEditable(True)
        self.currency.addItems(list(CURRENCIES))
        self.role = QLineEdit(objectName="bant_role")
        self.role.setPlaceholderText("their role, e.g. VP Marketing")
        self.decision = _combo("bant_decision", DECISION_ITEMS)
        self.pain = QLineEdit(objectName="bant_pain")
        self.pain.setPlaceholderText("the pain, in their words")
        self.priority = _combo("bant_priority", PRIORITY_ITEMS)
        self.timeframe = QLineEdit(objectName="bant_timeframe")
        self.timeframe.setPlaceholderText("2027-Q1, 2027-03 or 2027-03-15")
        self.prompts = {p: QLabel(objectName=f"bant_prompt_{p}") for p in
                        ("budget", "authority", "need", "timeframe")}
        self.marks = {p: QLabel(objectName=f"bant_mark_{p}") for p in self.prompts}
        for lbl in self.prompts.values():
            lbl.setWordWrap(True)
            font = lbl.font()
            font.setItalic(True)  # what to ask: read aloud, distinct from the fields
            lbl.setFont(font)
        self.error = QLabel(objectName="bant_error")
        self.error.setWordWrap(True)
        self.error.hide()

        form = QFormLayout()
        rows = {
            "budget": (self.budget, self.currency),
            "authority": (self.role, self.decision),
            "need": (self.pain, self.priority),
            "timeframe": (self.timeframe,),
        }
        for part, widgets in rows.items():
            line = QHBoxLayout()
            line.addWidget(self.marks[part])
            for w in widgets:
                line.addWidget(w, 3 if isinstance(w, QLineEdit) else 1)
            box = QVBoxLayout()
            box.addWidget(self.prompts[part])
            box.addLayout(line)
            form.addRow(part.capitalize(), box)
        self.budget.setToolTip("Budget: an amount or a range, or 'unknown'")
        self.timeframe.setToolTip("Timeframe: a date, a month or a quarter, or 'unknown'")
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(self.error)

        self.budget.textEdited.connect(self._on_budget)
        self.currency.currentTextChanged.connect(self._on_budget)
        self.role.textEdited.connect(self._on_authority)
        self.decision.currentIndexChanged.connect(self._on_authority)
        self.pain.textEdited.connect(self._on_need)
        self.priority.currentIndexChanged.connect(self._on_need)
        self.timeframe.textEdited.connect(self._on_timeframe)
        self.set_marks(())

    # --- filling --------------------------------------------------------------------

    def set_prompts(self, prompts: dict[str, str]) -> None:
        for part, lbl in self.prompts.items():
            lbl.setText(prompts.get(part, ""))

    def set_bant(self, bant: Bant) -> None:
        """Show stored values without emitting edits."""
        self._loading = True
        try:
            b = bant.budget
            if b is None:
                self.budget.clear()
            elif not b.known:
                self.budget.setText("unknown")
            else:
                self.budget.setText(f"{b.low}" if b.high in (None, b.low) else f"{b.low}-{b.high}")
            self.currency.setCurrentText((b.currency if b else None) or "")
            a = bant.authority
            self.role.setText((a.role if a else None) or "")
            self.decision.setCurrentIndex(max(0, self.decision.findData(a.decision if a else "")))
            n = bant.need
            self.pain.setText((n.pain if n else None) or "")
            self.priority.setCurrentIndex(max(0, self.priority.findData((n.priority if n else "")
                                                                        or "")))
            t = bant.timeframe
            self.timeframe.setText("" if t is None else (t.text or "unknown"))
            self._show_error(None)
        finally:
            self._loading = False

    def set_marks(self, missing_parts: tuple[str, ...] | list[str]) -> None:
        """A check for each part the rule is satisfied with and that has an answer (an
        empty budget the rule does not ask for is not "done"); words, not only colour."""
        fields = {"budget": self.budget, "authority": self.role, "need": self.pain,
                  "timeframe": self.timeframe}
        for part, lbl in self.marks.items():
            ok = part not in missing_parts
            answered = part not in fields or bool(fields[part].text().strip())
            lbl.setText("✓" if ok and answered else "–" if ok else "•")
            lbl.setToolTip(f"{part}: " + ("enough for Level I" if ok and answered
                                          else "not needed for Level I" if ok
                                          else "still missing for Level I"))

    # --- editing --------------------------------------------------------------------

    def _emit(self, bant: Bant) -> None:
        if not self._loading:
            self._show_error(None)
            self.sig_bant_edited.emit(bant)

    def _show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def _on_budget(self, *_: object) -> None:
        if self._loading:
            return
        text = self.budget.text().strip()
        cur = self.currency.currentText().strip().upper()
        if not text:
            return
        try:
            b = parse_budget(f"{text} {cur}" if cur and text.lower() != "unknown" else text)
        except InvalidInput as exc:
            self._show_error(str(exc))
            return
        self._emit(Bant(budget=b))

    def _on_authority(self, *_: object) -> None:
        if self._loading:
            return
        decision = self.decision.currentData() or "unknown"
        role = self.role.text().strip() or None
        if role is None and not self.decision.currentData():
            return
        self._emit(Bant(authority=Authority(role, decision)))

    def _on_need(self, *_: object) -> None:
        if self._loading:
            return
        pain = self.pain.text().strip() or None
        priority = self.priority.currentData() or None
        if pain is None and priority is None:
            return
        self._emit(Bant(need=Need(pain, priority)))

    def _on_timeframe(self, *_: object) -> None:
        if self._loading:
            return
        text = self.timeframe.text().strip()
        if not text:
            return
        try:
            t = parse_timeframe(text)
        except InvalidInput as exc:
            self._show_error(str(exc))
            return
        self._emit(Bant(timeframe=t))

