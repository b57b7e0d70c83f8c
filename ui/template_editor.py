"""The template editor: a campaign's voicemail and email templates, written in the app.

Every keystroke (after a quarter of a second's pause) checks the draft with the CLI's
strict checker and renders it for the lead chosen above the preview, in the op runner;
the problems list names the line; Save stays disabled while there is a problem, so a
template that names an unknown field can't be saved.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qualdesk.errors import KnownError
from qualdesk.services import template_drafts as drafts
from qualdesk.services.campaigns import list_template_folders

FILE_WORDS = {
    "voicemail.txt.j2": "Voicemail script", "email_subject.txt.j2": "Email subject",
    "email.txt.j2": "Email (plain text)", "email.html.j2": "Email (HTML)",
    "email_only_subject.txt.j2": "Email-only subject", "email_only.txt.j2": "Email-only (text)",
    "email_only.html.j2": "Email-only (HTML)",
}


def _check_and_render(db: Any, folder: str, name: str, source: str, lead_id: int | None,
                      rep: str | None) -> tuple[list[Any], str | None]:
    problems = drafts.check_draft(folder, name, source)
    if problems:
        return problems, None
    ctx = drafts.preview_context(db, lead_id, rep)
    return [], drafts.render_draft(folder, name, source, ctx)


class TemplateEditor(QWidget):
    def __init__(self, db: Any, runner: Any, rep: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("template_editor")
        self.setWindowTitle("Templates")
        self.db, self.runner, self.rep = db, runner, rep
        self.problems: list[Any] = []
        self.folder = QComboBox()
        self.folder.setObjectName("template_folder")
        self.folder.addItems(list_template_folders())
        self.file = QComboBox()
        self.file.setObjectName("template_file")
        for name in drafts.EDITABLE:
            self.file.addItem(FILE_WORDS[name], name)
        self.lead = QComboBox()
        self.lead.setObjectName("template_lead")
        self.lead.setToolTip("The preview is rendered for this lead, as the follow-up would be")
        self.lead.addItem("Sample lead (Dana O'Neil)", None)
        self.source = QPlainTextEdit()
        self.source.setObjectName("template_source")
        self.source.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("template_problems")
        self.problem_list.itemActivated.connect(self._go_to_problem)
        self.problem_list.setWordWrap(True)
        self.preview = QTextBrowser()
        self.preview.setObjectName("template_preview")
        self.status = QLabel("")
        self.status.setObjectName("template_status")
        self.status.setWordWrap(True)
        self.save = QPushButton("&Save template")
        self.save.setObjectName("template_save")
        self.save.clicked.connect(self.save_draft)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.check_now)
        self.source.textChanged.connect(self.timer.start)
        self.folder.currentIndexChanged.connect(self.load)
        self.file.currentIndexChanged.connect(self.load)
        self.lead.currentIndexChanged.connect(self.check_now)

        top = QHBoxLayout()
        for label, w in (("Campaign templates", self.folder), ("Template", self.file),
                         ("Preview for", self.lead)):
            top.addWidget(QLabel(label))
            top.addWidget(w, 1)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.source, 3)
        ll.addWidget(QLabel("Problems (Enter jumps to the line)"))
        ll.addWidget(self.problem_list, 1)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.preview)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(QLabel("Fields: {{ lead.first_name }}, lead.last_name, lead.company, "
                             "lead.title, lead.email, lead.phone; rep.name, rep.email, "
                             "rep.phone; campaign.name; hand_raise.kind, .at, .details"))
        lay.addWidget(split, 1)
        lay.addLayout(bottom)
        self.runner.run(partial(drafts.lead_choices, db), self._leads, self._failed)
        self.load()

    def _leads(self, rows: list[tuple[int, str]]) -> None:
        for lead_id, label in rows:
            self.lead.addItem(label, lead_id)
        if rows:
            self.lead.setCurrentIndex(1)  # a real lead, not the sample

    def set_template(self, folder: str, name: str) -> None:
        self.folder.setCurrentText(folder)
        self.file.setCurrentIndex(max(0, self.file.findData(name)))

    def load(self) -> None:
        folder, name = self.folder.currentText(), self.file.currentData()
        self.runner.run(partial(drafts.load_source, folder, name), self._loaded, self._failed)

    def _loaded(self, text: str) -> None:
        self.source.setPlainText(text)  # -> textChanged -> a check shortly
        self.check_now()

    def check_now(self) -> None:
        self.timer.stop()
        fn = partial(_check_and_render, self.db, self.folder.currentText(), self.file.currentData(),
                     self.source.toPlainText(), self.lead.currentData(), self.rep)
        self.runner.run(fn, self._checked, self._failed, key=f"template-check-{id(self)}")

    def _checked(self, result: tuple[list[Any], str | None]) -> None:
        self.problems, rendered = result
        self.problem_list.clear()
        for p in self.problems:
            self.problem_list.addItem(f"line {p.line}: {p.problem}" if p.line else p.problem)
        self.save.setEnabled(not self.problems)
        # the preview greys out while it shows the last version without problems
        self.preview.setEnabled(not self.problems)
        if self.problems:
            self.status.setText(f"✗ {len(self.problems)} problem"
                                f"{'s' if len(self.problems) != 1 else ''}: can't save yet")
            return
        self.status.setText("✓ no problems")
        if self.file.currentData().endswith(".html.j2"):
            self.preview.setHtml(rendered or "")
        else:
            self.preview.setPlainText(rendered or "")

    def _failed(self, exc: BaseException) -> None:
        self.save.setEnabled(False)
        self.status.setText(f"⚠ {exc}" if isinstance(exc, KnownError)
                            else f"⚠ {type(exc).__name__}: {exc}")

    def _go_to_problem(self) -> None:
        row = self.problem_list.currentRow()
        if 0 <= row < len(self.problems) and self.problems[row].line:
            block = self.source.document().findBlockByNumber(self.problems[row].line - 1)
            cursor = QTextCursor(block)
            self.source.setTextCursor(cursor)
            self.source.setFocus()

    def save_draft(self) -> None:
        folder, name = self.folder.currentText(), self.file.currentData()
        self.runner.run(partial(drafts.save_draft, folder, name, self.source.toPlainText()),
                        lambda p: self.status.setText(f"Saved {folder}/{name} — the next "
                                                      "follow-up uses it."), self._failed)
