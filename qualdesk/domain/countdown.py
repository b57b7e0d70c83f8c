"""The follow-up countdown and the lead's local time, as text: pure, no Qt.

A rep reads the countdown from across the desk, so its states differ by words and a
symbol as well as by colour (colour-blind safe): comfortable, under 15 minutes, and
breached — a breached clock counts up, prefixed with ``+``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from qualdesk.domain.calling_window import zone

WARNING_SECONDS = 15 * 60


class CountdownState(Enum):
    NONE = "none"  # no open hand raise: nothing is counting
    COMFORTABLE = "comfortable"
    WARNING = "warning"
    BREACHED = "breached"


# Words shown beside the clock (and read by screen readers), one per state.
STATE_WORDS: dict[CountdownState, str] = {
    CountdownState.NONE: "no clock",
    CountdownState.COMFORTABLE: "on time",
    CountdownState.WARNING: "under 15 min",
    CountdownState.BREACHED: "breached",
}

# A text symbol per state so the states differ even without the icon or colour.
STATE_MARKS: dict[CountdownState, str] = {
    CountdownState.NONE: "",
    CountdownState.COMFORTABLE: "",
    CountdownState.WARNING: "⚠ ",
    CountdownState.BREACHED: "✖ +",
}


@dataclass(frozen=True)
class Countdown:
    state: CountdownState
    text: str  # what the cell shows, e.g. "42:10", "⚠ 09:59", "✖ +03:12"
    seconds: int  # signed: remaining (>0) or overdue (<0)

    @property
    def words(self) -> str:
        return STATE_WORDS[self.state]

    @property
    def clock(self) -> str:
        """The text without its state symbol (a breach keeps its "+"), for a cell whose
        icon already shows the state: "09:59", "+03:12"."""
        return self.text[len(STATE_MARKS[self.state].rstrip("+")):]


def state_for(seconds_left: float) -> CountdownState:
    if seconds_left <= 0:
        return CountdownState.BREACHED
    if seconds_left < WARNING_SECONDS:
        return CountdownState.WARNING
    return CountdownState.COMFORTABLE


def clock_text(seconds: int) -> str:
    """``mm:ss`` below an hour, ``h:mm:ss`` from an hour; ``seconds`` is non-negative."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def countdown(deadline: datetime | None, now: datetime) -> Countdown:
    """The countdown to ``deadline``; once breached it counts up from the deadline.

    Remaining time is rounded up (a clock with 0.4 s left still shows 00:01, never a
    premature 00:00); overdue time is rounded down, so the two meet at the deadline.
    """
    if deadline is None:
        return Countdown(CountdownState.NONE, "—", 0)
    delta = (deadline - now).total_seconds()
    state = state_for(delta)
    if state is CountdownState.BREACHED:
        over = int(-delta)
        return Countdown(state, STATE_MARKS[state] + clock_text(over), -over)
    left = int(delta) if delta == int(delta) else int(delta) + 1
    return Countdown(state, STATE_MARKS[state] + clock_text(left), left)


def age_text(since: datetime | None, now: datetime) -> str:
    """How long ago, compactly: ``45s``, ``12m``, ``3h05m``, ``2d04h``."""
    if since is None:
        return "—"
    secs = max(0, int((now - since).total_seconds()))
    if secs < 60:
        return f"{secs}s"
    mins = secs // 60
    if mins < 60:
        return f"{mins}m"
    hours, mins = divmod(mins, 60)
    if hours < 24:
        return f"{hours}h{mins:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def local_time_text(time_zones: Sequence[str], now: datetime, fallback_tz: str = "UTC") -> str:
    """The lead's wall clock in each of its zones, e.g. ``14:05 EST`` or
    ``14:05 CST · 15:05 EST``; a lead with no known zone shows the team's zone marked ``?``."""
    parts: list[str] = []
    seen: set[str] = set()
    for name in time_zones:
        tz = zone(name)
        if tz is None:
            continue
        local = now.astimezone(tz)
        label = f"{local:%H:%M} {_abbrev(local, name)}"
        if label not in seen:
            seen.add(label)
            parts.append(label)
    if parts:
        return " · ".join(parts)
    tz = zone(fallback_tz)
    if tz is None:
        return "?"
    local = now.astimezone(tz)
    return f"{local:%H:%M} {_abbrev(local, fallback_tz)}?"


def _abbrev(local: datetime, name: str) -> str:
    abbr = local.tzname() or ""
    # Zones without a letter abbreviation report "+03"; the city says more.
    if not abbr or abbr[0] in "+-":
        return name.rsplit("/", 1)[-1].replace("_", " ")
    return abbr


def both_zones_text(at: datetime, lead_tz: str | None, team_tz: str) -> str:
    """One instant in the lead's zone and in the team's, e.g.
    ``Tue 24 Nov 09:30 EST (lead) = 15:30 CET (team)``."""
    lead_zone = zone(lead_tz) if lead_tz else None
    team_zone = zone(team_tz) or zone("UTC")
    team_local = at.astimezone(team_zone)
    team_part = f"{team_local:%H:%M} {_abbrev(team_local, team_tz)} (team)"
    if lead_zone is None:
        return f"{team_local:%a %d %b} {team_part}"
    lead_local = at.astimezone(lead_zone)
    assert lead_tz is not None
    lead_part = f"{lead_local:%a %d %b %H:%M} {_abbrev(lead_local, lead_tz)} (lead)"
    if team_local.date() != lead_local.date():
        team_part = f"{team_local:%a %d %b} " + team_part
    return f"{lead_part} = {team_part}"
