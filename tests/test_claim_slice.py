"""claim_next's fast path (rank a slice of the leads that can head the queue) against the
full ranking, on both engines: same head, every slice size, and the fall-backs (a wider
slice, then everything) when the slice vouches for nothing claimable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, Lead
from qualdesk.domain.priority import Tier
from qualdesk.services import queue as q
from qualdesk.services.calls import log_call, schedule_callback
from qualdesk.services.hand_raises import add_hand_raise, stamp_email
from qualdesk.services.users import add_user, user_by_name
from tests.conftest import FrozenClock
from tests.factories import make_lead

DAY = "America/New_York"  # 10:00 there at the frozen 15:00 UTC
NIGHT = "Asia/Tokyo"  # 00:00 there: outside the calling window


def _second_hand_raise(db: Database, lead_id: int, minutes_ago: int, kind: str = "demo_request",
                       strength: int = 90) -> None:
    from qualdesk import clock

    with db.session() as s:
        lead = s.get(Lead, lead_id)
        camp = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
        assert lead is not None and camp is not None
        add_hand_raise(s, lead, camp, kind, strength, clock.now() - timedelta(minutes=minutes_ago))


def _varied(db: Database, frozen: FrozenClock) -> dict[str, int]:
    """~40 leads: in clock and breached, two hand raises, night zones, a callback due for
    anyone and one only for Bob, a do-not-call lead, yesterday's attempts, one owned."""
    for name in ("Ann", "Bob", "Cy"):
        add_user(db, name, "rep")
    now = frozen.t
    ids: dict[str, int] = {}
    for i in range(36):
        zone = NIGHT if i % 6 == 5 else DAY
        ids[f"l{i}"] = make_lead(db, email=f"l{i}@x.test", phone=f"+1212555{i:04d}", zones=(zone,),
                                 raised_at=now - timedelta(minutes=(i * 37) % 150))
    # Leads 0, 7, 14, 21, 28 also raised a demo request 70 minutes before: breached.
    for i in range(0, 36, 7):
        _second_hand_raise(db, ids[f"l{i}"], (i * 37) % 150 + 70)
    ids["dnc"] = make_lead(db, email="dnc@x.test", raised_at=now - timedelta(minutes=58))
    with db.session() as s:
        dnc = s.get(Lead, ids["dnc"])
        assert dnc is not None
        dnc.do_not_call = True
    ids["cb_any"] = make_lead(db, email="cb1@x.test", raised_at=now - timedelta(hours=5))
    ids["cb_bob"] = make_lead(db, email="cb2@x.test", raised_at=now - timedelta(hours=6))
    # Yesterday's calls (Cy's leads from then on): a retry for tier 4, and lead 3.
    frozen.t = now - timedelta(days=1)
    ids["retry"] = make_lead(db, email="r@x.test", kind="contact_form")
    for key in ("retry", "l3"):
        log_call(db, ids[key], "Cy", "no_answer")
    frozen.t = now
    schedule_callback(db, ids["cb_any"], "Cy", now - timedelta(minutes=5), scope="anyone")
    schedule_callback(db, ids["cb_bob"], "Bob", now - timedelta(minutes=3), scope="mine")
    return ids


def _prefix_matches_full(db: Database, rep: str, size: int) -> list[int]:
    full = [e.lead_id for e in q.rep_queue(db, rep).entries]
    with db.session(write=False) as s:
        policy = q.queue_policy(s)
        got = [e.lead_id for e in q._certain_prefix(s, user_by_name(s, rep).id, q.clock.now(),
                                                    policy, size)]
    assert got == full[:len(got)], (rep, size)
    return got


