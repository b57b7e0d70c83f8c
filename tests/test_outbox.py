"""The outbox: backoff, give-up, permanent refusals, exactly-once claims, CLI, keyring."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Email, HandRaise
from qualdesk.services import outbox
from qualdesk.services.followup import run_followup
from qualdesk.services.mailer import KEYRING_SERVICE
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from tests.factories import make_lead
from tests.memory_keyring import MemoryKeyring
from tests.smtp_server import SmtpServer, smtp_server_fixture  # noqa: F401 (fixture)


def _queued_email(db: Database, frozen) -> int:
    """A follow-up whose email could not go out (no server configured yet)."""
    add_user(db, "Sam", "rep", email="sam@reps.example")
    lead_id = make_lead(db)
    r = run_followup(db, lead_id, "Sam")
    assert r.email_status == "queued" and "smtp.host is not set" in (r.error or "")
    return r.email_id


def _email(db: Database, email_id: int) -> Email:
    with db.session(write=False) as s:
        e = s.get(Email, email_id)
        assert e is not None
        return e


def test_backoff_schedule() -> None:
    assert [outbox.backoff(n).total_seconds() / 60 for n in range(1, 9)] == \
        [1, 2, 4, 8, 16, 30, 30, 30]


def test_retries_back_off_then_fail_visibly(db: Database, frozen) -> None:
    email_id = _queued_email(db, frozen)  # try 1 happened inside followup
    waits = []
    for _ in range(outbox.MAX_TRIES - 1):
        e = _email(db, email_id)
        assert e.status == "queued"
        waits.append(round((e.next_try_at - frozen.t).total_seconds() / 60))
        frozen.t = e.next_try_at
        run_ = outbox.process_outbox(db, frozen.t)
        assert email_id in run_.retrying + run_.failed
    assert waits == [1, 2, 4, 8, 16, 30, 30]
    e = _email(db, email_id)
    assert (e.status, e.tries, e.next_try_at) == ("failed", 8, None)
    assert "smtp.host is not set" in (e.last_error or "")
    assert outbox.process_outbox(db, frozen.advance(hours=5)).retrying == ()
    listed = run(db.url, "outbox", "--status", "failed", "--json").json()
    assert [(x["id"], x["status"], x["tries"]) for x in listed] == [(email_id, "failed", 8)]


def test_permanent_refusal_fails_at_once(db: Database, frozen, smtp_server: SmtpServer) -> None:
    smtp_server.configure(db)
    smtp_server.reject.add("pat@acme.test")
    add_user(db, "Sam", "rep", email="sam@reps.example")
    r = run_followup(db, make_lead(db), "Sam")
    assert r.email_status == "failed" and "550" in (r.error or "")
    assert smtp_server.messages == []
    assert _email(db, r.email_id).tries == 1


def test_claim_is_exclusive(db: Database, frozen) -> None:
    email_id = _queued_email(db, frozen)
    frozen.advance(minutes=1)
    first = outbox.claim(db, email_id, frozen.t)
    second = outbox.claim(db, email_id, frozen.t)
    assert first is not None and first.id == email_id
    assert second is None
    # A claim abandoned by a crashed sender expires and can be taken again.
    assert outbox.claim(db, email_id, frozen.t + outbox.CLAIM_LEASE) is not None


def test_process_outbox_sends_each_due_email_once(db: Database, frozen,
                                                  smtp_server: SmtpServer) -> None:
    add_user(db, "Sam", "rep", email="sam@reps.example")
    ids = []
    for i in range(3):
        lead = make_lead(db, email=f"lead{i}@x.example", phone=f"+1212555020{i}")
        ids.append(run_followup(db, lead, "Sam").email_id)  # no server configured: queued
    smtp_server.configure(db)
    frozen.advance(minutes=1)
    res = run(db.url, "outbox", "send", "--json")
    assert res.code == 0, res.err
    assert sorted(res.json()["sent"]) == sorted(ids)
    assert run(db.url, "outbox", "send", "--json").json()["sent"] == []
    assert sorted(m["To"] for m in smtp_server.messages) == \
        ["lead0@x.example", "lead1@x.example", "lead2@x.example"]
    with db.session(write=False) as s:
        stamps = list(s.scalars(select(HandRaise.first_email_at)))
    assert stamps == [frozen.t] * 3


def test_password_goes_to_keyring_never_config(db: Database, memory_keyring: MemoryKeyring,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    res = run(db.url, "config", "set", "smtp.password", "hunter2")
    assert res.code == 1 and "smtp-password set" in res.err
    assert run(db.url, "config", "set", "smtp.user", "mailer@team.example").code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
    res = run(db.url, "smtp-password", "set", "--json")
    assert res.code == 0, res.err
    assert memory_keyring.store == {(KEYRING_SERVICE, "mailer@team.example"): "s3cret"}
    from qualdesk.db.models import Setting

    with db.session(write=False) as s:
        values = [v for v in s.scalars(select(Setting.value))]
    assert "s3cret" not in values


def test_missing_keyring_password_is_a_clear_retry(db: Database, frozen,
                                                   memory_keyring: MemoryKeyring,
                                                   smtp_server: SmtpServer) -> None:
    smtp_server.configure(db)
    from qualdesk.services import team_settings

    team_settings.set_value(db, "smtp.user", "mailer@team.example")
    add_user(db, "Sam", "rep", email="sam@reps.example")
    r = run_followup(db, make_lead(db), "Sam")
    assert r.email_status == "queued"
    assert "no SMTP password for 'mailer@team.example'" in (r.error or "")


def test_outbox_list_cli(db: Database, frozen) -> None:
    email_id = _queued_email(db, frozen)
    res = run(db.url, "outbox")
    assert res.code == 0 and str(email_id) in res.out and "queued" in res.out
    assert timedelta(minutes=1) == _email(db, email_id).next_try_at - frozen.t
