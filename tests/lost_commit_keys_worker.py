"""One rep's burst of retried writes for tests/test_retry_keys_pg.py, as its own process.

    python -m tests.lost_commit_keys_worker DB_URL REP LEAD_IDS PREFIX

For each lead: a BANT save, a callback, a note and a turn-over, each with its own
idempotency key (PREFIX-KIND-LEAD), retrying what it did not learn the outcome of
(database gone, or the commit in doubt) with the same key until the database answers.
Prints one JSON line per try: {"key", "result": "ok|unavailable|doubt"}.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from qualdesk.db.engine import Database
from qualdesk.domain.bant import Bant, parse_budget
from qualdesk.errors import CommitInDoubt, DatabaseUnavailable
from qualdesk.services.calls import schedule_callback
from qualdesk.services.notes import upsert_note
from qualdesk.services.qualification import save
from qualdesk.services.turnover import turn_over


def emit(**kw: object) -> None:
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def until_answered(key: str, write: Callable[[], object], deadline: float) -> None:
    while True:
        try:
            write()
        except CommitInDoubt:
            emit(key=key, result="doubt")
        except DatabaseUnavailable:
            emit(key=key, result="unavailable")
        else:
            emit(key=key, result="ok")
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"{key}: the database did not come back")
        time.sleep(0.1)


def work_on(db: Database, rep: str, lead: int, prefix: str, deadline: float) -> None:
    k = f"{prefix}-{{}}-{lead}"
    due = datetime.now(UTC) + timedelta(days=2)
    until_answered(k.format("q"), lambda: save(
        db, lead, rep, bant=Bant(budget=parse_budget("50000 EUR")),
        idempotency_key=k.format("q")), deadline)
    until_answered(k.format("cb"), lambda: schedule_callback(
        db, lead, rep, due, note=k.format("cb"), idempotency_key=k.format("cb")), deadline)
    until_answered(k.format("n"), lambda: upsert_note(
        db, lead, rep, k.format("n"), idempotency_key=k.format("n")), deadline)
    until_answered(k.format("t"), lambda: turn_over(
        db, lead, "Sam", by=rep, override="burst test", idempotency_key=k.format("t")),
        deadline)


def main(url: str, rep: str, leads: list[int], prefix: str) -> None:
    db = Database(url, pool_size=1, max_overflow=1)
    deadline = time.monotonic() + 120
    for lead in leads:
        work_on(db, rep, lead, prefix, deadline)
    db.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split(",")], sys.argv[4])
