"""Queue rows built in one streaming pass agree with ``rep_queue`` (``load_candidates`` +
``rank``) lead for lead, on SQLite and PostgreSQL, over a varied mixed queue; held rows
are counted even when they are not built."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Callback, Campaign, HandRaise, Lead
from qualdesk.services import team_settings
from qualdesk.services.queue import rep_queue
from qualdesk.services.queue_rows import QueueRow, queue_rows
from qualdesk.services.users import add_user

ZONES = [["America/New_York"], ["America/Los_Angeles"], ["Europe/Berlin"], ["Asia/Tokyo"],
         ["America/New_York", "Europe/London"], []]
DESIGNATIONS = ["cold", "warm", "warm", "hot", "incubating", "accepted", "disqualified"]
KINDS = [("demo_request", 90), ("contact_form", 85), ("called_in", 95), ("chat", 70)]


def seed_mixed(db: Database, now: datetime, n: int = 240) -> tuple[int, int]:
    """``n`` leads with every kind of fact the queue looks at, at random (seeded)."""
    ana = add_user(db, "Ana Rep", "rep", email="ana@example.com").id
    ben = add_user(db, "Ben Rep", "rep", email="ben@example.com").id
    rnd = random.Random(11)
    with db.session() as s:
        campaign = s.scalar(select(Campaign.id).where(Campaign.is_default.is_(True)))
        ids = [s.scalar(insert(Lead).returning(Lead.id).values(
            first_name=rnd.choice([f"First{i}", None]), last_name=rnd.choice([f"Last{i}", None]),
            company=rnd.choice([f"Co {i % 7}", None]), email=rnd.choice([f"l{i}@x.example", None]),
            phone=rnd.choice(["+12125550100", "+4930123456", None]),
            time_zones=rnd.choice(ZONES), campaign_id=campaign,
            designation=rnd.choice(DESIGNATIONS), do_not_call=rnd.random() < 0.08,
            owner_id=rnd.choice([None, None, None, ana, ben]),
            claimed_by_id=(claimer := rnd.choice([None, None, None, ana, ben])),
            lease_expires_at=now + timedelta(minutes=rnd.choice([-5, 5])) if claimer else None,
            retouch_at=now + timedelta(days=rnd.choice([-2, 3])) if rnd.random() < 0.2 else None,
            last_hand_raise_at=now - timedelta(hours=rnd.randint(1, 50)),
            created_at=now, updated_at=now)) for i in range(n)]
        hrs, atts, cbs = [], [], []
        for lid in ids:
            for _ in range(rnd.choice([0, 1, 1, 1, 2, 3])):
                kind, strength = rnd.choice(KINDS)
                # Whole minutes, a few shared: ties on deadline and raise time occur.
                t = now - timedelta(minutes=rnd.choice([5, 20, 50, 50, 70, 200, 600]))
                hrs.append(dict(
                    lead_id=lid, campaign_id=campaign, kind=kind, strength=strength,
                    raised_at=t, deadline_at=t + timedelta(hours=1), created_at=t,
                    first_call_at=t + timedelta(minutes=3) if rnd.random() < 0.2 else None,
                    first_email_at=t + timedelta(minutes=4) if rnd.random() < 0.2 else None))
            for _ in range(rnd.choice([0, 0, 1, 2, 4, 7])):
                atts.append(dict(lead_id=lid, rep_id=rnd.choice([ana, ben]),
                                 started_at=now - timedelta(minutes=rnd.choice([3, 30, 400, 3000])),
                                 disposition=rnd.choice(["no_answer", "voicemail", "wrong_number"])))
            for _ in range(rnd.choice([0, 0, 0, 1, 2])):
                cbs.append(dict(lead_id=lid, rep_id=rnd.choice([ana, ben, None]),
                                due_at=now + timedelta(minutes=rnd.choice([-90, -20, -5, 30])),
                                scope=rnd.choice(["mine", "anyone"]), created_at=now,
                                done_at=now if rnd.random() < 0.2 else None))
        s.execute(insert(HandRaise), hrs)
        s.execute(insert(Attempt), atts)
        s.execute(insert(Callback), cbs)
    return ana, ben


def _expected(db: Database, rep: str | None) -> tuple[list[tuple], list[tuple]]:
    got = rep_queue(db, rep)
    return ([(e.lead_id, int(e.tier), e.deadline, e.reason, e.next_action) for e in got.entries],
            sorted((h.lead_id, h.reason) for h in got.held))


def _offered(rows: list[QueueRow]) -> list[tuple]:
    return [(r.lead_id, r.tier, r.deadline, r.reason, r.next_action) for r in rows if not r.held]


def test_same_queue_as_rank_for_reps_and_team(db: Database, frozen) -> None:
    seed_mixed(db, frozen.t)
    for rep in ("Ana Rep", "Ben Rep", None):
        offered, held = _expected(db, rep)
        assert len(offered) > 40 and len(held) > 40  # the mix really has both
        full = queue_rows(db, rep)
        assert _offered(full.rows) == offered
        assert [r.position for r in full.offered] == list(range(1, len(offered) + 1))
        assert sorted((r.lead_id, r.reason) for r in full.held) == held
        assert full.held_count == len(held)
        assert all(r.position == 0 and r.tier == 0 and r.next_action == "" for r in full.held)
        # Held rows left out, but still counted; the offered rows are the same ones.
        lean = queue_rows(db, rep, include_held=False)
        assert lean.held == [] and lean.held_count == len(held)
        assert lean.rows == full.offered


def test_fifo_policy_order(db: Database, frozen) -> None:
    seed_mixed(db, frozen.t, n=120)
    team_settings.set_value(db, "queue.policy", "fifo")
    offered, _ = _expected(db, "Ana Rep")
    assert _offered(queue_rows(db, "Ana Rep").rows) == offered


def test_display_fields_of_one_lead(db: Database, frozen) -> None:
    now = frozen.t
    add_user(db, "Ana Rep", "rep", email="ana@example.com")
    with db.session() as s:
        campaign = s.scalar(select(Campaign.id).where(Campaign.is_default.is_(True)))
        name = s.scalar(select(Campaign.name).where(Campaign.id == campaign))
        lid = s.scalar(insert(Lead).returning(Lead.id).values(
            first_name=None, last_name="Solo", company=None, email="solo@x.example",
            phone="+12125550100", time_zones=["America/New_York"], campaign_id=campaign,
            designation="warm", last_hand_raise_at=now - timedelta(minutes=30),
            created_at=now, updated_at=now))
        s.execute(insert(HandRaise), [dict(
            lead_id=lid, campaign_id=campaign, kind=kind, strength=strength,
            raised_at=now - timedelta(minutes=ago), deadline_at=now + timedelta(minutes=60 - ago),
            created_at=now) for kind, strength, ago in (("chat", 70, 30), ("demo_request", 90, 45))])
    [row] = queue_rows(db, "Ana Rep").rows
    # 15:00 UTC is 10:00 in New York: offered. The earliest deadline (the demo request,
    # raised 45 min ago) sets the clock and the kind; "raised" is the latest hand raise.
    assert row == QueueRow(
        lead_id=lid, position=1, tier=2, deadline=now + timedelta(minutes=15),
        reason="demo request, 15 min left on the clock", next_action="call", held=False,
        name="Solo", company="", phone="+12125550100", kind="demo_request",
        raised_at=now - timedelta(minutes=30), campaign=name, attempts_today=0,
        time_zones=("America/New_York",), designation="warm", callback_due_at=None)


def test_head_first_is_the_exact_start_of_the_queue(db: Database, frozen) -> None:
    seed_mixed(db, frozen.t)
    for rep in ("Ana Rep", None):
        heads: list = []
        full = queue_rows(db, rep, on_head=heads.append)
        [head] = heads
        assert not head.complete and full.complete
        # Every due callback and in-clock lead, in place: tiers 1 and 2 always lead.
        n = sum(1 for r in full.offered if r.tier <= 2)
        assert 5 < n < len(full.offered) - 5
        assert head.rows == full.offered[:n]
        # The two-pass build is the same queue as the one-pass one.
        assert full == queue_rows(db, rep)
    # The fifo order has no such head: no call, same queue.
    team_settings.set_value(db, "queue.policy", "fifo")
    heads = []
    assert queue_rows(db, "Ana Rep", on_head=heads.append) == queue_rows(db, "Ana Rep")
    assert heads == []


def test_a_lead_changing_between_the_passes_is_judged_once(db: Database, frozen) -> None:
    from sqlalchemy import update

    seed_mixed(db, frozen.t)

    def follow_up_first_in_clock(head) -> None:
        # Another client answers a lead of the head while the rest is being read: it
        # is no longer "may head the queue" when the second pass selects its leads.
        lead = next(r.lead_id for r in head.rows if r.tier == 2)
        # (A re-touch date keeps it in the queue, further down.)
        with db.session() as s:
            s.execute(update(HandRaise).where(HandRaise.lead_id == lead)
                      .values(first_call_at=frozen.t, first_email_at=frozen.t))
            s.execute(update(Lead).where(Lead.id == lead)
                      .values(retouch_at=frozen.t - timedelta(days=1)))

    got = queue_rows(db, "Ana Rep", on_head=follow_up_first_in_clock)
    ids = [r.lead_id for r in got.rows]
    assert len(ids) == len(set(ids))
