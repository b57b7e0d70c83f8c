"""Dialect-aware SQL pieces the reports share: local dates in a zone, durations,
percentiles.

PostgreSQL has a zone database and ``percentile_cont``; SQLite has neither, so a
session that reports on SQLite first registers small deterministic functions on its
connection (``install``). Aggregation stays in SQL on both engines.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, String, and_, case, cast, extract, func, literal_column
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

# Zone names are inlined as SQL literals (PostgreSQL refuses GROUP BY expressions whose
# bind parameters differ), so only plain IANA-looking names may reach SQL.
ZONE_RE = re.compile(r"^[A-Za-z0-9_+\-/]+$")


def dialect(s: Session) -> str:
    return s.get_bind().dialect.name


def zone_literal(tz: str) -> ColumnElement[Any]:
    if not ZONE_RE.match(tz):
        raise ValueError(f"unsafe zone name {tz!r}")
    return literal_column(f"'{tz}'", String)


def local_date(col: Any, tz: str, dia: str) -> ColumnElement[Any]:
    """The calendar date of a UTC timestamp in ``tz`` (PG: date; SQLite: 'YYYY-MM-DD')."""
    if dia == "postgresql":
        return cast(func.timezone(zone_literal(tz), col), Date)
    return func.qd_local_date(col, zone_literal(tz))


def local_month(col: Any, tz: str, dia: str) -> ColumnElement[Any]:
    """'YYYY-MM' of a UTC timestamp in ``tz``."""
    if dia == "postgresql":
        return func.to_char(func.timezone(zone_literal(tz), col), "YYYY-MM")
    return func.substr(func.qd_local_date(col, zone_literal(tz)), 1, 7)


def minutes_between(later: Any, earlier: Any, dia: str) -> ColumnElement[Any]:
    if dia == "postgresql":
        return extract("epoch", later - earlier) / 60.0
    return (func.julianday(later) - func.julianday(earlier)) * 1440.0


def within_hours(later: Any, earlier: Any, hours: int, dia: str) -> ColumnElement[Any]:
    """``later - earlier <= hours`` exactly (ms-rounded on SQLite, whose julianday is a float)."""
    if dia == "postgresql":
        return later - earlier <= literal_column(f"INTERVAL '{int(hours)} hours'")
    secs = func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0, 3)
    return secs <= hours * 3600


def greatest(a: Any, b: Any, dia: str) -> ColumnElement[Any]:
    """The later of two timestamps, NULL when either is NULL (PG's GREATEST skips NULLs)."""
    both = and_(a.is_not(None), b.is_not(None))
    inner = func.greatest(a, b) if dia == "postgresql" else func.max(a, b)
    return case((both, inner))


def percentile(expr: Any, p: float, dia: str) -> ColumnElement[Any]:
    """Continuous percentile (linear interpolation) of ``expr`` over the group."""
    if dia == "postgresql":
        return func.percentile_cont(p).within_group(expr)
    return func.qd_percentile(cast(expr, Float), p)


# --- SQLite functions -------------------------------------------------------------


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _parse_sqlite_ts(value: str) -> datetime:
    # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, no offset) on SQLite.
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def qd_local_date(value: str | None, tz: str) -> str | None:
    if value is None:
        return None
    return _parse_sqlite_ts(value).astimezone(_zone(tz)).date().isoformat()


def interpolate(values: list[float], p: float) -> float | None:
    """``percentile_cont`` semantics: linear interpolation between closest ranks."""
    if not values:
        return None
    v = sorted(values)
    pos = p * (len(v) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


class _Percentile:
    def __init__(self) -> None:
        self.values: list[float] = []
        self.p = 0.5

    def step(self, value: float | None, p: float) -> None:
        if value is not None:
            self.values.append(float(value))
        self.p = float(p)

    def finalize(self) -> float | None:
        return interpolate(self.values, self.p)


def install(s: Session) -> None:
    """Register the report functions on this session's SQLite connection (idempotent)."""
    if dialect(s) != "sqlite":
        return
    raw = s.connection().connection.driver_connection
    raw.create_function("qd_local_date", 2, qd_local_date, deterministic=True)
    raw.create_aggregate("qd_percentile", 2, _Percentile)


def as_date_text(value: Any) -> str | None:
    """A local date from either engine as 'YYYY-MM-DD'."""
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def within_hours_min(later: Any, earlier: Any, minutes: int, dia: str) -> ColumnElement[Any]:
    """``later - earlier <= minutes`` exactly."""
    if dia == "postgresql":
        return later - earlier <= literal_column(f"INTERVAL '{int(minutes)} minutes'")
    secs = func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0, 3)
    return secs <= minutes * 60
