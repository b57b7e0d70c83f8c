"""Closed loop per campaign and month (zone UTC).

  HR  campaign raised        first call       first email     turn-over         verdict
  A   Default  10-05 10:00   10:06 (6 min)    10:30 (+24)     10-07 10:30 (48 h) accepted 10-09 10:30 (48 h), won
  B   Default  10-10 12:00   12:20 (20 min)   12:30 (+10)     11-03 12:30 (576 h) -
  C   Default  10-20 09:00   -                -               -                 -
  D   Default  11-01 08:00   08:02 (2 min)    -               -                 -
  E   Webinar  11-05 09:00   09:01 (1 min)    09:02 (+1)      10:02 (1 h)       rejected 12:02 (2 h)
"""

from __future__ import annotations

from qualdesk.db.engine import Database
from tests import report_seed as rs
from tests.cli_helpers import run


def seed(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    u = rs.utc
    frozen.t = u(2026, 10, 1)
    rs.user(db, "alice")
    a, b, c, d = (rs.lead(db, n) for n in ("A", "B", "C", "D"))
    e = rs.lead(db, "E", "Webinar")
    rs.hand_raise(db, a, "chat", u(2026, 10, 5, 10))
    rs.call(db, a, "alice", u(2026, 10, 5, 10, 6), "connected")
    rs.email(db, a, "alice", u(2026, 10, 5, 10, 30))
    rs.move(db, frozen, a, "turned_over", "alice", u(2026, 10, 7, 10, 30))
    rs.turnover(db, a, u(2026, 10, 7, 10, 30), "accepted", u(2026, 10, 9, 10, 30), "won", u(2026, 11, 1))
    rs.hand_raise(db, b, "chat", u(2026, 10, 10, 12))
    rs.call(db, b, "alice", u(2026, 10, 10, 12, 20))
    rs.email(db, b, "alice", u(2026, 10, 10, 12, 30))
    rs.move(db, frozen, b, "turned_over", "alice", u(2026, 11, 3, 12, 30))
    rs.turnover(db, b, u(2026, 11, 3, 12, 30))
    rs.hand_raise(db, c, "chat", u(2026, 10, 20, 9))
    rs.hand_raise(db, d, "chat", u(2026, 11, 1, 8))
    rs.call(db, d, "alice", u(2026, 11, 1, 8, 2))
    rs.hand_raise(db, e, "chat", u(2026, 11, 5, 9))
    rs.call(db, e, "alice", u(2026, 11, 5, 9, 1), "connected")
    rs.email(db, e, "alice", u(2026, 11, 5, 9, 2))
    rs.move(db, frozen, e, "turned_over", "alice", u(2026, 11, 5, 10, 2))
    rs.turnover(db, e, u(2026, 11, 5, 10, 2), "rejected", u(2026, 11, 5, 12, 2))
    rs.move(db, frozen, e, "incubating", None, u(2026, 11, 5, 12, 2))
    frozen.t = u(2026, 11, 23, 15)


def test_closed_loop(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    r = run(db.url, "report", "closed-loop", "--tz", "UTC", "--json")
    assert r.code == 0, r.err
    rows = r.json()
    assert [(x["campaign"], x["month"]) for x in rows] == [
        ("Default", "2026-10"), ("Default", "2026-11"), ("Webinar", "2026-11")]
    oct_ = rows[0]
    # A, B, C raised; A, B touched and followed up and turned over; A accepted and won
    assert [oct_[k] for k in ("hand_raises", "touched", "followed_up", "turned_over", "verdicts",
                              "accepted", "rejected", "won")] == [3, 2, 2, 2, 1, 1, 0, 1]
    # medians: touch (6+20)/2 = 13 min; follow-up (24+10)/2 = 17 min; turn-over (48+576)/2 = 312 h;
    # verdict: A only, 48 h
    assert [oct_[k] for k in ("hr_to_touch_min", "touch_to_followup_min", "followup_to_turnover_h",
                              "turnover_to_verdict_h")] == [13.0, 17.0, 312.0, 48.0]
    nov = rows[1]  # D: touched in 2 min, never followed up
    assert [nov[k] for k in ("hand_raises", "touched", "followed_up", "turned_over")] == [1, 1, 0, 0]
    assert (nov["hr_to_touch_min"], nov["touch_to_followup_min"]) == (2.0, None)
    web = rows[2]
    assert [web[k] for k in ("hand_raises", "touched", "followed_up", "turned_over", "verdicts",
                             "accepted", "rejected", "won")] == [1, 1, 1, 1, 1, 0, 1, 0]
    assert [web[k] for k in ("hr_to_touch_min", "touch_to_followup_min", "followup_to_turnover_h",
                             "turnover_to_verdict_h")] == [1.0, 1.0, 1.0, 2.0]


def test_closed_loop_period_and_errors(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    seed(db, frozen)
    r = run(db.url, "report", "closed-loop", "--from", "2026-11-01", "--to", "2026-11-30", "--tz", "UTC", "--json")
    assert [(x["campaign"], x["month"], x["hand_raises"]) for x in r.json()] == [
        ("Default", "2026-11", 1), ("Webinar", "2026-11", 1)]
    r = run(db.url, "report", "closed-loop", "--by", "rep")
    assert r.code == 1 and "allowed: campaign" in r.err
