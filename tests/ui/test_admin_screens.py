"""People and roles, team settings: the admin screens drive the CLI's services on real
databases (a real PostgreSQL login is created, its password reset, and used)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from qualdesk.db.engine import Database, normalise_url
from qualdesk.services import team_settings
from qualdesk.services.campaigns import get_campaign
from qualdesk.services.users import add_user, get_user
from tests.cli_helpers import run
from tests.conftest import pg_admin_url, pg_url_with_logins
from tests.test_pg_roles import _as
from ui.admin_users import AdminUsersView
from ui.ops import SyncRunner
from ui.team_settings_view import TeamSettingsView


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    yield from pg_url_with_logins(pg_template, "qdw_")


def _password_hash(login: str) -> str | None:
    admin = create_engine(normalise_url(pg_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        got = c.scalar(text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": login})
    admin.dispose()
    return got


def test_add_deactivate_and_reactivate(qtbot, sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    add_user(sqlite_db, "Tara Quinn", "lead", email="tara@example.com")
    v = AdminUsersView(sqlite_db, SyncRunner())
    qtbot.addWidget(v)
    assert not v.toggle.isEnabled()  # nobody selected yet
    v.name.setText("Ana Lopez")
    v.email.setText("ana@example.com")
    v.role.setCurrentIndex(v.role.findData("rep"))
    v.add.click()
    assert v.message.text() == "Added Ana Lopez (Qualifying rep)."
    assert v.table.rowCount() == 2 and v.table.item(0, 1).text() == "Qualifying rep"
    v.select("Ana Lopez")
    assert v.toggle.text() == "&Deactivate"
    v.toggle.click()
    assert not get_user(sqlite_db, "Ana Lopez").active
    assert v.table.item(0, 3).text() == "no (deactivated)" and v.toggle.text() == "Re&activate"
    assert [u["active"] for u in run(sqlite_db.url, "users", "--json").json()
            if u["name"] == "Ana Lopez"] == [False]  # the CLI sees it
    v.toggle.click()
    assert get_user(sqlite_db, "Ana Lopez").active
    v.name.setText("ana lopez")  # the same person: refused, in words
    v.add.click()
    assert v.message.text() == "⚠ a user named 'Ana Lopez' already exists (Qualifying rep)"


def test_a_database_login_is_created_reset_and_works(qtbot, pg_url: str) -> None:  # type: ignore[no-untyped-def]
    db = Database(pg_url)
    add_user(db, "Ana Lopez", "rep", email="ana@example.com")
    v = AdminUsersView(db, SyncRunner())
    qtbot.addWidget(v)
    v.select("Ana Lopez")
    v.login.setText("qdw_ana")
    v.password.setText("first-Pass1")
    v.password2.setText("first-Pass2")
    v.set_login.click()
    assert v.message.text().startswith("⚠ The two passwords differ")
    v.password2.setText("first-Pass1")
    v.set_login.click()
    assert "database login 'qdw_ana' created" in v.message.text()
    assert v.table.item(0, 4).text() == "qdw_ana"
    # reset: the stored password changes (the test server trusts 127.0.0.1, so the hash
    # is what can be checked; a real server then refuses the old password)
    first = _password_hash("qdw_ana")
    assert first and first.startswith("SCRAM-SHA-256$")
    v.select("Ana Lopez")
    v.password.setText("second-Pass")
    v.password2.setText("second-Pass")
    v.set_login.click()
    assert "database login 'qdw_ana' updated" in v.message.text()
    assert v.password.text() == ""
    assert _password_hash("qdw_ana") not in (None, first)
    as_ana = Database(_as(pg_url, "qdw_ana", "second-Pass"))
    with as_ana.session(write=False) as s:
        assert s.scalar(text("SELECT session_user")) == "qdw_ana"
    # Ana's own login may not manage people: the database refuses, the screen says so
    v_ana = AdminUsersView(as_ana, SyncRunner())
    qtbot.addWidget(v_ana)
    v_ana.name.setText("Someone Else")
    v_ana.add.click()
    assert v_ana.message.text().startswith("⚠") and get_user(db, "Ana Lopez").active
    as_ana.dispose()
    db.dispose()


def test_team_settings_are_saved_in_words_and_reach_the_cli(qtbot, sqlite_db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    add_user(sqlite_db, "Tara Quinn", "lead")
    v = TeamSettingsView(sqlite_db, SyncRunner(), by="Tara Quinn")
    qtbot.addWidget(v)
    assert v.zone.currentText() == "UTC" and v.times["calling.window_end"].time().toString("HH:mm") == "21:00"
    v.zone.setCurrentText("America/New_York")
    v.times["calling.window_start"].setTime(v.times["calling.window_start"].time().addSecs(3600))
    v.policy.setCurrentIndex(v.policy.findData("fifo"))
    v.numbers["claim.lease_minutes"].setValue(20)
    v.save.click()
    assert v.message.text().startswith("Saved.")
    assert run(sqlite_db.url, "config", "get", "team.timezone").out.strip() == "America/New_York"
    assert team_settings.get_value(sqlite_db, "calling.window_start") == "09:00"
    assert team_settings.get_value(sqlite_db, "queue.policy") == "fifo"
    assert team_settings.get_value(sqlite_db, "claim.lease_minutes") == 20
    v.zone.setCurrentText("Mars/Olympus")
    v.save.click()
    assert v.message.text().startswith("⚠") and "Mars/Olympus" in v.message.text()
    assert team_settings.get_value(sqlite_db, "team.timezone") == "America/New_York"  # nothing half-applied
    # per campaign: the SLA and the attempt policy
    assert v.campaign.count() >= 1
    v.campaign_spins["sla_minutes"].setValue(30)
    v.campaign_spins["same_day_live_attempts"].setValue(3)
    v.save_campaign.click()
    name = v.campaign.currentText()
    assert v.message.text() == f"Saved {name}."
    got = get_campaign(sqlite_db, name)
    assert (got.sla_minutes, got.same_day_live_attempts) == (30, 3)
