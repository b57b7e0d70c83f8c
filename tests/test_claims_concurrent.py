"""Claims under load: 24 client processes claim and dispose on one PostgreSQL. No lead is
ever held by two reps at once, every claim ends (disposed, released, or its lease
expires when the client was killed), and the database agrees with what clients saw."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, AuditEntry, Campaign, Lead, Setting, User
from qualdesk.errors import NotAllowed
from qualdesk.services.hand_raises import add_hand_raise
from qualdesk.services.queue import claim_lead, rep_queue
from tests.conftest import drop_pg, new_pg_url

WORKERS = 22
DYING = 2
LEADS = 80
ROOT = Path(__file__).resolve().parents[1]


def zone_at_noon(now: datetime) -> str:
    """An Etc/GMT zone where it is about noon now, so every lead is inside its window."""
    offset = 12 - now.hour
    if offset > 12:
        offset -= 24
    if offset < -11:
        offset += 24
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def seed(db: Database, n_leads: int, reps: list[str]) -> None:
    now = clock.now()
    tz = zone_at_noon(now)
    with db.session() as s:
        camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert camp is not None
        for name in reps:
            s.add(User(name=name, role="rep", active=True, created_at=now))
        s.add(Setting(key="claim.lease_minutes", value="15"))
        for i in range(n_leads):
            lead = Lead(first_name=f"L{i}", company="Acme", email=f"l{i}@acme.test",
                        email_norm=f"l{i}@acme.test", phone=f"+1212555{i:04d}", time_zones=[tz],
                        campaign_id=camp.id, designation="cold", created_at=now, updated_at=now)
            s.add(lead)
            s.flush()
            add_hand_raise(s, lead, camp, "contact_form", 50, now - timedelta(seconds=i))


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    url = new_pg_url(pg_template)
    yield url
    drop_pg(url)


def test_many_processes_never_share_a_lead(pg_url: str) -> None:
    db = Database(pg_url)
    reps = [f"rep{i:02d}" for i in range(WORKERS)]
    seed(db, LEADS, reps)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = []
    t_start = time.monotonic()
    for i, rep in enumerate(reps):
        mode = "die" if i < DYING else "work"
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "tests.claims_worker", pg_url, rep, mode, str(i)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    # Kill the dying clients once they hold their lead (a client that vanished mid-call).
    killed_at: dict[str, float] = {}
    deadline = time.monotonic() + 60
    for p, rep in zip(procs[:DYING], reps[:DYING], strict=True):
        assert p.stdout is not None
        while time.monotonic() < deadline:
            line = p.stdout.readline()
            if '"holding"' in line:
                break
        os.kill(p.pid, signal.SIGKILL)
        killed_at[rep] = time.time()
    outputs: dict[str, str] = {}
    for p, rep in zip(procs, reps, strict=True):
        out, err = p.communicate(timeout=max(5.0, deadline - time.monotonic()))
        if rep not in killed_at:
            assert p.returncode == 0, err
        outputs[rep] = out
    t_all = time.monotonic() - t_start
    print(f"workers done in {t_all:.1f}s")
    # The dying clients' first lines were read above; their claims show in the DB audit.
    with db.session(write=False) as s:
        audit_claims = s.execute(
            select(AuditEntry.lead_id, User.name).join(User, User.id == AuditEntry.user_id)
            .where(AuditEntry.action == "claim")).all()
        held_by_dead = {name: (lid, exp) for lid, name, exp in s.execute(
            select(Lead.id, User.name, Lead.lease_expires_at)
            .join(User, User.id == Lead.claimed_by_id)).all()}
        attempts = s.scalar(select(func.count()).select_from(Attempt))

    claims: list[dict] = []
    ends: list[dict] = []
    for out in outputs.values():
        open_claim: dict | None = None
        for e in (json.loads(line) for line in out.splitlines() if line):
            if e["ev"] == "claim":
                assert open_claim is None
                claims.append(e)
                open_claim = e
            elif e["ev"] in ("dispose", "release"):
                assert open_claim is not None and open_claim["lead"] == e["lead"]
                open_claim["end"] = e
                ends.append(e)
                open_claim = None
            elif e["ev"] == "lost" and open_claim is not None:
                open_claim["lost"] = True
                open_claim = None
    assert len(claims) + DYING == len(audit_claims) > LEADS // 2
    assert not [c for c in claims if "lost" in c]

    # 1. No overlap: per lead, the spans during which a rep held it never intersect.
    spans: dict[int, list[tuple[float, float, str]]] = defaultdict(list)
    for c in claims:
        end = c.get("end")
        assert end is not None, f"claim of lead {c['lead']} by {c['rep']} never ended"
        spans[c["lead"]].append((c["t1"], end["t2"], c["rep"]))
    for lead, ss in spans.items():
        ss.sort()
        for (_a0, a1, ra), (b0, _b1, rb) in zip(ss, ss[1:], strict=False):
            assert b0 >= a1, f"lead {lead} held by {ra} and {rb} at once"
    # Reps really competed: more claims than reps, spread over most of them.
    assert len({c["rep"] for c in claims}) >= WORKERS - DYING - 2

    # 2. Every disposition is in the database once.
    assert attempts == sum(1 for e in ends if e["ev"] == "dispose")

    # 3. The killed clients hold their leads until the lease expires; then the claim has
    # lapsed: the team's view offers the lead again (to its owner, who claimed it, and to
    # the team lead to reassign). Until then no other rep can take it.
    assert set(held_by_dead) == set(killed_at)
    survivor = reps[-1]
    for (lead_id, expires) in held_by_dead.values():
        with pytest.raises(NotAllowed):
            claim_lead(db, lead_id, survivor)
        before = rep_queue(db, None, now=expires - timedelta(seconds=1))
        after = rep_queue(db, None, now=expires + timedelta(seconds=1))
        assert lead_id in {h.lead_id for h in before.held}
        assert lead_id not in {e.lead_id for e in before.entries}
        assert lead_id in {e.lead_id for e in after.entries}
    assert datetime.now(UTC) < min(e for _, e in held_by_dead.values())
    db.dispose()
