"""A report's period: inclusive local dates in a zone, turned into UTC bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import exists

from qualdesk.db.engine import Database
from qualdesk.db.models import HandRaise, Lead
from qualdesk.errors import InvalidInput
from qualdesk.services import team_settings


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in UTC; ``None`` means unbounded on that side."""

    tz: str
    from_date: date | None = None
    to_date: date | None = None

    @property
    def start(self) -> datetime | None:
        return None if self.from_date is None else local_midnight(self.from_date, self.tz)

    @property
    def end(self) -> datetime | None:
        if self.to_date is None:
            return None
        return local_midnight(self.to_date + timedelta(days=1), self.tz)

    def label(self) -> str:
        a = self.from_date.isoformat() if self.from_date else "start"
        b = self.to_date.isoformat() if self.to_date else "now"
        return f"{a} – {b} ({self.tz})"

    def clause(self, col):  # type: ignore[no-untyped-def]
        """SQL conditions keeping ``col`` inside the period."""
        out = []
        if self.start is not None:
            out.append(col >= self.start)
        if self.end is not None:
            out.append(col < self.end)
        return out

    def hand_raises(self):  # type: ignore[no-untyped-def]
        """SQL conditions keeping the hand raises a report counts: raised inside the
        period, and not the intake page's test event (it proves a path, nobody follows
        it up)."""
        return [*self.clause(HandRaise.raised_at), HandRaise.is_test.is_(False)]

    def new_leads(self):  # type: ignore[no-untyped-def]
        """SQL conditions keeping the leads a cohort counts: created inside the period,
        and not the intake page's test lead (the one with a test hand raise)."""
        test = exists().where(HandRaise.lead_id == Lead.id, HandRaise.is_test.is_(True))
        return [*self.clause(Lead.created_at), ~test]

    def as_dict(self) -> dict[str, str | None]:
        return {"from": self.from_date.isoformat() if self.from_date else None,
                "to": self.to_date.isoformat() if self.to_date else None, "tz": self.tz}


def local_midnight(d: date, tz: str) -> datetime:
    # Midnight exists in every zone we know of except on a few historic DST days;
    # zoneinfo resolves those with fold=0, which is what a calendar means.
    return datetime.combine(d, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def check_zone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {tz!r} (use an IANA name, e.g. Europe/Berlin)") from None
    from qualdesk.services.reports.sqlfuncs import ZONE_RE

    if not ZONE_RE.match(tz):
        raise InvalidInput(f"unknown time zone {tz!r} (use an IANA name, e.g. Europe/Berlin)")
    return tz


def parse_date(value: str | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{name} {value!r} is not a date (write YYYY-MM-DD)") from None


def make_period(db: Database, from_: str | date | None = None, to: str | date | None = None,
                tz: str | None = None) -> Period:
    """Validate the inputs: a known zone (default ``team.timezone``), from ≤ to."""
    zone = check_zone(tz) if tz else team_settings.get_value(db, "team.timezone")
    a = from_ if isinstance(from_, date) or from_ is None else parse_date(from_, "--from")
    b = to if isinstance(to, date) or to is None else parse_date(to, "--to")
    if a is not None and b is not None and a > b:
        raise InvalidInput(f"--from {a.isoformat()} is after --to {b.isoformat()}")
    return Period(zone, a, b)
