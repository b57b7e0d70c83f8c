"""Incubation by a rep: a re-touch date and reason, gone from the queue until that date,
back on it with its history; ``due_retouches`` for the scheduler. Both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from qualdesk.db.engine import Database
from qualdesk.errors import InvalidInput, NotAllowed
from qualdesk.services.incubation import default_days, due_retouches, incubate
from qualdesk.services.leads import lead_detail
from qualdesk.services.turnover import turn_over
from tests.cli_helpers import run
from tests.test_turnover import add_people, designation, make_lead, qualify, queue_ids


def test_incubated_lead_returns_to_the_queue_on_its_date(db_url: str, frozen) -> None:
    db = Database(db_url)
    try:
        add_people(db)
        lead = make_lead(db)
        other = make_lead(db, first="Bo", email="bo@x.example", followed_up=False)
        r = run(db_url, "incubate", str(lead), "--until", "2026-12-01", "--reason",
                "bad timing: budget cycle", "--by", "Rita", "--json")
        assert r.code == 0, r.err
        out = r.json()
        assert out["lead"] == lead and out["designation"] == "incubating"
        assert out["retouch_at"] == "2026-12-01T00:00:00+00:00" and out["owner"] == "Rita"
        assert designation(db, lead) == "incubating"
        assert queue_ids(db) == [other]
        assert due_retouches(db) == []

        frozen.t = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)
        assert lead not in queue_ids(db)
        frozen.t = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 in New York
        q = run(db_url, "queue", "--rep", "Rita", "--json").json()
        entry = next(e for e in q if e["lead"] == lead)
        assert entry["reason"] == "incubation re-touch due"
        due = due_retouches(db)
        assert [(d.lead_id, d.owner, d.reason) for d in due] == \
            [(lead, "Rita", "bad timing: budget cycle")]
        assert run(db_url, "retouches", "--json").json()[0]["lead"] == lead
        # With its history: the attempt, the old note and the incubation note.
        detail = lead_detail(db, lead)
        assert len(detail.attempts) == 1
        bodies = [n.body for n in detail.notes]
        assert "wants SSO" in bodies
        assert "Incubating until 2026-12-01: bad timing: budget cycle" in bodies
    finally:
        db.dispose()


def test_incubation_is_refused_when_it_makes_no_sense(db: Database, frozen) -> None:
    add_people(db)
    lead = make_lead(db)
    with pytest.raises(InvalidInput, match="not in the future"):
        incubate(db, lead, date(2026, 11, 23), "bad timing")
    with pytest.raises(InvalidInput, match="needs a reason"):
        incubate(db, lead, date(2026, 12, 23), "  ")
    with pytest.raises(InvalidInput, match="no UTC offset"):
        incubate(db, lead, datetime(2026, 12, 23, 9, 0), "later")
    assert designation(db, lead) == "warm"
    qualify(db, lead)
    turn_over(db, lead, "Sam")
    with pytest.raises(NotAllowed, match="is turned over: only"):
        incubate(db, lead, date(2026, 12, 23), "bad timing")


def test_until_is_a_date_in_the_team_zone(db_url: str, frozen) -> None:
    db = Database(db_url)
    try:
        add_people(db)
        lead = make_lead(db)
        assert run(db_url, "config", "set", "team.timezone", "America/New_York").code == 0
        r = run(db_url, "incubate", str(lead), "--until", "2027-03-01", "--reason", "later",
                "--json")
        assert r.code == 0, r.err
        assert r.json()["retouch_at"] == "2027-03-01T05:00:00+00:00"
        r = run(db_url, "incubate", str(lead), "--until", "next week", "--reason", "x")
        assert r.code == 1 and "not a date" in r.err
        r = run(db_url, "incubate", str(lead), "--until", "2027-04-01T09:30:00+02:00",
                "--reason", "moved", "--json")
        assert r.json()["retouch_at"] == "2027-04-01T07:30:00+00:00"
    finally:
        db.dispose()


def test_default_days_by_reason(db: Database) -> None:
    from qualdesk.services.team_settings import set_value

    with db.session(write=False) as s:
        got = {r: default_days(s, r) for r in
               ("Bad timing", "no budget yet", "Not ready", "too early", "bad-timing", "other", None)}
    assert got == {"Bad timing": 90, "no budget yet": 90, "Not ready": 30, "too early": 30,
                   "bad-timing": 90, "other": 90, None: 90}
    set_value(db, "incubation.default_days", "14")
    with db.session(write=False) as s:
        assert default_days(s, "wrong person") == 14 and default_days(s, "no budget") == 90

