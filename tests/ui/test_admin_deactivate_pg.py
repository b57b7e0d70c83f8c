"""People and roles on a team database: deactivating a person closes their own
PostgreSQL login (a real login then cannot connect) and the screen says so;
reactivating reopens it (#21)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from qualdesk.db.engine import Database
from qualdesk.services import pg_roles
from qualdesk.services.users import add_user, get_user
from tests.conftest import pg_url_with_logins
from ui.admin_users import AdminUsersView
from ui.ops import SyncRunner


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    yield from pg_url_with_logins(pg_template, "qdw_")


def _connects(url: str) -> bool:
    try:
        psycopg.connect(url).close()
    except psycopg.OperationalError as exc:
        assert "not permitted to log in" in str(exc)
        return False
    return True


def test_deactivating_closes_the_login_and_the_screen_says_so(qtbot, pg_url: str) -> None:  # type: ignore[no-untyped-def]
    db = Database(pg_url)
    add_user(db, "Ana Lopez", "rep", email="ana@example.com")
    login = f"qdw_ana_{uuid.uuid4().hex[:6]}"
    pg_roles.grant_login(db, "Ana Lopez", login, "pw")
    ana_url = make_url(pg_url).set(drivername="postgresql", username=login, password="pw")
    ana = ana_url.render_as_string(hide_password=False)
    assert _connects(ana)
    v = AdminUsersView(db, SyncRunner())
    qtbot.addWidget(v)
    v.select("Ana Lopez")
    v.toggle.click()
    assert v.message.text() == (f"Ana Lopez is deactivated; their database login {login} "
                                "can no longer connect.")
    assert not get_user(db, "Ana Lopez").active and not _connects(ana)
    v.select("Ana Lopez")
    v.toggle.click()
    assert v.message.text() == (f"Ana Lopez is active again; their database login {login} "
                                "can connect again.")
    assert get_user(db, "Ana Lopez").active and _connects(ana)
    db.dispose()
