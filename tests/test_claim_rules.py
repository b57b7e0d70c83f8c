"""The lease boundary has one definition (``priority.lease_held``: held while
``now < lease_expires_at``; a claim without a lease holds nothing) and every claim path
agrees with it at the exact instant: the ranking, the slice, the take, the walk, the
floor's "on a lead now" and the hold that refuses another rep's call. The re-touch pass
(tier 4, what a claim ranks once the walk found tiers 1-3 empty) is held to ``rank`` on
random days of re-touches."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead
from qualdesk.domain.priority import Tier, lease_held
from qualdesk.errors import NotAllowed
from qualdesk.services import claim_pg
from qualdesk.services import queue as q
from qualdesk.services.calls import log_call, schedule_callback
from qualdesk.services.candidates import day_start
from qualdesk.services.claim_rules import free_for, may_retouch
from qualdesk.services.holds import holder_of
from qualdesk.services.reports.floor import floor_snapshot
from qualdesk.services.users import add_user, user_by_name
from tests.conftest import FrozenClock
from tests.factories import make_lead

DAY, NIGHT = "America/New_York", "Asia/Tokyo"  # 10:00 and 00:00 at the frozen 15:00 UTC
REPS = ("Ann", "Bob", "Cy")


def _held_by_bob(db: Database, frozen: FrozenClock, expires_in: timedelta | None) -> int:
    add_user(db, "Ann", "rep")
    bob = add_user(db, "Bob", "rep")
    lead = make_lead(db, email="a@x.test", raised_at=frozen.t - timedelta(minutes=10))
    with db.session() as s:
        s.execute(update(Lead).where(Lead.id == lead).values(
            claimed_by_id=bob.id, claimed_at=frozen.t - timedelta(minutes=5),
            lease_expires_at=None if expires_in is None else frozen.t + expires_in))
    return lead


@pytest.mark.parametrize("path", ["claim_next", "claim_lead", "walk", "floor", "hold"])
@pytest.mark.parametrize(("expires_in", "free"), [
    (timedelta(microseconds=1), False),  # the lease's last instant but one: still Bob's
    (timedelta(0), True),  # now == lease_expires_at: the lease is over
    (None, True),  # a claimer without a lease holds nothing
], ids=["just before", "at the instant", "no lease"])
def test_the_lease_ends_at_its_instant_on_every_path(db: Database, frozen: FrozenClock,
                                                     path: str, expires_in: timedelta | None,
                                                     free: bool) -> None:
    lead = _held_by_bob(db, frozen, expires_in)
    expires = None if expires_in is None else frozen.t + expires_in
    assert lease_held(2, expires, frozen.t) is not free
    ranked = [e.lead_id for e in q.rep_queue(db, "Ann", frozen.t).entries]
    assert ranked == ([lead] if free else [])
    if path == "claim_next":
        assert q.claim_next(db, "Ann", frozen.t).lead_id == (lead if free else None)
    elif path == "claim_lead":
        if free:
            assert q.claim_lead(db, lead, "Ann").lead_id == lead
        else:
            with pytest.raises(NotAllowed):
                q.claim_lead(db, lead, "Ann")
    elif path == "floor":  # the floor's "on a lead now", and the at-risk list's claimer
        snap = floor_snapshot(db, frozen.t)
        bob = next(r for r in snap.reps if r.name == "Bob")
        assert bob.current_lead_id == (None if free else lead)
    elif path == "hold":  # a call, note or follow-up by another rep is refused while held
        with db.session(write=False) as s:
            row = s.get(Lead, lead)
            assert row is not None
            assert holder_of(s, row, user_by_name(s, "Ann").id) == (None if free else "Bob")
    else:
        if not db.is_postgres:
            return  # the server-side walk is PostgreSQL's only
        got = claim_pg.fast_claim(db, "Ann", frozen.t)
        if free:
            assert isinstance(got, claim_pg.Claimed) and got.lead_id == lead
        else:
            assert got is claim_pg.Walk.EMPTY


def test_an_empty_queue_costs_one_walk(db: Database, frozen: FrozenClock) -> None:
    """Nothing for the rep: the walk says 'empty' (not 'could not run'), and claim_next
    then reads the settings and probes for re-touches — no slice, no ranking of the
    team's leads (here Bob's, all of them)."""
    add_user(db, "Ann", "rep")
    bob = add_user(db, "Bob", "rep")
    for i in range(5):
        lid = make_lead(db, email=f"b{i}@x.test", raised_at=frozen.t - timedelta(minutes=i))
        with db.session() as s:
            s.execute(update(Lead).where(Lead.id == lid).values(owner_id=bob.id))
    if not db.is_postgres:
        assert q.claim_next(db, "Ann", frozen.t).lead_id is None
        return
    assert claim_pg.fast_claim(db, "Ann", frozen.t) is claim_pg.Walk.EMPTY
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert q.claim_next(db, "Ann", frozen.t).lead_id is None
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(statements) == 2, statements  # the rep and settings; the re-touch probe


def _retouch_day(db: Database, frozen: FrozenClock, rng: random.Random, n: int = 40) -> None:
    """Leads with nothing in tiers 1-3 but what a day of re-touches leaves: no hand raise,
    attempts yesterday, this morning or never, incubation dates come or still ahead,
    every designation, leads owned or claimed (live or lapsed) by others, and a callback
    promised to one rep that another may not take yet."""
    for name in REPS:
        add_user(db, name, "rep")
    now = frozen.t
    ids = [make_lead(db, email=f"r{i}@x.test", phone=f"+1212555{i:04d}", kind=None,
                     zones=rng.choice([(DAY,), (DAY,), (NIGHT,)])) for i in range(n)]
    for lid in rng.sample(ids, n // 2):
        frozen.t = now - timedelta(days=rng.choice([0, 1, 1, 3]), minutes=rng.choice([20, 90]))
        log_call(db, lid, rng.choice(REPS), rng.choice(["no_answer", "busy", "no_answer"]))
    frozen.t = now
    for lid in rng.sample(ids, 4):
        schedule_callback(db, lid, rng.choice(REPS), now + timedelta(minutes=rng.choice([-5, 30])))
    with db.session() as s:
        for lid in ids:
            lease = rng.choice([None, None, None, timedelta(minutes=5), timedelta(0)])
            s.execute(update(Lead).where(Lead.id == lid).values(
                designation=rng.choice(["cold", "warm", "hot", "incubating", "turned_over"]),
                retouch_at=rng.choice([None, None, now - timedelta(days=1), now + timedelta(days=1)]),
                owner_id=rng.choice([None, None, None, rng.randint(1, len(REPS))]),
                claimed_by_id=None if lease is None else rng.randint(1, len(REPS)),
                lease_expires_at=None if lease is None else now + lease))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_re_touches_are_claimed_as_ranked(db: Database, frozen: FrozenClock, seed: int) -> None:
    """Tier 4 after the walk found tiers 1-3 empty: ``may_retouch`` holds every lead
    ``rank`` places there (it may hold more, never fewer), and claim after claim takes
    the head of the ranked queue (on PostgreSQL through ``Walk.EMPTY``'s re-touch pass)."""
    rng = random.Random(seed)
    _retouch_day(db, frozen, rng)
    tier4 = 0
    for turn in range(30):
        rep = rng.choice(REPS)
        entries = q.rep_queue(db, rep, frozen.t).entries
        with db.session(write=False) as s:
            rep_id = user_by_name(s, rep).id
            may = set(s.scalars(select(Lead.id).where(
                free_for(Lead, rep_id, frozen.t),
                may_retouch(Lead, frozen.t, day_start(frozen.t, q.queue_policy(s).team_tz)))))
        assert {e.lead_id for e in entries if e.tier == Tier.RETOUCH} <= may, (seed, turn)
        tier4 += sum(e.tier == Tier.RETOUCH for e in entries)
        claim = q.claim_next(db, rep, frozen.t)
        assert claim.lead_id == (entries[0].lead_id if entries else None), (seed, turn, rep)
        if claim.lead_id is not None:
            assert claim.entry == entries[0]
            log_call(db, claim.lead_id, rep, "no_answer")
        frozen.advance(minutes=rng.choice([1, 11]))
    assert tier4 >= 10, tier4  # re-touches were really on offer
