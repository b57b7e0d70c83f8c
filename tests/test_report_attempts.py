"""Same-day attempts per rep per day in the team zone (America/New_York, UTC-5).

  alice  11-22 15:00 UTC connected, 16:00 no_answer, 11-23 04:30 UTC left_voicemail
         (= 23:30 NY on 11-22)                              -> NY 11-22: 3 attempts, 1 connect
  alice  11-23 05:10 UTC busy (00:10 NY), 14:00 not_interested -> NY 11-23: 2 attempts, 1 connect
  bob    11-23 13:00, 13:30 connected, 14:00 wrong_number   -> NY 11-23: 3 attempts, 2 connects
  outside 11-22..11-23 NY: alice 11-21 12:00 UTC; bob 11-24 05:00 UTC (00:00 NY 11-24)
"""

from __future__ import annotations

from qualdesk.db.engine import Database
from tests import report_seed as rs
from tests.cli_helpers import run

NY = "America/New_York"


def seed(db: Database) -> None:
    rs.user(db, "alice")
    rs.user(db, "bob")
    a, b = rs.lead(db, "Ann"), rs.lead(db, "Ben", "Webinar")
    for at, disp in ((rs.utc(2026, 11, 22, 15), "connected"), (rs.utc(2026, 11, 22, 16), "no_answer"),
                     (rs.utc(2026, 11, 23, 4, 30), "left_voicemail"),
                     (rs.utc(2026, 11, 23, 5, 10), "busy"), (rs.utc(2026, 11, 23, 14), "not_interested"),
                     (rs.utc(2026, 11, 21, 12), "no_answer")):
        rs.call(db, a, "alice", at, disp)
    for at, disp in ((rs.utc(2026, 11, 23, 13), "connected"), (rs.utc(2026, 11, 23, 13, 30), "connected"),
                     (rs.utc(2026, 11, 23, 14), "wrong_number"), (rs.utc(2026, 11, 24, 5), "busy")):
        rs.call(db, b, "bob", at, disp)


def test_attempts_per_rep_per_day(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    seed(db)
    r = run(db.url, "report", "attempts", "--from", "2026-11-22", "--to", "2026-11-23", "--tz", NY, "--json")
    assert r.code == 0, r.err
    got = r.json()
    assert [(x["rep"], x["day"], x["attempts"], x["connects"], x["connect_rate"]) for x in got] == [
        ("alice", "2026-11-22", 3, 1, 33.3),   # 1/3
        ("alice", "2026-11-23", 2, 1, 50.0),   # not_interested is a contact
        ("bob", "2026-11-23", 3, 2, 66.7),     # 2/3
    ]
    assert got[0]["by_disposition"] == {"connected": 1, "no_answer": 1, "left_voicemail": 1}
    assert got[2]["by_disposition"] == {"connected": 2, "wrong_number": 1}


def test_attempts_by_campaign_and_utc(db: Database, frozen) -> None:  # type: ignore[no-untyped-def]
    seed(db)
    r = run(db.url, "report", "attempts", "--from", "2026-11-22", "--to", "2026-11-23", "--tz", NY,
            "--by", "campaign", "--json")
    assert [(x["campaign"], x["day"], x["attempts"]) for x in r.json()] == [
        ("Default", "2026-11-22", 3), ("Default", "2026-11-23", 2), ("Webinar", "2026-11-23", 3)]
    # In UTC the 04:30 voicemail and the 05:10 busy are both on 11-23; bob's 11-24 05:00 is out
    r = run(db.url, "report", "attempts", "--from", "2026-11-22", "--to", "2026-11-23", "--tz", "UTC", "--json")
    assert [(x["rep"], x["day"], x["attempts"]) for x in r.json()] == [
        ("alice", "2026-11-22", 2), ("alice", "2026-11-23", 3), ("bob", "2026-11-23", 3)]


def test_attempts_bad_group_and_empty(db: Database, frozen, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seed(db)
    r = run(db.url, "report", "attempts", "--by", "hand_raise")
    assert r.code == 1 and "allowed: rep, campaign" in r.err
    r = run(db.url, "report", "attempts", "--from", "2020-01-01", "--to", "2020-01-02", "--json")
    assert r.code == 0 and r.json() == []
    r = run(db.url, "report", "attempts", "--from", "2020-01-01", "--to", "2020-01-02")
    assert r.code == 0 and "no data" in r.out
    r = run(db.url, "report", "attempts", "--from", "2026-11-22", "--to", "2026-11-23", "--tz", NY, "--csv")
    lines = r.out.strip().splitlines()
    assert lines[0].startswith("rep,day,attempts,connects,connect_rate,connected,no_answer")
    assert lines[1].startswith("alice,2026-11-22,3,1,33.3,1,1,0,1")  # connected, no_answer, busy, left_voicemail
