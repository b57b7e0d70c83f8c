"""The database is the guard (#21): a rep's own PostgreSQL login, used from psql-like
direct SQL, is refused every attack a reviewer made, while the rep's normal work through
the app's services still succeeds with that same login; the audit is written by the
database from the login; ``--rep`` / ``--by`` are bound to it; two reps never log on one
lead. Real PostgreSQL, real logins (created through ``pg_roles.grant_login``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import psycopg
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from qualdesk import clock
from qualdesk.db.engine import Database, normalise_url
from qualdesk.db.models import Attempt, AuditEntry, Campaign, Email, Lead, Note, User
from qualdesk.errors import NotAllowed
from qualdesk.services import pg_roles, queue
from qualdesk.services.calls import log_call, schedule_callback
from qualdesk.services.followup import run_followup
from qualdesk.services.hand_raises import add_hand_raise
from qualdesk.services.notes import upsert_note
from qualdesk.services.turnover import turn_over
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from tests.conftest import FrozenClock, pg_admin_url, pg_url_with_logins

Refused = (psycopg.errors.InsufficientPrivilege,)


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    yield from pg_url_with_logins(pg_template, "qdg_")


class Team:
    """Ana and Bo (reps) and Lee (team lead), each with a login; leads seeded by the owner."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.owner = Database(url)
        tag = uuid.uuid4().hex[:6]
        self.urls: dict[str, str] = {}
        for name, role in (("Ana", "rep"), ("Bo", "rep"), ("Lee", "lead")):
            add_user(self.owner, name, role, email=f"{name.lower()}@team.test")
            login = f"qdg_{name.lower()}_{tag}"
            pg_roles.grant_login(self.owner, name, login, "pw")
            u = make_url(url).set(username=login, password="pw")
            self.urls[name] = u.render_as_string(hide_password=False)
        with self.owner.session(write=False) as s:
            self.ids = {u.name: u.id for u in s.scalars(select(User))}

    def lead(self, email: str, *, owner: str | None = None, claimed_by: str | None = None,
             lease: timedelta = timedelta(minutes=10)) -> int:
        """A lead with a hand raise; ``claimed_by`` holds it under a live lease (real time)."""
        with self.owner.session() as s:
            camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
            assert camp is not None
            now = clock.now()
            lead = Lead(first_name="Pat", email=email, phone="+12125550100", time_zones=["UTC"],
                        campaign_id=camp.id, designation="cold", created_at=now, updated_at=now,
                        owner_id=self.ids[owner] if owner else None)
            if claimed_by:
                lead.claimed_by_id, lead.claimed_at = self.ids[claimed_by], datetime.now().astimezone()
                lead.lease_expires_at = datetime.now().astimezone() + lease
            s.add(lead)
            s.flush()
            add_hand_raise(s, lead, camp, "contact_form", 50, now)
            return lead.id

    def sql(self, name: str) -> psycopg.Connection:
        return psycopg.connect(self.urls[name], autocommit=True)

    def db(self, name: str) -> Database:
        return Database(self.urls[name])

    def audit(self, lead_id: int) -> list[tuple[str, str | None, str | None, str | None]]:
        """(action, field, user, by) of the lead's audit rows, oldest first."""
        with self.owner.session(write=False) as s:
            names = {v: k for k, v in self.ids.items()}
            return [(a.action, a.field, names.get(a.user_id or -1), names.get(a.by_id or -1))
                    for a in s.scalars(select(AuditEntry).where(AuditEntry.lead_id == lead_id)
                                       .order_by(AuditEntry.id))]


@pytest.fixture
def team(pg_url: str) -> Iterator[Team]:
    t = Team(pg_url)
    yield t
    t.owner.dispose()


def _refused(conn: psycopg.Connection, sql: str, *args: object) -> str:
    with pytest.raises(Refused) as exc:
        conn.execute(sql, args or None)
    return str(exc.value)


