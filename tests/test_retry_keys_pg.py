"""Retry keys (#21): a BANT save, a turn-over, a callback, a note and a designation change
carry an idempotency key, so a retry after a lost commit finds what was committed
instead of doubling it — on both engines, through the CLI's ``--idempotency-key``, and
across a real immediate-mode stop of PostgreSQL in the middle of a burst from several
processes, each with a rep's own login."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from qualdesk.db.engine import Database
from qualdesk.db.models import Callback, ChangeLog, DesignationChange, Note, TurnOver, WriteKey
from qualdesk.domain.bant import Bant, parse_budget
from qualdesk.errors import CommitInDoubt, InvalidInput
from qualdesk.offline.outbox import Outbox
from qualdesk.offline.replay import replay
from qualdesk.offline.resilient import ResilientOps
from qualdesk.services import pg_roles
from qualdesk.services.calls import schedule_callback
from qualdesk.services.designations import set_designation
from qualdesk.services.notes import upsert_note
from qualdesk.services.qualification import save
from qualdesk.services.retry_keys import KeyTaken
from qualdesk.services.turnover import turn_over
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from tests.commit_dropper import CommitDropper
from tests.conftest import pg_url_with_logins
from tests.factories import make_lead
from tests.pg_cluster import PgCluster

REPS, LEADS = 3, 12


def _count(db: Database, q) -> int:  # type: ignore[no-untyped-def]
    with db.session(write=False) as s:
        return int(s.scalar(q) or 0)


def test_each_retried_write_is_made_once(db: Database) -> None:
    add_user(db, "Ana", "rep", email="ana@team.test")
    add_user(db, "Sam", "sales", email="sam@team.test")
    lead = make_lead(db)
    due = datetime.now(UTC) + timedelta(days=1)
    for _ in range(2):  # the second time is the retry after a lost answer
        save(db, lead, "Ana", bant=Bant(budget=parse_budget("50000 EUR")), idempotency_key="q1")
        schedule_callback(db, lead, "Ana", due, note="call back", idempotency_key="cb1")
        saved = upsert_note(db, lead, "Ana", "first words", idempotency_key="n1")
        set_designation(db, lead, "warm", "Ana", idempotency_key="d1")
    assert _count(db, select(func.count()).select_from(Callback)) == 1
    assert _count(db, select(func.count()).select_from(Note)) == 1 and saved.note_id
    assert _count(db, select(func.count()).where(ChangeLog.kind == "qualification")) == 1
    # the retried move finds its own key even though the lead has moved on since
    set_designation(db, lead, "hot", "Ana")
    set_designation(db, lead, "warm", "Ana", idempotency_key="d1")
    assert _count(db, select(func.count()).select_from(DesignationChange)) == 2
    first = turn_over(db, lead, "Sam", by="Ana", override="asked for a demo", idempotency_key="t1")
    again = turn_over(db, lead, "Sam", by="Ana", override="asked for a demo", idempotency_key="t1")
    assert again.turnover_id == first.turnover_id
    assert _count(db, select(func.count()).select_from(TurnOver)) == 1
    # one key names one write: reused for something else it is refused, not taken as done
    with pytest.raises(InvalidInput, match="already used for a callback"):
        upsert_note(db, lead, "Ana", "other words", idempotency_key="cb1")
    assert _count(db, select(func.count()).select_from(WriteKey)) == 5


def test_the_outbox_replays_bant_saves_and_turn_overs_once(db: Database, tmp_path: Path) -> None:
    add_user(db, "Ana", "rep", email="ana@team.test")
    add_user(db, "Sam", "sales", email="sam@team.test")
    lead = make_lead(db)
    box = Outbox(tmp_path / "outbox.sqlite3")
    at = datetime.now(UTC).isoformat()
    box.add("qualification", {"lead_id": lead, "rep": "Ana", "answers": {},
                              "bant": Bant(budget=parse_budget("50000 EUR")).to_json(),
                              "queued_at": at}, "kq")
    box.add("turn_over", {"lead_id": lead, "rep": "Ana", "to": "Sam", "override": "demo",
                          "queued_at": at}, "kt")
    assert [(o.kind, o.status) for o in replay(db, box)] == [
        ("qualification", "applied"), ("turn_over", "applied")]
    # the commit was made but the client never heard: both replay again, and are found
    for item in box.recent():
        box.mark(item.id, "pending")
    assert [o.status for o in replay(db, box)] == ["duplicate", "duplicate"]
    assert _count(db, select(func.count()).select_from(TurnOver)) == 1
    assert _count(db, select(func.count()).where(ChangeLog.kind == "qualification")) == 1
    # the live path: applied at once, with the outcome's result for the caller
    other = make_lead(db, email="kim@acme.test")
    ops = ResilientOps(db, Outbox(tmp_path / "live.sqlite3"))
    o = ops.turn_over(other, "Ana", "Sam", override="asked")
    assert o.status == "applied" and o.result.to_owner == "Sam"


def test_two_tries_racing_with_one_key_make_the_change_once(pg_template: str) -> None:
    """The other try has written the key but not committed yet: this one waits for it,
    then stands down whole (KeyTaken) instead of doubling the change."""
    urls = pg_url_with_logins(pg_template, "qdk_")
    db = Database(next(urls))
    add_user(db, "Ana", "rep", email="ana@team.test")
    lead = make_lead(db)
    due = datetime.now(UTC) + timedelta(days=1)
    other = psycopg.connect(db.url.replace("+psycopg", ""))
    other.execute("INSERT INTO write_keys (key, kind, lead_id, at) VALUES ('race', 'callback', "
                  "%s, now())", (lead,))
    threading.Timer(0.5, other.commit).start()  # the other try commits while this one waits
    try:
        with pytest.raises(KeyTaken, match="just made by another try"):
            schedule_callback(db, lead, "Ana", due, idempotency_key="race")
        assert _count(db, select(func.count()).select_from(Callback)) == 0  # rolled back whole
    finally:
        other.close()
        db.dispose()
        next(urls, None)


def test_the_cli_retries_safely_with_a_key(db_url: str) -> None:
    db = Database(db_url)
    add_user(db, "Ana", "rep", email="ana@team.test")
    add_user(db, "Sam", "sales", email="sam@team.test")
    lead = make_lead(db)
    for _ in range(2):
        for argv in (("qualify", str(lead), "--rep", "Ana", "--budget", "50000 EUR",
                      "--idempotency-key", "cli-q"),
                     ("callback", str(lead), "--rep", "Ana", "--at", "2031-01-02T10:00:00+00:00",
                      "--idempotency-key", "cli-cb")):
            r = run(db_url, *argv)
            assert r.code == 0, r.err
        r = run(db_url, "turn-over", str(lead), "--to", "Sam", "--by", "Ana",
                "--override", "demo", "--idempotency-key", "cli-t", "--json")
        assert r.code == 0, r.err
        assert r.json()["to"] == "Sam"
    assert _count(db, select(func.count()).select_from(TurnOver)) == 1
    assert _count(db, select(func.count()).select_from(Callback)) == 1
    db.dispose()


def test_a_commit_whose_answer_was_lost_is_found_by_its_key(pg_template: str) -> None:
    """The server commits, the answer never reaches the client (a proxy cuts the line
    right after COMMIT): the client says the change is in doubt, and its retry with the
    same key finds it — for each kind of retried write, with a rep's own login."""
    urls = pg_url_with_logins(pg_template, "qdk_")
    url = next(urls)
    owner = Database(url)
    add_user(owner, "Ana", "rep", email="ana@team.test")
    add_user(owner, "Sam", "sales", email="sam@team.test")
    login = f"qdk_ana_{uuid.uuid4().hex[:6]}"
    pg_roles.grant_login(owner, "Ana", login, "pw")
    ana_url = make_url(url).set(username=login, password="pw").render_as_string(hide_password=False)
    proxy = CommitDropper(ana_url)
    ana = Database(proxy.url)
    lead = make_lead(owner)
    due = datetime.now(UTC) + timedelta(days=1)
    writes: list[tuple[str, Callable[[str | None], object], Callable[[], int]]] = [
        ("q", lambda k: save(ana, lead, "Ana", bant=Bant(budget=parse_budget("50000 EUR")),
                             idempotency_key=k),
         lambda: _count(owner, select(func.count()).where(ChangeLog.kind == "qualification"))),
        ("cb", lambda k: schedule_callback(ana, lead, "Ana", due, note="cb", idempotency_key=k),
         lambda: _count(owner, select(func.count()).select_from(Callback))),
        ("n", lambda k: upsert_note(ana, lead, "Ana", "asked for a demo", idempotency_key=k),
         lambda: _count(owner, select(func.count()).select_from(Note))),
        ("d", lambda k: set_designation(ana, lead, "warm", "Ana", idempotency_key=k),
         lambda: _count(owner, select(func.count()).select_from(DesignationChange))),
        ("t", lambda k: turn_over(ana, lead, "Sam", by="Ana", override="demo", idempotency_key=k),
         lambda: _count(owner, select(func.count()).select_from(TurnOver))),
    ]
    try:
        for key, write, count in writes:
            proxy.drop_next_commit()
            with pytest.raises(CommitInDoubt):
                write(key)
            assert count() == 1, key  # committed, though the client never heard
            write(key)  # the retry: found, nothing more
            assert count() == 1, key
        assert proxy.dropped == len(writes)
        # a script: the command says the change is in doubt, its retry with the key is safe
        other = make_lead(owner, email="kim@acme.test")
        argv = ("callback", str(other), "--at", "2031-01-02T10:00:00+00:00",
                "--idempotency-key", "cli-lost")
        proxy.drop_next_commit(after=b"INSERT INTO callbacks")
        r = run(proxy.url, *argv)
        assert r.code == 1 and "may or may not have been kept" in r.err, r.err
        assert run(proxy.url, *argv).code == 0
        assert _count(owner, select(func.count()).where(Callback.lead_id == other)) == 1
        # without a key the same retry doubles (what the keys are for)
        proxy.drop_next_commit()
        with pytest.raises(CommitInDoubt):
            schedule_callback(ana, lead, "Ana", due, note="again")
        schedule_callback(ana, lead, "Ana", due, note="again")
        with owner.session(write=False) as s:
            assert list(s.scalars(select(Callback.note).where(Callback.note == "again"))) == [
                "again", "again"]
    finally:
        ana.dispose()
        proxy.close()
        owner.dispose()
        next(urls, None)


