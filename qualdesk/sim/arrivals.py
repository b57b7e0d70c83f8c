"""The hand raises of a simulated day: generated from a profile, or read from a CSV.

Accepted files:
- our format: a header with ``at`` and optionally ``kind``; ``at`` is ISO 8601 with an
  offset, or a bare ``HH:MM[:SS]`` read as team time on the profile's day;
  an empty ``kind`` is drawn from the profile's kind mix;
- the Technion call-center day (recognised by its ``vru_entry`` and ``q_start``
  columns): every call except the ``PHANTOM`` ones is a ``called_in`` hand raise at its
  ``vru_entry`` time (team time on the row's ``date``).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from qualdesk.domain.codes import normalise_code
from qualdesk.errors import InvalidInput, RowProblem
from qualdesk.sim.profile import SimProfile


@dataclass(frozen=True)
class Arrival:
    at: datetime  # aware
    kind: str


def pick(rng: random.Random, odds: tuple[tuple[str, float], ...]) -> str:
    names = [k for k, _ in odds]
    return rng.choices(names, weights=[w for _, w in odds])[0]


def generate_day(profile: SimProfile, rng: random.Random) -> list[Arrival]:
    """A Poisson process whose rate is constant within each hour (``profile.per_hour``)."""
    out: list[Arrival] = []
    for hour, rate in enumerate(profile.per_hour):
        if rate <= 0:
            continue
        start = profile.at(time(hour, 0))
        t = rng.expovariate(rate)  # hours
        while t < 1.0:
            at = start + timedelta(seconds=round(t * 3600))
            out.append(Arrival(at, pick(rng, profile.kind_mix)))
            t += rng.expovariate(rate)
    return out


def _clock_time(value: str) -> time | None:
    parts = value.split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return None
    try:
        h, m, s = (int(p) for p in (parts + ["0"])[:3])
        return time(h, m, s)
    except ValueError:
        return None


def _parse_at(value: str, profile: SimProfile, day: date | None = None) -> datetime | str:
    """A datetime, or the reason the value is not one."""
    v = value.strip()
    if not v:
        return "empty time"
    if (t := _clock_time(v)) is not None:
        return profile.at(t, day)
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        return "not an ISO 8601 time or HH:MM[:SS]"
    if dt.tzinfo is None:
        return "no UTC offset (write e.g. 2026-11-23T09:30+00:00, or a bare HH:MM for team time)"
    return dt


def read_arrivals(path: Path, profile: SimProfile, rng: random.Random) -> list[Arrival]:
    """All rows or nothing: every bad row is reported (spreadsheet numbering, header = 1)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            rows = list(reader)
    except FileNotFoundError:
        raise InvalidInput(f"arrivals file not found: {path}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"arrivals file {path} is not a readable CSV: {exc}") from None
    if "vru_entry" in header and "q_start" in header:
        arrivals, problems = _technion(rows, profile)
    elif "at" in header:
        arrivals, problems = _simple(rows, profile, rng)
    else:
        raise InvalidInput(f"arrivals file {path}: no 'at' column (header: {', '.join(header) or 'empty'}); "
                           "expected columns at[,kind] or the Technion call-center format")
    if problems:
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InvalidInput(f"arrivals file {path}: {len(problems)} bad row(s): {shown}{more}")
    if not arrivals:
        raise InvalidInput(f"arrivals file {path} has no hand raises")
    arrivals.sort(key=lambda a: a.at)
    return arrivals


def _simple(rows: list[dict[str, str]], profile: SimProfile,
            rng: random.Random) -> tuple[list[Arrival], list[RowProblem]]:
    out: list[Arrival] = []
    problems: list[RowProblem] = []
    for n, row in enumerate(rows, start=2):
        at = _parse_at(row.get("at") or "", profile)
        if isinstance(at, str):
            problems.append(RowProblem(n, "at", row.get("at") or "", at))
            continue
        kind = normalise_code(row.get("kind") or "") or pick(rng, profile.kind_mix)
        out.append(Arrival(at, kind))
    return out, problems


def _technion(rows: list[dict[str, str]], profile: SimProfile) -> tuple[list[Arrival], list[RowProblem]]:
    out: list[Arrival] = []
    problems: list[RowProblem] = []
    for n, row in enumerate(rows, start=2):
        if (row.get("outcome") or "").strip().upper() == "PHANTOM":
            continue  # the data set's own marker for calls that never were
        try:
            day = date.fromisoformat((row.get("date") or "").strip()) if row.get("date") else None
        except ValueError:
            problems.append(RowProblem(n, "date", row.get("date") or "", "not an ISO date"))
            continue
        value = row.get("vru_entry") or ""
        t = _clock_time(value.strip())
        if t is None:
            problems.append(RowProblem(n, "vru_entry", value, "not a H:MM:SS time"))
            continue
        out.append(Arrival(profile.at(t, day), "called_in"))
    return out, problems
