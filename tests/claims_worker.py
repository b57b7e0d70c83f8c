"""One claiming client for tests/test_claims_concurrent.py, run as its own process.

    python -m tests.claims_worker DB_URL REP MODE SEED

Prints one JSON line per event (wall-clock times, comparable across processes):
claim (t0 before asking, t1 when granted), dispose/release (t2 before, t3 after).
MODE "work" claims and disposes until the queue runs dry; MODE "die" claims once and
then hangs until the test kills it with SIGKILL (a client that vanished mid-call).
"""

from __future__ import annotations

import json
import random
import sys
import time

from qualdesk.db.engine import Database
from qualdesk.services.calls import log_call
from qualdesk.services.queue import claim_next, heartbeat, release


def emit(**kw: object) -> None:
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def main(url: str, rep: str, mode: str, seed: int) -> None:
    rnd = random.Random(seed)
    db = Database(url, pool_size=1, max_overflow=1)
    empty = 0
    while empty < 3:
        t0 = time.time()
        c = claim_next(db, rep)
        t1 = time.time()
        if c.lead_id is None:
            empty += 1
            time.sleep(0.05)
            continue
        empty = 0
        emit(ev="claim", rep=rep, lead=c.lead_id, t0=t0, t1=t1,
             exp=c.lease_expires_at.isoformat() if c.lease_expires_at else None)
        if mode == "die":
            emit(ev="holding", rep=rep, lead=c.lead_id)
            time.sleep(3600)
        time.sleep(rnd.uniform(0, 0.02))  # the call
        if heartbeat(db, c.lead_id, rep) is None:
            emit(ev="lost", rep=rep, lead=c.lead_id, t=time.time())
            continue
        t2 = time.time()
        if rnd.random() < 0.85:
            log_call(db, c.lead_id, rep, rnd.choice(["no_answer", "left_voicemail", "busy"]))
            emit(ev="dispose", rep=rep, lead=c.lead_id, t2=t2, t3=time.time())
        else:
            release(db, c.lead_id, rep)
            emit(ev="release", rep=rep, lead=c.lead_id, t2=t2, t3=time.time())
    emit(ev="done", rep=rep)
    db.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
