"""Replay after a lost commit (#21): PostgreSQL crashed (``pg_ctl stop -m immediate``) in
the middle of a burst of dispositions from several processes, each retrying what it
did not learn the outcome of with the same idempotency key: every disposition is kept
exactly once. A commit lost with its connection says it is in doubt; the command line
says a lost database in one line."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import select, text

from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Campaign, Lead
from qualdesk.errors import CommitInDoubt
from qualdesk.services.hand_raises import add_hand_raise
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from tests.conftest import drop_pg, new_pg_url
from tests.pg_cluster import PgCluster

REPS, CALLS = 4, 40


@pytest.fixture
def pg_db(pg_template: str) -> Iterator[Database]:
    url = new_pg_url(pg_template)
    db = Database(url)
    yield db
    db.dispose()
    drop_pg(url)


def _seed(db: Database, reps: int, per_rep: int) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    now = datetime.now(UTC)
    for r in range(reps):
        name = f"Rep {r + 1:02d}"
        add_user(db, name, "rep", email=f"rep{r + 1}@team.test")
        with db.session() as s:
            camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
            assert camp is not None
            ids = []
            for i in range(per_rep):
                lead = Lead(first_name=f"L{r}-{i}", email=f"l{r}-{i}@acme.test",
                            phone="+12125550100", time_zones=["UTC"], campaign_id=camp.id,
                            designation="cold", created_at=now, updated_at=now)
                s.add(lead)
                s.flush()
                add_hand_raise(s, lead, camp, "contact_form", 50, now)
                ids.append(lead.id)
        out[name] = ids
    return out


def test_cli_says_in_one_line_that_the_database_is_away() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    r = run(f"postgresql://postgres@127.0.0.1:{port}/gone", "leads")
    assert r.code == 1
    assert r.err.count("\n") == 1 and "database unavailable" in r.err
    assert "Traceback" not in r.err


def test_a_commit_lost_with_its_connection_is_in_doubt(pg_db: Database) -> None:
    with pytest.raises(CommitInDoubt, match="may or may not have been kept"), \
            pg_db.session() as s:
        s.execute(text("INSERT INTO change_log (at, kind) VALUES (now(), 'probe')"))
        pid = s.scalar(text("SELECT pg_backend_pid()"))
        # the connection dies between the last statement and the COMMIT
        with psycopg.connect(pg_db.url.replace("+psycopg", ""), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    # a lost database before the commit is not in doubt: nothing was asked to commit
    with pytest.raises(Exception) as exc, pg_db.session() as s:
        pid = s.scalar(text("SELECT pg_backend_pid()"))
        with psycopg.connect(pg_db.url.replace("+psycopg", ""), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        s.execute(text("SELECT 1"))
    assert not isinstance(exc.value, CommitInDoubt)


def _attempts(url: str) -> Counter[str]:
    db = Database(url)
    with db.session(write=False) as s:
        keys = Counter(k or "" for k in s.scalars(select(Attempt.idempotency_key)))
    db.dispose()
    return keys


def test_immediate_stop_mid_burst_keeps_every_disposition_once(private_pg: PgCluster) -> None:
    private_pg.stop()
    private_pg.start(durable=True)  # an acknowledged commit survives the crash
    url = private_pg.create_database("burst").replace("postgresql://", "postgresql+psycopg://")
    db = Database(url)
    db.ensure_ready()
    leads = _seed(db, REPS, 5)
    db.dispose()
    workers = [
        subprocess.Popen([sys.executable, "-m", "tests.lost_commit_worker", url, rep,
                          ",".join(map(str, ids)), str(CALLS), f"r{n}"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n, (rep, ids) in enumerate(leads.items())]
    # the crash comes once the burst is well under way, not before it starts
    outs = private_pg.crash_mid_burst(
        workers, lambda: sum(_attempts(url).values()) >= REPS * CALLS // 4)
    for w, (_, err) in zip(workers, outs, strict=True):
        assert w.returncode == 0, err
    tries = [json.loads(line) for out, _ in outs for line in out.splitlines()]
    seen = Counter(t["result"] for t in tries)
    keys = _attempts(url)
    expected = {f"r{n}-{i}" for n in range(REPS) for i in range(CALLS)}
    assert set(keys) == expected  # none lost
    assert max(keys.values()) == 1  # none doubled
    assert sum(v for k, v in seen.items() if k not in ("logged", "duplicate")) > 0, seen
    # a claim whose answer was lost lapses by its lease: none outlives claim.lease_minutes
    db = Database(url)
    with db.session(write=False) as s:
        leases = list(s.scalars(select(Lead.lease_expires_at)
                                .where(Lead.claimed_by_id.is_not(None))))
    db.dispose()
    assert all(t <= datetime.now(UTC) + timedelta(minutes=15, seconds=5) for t in leases)
    print(f"burst of {REPS}x{CALLS} across an immediate stop: tries {dict(seen)}")
