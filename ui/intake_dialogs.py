"""The intake page's dialogs: add a source, and the confirmations for removing one and
for replacing its secret. Non-modal: ``open()`` them; each says what it is about to do
in words, runs the write off the GUI thread and shows a refusal inline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qualdesk.errors import KnownError
from ui.context import AppContext
from ui.dialog_buttons import action_buttons, column, ok_of
from ui.what_changed import settings_saved

# The three kinds, as a team lead reads them (the codes are the command line's).
KIND_WORDS = {
    "mautic": "Mautic webhook",
    "json": "Signed JSON events (HubSpot, Marketo, Eloqua, Zapier, Make…)",
    "form": "Web form (Salesforce Web-to-Lead field names)",
}
KIND_SHORT = {"mautic": "Mautic webhook", "json": "Signed JSON", "form": "Web form"}
KIND_HELP = {
    "mautic": "In Mautic: Settings → Webhooks → New; paste the address, tick the events "
              "(form submitted, page hit, email opened, points changed) and use the same "
              "secret on both sides.",
    "json": "Each event is signed with the secret; the sender's clock must be right to "
            "within five minutes.",
    "form": "Point the form's action at the address. The page is public, so there is no "
            "secret: a hidden trap field and a rate limit per visitor keep robots out.",
}


def _problem(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, KnownError) else f"Something went wrong: {exc}"


class AddSourceDialog(QDialog):
    """Name, kind, campaign, hand-raise kind, secret (generated or the sender's own),
    and for web forms the pages a visitor may be sent back to and the rate limit."""

    sig_added = Signal(str, object)  # name, NewSecret (None for a web form)

    def __init__(self, ctx: AppContext, campaigns: list[str], kinds: list[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("add_source_dialog")
        self.setWindowTitle("Add an intake source")
        self.ctx = ctx
        self.name = QLineEdit(self)
        self.name.setObjectName("source_name")
        self.name.setPlaceholderText("e.g. mautic or website-demo-form")
        self.name.setToolTip("The last part of the source's address: lower-case letters, "
                             "digits, - and _")
        self.kind = QComboBox(self)
        self.kind.setObjectName("source_kind")
        for code, words in KIND_WORDS.items():
            self.kind.addItem(words, code)
        self.campaign = QComboBox(self)
        self.campaign.setObjectName("source_campaign")
        self.campaign.addItem("(the default campaign)", None)
        for c in campaigns:
            self.campaign.addItem(c, c)
        self.hand_raise = QComboBox(self)
        self.hand_raise.setObjectName("source_hand_raise")
        self.hand_raise.addItem("(contact form)", None)
        for code, label in kinds:
            self.hand_raise.addItem(label, code)
        self.kind_help = QLabel("", self)
        self.kind_help.setObjectName("source_kind_help")
        self.kind_help.setWordWrap(True)

        self.generate = QRadioButton("Make a new secret for me (shown once)", self)
        self.generate.setObjectName("source_secret_generate")
        self.own = QRadioButton("Use the sender's secret:", self)
        self.own.setObjectName("source_secret_own")
        self._secret_choice = QButtonGroup(self)
        self._secret_choice.addButton(self.generate)
        self._secret_choice.addButton(self.own)
        self.generate.setChecked(True)
        self.secret = QLineEdit(self)
        self.secret.setObjectName("source_secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("paste the secret the sender shows (Mautic does)")
        self.own.toggled.connect(self.secret.setEnabled)
        self.secret.setEnabled(False)
        secret_box = QVBoxLayout()
        secret_box.addWidget(self.generate)
        secret_box.addWidget(self.own)
        secret_box.addWidget(self.secret)

        self.redirects = QPlainTextEdit(self)
        self.redirects.setObjectName("source_redirects")
        self.redirects.setPlaceholderText("https://www.example.com/thanks")
        self.redirects.setTabChangesFocus(True)
        self.redirects.setFixedHeight(self.redirects.fontMetrics().lineSpacing() * 3 + 12)
        self.rate = QSpinBox(self)
        self.rate.setObjectName("source_rate")
        self.rate.setRange(1, 100_000)
        self.rate.setValue(60)
        self.rate.setSuffix(" per minute")

        self.form = QFormLayout()
        self.form.addRow("&Name", self.name)
        self.form.addRow("&Kind", self.kind)
        self.form.addRow("", self.kind_help)
        self.form.addRow("&Campaign", self.campaign)
        self.form.addRow("&Hand raise", self.hand_raise)
        self.form.addRow("Secret", secret_box)
        self.form.addRow("Thank-you pages", self.redirects)
        self.form.addRow("Events at most", self.rate)
        self.message = QLabel("", self)
        self.message.setObjectName("add_source_message")
        self.message.setWordWrap(True)
        self.buttons = action_buttons(self, "add_source", "Add source", self.submit,
                                      ok_name="add_source_ok")
        column(self, self.form, self.message, self.buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 44)

    def kind_code(self) -> str:
        return str(self.kind.currentData())

    def _kind_changed(self, *_: object) -> None:
        kind = self.kind_code()
        self.kind_help.setText(KIND_HELP[kind])
        is_form = kind == "form"
        for w in (self.generate, self.own):
            w.setEnabled(not is_form)
        self.secret.setEnabled(not is_form and self.own.isChecked())
        self.redirects.setEnabled(is_form)
        self.redirects.setToolTip("" if is_form else "Only web forms send visitors back")

    def fields(self) -> dict[str, Any]:
        kind = self.kind_code()
        own = kind != "form" and self.own.isChecked()
        return {
            "name": self.name.text().strip(), "kind": kind,
            "campaign": self.campaign.currentData(), "hand_raise": self.hand_raise.currentData(),
            "secret": self.secret.text() if own else None,
            "allowed_redirects": tuple(r.strip() for r in self.redirects.toPlainText().splitlines()
                                       if r.strip()) if kind == "form" else (),
            "rate_per_minute": self.rate.value(),
        }

    def check(self) -> str | None:
        """What is wrong with the form, in words, or ``None``."""
        f = self.fields()
        from qualdesk.services.intake.live.sources import NAME_RE

        if not NAME_RE.match(f["name"]):
            return ("The name becomes the end of the address: use up to 40 lower-case letters, "
                    "digits, - and _ (for example website-demo-form).")
        if self.own.isChecked() and f["kind"] != "form" and not f["secret"]:
            return "Paste the sender's secret, or let QualDesk make one."
        return None

    def submit(self) -> None:
        problem = self.check()
        if problem:
            self.message.setText(problem)
            return
        from qualdesk.services.intake.live.sources import add_source

        f, db = self.fields(), self.ctx.db
        name = f.pop("name")
        kind = f.pop("kind")
        ok_of(self.buttons).setEnabled(False)
        self.message.setText("Adding…")
        self.ctx.run_op(lambda: add_source(db, name, kind, **f), self,
                        lambda new: self._added(name, new), self._failed, changes=settings_saved)

    def _added(self, name: str, new: object) -> None:
        self.sig_added.emit(name, new)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        ok_of(self.buttons).setEnabled(True)
        self.message.setText(_problem(exc))


class ConfirmDialog(QDialog):
    """'Are you sure?' in words, with an OK that names the action; the action runs off the
    GUI thread and the dialog closes when it is done (or shows why not)."""

    sig_done = Signal(object)  # the action's result

    def __init__(self, ctx: AppContext, title: str, text: str, ok_text: str,
                 action: Callable[[], Any], name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}_dialog")
        self.setWindowTitle(title)
        self.ctx, self._action = ctx, action
        self.text = QLabel(text, self)
        self.text.setObjectName(f"{name}_text")
        self.text.setWordWrap(True)
        self.message = QLabel("", self)
        self.message.setObjectName(f"{name}_message")
        self.message.setWordWrap(True)
        self.buttons = action_buttons(self, name, ok_text, self.submit, ok_name=f"{name}_ok")
        column(self, self.text, self.message, self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)

    def submit(self) -> None:
        ok_of(self.buttons).setEnabled(False)
        self.ctx.run_op(self._action, self, self._done, self._failed, changes=settings_saved)

    def _done(self, result: Any) -> None:
        self.sig_done.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        ok_of(self.buttons).setEnabled(True)
        self.message.setText(_problem(exc))
