"""One simulated day as the ``simulate --json`` object: the follow-up SLA report of
DESIGN.md (``qualdesk.domain.sla.sla_report``) plus first-touch figures and workload."""

from __future__ import annotations

import math
import random
import statistics
from pathlib import Path
from typing import Any

from qualdesk.domain.sla import HandRaiseTiming, sla_report
from qualdesk.sim.arrivals import Arrival, generate_day, read_arrivals
from qualdesk.sim.engine import DayOutcome, run_day
from qualdesk.sim.profile import SimProfile
from qualdesk.sim.run_state import RunState

POLICIES = ("priority", "fifo")
DEFAULT_SEED = 1


def day_arrivals(profile: SimProfile, seed: int, path: Path | None = None) -> tuple[SimProfile, list[Arrival]]:
    """The day's hand raises (from the file, or the profile's built-in day) and the profile
    moved to the file's day when the file has dates of its own."""
    rng = random.Random(seed)
    if path is None:
        return profile, generate_day(profile, rng)
    arrivals = read_arrivals(path, profile, rng)
    first_day = min(a.at.astimezone(profile.zone).date() for a in arrivals)
    return profile.with_day(first_day), arrivals


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]  # nearest rank


def summarise(profile: SimProfile, day: DayOutcome, reps: int, policy: str, seed: int) -> dict[str, Any]:
    timings = [HandRaiseTiming(x.raised_at, x.first_call_at, x.first_email_at) for x in day.leads]
    out: dict[str, Any] = dict(sla_report(timings, profile.zone))
    touches = [(x.first_call_at - x.raised_at).total_seconds() / 60 for x in day.leads
               if x.first_call_at is not None]
    # Over the hand raises that got a call at all; those that never did are counted apart.
    out["first_touch_median_min"] = round(statistics.median(touches), 1) if touches else None
    out["first_touch_p90_min"] = round(_p90(touches), 1) if touches else None
    out["never_touched"] = len(day.leads) - len(touches)
    out["reps"] = reps
    out["policy"] = policy
    out["seed"] = seed
    out["attempts"] = sum(day.attempts_per_rep)
    out["attempts_per_rep"] = list(day.attempts_per_rep)
    out["attempts_per_rep_mean"] = round(sum(day.attempts_per_rep) / reps, 1)
    out["emails"] = day.emails
    out["callbacks_asked"] = day.callbacks_asked
    out["callbacks_made"] = day.callbacks_made
    return out


def simulate(profile: SimProfile, arrivals: list[Arrival], reps: int, policy: str = "priority",
             seed: int = DEFAULT_SEED, state: RunState | None = None) -> dict[str, Any]:
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}")
    return summarise(profile, run_day(profile, arrivals, reps, policy, seed, state), reps, policy, seed)
