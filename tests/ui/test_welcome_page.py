"""The first run without a terminal: the welcome page drives the same services as the
CLI on a fresh SQLite file, a real empty PostgreSQL database and a real SMTP server."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from qualdesk.db.engine import Database, normalise_url
from qualdesk.services import first_run
from qualdesk.services.users import list_users
from qualdesk.settings import MachineSettings
from tests.cli_helpers import run
from tests.conftest import _with_db, drop_pg, pg_admin_url
from tests.smtp_server import SmtpServer, smtp_server_fixture  # noqa: F401  (the fixture)
from ui.ops import SyncRunner
from ui.welcome_page import WelcomePage
from ui.welcome_steps import DatabaseStep, EmailStep, LeadsStep, RepsStep, YouStep


@pytest.fixture
def page(qtbot, sqlite_db: Database) -> WelcomePage:  # type: ignore[no-untyped-def]
    p = WelcomePage(sqlite_db, SyncRunner(), MachineSettings())
    qtbot.addWidget(p)
    p.show()
    return p


def step(p: WelcomePage, cls: type) -> object:
    return next(s for s in p.steps if isinstance(s, cls))


def test_a_team_lead_sets_up_the_team_and_opens_the_app(qtbot, page: WelcomePage,  # type: ignore[no-untyped-def]
                                                        smtp_server: SmtpServer) -> None:
    assert first_run.needs_setup(page.db)
    assert page.steps_list.count() == 5 and page.current == 0
    page.skip.click()  # solo SQLite: nothing to do
    you = step(page, YouStep)
    assert page.current == 1
    you.name.setText("Tara Quinn")
    you.email.setText("tara@example.com")
    you.role.setCurrentIndex(you.role.findData("lead"))
    page.next.click()  # Next creates me, then moves on
    assert page.user is not None and page.user.role == "lead"
    reps = step(page, RepsStep)
    for name, email in (("Alex Rivera", "alex@example.com"), ("Bea Novak", "")):
        reps.name.setText(name)
        reps.email.setText(email)
        reps.add.click()
    assert reps.list.count() == 2 and reps.name.text() == ""
    page.next.click()
    mail = step(page, EmailStep)
    assert page.current == 3 and mail.to.text() == "tara@example.com"
    mail.host.setText(smtp_server.host)
    mail.port.setText(str(smtp_server.port))
    mail.security.setCurrentIndex(mail.security.findData("none"))
    mail.test.click()
    assert mail.result.text().startswith("Sent a test email to tara@example.com")
    assert [m["Subject"] for m in smtp_server.messages] == ["QualDesk test email"]
    assert smtp_server.envelopes[0][1] == ["tara@example.com"]
    page.next.click()
    done: list[tuple[object, str]] = []
    page.sig_done.connect(lambda who, then: done.append((who, then)))
    step(page, LeadsStep).imp.click()
    assert done == [(page.user, "import")]
    # the same database the CLI reads: people and settings are there
    r = run(page.db.url, "users", "--json")
    assert {(u["name"], u["role"]) for u in r.json()} == {
        ("Tara Quinn", "lead"), ("Alex Rivera", "rep"), ("Bea Novak", "rep")}
    assert run(page.db.url, "config", "get", "smtp.port").out.strip() == str(smtp_server.port)


def test_a_refused_test_email_says_why(page: WelcomePage) -> None:
    mail = step(page, EmailStep)
    page.go(3)
    mail.host.setText("127.0.0.1")
    mail.port.setText("1")  # nothing listens there
    mail.security.setCurrentIndex(mail.security.findData("none"))
    mail.to.setText("me@example.com")
    mail.test.click()
    assert mail.result.text().startswith("⚠ the test email was not sent: mail server unreachable")


def test_opening_needs_you_first(page: WelcomePage) -> None:
    done: list[object] = []
    page.sig_done.connect(lambda *a: done.append(a))
    page.go(4)
    page.finish_button.click()
    assert done == [] and page.current == 1
    assert page.note.text() == "Create yourself first: the app opens as you."


def test_a_team_postgresql_is_tested_upgraded_and_used(page: WelcomePage) -> None:
    name = f"qd_welcome_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(pg_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = _with_db(pg_admin_url(), name)
    try:
        db_step = step(page, DatabaseStep)
        db_step.team.setChecked(True)
        assert db_step.url.isEnabled()
        db_step.url.setText(url)
        db_step.test.click()
        assert "It is empty: press Upgrade schema" in db_step.result.text()
        db_step.use.click()  # refused until the schema is there
        assert page.db.is_sqlite
        db_step.upgrade.click()
        assert db_step.result.text().startswith("Schema upgraded.")
        assert "The schema is up to date (no people yet)" in db_step.result.text()
        db_step.use.click()
        assert page.db.is_postgres and MachineSettings.load().db_url == url
        assert not page.sign_in.isVisible()  # nobody there yet to sign in as
        page.db.dispose()
    finally:
        drop_pg(url)


def test_a_wrong_address_is_one_line(page: WelcomePage) -> None:
    db_step = step(page, DatabaseStep)
    db_step.team.setChecked(True)
    db_step.url.setText("postgresql://nobody:wrong@127.0.0.1:1/none")
    db_step.test.click()
    assert db_step.result.text().startswith("⚠ cannot connect to PostgreSQL 127.0.0.1:1/none")
    assert "wrong" not in db_step.result.text()  # the password is never shown
    db_step.url.setText("")
    db_step.test.click()
    assert db_step.result.text().startswith("⚠ write the database address first")


# The real start in a process of its own: ``app.exec()`` run inside the test process
# leaves Qt's offscreen platform unable to activate later tests' windows.
_FRESH_START = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
from ui.app import run

app = QApplication([sys.argv[0], "-platform", "offscreen"])
seen = []

def look():
    tops = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    texts = [lbl.text() for w in tops for lbl in w.findChildren(QLabel)]
    seen.append({"tops": [w.objectName() for w in tops],
                 "advice": [t for t in texts if "qualdesk user add" in t]})
    for w in tops:
        if w.objectName() == "welcome_page":
            w.close()
    QTimer.singleShot(5000, app.quit)  # nothing closed: do not hang the test

QTimer.singleShot(300, look)
code = run(sys.argv[1], None, False)
print(json.dumps({"code": code, "seen": seen}))
"""


def test_a_fresh_install_opens_on_the_welcome_page(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``qualdesk app`` on an empty database: the welcome page, not a sign-in with
    nobody in it; closing it quits."""
    import json
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    done = subprocess.run([sys.executable, "-c", _FRESH_START, url], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["code"] == 0
    (first,) = out["seen"]
    assert "welcome_page" in first["tops"] and "sign_in_dialog" not in first["tops"]
    assert first["advice"] == []
    assert list_users(Database(url)) == []
