"""The follow-up SLA buckets of DESIGN.md, as a pure reference implementation.

The reports compute the same in SQL; the simulator and the tests use this one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from qualdesk.domain import follow_up

BUCKETS = ("within_1h", "same_day", "within_24h", "within_48h", "within_72h", "never")


@dataclass(frozen=True)
class HandRaiseTiming:
    raised_at: datetime
    first_call_at: datetime | None
    first_email_at: datetime | None

    @property
    def followed_up_at(self) -> datetime | None:
        return follow_up.followed_up_at(self.first_call_at, self.first_email_at)


def buckets_for(t: HandRaiseTiming, team_tz: ZoneInfo) -> dict[str, bool]:
    """Each bucket on its own (not exclusive): 1 h, same calendar day, 24/48/72 h, never."""
    f = t.followed_up_at
    if f is None:
        return {b: b == "never" for b in BUCKETS}
    d = f - t.raised_at
    return {
        "within_1h": d <= timedelta(hours=1),
        "same_day": f.astimezone(team_tz).date() == t.raised_at.astimezone(team_tz).date(),
        "within_24h": d <= timedelta(hours=24),
        "within_48h": d <= timedelta(hours=48),
        "within_72h": d <= timedelta(hours=72),
        "never": False,
    }


def pct(n: int, total: int) -> float:
    return round(100.0 * n / total, 1) if total else 0.0


def sla_report(timings: Iterable[HandRaiseTiming], team_tz: ZoneInfo) -> dict[str, float | int]:
    counts = dict.fromkeys(BUCKETS, 0)
    total = 0
    for t in timings:
        total += 1
        for b, hit in buckets_for(t, team_tz).items():
            counts[b] += int(hit)
    out: dict[str, float | int] = {"hand_raises": total, **counts}
    for b in BUCKETS:
        out[f"pct_{b}"] = pct(counts[b], total)
    return out
