"""The floor snapshot on a hand-built day, on SQLite and PostgreSQL.

Clock: 2026-11-23 15:00 UTC; team zone America/New_York, so 'today' starts at 05:00 UTC.

  alice: L2 no_answer 13:00, L2 voicemail+email follow-up 13:05, L1 connected 14:10,
         L1 turned over 14:30; a call at 04:00 UTC (23:00 NY yesterday) is not today
  bob:   L3 busy 12:00 (before L3's raise) and 13:20; holds L4 (claimed 14:50, lease 15 min -> 15:05, live)
  carol: claimed L5 at 14:30, lease ran out 14:45 -> holds nothing
  hand raises (deadline = raise + 60 min), open and not followed up:
    L3 bob   13:00 -> 14:00 breached (a call, no email)
    L8 carol 13:30 -> 14:30 breached
    L9 none  12:00 -> 13:00 breached
    L7 none  14:10 -> 15:10 (10 min left: at risk)
    L6 none  14:50 -> 15:50 (50 min left: not at risk)
    L4 bob   14:45 -> 15:45 (not at risk)
"""

from __future__ import annotations

from qualdesk.db.engine import Database
from qualdesk.services.queue import claim_lead, reassign
from qualdesk.services.reports.floor import change_marker, floor_snapshot
from qualdesk.services.team_settings import set_value
from tests import report_seed as rs


def seed(db: Database, frozen) -> dict[str, int]:  # type: ignore[no-untyped-def]
    set_value(db, "team.timezone", "America/New_York")
    for n in ("alice", "bob", "carol"):
        rs.user(db, n)
    rs.user(db, "lee", "lead")
    t = lambda h, m=0: rs.utc(2026, 11, 23, h, m)  # noqa: E731
    ids = {
        "L1": rs.lead(db, "One", owner="alice"), "L2": rs.lead(db, "Two", owner="alice"),
        "L3": rs.lead(db, "Three", owner="bob"), "L4": rs.lead(db, "Four"),
        "L5": rs.lead(db, "Five"), "L6": rs.lead(db, "Six"), "L7": rs.lead(db, "Seven"),
        "L8": rs.lead(db, "Eight", owner="carol"), "L9": rs.lead(db, "Nine"),
    }
    rs.call(db, ids["L2"], "alice", t(4, 0))  # yesterday in New York
    rs.hand_raise(db, ids["L2"], "contact_form", t(12, 0))
    rs.hand_raise(db, ids["L9"], "contact_form", t(12, 0))
    rs.call(db, ids["L2"], "alice", t(13, 0), "no_answer")
    rs.followup(db, ids["L2"], "alice", t(13, 5))
    rs.hand_raise(db, ids["L3"], "demo_request", t(13, 0))
    rs.call(db, ids["L3"], "bob", t(12, 0), "busy")  # before its raise: the raise has no call
    rs.call(db, ids["L3"], "bob", t(13, 20), "busy")
    rs.hand_raise(db, ids["L8"], "chat", t(13, 30))
    rs.hand_raise(db, ids["L1"], "called_in", t(14, 0))
    rs.call(db, ids["L1"], "alice", t(14, 10), "connected")
    rs.move(db, frozen, ids["L1"], "turned_over", "alice", t(14, 30))
    rs.hand_raise(db, ids["L7"], "chat", t(14, 10))
    rs.hand_raise(db, ids["L4"], "chat", t(14, 45))
    rs.hand_raise(db, ids["L6"], "chat", t(14, 50))
    frozen.t = t(14, 30)
    claim_lead(db, ids["L5"], "carol")
    frozen.t = t(14, 50)
    claim_lead(db, ids["L4"], "bob")
    frozen.t = t(15, 0)
    return ids


def test_floor_rows_totals_and_risk(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    ids = seed(db, frozen)
    snap = floor_snapshot(db)
    rows = {r.name: r for r in snap.reps}
    assert list(rows) == ["alice", "bob", "carol"]  # lee is a team lead with no calls
    a, b, c = rows["alice"], rows["bob"], rows["carol"]
    # alice: no_answer + voicemail + connected today = 3 attempts, 1 connect, 1 follow-up
    assert (a.attempts, a.connects, a.followups, a.turned_over, a.behind_clock) == (3, 1, 1, 1, 0)
    # bob: busy 12:00 and 13:20 = 2 attempts; L3 breached with no email
    assert (b.attempts, b.connects, b.followups, b.turned_over, b.behind_clock) == (2, 0, 0, 0, 1)
    assert (b.current_lead_id, b.current_lead) == (ids["L4"], "Four Test")
    assert b.held_minutes(frozen.t) == 10.0  # claimed 14:50
    assert (c.attempts, c.current_lead_id, c.behind_clock) == (0, None, 1)  # lease lapsed
    tot = snap.totals
    # behind: bob 1 + carol 1 + unowned L9 1 = 3
    assert (tot.attempts, tot.connects, tot.followups, tot.turned_over, tot.behind_clock) == (5, 1, 1, 1, 3)
    # unowned first: L7 (10 min left) before L9 (breached); then owned, breached most
    # recent first: L8 (deadline 14:30), L3 (14:00)
    assert [r.lead_id for r in snap.at_risk] == [ids["L7"], ids["L9"], ids["L8"], ids["L3"]]
    assert [r.minutes_left(frozen.t) for r in snap.at_risk] == [10.0, -120.0, -30.0, -60.0]
    assert [r.owner for r in snap.at_risk] == [None, None, "carol", "bob"]
    assert snap.at_risk[3].has_call and not snap.at_risk[3].has_email


def test_reassign_and_change_marker(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    ids = seed(db, frozen)
    before = change_marker(db)
    assert before == floor_snapshot(db).marker > 0
    reassign(db, ids["L9"], "carol", "lee")
    assert change_marker(db) > before
    snap = floor_snapshot(db)
    assert {r.name: r.behind_clock for r in snap.reps}["carol"] == 2
    # L9 is carol's now: owned, breached at 13:00, the oldest breach last
    assert [r.lead_id for r in snap.at_risk] == [ids["L7"], ids["L8"], ids["L3"], ids["L9"]]
    assert snap.totals.behind_clock == 3


def test_a_lead_claimed_but_not_yet_called_shows_who_is_on_it(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    ids = seed(db, frozen)
    claim_lead(db, ids["L7"], "alice")  # on her screen: not hers until she calls
    risk = {r.lead_id: r for r in floor_snapshot(db).at_risk}
    assert risk[ids["L7"]].owner == "alice (claimed)" and risk[ids["L9"]].owner is None
    frozen.advance(minutes=16)  # the lease lapsed: nobody is on it
    assert {r.lead_id: r.owner for r in floor_snapshot(db).at_risk}[ids["L7"]] is None