def test_a_reps_login_cannot_steal_hoard_or_rewrite_leads(team: Team) -> None:
    bos = team.lead("bos@acme.test", owner="Bo")
    held = team.lead("held@acme.test", claimed_by="Bo")
    free = team.lead("free@acme.test")
    ana = team.ids["Ana"]
    with team.sql("Ana") as c:
        # another rep's lead: no edits, no stealing
        assert "is Bo's" in _refused(c, "UPDATE leads SET first_name = 'Mine' WHERE id = %s", bos)
        _refused(c, "UPDATE leads SET owner_id = %s WHERE id = %s", ana, bos)
        _refused(c, "UPDATE leads SET owner_id = NULL WHERE id = %s", bos)
        # a lead Bo holds under a live claim: refused, naming Bo
        msg = _refused(c, "UPDATE leads SET claimed_by_id = %s, lease_expires_at = now() "
                          "+ interval '5 minutes' WHERE id = %s", ana, held)
        assert "held by Bo" in msg
        # hoarding: a 100-year lease, or grabbing every free lead as one's own
        assert "at most" in _refused(
            c, "UPDATE leads SET claimed_by_id = %s, claimed_at = now(), "
               "lease_expires_at = now() + interval '100 years' WHERE id = %s", ana, free)
        assert "first call" in _refused(
            c, "UPDATE leads SET owner_id = %s WHERE owner_id IS NULL AND claimed_by_id IS NULL",
            ana)
        # a claim in someone else's name
        _refused(c, "UPDATE leads SET claimed_by_id = %s, lease_expires_at = now() "
                    "+ interval '5 minutes' WHERE id = %s", team.ids["Bo"], free)
        # freezing the team
        for mode in ("", " IN ACCESS EXCLUSIVE MODE", " IN EXCLUSIVE MODE", " IN SHARE MODE",
                     " IN SHARE ROW EXCLUSIVE MODE", " IN ROW SHARE MODE"):
            with pytest.raises(Refused), c.transaction():
                c.execute(f"LOCK TABLE leads{mode}")
        # a temporary table of the login's own never stands in for the team's
        c.execute("CREATE TEMP TABLE settings (key text, value text)")
        c.execute("INSERT INTO settings VALUES ('claim.lease_minutes', '99999999')")
        c.execute("CREATE TEMP TABLE audit_log (LIKE public.audit_log)")
        c.execute("CREATE TEMP TABLE users (LIKE public.users)")
        _refused(c, "UPDATE leads SET claimed_by_id = %s, claimed_at = now(), "
                    "lease_expires_at = now() + interval '100 years' WHERE id = %s", ana, free)
        # a rep's own legitimate claim by hand is allowed, and audited by the database
        c.execute("UPDATE leads SET claimed_by_id = %s, claimed_at = now(), "
                  "lease_expires_at = now() + interval '10 minutes' WHERE id = %s", (ana, free))
    with team.owner.session(write=False) as s:
        rows = {r.id: r for r in s.scalars(select(Lead))}
        assert rows[bos].owner_id == team.ids["Bo"] and rows[bos].first_name == "Pat"
        assert rows[held].claimed_by_id == team.ids["Bo"]
        assert rows[free].owner_id is None and rows[free].claimed_by_id == ana
    assert ("direct change", "claimed_by_id", "Ana", None) in team.audit(free)


