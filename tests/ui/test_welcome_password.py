"""Choosing the team's database in the app keeps its password in the OS keyring, never
in this machine's settings file, and the next start connects with it again."""

from __future__ import annotations

from qualdesk.db.engine import Database
from qualdesk.services import credentials
from qualdesk.services.users import add_user
from qualdesk.settings import MachineSettings, _machine_path
from tests.memory_keyring import MemoryKeyring, memory_keyring  # noqa: F401  (the fixture)
from ui.app import resolve_db_url
from ui.ops import SyncRunner
from ui.welcome_page import WelcomePage

URL = "postgresql://lena:t0p%2Fsecret@127.0.0.1:5999/team"


def test_the_database_step_keeps_the_password_out_of_the_file(
        qtbot, sqlite_db: Database, memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    lead = add_user(sqlite_db, "Lena Lead", "lead", email="lena@example.com")
    page = WelcomePage(sqlite_db, SyncRunner(), MachineSettings(), lead)
    qtbot.addWidget(page)
    page.switch_database(URL)
    page.db.dispose()
    stored = _machine_path().read_text(encoding="utf-8")
    assert "secret" not in stored and "lena@127.0.0.1:5999/team" in stored
    assert memory_keyring.store == {("qualdesk-db", credentials.account(URL)): "t0p/secret"}
    assert resolve_db_url(None, MachineSettings.load()) == URL  # the next start
    assert page.note.text() == "The app uses this database from the next time you open it."
