"""Rate limits kept in the database (one row per source, key and minute), so every
receiver behind a load balancer counts the same sender the same way."""

from __future__ import annotations

import random
import time

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from qualdesk.db.engine import Database
from qualdesk.db.models import IntakeRate

SOURCE_KEY = "*"


def hit(db: Database, source_id: int, limits: dict[str, int]) -> str | None:
    """Count one request against each key (an address for one sender, ``SOURCE_KEY`` for
    the whole source); the first key now over its per-minute limit, or None. A sender
    over its own limit is refused without counting against the source, so one address
    cannot use up a public form's rate for every other visitor. Its own short
    transaction: the counters must not hold a lock for a whole delivery."""
    minute = int(time.time() // 60)
    over = None
    with db.session() as s:
        ins = (pg_insert if db.is_postgres else sqlite_insert)(IntakeRate)
        senders_first = sorted(limits, key=lambda k: k == SOURCE_KEY)
        for key in senders_first:
            stmt = ins.values(source_id=source_id, key=key[:64], minute=minute, count=1)
            stmt = stmt.on_conflict_do_update(
                index_elements=["source_id", "key", "minute"],
                set_={"count": IntakeRate.count + 1}).returning(IntakeRate.count)
            if int(s.execute(stmt).scalar_one()) > limits[key]:
                over = key
                break
        if random.random() < 0.02:  # now and then, forget minutes long past
            s.execute(delete(IntakeRate).where(IntakeRate.minute < minute - 10))
    return over