def test_a_reps_login_cannot_rewrite_others_work_or_forge_the_audit(team: Team) -> None:
    lead = team.lead("pat@acme.test")
    held = team.lead("held@acme.test", claimed_by="Bo")
    bo_db = team.db("Bo")
    log_call(bo_db, lead, "Bo", "no_answer", notes="Bo's own words")
    bo_db.dispose()
    ana, bo, lee = team.ids["Ana"], team.ids["Bo"], team.ids["Lee"]
    with team.sql("Ana") as c:
        _refused(c, "UPDATE attempts SET disposition = 'connected' WHERE rep_id = %s", bo)
        _refused(c, "UPDATE attempts SET rep_id = %s WHERE rep_id = %s", ana, bo)
        _refused(c, "UPDATE notes SET body = 'rewritten' WHERE author_id = %s", bo)
        _refused(c, "INSERT INTO attempts (lead_id, rep_id, started_at, disposition, source) "
                    "VALUES (%s, %s, now(), 'connected', 'app')", lead, bo)
        _refused(c, "INSERT INTO notes (lead_id, author_id, body, created_at, updated_at) "
                    "VALUES (%s, %s, 'as Bo', now(), now())", lead, bo)
        # two reps, one lead: no call, note or callback on the lead Bo holds
        assert "held by Bo" in _refused(
            c, "INSERT INTO attempts (lead_id, rep_id, started_at, disposition, source) "
               "VALUES (%s, %s, now(), 'connected', 'app')", held, ana)
        _refused(c, "INSERT INTO callbacks (lead_id, rep_id, due_at, scope, created_at) "
                    "VALUES (%s, %s, now(), 'mine', now())", held, ana)
        # the audit log: no writes at all, and a declared row never names someone else
        _refused(c, "INSERT INTO audit_log (lead_id, user_id, at, action) "
                    "VALUES (%s, %s, now(), 'reassign')", lead, lee)
        _refused(c, "UPDATE audit_log SET user_id = %s", lee)
        _refused(c, "DELETE FROM audit_log")
        c.execute("INSERT INTO audit_requests (lead_id, user_id, at, action) "
                  "VALUES (%s, %s, '2001-01-01', 'forged')", (lead, lee))
    with team.owner.session(write=False) as s:
        assert [a.disposition for a in s.scalars(select(Attempt))] == ["no_answer"]
        assert [n.body for n in s.scalars(select(Note))] == ["Bo's own words"]
        # an action the app never records is filed as the client's words (0010)
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "forged")) is None
        forged = s.scalar(select(AuditEntry).where(AuditEntry.reason == "forged"))
        assert forged is not None and forged.action == "declared"
        assert forged.user_id == ana and forged.at.year > 2001


def test_a_reps_login_cannot_queue_forged_email(team: Team) -> None:
    lead = team.lead("pat@acme.test")
    ana = team.ids["Ana"]
    insert = ("INSERT INTO emails (lead_id, rep_id, to_addr, from_addr, reply_to, subject, "
              "body_text, status, tries, created_at, source) VALUES (%s, %s, %s, "
              "'ceo@acme.test', 'phish@evil.test', 'Invoice', 'pay', 'queued', 0, now(), 'app')")
    with team.sql("Ana") as c:
        assert "lead's own address" in _refused(c, insert, lead, ana, "victim@evil.test")
        _refused(c, insert, lead, ana, "pat@acme.test, victim@evil.test")
        _refused(c, insert, lead, team.ids["Lee"], "pat@acme.test")
        c.execute(insert, (lead, ana, "pat@acme.test"))
        _refused(c, "UPDATE emails SET from_addr = 'ceo@acme.test'")
        _refused(c, "UPDATE emails SET to_addr = 'victim@evil.test'")
    with team.owner.session(write=False) as s:
        e = s.scalar(select(Email))
        assert e is not None and (e.from_addr, e.reply_to) == ("ana@team.test", "ana@team.test")


def test_a_reps_normal_work_succeeds_with_its_own_login(team: Team, frozen: FrozenClock) -> None:
    """Claim-next (the server walk), log-call with a note, callback, note, follow-up
    (queued), give back — all through the app's services on the rep's login; the
    database's audit names the rep."""
    mine = team.lead("pat@acme.test")
    seeded = len(team.audit(mine))
    ana_db = team.db("Ana")
    try:
        claim = queue.claim_next(ana_db, "Ana", frozen.t)
        assert claim.lead_id == mine
        log_call(ana_db, mine, "Ana", "no_answer", notes="rang out")
        schedule_callback(ana_db, mine, "Ana", frozen.t + timedelta(hours=2))
        upsert_note(ana_db, mine, "Ana", "asked for the pricing sheet")
        r = run_followup(ana_db, mine, "Ana", send_now=False)
        assert r.email_status == "queued"
        # a replayed call with the same key is found, not doubled
        again = log_call(ana_db, mine, "Ana", "busy", idempotency_key="k-1")
        assert not again.duplicate
        assert log_call(ana_db, mine, "Ana", "busy", idempotency_key="k-1").duplicate
        queue.claim_lead(ana_db, mine, "Ana")
        assert queue.release(ana_db, mine, "Ana").leads == (mine,)
    finally:
        ana_db.dispose()
    trail = team.audit(mine)[seeded:]
    assert {u for _, _, u, _ in trail} == {"Ana"}
    assert {a for a, _, _, _ in trail} >= {"claim", "attempt", "callback", "note", "followup",
                                           "release"}
    assert not [t for t in trail if t[0] == "direct change"]  # the app declared each change
    with team.owner.session(write=False) as s:
        assert s.get(Lead, mine).owner_id is None  # type: ignore[union-attr]  # given back


