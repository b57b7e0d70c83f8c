"""Alembic environment, driven by ``qualdesk.db.migrate`` (never by alembic.ini)."""

from __future__ import annotations

from alembic import context

from qualdesk.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    db = config.attributes["database"]
    with db.engine.connect() as connection:
        connection.info["qd_write"] = True
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=db.is_sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
