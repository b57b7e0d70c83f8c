"""The qualification script editor: a campaign's Level I script (title, opening, questions
with their answers, options, branches and BANT parts, the BANT questions, the close, the
Level I rule), written in the app by a team lead, in a form.

The form (``ui.script_editor_form``) is the default; a power user may switch to the
script's source (its TOML file, as the library ships it) and back. Either way, every
pause in typing turns the script into its text and checks it with ``qualdesk script
check``'s own parser; each problem comes back under the field it concerns, and the
preview shows the script as the rep will walk it — rendered for a real lead of the team's
choosing — with each branch spelled out. A script with a problem can't be saved.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from qualdesk.errors import InvalidInput
from qualdesk.services import template_drafts as drafts
from qualdesk.services.script_form import (
    GENERAL,
    FieldKey,
    Rendered,
    ScriptDraft,
    draft_from_source,
    draft_to_source,
    plain_words,
    problem_field,
)
from qualdesk.services.script_library import render_script
from ui.checked_editor import CheckedEditor
from ui.dialog_buttons import confirm, confirm_keys
from ui.script_editor_form import ScriptForm
from ui.script_editor_preview import outline_html, step_html
from ui.script_editor_question import short
from ui.what_changed import settings_saved

SNIPPETS = {
    "question": '\n[[questions]]\nid = "q_new"\ntext = "Your question?"\nhint = "What to listen for."\n',
    "choice": ('\n[[questions]]\nid = "q_pick"\ntext = "Which fits best?"\nkind = "choice"\n'
               'choices = [\n  { key = "a", label = "First" },\n  { key = "b", label = "Second" },\n]\n'
               'next = { b = "bant" }\n'),
    "yesno": '\n[[questions]]\nid = "q_yes"\ntext = "Is that so?"\nkind = "yesno"\nnext = { no = "close" }\n',
}
VIEW_FORM, VIEW_SOURCE = 0, 1


def _check(db: Any, name: str, source: str, lead_id: int | None,
           rep: str | None) -> tuple[list[Any], Any]:
    script, problems = drafts.check_script_draft(name, source)
    if problems or script is None:
        return problems, None
    return [], render_script(script, drafts.preview_context(db, lead_id, rep))


class ScriptEditor(CheckedEditor):
    def __init__(self, db: Any, runner: Any, rep: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(db, runner, rep, prefix="script", title="Qualification scripts",
                         save_text="&Save script", pause_ms=300, parent=parent)
        self.draft = ScriptDraft()
        self.rendered = self.checked_rendered = Rendered("", {})
        self.shown: Any = None  # the last script without problems, rendered for the lead
        self.form_edited = False  # edits since the script was loaded or saved
        self.loaded_name = ""
        self.script_name = QComboBox()
        self.script_name.setObjectName("script_name")
        self.save_as = QLineEdit()
        self.save_as.setObjectName("script_save_as")
        self.save_as.setPlaceholderText("save as (a new script's name, e.g. webinar_q1)")
        self.show_source = QCheckBox("S&ource")
        self.show_source.setObjectName("script_show_source")
        self.show_source.setToolTip("Show the script's source text (TOML), for power users; "
                                    "untick to go back to the form")
        self.show_source.toggled.connect(self.set_source_view)
        self.form = ScriptForm()
        self.form.sig_form_edited.connect(self._form_edited)
        self.form.sig_rule_wanted.connect(self.choose_rule)
        self.form.steps.currentRowChanged.connect(self.show_preview)
        self.view = QStackedWidget()
        self.view.setObjectName("script_view")
        self.view.addWidget(self.form)
        self.view.addWidget(self._source_page())
        self.script_name.currentIndexChanged.connect(self._script_chosen)
        # the team's scripts are in the database: listed off the GUI thread
        self.runner.run(partial(drafts.script_names, db), self._names, self._failed)
        top = QHBoxLayout()
        for label, w in (("Script", self.script_name), ("", self.save_as),
                         ("Preview for", self.lead)):
            if label:
                top.addWidget(QLabel(label))
            top.addWidget(w, 1)
        top.addWidget(self.show_source)
        self.lead.setToolTip("The preview is filled in for this lead, as a rep would see it")
        self.problem_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 4)
        self.lay_out(top, editor=self.view, problems_words="Problems (Enter goes to the field)",
                     sizes=(640, 400))
        confirm_keys(self, self.save)  # Ctrl+Enter saves, as it confirms in every dialog
        save_key = QShortcut(QKeySequence.StandardKey.Save, self)
        save_key.activated.connect(lambda: self.save.isEnabled() and self.save.click())
        self._tab_order()

    def _source_page(self) -> QWidget:
        page = QWidget()
        inserts = QHBoxLayout()
        inserts.addWidget(QLabel("Insert:"))
        for key, text in (("question", "&Question"), ("choice", "&Choice with a branch"),
                          ("yesno", "&Yes/no with a branch")):
            b = QPushButton(text)
            b.setObjectName(f"script_insert_{key}")
            b.clicked.connect(partial(self.insert, key))
            inserts.addWidget(b)
        inserts.addStretch(1)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(inserts)
        lay.addWidget(self.source, 1)
        return page

    def _tab_order(self) -> None:
        """Tab goes as the eye does: the choices on top, the steps and their buttons, the
        chosen step's fields, the problems, the preview, Save."""
        f, q = self.form, self.form.question
        chain: list[QWidget] = [self.script_name, self.save_as, self.lead, self.show_source,
                                f.steps, *f.buttons.values(), q.text, q.hint, q.kind, q.bant,
                                q.add_choice, f.title, f.description, f.rule_button,
                                f.lines_edits["opening"], *f.bant.values(), f.lines_edits["close"],
                                *self.view.widget(VIEW_SOURCE).findChildren(QPushButton),
                                self.source, self.problem_list, self.preview, self.save]
        for a, b in zip(chain, chain[1:], strict=False):
            self.setTabOrder(a, b)

    def target_name(self) -> str:
        return self.save_as.text().strip() or self.script_name.currentText()

    def _names(self, names: list[str]) -> None:
        self.script_name.blockSignals(True)
        self.script_name.addItems(names)
        self.script_name.blockSignals(False)
        self.load()

    def load(self) -> None:
        if not self.script_name.currentText():
            return  # the list has not arrived yet: it loads the first one
        self.runner.run(partial(drafts.load_script_source, self.script_name.currentText(),
                                self.db), self._loaded, self._failed)
        self.show_origin("script", self.script_name.currentText())

    def _loaded(self, text: str) -> None:
        """The form shows the script; one the form can't hold opens as its source."""
        self.loaded_name = self.script_name.currentText()
        self.form_edited = False
        try:
            self.draft = draft_from_source(text)
        except InvalidInput as exc:
            self._tick_source()
            self.view.setCurrentIndex(VIEW_SOURCE)
            super()._loaded(text)
            self.status.setText(f"⚠ The form can't show this script ({exc}): edit its source.")
            return
        self.form.set_draft(self.draft)
        if self.show_source.isChecked():
            super()._loaded(text)
            return
        self._write_source()
        self.check_now()

    def _form_edited(self) -> None:
        """The form changed: its text is written out; the pause timer checks it."""
        self.form_edited = True
        self._write_source()

    def _write_source(self) -> None:
        self.rendered = draft_to_source(self.draft)
        self.source.setPlainText(self.rendered.text)  # (not 'modified': that is typing)

    def unsaved(self) -> bool:
        return self.form_edited or self.source.document().isModified()

    def _script_chosen(self) -> None:
        """Another script: the edits to this one are given up only when the lead says so."""
        if not self.unsaved():
            self.load()
            return
        name, back = self.script_name.currentText(), self.loaded_name

        def stay() -> None:
            self.script_name.blockSignals(True)
            self.script_name.setCurrentText(back)
            self.script_name.blockSignals(False)

        self.guard = confirm(self, "Unsaved changes", f"Your changes to {back} are not saved. "
                             f"Open {name} without them?", f"Open {name}", self.load, stay)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if not self.unsaved():
            super().closeEvent(event)
            return
        event.ignore()

        def close_anyway() -> None:
            self.form_edited = False
            self.source.document().setModified(False)
            self.close()

        self.guard = confirm(self, "Unsaved changes", f"Your changes to {self.loaded_name} are "
                             "not saved. Close without them?", "Close without saving",
                             close_anyway)

    def set_source_view(self, on: bool) -> None:
        """Switch between the form and the source; the source goes back into the form
        only when the form can hold it."""
        if on:
            self.view.setCurrentIndex(VIEW_SOURCE)
            self.source.setFocus()
            self.check_now()
            return
        try:
            draft = draft_from_source(self.source.toPlainText())
        except InvalidInput as exc:
            self._tick_source()
            self.status.setText(f"⚠ The form can't show this source ({exc}): fix it here first.")
            return
        self.draft = draft
        self.form.set_draft(draft)
        self.view.setCurrentIndex(VIEW_FORM)
        self.form_edited = self.unsaved()  # typed in the source: still unsaved in the form
        self._write_source()
        self.check_now()
        self.form.steps.setFocus()

    def _tick_source(self) -> None:
        """The Source box ticked without switching again (the view is already the source)."""
        self.show_source.blockSignals(True)
        self.show_source.setChecked(True)
        self.show_source.blockSignals(False)

    def in_form(self) -> bool:
        return self.view.currentIndex() == VIEW_FORM

    def insert(self, key: str) -> None:
        cursor = self.source.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(SNIPPETS[key])
        self.source.setTextCursor(cursor)
        self.source.setFocus()

    def choose_rule(self) -> None:
        from ui.level1_rule_builder import Level1RuleBuilder

        rule = self.draft.level1 if isinstance(self.draft.level1, str) else " and ".join(
            self.draft.level1)
        self.rule_builder = Level1RuleBuilder(rule, self)
        self.rule_builder.sig_rule_chosen.connect(self.form.set_rule)
        self.rule_builder.open()

    def check_call(self) -> Callable[[], tuple[list[Any], Any]]:
        # the runner delivers only the latest check: its lines are this text's lines
        self.checked_rendered = self.rendered
        return partial(_check, self.db, self.target_name(), self.source.toPlainText(),
                       self.lead.currentData(), self.rep)

    def field_of(self, p: Any) -> FieldKey:
        return problem_field(p, self.draft, self.checked_rendered)

    def problem_text(self, p: Any) -> str:
        if not self.in_form():
            where = f"line {p.line}: " if p.line else ""
            q = f"[{p.question}] " if p.question else ""
            return f"{where}{q}{p.problem}"
        key = self.field_of(p)
        if key[0] == "q":
            q = self.draft.questions[int(key[1])]
            where = f"Question {int(key[1]) + 1} ({short(q.text, 40) or 'no text yet'})"
        else:
            where = {"title": "Title", "description": "Description", "level1": "Level I rule",
                     "opening": "Opening", "close": "Close", "bant": "BANT questions",
                     "questions": "Questions"}.get(str(key[0]), "Script")
        return f"{where}: {plain_words(p.problem)}"

    def _checked(self, result: tuple[list[Any], Any]) -> None:
        super()._checked(result)
        if not self.in_form():
            return
        by_field: dict[FieldKey, list[str]] = {}
        for p in self.problems:
            by_field.setdefault(self.field_of(p), []).append(plain_words(p.problem))
        self.form.show_problems(by_field)

    def _go_to_problem(self) -> None:
        row = self.problem_list.currentRow()
        if not self.in_form() or not 0 <= row < len(self.problems):
            super()._go_to_problem()
            return
        key = self.field_of(self.problems[row])
        self.form.focus_field(GENERAL if key == GENERAL else key)

    def show_result(self, script: Any) -> None:
        n = self.draft.inner_comments if self.in_form() else 0
        note = (f" — its text had {n} comment line{'s' if n != 1 else ''} inside, which a "
                "save from the form leaves out (Source keeps them)") if n else ""
        self.status.setText(f"✓ no problems: {len(script.questions)} questions{note}")
        self.shown = script
        self.show_preview()

    def current_step(self) -> str | None:
        """The step chosen in the form, as the stepper names it (a question's id)."""
        if not self.in_form():
            return None
        row = self.form.steps.currentRow()
        i = self.form.question_index(row)
        if i is not None:
            return self.draft.questions[i].id
        n = len(self.draft.questions)
        return {1: "opening", 2 + n: "bant", 3 + n: "close"}.get(row)

    def show_preview(self) -> None:
        """The chosen step as the rep sees it, then the whole script (the scroll stays)."""
        if self.shown is None:
            return
        step = self.current_step()
        bar = self.preview.verticalScrollBar()
        at = bar.value()
        self.preview.setHtml((step_html(self.shown, step) if step else "")
                             + outline_html(self.shown, step))
        bar.setValue(at)

    def save_draft(self) -> None:
        name = self.target_name()

        def done(_: Any) -> None:
            self.status.setText(f"Saved {name} for the team — reps get it with the next lead "
                                "they open, on every computer.")
            self.form_edited = False
            self.source.document().setModified(False)
            self.loaded_name = name
            self.show_origin("script", name)  # now the team's, this version
            for q in self.draft.questions:  # saved: answers may be filed under them now
                q.follows_text = False
                for c in q.choices:
                    c.follows_label = False
            if self.script_name.findText(name) < 0:
                self.script_name.blockSignals(True)
                self.script_name.addItem(name)
                self.script_name.setCurrentText(name)
                self.script_name.blockSignals(False)
                self.save_as.clear()

        # the runner tells open views, which list the team's scripts anew
        self.runner.run_op(partial(drafts.save_script_draft, name, self.source.toPlainText(),
                                   self.db, self.rep), self, done, self._failed,
                           changes=settings_saved)

