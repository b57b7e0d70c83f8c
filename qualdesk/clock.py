"""The one source of 'now', injectable so tests and the simulator control time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] | None = None


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    if _now is not None:
        return _now()
    return datetime.now(UTC)


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests, simulator); ``None`` restores the wall clock."""
    global _now
    _now = fn


def ensure_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} where an aware one is required")
    return value.astimezone(UTC)
