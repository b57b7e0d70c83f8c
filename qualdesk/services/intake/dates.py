"""Reading the date-times of an import: ISO 8601, with or without an offset."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


class DateError(ValueError):
    pass


def parse_when(raw: str, team_tz: ZoneInfo) -> tuple[datetime, bool]:
    """(aware UTC datetime, True if the text had no offset and ``team_tz`` was assumed).

    Accepts ``2026-11-23T14:05:00-05:00``, ``…Z``, ``…+0000`` (Salesforce), a space
    instead of ``T``, and a bare date (midnight). Anything else is a ``DateError``.
    """
    text = raw.strip()
    if not text:
        raise DateError("empty")
    candidate = text[:-1] + "+00:00" if text[-1] in "zZ" else text
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        raise DateError("not an ISO 8601 date-time (e.g. 2026-11-23T14:05:00-05:00)") from None
    if value.tzinfo is None:
        return value.replace(tzinfo=team_tz).astimezone(UTC), True
    return value.astimezone(UTC), False
