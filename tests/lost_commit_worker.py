"""One rep's burst of dispositions for tests/test_lost_commit_pg.py, as its own process.

    python -m tests.lost_commit_worker DB_URL REP LEAD_IDS N PREFIX

Logs N calls (round robin over the comma-separated LEAD_IDS), each with its own
idempotency key PREFIX-i, retrying a call whose outcome it did not learn (database gone,
or the commit in doubt) with the same key until the database answers. Prints one JSON
line per try: {"key", "result": "logged|duplicate|unavailable|doubt"}.
"""

from __future__ import annotations

import json
import sys
import time

from qualdesk.db.engine import Database
from qualdesk.errors import CommitInDoubt, DatabaseUnavailable
from qualdesk.services.calls import log_call


def emit(**kw: object) -> None:
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def main(url: str, rep: str, leads: list[int], n: int, prefix: str) -> None:
    db = Database(url, pool_size=1, max_overflow=1)
    deadline = time.monotonic() + 120
    for i in range(n):
        key = f"{prefix}-{i}"
        while True:
            try:
                r = log_call(db, leads[i % len(leads)], rep, "no_answer", idempotency_key=key)
            except CommitInDoubt:
                emit(key=key, result="doubt")
            except DatabaseUnavailable:
                emit(key=key, result="unavailable")
            else:
                emit(key=key, result="duplicate" if r.duplicate else "logged")
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"{key}: the database did not come back")
            time.sleep(0.1)
    db.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split(",")], int(sys.argv[4]),
         sys.argv[5])