def _seed(url: str, reps: int, leads: int) -> tuple[dict[str, str], dict[str, list[int]]]:
    """Reps with their own logins (and a sales owner), each with leads to work."""
    db = Database(url)
    db.ensure_ready()
    add_user(db, "Sam", "sales", email="sam@team.test")
    urls: dict[str, str] = {}
    out: dict[str, list[int]] = {}
    tag = uuid.uuid4().hex[:6]
    for r in range(reps):
        name = f"Rep {r + 1:02d}"
        add_user(db, name, "rep", email=f"rep{r + 1}@team.test")
        login = f"qdk_rep{r + 1}_{tag}"
        pg_roles.grant_login(db, name, login, "pw")
        urls[name] = make_url(url).set(username=login, password="pw").render_as_string(
            hide_password=False)
        out[name] = [make_lead(db, email=f"l{r}-{i}@acme.test", first=f"L{r}-{i}")
                     for i in range(leads)]
    db.dispose()
    return urls, out


def _done(url: str) -> int:
    db = Database(url)
    try:
        return _count(db, select(func.count()).select_from(WriteKey))
    finally:
        db.dispose()


def test_immediate_stop_mid_burst_keeps_every_retried_write_once(private_pg: PgCluster) -> None:
    private_pg.stop()
    private_pg.start(durable=True)  # an acknowledged commit survives the crash
    url = private_pg.create_database("keys").replace("postgresql://", "postgresql+psycopg://")
    urls, leads = _seed(url, REPS, LEADS)
    workers = [subprocess.Popen([sys.executable, "-m", "tests.lost_commit_keys_worker",
                                 urls[rep], rep, ",".join(map(str, ids)), f"r{n}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for n, (rep, ids) in enumerate(leads.items())]
    # well under way (a quarter of the writes in), not before it starts
    outs = private_pg.crash_mid_burst(workers, lambda: _done(url) >= REPS * LEADS)
    for w, (_, err) in zip(workers, outs, strict=True):
        assert w.returncode == 0, err
    tries = Counter(json.loads(line)["result"] for out, _ in outs for line in out.splitlines())
    db = Database(url)
    with db.session(write=False) as s:
        callbacks = Counter(s.scalars(select(Callback.note)))
        notes = Counter(s.scalars(select(Note.body).where(Note.body.like("r%-n-%"))))
        turnovers = Counter(s.scalars(select(TurnOver.lead_id)))
        saves = Counter(s.scalars(select(ChangeLog.lead_id).where(ChangeLog.kind == "qualification")))
    db.dispose()
    every = [i for ids in leads.values() for i in ids]
    assert set(turnovers) == set(every) and max(turnovers.values()) == 1
    assert set(saves) == set(every) and max(saves.values()) == 1
    assert len(callbacks) == len(every) and max(callbacks.values()) == 1
    assert len(notes) == len(every) and max(notes.values()) == 1
    assert tries["doubt"] + tries["unavailable"] > 0, tries  # the crash did hit the burst
    print(f"{REPS}x{LEADS}x4 retried writes across an immediate stop: tries {dict(tries)}")
