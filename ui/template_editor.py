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

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from qualdesk.services import template_drafts as drafts
from ui.checked_editor import CheckedEditor
from ui.what_changed import settings_saved

PAPER = ("QTextBrowser { background: white; color: black; } "
         "QTextBrowser:disabled { color: #8a8a8a; }")  # greyed while a problem remains
FILE_WORDS = {
    "voicemail.txt.j2": "Voicemail script", "email_subject.txt.j2": "Email subject",
    "email.txt.j2": "Email (plain text)", "email.html.j2": "Email (HTML)",
    "email_only_subject.txt.j2": "Email-only subject", "email_only.txt.j2": "Email-only (text)",
    "email_only.html.j2": "Email-only (HTML)",
}


def _check_and_render(db: Any, folder: str, name: str, source: str, lead_id: int | None,
                      rep: str | None) -> tuple[list[Any], str | None]:
    problems = drafts.check_draft(folder, name, source, db)
    if problems:
        return problems, None
    ctx = drafts.preview_context(db, lead_id, rep)
    return [], drafts.render_draft(folder, name, source, ctx, db)


class TemplateEditor(CheckedEditor):
    def __init__(self, db: Any, runner: Any, rep: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(db, runner, rep, prefix="template", title="Templates",
                         save_text="&Save template", pause_ms=250, parent=parent)
        self.folder = QComboBox()
        self.folder.setObjectName("template_folder")
        self.save_as = QLineEdit()
        self.save_as.setObjectName("template_save_as")
        self.save_as.setPlaceholderText("or a new folder, e.g. webinar")
        self.save_as.setToolTip("Save to a new campaign's folder instead; the files it does not "
                                "have come from default/")
        self.file = QComboBox()
        self.file.setObjectName("template_file")
        for name in drafts.EDITABLE:
            self.file.addItem(FILE_WORDS[name], name)
        self.lead.setToolTip("The preview is rendered for this lead, as the follow-up would be")
        self.folder.currentIndexChanged.connect(self.load)
        self.file.currentIndexChanged.connect(self.load)
        self._wanted: str | None = None  # a folder asked for before the list arrived
        # the team's folders are in the database: listed off the GUI thread
        self.runner.run(partial(drafts.folder_names, db), self._folders, self._failed)
        top = QHBoxLayout()
        for label, w in (("Campaign templates", self.folder), ("", self.save_as),
                         ("Template", self.file), ("Preview for", self.lead)):
            if label:
                top.addWidget(QLabel(label))
            top.addWidget(w, 1)
        self.lay_out(top, note=QLabel(
            "Fields: {{ lead.first_name }}, lead.last_name, lead.company, lead.title, "
            "lead.email, lead.phone; rep.name, rep.email, rep.phone; campaign.name; "
            "hand_raise.kind, .at, .details"))

    def _folders(self, names: list[str]) -> None:
        self.folder.blockSignals(True)
        self.folder.addItems(names)
        if self._wanted is not None:
            self.folder.setCurrentText(self._wanted)
        self.folder.blockSignals(False)
        self.load()

    def set_template(self, folder: str, name: str) -> None:
        self._wanted = folder
        self.folder.setCurrentText(folder)
        self.file.setCurrentIndex(max(0, self.file.findData(name)))

    def load(self) -> None:
        folder, name = self.folder.currentText(), self.file.currentData()
        if not folder:
            return  # the list has not arrived yet: it loads the first one
        self.runner.run(partial(drafts.load_source, folder, name, self.db), self._loaded,
                        self._failed)
        self.show_origin("template", f"{folder}/{name}")

    def check_call(self) -> Callable[[], tuple[list[Any], Any]]:
        return partial(_check_and_render, self.db, self.target_folder(),
                       self.file.currentData(), self.source.toPlainText(),
                       self.lead.currentData(), self.rep)

    def show_result(self, rendered: str | None) -> None:
        self.status.setText("✓ no problems")
        if self.file.currentData().endswith(".html.j2"):
            # an email's own colours assume white paper, as its reader's mail client shows
            # it: under a dark desktop palette they would be dark on dark
            self.preview.setStyleSheet(PAPER)
            self.preview.setHtml(rendered or "")
        else:
            self.preview.setStyleSheet("")
            self.preview.setPlainText(rendered or "")

    def target_folder(self) -> str:
        return self.save_as.text().strip() or self.folder.currentText()

    def save_draft(self) -> None:
        folder, name = self.target_folder(), self.file.currentData()

        def done(_: Any) -> None:
            self.status.setText(f"Saved {folder}/{name} for the team — every QualDesk's next "
                                "follow-up uses it.")
            if self.folder.findText(folder) < 0:  # a new folder: the one shown from now on
                self.folder.blockSignals(True)
                self.folder.addItem(folder)
                self.folder.setCurrentText(folder)
                self.folder.blockSignals(False)
                self.save_as.clear()
            self.show_origin("template", f"{folder}/{name}")  # now the team's, this version

        # the runner tells open views, which list the team's folders anew
        self.runner.run_op(partial(drafts.save_draft, folder, name, self.source.toPlainText(),
                                   self.db, self.rep), self, done, self._failed,
                           changes=settings_saved)
