"""Roles follow-ups (#21, migration 0010) over a real PostgreSQL with real logins:

- a sales login does what sales does (reads the hand-off, accepts or rejects with a
  reason the leads turned over to it) and nothing else, whatever client it uses;
- the audit's action is what the database saw happen: a forged one is impossible, the
  client's words are kept as the client's;
- the app signs in as the login's person (``qualdesk app --rep`` included);
- deactivating a person closes their database login, reactivating reopens it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from qualdesk.db.engine import Database, normalise_url
from qualdesk.db.models import AuditEntry, Callback, Lead, TurnOver, User
from qualdesk.errors import NotAllowed
from qualdesk.services import outbox, pg_roles
from qualdesk.services.audit_query import audit_entries
from qualdesk.services.calls import log_call, schedule_callback
from qualdesk.services.followup import run_followup
from qualdesk.services.incubation import incubate
from qualdesk.services.intake.import_leads import import_leads
from qualdesk.services.lead_edit import edit_lead
from qualdesk.services.sign_in import open_signed_in, sign_in_choices, signed_in_user
from qualdesk.services.turnover import turn_over, turned_over_leads
from qualdesk.services.users import add_user, set_active
from qualdesk.services.verdicts import accept, reject
from tests.cli_helpers import Result
from tests.conftest import pg_admin_url, pg_url_with_logins
from tests.test_db_guard_pg import Team

Refused = (psycopg.errors.InsufficientPrivilege,)


@pytest.fixture
def team(pg_template: str) -> Iterator[Team]:
    urls = pg_url_with_logins(pg_template, "qdg_")
    t = Team(next(urls))
    yield t
    t.owner.dispose()
    next(urls, None)


def _login(team: Team, name: str, role: str) -> str:
    """``name`` with ``role`` and a login of their own; returns their URL."""
    add_user(team.owner, name, role, email=f"{name.lower()}@team.test")
    login = f"qdg_{name.lower()}_{uuid.uuid4().hex[:6]}"
    pg_roles.grant_login(team.owner, name, login, "pw")
    with team.owner.session(write=False) as s:
        team.ids[name] = s.scalar(select(User.id).where(User.name == name))
    url = make_url(team.url).set(username=login, password="pw")
    team.urls[name] = url.render_as_string(hide_password=False)
    return team.urls[name]


def _refused(c: psycopg.Connection, sql: str, *args: object) -> str:
    with pytest.raises(Refused) as exc:
        c.execute(sql, args or None)
    return str(exc.value)


def test_a_sales_login_does_what_sales_does_and_nothing_else(team: Team) -> None:
    _login(team, "Sam", "sales")
    _login(team, "Sol", "sales")
    mine = team.lead("mine@acme.test", owner="Ana")
    also_mine = team.lead("also@acme.test", owner="Ana")
    sols = team.lead("sols@acme.test", owner="Bo")
    open_lead = team.lead("open@acme.test", owner="Ana")
    for lead, to in ((mine, "Sam"), (also_mine, "Sam"), (sols, "Sol")):
        turn_over(team.owner, lead, to, by="Ana", override="asked for pricing")
    schedule_callback(team.owner, open_lead, "Ana", datetime.now(UTC) + timedelta(days=1))
    sam = team.ids["Sam"]
    with team.sql("Sam") as c:
        # what reps do: calls, BANT, e-mail from the outbox, callbacks, claims
        _refused(c, "INSERT INTO attempts (lead_id, rep_id, started_at, disposition, source) "
                    "VALUES (%s, %s, now(), 'connected', 'app')", mine, sam)
        _refused(c, "INSERT INTO qualifications (lead_id, answers, bant, level1_met, "
                    "updated_at) VALUES (%s, '{}', '{}', true, now())", open_lead)
        _refused(c, "UPDATE qualifications SET level1_met = true")
        _refused(c, "INSERT INTO emails (lead_id, rep_id, to_addr, from_addr, subject, "
                    "body_text, status, tries, created_at) VALUES (%s, %s, 'x@evil.test', "
                    "'ana@team.test', 's', 'b', 'queued', 0, now())", mine, team.ids["Ana"])
        _refused(c, "UPDATE emails SET status = 'queued'")
        _refused(c, "INSERT INTO callbacks (lead_id, rep_id, due_at, scope, created_at) "
                    "VALUES (%s, %s, now(), 'mine', now())", mine, sam)
        _refused(c, "INSERT INTO write_keys (key, kind, at) VALUES ('k', 'note', now())")
        for mode in ("", " IN SHARE MODE", " IN EXCLUSIVE MODE"):  # freezing the team
            with pytest.raises(Refused), c.transaction():
                c.execute(f"LOCK TABLE leads{mode}")
        # leads not turned over to it: no designation, no edit, no verdict, no notes
        for lead in (sols, open_lead):
            assert "not turned over to you" in _refused(
                c, "UPDATE leads SET designation = 'accepted' WHERE id = %s", lead)
            _refused(c, "INSERT INTO designation_history (lead_id, from_designation, "
                        "to_designation, at, by_id) VALUES (%s, 'turned_over', 'accepted', "
                        "now(), %s)", lead, sam)
            _refused(c, "INSERT INTO notes (lead_id, author_id, body, created_at, updated_at) "
                        "VALUES (%s, %s, 'x', now(), now())", lead, sam)
        _refused(c, "UPDATE turnovers SET verdict = 'accepted', to_user_id = %s "
                    "WHERE lead_id = %s", sam, sols)
        _refused(c, "UPDATE callbacks SET scope = 'anyone' WHERE lead_id = %s", open_lead)
        # its own leads: a verdict, not an edit
        assert "does not edit the lead" in _refused(
            c, "UPDATE leads SET email = 'me@evil.test' WHERE id = %s", mine)
        _refused(c, "UPDATE leads SET designation = 'hot' WHERE id = %s", mine)
        assert "verdict and outcome" in _refused(
            c, "UPDATE turnovers SET to_owner = 'Sol', note = 'x' WHERE lead_id = %s", mine)
        _refused(c, "INSERT INTO notes (lead_id, author_id, body, created_at, updated_at) "
                    "VALUES (%s, %s, 'as Ana', now(), now())", mine, team.ids["Ana"])
    # its normal work, through the app's services with its own login
    sam_db = team.db("Sam")
    assert {t.lead_id for t in turned_over_leads(sam_db, owner="Sam")} == {mine, also_mine}
    accept(sam_db, mine, weighting=60, by="Sam", reason="budget confirmed")
    reject(sam_db, also_mine, "bad timing", by="Sam")
    with pytest.raises(Exception, match="not turned over to you"):
        accept(sam_db, sols, weighting=10, by="Sam")
    sam_db.dispose()
    with team.owner.session(write=False) as s:
        leads = {lead.id: lead for lead in s.scalars(select(Lead))}
        assert leads[mine].designation == "accepted"
        assert leads[also_mine].designation == "incubating"
        assert leads[also_mine].owner_id == team.ids["Ana"]  # back to the qualifying rep
        assert leads[sols].designation == "turned_over"
        verdicts = {t.lead_id: t.verdict for t in s.scalars(select(TurnOver))}
        assert verdicts == {mine: "accepted", also_mine: "rejected", sols: None}
    assert ("verdict", "verdict", "Sam", None) in team.audit(mine)


def test_a_forged_audit_action_is_impossible(team: Team) -> None:
    lead = team.lead("pat@acme.test", owner="Ana")
    free = team.lead("free@acme.test")
    ana = team.ids["Ana"]
    forgeries = [
        ("reassign", "owner", "Bo", "Ana"),         # nobody reassigned anything
        ("attempt", "disposition", None, "connected"),  # no call was made
        ("designation", "designation", "cold", "accepted"),
        ("turn_over", "to_owner", None, "Sam"),
        ("note", "note 1", None, "made up"),
    ]
    for who in ("Ana", "Lee"):
        with team.sql(who) as c:
            for action, field, old, new in forgeries:
                with pytest.raises(Refused, match="did not make"), c.transaction():
                    c.execute("INSERT INTO audit_requests (lead_id, user_id, action, field, old, "
                              "new) VALUES (%s, %s, %s, %s, %s, %s)",
                              (lead, ana, action, field, old, new))
    with team.sql("Ana") as c:
        # a real claim, declared as a claim in someone else's name: the values must match
        with pytest.raises(Refused, match="did not make"), c.transaction():
            c.execute("UPDATE leads SET claimed_by_id = %s, claimed_at = now(), lease_expires_at "
                      "= now() + interval '5 minutes' WHERE id = %s", (ana, free))
            c.execute("INSERT INTO audit_requests (lead_id, action, field, new) "
                      "VALUES (%s, 'claim', 'claimed_by', 'Bo')", (free,))
        # an action the app never records is kept as the client's words, not as an action
        c.execute("INSERT INTO audit_requests (lead_id, action, field, new, reason) VALUES "
                  "(%s, 'direct change', 'owner_id', 'Ana', 'the lead asked for me')", (lead,))
    # the app's own writes are filed under what happened
    ana_db = team.db("Ana")
    log_call(ana_db, lead, "Ana", "no_answer")
    edit_lead(ana_db, lead, {"title": "CFO", "time_zone": "Europe/Madrid"}, by="Ana")
    ana_db.dispose()
    rows = team.audit(lead)
    assert ("attempt", "disposition", "Ana", None) in rows
    assert ("edit", "title", "Ana", None) in rows and ("edit", "time_zones", "Ana", None) in rows
    assert {a for a, *_ in rows} <= {"attempt", "declared", "designation", "edit"}, rows
    with team.owner.session(write=False) as s:
        declared = s.scalar(select(AuditEntry).where(AuditEntry.action == "declared"))
        assert declared is not None and declared.user_id == ana
        assert declared.reason == "direct change: the lead asked for me"
    shown = [e.action for e in audit_entries(team.owner, lead)]
    assert "declared (the client's words: direct change: the lead asked for me)" in shown


def test_the_apps_own_writes_are_filed_under_what_happened(team: Team, tmp_path: Path) -> None:
    """A team lead's login imports a file: the import and its cold -> warm moves are
    filed as such (the database saw the leads arrive), none as the client's words."""
    csv = tmp_path / "leads.csv"
    csv.write_text("first_name,email,phone,hand_raise\nKim,kim@acme.test,+12125550111,"
                   "demo_request\nLou,lou@acme.test,+12125550112,contact_form\n", encoding="utf-8")
    lee_db = team.db("Lee")
    ids = import_leads(lee_db, csv).lead_ids
    lee_db.dispose()
    assert len(ids) == 2
    for lead in ids:
        actions = {a for a, *_ in team.audit(lead)}
        assert "import" in actions and "declared" not in actions, team.audit(lead)
    # a rep's follow-up queued, a colleague's client sends the team's outbox, a rep rests
    # a lead: each filed under what the database saw
    ana_db, bo_db = team.db("Ana"), team.db("Bo")
    mine = team.lead("pat@acme.test", owner="Ana")
    email_id = run_followup(ana_db, mine, "Ana", send_now=False).email_id
    assert outbox.claim(bo_db, email_id, datetime.now(UTC)) is not None
    outbox.mark_sent(bo_db, email_id, datetime.now(UTC))
    incubate(ana_db, mine, datetime.now(UTC).date() + timedelta(days=30), "bad timing", by="Ana")
    ana_db.dispose()
    bo_db.dispose()
    rows = team.audit(mine)
    assert {("followup", "email"), ("email", "status"), ("incubate", "retouch_at")} <= {
        (a, f) for a, f, *_ in rows}, rows
    assert "declared" not in {a for a, *_ in rows}, rows


