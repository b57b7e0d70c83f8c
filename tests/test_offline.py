"""Offline work: with the shared database gone the rep keeps working (changes go to the
local outbox), and when it is back every change lands exactly once, in order, with
conflicts stated. Includes a real PostgreSQL stop/start and a kill -9 of a note typer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.migrate import upgrade
from qualdesk.db.models import Attempt, Callback, Campaign, Email, FollowUp, Lead, Note, User
from qualdesk.offline.outbox import Outbox
from qualdesk.offline.replay import replay
from qualdesk.offline.resilient import ResilientOps
from qualdesk.services.followup import run_followup
from qualdesk.services.hand_raises import add_hand_raise
from qualdesk.services.notes import load_note_draft
from qualdesk.services.queue import claim_lead, reassign
from tests.pg_cluster import PgCluster
from tests.smtp_server import SmtpServer, smtp_server_fixture  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]


def seed(db: Database, n: int = 3) -> list[int]:
    now = clock.now()
    with db.session() as s:
        camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert camp is not None
        for name in ("ana", "bob"):
            s.add(User(name=name, role="rep", active=True, created_at=now))
        ids = []
        for i in range(n):
            lead = Lead(first_name=f"L{i}", company="Acme", email=f"l{i}@acme.test",
                        phone=f"+1212555{i:04d}", time_zones=["America/New_York"],
                        campaign_id=camp.id, designation="cold", created_at=now, updated_at=now)
            s.add(lead)
            s.flush()
            add_hand_raise(s, lead, camp, "contact_form", 50, now)
            ids.append(lead.id)
    return ids


def attempts(db: Database) -> list[tuple[int, str, str | None]]:
    with db.session(write=False) as s:
        return [tuple(r) for r in s.execute(
            select(Attempt.lead_id, Attempt.disposition, Attempt.idempotency_key).order_by(Attempt.id))]


def test_outbox_replays_in_order_exactly_once(db: Database, tmp_path: Path, frozen) -> None:
    a, b, c = seed(db)
    box = Outbox(tmp_path / "outbox.sqlite3")
    t0 = frozen.t
    # As if queued while offline: three calls, a note, a callback, in this order.
    box.add("log_call", {"lead_id": a, "rep": "ana", "disposition": "no_answer",
                         "started_at": t0.isoformat(), "queued_at": t0.isoformat()}, "k1")
    box.add("log_call", {"lead_id": b, "rep": "ana", "disposition": "left_voicemail",
                         "started_at": (t0 + timedelta(minutes=1)).isoformat(),
                         "queued_at": t0.isoformat()}, "k2")
    box.add("note", {"lead_id": a, "rep": "ana", "body": "asked for pricing",
                     "queued_at": t0.isoformat()}, "k3")
    box.add("callback", {"lead_id": c, "rep": "ana", "due_at": "2026-11-24T10:00:00-05:00",
                         "scope": "mine", "queued_at": t0.isoformat()}, "k4")
    box.add("log_call", {"lead_id": a, "rep": "ana", "disposition": "warp_drive",
                         "queued_at": t0.isoformat()}, "k5")
    box.add("log_call", {"lead_id": a, "rep": "ana", "disposition": "busy",
                         "queued_at": t0.isoformat()}, "k1")  # same key: kept once
    assert box.pending_count() == 5
    out = replay(db, box)
    assert [(o.key, o.status) for o in out] == [
        ("k1", "applied"), ("k2", "applied"), ("k3", "applied"), ("k4", "applied"),
        ("k5", "failed")]
    assert "unknown disposition 'warp_drive'" in out[4].message
    assert box.pending_count() == 0
    assert attempts(db) == [(a, "no_answer", "k1"), (b, "left_voicemail", "k2")]
    # The client crashed after the database committed but before the outbox knew:
    # the same changes replay again and are recognised.
    for k in ("k1", "k3", "k4"):
        box.mark(next(i.id for i in box.recent() if i.key == k), "pending")
    again = replay(db, box)
    assert [(o.key, o.status) for o in again] == [("k1", "duplicate"), ("k3", "duplicate"),
                                                 ("k4", "duplicate")]
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Note).where(Note.body == "asked for pricing")) == 1
        cbs = s.execute(select(Callback.lead_id, Callback.due_at)).all()
    assert cbs == [(c, datetime(2026, 11, 24, 15, 0, tzinfo=UTC))]
    assert len(attempts(db)) == 2


def test_a_followup_whose_commit_was_lost_is_never_sent_twice(db: Database, tmp_path: Path,
                                                              frozen) -> None:
    a, b, _ = seed(db)
    with db.session() as s:
        s.execute(update(User).where(User.name == "ana").values(email="ana@reps.example"))
    left_at = frozen.t - timedelta(minutes=20)  # the voicemail was left while offline
    box = Outbox(tmp_path / "outbox.sqlite3")
    for lead, key in ((a, "f1"), (b, "f2")):
        box.add("followup", {"lead_id": lead, "rep": "ana", "queued_at": left_at.isoformat()}, key)
    # f1's follow-up reached the database, but the connection died before the client
    # heard: the outbox still holds it.
    run_followup(db, a, "ana", idempotency_key="f1", started_at=left_at)
    out = replay(db, box)
    assert [(o.key, o.status) for o in out] == [("f1", "duplicate"), ("f2", "applied")]
    with db.session(write=False) as s:
        per_lead = dict(s.execute(select(Email.lead_id, func.count()).group_by(Email.lead_id)).all())
        assert per_lead == {a: 1, b: 1}
        assert s.scalar(select(func.count()).select_from(FollowUp)) == 2
        rows = s.execute(select(Attempt.lead_id, Attempt.started_at, Attempt.idempotency_key)
                         .order_by(Attempt.lead_id)).all()
    # The SLA counts the voicemail when it was left, not when the outbox caught up.
    assert [tuple(r) for r in rows] == [(a, left_at, "f1"), (b, left_at, "f2")]


def test_reassigned_meanwhile_is_recorded_and_told(db: Database, tmp_path: Path, frozen) -> None:
    a, b, _ = seed(db)
    claim_lead(db, a, "ana")
    box = Outbox(tmp_path / "outbox.sqlite3")
    now = frozen.t.isoformat()
    box.add("log_call", {"lead_id": a, "rep": "ana", "disposition": "connected",
                         "notes": "good chat", "started_at": now, "queued_at": now}, "c1")
    box.add("callback", {"lead_id": a, "rep": "ana", "due_at": "2026-11-24T15:00:00+00:00",
                         "scope": "mine", "queued_at": now}, "c2")
    # Meanwhile the team lead gave the lead to bob.
    reassign(db, a, "bob", None)
    out = replay(db, box)
    assert [o.status for o in out] == ["conflict", "conflict"]
    assert out[0].message == (f"lead {a} was reassigned to bob while you were offline: your call "
                              "(connected) is recorded, the lead stays with bob")
    assert "bob sees it" in out[1].message
    with db.session(write=False) as s:
        lead = s.get(Lead, a)
        assert lead is not None and lead.owner is not None and lead.owner.name == "bob"
        assert s.scalar(select(Callback.scope).where(Callback.lead_id == a)) == "anyone"
    assert attempts(db) == [(a, "connected", "c1")]
    assert [i.status for i in box.recent()] == ["conflict", "conflict"]


def test_live_path_applies_at_once(db: Database, tmp_path: Path, frozen) -> None:
    a, _, _ = seed(db)
    ops = ResilientOps(db, Outbox(tmp_path / "o.sqlite3"))
    o = ops.log_call(a, "ana", "no answer")
    assert (o.status, o.message) == ("applied", "no_answer recorded")
    assert ops.pending() == 0
    r = ops.sync()
    assert (r.online, r.pending, r.outcomes) == (True, 0, ())


def test_server_stopped_mid_shift(private_pg: PgCluster, tmp_path: Path) -> None:
    """A real `pg_ctl stop -m fast` for 30 s while the rep keeps working: every change
    made meanwhile queues at once, and after the restart each is in exactly once."""
    url = private_pg.create_database("qd_offline")
    db = Database(url)
    upgrade(db)
    a, b, c = seed(db)
    claim_lead(db, a, "ana")
    ops = ResilientOps(Database(url), Outbox(tmp_path / "outbox.sqlite3"))
    assert ops.log_call(b, "ana", "busy").status == "applied"

    private_pg.stop()
    down_at = time.monotonic()
    results = [
        ops.log_call(a, "ana", "left_voicemail", notes="left a message"),
        ops.save_note(a, "ana", "wants a demo next week"),
        ops.schedule_callback(a, "ana", datetime(2026, 11, 24, 16, 0, tzinfo=UTC)),
        ops.log_call(c, "ana", "no_answer"),
    ]
    assert [r.status for r in results] == ["queued"] * 4
    assert results[-1].message == "offline — saved locally, 4 changes waiting"
    rep = ops.sync()
    assert (rep.online, rep.pending) == (False, 4)
    # The rest of the outage: a change every few seconds, each queued without a wait.
    for i, at in enumerate((10, 20, 29)):
        time.sleep(max(0.0, at - (time.monotonic() - down_at)))
        t0 = time.monotonic()
        assert ops.save_note(c, "ana", f"still down, note {i}").status == "queued"
        assert time.monotonic() - t0 < 2  # the rep is never kept waiting on the dead server
    assert ops.log_call(b, "ana", "no_answer").status == "queued"
    assert time.monotonic() - down_at >= 29
    private_pg.start()

    rep = ops.sync()
    assert rep.online and rep.pending == 0
    assert [(o.kind, o.status) for o in rep.outcomes] == [
        ("log_call", "applied"), ("note", "applied"), ("callback", "applied"),
        ("log_call", "applied"), ("note", "applied"), ("note", "applied"), ("note", "applied"),
        ("log_call", "applied")]
    assert ops.sync().outcomes == ()
    got = attempts(db)
    assert [(lead, d) for lead, d, _ in got] == [
        (b, "busy"), (a, "left_voicemail"), (c, "no_answer"), (b, "no_answer")]
    assert len({k for _, _, k in got}) == 4  # each disposition exactly once
    with db.session(write=False) as s:
        notes = s.scalars(select(Note.body).where(Note.lead_id == c).order_by(Note.id)).all()
    assert notes == ["still down, note 0", "still down, note 1", "still down, note 2"]
    db.dispose()

def test_database_lost_while_the_email_goes_out(private_pg: PgCluster, tmp_path: Path,
                                                smtp_server: SmtpServer) -> None:
    """The follow-up is committed, then the database stops while the mail server takes
    the email: the rep is told it is done (the email row waits), not that it is queued
    offline — and nothing is recorded or sent a second time when the database is back."""
    url = private_pg.create_database("qd_followup")
    db = Database(url)
    upgrade(db)
    a, _, _ = seed(db)
    with db.session() as s:
        s.execute(update(User).where(User.name == "ana").values(email="ana@reps.example"))
    smtp_server.configure(db)
    ops = ResilientOps(db, Outbox(tmp_path / "outbox.sqlite3"))
    smtp_server.on_data = private_pg.stop
    o = ops.followup(a, "ana")
    assert (o.status, o.message) == ("applied", "voicemail recorded, email queued")
    assert ops.pending() == 0 and len(smtp_server.messages) == 1
    private_pg.start()
    smtp_server.on_data = None
    assert ops.sync().outcomes == ()
    assert [(lead, d) for lead, d, _ in attempts(db)] == [(a, "left_voicemail")]
    db.dispose()

TYPER = """
import sys, time
from qualdesk.services.notes import save_note_draft
# Types a character every 100 ms; the draft is saved debounced (0.5 s, as the editor's
# <=1 s timer), stamped with when the text shown was typed.
last_save = 0.0
text = ""
while True:
    text += "x"
    now = time.time()
    if now - last_save >= 0.5:
        save_note_draft("ana", 7, f"{now:.3f} {text}")
        last_save = now
        print("saved", flush=True)
    time.sleep(0.1)
