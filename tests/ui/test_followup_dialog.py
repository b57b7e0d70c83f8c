"""The follow-up dialog: preview, Ctrl+Enter, the email arriving at a real SMTP server."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from qualdesk.db.models import Attempt, Email, FollowUp
from qualdesk.paths import user_templates_dir
from tests.smtp_server import SmtpServer, smtp_server_fixture  # noqa: F401 (fixture)
from ui.followup_dialog import FollowUpDialog
from ui.outbox_job import OutboxJob


def _open(qtbot, ctx, lead_id: int) -> FollowUpDialog:
    dlg = FollowUpDialog(ctx, lead_id)
    qtbot.addWidget(dlg)
    dlg.open()
    dlg.activateWindow()
    qtbot.waitActive(dlg)
    return dlg


def test_preview_and_send_with_ctrl_enter(qtbot, ctx, seeded, sqlite_db,
                                          smtp_server: SmtpServer) -> None:
    smtp_server.configure(sqlite_db)
    alice = seeded.leads["Alice"]
    dlg = _open(qtbot, ctx, alice)
    assert not dlg.isModal()
    assert dlg.voicemail.toPlainText().startswith("Hi Alice, this is Ana Rep")
    assert dlg.seconds.text().startswith("≈ ") and "s to read" in dlg.seconds.text()
    assert dlg.subject.text() == "Alice, following up on your request"
    assert dlg.to_lbl.text() == "alice@acme.example"
    assert "at Acme Inc" in dlg.html.toPlainText() and "Hi Alice," in dlg.text.toPlainText()
    assert dlg.send_btn.isEnabled()

    with qtbot.waitSignal(dlg.sig_followup_done, timeout=5000) as sig:
        qtbot.keyClick(dlg.html, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    result = sig.args[0]
    assert result.email_status == "sent"
    assert dlg.status.text() == "✓ Voicemail logged. ✓ Email sent."
    assert not dlg.send_btn.isEnabled()  # one click, one follow-up
    (msg,) = smtp_server.messages
    assert msg["To"] == "alice@acme.example" and msg["Reply-To"] == "ana@example.com"
    assert msg["X-QualDesk-Lead"] == str(alice)
    assert "Hi Alice," in msg.get_body(("plain",)).get_content()
    assert "<p>Hi Alice,</p>" in msg.get_body(("html",)).get_content()
    with sqlite_db.session(write=False) as s:
        assert s.scalar(select(func.count(FollowUp.id))) == 1
        assert s.scalar(select(Attempt.disposition)) == "left_voicemail"


def test_server_down_shows_queued_and_outbox_job_sends(qtbot, ctx, seeded, sqlite_db,
                                                        smtp_server: SmtpServer, frozen) -> None:
    smtp_server.configure(sqlite_db)
    smtp_server.stop()
    dlg = _open(qtbot, ctx, seeded.leads["Bob"])
    dlg.send()
    assert "waiting in the outbox" in dlg.status.text()  # in words, not the status code
    smtp_server.start()
    job = OutboxJob(ctx)
    frozen.advance(minutes=2)
    with qtbot.waitSignal(job.sig_outbox_processed, timeout=5000) as sig:
        job.run_once()
    assert len(sig.args[0].sent) == 1
    assert len(smtp_server.messages) == 1
    with sqlite_db.session(write=False) as s:
        assert s.scalar(select(Email.status)) == "sent"


def test_outbox_job_starts_and_stops(qtbot, ctx) -> None:
    job = OutboxJob(ctx, interval_s=30)
    job.start()
    assert job.running
    job.stop()
    assert not job.running


def test_broken_template_disables_send(qtbot, ctx, seeded, sqlite_db) -> None:
    folder = user_templates_dir() / "default"
    folder.mkdir(parents=True)
    (folder / "voicemail.txt.j2").write_text("Hi {{ lead.first_name }}\n{{ lead.__class__ }}\n")
    dlg = _open(qtbot, ctx, seeded.leads["Alice"])
    assert not dlg.send_btn.isEnabled()
    assert "default/voicemail.txt.j2, line 2" in dlg.status.text()
    assert "not allowed" in dlg.status.text()
    dlg.send()
    with sqlite_db.session(write=False) as s:
        assert s.scalar(select(func.count(Attempt.id))) == 0