def test_two_reps_one_lead_is_refused_naming_the_holder(team: Team) -> None:
    held = team.lead("held@acme.test", claimed_by="Bo")
    ana_db = team.db("Ana")
    with pytest.raises(NotAllowed, match="held by Bo"):
        log_call(ana_db, held, "Ana", "connected")
    with pytest.raises(NotAllowed, match="held by Bo"):
        upsert_note(ana_db, held, "Ana", "mine now")
    # a call Ana made before Bo's claim began (offline, replayed now) is not refused
    before = datetime.now().astimezone() - timedelta(minutes=5)
    assert not log_call(ana_db, held, "Ana", "no_answer", started_at=before).duplicate
    ana_db.dispose()
    # the team lead may override, and the override is audited with both names
    lee_db = team.db("Lee")
    with pytest.raises(NotAllowed, match="held by Bo"):
        log_call(lee_db, held, "Ana", "connected")
    log_call(lee_db, held, "Ana", "connected", override_by="Lee")
    lee_db.dispose()
    trail = team.audit(held)
    assert ("hold override", "call", "Lee", None) in trail
    assert ("attempt", "disposition", "Ana", "Lee") in trail


def test_cli_rep_and_by_are_bound_to_the_login(team: Team) -> None:
    lead = team.lead("pat@acme.test")
    other = team.lead("other@acme.test", owner="Bo")
    r = run(team.urls["Ana"], "log-call", str(lead), "--rep", "Bo", "--disposition", "no_answer")
    assert r.code == 1 and r.err.count("\n") == 1
    assert "this database login is Ana's (rep), so it acts only as Ana" in r.err
    for argv in (("reassign", str(other), "--to", "Ana", "--by", "Lee"),
                 ("turn-over", str(lead), "--to", "Sam", "--by", "Bo", "--override", "x"),
                 ("callback", str(lead), "--rep", "Bo", "--at", "2026-12-24T10:00+00:00"),
                 ("followup", str(lead), "--rep", "Bo"), ("release", str(lead), "--rep", "Bo"),
                 ("designate", str(lead), "hot", "--by", "Lee"),
                 ("qualify", str(lead), "--rep", "Bo")):
        r = run(team.urls["Ana"], *argv)
        assert r.code == 1 and "acts only as Ana" in r.err, (argv, r.err)
    # left out, --rep is the login's person; naming oneself is fine
    r = run(team.urls["Ana"], "log-call", str(lead), "--disposition", "no_answer", "--json")
    assert r.code == 0, r.err
    r = run(team.urls["Ana"], "log-call", str(lead), "--rep", "Ana", "--disposition", "busy",
            "--idempotency-key", "script-7", "--json")
    assert r.code == 0 and not r.json()["duplicate"]
    r = run(team.urls["Ana"], "log-call", str(lead), "--rep", "Ana", "--disposition", "busy",
            "--idempotency-key", "script-7", "--json")
    assert r.code == 0 and r.json()["duplicate"]
    # a team lead's login acts for a rep, and the audit names both
    r = run(team.urls["Lee"], "log-call", str(lead), "--rep", "Bo", "--disposition", "connected")
    assert r.code == 0, r.err
    r = run(team.urls["Lee"], "reassign", str(other), "--to", "Ana")
    assert r.code == 0, r.err
    trail = team.audit(lead)
    assert [t for t in trail if t[0] == "attempt"] == [
        ("attempt", "disposition", "Ana", None), ("attempt", "disposition", "Ana", None),
        ("attempt", "disposition", "Bo", "Lee")]
    assert ("reassign", "owner", "Lee", None) in team.audit(other)
    r = run(team.url, "audit", str(lead), "--json")
    assert [(e["user"], e["by"]) for e in r.json() if e["action"] == "attempt"][-1] == ("Bo", "Lee")
    # the schema owner's login (nobody's) acts for anyone, as before
    r = run(team.url, "log-call", str(other), "--rep", "Ana", "--disposition", "no_answer")
    assert r.code == 0, r.err


