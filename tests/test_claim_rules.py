"""The lease boundary has one definition (``priority.lease_held``: held while
``now < lease_expires_at``; a claim without a lease holds nothing) and every claim path
agrees with it at the exact instant: the ranking, the slice, the take, the walk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead
from qualdesk.domain.priority import lease_held
from qualdesk.errors import NotAllowed
from qualdesk.services import claim_pg
from qualdesk.services import queue as q
from qualdesk.services.users import add_user
from tests.conftest import FrozenClock
from tests.factories import make_lead


def _held_by_bob(db: Database, frozen: FrozenClock, expires_in: timedelta | None) -> int:
    add_user(db, "Ann", "rep")
    bob = add_user(db, "Bob", "rep")
    lead = make_lead(db, email="a@x.test", raised_at=frozen.t - timedelta(minutes=10))
    with db.session() as s:
        s.execute(update(Lead).where(Lead.id == lead).values(
            claimed_by_id=bob.id, claimed_at=frozen.t - timedelta(minutes=5),
            lease_expires_at=None if expires_in is None else frozen.t + expires_in))
    return lead


@pytest.mark.parametrize("path", ["claim_next", "claim_lead", "walk"])
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
    else:
        if not db.is_postgres:
            return  # the server-side walk is PostgreSQL's only
        got = claim_pg.fast_claim(db, "Ann", frozen.t)
        if free:
            assert isinstance(got, claim_pg.Claimed) and got.lead_id == lead
        else:
            assert got is claim_pg.Walk.EMPTY


def test_an_empty_queue_costs_one_walk(db: Database, frozen: FrozenClock) -> None:
    """Nothing for the rep: the walk says 'empty' (not 'could not run')."""
    add_user(db, "Ann", "rep")
    if not db.is_postgres:
        assert q.claim_next(db, "Ann", frozen.t).lead_id is None
        return
    assert claim_pg.fast_claim(db, "Ann", frozen.t) is claim_pg.Walk.EMPTY
    assert q.claim_next(db, "Ann", frozen.t).lead_id is None
