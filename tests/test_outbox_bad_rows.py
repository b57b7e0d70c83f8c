"""A row the outbox can't send is marked failed with its reason: no traceback, no row
stuck in ``sending`` coming due again every 10 minutes, and the good rows still go."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from qualdesk.db.engine import Database
from qualdesk.db.models import Email
from qualdesk.services.followup import run_followup
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from tests.factories import make_lead
from tests.smtp_server import SmtpServer, smtp_server_fixture  # noqa: F401 (fixture)

BAD_ROWS = {
    "subject_crlf": ({"subject": "Hello\r\nBcc: everyone@corp.example"}, "subject"),
    "to_list": ({"to_addr": "dana@brick.example, spy@evil.example"}, "To"),
    "to_display_name": ({"to_addr": "Dana <dana@brick.example>"}, "To"),
    "from_crlf": ({"from_addr": "sam@reps.example\r\nBcc: x@evil.example"}, "From"),
    "reply_to_list": ({"reply_to": "sam@reps.example,boss@evil.example"}, "Reply-To"),
}


def _queued(db: Database, n: int) -> list[int]:
    """``n`` follow-ups whose e-mails wait in the outbox (no mail server yet)."""
    add_user(db, "Sam", "rep", email="sam@reps.example")
    ids = []
    for i in range(n):
        r = run_followup(db, make_lead(db, email=f"lead{i}@x.example", phone=f"+1212555010{i}"),
                         "Sam")
        assert r.email_status == "queued"
        ids.append(r.email_id)
    return ids


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_row_that_cannot_be_sent_fails_with_its_reason(db: Database, frozen,
                                                         smtp_server: SmtpServer,
                                                         case: str) -> None:
    values, field = BAD_ROWS[case]
    bad, good = _queued(db, 2)
    with db.session() as s:  # as a row written past the app would be (psql, an old client)
        s.execute(update(Email).where(Email.id == bad).values(**values))
    smtp_server.configure(db)
    frozen.advance(minutes=2)
    res = run(db.url, "outbox", "send", "--json")
    assert "Traceback" not in res.err
    out = res.json()
    assert out["sent"] == [good]
    assert out["failed"] == [bad]
    assert field in out["errors"][str(bad)], out["errors"]
    with db.session(write=False) as s:
        row = s.get(Email, bad)
        assert row is not None
        assert row.status == "failed" and row.next_try_at is None
        assert field in (row.last_error or "")
    assert [m["To"] for m in smtp_server.messages] == ["lead1@x.example"]
    assert len(smtp_server.envelopes) == 1 and smtp_server.envelopes[0][1] == ["lead1@x.example"]
    frozen.advance(minutes=15)  # it never comes due again
    assert run(db.url, "outbox", "send", "--json").json() == {
        "sent": [], "retrying": [], "failed": [], "errors": {}}
