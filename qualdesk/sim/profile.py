"""A simulated day's parameters: arrivals per hour, kind mix, call-outcome odds, talk times,
shift and attempt policy. Read from TOML; the shipped default is
``resources/sim/default_profile.toml`` (derived by ``tools/derive_sim_profile.py``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from qualdesk.domain.calling_window import CallingWindow
from qualdesk.domain.priority import AttemptPolicy
from qualdesk.errors import InvalidInput
from qualdesk.paths import resources_dir

OUTCOMES = ("connected", "no_answer", "busy", "voicemail", "wrong_number")
DURATION_KEYS = ("connected", "callback_request", "wrap_up", "no_answer", "busy", "voicemail",
                 "leave_voicemail", "wrong_number", "email")

Range = tuple[float, float]


@dataclass(frozen=True)
class SimProfile:
    name: str = "custom"
    team_tz: str = "UTC"
    day: date = date(2026, 11, 23)
    shift_start: time = time(8, 0)
    shift_end: time = time(20, 0)
    default_reps: int = 6
    sla_minutes: int = 60
    # Share of a rep's shift spent on the queue; the rest (breaks, admin, meetings) is
    # spread over the day as a pause after each task, in proportion to its length.
    rep_availability: float = 1.0
    # Expected hand raises in each hour of the day (team time), 24 values.
    per_hour: tuple[float, ...] = (0.0,) * 24
    kind_mix: tuple[tuple[str, float], ...] = (("contact_form", 1.0),)
    # Odds of each outcome of a live call attempt (see OUTCOMES); they sum to 1.
    outcome_odds: tuple[tuple[str, float], ...] = (("connected", 1.0),)
    # Share of connected calls that end in "call back later", and when the callback is due.
    callback_share: float = 0.0
    callback_delay_minutes: Range = (60.0, 240.0)
    callback_connect: float = 1.0
    # Seconds, drawn uniformly from [min, max].
    durations: dict[str, Range] = field(default_factory=lambda: dict.fromkeys(DURATION_KEYS, (60.0, 60.0)))
    attempts: AttemptPolicy = field(default_factory=AttemptPolicy)
    window: CallingWindow = field(default_factory=CallingWindow)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.team_tz)

    def at(self, t: time, day: date | None = None) -> datetime:
        """A team-local time of the simulated day, as an aware datetime."""
        return datetime.combine(day or self.day, t, tzinfo=self.zone)

    def with_day(self, day: date) -> SimProfile:
        return replace(self, day=day)


def default_profile_path() -> Path:
    return resources_dir() / "sim" / "default_profile.toml"


def load_profile(path: Path | None = None) -> SimProfile:
    p = path or default_profile_path()
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"simulation profile not found: {p}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"simulation profile {p}: {exc}") from None
    return profile_from_dict(raw, str(p))


def _get(d: dict[str, Any], key: str, where: str) -> Any:
    if key not in d:
        raise InvalidInput(f"simulation profile {where}: missing {key!r}")
    return d[key]


def _range(v: Any, key: str, where: str) -> Range:
    if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, int | float) for x in v)
            and 0 <= v[0] <= v[1]):
        raise InvalidInput(f"simulation profile {where}: {key} must be [min, max], got {v!r}")
    return (float(v[0]), float(v[1]))


def _odds(d: dict[str, Any], where: str, allowed: tuple[str, ...] | None) -> tuple[tuple[str, float], ...]:
    out = []
    for k, v in d.items():
        if allowed is not None and k not in allowed:
            raise InvalidInput(f"simulation profile {where}: unknown outcome {k!r} (known: {', '.join(allowed)})")
        if not isinstance(v, int | float) or v < 0:
            raise InvalidInput(f"simulation profile {where}: {k} must be a non-negative number")
        out.append((k, float(v)))
    if not out or sum(v for _, v in out) <= 0:
        raise InvalidInput(f"simulation profile {where}: odds must not all be zero")
    return tuple(out)


def _availability(v: Any, where: str) -> float:
    if not isinstance(v, int | float) or not 0 < v <= 1:
        raise InvalidInput(f"simulation profile {where}: rep_availability must be in (0, 1], got {v!r}")
    return float(v)


def profile_from_dict(raw: dict[str, Any], where: str = "<dict>") -> SimProfile:
    try:
        tz = str(raw.get("team_tz", "UTC"))
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"simulation profile {where}: unknown time zone {tz!r}") from None
    arrivals = _get(raw, "arrivals", where)
    per_hour = arrivals.get("per_hour", [])
    if len(per_hour) != 24 or any(not isinstance(x, int | float) or x < 0 for x in per_hour):
        raise InvalidInput(f"simulation profile {where}: arrivals.per_hour needs 24 non-negative numbers")
    durations_raw = _get(raw, "durations", where)
    durations = {k: _range(_get(durations_raw, k, where + " [durations]"), k, where) for k in DURATION_KEYS}
    conn = raw.get("connected", {})
    att = raw.get("attempts", {})
    win = raw.get("calling_window", {})
    try:
        return SimProfile(
            name=str(raw.get("name", "custom")),
            team_tz=tz,
            day=date.fromisoformat(str(raw.get("date", "2026-11-23"))),
            shift_start=time.fromisoformat(str(raw.get("shift_start", "08:00"))),
            shift_end=time.fromisoformat(str(raw.get("shift_end", "20:00"))),
            default_reps=int(raw.get("default_reps", 6)),
            sla_minutes=int(raw.get("sla_minutes", 60)),
            rep_availability=_availability(raw.get("rep_availability", 1.0), where),
            per_hour=tuple(float(x) for x in per_hour),
            kind_mix=_odds(_get(raw, "kinds", where), where + " [kinds]", None),
            outcome_odds=_odds(_get(raw, "outcomes", where), where + " [outcomes]", OUTCOMES),
            callback_share=float(conn.get("callback_share", 0.0)),
            callback_delay_minutes=_range(conn.get("callback_delay_minutes", [60, 240]),
                                          "callback_delay_minutes", where),
            callback_connect=float(conn.get("callback_connect", 1.0)),
            durations=durations,
            attempts=AttemptPolicy(**{k: int(v) for k, v in att.items()}),
            window=CallingWindow(time.fromisoformat(str(win.get("start", "08:00"))),
                                 time.fromisoformat(str(win.get("end", "21:00")))),
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"simulation profile {where}: {exc}") from None
