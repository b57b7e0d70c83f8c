"""Fixtures: every database test runs on SQLite and on PostgreSQL, each test on its own
database cloned from a migrated template; user directories are temporary."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from qualdesk import clock
from qualdesk.db.engine import Database, normalise_url
from qualdesk.db.migrate import upgrade
from tests.pg_cluster import PgCluster

pytest_plugins = ["tests.memory_keyring"]

# Outside data the tests own (copied from the team's shared folder; see tests/data/SOURCES.md).
SHARED_DATA = Path(__file__).resolve().parent / "data"


def pg_admin_url() -> str:
    url = os.environ.get("QUALDESK_TEST_PG_URL")
    if not url:
        pytest.fail(
            "PostgreSQL tests need QUALDESK_TEST_PG_URL; run the suite with `bash tools/test.sh`",
            pytrace=False,
        )
    return url


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QUALDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("QUALDESK_DB", raising=False)


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()  # the last connection to close checkpoints the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def pg_template() -> str:
    admin = create_engine(normalise_url(pg_admin_url()), isolation_level="AUTOCOMMIT")
    name = f"qd_tpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(_with_db(pg_admin_url(), name))
    upgrade(db)
    db.dispose()
    admin.dispose()
    return name


def _with_db(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def new_pg_url(template: str) -> str:
    admin = create_engine(normalise_url(pg_admin_url()), isolation_level="AUTOCOMMIT")
    name = f"qd_{uuid.uuid4().hex[:12]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return _with_db(pg_admin_url(), name)


def drop_pg(url: str) -> None:
    name = url.rpartition("/")[2]
    admin = create_engine(normalise_url(pg_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "pg"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "qualdesk.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = new_pg_url(request.getfixturevalue("pg_template"))
        yield url
        drop_pg(url)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    d = Database(db_url)
    yield d
    d.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """SQLite only: for tests about the UI or pure flows, where the engine is not the point."""
    path = tmp_path / "qualdesk.sqlite3"
    shutil.copy(sqlite_template, path)
    d = Database(f"sqlite:///{path}")
    yield d
    d.dispose()


class FrozenClock:
    """A controllable clock: ``clock.now()`` returns ``self.t`` until advanced."""

    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **kw: float) -> datetime:
        from datetime import timedelta

        self.t = self.t + timedelta(**kw)
        return self.t


@pytest.fixture
def frozen() -> FrozenClock:
    fc = FrozenClock(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    clock.set_clock(fc)
    return fc


@pytest.fixture
def private_pg() -> Iterator[PgCluster]:
    """A PostgreSQL server of the test's own, to stop and start (a real outage)."""
    c = PgCluster()
    c.start()
    yield c
    c.destroy()


def pg_url_with_logins(template: str, login_prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database for a test that creates logins named ``login_prefix…``;
    the database and those logins are dropped after it (roles outlive databases)."""
    url = new_pg_url(template)
    yield url
    drop_pg(url)
    admin = create_engine(normalise_url(pg_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        for (role,) in c.execute(text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"),
                                 {"p": f"{login_prefix}%"}):
            c.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()