def test_slice_prefix_is_the_full_rankings_head(db: Database, frozen: FrozenClock) -> None:
    ids = _varied(db, frozen)
    # Hand-worked head for Ann: the callback due for anyone, then (Bob's callback is
    # Bob's for 15 minutes) the in-clock leads, earliest deadline first.
    head = _prefix_matches_full(db, "Ann", 128)
    assert head[0] == ids["cb_any"]
    assert ids["cb_bob"] not in head[:2]
    assert _prefix_matches_full(db, "Bob", 128)[:2] == [ids["cb_any"], ids["cb_bob"]]
    for rep in ("Ann", "Bob", "Cy"):
        lengths = [len(_prefix_matches_full(db, rep, size)) for size in (1, 2, 3, 5, 8, 16, 128)]
        # A wider slice never vouches for less.
        assert lengths == sorted(lengths), (rep, lengths)
        assert lengths[-1] > 5
    # Later in the day the clocks run out and tier 3 (breached) heads the slice.
    frozen.advance(minutes=70)
    for rep in ("Ann", "Cy"):
        assert len(_prefix_matches_full(db, rep, 128)) > 5
        assert _prefix_matches_full(db, rep, 2) == _prefix_matches_full(db, rep, 128)[:len(
            _prefix_matches_full(db, rep, 2))]


@pytest.mark.parametrize("size", [1, 3, 16])
def test_claim_next_takes_the_head_of_the_queue(db: Database, frozen: FrozenClock,
                                                monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    monkeypatch.setattr(q, "SLICE", size)
    _varied(db, frozen)
    reps = ["Ann", "Bob", "Cy"]
    claimed = 0
    for turn in range(60):
        rep = reps[turn % 3]
        entries = q.rep_queue(db, rep).entries
        got = q.claim_next(db, rep)
        assert got.lead_id == (entries[0].lead_id if entries else None), (turn, rep)
        if got.lead_id is None:
            continue
        assert got.entry == entries[0]
        claimed += 1
        log_call(db, got.lead_id, rep, "no_answer")
        frozen.advance(minutes=1)
    # Everything callable was worked once, then the recycle delays came round again.
    assert claimed >= 45


def test_falls_back_to_the_full_ranking(db: Database, frozen: FrozenClock,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The SLICE*8 soonest hand raises are all at night; the one callable lead is further
    down the in-clock order, and then only a tier-4 retry is left."""
    monkeypatch.setattr(q, "SLICE", 2)
    add_user(db, "Ann", "rep")
    now = frozen.t
    for i in range(18):
        make_lead(db, email=f"n{i}@x.test", zones=(NIGHT,), raised_at=now - timedelta(minutes=50, seconds=i))
    day = make_lead(db, email="d@x.test", zones=(DAY,), raised_at=now - timedelta(minutes=30))
    frozen.t = now - timedelta(days=1)
    retry = make_lead(db, email="r@x.test", zones=(DAY,))
    log_call(db, retry, "Ann", "no_answer")
    with db.session() as s:  # called and emailed yesterday: only a retry today
        stamp_email(s, retry, frozen.t)
    frozen.t = now
    with db.session(write=False) as s:
        assert q._certain_prefix(s, user_by_name(s, "Ann").id, now, q.queue_policy(s), 16) == []
    first = q.claim_next(db, "Ann")
    assert first.lead_id == day and first.entry is not None and first.entry.tier == Tier.IN_CLOCK
    log_call(db, day, "Ann", "no_answer")
    second = q.claim_next(db, "Ann")
    assert second.lead_id == retry and second.entry is not None and second.entry.tier == Tier.RETOUCH
    assert second.entry.reason == "next live attempt (2 of 6)"


def test_fifo_policy_skips_the_slice(db: Database, frozen: FrozenClock) -> None:
    from qualdesk.services.team_settings import set_value

    add_user(db, "Ann", "rep")
    now = frozen.t
    old = make_lead(db, email="o@x.test", raised_at=now - timedelta(minutes=200))
    make_lead(db, email="n@x.test", raised_at=now - timedelta(minutes=50))
    set_value(db, "queue.policy", "fifo")
    assert q.claim_next(db, "Ann").lead_id == old
