"""The audit log (who changed what on a lead, old -> new) and the change counter that
lets other clients notice a write. The ONE audit writer of the client.

On PostgreSQL no app login may write ``audit_log`` (migration 0007): the client declares
each row through the view ``audit_requests``, and the database writes it naming the
person whose login acted (a rep's login: always itself, whatever ``user_id`` says; a
team lead's or admin's login acting for someone else: that person, and the lead in
``by_id``), at the server's time, and under the action only when the database saw that
change happen in the same transaction (0010; else as "declared", the client's words in
``reason``). On SQLite (one machine, no logins) the rows are written as declared.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Insert,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    literal,
    null,
    select,
    text,
)
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.models import AuditEntry, ChangeLog
from qualdesk.db.types import UTCDateTime

# The view the database turns into audit rows (0007); outside the ORM model on purpose.
REQUESTS = Table(
    "audit_requests", MetaData(),
    Column("lead_id", Integer), Column("user_id", Integer), Column("at", UTCDateTime()),
    Column("action", String(40)), Column("field", String(40)), Column("old", Text),
    Column("new", Text), Column("reason", Text),
)


# Engines known to have the view (checked once each; a schema older than 0007 has none).
_WITH_VIEW: set[int] = set()


def target(conn: Connection) -> Table:
    """Where this connection writes audit rows: the view on PostgreSQL, the table on SQLite
    (and on a PostgreSQL schema not yet upgraded to 0007, whose logins all may)."""
    table: Table = AuditEntry.__table__  # type: ignore[assignment]
    if conn.dialect.name != "postgresql":
        return table
    if id(conn.engine) not in _WITH_VIEW:
        if conn.scalar(text("SELECT to_regclass('audit_requests')")) is None:
            return table
        _WITH_VIEW.add(id(conn.engine))
    return REQUESTS


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


def record(s: Session, lead_id: int | None, user_id: int | None, action: str,
           field: str | None = None, old: Any = None, new: Any = None, *,
           reason: str | None = None) -> None:
    """``reason``: the client's own words about the change, kept and shown as such (on
    PostgreSQL the action itself is filed only when the database saw that change, 0010)."""
    # A bulk writer's stand-in session (intake's Collector) has no connection: it sends
    # what was added to ``target`` itself.
    if hasattr(s, "get_bind") and s.get_bind().dialect.name == "postgresql":
        record_core(s, lead_id, user_id, action, field, old, new, reason=reason)
        return
    s.add(AuditEntry(lead_id=lead_id, user_id=user_id, at=clock.now(), action=action,
                     field=field, old=_s(old), new=_s(new), reason=reason))
    bump(s, action, lead_id)


def bump(s: Session, kind: str, lead_id: int | None = None) -> None:
    s.add(ChangeLog(at=clock.now(), kind=kind, lead_id=lead_id))


_INSERT_CHANGE = insert(ChangeLog)


def record_core(s: Session, lead_id: int | None, user_id: int | None, action: str,
                field: str | None = None, old: Any = None, new: Any = None, *,
                reason: str | None = None) -> None:
    """The same two rows as ``record``, as Core INSERTs on the session's connection: hot
    paths (a claim) skip the ORM unit of work."""
    conn = s.connection()
    at = clock.now()
    row = {"lead_id": lead_id, "user_id": user_id, "at": at, "action": action,
           "field": field, "old": _s(old), "new": _s(new)}
    if reason is not None:  # only then: a schema before 0010 has no such column
        row["reason"] = reason
    conn.execute(insert(target(conn)), row)
    conn.execute(_INSERT_CHANGE, {"at": at, "kind": action, "lead_id": lead_id})


def inserts_for(lead_ids: ColumnElement[int], user_id: ColumnElement[int], at: ColumnElement[Any],
                action: str, field: str | None, new: ColumnElement[Any], *,
                old: ColumnElement[Any] | None = None,
                audit_if: ColumnElement[bool] | None = None) -> tuple[Insert, Insert]:
    """``record``'s two rows for every lead id a query yields, as INSERT ... SELECTs to
    put in one statement with the change itself (PostgreSQL data-modifying CTEs); the
    audit row only where ``audit_if`` holds (the change-log row always: other clients
    refresh either way). PostgreSQL only (the statement's CTEs): into ``audit_requests``."""
    rows = select(lead_ids, user_id, at, literal(action), literal(field),
                  null() if old is None else old, new)
    audit_row = insert(REQUESTS).from_select(
        ["lead_id", "user_id", "at", "action", "field", "old", "new"],
        rows if audit_if is None else rows.where(audit_if))
    change_row = insert(ChangeLog).from_select(
        ["at", "kind", "lead_id"], select(at, literal(action), lead_ids))
    return audit_row, change_row
