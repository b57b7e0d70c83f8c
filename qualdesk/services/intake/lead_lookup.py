"""Which known leads have these emails or phones: {value: lowest lead id}, in bulk."""

from __future__ import annotations

from typing import Any

from sqlalchemy import any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from qualdesk.db.models import Lead

# Values per statement on SQLite (its parameter limit), ids per IN list.
CHUNK = 500


def lookup(s: Session, column: Any, values: list[str]) -> dict[str, int]:
    """{value: lowest lead id} for the values that some lead has in ``column``."""
    out: dict[str, int] = {}
    if not values:
        return out
    # PostgreSQL takes the values as one array parameter (a round trip per 500 values
    # cost seconds at 100,000 rows); SQLite as an IN list, within its parameter limit.
    pg = s.get_bind().dialect.name == "postgresql"
    size = 20_000 if pg else CHUNK
    values = sorted(set(values))
    # The values go in as execution parameters, not inside the statement: SQLAlchemy's
    # statement cache would keep every statement, and so every value (an import's memory
    # then grew with its row count until the cache filled).
    cond = column == any_(bindparam("values", type_=ARRAY(column.type))) if pg \
        else column.in_(bindparam("values", expanding=True))
    q = select(column, func.min(Lead.id)).where(cond).group_by(column)
    for i in range(0, len(values), size):
        out.update({v: lead_id for v, lead_id in s.execute(q, {"values": values[i:i + size]})})
    return out
