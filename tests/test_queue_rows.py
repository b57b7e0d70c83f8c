"""Queue rows (what the queue view shows), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from qualdesk.db.engine import Database
from qualdesk.services.calls import log_call
from qualdesk.services.queue import rep_queue
from qualdesk.services.queue_rows import queue_rows
from tests.ui.conftest import seed_workspace


def test_rows_follow_the_queue_order_with_display_fields(db: Database, frozen) -> None:
    seeded = seed_workspace(db, frozen.t)
    result = queue_rows(db, "Ana Rep")
    offered = result.offered
    assert [r.name for r in offered] == ["Alice Able", "Bob Brown", "Carol Chen"]
    assert [r.lead_id for r in offered] == [e.lead_id for e in rep_queue(db, "Ana Rep").entries]
    assert [r.position for r in offered] == [1, 2, 3]
    alice = offered[0]
    assert alice.company == "Acme Inc"
    assert alice.kind == "demo_request"
    assert alice.raised_at == frozen.t - timedelta(minutes=50)
    assert alice.deadline == frozen.t + timedelta(minutes=10)
    assert alice.campaign == "Default"
    assert alice.time_zones == ("America/New_York",)
    assert alice.designation == "warm"
    assert alice.attempts_today == 0
    assert alice.reason == "demo request, 10 min left on the clock"
    assert offered[2].reason == "called in, clock breached 30 min ago"
    [dan] = result.held
    assert (dan.lead_id, dan.position, dan.held) == (seeded.leads["Dan"], 0, True)
    assert dan.reason == "outside calling window 08:00–21:00 (America/Los_Angeles 07:00)"
    assert result.team_tz == "UTC"
    # Eve has no hand raise: she is not in the queue at all.
    assert seeded.leads["Eve"] not in {r.lead_id for r in result.rows}


def test_attempts_today_and_ownership(db: Database, frozen) -> None:
    seeded = seed_workspace(db, frozen.t)
    log_call(db, seeded.leads["Bob"], "Ben Rep", "no_answer")  # Ben now owns Bob
    frozen.advance(minutes=1)
    mine = {r.lead_id: r for r in queue_rows(db, "Ana Rep").rows}
    assert mine[seeded.leads["Bob"]].held
    assert mine[seeded.leads["Bob"]].reason == "owned by another rep"
    bens = {r.lead_id: r for r in queue_rows(db, "Ben Rep").rows}
    assert bens[seeded.leads["Bob"]].attempts_today == 1
    assert bens[seeded.leads["Bob"]].reason.startswith("recycle delay")
    assert not queue_rows(db, "Ana Rep", include_held=False).held
