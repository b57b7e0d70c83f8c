"""Reading the audit log: every change to a lead — who, when, what, old -> new, and
``by``: whose login did it when a team lead or admin acted for someone else."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from qualdesk.db.engine import Database
from qualdesk.db.models import AuditEntry, Lead, User
from qualdesk.errors import NotFound

COLUMNS = ("id", "at", "lead", "user", "action", "field", "old", "new", "by")


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    lead_id: int | None
    user: str | None
    action: str
    field: str | None
    old: str | None
    new: str | None
    by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "lead": self.lead_id,
                "user": self.user, "action": self.action, "field": self.field,
                "old": self.old, "new": self.new, "by": self.by}


def audit_entries(db: Database, lead_id: int | None = None,
                  limit: int | None = None) -> list[AuditRecord]:
    """Oldest first; with ``limit``, the latest ``limit`` entries (still oldest first)."""
    with db.session(write=False) as s:
        if lead_id is not None and s.get(Lead, lead_id) is None:
            raise NotFound(f"no lead with id {lead_id}")
        by = aliased(User)
        q = (select(AuditEntry.id, AuditEntry.at, AuditEntry.lead_id, User.name,
                    AuditEntry.action, AuditEntry.field, AuditEntry.old, AuditEntry.new,
                    by.name, AuditEntry.reason)
             .outerjoin(User, User.id == AuditEntry.user_id)
             .outerjoin(by, by.id == AuditEntry.by_id)
             .order_by(AuditEntry.id.desc()))
        if lead_id is not None:
            q = q.where(AuditEntry.lead_id == lead_id)
        if limit is not None:
            q = q.limit(limit)
        rows = [AuditRecord(*r[:4], with_words(r[4], r[9]), *r[5:9]) for r in s.execute(q)]
    rows.reverse()
    return rows


def with_words(action: str, reason: str | None) -> str:
    """The action the database filed, and after it the client's own words, if any (0010:
    an action the database did not see happen is filed as "declared")."""
    return f"{action} (the client's words: {reason})" if reason else action


def write_csv(records: list[AuditRecord], path: Path) -> int:
    """Write the entries (UTC ISO times) with a header row; returns the row count."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(COLUMNS))
        w.writeheader()
        for r in records:
            w.writerow(r.as_dict())
    return len(records)
