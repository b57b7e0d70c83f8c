"""The script as a form: its steps in a list, in the order a rep meets them (the title and
Level I rule, the opening, each question, the BANT questions, the close), and the chosen
step's fields beside it. Questions are added, removed and moved with buttons or keys
(Ctrl+N, Ctrl+Delete, Ctrl+Up, Ctrl+Down).

Every edit changes the ``ScriptDraft`` in place and says so (``sig_form_edited``); the
editor writes the draft out, runs the strict checker, and hands each problem back to the
field it concerns (``show_problems``): under the field, and as ⚠ on the step in the list.
"""

from __future__ import annotations

import re
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from qualdesk.domain.bant import PARTS
from qualdesk.domain.level1_rule import DEFAULT_RULE
from qualdesk.services.script_form import (
    GENERAL,
    QUESTIONS,
    FieldKey,
    QuestionDraft,
    ScriptDraft,
    fresh_id,
    rule_in_words,
    unreached,
)
from ui.script_editor_question import QuestionPage, problem_label, set_problems, short

# Alt+letter for each part; none shared with the window's others (A = Add question)
BANT_KEYS = {"budget": "&Budget", "authority": "Aut&hority", "need": "&Need",
             "timeframe": "&Timeframe"}
PAGE_SCRIPT, PAGE_OPENING, PAGE_QUESTION, PAGE_BANT, PAGE_CLOSE = range(5)
MERGE_FIELDS = ("lead.first_name", "lead.last_name", "lead.company", "lead.title", "lead.email",
                "lead.phone", "rep.name", "rep.email", "rep.phone", "campaign.name",
                "hand_raise.kind")


def _paragraphs(edit: QPlainTextEdit) -> list[str]:
    """The paragraphs the rep reads, one per block of text between blank lines."""
    return [p.strip() for p in re.split(r"\n[ \t]*\n", edit.toPlainText()) if p.strip()]


