"""The Level I rule from choices, not code: tick what a lead must have ("budget known",
"authority: decision maker", "timeframe within N months"), choose all or any, and the
rule text is written for you (``qualdesk.domain.level1_rule``'s tiny language, checked
by its own parser) with what it asks of a rep in words.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qualdesk.domain.bant import PRIORITIES
from qualdesk.domain.level1_rule import CRITERIA, All, Any_, Call, parse_rule
from qualdesk.errors import InvalidInput
from ui.dialog_buttons import action_buttons

# criterion -> what the box says (the criterion's own words, as a rep reads them)
CHOICES = (
    ("budget_known", "Budget known (an amount or a range)"),
    ("budget_at_least", "Budget of at least"),
    ("authority_known", "Authority known (their role)"),
    ("authority_confirmed", "Authority: decision maker or buying committee"),
    ("decision_maker", "Authority: talking to the decision maker"),
    ("need_known", "Need known (the pain, in their words)"),
    ("need_priority_at_least", "Need with priority at least"),
    ("timeframe_known", "Timeframe known"),
    ("timeframe_within_months", "Timeframe within (months)"),
)


class Level1RuleBuilder(QDialog):
    sig_rule_chosen = Signal(str)

    def __init__(self, rule: str = "", parent: QWidget | None = None,
                 currency: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("level1_builder")
        self.setWindowTitle("Level I rule")
        self.boxes: dict[str, QCheckBox] = {}
        self.amount = QSpinBox()
        self.amount.setObjectName("level1_budget_amount")
        self.amount.setRange(0, 100_000_000)
        self.amount.setSingleStep(1000)
        self.amount.setValue(10_000)
        self.amount.setGroupSeparatorShown(True)  # 10,000 (the team sets no currency yet)
        if currency:
            self.amount.setSuffix(f" {currency}")
        self.months = QSpinBox()
        self.months.setObjectName("level1_months")
        self.months.setRange(1, 60)
        self.months.setValue(6)
        self.priority = QComboBox()
        self.priority.setObjectName("level1_priority")
        self.priority.addItems(PRIORITIES)
        self.priority.setCurrentText("high")
        params = {"budget_at_least": self.amount, "timeframe_within_months": self.months,
                  "need_priority_at_least": self.priority}
        self.mode = QComboBox()
        self.mode.setObjectName("level1_mode")
        self.mode.addItem("all of these", "and")
        self.mode.addItem("any one of these", "or")
        grid = QGridLayout()
        grid.addWidget(QLabel("A lead is Level I qualified when it has"), 0, 0)
        grid.addWidget(self.mode, 0, 1)
        for i, (name, words) in enumerate(CHOICES, start=1):
            box = QCheckBox(words)
            box.setObjectName(f"level1_{name}")
            self.boxes[name] = box
            grid.addWidget(box, i, 0)
            if name in params:
                grid.addWidget(params[name], i, 1)
            box.toggled.connect(self._update)
        self.amount.valueChanged.connect(self._update)
        self.months.valueChanged.connect(self._update)
        self.priority.currentIndexChanged.connect(self._update)
        self.mode.currentIndexChanged.connect(self._update)
        self.rule_text = QLabel("")
        self.rule_text.setObjectName("level1_rule_text")
        self.rule_text.setWordWrap(True)
        self.rule_text.hide()  # the expression is the campaign's data: words on screen
        self.words = QLabel("")
        self.words.setObjectName("level1_rule_words")
        self.words.setWordWrap(True)
        self.buttons = action_buttons(self, "level1", "Use this rule", self._accept,
                                      ok_name="level1_ok", cancel_name="level1_cancel")
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addWidget(self.words)
        lay.addWidget(self.rule_text)
        lay.addWidget(self.buttons)
        self.set_rule(rule)

    def set_rule(self, rule: str) -> None:
        """Tick the choices a simple rule (one 'and' or one 'or' of criteria) makes."""
        for box in self.boxes.values():
            box.setChecked(False)
        if not rule.strip():
            self._update()
            return
        try:
            node = parse_rule(rule)
        except InvalidInput:
            node = None
        items = node.items if isinstance(node, All | Any_) else (node,) if node else ()
        if not all(isinstance(c, Call) for c in items):
            self.words.setText("This rule was written by hand with brackets; ticking here "
                               "replaces it.")
            return
        self.mode.setCurrentIndex(1 if isinstance(node, Any_) else 0)
        for c in items:
            assert isinstance(c, Call)
            if c.name in self.boxes:
                self.boxes[c.name].setChecked(True)
            if c.name == "budget_at_least":
                self.amount.setValue(int(c.args[0]))
            elif c.name == "timeframe_within_months":
                self.months.setValue(int(c.args[0]))
            elif c.name == "need_priority_at_least":
                self.priority.setCurrentText(str(c.args[0]))
        self._update()

    def rule(self) -> str:
        parts = []
        for name, box in self.boxes.items():
            if not box.isChecked():
                continue
            if name == "budget_at_least":
                parts.append(f"budget_at_least({self.amount.value()})")
            elif name == "timeframe_within_months":
                parts.append(f"timeframe_within_months({self.months.value()})")
            elif name == "need_priority_at_least":
                parts.append(f"need_priority_at_least({self.priority.currentText()})")
            else:
                parts.append(name)
        return f" {self.mode.currentData()} ".join(parts)

    def _update(self, *_: object) -> None:
        text = self.rule()
        ok = self.buttons.button(self.buttons.StandardButton.Ok)
        if not text:
            self.rule_text.setText("")
            self.words.setToolTip("")
            self.words.setText("Tick at least one: a rule with nothing in it would qualify "
                               "every lead.")
            ok.setEnabled(False)
            return
        node = parse_rule(text)  # what the campaign will store must parse
        items = node.items if isinstance(node, All | Any_) else (node,)
        said = [CRITERIA[c.name].describe(*c.args) for c in items if isinstance(c, Call)]
        joiner = " and " if self.mode.currentData() == "and" else " or "
        self.words.setText("A rep turns the lead over once they know: " + joiner.join(said) + ".")
        self.rule_text.setText(f"Rule: {text}")
        self.words.setToolTip(f"As the campaign stores it: {text}")
        ok.setEnabled(True)

    def _accept(self) -> None:
        self.sig_rule_chosen.emit(self.rule())
        self.accept()
