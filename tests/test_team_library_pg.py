"""PostgreSQL with real logins (0009): a rep's login reads the team's scripts and templates
but may not save one, through the app's services or by hand; a team lead's login saves,
and the database writes who and when from the login, whatever the client says; a saved
version is never changed afterwards."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from qualdesk.db.engine import Database
from qualdesk.db.models import ScriptVersion, User
from qualdesk.errors import NotAllowed
from qualdesk.paths import scripts_library_dir
from qualdesk.services import team_library
from qualdesk.services import template_drafts as drafts
from qualdesk.services.script_library import load_script
from tests.cli_helpers import run
from tests.conftest import pg_url_with_logins

SCRIPT = (scripts_library_dir() / "default.toml").read_text(encoding="utf-8")


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    yield from pg_url_with_logins(pg_template, "qdt9_")


def _login(url: str, name: str, role: str, monkeypatch: pytest.MonkeyPatch) -> str:
    login = f"qdt9_{name.lower()}_{uuid.uuid4().hex[:6]}"
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    r = run(url, "user", "add", name, "--role", role, "--email", f"{name.lower()}@example.com",
            "--db-login", login, "--password-stdin")
    assert r.code == 0, r.err
    return make_url(url).set(username=login, password="pw").render_as_string(hide_password=False)


def test_a_rep_login_reads_but_may_not_save(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    lead_url = _login(pg_url, "Lee", "lead", monkeypatch)
    rep_url = _login(pg_url, "Ana", "rep", monkeypatch)
    lead_db, rep_db = Database(lead_url), Database(rep_url)
    try:
        saved = drafts.save_script_draft("default", SCRIPT.replace("Level I", "Team"), lead_db,
                                         "Lee")
        assert isinstance(saved, team_library.Saved) and saved.changed_by == "Lee"
        # the rep's client reads the team's copy...
        with rep_db.session(write=False) as s:
            assert team_library.script(s, "default") == SCRIPT.replace("Level I", "Team")
            load_script("default", s)
        # ...but its login may not save one, whoever the client names as acting
        for by, said in (("Ana", "Ana is a rep"), (None, "does not allow this"),
                         ("Lee", "does not allow this")):  # the login decides, not the name
            with pytest.raises(NotAllowed, match=said):
                drafts.save_script_draft("default", SCRIPT, rep_db, by)
            with pytest.raises(NotAllowed):
                drafts.save_draft("default", "voicemail.txt.j2", "Hi {{ lead.first_name }}",
                                  rep_db, by)
        with psycopg.connect(rep_url, autocommit=True) as conn:
            for sql in ("INSERT INTO script_versions (name, version, source, changed_at) "
                        "VALUES ('default', 9, 'x', now())",
                        "INSERT INTO template_versions (folder, file, version, source, changed_at) "
                        "VALUES ('default', 'voicemail.txt.j2', 9, 'x', now())",
                        "INSERT INTO import_layout_versions (layout_key, version, headers, "
                        "mapping, changed_at) VALUES ('k', 1, '[]', '{}', now())",
                        "UPDATE script_versions SET source = 'x'",
                        "DELETE FROM script_versions"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
        with lead_db.session(write=False) as s:
            assert [h.version for h in team_library.history(s, "script", "default")] == [1]
    finally:
        lead_db.dispose()
        rep_db.dispose()


def test_the_database_writes_who_and_when(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    lead_url = _login(pg_url, "Lee", "lead", monkeypatch)
    _login(pg_url, "Ana", "rep", monkeypatch)
    owner = Database(pg_url)
    with owner.session(write=False) as s:
        ids = {name: uid for name, uid in s.execute(select(User.name, User.id))}
    with psycopg.connect(lead_url, autocommit=True) as conn:
        # the client claims Ana saved it in 2000: the database says Lee, now
        conn.execute("INSERT INTO script_versions (name, version, source, changed_by_id, "
                     "changed_at) VALUES ('webinar', 1, 'x', %s, '2000-01-01T00:00:00Z')",
                     (ids["Ana"],))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE script_versions SET source = 'y'")  # versions stay as saved
    with owner.session(write=False) as s:
        row = s.scalar(select(ScriptVersion).where(ScriptVersion.name == "webinar"))
        assert row is not None and row.changed_by_id == ids["Lee"]
        assert abs((row.changed_at - datetime.now(UTC)).total_seconds()) < 60
    owner.dispose()


def test_the_upgrade_grants_reading_to_every_group(pg_url: str) -> None:
    """A rep's client keeps working right after the upgrade that adds the tables, before
    anyone re-runs the grants: 0009 grants SELECT to every group itself (INSERT to team
    leads only)."""
    from alembic import command

    from qualdesk.db.migrate import alembic_config
    from qualdesk.services.pg_roles import apply_grants

    db = Database(pg_url)
    try:
        apply_grants(db)  # the groups exist, granted on an older schema...
        command.downgrade(alembic_config(db), "0008")
        command.upgrade(alembic_config(db), "head")  # ...then the upgrade adds the tables
        with db.session(write=False) as s:
            def may(role: str, table: str, what: str) -> bool:
                return bool(s.scalar(text("SELECT has_table_privilege(:r, :t, :w)"),
                                     {"r": role, "t": table, "w": what}))

            for table in ("script_versions", "template_versions", "import_layout_versions"):
                for group in ("qualdesk_rep", "qualdesk_sales", "qualdesk_lead", "qualdesk_admin"):
                    assert may(group, table, "SELECT"), (group, table)
                assert may("qualdesk_lead", table, "INSERT")
                assert not may("qualdesk_lead", table, "UPDATE")
                assert not may("qualdesk_rep", table, "INSERT")
                assert not may("qualdesk_sales", table, "INSERT")
    finally:
        db.dispose()
