"""The audit log (who changed what on a lead, old -> new) and the change counter that
lets other clients notice a write."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.models import AuditEntry, ChangeLog


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


def record(s: Session, lead_id: int | None, user_id: int | None, action: str,
           field: str | None = None, old: Any = None, new: Any = None) -> None:
    s.add(AuditEntry(lead_id=lead_id, user_id=user_id, at=clock.now(), action=action,
                     field=field, old=_s(old), new=_s(new)))
    bump(s, action, lead_id)


def bump(s: Session, kind: str, lead_id: int | None = None) -> None:
    s.add(ChangeLog(at=clock.now(), kind=kind, lead_id=lead_id))


_INSERT_AUDIT = insert(AuditEntry)
_INSERT_CHANGE = insert(ChangeLog)


def record_core(s: Session, lead_id: int | None, user_id: int | None, action: str,
                field: str | None = None, old: Any = None, new: Any = None) -> None:
    """The same two rows as ``record``, as Core INSERTs on the session's connection: hot
    paths (a claim) skip the ORM unit of work."""
    conn = s.connection()
    at = clock.now()
    conn.execute(_INSERT_AUDIT, {"lead_id": lead_id, "user_id": user_id, "at": at,
                                      "action": action, "field": field, "old": _s(old),
                                      "new": _s(new)})
    conn.execute(_INSERT_CHANGE, {"at": at, "kind": action, "lead_id": lead_id})
