"""When a lead may be called: inside the calling window in every one of its time zones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class CallingWindow:
    start: time = time(8, 0)
    end: time = time(21, 0)

    def contains(self, local: time) -> bool:
        return self.start <= local < self.end

    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_times(time_zones: Iterable[str], at: datetime) -> list[tuple[str, datetime]]:
    out = []
    for name in time_zones:
        tz = zone(name)
        if tz is not None:
            out.append((name, at.astimezone(tz)))
    return out


def outside_window(
    time_zones: Iterable[str], at: datetime, window: CallingWindow, fallback_tz: str
) -> str | None:
    """``None`` when callable now, else why not (naming the zone and its local time).

    A number with several zones is callable only when every zone is inside the window;
    a number with no known zone is judged in the team's zone.
    """
    zones = list(time_zones) or [fallback_tz]
    for name, local in local_times(zones, at) or [(fallback_tz, at)]:
        if not window.contains(local.time()):
            return f"outside calling window {window.label()} ({name} {local:%H:%M})"
    return None
