"""The speed-to-lead simulator: hand-checked small days, a burst that must breach,
determinism, priority vs FIFO at low staffing, and the ``simulate`` command's contract."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from qualdesk.errors import InvalidInput
from qualdesk.sim.arrivals import Arrival
from qualdesk.sim.engine import DayOutcome, run_day
from qualdesk.sim.profile import SimProfile, load_profile, profile_from_dict
from qualdesk.sim.report import day_arrivals, simulate
from qualdesk.sim.staffing import parse_reps, staffing_runs, table_rows, verdict
from tests.cli_helpers import run

SLA_KEYS = {"hand_raises", "within_1h", "same_day", "within_24h", "within_48h", "within_72h", "never"}
T9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def fixed_profile(outcome: str = "connected", shift_end: str = "20:00", **durations: int) -> SimProfile:
    """Every call ends in ``outcome``; every duration is exact (min = max), so a day can be
    worked out by hand. Connected: 6 min talk + 1 min wrap-up; email 2 min."""
    d = {"connected": 360, "callback_request": 60, "wrap_up": 60, "no_answer": 30, "busy": 10,
         "voicemail": 30, "leave_voicemail": 60, "wrong_number": 20, "email": 120} | durations
    return profile_from_dict({
        "team_tz": "UTC", "date": "2026-11-23", "shift_start": "08:00", "shift_end": shift_end,
        "arrivals": {"per_hour": [0] * 24},
        "kinds": {"contact_form": 1},
        "outcomes": {outcome: 1},
        "connected": {"callback_share": 0},
        "durations": {k: [v, v] for k, v in d.items()},
    })


def at(minutes: float) -> datetime:
    return T9 + timedelta(minutes=minutes)


def mins(d: datetime | None, since: datetime) -> float | None:
    return None if d is None else (d - since).total_seconds() / 60


def follow_ups(day: DayOutcome) -> list[tuple[float | None, float | None]]:
    """(first touch, follow-up) in minutes after the hand raise, per lead in arrival order."""
    out = []
    for x in day.leads:
        f = None if not x.followed_up else max(x.first_call_at, x.first_email_at)  # type: ignore[type-var]
        out.append((mins(x.first_call_at, x.raised_at), mins(f, x.raised_at)))
    return out


THREE = [Arrival(at(0), "page_visits"), Arrival(at(0), "contact_form"), Arrival(at(5), "demo_request")]


def test_one_rep_three_leads_priority_by_hand() -> None:
    # 09:00 lead 1 (page visits, 40) and lead 2 (contact form, 85), both due 10:00:
    # the stronger first. Lead 2: call 09:00, 7 min with wrap-up, email by 09:09.
    # 09:09: lead 1 (due 10:00) before lead 3 (demo request at 09:05, due 10:05):
    # earliest deadline first. Lead 1: call 09:09, email 09:18. Lead 3: call 09:18, email 09:27.
    day = run_day(fixed_profile(), THREE, reps=1, order="priority", seed=1)
    assert follow_ups(day) == [(9.0, 18.0), (0.0, 9.0), (13.0, 22.0)]
    assert day.attempts_per_rep == (1 + 1 + 1,)
    assert day.emails == 3


def test_one_rep_three_leads_fifo_by_hand() -> None:
    # FIFO: oldest hand raise first, ties by lead number: lead 1 at 09:00, lead 2 at 09:09,
    # lead 3 (raised 09:05) at 09:18.
    day = run_day(fixed_profile(), THREE, reps=1, order="fifo", seed=1)
    assert follow_ups(day) == [(0.0, 9.0), (9.0, 18.0), (13.0, 22.0)]


def test_report_for_three_leads() -> None:
    r = simulate(fixed_profile(), THREE, reps=1, policy="priority", seed=1)
    assert {k: r[k] for k in SLA_KEYS} == {"hand_raises": 3, "within_1h": 3, "same_day": 3,
                                           "within_24h": 3, "within_48h": 3, "within_72h": 3,
                                           "never": 0}
    assert r["pct_within_1h"] == 100.0
    # First touches 9, 0 and 13 min: median 9; p90 by nearest rank = the 3rd of 3 = 13.
    assert r["first_touch_median_min"] == 9.0
    assert r["first_touch_p90_min"] == 13.0
    assert r["attempts_per_rep"] == [3]
    assert (r["reps"], r["policy"]) == (1, "priority")


def test_no_answer_twice_then_the_voicemail_email_combination() -> None:
    # 09:00 first live attempt, 30 s ring; the recycle delay (10 min) holds the lead;
    # 09:10 second live attempt, 30 s; now rank says voicemail_email: 09:10:30 voicemail
    # (60 s), then the email (120 s), sent at 09:13:30.
    day = run_day(fixed_profile("no_answer"), [Arrival(at(0), "chat")], reps=1, order="priority", seed=1)
    lead = day.leads[0]
    assert lead.first_call_at == at(0)
    assert lead.first_email_at == at(13.5)
    assert (lead.attempts, lead.live_attempts) == (3, 2)
    assert day.attempts_per_rep == (3,)


def test_wrong_number_gets_the_email_only() -> None:
    # 09:00 the call finds a wrong number (20 s); rank offers the lead for email only,
    # sent 2 min later, at 09:02:20.
    day = run_day(fixed_profile("wrong_number"), [Arrival(at(0), "chat")], reps=1, order="priority", seed=1)
    lead = day.leads[0]
    assert lead.dead_number
    assert mins(lead.first_email_at, lead.raised_at) == pytest.approx(2 + 20 / 60)
    assert lead.attempts == 1


def test_burst_of_twenty_with_one_rep_breaches() -> None:
    # 20 hand raises at 09:00, one rep, 9 min each (7 min call + 2 min email): lead k is
    # followed up at 9k min, so k <= 6 make the hour. The shift ends at 11:00: the 14th
    # call starts 10:57 (and is finished), the 15th would start 11:06: 6 never.
    burst = [Arrival(T9, "contact_form")] * 20
    r = simulate(fixed_profile(shift_end="11:00"), burst, reps=1, policy="priority", seed=3)
    assert {k: r[k] for k in SLA_KEYS} == {"hand_raises": 20, "within_1h": 6, "same_day": 14,
                                           "within_24h": 14, "within_48h": 14, "within_72h": 14,
                                           "never": 6}
    assert (r["pct_within_1h"], r["pct_never"]) == (30.0, 30.0)
    assert r["never_touched"] == 6
    assert r["attempts_per_rep"] == [14]


def test_callback_comes_back_and_jumps_the_queue() -> None:
    # Lead 1 at 09:00 asks to be called back: 1 min call + 1 min wrap-up, email 2 min;
    # callback due 60 min after the call ends (10:02). The callback call connects: 7 min.
    p = profile_from_dict({
        "arrivals": {"per_hour": [0] * 24}, "kinds": {"chat": 1}, "outcomes": {"connected": 1},
        "connected": {"callback_share": 1.0, "callback_delay_minutes": [60, 60], "callback_connect": 1.0},
        "durations": {k: [60, 60] for k in ("callback_request", "wrap_up", "no_answer", "busy",
                                            "voicemail", "leave_voicemail", "wrong_number")}
        | {"connected": [360, 360], "email": [120, 120]},
    })
    day = run_day(p, [Arrival(at(0), "chat")], reps=1, order="priority", seed=1)
    assert (day.callbacks_asked, day.callbacks_made) == (1, 1)
    assert day.attempts_per_rep == (2,)
    assert day.leads[0].last_attempt_at == at(62)  # the callback call, on time
    assert day.leads[0].first_email_at == at(4)


def test_same_seed_same_json_other_seed_differs() -> None:
    p = load_profile()
    a = json.dumps(simulate(*day_arrivals(p, 7), reps=4, policy="priority", seed=7), sort_keys=True)
    b = json.dumps(simulate(*day_arrivals(p, 7), reps=4, policy="priority", seed=7), sort_keys=True)
    c = json.dumps(simulate(*day_arrivals(p, 8), reps=4, policy="priority", seed=8), sort_keys=True)
    assert a == b
    assert a != c


def test_priority_beats_fifo_when_short_staffed_on_the_built_in_day() -> None:
    profile, arrivals = day_arrivals(load_profile(), 1)
    assert 150 <= len(arrivals) <= 250
    runs = staffing_runs(profile, arrivals, (2, 4), seed=1)
    rows = table_rows(runs)
    for row in rows:
        assert row.pct("priority") > row.pct("fifo") + 5, row  # type: ignore[operator]
    v = verdict(table_rows(staffing_runs(profile, arrivals, (4, 6), seed=1)))
    assert v.meet_reps is not None and 5 <= v.meet_reps <= 6


def test_parse_reps() -> None:
    assert parse_reps("6") == (6, 6)
    assert parse_reps("4..12") == (4, 12)
    for bad in ("0", "5..3", "x", "4-12"):
        with pytest.raises(InvalidInput):
            parse_reps(bad)


# ---- the command line ----

def _no_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'never-created.sqlite3'}"


def test_cli_json_shape_and_no_database(tmp_path: Path) -> None:
    res = run(_no_db(tmp_path), "simulate", "--reps", "3", "--seed", "5", "--json")
    assert res.code == 0, res.err
    r: dict[str, Any] = res.json()
    assert set(r) >= SLA_KEYS
    assert {f"pct_{k}" for k in SLA_KEYS - {"hand_raises"}} <= set(r)
    assert {"first_touch_median_min", "first_touch_p90_min", "reps", "policy"} <= set(r)
    assert (r["reps"], r["policy"]) == (3, "priority")
    assert r["within_1h"] + r["never"] <= r["hand_raises"]
    assert r["pct_within_1h"] == round(100 * r["within_1h"] / r["hand_raises"], 1)
    assert not (tmp_path / "never-created.sqlite3").exists()
    again = run(_no_db(tmp_path), "simulate", "--reps", "3", "--seed", "5", "--json")
    assert again.out == res.out


def test_cli_range_json_is_a_list_per_reps_and_policy(tmp_path: Path) -> None:
    res = run(_no_db(tmp_path), "simulate", "--reps", "2..3", "--json")
    assert res.code == 0, res.err
    runs = res.json()
    assert [(r["reps"], r["policy"]) for r in runs] == [(2, "priority"), (2, "fifo"),
                                                        (3, "priority"), (3, "fifo")]
    by = {(r["reps"], r["policy"]): r for r in runs}
    assert by[(2, "priority")]["within_1h"] > by[(2, "fifo")]["within_1h"]


def test_cli_range_table(tmp_path: Path) -> None:
    res = run(_no_db(tmp_path), "simulate", "--reps", "3..5", "--policy", "priority")
    assert res.code == 0, res.err
    assert "priority ≤1h %" in res.out and "fifo ≤1h %" not in res.out
    assert "priority: 95% followed up within 1 h" in res.out


def test_cli_bad_reps_is_one_line(tmp_path: Path) -> None:
    res = run(_no_db(tmp_path), "simulate", "--reps", "9..2")
    assert res.code == 1
    assert res.err.strip().count("\n") == 0 and "--reps '9..2'" in res.err
