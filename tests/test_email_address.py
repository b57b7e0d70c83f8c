"""An e-mail address is one address: refused where it enters (user add, lead import,
live intake) and again where it is used (the follow-up), before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Email, FollowUp, Lead, User
from qualdesk.domain.email_address import InvalidAddress, address_problem, parse_address
from qualdesk.errors import InvalidInput
from qualdesk.services.followup import run_followup
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from tests.factories import make_lead
from tests.smtp_server import SmtpServer, smtp_server_fixture  # noqa: F401 (fixture)

GOOD = ["dana@brick.example", "dana.o'neil+leads@mail.brick.example", "zoë@例え.jp",
        "  padded@x.example  ", "a_b-c@sub-domain.example.co.uk"]
BAD = {
    "Dana <dana@brick.example>": "name",
    "a@x.example, b@y.example": "more than one",
    "a@x.example;b@y.example": "more than one",
    "a@x.example\r\nBcc: all@corp.example": "line break",
    "a@x.example\n": "line break",
    "a@x.example\x00": "control",
    '"Dana"@x.example': "name",
    "dana at brick.example": "space",
    "dana@@brick.example": "exactly one @",
    "dana@brick": "domain",
    "dana@-brick.example": "domain",
    ".dana@brick.example": "mailbox",
    "dana..o@brick.example": "mailbox",
    "": "empty",
    "+1 212 555 0100": "space",
}


@pytest.mark.parametrize("raw", GOOD)
def test_one_address_is_accepted(raw: str) -> None:
    assert address_problem(raw) is None
    assert parse_address(raw) == raw.strip()


@pytest.mark.parametrize("raw", sorted(BAD))
def test_anything_else_is_refused_saying_why(raw: str) -> None:
    problem = address_problem(raw)
    assert problem is not None and BAD[raw] in problem, problem
    with pytest.raises(InvalidAddress):
        parse_address(raw)


@pytest.mark.parametrize("raw", ["Sam <sam@reps.example>", "sam@reps.example, boss@reps.example",
                                 "sam@reps.example\r\nBcc: x@y.example"])
def test_user_add_refuses_what_is_not_one_address(db_url: str, db: Database, raw: str) -> None:
    r = run(db_url, "user", "add", "Sam Rivera", "--role", "rep", "--email", raw)
    assert r.code != 0
    assert "not one e-mail address" in r.err and "Traceback" not in r.err
    with db.session(write=False) as s:
        assert s.scalar(select(func.count(User.id)).where(User.name == "Sam Rivera")) == 0
    with pytest.raises(InvalidInput, match="not one e-mail address"):
        add_user(db, "Sam Rivera", "rep", email=raw)


def test_lead_import_refuses_a_list_or_a_display_name(db_url: str, tmp_path: Path) -> None:
    p = tmp_path / "leads.csv"
    p.write_text("first_name,last_name,email,phone\n"
                 "Dana,Lee,dana@brick.example,\n"
                 'Ann,Two,"ann@x.example, bob@y.example",\n'
                 "Cy,Named,Cy <cy@x.example>,\n")
    r = run(db_url, "import", "leads", str(p), "--json")
    assert r.code != 0
    out = r.json()
    assert out["applied"] is False
    rows = {x["row"]: x for x in out["rejected"]}
    assert set(rows) == {3, 4}
    assert rows[3]["field"] == "email" and "more than one" in rows[3]["reason"]
    assert rows[4]["field"] == "email" and "name" in rows[4]["reason"]


def _counts(db: Database) -> tuple[int, int, int]:
    with db.session(write=False) as s:
        return (s.scalar(select(func.count(Attempt.id))) or 0,
                s.scalar(select(func.count(Email.id))) or 0,
                s.scalar(select(func.count(FollowUp.id))) or 0)


def test_a_followup_to_a_bad_stored_address_records_nothing(db: Database,
                                                            smtp_server: SmtpServer) -> None:
    """A value that got in another way (an old database, a hand-edited row) is refused at
    use: no voicemail attempt, no e-mail row, nothing sent — all or nothing."""
    smtp_server.configure(db)
    add_user(db, "Sam Rivera", "rep", email="sam@reps.example")
    lead_id = make_lead(db, email="dana@brick.example")
    with db.session() as s:
        s.execute(update(Lead).where(Lead.id == lead_id)
                  .values(email="dana@brick.example, spy@evil.example"))
    with pytest.raises(InvalidInput, match="not one e-mail address"):
        run_followup(db, lead_id, "Sam Rivera")
    assert _counts(db) == (0, 0, 0)
    assert smtp_server.messages == []


def test_a_rep_address_with_crlf_fails_the_followup_before_any_write(
        db: Database, db_url: str, smtp_server: SmtpServer) -> None:
    smtp_server.configure(db)
    add_user(db, "Sam Rivera", "rep", email="sam@reps.example")
    with db.session() as s:
        s.execute(update(User).where(User.name == "Sam Rivera")
                  .values(email="sam@reps.example\r\nBcc: all@corp.example"))
    lead_id = make_lead(db, email="dana@brick.example")
    r = run(db_url, "followup", str(lead_id), "--rep", "Sam Rivera")
    assert r.code != 0
    assert "Traceback" not in r.err and "not one e-mail address" in r.err, r.err
    assert _counts(db) == (0, 0, 0)
    assert smtp_server.messages == []
