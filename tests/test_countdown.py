"""Countdown text and state, local time labels: pure, no Qt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qualdesk.domain.countdown import (
    CountdownState,
    age_text,
    both_zones_text,
    clock_text,
    countdown,
    local_time_text,
    state_for,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(("seconds", "text", "state"), [
    (3600, "1:00:00", CountdownState.COMFORTABLE),
    (2530, "42:10", CountdownState.COMFORTABLE),
    (901, "15:01", CountdownState.COMFORTABLE),
    (900, "15:00", CountdownState.COMFORTABLE),
    (899, "⚠ 14:59", CountdownState.WARNING),
    (1, "⚠ 00:01", CountdownState.WARNING),
    (0.4, "⚠ 00:01", CountdownState.WARNING),  # never a premature 00:00
    (0, "✖ +00:00", CountdownState.BREACHED),
    (-0.6, "✖ +00:00", CountdownState.BREACHED),
    (-61, "✖ +01:01", CountdownState.BREACHED),  # counts up once breached
    (-3700, "✖ +1:01:40", CountdownState.BREACHED),
])
def test_countdown_text_and_state(seconds: float, text: str, state: CountdownState) -> None:
    cd = countdown(NOW + timedelta(seconds=seconds), NOW)
    assert (cd.text, cd.state) == (text, state)
    # Beside the state's icon, the symbol goes; a breach still counts up with "+".
    assert cd.clock == text.removeprefix("⚠ ").removeprefix("✖ ")


def test_states_differ_in_words_not_only_colour() -> None:
    words = {countdown(NOW + timedelta(seconds=s), NOW).words for s in (1800, 60, -60)}
    assert words == {"on time", "under 15 min", "breached"}
    none = countdown(None, NOW)
    assert (none.text, none.state, none.words) == ("—", CountdownState.NONE, "no clock")


def test_state_boundaries() -> None:
    assert state_for(900) is CountdownState.COMFORTABLE
    assert state_for(899.9) is CountdownState.WARNING
    assert state_for(0) is CountdownState.BREACHED
    assert clock_text(59) == "00:59"
    assert clock_text(36000) == "10:00:00"


def test_age_text() -> None:
    assert age_text(NOW - timedelta(seconds=45), NOW) == "45s"
    assert age_text(NOW - timedelta(minutes=12, seconds=59), NOW) == "12m"
    assert age_text(NOW - timedelta(hours=3, minutes=5), NOW) == "3h05m"
    assert age_text(NOW - timedelta(days=2, hours=4), NOW) == "2d04h"
    assert age_text(None, NOW) == "—"


def test_local_time_in_each_zone() -> None:
    # 15:00 UTC on 23 Nov: New York is on EST (UTC-5), Chicago on CST (UTC-6).
    assert local_time_text(["America/New_York"], NOW) == "10:00 EST"
    assert local_time_text(["America/Chicago", "America/New_York"], NOW) == "09:00 CST · 10:00 EST"
    # Zones without a letter abbreviation show the city.
    assert local_time_text(["Asia/Dubai"], NOW) == "19:00 Dubai"
    # Unknown zone: the team's zone, marked as a guess.
    assert local_time_text([], NOW, "Europe/Berlin") == "16:00 CET?"
    assert local_time_text(["Not/AZone"], NOW, "UTC") == "15:00 UTC?"
    # Summer time is the zone's own business: 1 July 15:00 UTC is 11:00 EDT.
    assert local_time_text(["America/New_York"], datetime(2026, 7, 1, 15, tzinfo=UTC)) == "11:00 EDT"


def test_both_zones() -> None:
    at = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
    assert both_zones_text(at, "America/Los_Angeles", "Europe/Berlin") == (
        "Tue 24 Nov 06:30 PST (lead) = 15:30 CET (team)")
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert both_zones_text(late, "America/Los_Angeles", "Europe/Berlin") == (
        "Tue 24 Nov 15:30 PST (lead) = Wed 25 Nov 00:30 CET (team)")
    assert both_zones_text(at, None, "UTC") == "Tue 24 Nov 14:30 UTC (team)"