def test_cli_log_call_on_a_lead_another_rep_holds(team: Team) -> None:
    held = team.lead("held@acme.test", claimed_by="Bo")
    r = run(team.urls["Ana"], "log-call", str(held), "--disposition", "connected")
    assert r.code == 1 and r.err.count("\n") == 1
    assert f"lead {held} is held by Bo until" in r.err
    r = run(team.urls["Ana"], "log-call", str(held), "--disposition", "connected",
            "--override-hold")
    assert r.code == 1 and "only a team lead or an admin" in r.err
    r = run(team.urls["Lee"], "log-call", str(held), "--rep", "Ana", "--disposition",
            "connected", "--override-hold")
    assert r.code == 0, r.err


def test_tables_added_later_are_guarded_too(team: Team) -> None:
    """Phone tables (#18) came after 0007: the grants put the same person guard on them."""
    from qualdesk.services.phone_states import set_state

    ana_db = team.db("Ana")
    set_state(ana_db, "Ana", "ringing")
    set_state(ana_db, "Ana", "idle")
    ana_db.dispose()
    with team.sql("Ana") as c:
        _refused(c, "INSERT INTO phone_states (rep_id, state, since, updated_at) "
                    "VALUES (%s, 'idle', now(), now())", team.ids["Bo"])
        c.execute("INSERT INTO voicemail_recordings (rep_id, file_name, duration_ms, sha256, "
                  "created_at) VALUES (%s, 'bo.wav', 1000, 'x', now())", (team.ids["Ana"],))
    with team.sql("Bo") as c:
        _refused(c, "DELETE FROM voicemail_recordings")
        with pytest.raises(Refused), c.transaction():
            c.execute("LOCK TABLE phone_states")


def test_a_rep_group_login_that_is_nobodys_may_change_nothing(team: Team) -> None:
    """A login put in qualdesk_rep by hand, with no person behind it, has no identity for
    the guards or the audit: it may read, not write."""
    login = f"qdg_ghost_{uuid.uuid4().hex[:6]}"
    admin = create_engine(normalise_url(pg_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE ROLE {login} LOGIN PASSWORD 'pw' IN ROLE qualdesk_rep"))
    admin.dispose()
    lead = team.lead("pat@acme.test")
    url = make_url(team.url).set(drivername="postgresql", username=login, password="pw")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as c:
        assert c.execute("SELECT count(*) FROM leads").fetchone() == (1,)
        assert "may not change anything" in _refused(
            c, "UPDATE leads SET first_name = 'x' WHERE id = %s", lead)


def test_a_sales_login_gives_verdicts_but_never_claims(team: Team) -> None:
    add_user(team.owner, "Sam", "sales", email="sam@team.test")
    login = f"qdg_sam_{uuid.uuid4().hex[:6]}"
    pg_roles.grant_login(team.owner, "Sam", login, "pw")
    url = make_url(team.url).set(username=login, password="pw").render_as_string(hide_password=False)
    lead = team.lead("pat@acme.test", owner="Ana")
    # (0010: a sales login changes only the leads turned over to it)
    turn_over(team.owner, lead, "Sam", by="Ana", override="the guard test")
    with team.owner.session(write=False) as s:
        sam = s.scalar(select(User.id).where(User.name == "Sam"))
    with psycopg.connect(url, autocommit=True) as c:
        assert "does not claim" in _refused(
            c, "UPDATE leads SET claimed_by_id = %s, lease_expires_at = now() "
               "+ interval '100 years' WHERE id = %s", sam, lead)
        assert "back to a qualifying rep" in _refused(
            c, "UPDATE leads SET owner_id = %s WHERE id = %s", team.ids["Lee"], lead)
        c.execute("UPDATE leads SET owner_id = %s, designation = 'incubating' WHERE id = %s",
                  (team.ids["Bo"], lead))
