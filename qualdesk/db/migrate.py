"""Alembic, configured in code (no ``alembic.ini``: it breaks when frozen).

Alembic (with mako and pygments) takes ~0.3 s to import: a client starting on a current
schema checks the revision with one query against ``HEAD`` and never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from qualdesk.errors import KnownError
from qualdesk.paths import migrations_dir

if TYPE_CHECKING:  # the engine calls this module at connect time: no import back
    from alembic.config import Config

    from qualdesk.db.engine import Database

# The newest revision in migrations/versions (tests/test_migrations.py holds them equal).
HEAD = "0011"


class SchemaTooNew(KnownError):
    pass


def alembic_config(db: Database) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    cfg.attributes["database"] = db
    return cfg


def head_revision(db: Database) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(db)).get_current_head() or ""


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade to ``revision``; returns (before, after) and seeds reference data."""
    before = current_revision(db)
    _refuse_unknown(db, before)
    from alembic import command

    command.upgrade(alembic_config(db), revision)
    after = current_revision(db) or ""
    from qualdesk.db.seed import ensure_reference_data

    ensure_reference_data(db)
    return before, after


def _refuse_unknown(db: Database, rev: str | None) -> None:
    if rev is None:
        return
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(db))
    try:
        script.get_revision(rev)
    except Exception as exc:
        raise SchemaTooNew(
            f"the database schema ({rev}) is newer than this QualDesk knows "
            f"(head {script.get_current_head()}); upgrade QualDesk on this machine"
        ) from exc


def check_or_upgrade(db: Database) -> None:
    """Bring the schema to head (a no-op when current); refuse a newer schema."""
    if _stored_revision(db) == HEAD:
        return
    rev = current_revision(db)
    if rev == head_revision(db):
        return
    upgrade(db)


def _stored_revision(db: Database) -> str | None:
    try:
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None  # no schema yet: Alembic creates it
