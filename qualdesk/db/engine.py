"""Engine and sessions: one ``Database`` per URL, one session per operation.

SQLite is the zero-set-up default (one writer: write sessions start with
``BEGIN IMMEDIATE`` so two claimers serialise instead of failing on a stale snapshot);
PostgreSQL serves a team.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from qualdesk.errors import CommitInDoubt, DatabaseUnavailable, NotAllowed


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and pick psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Database:
    def __init__(self, url: str, *, pool_size: int = 5, max_overflow: int = 20) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"future": True}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)
            kwargs["connect_args"] = {"connect_timeout": 5}
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            _install_sqlite_hooks(self.engine)
        self._factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._on_dispose: list[Callable[[], None]] = []

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def display_name(self) -> str:
        """A safe label for the status bar (no password)."""
        parsed = make_url(self.url)
        if self.is_sqlite:
            return f"SQLite {parsed.database}"
        host = parsed.host or parsed.query.get("host") or "local socket"
        return f"PostgreSQL {host}:{parsed.port or parsed.query.get('port') or 5432}/{parsed.database}"

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on error.

        Connection failures become ``DatabaseUnavailable`` (a known error the UI shows
        as a banner, and the offline outbox catches); one lost during the COMMIT itself
        becomes ``CommitInDoubt`` (the server may have kept the change).
        """
        committing = False
        try:
            with self.engine.connect() as conn:
                conn.info["qd_write"] = write
                with self._factory(bind=conn) as s, s.begin():
                    yield s
                    s.flush()  # a failure here is a clean rollback, not a doubt
                    committing = write  # a read-only session has nothing in doubt
        except DBAPIError as exc:
            if committing and (isinstance(exc, OperationalError) or exc.connection_invalidated):
                raise CommitInDoubt(_describe(exc).replace("database unavailable: ", "")
                                    + " — while saving: the change may or may not have been "
                                    "kept; check before doing it again") from exc
            if isinstance(exc, OperationalError):
                raise DatabaseUnavailable(_describe(exc)) from exc
            known = _known(exc)
            if known is exc:
                raise
            raise known from exc

    def ensure_ready(self) -> None:
        """Create or upgrade the schema if needed; refuse a schema newer than this client."""
        from qualdesk.db.migrate import check_or_upgrade

        check_or_upgrade(self)

    def on_dispose(self, close: Callable[[], None]) -> None:
        """Have ``dispose`` also close a connection kept outside the pool."""
        self._on_dispose.append(close)

    def dispose(self) -> None:
        for close in self._on_dispose:
            close()
        self._on_dispose.clear()
        self.engine.dispose()


def _known(exc: DBAPIError) -> Exception:
    """A database error as the known error it stands for, or itself (a bug)."""
    if exc.connection_invalidated:
        return DatabaseUnavailable(_describe(exc))
    if getattr(exc.orig, "sqlstate", None) == "42501":  # insufficient_privilege
        return NotAllowed(_describe(exc).replace("database unavailable: ", "")
                          + " (your database login's role does not allow this)")
    return exc


def _describe(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()
    return "database unavailable: " + (text[0] if text else type(exc).__name__)


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
        # We emit BEGIN ourselves (below), so pysqlite must not.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("qd_write", True) else "BEGIN")
