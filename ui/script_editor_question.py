"""One question of a script, in fields: what the rep asks, what to listen for, the kind
of answer (words, yes/no, one of some options, a number), its options, where each answer
goes next, and the BANT part the answer fills.

The page edits the ``QuestionDraft`` it is given in place and says so
(``sig_question_edited``); the form turns the whole draft into the script's text and
the checker's problems come back to the field they concern (``show_problems``).
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from qualdesk.domain.bant import PARTS
from qualdesk.services.script_form import (
    OTHERWISE,
    ChoiceDraft,
    QuestionDraft,
    ScriptDraft,
    fresh_choice_key,
    fresh_id,
    rename_question,
)
from qualdesk.services.script_library import STEP_BANT, STEP_CLOSE

KIND_CHOICES = (("text", "Free text — the lead answers in words"), ("yesno", "Yes or no"),
                ("choice", "One of some options"), ("number", "A number"))
BANT_WORDS = {"budget": "Budget", "authority": "Authority", "need": "Need",
              "timeframe": "Timeframe"}
MAX_CHOICES = 9  # the stepper picks them with the keys 1-9


def short(text: str, n: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def problem_label(name: str) -> QLabel:
    """A problem line under its field: hidden while there is none; the ✗ and the words say
    it, not a colour alone."""
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("QLabel { color: #d0453a; font-weight: bold; }")
    label.hide()
    return label


def set_problems(label: QLabel, messages: list[str]) -> None:
    label.setText("\n".join(f"✗ {m}" for m in messages))
    label.setVisible(bool(messages))


def narrow(combo: QComboBox) -> QComboBox:
    """A combo as wide as its column, not as its longest question: the page never grows
    past the window."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(14)
    return combo


def fill_targets(combo: QComboBox, draft: ScriptDraft, own: str, current: str,
                 empty_words: str) -> None:
    """The steps an answer may go to; a step that no longer exists stays chosen, flagged,
    so the problem is visible where it is."""
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(empty_words, "")
    for i, q in enumerate(draft.questions, 1):
        if q.id != own:
            combo.addItem(f"{i}. {short(q.text) or '(no text yet)'}", q.id)
    combo.addItem("The BANT questions", STEP_BANT)
    combo.addItem("The close (no more questions)", STEP_CLOSE)
    if current and combo.findData(current) < 0:
        combo.addItem(f"⚠ a question that is not there ({current})", current)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)