"""


def test_kill9_mid_call_loses_at_most_2s_of_notes(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-c", TYPER], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None
    for _ in range(4):
        assert p.stdout.readline().startswith("saved")
    time.sleep(0.27)
    killed = time.time()
    os.kill(p.pid, signal.SIGKILL)
    p.wait(10)
    draft = load_note_draft("ana", 7)
    assert draft is not None
    typed_at = float(draft.body.split()[0])
    assert killed - typed_at <= 2.0
    assert draft.body.split()[1] == "x" * len(draft.body.split()[1]) and len(draft.body) > 15
    assert json.loads((Path(os.environ["QUALDESK_DATA_DIR"]) / "drafts" / "ana-lead-7.json")
                      .read_text())["lead_id"] == 7


def test_preview_cache_keeps_the_latest_per_lead_and_rep(frozen) -> None:
    from qualdesk.offline.previews import PreviewCache
    from qualdesk.services.followup import FollowUpPreview
    from qualdesk.services.templating import RenderedFollowUp

    def preview(lead: int, subject: str) -> FollowUpPreview:
        r = RenderedFollowUp("default", "voicemail", 20, subject, "text", "<p>html</p>")
        return FollowUpPreview(lead, "Name", "to@x.test", "from@x.test", "from@x.test", "smtp", r)

    cache = PreviewCache(capacity=2)
    cache.remember(preview(1, "old"), "Ana", frozen.t)
    cache.remember(preview(1, "new"), "ana ", frozen.t)  # the same rep, however typed
    hit = cache.get(1, "ANA")
    assert hit is not None and hit.preview.rendered.subject == "new"
    assert cache.get(1, "Bob") is None
    cache.remember(preview(2, "two"), "Ana", frozen.t)
    cache.remember(preview(3, "three"), "Ana", frozen.t)  # over capacity: the oldest goes
    assert cache.get(1, "Ana") is None and cache.get(3, "Ana") is not None
    cache.forget(3)
    assert cache.get(3, "Ana") is None and cache.get(2, "Ana") is not None