def test_the_app_signs_in_as_the_logins_person(team: Team) -> None:
    ana_db, lee_db = team.db("Ana"), team.db("Lee")
    assert signed_in_user(ana_db, None).name == "Ana"
    assert signed_in_user(ana_db, "ana").name == "Ana"
    # the sign-in list a person's own login is offered: that person only
    assert [u.name for u in sign_in_choices(ana_db)] == ["Ana"]
    assert [u.name for u in sign_in_choices(lee_db)] == ["Lee"]
    assert {u.name for u in sign_in_choices(team.owner)} == {"Ana", "Bo", "Lee"}
    with pytest.raises(NotAllowed, match="opens as Ana, not as Bo"):
        signed_in_user(ana_db, "Bo")
    # a team lead may open the app for a rep: the audit names both
    assert signed_in_user(lee_db, "Bo").name == "Bo"
    with team.owner.session(write=False) as s:
        row = s.scalar(select(AuditEntry).where(AuditEntry.action == "acts for"))
        assert row is not None
        assert (row.user_id, row.by_id) == (team.ids["Bo"], team.ids["Lee"])
    ana_db.dispose()
    lee_db.dispose()
    # the real command: a rep's login naming someone else is refused in one plain line
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    p = subprocess.run([sys.executable, "-m", "ui", "--db", team.urls["Ana"], "app", "--rep", "Bo"],
                       capture_output=True, text=True, env=env, timeout=120)
    r = Result(p.returncode, p.stdout, p.stderr)
    assert r.code == 1 and "Traceback" not in r.err, r.err
    assert "opens as Ana, not as Bo" in r.err


