"""The queue order, rule by rule (DESIGN.md "Default queue order")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from qualdesk.domain.priority import (
    AttemptPolicy,
    Candidate,
    Held,
    QueueEntry,
    QueuePolicy,
    Tier,
    classify,
    rank,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 10:00 in New York
NY = ("America/New_York",)
P = QueuePolicy(team_tz="America/New_York")


def lead(lid: int, raised_min_ago: float | None = None, sla: int = 60, **kw: object) -> Candidate:
    base: dict[str, object] = {"lead_id": lid, "designation": "warm", "time_zones": NY}
    if raised_min_ago is not None:
        raised = NOW - timedelta(minutes=raised_min_ago)
        base.update(open_raised_at=raised, first_raised_at=raised,
                    open_deadline=raised + timedelta(minutes=sla), open_strength=50,
                    open_kind="contact_form")
    base.update(kw)
    return Candidate(**base)  # type: ignore[arg-type]


def order(cands: list[Candidate], rep: int | None = 1, policy: QueuePolicy = P) -> list[int]:
    return [e.lead_id for e in rank(cands, rep, NOW, policy).entries]


def test_callbacks_due_come_first_then_in_clock_by_deadline_then_breached_most_recent_first() -> None:
    cands = [
        lead(1, raised_min_ago=90),          # breached 30 min ago
        lead(2, raised_min_ago=50),          # 10 min left
        lead(3, raised_min_ago=5),           # 55 min left
        lead(4, raised_min_ago=150),         # breached 90 min ago
        lead(5, callback_due_at=NOW - timedelta(minutes=2), attempts_total=1,
             last_attempt_at=NOW - timedelta(days=1)),
        lead(6, raised_min_ago=70),          # breached 10 min ago
    ]
    assert order(cands) == [5, 2, 3, 6, 1, 4]


def test_stronger_hand_raise_first_on_equal_deadlines() -> None:
    weak = lead(1, raised_min_ago=20)
    strong = replace(lead(2, raised_min_ago=20), open_strength=100)
    assert order([weak, strong]) == [2, 1]


def test_fifo_policy_is_oldest_hand_raise_first() -> None:
    cands = [lead(1, raised_min_ago=5), lead(2, raised_min_ago=200), lead(3, raised_min_ago=50)]
    assert order(cands, policy=replace(P, order="fifo")) == [2, 3, 1]


def test_do_not_call_is_held_or_offered_for_email_only() -> None:
    r = classify(lead(1, raised_min_ago=5, do_not_call=True, has_email=False), 1, NOW, P)
    assert isinstance(r, Held) and r.reason == "do not call"
    r = classify(lead(1, raised_min_ago=5, do_not_call=True), 1, NOW, P)
    assert isinstance(r, QueueEntry) and r.next_action == "email_only"


def test_no_phone_is_offered_for_email_only() -> None:
    r = classify(lead(1, raised_min_ago=5, has_phone=False), 1, NOW, P)
    assert isinstance(r, QueueEntry)
    assert r.next_action == "email_only" and r.reason.startswith("no valid phone: email only")


def test_outside_calling_window_names_zone_and_local_time() -> None:
    r = classify(lead(1, raised_min_ago=5, time_zones=("Asia/Tokyo",)), 1, NOW, P)
    assert isinstance(r, Held)
    assert r.reason == "outside calling window 08:00–21:00 (Asia/Tokyo 00:00)"


def test_several_zones_callable_only_when_all_are_inside() -> None:
    both = ("America/New_York", "America/Los_Angeles")  # 10:00 and 07:00
    r = classify(lead(1, raised_min_ago=5, time_zones=both), 1, NOW, P)
    assert isinstance(r, Held) and "America/Los_Angeles 07:00" in r.reason
    later = NOW + timedelta(hours=2)
    assert isinstance(classify(lead(1, raised_min_ago=5, time_zones=both), 1, later, P), QueueEntry)


def test_caps_and_recycle_delay_hold_the_lead_with_the_reason() -> None:
    pol = AttemptPolicy(same_day_live_attempts=2, min_gap_minutes=10, daily_cap=3, lifetime_cap=6)
    r = classify(lead(1, raised_min_ago=200, attempts_total=6, policy=pol,
                      open_has_email=True), 1, NOW, P)
    assert isinstance(r, Held) and r.reason.startswith("lifetime cap reached (6 of 6")
    r = classify(lead(1, raised_min_ago=20, attempts_today=3, attempts_total=3,
                      live_attempts_today=1, policy=pol), 1, NOW, P)
    assert isinstance(r, Held) and r.reason.startswith("daily cap reached (3 of 3")
    r = classify(lead(1, raised_min_ago=20, attempts_today=1, attempts_total=1,
                      live_attempts_today=1, last_attempt_at=NOW - timedelta(minutes=4),
                      policy=pol), 1, NOW, P)
    assert isinstance(r, Held) and r.reason == "recycle delay: next attempt from 15:06 UTC"


def test_voicemail_email_due_after_the_same_day_live_attempts() -> None:
    c = lead(1, raised_min_ago=25, attempts_today=2, attempts_total=2, live_attempts_today=2,
             last_attempt_at=NOW - timedelta(minutes=12), open_has_call=True)
    r = classify(c, 1, NOW, P)
    assert isinstance(r, QueueEntry)
    assert r.next_action == "voicemail_email" and r.tier == Tier.IN_CLOCK
    one_live = replace(c, live_attempts_today=1, attempts_today=1, attempts_total=1)
    assert classify(one_live, 1, NOW, P).next_action == "call"  # type: ignore[union-attr]


def test_other_reps_leads_and_live_claims_are_not_offered() -> None:
    owned = lead(1, raised_min_ago=5, owner_id=2)
    claimed = lead(2, raised_min_ago=5, claimed_by_id=2, lease_expires_at=NOW + timedelta(minutes=5))
    expired = lead(3, raised_min_ago=5, claimed_by_id=2, lease_expires_at=NOW - timedelta(seconds=1))
    mine = lead(4, raised_min_ago=5, owner_id=1, claimed_by_id=1,
                lease_expires_at=NOW + timedelta(minutes=5))
    assert order([owned, claimed, expired, mine], rep=1) == [3, 4]


def test_overdue_mine_callback_becomes_anyones_after_the_handover_delay() -> None:
    c = lead(1, callback_due_at=NOW - timedelta(minutes=5), callback_rep_id=2,
             callback_scope="mine", attempts_total=1, last_attempt_at=NOW - timedelta(days=1))
    assert classify(c, 1, NOW, P) is None or classify(c, 1, NOW, P).tier != Tier.CALLBACK  # type: ignore[union-attr]
    late = replace(c, callback_due_at=NOW - timedelta(minutes=20))
    r = classify(late, 1, NOW, P)
    assert isinstance(r, QueueEntry) and r.tier == Tier.CALLBACK


def test_closed_and_turned_over_leads_are_not_in_the_queue() -> None:
    for d in ("turned_over", "accepted", "disqualified", "do_not_call"):
        assert classify(lead(1, raised_min_ago=5, designation=d), 1, NOW, P) is None


def test_incubating_lead_returns_on_its_retouch_date() -> None:
    c = lead(1, designation="incubating", retouch_at=NOW + timedelta(days=1), attempts_total=3,
             last_attempt_at=NOW - timedelta(days=30))
    assert classify(c, 1, NOW, P) is None
    due = replace(c, retouch_at=NOW - timedelta(minutes=1))
    r = classify(due, 1, NOW, P)
    assert isinstance(r, QueueEntry) and r.tier == Tier.RETOUCH
    assert r.reason == "incubation re-touch due"


def test_followed_up_lead_gets_further_attempts_on_later_days_only() -> None:
    c = lead(1, attempts_total=3, attempts_today=0, last_attempt_at=NOW - timedelta(days=1))
    r = classify(c, 1, NOW, P)
    assert isinstance(r, QueueEntry) and r.reason == "next live attempt (4 of 6)"
    assert classify(replace(c, attempts_today=1), 1, NOW, P) is None


def test_callback_skips_the_window_only_near_a_time_promised_inside_it() -> None:
    tokyo = ("Asia/Tokyo",)  # 00:00 local at NOW; the window closed at 21:00
    promised = NOW - timedelta(minutes=10)  # 23:50 in Tokyo: outside the window
    c = lead(1, time_zones=tokyo, callback_due_at=promised, attempts_total=1,
             last_attempt_at=NOW - timedelta(days=1))
    r = classify(c, 1, NOW, P)
    assert isinstance(r, Held) and r.reason.startswith("outside calling window")
    # Promised for 20:55 Tokyo time, called at 21:20: still the lead's chosen slot.
    at = NOW - timedelta(hours=2, minutes=40)
    edge = replace(c, callback_due_at=at - timedelta(minutes=25))
    r = classify(edge, 1, at, P)
    assert isinstance(r, QueueEntry) and r.tier == Tier.CALLBACK
    stale = replace(edge, callback_due_at=at - timedelta(hours=5))
    r = classify(stale, 1, at, P)
    assert isinstance(r, Held) and r.reason.startswith("outside calling window")
