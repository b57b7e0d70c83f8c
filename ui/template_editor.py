"""The template editor: a campaign's voicemail and email templates, written in the app.

Every keystroke (after a quarter of a second's pause) checks the draft with the CLI's
strict checker and renders it for the lead chosen above the preview, in the op runner;
the problems list names the line; Save stays disabled while there is a problem, so a
template that names an unknown field can't be saved.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from qualdesk.services import template_drafts as drafts
from qualdesk.services.campaigns import list_template_folders
from ui.checked_editor import CheckedEditor

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


class TemplateEditor(CheckedEditor):
    def __init__(self, db: Any, runner: Any, rep: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(db, runner, rep, prefix="template", title="Templates",
                         save_text="&Save template", pause_ms=250, parent=parent)
        self.folder = QComboBox()
        self.folder.setObjectName("template_folder")
        self.folder.addItems(list_template_folders())
        self.file = QComboBox()
        self.file.setObjectName("template_file")
        for name in drafts.EDITABLE:
            self.file.addItem(FILE_WORDS[name], name)
        self.lead.setToolTip("The preview is rendered for this lead, as the follow-up would be")
        self.folder.currentIndexChanged.connect(self.load)
        self.file.currentIndexChanged.connect(self.load)
        top = QHBoxLayout()
        for label, w in (("Campaign templates", self.folder), ("Template", self.file),
                         ("Preview for", self.lead)):
            top.addWidget(QLabel(label))
            top.addWidget(w, 1)
        self.lay_out(top, note=QLabel(
            "Fields: {{ lead.first_name }}, lead.last_name, lead.company, lead.title, "
            "lead.email, lead.phone; rep.name, rep.email, rep.phone; campaign.name; "
            "hand_raise.kind, .at, .details"))

    def set_template(self, folder: str, name: str) -> None:
        self.folder.setCurrentText(folder)
        self.file.setCurrentIndex(max(0, self.file.findData(name)))

    def load(self) -> None:
        folder, name = self.folder.currentText(), self.file.currentData()
        self.runner.run(partial(drafts.load_source, folder, name), self._loaded, self._failed)

    def check_call(self) -> Callable[[], tuple[list[Any], Any]]:
        return partial(_check_and_render, self.db, self.folder.currentText(),
                       self.file.currentData(), self.source.toPlainText(),
                       self.lead.currentData(), self.rep)

    def show_result(self, rendered: str | None) -> None:
        self.status.setText("✓ no problems")
        if self.file.currentData().endswith(".html.j2"):
            self.preview.setHtml(rendered or "")
        else:
            self.preview.setPlainText(rendered or "")

    def save_draft(self) -> None:
        folder, name = self.folder.currentText(), self.file.currentData()
        self.runner.run(partial(drafts.save_draft, folder, name, self.source.toPlainText()),
                        lambda p: self.status.setText(f"Saved {folder}/{name} — the next "
                                                      "follow-up uses it."), self._failed)