def test_a_login_without_a_person_is_told_what_to_ask(team: Team) -> None:
    tag = uuid.uuid4().hex[:6]
    ghost, stranger = f"qdg_ghost_{tag}", f"qdg_stranger_{tag}"
    admin = create_engine(normalise_url(pg_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE ROLE {ghost} LOGIN PASSWORD 'pw' IN ROLE qualdesk_rep"))
        c.execute(text(f"CREATE ROLE {stranger} LOGIN PASSWORD 'pw'"))  # in no group at all
    admin.dispose()
    base = make_url(team.url)
    for login, words in ((ghost, "belongs to nobody in the team"),
                         (stranger, "refused your login")):
        url = base.set(username=login, password="pw").render_as_string(hide_password=False)
        with pytest.raises(NotAllowed, match=words) as exc:
            open_signed_in(url, None, False)
        # the app shows what to ask for; only the command line prints the command
        assert "Settings → People and roles" in str(exc.value) and "`" not in str(exc.value)
        assert exc.value.cli == f"qualdesk user grant NAME --db-login {login}"
    ghost_db = Database(base.set(username=ghost, password="pw").render_as_string(hide_password=False))
    assert sign_in_choices(ghost_db) == []  # nobody to choose: it may not sign in
    ghost_db.dispose()
    # a deactivated person whose login is still open (set by hand) is told so too
    with team.owner.session() as s:
        s.execute(text("UPDATE users SET active = false WHERE name = 'Bo'"))
    with pytest.raises(NotAllowed, match="Bo is deactivated: ask your team lead"):
        open_signed_in(team.urls["Bo"], None, False)


def test_deactivating_a_person_closes_their_login(team: Team) -> None:
    with psycopg.connect(team.urls["Bo"]) as c:
        assert c.execute("SELECT session_user").fetchone()
    # an admin's login may change people but not logins: nothing changes, and it says
    # whose login may
    ada_db = Database(_login(team, "Ada", "admin"))
    with pytest.raises(NotAllowed, match="schema owner's login"):
        set_active(ada_db, "Bo", False)
    ada_db.dispose()
    with team.owner.session(write=False) as s:
        assert s.scalar(select(User.active).where(User.name == "Bo")) is True
    still_open = psycopg.connect(team.urls["Bo"], autocommit=True)
    assert set_active(team.owner, "Bo", False).active is False
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        psycopg.connect(team.urls["Bo"]).close()
    with pytest.raises(psycopg.OperationalError):  # the session Bo had open is ended too
        still_open.execute("SELECT 1")
    still_open.close()
    assert set_active(team.owner, "Bo", True).active is True
    with psycopg.connect(team.urls["Bo"]) as c:
        assert c.execute("SELECT session_user").fetchone()
    # a login granted again while its person is away stays closed
    set_active(team.owner, "Bo", False)
    login = make_url(team.urls["Bo"]).username
    assert login is not None
    pg_roles.grant_login(team.owner, "Bo", login, "pw2")
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        psycopg.connect(team.urls["Bo"].replace(":pw@", ":pw2@")).close()


def test_callbacks_left_untouched_by_sales(team: Team) -> None:
    """(kept small: the scope a rejection opens is the only callback change sales makes)"""
    _login(team, "Sam", "sales")
    lead = team.lead("cb@acme.test", owner="Ana")
    schedule_callback(team.owner, lead, "Ana", datetime.now(UTC) + timedelta(days=3))
    turn_over(team.owner, lead, "Sam", by="Ana", override="pricing")
    with team.sql("Sam") as c:
        c.execute("UPDATE callbacks SET scope = 'anyone' WHERE lead_id = %s", (lead,))
        _refused(c, "UPDATE callbacks SET due_at = now() WHERE lead_id = %s", lead)
    with team.owner.session(write=False) as s:
        assert s.scalar(select(Callback.scope).where(Callback.lead_id == lead)) == "anyone"