class ScriptForm(QWidget):
    sig_form_edited = Signal()
    sig_rule_wanted = Signal()  # the Level I button: the editor opens the rule builder

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("script_form")
        self.draft = ScriptDraft()
        self.problems: dict[FieldKey, list[str]] = {}
        self.labels: dict[FieldKey, QLabel] = {}
        self.lines_edits: dict[str, QPlainTextEdit] = {}
        self.steps = QListWidget()
        self.steps.setObjectName("script_steps")
        self.steps.setWordWrap(True)
        self.steps.currentRowChanged.connect(self._show_step)
        self.pages = QStackedWidget()
        self.pages.setObjectName("script_pages")
        self.question = QuestionPage()
        self.question.sig_question_edited.connect(self._question_edited)
        for page in (self._script_page(), self._lines_page("opening"), self.question,
                     self._bant_page(), self._lines_page("close")):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            scroll.setWidget(page)
            self.pages.addWidget(scroll)
        self.buttons = self._list_buttons()
        self._lay_out()

    # --- parts ----------------------------------------------------------------------------

    def _list_buttons(self) -> dict[str, QPushButton]:
        out: dict[str, QPushButton] = {}
        for name, text, key, slot in (
                ("add", "&Add question", "Ctrl+N", self.add_question),
                ("remove", "&Remove", "Ctrl+Delete", self.remove_question),
                ("up", "Move &up", "Ctrl+Up", partial(self.move_question, -1)),
                ("down", "Move &down", "Ctrl+Down", partial(self.move_question, 1))):
            b = QPushButton(text)
            b.setObjectName(f"script_question_{name}")
            b.setToolTip(f"{text.replace('&', '')} ({key})")
            b.clicked.connect(slot)
            sc = QShortcut(QKeySequence(key), self)
            # anywhere in the editor's window while the form shows (in a text field, its
            # own meaning of the key wins: Ctrl+Delete deletes a word there)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(b.click)
            out[name] = b
        return out

    def _lay_out(self) -> None:
        left = QVBoxLayout()
        left.addWidget(QLabel("Ste&ps, as the rep meets them", buddy=self.steps))
        left.addWidget(self.steps, 1)
        self.labels[QUESTIONS] = problem_label("script_problem_questions")
        left.addWidget(self.labels[QUESTIONS])
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        row1.addWidget(self.buttons["add"])
        row1.addWidget(self.buttons["remove"])
        row2.addWidget(self.buttons["up"])
        row2.addWidget(self.buttons["down"])
        left.addLayout(row1)
        left.addLayout(row2)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(left, 2)
        lay.addWidget(self.pages, 5)
        self.setTabOrder(self.steps, self.buttons["add"])
        for a, b in (("add", "remove"), ("remove", "up"), ("up", "down")):
            self.setTabOrder(self.buttons[a], self.buttons[b])

    def _script_page(self) -> QWidget:
        page = QWidget()
        self.title = QLineEdit()
        self.title.setObjectName("script_title")
        self.title.setPlaceholderText("the script's name as reps see it")
        self.title.textEdited.connect(self._general_edited)
        self.description = QLineEdit()
        self.description.setObjectName("script_description")
        self.description.setPlaceholderText("optional: when to use it")
        self.description.textEdited.connect(self._general_edited)
        self.rule_words = QLabel("")
        self.rule_words.setObjectName("script_level1_words")
        self.rule_words.setWordWrap(True)
        self.rule_button = QPushButton("&Choose what qualifies…")
        self.rule_button.setObjectName("script_level1_choose")
        self.rule_button.clicked.connect(self.sig_rule_wanted)
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label, widget in (("title", "&Title", self.title),
                                   ("description", "D&escription", self.description)):
            self._row(form, key, label, widget)
        rule = QVBoxLayout()
        rule.addWidget(self.rule_words)
        rule.addWidget(self.rule_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.labels[("level1",)] = problem_label("script_problem_level1")
        rule.addWidget(self.labels[("level1",)])
        form.addRow(QLabel("Level I"), rule)
        override = QLabel("A campaign may set a rule of its own on the Campaigns page; "
                          "for its leads that one counts.")
        override.setWordWrap(True)
        override.setEnabled(False)
        form.addRow("", override)
        self.labels[GENERAL] = problem_label("script_problem_general")
        form.addRow(self.labels[GENERAL])
        return page

    def _row(self, form: QFormLayout, key: str | tuple[str, str], label: str,
             widget: QWidget) -> None:
        fk: FieldKey = key if isinstance(key, tuple) else (key,)
        name = "_".join(fk)
        self.labels[fk] = problem_label(f"script_problem_{name}")
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(self.labels[fk])
        lab = QLabel(label)
        lab.setBuddy(widget)
        form.addRow(lab, box)

    def _lines_page(self, key: str) -> QWidget:
        page = QWidget()
        edit = QPlainTextEdit()
        edit.setObjectName(f"script_{key}")
        edit.setTabChangesFocus(True)
        edit.textChanged.connect(partial(self._lines_edited, key))
        self.lines_edits[key] = edit
        say = ("What the rep says first" if key == "opening" else
               "What the rep says to end the call")
        note = QLabel(f"{say}, a blank line between paragraphs. Merge fields such as "
                      "{{ lead.first_name }} are filled in for each lead; "
                      "{{ lead.first_name or 'there' }} says 'there' when it is empty.")
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        insert = QComboBox()
        insert.setObjectName(f"script_{key}_insert")
        insert.addItem("Insert a merge field…", "")
        for f in MERGE_FIELDS:
            insert.addItem(f, f)
        insert.activated.connect(partial(self._insert_field, edit, insert))
        self.labels[(key,)] = problem_label(f"script_problem_{key}")
        lay = QVBoxLayout(page)
        lay.addWidget(note)
        lay.addWidget(edit, 1)
        lay.addWidget(self.labels[(key,)])
        lay.addWidget(insert, 0, Qt.AlignmentFlag.AlignLeft)
        return page

    def _bant_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        note = QLabel("After the questions the rep asks for budget, authority, need and "
                      "timeframe; these are the words for each.")
        note.setWordWrap(True)
        form.addRow(note)
        self.bant: dict[str, QLineEdit] = {}
        for part in PARTS:
            edit = QLineEdit()
            edit.setObjectName(f"script_bant_{part}")
            edit.textEdited.connect(partial(self._bant_edited, part))
            self.bant[part] = edit
            self._row(form, ("bant", part), BANT_KEYS[part], edit)
        self.labels[("bant",)] = problem_label("script_problem_bant")
        form.addRow(self.labels[("bant",)])
        return page

    # --- the draft in, the draft out ---------------------------------------------------------

    def set_draft(self, draft: ScriptDraft) -> None:
        self.draft = draft
        self.title.setText(draft.title)
        self.description.setText(draft.description)
        for key in ("opening", "close"):
            edit = self.lines_edits[key]
            edit.blockSignals(True)
            edit.setPlainText("\n\n".join(getattr(draft, key)))
            edit.blockSignals(False)
        for part, edit in self.bant.items():
            edit.setText(draft.bant.get(part, ""))
        self.show_rule()
        self.refresh_steps(0)

    def show_rule(self) -> None:
        rule = self.draft.level1 or DEFAULT_RULE
        said = rule_in_words(rule)
        default = "" if self.draft.level1 else " (the default rule)"
        self.rule_words.setText(f"A rep turns the lead over once they know: {said}{default}.")

    def set_rule(self, rule: str) -> None:
        self.draft.level1 = rule
        self.show_rule()
        self.sig_form_edited.emit()

    def refresh_steps(self, row: int | None = None) -> None:
        """The list of steps, ⚠ on each with a problem; ``row`` is chosen (default: as is)."""
        keep = self.steps.currentRow() if row is None else row
        self.steps.blockSignals(True)
        self.steps.clear()
        names = self._step_names()
        for i, name in enumerate(names):
            self.steps.addItem(("⚠ " if self._step_has_problem(i) else "") + name)
        self.steps.blockSignals(False)
        self.steps.setCurrentRow(max(0, min(keep, len(names) - 1)))
        self._show_step(self.steps.currentRow())

    def _step_names(self) -> list[str]:
        lost = unreached(self.draft)
        names = ["Title and Level I rule", "Opening"]
        names += [f"{i}. {short(q.text, 60) or '(a new question)'}"
                  + (" (never reached)" if i - 1 in lost else "")
                  for i, q in enumerate(self.draft.questions, 1)]
        return [*names, "BANT questions", "Close"]

    def _mark_steps(self) -> None:
        """⚠ on each step with a problem, in place: the page being typed in stays as it is."""
        for i, name in enumerate(self._step_names()):
            item = self.steps.item(i)
            text = ("⚠ " if self._step_has_problem(i) else "") + name
            if item is not None and item.text() != text:
                item.setText(text)

    def _step_of(self, key: FieldKey) -> int:
        n = len(self.draft.questions)
        if key[0] == "q":
            return 2 + int(key[1])
        if key == QUESTIONS:
            return -1  # no question at all: said under the list, on no step
        return {"opening": 1, "bant": 2 + n, "close": 3 + n}.get(str(key[0]), 0)

    def _step_has_problem(self, row: int) -> bool:
        return any(self._step_of(k) == row for k in self.problems)

    def question_index(self, row: int | None = None) -> int | None:
        row = self.steps.currentRow() if row is None else row
        i = row - 2
        return i if 0 <= i < len(self.draft.questions) else None

    def _show_step(self, row: int) -> None:
        n = len(self.draft.questions)
        i = self.question_index(row)
        if i is not None:
            self.question.set_question(self.draft, i)
            self.question.set_reached(i not in unreached(self.draft))
            self._question_problems(i)
            page = PAGE_QUESTION
        else:
            page = {0: PAGE_SCRIPT, 1: PAGE_OPENING, 2 + n: PAGE_BANT, 3 + n: PAGE_CLOSE}.get(
                row, PAGE_SCRIPT)
        self.pages.setCurrentIndex(page)
        self.buttons["remove"].setEnabled(i is not None)
        self.buttons["up"].setEnabled(i is not None and i > 0)
        self.buttons["down"].setEnabled(i is not None and i < n - 1)

    # --- edits ---------------------------------------------------------------------------------

    def _general_edited(self) -> None:
        self.draft.title = self.title.text()
        self.draft.description = self.description.text()
        self.sig_form_edited.emit()

    def _lines_edited(self, key: str, *_: object) -> None:
        setattr(self.draft, key, _paragraphs(self.lines_edits[key]))
        self.sig_form_edited.emit()

    def _insert_field(self, edit: QPlainTextEdit, combo: QComboBox, *_: object) -> None:
        name = combo.currentData()
        combo.setCurrentIndex(0)
        if name:
            edit.insertPlainText(f"{{{{ {name} }}}}")
            edit.setFocus()

    def _bant_edited(self, part: str, text: str) -> None:
        self.draft.bant = {p: (text if p == part else self.draft.bant.get(p, "")) for p in PARTS}
        self.sig_form_edited.emit()

    def _question_edited(self) -> None:
        """The list follows the question's words, and which questions a rep can reach."""
        self._mark_steps()
        if (i := self.question_index()) is not None:
            self.question.set_reached(i not in unreached(self.draft))
        self.sig_form_edited.emit()

    def add_question(self) -> None:
        """A new free-text question after the chosen one (or after the last), its text
        field ready for typing."""
        i = self.question_index()
        at = len(self.draft.questions) if i is None else i + 1
        self.draft.questions.insert(at, QuestionDraft(fresh_id(self.draft), follows_text=True))
        self.problems = {}  # stale until the next check: the rows moved
        self.refresh_steps(2 + at)
        self.question.text.setFocus()
        self.sig_form_edited.emit()

    def remove_question(self) -> None:
        i = self.question_index()
        if i is None:
            return
        del self.draft.questions[i]
        self.problems = {}
        self.refresh_steps(2 + min(i, len(self.draft.questions) - 1) if self.draft.questions else 1)
        self.steps.setFocus()
        self.sig_form_edited.emit()

    def move_question(self, by: int) -> None:
        i = self.question_index()
        qs = self.draft.questions
        if i is None or not 0 <= i + by < len(qs):
            return
        qs[i], qs[i + by] = qs[i + by], qs[i]
        self.problems = {}
        self.refresh_steps(2 + i + by)
        self.steps.setFocus()
        self.sig_form_edited.emit()

    # --- problems ----------------------------------------------------------------------------

    def show_problems(self, problems: dict[FieldKey, list[str]]) -> None:
        self.problems = problems
        for key, label in self.labels.items():
            set_problems(label, problems.get(key, []))
        self._mark_steps()
        if (i := self.question_index()) is not None:
            self._question_problems(i)

    def _question_problems(self, i: int) -> None:
        self.question.show_problems({str(k[2]): v for k, v in self.problems.items()
                                     if k[0] == "q" and k[1] == i})

    def focus_field(self, key: FieldKey) -> None:
        """Show the step a problem is on and put the cursor in its field."""
        if key == QUESTIONS:
            self.buttons["add"].setFocus()
            return
        self.steps.setCurrentRow(self._step_of(key))
        if key[0] == "q":
            self.question.focus_field(str(key[2]))
            return
        target = {"title": self.title, "description": self.description,
                  "level1": self.rule_button, "opening": self.lines_edits["opening"],
                  "close": self.lines_edits["close"]}.get(str(key[0]))
        if key[0] == "bant":
            target = self.bant.get(str(key[1]) if len(key) > 1 else "budget")
        (target or self.steps).setFocus()
