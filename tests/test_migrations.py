"""Migrations: a linear chain, no drift from the models on either engine, an upgrade that
is safe while clients of the previous version keep working, and a client that refuses a
schema newer than it knows."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select, text

from qualdesk.db.engine import Database, normalise_url
from qualdesk.db.migrate import (
    HEAD,
    SchemaTooNew,
    alembic_config,
    current_revision,
    head_revision,
    upgrade,
)
from qualdesk.db.models import Base, ChangeLog
from qualdesk.services import audit
from tests.cli_helpers import run
from tests.conftest import _with_db, drop_pg, pg_admin_url


def test_revision_chain_is_linear(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    script = ScriptDirectory.from_config(alembic_config(db))
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1
    revs = list(script.walk_revisions())
    for r in revs:
        assert not isinstance(r.down_revision, tuple | list), f"{r.revision} merges branches"
    chain = [r.revision for r in reversed(revs)]
    assert chain[:2] == ["0001", "0002"]
    db.dispose()


# Alembic cannot compare indexes with a DESC column (it warns and reports them as drift
# on SQLite); test_queue_order_indexes_exist checks those by their DDL instead.
DESC_INDEXES = {"ix_hand_raises_open_clock", "ix_hand_raises_open_recent"}
# PostgreSQL only, outside the ORM model (migration 0005): the owner copy the server-side
# claim walks by, and its indexes; test_owner_copy_objects_exist checks them instead.
SERVER_SIDE_INDEXES = {"ix_hand_raises_free_clock", "ix_hand_raises_free_recent",
                       "ix_hand_raises_owned_clock", "ix_hand_raises_owned_recent"}


def _not_desc_index(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    if type_ == "column" and name == "lead_owner_id" and reflected:
        return False
    return not (type_ == "index" and name in DESC_INDEXES | SERVER_SIDE_INDEXES)


def test_head_constant_is_the_newest_revision(tmp_path: Path) -> None:
    """Clients skip importing Alembic when the stored revision equals HEAD."""
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    assert head_revision(db) == HEAD
    upgrade(db)
    db.dispose()
    # A client starting on that current schema never imports Alembic.
    code = ("import sys; from qualdesk.db.engine import Database; "
            f"Database({db.url!r}).ensure_ready(); print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_autogenerate_finds_no_drift(db: Database) -> None:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                     "include_object": _not_desc_index})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def _index_ddl(db: Database, name: str) -> str:
    with db.engine.connect() as conn:
        if db.is_postgres:
            sql = f"SELECT indexdef FROM pg_indexes WHERE indexname = '{name}'"
        else:
            sql = f"SELECT sql FROM sqlite_master WHERE name = '{name}'"
        return " ".join(conn.exec_driver_sql(sql).scalar_one().split())


def test_partial_claim_index_exists(db: Database) -> None:
    assert "claimed_by_id IS NULL" in _index_ddl(db, "ix_leads_unclaimed")


def test_queue_order_indexes_exist(db: Database) -> None:
    clock_ = _index_ddl(db, "ix_hand_raises_open_clock")
    recent = _index_ddl(db, "ix_hand_raises_open_recent")
    due = _index_ddl(db, "ix_callbacks_open_due")
    assert "(deadline_at, strength DESC, lead_id)" in clock_
    assert "(raised_at DESC, strength DESC, lead_id)" in recent
    assert "(due_at, lead_id)" in due and "done_at IS NULL" in due
    for ddl in (clock_, recent):
        assert "first_call_at IS NULL" in ddl and "first_email_at IS NULL" in ddl


def test_owner_copy_objects_exist(db: Database) -> None:
    """PostgreSQL: the claim walks free and owned hand raises by their own indexes."""
    if not db.is_postgres:
        return  # SQLite ranks in Python; the copy would be an unread cost there
    assert "lead_owner_id IS NULL" in _index_ddl(db, "ix_hand_raises_free_clock")
    assert "(lead_owner_id, raised_at DESC, strength DESC, lead_id)" in _index_ddl(
        db, "ix_hand_raises_owned_recent")
    with db.engine.connect() as conn:
        triggers = set(conn.exec_driver_sql(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").scalars())
    assert {"qualdesk_lead_owner", "qualdesk_new_raises_owner"} <= triggers


@pytest.fixture(params=["sqlite", "pg"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all (upgrades start from scratch)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    admin = create_engine(normalise_url(pg_admin_url()), isolation_level="AUTOCOMMIT")
    name = f"qd_mig_{uuid.uuid4().hex[:10]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = _with_db(pg_admin_url(), name)
    yield url
    drop_pg(url)


def test_upgrade_while_old_clients_keep_working(empty_url: str) -> None:
    admin = Database(empty_url)
    upgrade(admin, "0001")
    assert current_revision(admin) == "0001"

    # An old client with a read session held open across the whole upgrade...
    old_client = Database(empty_url)
    held = old_client.engine.connect()
    held.info["qd_write"] = False
    tx = held.begin()
    before = held.execute(select(func.count()).select_from(ChangeLog)).scalar_one()

    # ...and another one writing all the while, in short units of work.
    writer = Database(empty_url)
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def keep_writing() -> None:
        i = 0
        while not stop.is_set():
            try:
                with writer.session() as s:
                    audit.bump(s, "old_client_write", None)
                written.append(i)
                i += 1
            except BaseException as exc:  # the test reports it below
                errors.append(exc)
                return
            time.sleep(0.01)

    t = threading.Thread(target=keep_writing)
    t.start()
    try:
        time.sleep(0.2)
        _, after = upgrade(admin)
        time.sleep(0.2)
    finally:
        stop.set()
        t.join(10)
    assert errors == []
    assert after == head_revision(admin)
    # The held session is still usable after the upgrade, and then commits normally.
    assert held.execute(select(func.count()).select_from(ChangeLog)).scalar_one() >= before
    tx.commit()
    held.close()
    with old_client.session(write=False) as s:
        n = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.kind == "old_client_write"))
    assert n == len(written) > 5
    for d in (old_client, writer, admin):
        d.dispose()


def test_client_refuses_newer_schema(db_url: str) -> None:
    db = Database(db_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaTooNew, match="newer than this QualDesk knows"):
        db.ensure_ready()
    assert current_revision(db) == "9999_future"  # untouched: no upgrade was attempted
    r = run(db_url, "users")
    assert r.code == 1
    assert r.err.count("\n") == 1 and "newer than this QualDesk knows" in r.err
    db.dispose()
