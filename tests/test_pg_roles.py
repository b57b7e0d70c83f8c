"""Roles the schema enforces: a rep's own PostgreSQL login cannot export, delete, or edit
settings and configuration, whatever client it uses; the CLI says so in one line. The
password lives in the OS keyring, never in the machine settings file."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, Lead, User
from qualdesk.services import claim_pg, credentials
from qualdesk.services.hand_raises import add_hand_raise
from qualdesk.services.pg_roles import person_for_login
from qualdesk.settings import MachineSettings
from tests.cli_helpers import run
from tests.conftest import FrozenClock, pg_url_with_logins
from tests.memory_keyring import MemoryKeyring


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    yield from pg_url_with_logins(pg_template, "qdt_")


def _add_with_login(url: str, name: str, role: str, login: str, password: str,
                    monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    r = run(url, "user", "add", name, "--role", role, "--db-login", login, "--password-stdin")
    assert r.code == 0, r.err
    return r.out


def _as(url: str, login: str, password: str) -> str:
    u = make_url(url)
    return u.set(username=login, password=password).render_as_string(hide_password=False)


def _seed_lead(url: str) -> int:
    db = Database(url)
    with db.session() as s:
        camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert camp is not None
        now = clock.now()
        lead = Lead(first_name="Pat", email="pat@acme.test", phone="+12125550100",
                    time_zones=["UTC"], campaign_id=camp.id, designation="cold",
                    created_at=now, updated_at=now)
        s.add(lead)
        s.flush()
        add_hand_raise(s, lead, camp, "contact_form", 50, now)
        lead_id = lead.id
    db.dispose()
    return lead_id


FORBIDDEN_FOR_REP = [
    "INSERT INTO export_marks (lead_id, format, at) VALUES ({lead}, 'csv', now())",
    "DELETE FROM notes",
    "DELETE FROM attempts WHERE lead_id = {lead}",
    "DELETE FROM leads WHERE id = {lead}",
    "INSERT INTO settings (key, value) VALUES ('smtp.host', 'evil.example')",
    "UPDATE settings SET value = 'x'",
    "UPDATE campaigns SET script = 'mine'",
    "INSERT INTO campaigns (name, created_at) VALUES ('Rogue', now())",
    "INSERT INTO dispositions (code, label) VALUES ('rogue', 'Rogue')",
    "UPDATE hand_raise_kinds SET strength = 100",
    "INSERT INTO users (name, role, created_at) VALUES ('eve', 'admin', now())",
]


def test_rep_login_is_refused_by_the_schema(pg_url: str, monkeypatch: pytest.MonkeyPatch,
                                            frozen: FrozenClock) -> None:
    # frozen: 15:00 UTC, inside the calling window for the lead's UTC zone at any hour CI runs.
    login = f"qdt_ana_{uuid.uuid4().hex[:6]}"
    out = _add_with_login(pg_url, "Ana", "rep", login, "s3cret'pw", monkeypatch)
    assert f"database login '{login}' created in qualdesk_rep" in out
    lead = _seed_lead(pg_url)
    rep_url = _as(pg_url, login, "s3cret'pw")
    with psycopg.connect(rep_url, autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (login,)
        for sql in FORBIDDEN_FOR_REP:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql.format(lead=lead))
        # Reading and the rep's own work are allowed.
        assert conn.execute("SELECT count(*) FROM leads").fetchone() == (1,)

    # The server-side claim runs under the rep's own grants (it does not fall back)...
    rep_db = Database(rep_url)
    got = claim_pg.fast_claim(rep_db, "Ana", frozen.t)
    assert isinstance(got, claim_pg.Claimed) and got.lead_id == lead
    rep_db.dispose()
    # ...the CLI, connected as the rep, works for the rep's job and defaults --rep to Ana...
    r = run(rep_url, "claim-next", "--json")
    assert r.code == 0, r.err
    assert r.json()["lead"] == lead
    r = run(rep_url, "log-call", str(lead), "--disposition", "no_answer", "--json")
    assert r.code == 0, r.err
    assert Database(rep_url).is_postgres and person_for_login(Database(rep_url)) == "Ana"
    # ...and refuses settings in one line that says why.
    r = run(rep_url, "config", "set", "smtp.host", "evil.example")
    assert r.code == 1
    assert r.err.count("\n") == 1
    assert "permission denied for table settings" in r.err
    assert "does not allow this" in r.err


def test_team_lead_login_may_edit_settings(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    login = f"qdt_lee_{uuid.uuid4().hex[:6]}"
    _add_with_login(pg_url, "Lee", "lead", login, "pw", monkeypatch)
    lead_url = _as(pg_url, login, "pw")
    r = run(lead_url, "config", "set", "smtp.host", "mail.acme.test")
    assert r.code == 0, r.err
    with psycopg.connect(lead_url, autocommit=True) as conn, pytest.raises(
            psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO users (name, role, created_at) VALUES ('eve', 'admin', now())")
    # Moving Lee to the rep group takes the privilege away again.
    with Database(pg_url).session() as s:
        s.scalar(select(User).where(User.name == "Lee")).role = "rep"  # type: ignore[union-attr]
    r = run(pg_url, "user", "grant", "Lee", "--db-login", login)
    assert r.code == 0 and "qualdesk_rep" in r.out
    r = run(lead_url, "config", "set", "smtp.host", "mail2.acme.test")
    assert r.code == 1 and "permission denied" in r.err


def test_sqlite_notes_the_login_only(sqlite_db: Database) -> None:
    r = run(sqlite_db.url, "user", "add", "Bo", "--role", "rep", "--db-login", "bo", "--json")
    assert r.code == 0, r.err
    assert "SQLite has no database logins" in r.json()["login_note"]
    with sqlite_db.session(write=False) as s:
        assert s.scalar(select(User.db_login).where(User.name == "Bo")) == "bo"
    r = run(sqlite_db.url, "user", "add", "Cy", "--role", "rep", "--db-login", "Bad Login!")
    assert r.code == 1 and "database login 'bad login!'" in r.err


def test_password_lives_in_the_keyring(memory_keyring: MemoryKeyring, tmp_path: Path,
                                       pg_url: str) -> None:
    url = _as(pg_url, "postgres", "t0p/secret")
    ms = credentials.remember_connection(url, MachineSettings())
    saved = (Path(tmp_path / "config") / "machine.json").read_text()
    assert "t0p" not in saved
    assert json.loads(saved)["db_url"] == _as(pg_url, "postgres", "x").replace(":x@", "@")
    assert memory_keyring.store == {("qualdesk-db", credentials.account(url)): "t0p/secret"}
    assert ms.db_url is not None
    resolved = credentials.resolve(MachineSettings.load().db_url or "")
    assert make_url(resolved).password == "t0p/secret"
    db = Database(resolved)
    with db.session(write=False) as s:
        assert s.scalar(text("SELECT 1")) == 1
    db.dispose()
    credentials.forget_password(url)
    assert memory_keyring.store == {}


def test_a_rep_login_can_type_and_clear_a_note(pg_url: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Notes are saved as typed and may be emptied again; with no DELETE grant for reps,
    emptying blanks the note instead of deleting it."""
    from qualdesk.services import notes as notes_svc
    from qualdesk.services.leads import lead_detail

    lead = _seed_lead(pg_url)
    _add_with_login(pg_url, "Rita Rep", "rep", "qdt_rita", "pw-rita", monkeypatch)
    rep_db = Database(_as(pg_url, "qdt_rita", "pw-rita"))
    saved = notes_svc.upsert_note(rep_db, lead, "Rita Rep", "call back after 3")
    assert [n.body for n in lead_detail(rep_db, lead).notes] == ["call back after 3"]
    cleared = notes_svc.upsert_note(rep_db, lead, "Rita Rep", "", saved.note_id)
    assert cleared.note_id is None
    assert lead_detail(rep_db, lead).notes == ()
    rep_db.dispose()
