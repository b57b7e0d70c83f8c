"""Preview and send the one-click follow-up: the voicemail to read, the exact email.

Non-modal (``open()``). Rendering happens when the dialog opens, so a template problem
shows here, with Send disabled — never at send time. Send (Ctrl+Enter) logs the
voicemail and sends the email through the op runner, then shows what happened.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qualdesk import clock
from qualdesk.errors import DatabaseUnavailable, KnownError
from qualdesk.offline.replay import Outcome
from qualdesk.offline.resilient import QUEUED
from qualdesk.services import followup as fsvc
from qualdesk.services.followup import FollowUpPreview, FollowUpResult
from ui.context import AppContext
from ui.icons import paper_palette
from ui.what_changed import followed_up


def render_preview(ctx: AppContext, lead_id: int) -> FollowUpPreview:
    """Render the follow-up for the signed-in rep and keep it for offline use (a refusal
    drops what was kept: the lead can no longer be followed up as it was)."""
    rep = ctx.rep_name or ""
    try:
        p = fsvc.preview(ctx.db, lead_id, rep)
    except DatabaseUnavailable:
        raise
    except KnownError:
        ctx.previews.forget(lead_id)
        raise
    ctx.previews.remember(p, rep, clock.now())
    return p


class FollowUpDialog(QDialog):
    sig_followup_done = Signal(object)  # FollowUpResult

    def __init__(self, ctx: AppContext, lead_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("followup_dialog")
        self.setWindowTitle("Voicemail + email follow-up")
        self.setModal(False)
        self.ctx, self.lead_id = ctx, lead_id
        self.preview: FollowUpPreview | None = None
        self.result: FollowUpResult | Outcome | None = None  # sent, or saved offline
        self.open_url = QDesktopServices.openUrl  # injectable: tests never launch a client

        self.header = QLabel("Rendering…", objectName="followup_header")
        self.header.setWordWrap(True)
        self.vm_box = vm_box = QGroupBox("1. Leave this voicemail",
                                         objectName="followup_voicemail_box")
        self.voicemail = QPlainTextEdit(objectName="followup_voicemail")
        self.voicemail.setReadOnly(True)
        self.voicemail.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab skips read-only boxes
        # Room for a whole 20-30 s script (about seven lines): read aloud, not scrolled;
        # the rest of the height goes to the email.
        line = self.voicemail.fontMetrics().lineSpacing()
        self.voicemail.setMinimumHeight(line * 7 + 12)
        self.voicemail.setMaximumHeight(line * 10 + 12)
        self.seconds = QLabel(objectName="followup_seconds")
        vl = QVBoxLayout(vm_box)
        vl.addWidget(self.voicemail)
        vl.addWidget(self.seconds)

        self.mail_box = mail_box = QGroupBox("2. This email goes out",
                                             objectName="followup_email_box")
        self.from_lbl = QLabel(objectName="followup_from")
        self.to_lbl = QLabel(objectName="followup_to")
        self.subject = QLabel(objectName="followup_subject")
        self.subject.setWordWrap(True)
        form = QFormLayout()
        form.addRow("From:", self.from_lbl)
        form.addRow("To:", self.to_lbl)
        form.addRow("Subject:", self.subject)
        self.html = QTextBrowser(objectName="followup_html")
        self.html.setOpenLinks(False)
        self.html.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.html.setPalette(paper_palette(self.html.palette()))
        self.text = QPlainTextEdit(objectName="followup_text")
        self.text.setReadOnly(True)
        self.text.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.tabs = QTabWidget(objectName="followup_tabs")
        self.tabs.addTab(self.html, "HTML")
        self.tabs.addTab(self.text, "Plain text")
        ml = QVBoxLayout(mail_box)
        ml.addLayout(form)
        ml.addWidget(self.tabs, 1)

        self.status = QLabel(objectName="followup_status")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(objectName="followup_buttons")
        self.send_btn = QPushButton("&Send — log voicemail + send email (Ctrl+Enter)",
                                    objectName="followup_send")
        self.send_btn.setAutoDefault(False)
        self.send_btn.setEnabled(False)
        self.send_btn.setToolTip("Log the voicemail and send the email (Ctrl+Enter)")
        self.send_btn.clicked.connect(self.send)
        self.buttons.addButton(self.send_btn, QDialogButtonBox.ButtonRole.ActionRole)
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("followup_close")
        close.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)

        outer = QVBoxLayout(self)
        outer.addWidget(self.header)
        outer.addWidget(vm_box)
        outer.addWidget(mail_box, 1)
        outer.addWidget(self.status)
        outer.addWidget(self.buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            sc = QShortcut(QKeySequence(seq), self)
            sc.activated.connect(self.send)
        self.resize(self.fontMetrics().averageCharWidth() * 90, self.fontMetrics().height() * 40)
        self.refresh()

    def open(self) -> None:
        """Show without blocking the main window: the rep keeps the lead panel usable.

        (``QDialog.open()`` would make it window-modal.)
        """
        self.setModal(False)
        self.show()
        self.activateWindow()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Also here, not only as a QShortcut: the key reaches us from any child that
        # ignores it, even while the window manager has not activated the dialog yet.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.send()
            event.accept()
            return
        super().keyPressEvent(event)

    def refresh(self) -> None:
        self.ctx.run_query(lambda: render_preview(self.ctx, self.lead_id), self._on_preview,
                           key=f"followup-preview-{id(self)}", on_error=self._on_preview_error)

    def _on_preview(self, p: FollowUpPreview) -> None:
        self.preview = p
        r = p.rendered
        self.header.setText(f"Follow-up for {p.lead_name} — the voicemail is logged and the "
                            f"email sent in one step.")
        if p.email_only:
            self.header.setText(f"Follow-up for {p.lead_name}: there is no valid phone number, "
                                "so this is an email-only follow-up. No voicemail is logged.")
        self.vm_box.setVisible(not p.email_only)
        self.mail_box.setTitle("This email goes out" if p.email_only else "2. This email goes out")
        self.send_btn.setText("&Send the email (Ctrl+Enter)" if p.email_only else
                              "&Send — log voicemail + send email (Ctrl+Enter)")
        self.voicemail.setPlainText(r.voicemail)
        verdict = "" if 20 <= r.voicemail_seconds <= 30 else "  (aim for 20–30 s)"
        self.seconds.setText(f"≈ {r.voicemail_seconds} s to read at 150 words/min{verdict}")
        self.from_lbl.setText(p.from_addr + (f"   (Reply-To: {p.reply_to})"
                                             if p.reply_to != p.from_addr else ""))
        self.to_lbl.setText(p.to_addr)
        self.subject.setText(r.subject)
        self.html.setHtml(r.html)
        self.text.setPlainText(r.text)
        if p.mode == "mailclient":
            self.status.setText("The email opens in your mail client; press Send there.")
        self.send_btn.setEnabled(self.result is None)

    def _on_preview_error(self, exc: BaseException) -> None:
        if not isinstance(exc, KnownError):
            self.ctx.runner.report(exc)
            return
        cached = self.ctx.previews.get(self.lead_id, self.ctx.rep_name or "")
        if isinstance(exc, DatabaseUnavailable) and cached is not None:
            self._on_preview(cached.preview)
            at = cached.rendered_at.astimezone().strftime("%H:%M")
            self.header.setText(f"Offline — the follow-up as rendered at {at}. Leave the "
                                "voicemail; it is logged, and the email sent, when the "
                                "database is back.")
            return
        self.send_btn.setEnabled(False)
        self.header.setText("This follow-up cannot be sent:")
        self.status.setText(f"⚠ {exc}")

    def send(self) -> None:
        if self.preview is None or self.result is not None or not self.send_btn.isEnabled():
            return
        self.send_btn.setEnabled(False)
        self.status.setText("Sending…")
        rep, lead_id = self.ctx.rep_name or "", self.lead_id
        # Through the outbox: a database lost since the preview keeps the follow-up
        # locally, and it goes out (once) when the database is back.
        self.ctx.run_op(lambda: self.ctx.resilient.followup(lead_id, rep), self,
                        self._on_outcome, self._on_send_error, changes=followed_up)

    def _on_outcome(self, out: Outcome) -> None:
        if isinstance(out.result, FollowUpResult):
            self._on_sent(out.result)
            return
        if out.status != QUEUED:  # no follow-up made here (a replayed duplicate)
            self.status.setText(out.message)
            return
        self.result = out
        self.status.setText(f"◷ Voicemail saved offline; the email goes out when the database "
                            f"is back ({out.message}).")

    def _on_sent(self, result: FollowUpResult) -> None:
        from ui.labels import mail_problem

        self.result = result
        vm = "" if result.attempt_id is None else "✓ Voicemail logged. "
        if result.eml_path:
            self.status.setText(f"{vm}✓ Email handed to your mail client.")
            self.open_url(QUrl.fromLocalFile(result.eml_path))
        elif result.email_status == "sent":
            self.status.setText(f"{vm}✓ Email sent.")
        elif result.email_status == "queued":
            self.status.setText(f"{vm}◷ Email waiting in the outbox, not sent yet: "
                                f"{mail_problem(result.error)}")
        else:
            self.status.setText(f"{vm}✗ Email FAILED: {mail_problem(result.error)}")
        self.sig_followup_done.emit(result)

    def _on_send_error(self, exc: BaseException) -> None:
        if not isinstance(exc, KnownError):
            self.ctx.runner.report(exc)
            return
        self.status.setText(f"⚠ Nothing recorded: {exc}")
        self.send_btn.setEnabled(True)
