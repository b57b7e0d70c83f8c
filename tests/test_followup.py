"""The one-click voicemail + email: recorded as one, sent to a real SMTP server."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Campaign, Email, FollowUp, HandRaise, Lead
from qualdesk.errors import InvalidInput, NotAllowed
from qualdesk.services import team_settings
from qualdesk.services.followup import history, preview, run_followup
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from tests.factories import make_lead
from tests.smtp_server import SmtpServer, smtp_server_fixture  # noqa: F401 (fixture)


def _rep(db: Database, email: str | None = "sam@reps.example") -> None:
    add_user(db, "Sam Rivera", "rep", email=email, phone="+1 646 555 0199")


def _counts(db: Database) -> tuple[int, int, int]:
    with db.session(write=False) as s:
        return (s.scalar(select(func.count(Attempt.id))) or 0,
                s.scalar(select(func.count(Email.id))) or 0,
                s.scalar(select(func.count(FollowUp.id))) or 0)


def _parts(msg: EmailMessage) -> tuple[str, str]:
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_followup_sends_to_real_smtp(db: Database, frozen, smtp_server: SmtpServer) -> None:
    smtp_server.configure(db)
    _rep(db)
    lead_id = make_lead(db, first="Dana", last="O'Neil", company="Brick & Mortar",
                        email="dana@brick.example")
    frozen.advance(minutes=12)
    r = run_followup(db, lead_id, "Sam Rivera")
    assert r.email_status == "sent" and r.error is None
    assert "Hi Dana, this is Sam Rivera" in r.voicemail_script
    assert 15 <= r.voicemail_seconds <= 35

    assert len(smtp_server.messages) == 1
    msg = smtp_server.messages[0]
    assert msg["From"] == "sam@reps.example"
    assert msg["Reply-To"] == "sam@reps.example"
    assert msg["To"] == "dana@brick.example"
    assert msg["Message-ID"] == r.message_id and r.message_id.endswith("@reps.example>")
    assert msg["X-QualDesk-Lead"] == str(lead_id)
    assert msg["Subject"] == "Dana, following up on your request"
    text, html = _parts(msg)
    assert "Hi Dana," in text and "at Brick & Mortar," in text and "Sam Rivera" in text
    assert "at Brick &amp; Mortar," in html and "<p>Hi Dana,</p>" in html

    with db.session(write=False) as s:
        a = s.get(Attempt, r.attempt_id)
        e = s.get(Email, r.email_id)
        fu = s.get(FollowUp, r.followup_id)
        hr = s.scalar(select(HandRaise).where(HandRaise.lead_id == lead_id))
        assert a is not None and e is not None and fu is not None and hr is not None
        assert a.disposition == "left_voicemail" and a.started_at == frozen.t
        assert (fu.attempt_id, fu.email_id) == (a.id, e.id)
        assert e.status == "sent" and e.sent_at == frozen.t and e.tries == 1
        assert hr.first_call_at == frozen.t and hr.first_email_at == frozen.t
    (h,) = history(db, lead_id)
    assert (h.attempt_id, h.email_id, h.email_status) == (r.attempt_id, r.email_id, "sent")


def test_smtp_from_setting_keeps_reply_to_rep(db: Database, frozen, smtp_server: SmtpServer) -> None:
    smtp_server.configure(db)
    team_settings.set_value(db, "smtp.from", "team@qualdesk.example")
    _rep(db)
    lead_id = make_lead(db)
    run_followup(db, lead_id, "Sam Rivera")
    msg = smtp_server.messages[0]
    assert msg["From"] == "team@qualdesk.example"
    assert msg["Reply-To"] == "sam@reps.example"


def test_unreachable_server_queues_then_outbox_sends_once(
        db: Database, frozen, smtp_server: SmtpServer) -> None:
    from qualdesk.services.outbox import process_outbox

    smtp_server.configure(db)
    _rep(db)
    lead_id = make_lead(db)
    smtp_server.stop()
    r = run_followup(db, lead_id, "Sam Rivera")
    assert r.email_status == "queued" and "unreachable" in (r.error or "")
    with db.session(write=False) as s:
        e = s.get(Email, r.email_id)
        hr = s.scalar(select(HandRaise).where(HandRaise.lead_id == lead_id))
        assert e is not None and hr is not None
        assert e.tries == 1 and e.next_try_at is not None
        assert (e.next_try_at - frozen.t).total_seconds() == 60
        assert hr.first_call_at == frozen.t and hr.first_email_at is None  # voicemail only
    smtp_server.start()
    assert process_outbox(db, frozen.t).sent == ()  # not due yet: backoff holds
    frozen.advance(minutes=1)
    run1 = process_outbox(db, frozen.t)
    assert run1.sent == (r.email_id,)
    assert process_outbox(db, frozen.advance(minutes=5)).sent == ()
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Message-ID"] == r.message_id
    with db.session(write=False) as s:
        hr = s.scalar(select(HandRaise).where(HandRaise.lead_id == lead_id))
        assert hr is not None and hr.first_email_at == frozen.t - timedelta(minutes=5)


def test_lead_without_email_is_refused_whole(db: Database, frozen) -> None:
    _rep(db)
    lead_id = make_lead(db, email=None)
    with pytest.raises(NotAllowed, match="has no email address"):
        run_followup(db, lead_id, "Sam Rivera")
    assert _counts(db) == (0, 0, 0)


def test_do_not_call_lead_is_refused(db: Database, frozen) -> None:
    _rep(db)
    lead_id = make_lead(db)
    with db.session() as s:
        lead = s.get(Lead, lead_id)
        assert lead is not None
        lead.do_not_call = True
    with pytest.raises(NotAllowed, match="do-not-call"):
        run_followup(db, lead_id, "Sam Rivera")
    assert _counts(db) == (0, 0, 0)


def test_rep_without_email_is_refused(db: Database, frozen) -> None:
    _rep(db, email=None)
    lead_id = make_lead(db)
    with pytest.raises(InvalidInput, match="no email address"):
        run_followup(db, lead_id, "Sam Rivera")
    assert _counts(db) == (0, 0, 0)


def test_broken_template_records_nothing(db: Database, frozen, tmp_path) -> None:
    from qualdesk.paths import user_templates_dir

    _rep(db)
    lead_id = make_lead(db)
    folder = user_templates_dir() / "default"
    folder.mkdir(parents=True)
    (folder / "email.txt.j2").write_text("Hi {{ lead.first_name }}\n{{ lead.nickname }}\n")
    with pytest.raises(InvalidInput, match=r"default/email.txt.j2, line 2: unknown field"):
        preview(db, lead_id, "Sam Rivera")
    with pytest.raises(InvalidInput, match="nickname"):
        run_followup(db, lead_id, "Sam Rivera")
    assert _counts(db) == (0, 0, 0)


def test_campaign_folder_and_user_shadow(db: Database, frozen) -> None:
    from qualdesk.paths import user_templates_dir

    _rep(db)
    with db.session() as s:
        c = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert c is not None
        c.templates = "whitepaper"
    lead_id = make_lead(db, first="Kim")
    p = preview(db, lead_id, "Sam Rivera")
    assert p.rendered.subject == "The 3 findings from the Speed-to-Lead guide, Kim"
    folder = user_templates_dir() / "whitepaper"
    folder.mkdir(parents=True)
    (folder / "email_subject.txt.j2").write_text("Our own subject for {{ lead.first_name }}")
    assert preview(db, lead_id, "Sam Rivera").rendered.subject == "Our own subject for Kim"


def test_mailclient_mode_writes_eml_and_counts_as_sent(db: Database, frozen) -> None:
    team_settings.set_value(db, "email.mode", "mailclient")
    _rep(db)
    lead_id = make_lead(db)
    r = run_followup(db, lead_id, "Sam Rivera")
    assert r.email_status == "sent" and r.eml_path and r.mailto
    assert r.mailto.startswith("mailto:pat@acme.test?subject=")
    from email import message_from_bytes
    from email.policy import default
    from pathlib import Path

    msg = message_from_bytes(Path(r.eml_path).read_bytes(), policy=default)
    assert msg["X-Unsent"] == "1" and msg["X-QualDesk-Lead"] == str(lead_id)
    with db.session(write=False) as s:
        hr = s.scalar(select(HandRaise).where(HandRaise.lead_id == lead_id))
        assert hr is not None and hr.first_email_at == frozen.t


def test_cli_followup_json(db_url: str, db: Database, frozen, smtp_server: SmtpServer) -> None:
    smtp_server.configure(db)
    _rep(db)
    lead_id = make_lead(db)
    res = run(db_url, "followup", str(lead_id), "--rep", "Sam Rivera", "--json")
    assert res.code == 0, res.err
    out = res.json()
    assert out["lead"] == lead_id and out["email_status"] == "sent"
    assert out["message_id"] == smtp_server.messages[0]["Message-ID"]
    assert out["voicemail_script"].startswith("Hi Pat,")
    no_email = make_lead(db, email=None, phone="+12125550111")
    res = run(db_url, "followup", str(no_email), "--rep", "Sam Rivera", "--json")
    assert res.code == 1 and "has no email address" in res.err and res.out == ""