class QuestionPage(QWidget):
    sig_question_edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("script_question_page")
        self.draft = ScriptDraft()
        self.q = QuestionDraft("q_new")
        self._stash: dict[int, list[ChoiceDraft]] = {}  # options kept while the kind is not choice
        self.heading = QLabel("")
        self.heading.setObjectName("script_question_heading")
        self.heading.setWordWrap(True)  # a long note must not widen the page past the window
        self.text = QPlainTextEdit()
        self.text.setObjectName("script_q_text")
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("What the rep asks, e.g. What prompted you to reach out?")
        self.text.setMaximumHeight(self.fontMetrics().lineSpacing() * 4)
        self.hint = QLineEdit()
        self.hint.setObjectName("script_q_hint")
        self.hint.setPlaceholderText("optional: what to listen for")
        self.kind = narrow(QComboBox())
        self.kind.setObjectName("script_q_kind")
        for key, words in KIND_CHOICES:
            self.kind.addItem(words, key)
        self.bant = narrow(QComboBox())
        self.bant.setObjectName("script_q_bant")
        self.bant.addItem("— none —", "")
        for part in PARTS:
            self.bant.addItem(BANT_WORDS[part], part)
        self.bant.setToolTip("The answer is written into this BANT part when the rep has not "
                             "filled it yet")
        self.answers = QWidget()
        self.answers.setObjectName("script_q_answers")
        self.grid = QGridLayout(self.answers)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.add_choice = QPushButton("Add an opt&ion")
        self.add_choice.setObjectName("script_q_add_choice")
        self.add_choice.clicked.connect(self.add_option)
        self.problems = {name: problem_label(f"script_q_problem_{name}")
                         for name in ("text", "hint", "kind", "bant", "choices", "next", "id")}
        self._lay_out()
        self.text.textChanged.connect(self._text_edited)
        self.hint.textEdited.connect(self._hint_edited)
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.bant.currentIndexChanged.connect(self._bant_chosen)

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        p = self.problems
        for label, widget, key in (("The rep as&ks", self.text, "text"),
                                   ("&Listen for", self.hint, "hint"),
                                   ("Ans&wer", self.kind, "kind"),
                                   ("&Fills BANT", self.bant, "bant")):
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(p[key])
            lab = QLabel(label)
            lab.setBuddy(widget)
            form.addRow(lab, box)
        branches = QVBoxLayout()
        branches.setSpacing(2)
        branches.addWidget(self.answers)
        branches.addWidget(self.add_choice, 0, Qt.AlignmentFlag.AlignLeft)
        branches.addWidget(p["choices"])
        branches.addWidget(p["next"])
        form.addRow(QLabel("Next step"), branches)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.heading)
        lay.addLayout(form)
        lay.addWidget(p["id"])
        lay.addStretch(1)

    # --- showing one question -------------------------------------------------------------

    def set_question(self, draft: ScriptDraft, index: int) -> None:
        self.draft, self.q = draft, draft.questions[index]
        self.heading.setText(f"<b>Question {index + 1} of {len(draft.questions)}</b>")
        for w in (self.text, self.hint, self.kind, self.bant):
            w.blockSignals(True)
        if self.text.toPlainText() != self.q.text:
            self.text.setPlainText(self.q.text)
        self.hint.setText(self.q.hint)
        self.kind.setCurrentIndex(max(0, self.kind.findData(self.q.kind)))
        self.bant.setCurrentIndex(max(0, self.bant.findData(self.q.bant)))
        for w in (self.text, self.hint, self.kind, self.bant):
            w.blockSignals(False)
        self.rebuild_answers()

    def set_reached(self, reached: bool) -> None:
        """Say so when no answer leads here: the checker allows it, a rep never sees it."""
        n = next((i for i, x in enumerate(self.draft.questions, 1) if x is self.q), 0)
        note = "" if reached else (" — no answer leads here, so a rep never sees it: point "
                                   "an answer of an earlier question at it, or move it")
        self.heading.setText(f"<b>Question {n} of {len(self.draft.questions)}</b>{note}")

    def rebuild_answers(self) -> None:
        """One row per answer (its option's words, where it goes), then 'any other answer'."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            if (w := item.widget()) is not None:
                w.hide()
                w.setParent(None)  # gone from the page now, not at the next event loop turn
                w.deleteLater()
        q, row = self.q, 0
        self.option_edits: list[QLineEdit] = []
        self.target_combos: dict[str, QComboBox] = {}
        rows: list[tuple[str, ChoiceDraft | None]] = []
        if q.kind == "yesno":
            rows = [("yes", None), ("no", None)]
        elif q.kind == "choice":
            rows = [(c.key, c) for c in q.choices]
        for key, choice in rows:
            self._answer_row(row, key, choice)
            row += 1
        words = "Otherwise" if rows else "Then go to"
        self.grid.addWidget(QLabel(words), row, 0)
        combo = self._target_combo(OTHERWISE, "The next question in the list")
        self.grid.addWidget(combo, row, 1, 1, 2)
        options = q.kind == "choice"  # an option's words want the room; "If yes" does not
        self.grid.setColumnStretch(0, 3 if options else 1)
        self.grid.setColumnStretch(1, 2 if options else 3)
        self.grid.setColumnStretch(2, 0)
        self.add_choice.setVisible(q.kind == "choice")
        self.add_choice.setEnabled(len(q.choices) < MAX_CHOICES)
        self._chain_rows()

    def _chain_rows(self) -> None:
        """New rows join the Tab chain where they stand: after the BANT part, row by row,
        before 'Add an option' (a new widget would otherwise come last in the window)."""
        rows = [self.grid.itemAtPosition(r, c) for r in range(self.grid.rowCount())
                for c in range(self.grid.columnCount())]
        chain = [self.bant, *[i.widget() for i in rows if i is not None and i.widget() is not None
                              and not isinstance(i.widget(), QLabel)], self.add_choice]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)

    def _answer_row(self, row: int, key: str, choice: ChoiceDraft | None) -> None:
        if choice is None:
            self.grid.addWidget(QLabel("If yes" if key == "yes" else "If no"), row, 0)
        else:
            edit = QLineEdit(choice.label)
            edit.setCursorPosition(0)  # the option's first words show, not its last
            edit.setObjectName(f"script_q_option_{row + 1}")
            edit.setPlaceholderText(f"option {row + 1}, as the rep reads it")
            edit.textEdited.connect(partial(self._option_edited, choice))
            self.option_edits.append(edit)
            self.grid.addWidget(edit, row, 0)
        combo = self._target_combo(key, "Same as otherwise", choice)
        self.grid.addWidget(combo, row, 1)
        if choice is not None:
            rm = QPushButton("✕")
            rm.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            rm.setMaximumWidth(rm.fontMetrics().horizontalAdvance("✕") * 4)
            rm.setObjectName(f"script_q_remove_option_{row + 1}")
            rm.setToolTip("Remove this option")
            rm.setAccessibleName(f"Remove option {row + 1}")
            rm.clicked.connect(partial(self._remove_option, choice))
            self.grid.addWidget(rm, row, 2)

    def _target_combo(self, key: str, empty_words: str,
                      choice: ChoiceDraft | None = None) -> QComboBox:
        combo = narrow(QComboBox())
        combo.setObjectName(f"script_q_next_{'otherwise' if key == OTHERWISE else key}")
        fill_targets(combo, self.draft, self.q.id, self.q.next.get(key, ""), empty_words)
        # an option's key may follow its words as they are typed: look it up when chosen
        combo.currentIndexChanged.connect(partial(self._target_chosen, key, choice, combo))
        self.target_combos[key] = combo
        return combo

    # --- edits -----------------------------------------------------------------------------

    def _text_edited(self) -> None:
        self.q.text = self.text.toPlainText()
        if self.q.follows_text:
            new = fresh_id(ScriptDraft(questions=[x for x in self.draft.questions if x is not self.q]),
                           self.q.text)
            rename_question(self.draft, self.q.id, new)
        self.sig_question_edited.emit()

    def _hint_edited(self, text: str) -> None:
        self.q.hint = text
        self.sig_question_edited.emit()

    def _kind_chosen(self) -> None:
        kind = str(self.kind.currentData())
        if self.q.kind == "choice" and kind != "choice":
            self._stash[id(self.q)] = self.q.choices
            self.q.choices = []
        elif kind == "choice" and not self.q.choices:
            self.q.choices = self._stash.pop(id(self.q), None) or [
                ChoiceDraft("option_1", "", follows_label=True),
                ChoiceDraft("option_2", "", follows_label=True)]
        self.q.kind = kind
        keys = set(self.q.answer_keys()) | {OTHERWISE}
        self.q.next = {k: v for k, v in self.q.next.items() if k in keys}
        self.rebuild_answers()
        self.sig_question_edited.emit()

    def _bant_chosen(self) -> None:
        self.q.bant = str(self.bant.currentData())
        self.sig_question_edited.emit()

    def _target_chosen(self, key: str, choice: ChoiceDraft | None, combo: QComboBox,
                       *_: object) -> None:
        key = choice.key if choice is not None else key
        target = str(combo.currentData() or "")
        if target:
            self.q.next[key] = target
        else:
            self.q.next.pop(key, None)
        self.sig_question_edited.emit()

    def _option_edited(self, choice: ChoiceDraft, text: str, *_: object) -> None:
        choice.label = text
        if choice.follows_label:
            old = choice.key
            others = QuestionDraft(self.q.id, choices=[c for c in self.q.choices if c is not choice])
            choice.key = fresh_choice_key(others, text)
            if old in self.q.next:
                self.q.next[choice.key] = self.q.next.pop(old)
            if old in self.target_combos:
                self.target_combos[choice.key] = self.target_combos.pop(old)
        self.sig_question_edited.emit()

    def add_option(self) -> None:
        if len(self.q.choices) >= MAX_CHOICES:
            return
        choice = ChoiceDraft(fresh_choice_key(self.q, "option"), "", follows_label=True)
        self.q.choices.append(choice)
        self.rebuild_answers()
        self.option_edits[-1].show()  # a layout shows its new widgets later: focus needs it now
        self.option_edits[-1].setFocus()
        self.sig_question_edited.emit()

    def _remove_option(self, choice: ChoiceDraft, *_: object) -> None:
        self.q.choices = [c for c in self.q.choices if c is not choice]
        self.q.next.pop(choice.key, None)
        self.rebuild_answers()
        self.sig_question_edited.emit()

    # --- problems ---------------------------------------------------------------------------

    def show_problems(self, by_field: dict[str, list[str]]) -> None:
        for name, label in self.problems.items():
            set_problems(label, by_field.get(name, []))

    def focus_field(self, name: str) -> None:
        target = {"text": self.text, "hint": self.hint, "kind": self.kind, "bant": self.bant}.get(name)
        if target is None and name in ("choices", "next"):
            target = self.option_edits[0] if self.option_edits and name == "choices" else \
                next(iter(self.target_combos.values()), self.text)
        (target or self.text).setFocus()
