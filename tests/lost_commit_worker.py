"""One rep's burst of dispositions for tests/test_lost_commit_pg.py, as its own process.

    python -m tests.lost_commit_worker DB_URL REP LEAD_IDS N PREFIX

Claims and logs N calls (round robin over the comma-separated LEAD_IDS), each call with
its own idempotency key PREFIX-i, retrying what it did not learn the outcome of
(database gone, or the commit in doubt) — a claim by claiming again, a call with the
same key — until the database answers. Prints one JSON line per try:
{"key", "result": "logged|duplicate|unavailable|doubt"} (claims: "claim-…").
"""

from __future__ import annotations

import json
import sys
import time

from qualdesk.db.engine import Database
from qualdesk.errors import CommitInDoubt, DatabaseUnavailable
from qualdesk.services.calls import log_call
from qualdesk.services.queue import claim_lead


def emit(**kw: object) -> None:
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def main(url: str, rep: str, leads: list[int], n: int, prefix: str) -> None:
    db = Database(url, pool_size=1, max_overflow=1)
    deadline = time.monotonic() + 120
    for i in range(n):
        key = f"{prefix}-{i}"
        while True:  # the claim: a lost answer is claimed again (a renewal of our own)
            try:
                claim_lead(db, leads[i % len(leads)], rep)
                break
            except DatabaseUnavailable:  # CommitInDoubt too: the lease bounds a lost one
                emit(key=key, result="claim-unavailable")
            if time.monotonic() > deadline:
                raise SystemExit(f"{key}: the database did not come back")
            time.sleep(0.1)
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
