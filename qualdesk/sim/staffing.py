"""The staffing question: the same day simulated for a range of team sizes, under the
default priority order and FIFO side by side, and what the table says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualdesk.errors import InvalidInput
from qualdesk.sim.arrivals import Arrival
from qualdesk.sim.profile import SimProfile, load_profile
from qualdesk.sim.report import POLICIES, day_arrivals, simulate
from qualdesk.sim.run_state import RunState

TARGET_PCT = 95.0
# Two policies "meet" when their within-1 h shares differ by no more than this (points).
MEET_POINTS = 1.0
MAX_REPS = 200
LABELS = {"priority": "priority", "fifo": "FIFO"}


def parse_reps(value: str) -> tuple[int, int]:
    """``"6"`` → (6, 6); ``"4..12"`` → (4, 12)."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?", value)
    if not m:
        raise InvalidInput(f"--reps {value!r}: write a number (6) or a range (4..12)")
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    if lo < 1 or hi < lo or hi > MAX_REPS:
        raise InvalidInput(f"--reps {value!r}: need 1 ≤ first ≤ last ≤ {MAX_REPS}")
    return lo, hi


def staffing_runs(profile: SimProfile, arrivals: list[Arrival], reps: tuple[int, int],
                  policies: tuple[str, ...] = POLICIES, seed: int = 1,
                  state: RunState | None = None) -> list[dict[str, Any]]:
    """One report per (reps, policy), ordered by reps then policy."""
    combos = [(n, p) for n in range(reps[0], reps[1] + 1) for p in policies]
    out = []
    for i, (n, p) in enumerate(combos):
        if state is not None:
            state.progress(i, len(combos))
        out.append(simulate(profile, arrivals, n, p, seed, None if state is None else _Inner(state, i, len(combos))))
    if state is not None:
        state.progress(len(combos), len(combos))
    return out


class _Inner(RunState):
    """Progress of one run inside the table, scaled to the whole table; shares the cancel flag."""

    def __init__(self, outer: RunState, index: int, count: int) -> None:
        super().__init__()
        self._outer, self._index, self._count = outer, index, count

    @property
    def cancelled(self) -> bool:
        return self._outer.cancelled

    def check(self) -> None:
        self._outer.check()

    def progress(self, done: int, total: int) -> None:
        scale = 1000
        self._outer.progress(self._index * scale + (scale * done) // max(total, 1), self._count * scale)


@dataclass(frozen=True)
class StaffingRow:
    reps: int
    by_policy: dict[str, dict[str, Any]]

    def pct(self, policy: str) -> float | None:
        r = self.by_policy.get(policy)
        return None if r is None else float(r["pct_within_1h"])


def table_rows(runs: list[dict[str, Any]]) -> list[StaffingRow]:
    grouped: dict[int, dict[str, dict[str, Any]]] = {}
    for r in runs:
        grouped.setdefault(int(r["reps"]), {})[str(r["policy"])] = r
    return [StaffingRow(n, grouped[n]) for n in sorted(grouped)]


@dataclass(frozen=True)
class Verdict:
    """What the table answers: staffing for the target, the policies' gap, where they meet."""

    reps_for_target: dict[str, int | None]
    best_gain_points: float | None
    best_gain_reps: int | None
    meet_reps: int | None

    def lines(self) -> list[str]:
        out = []
        for p, n in self.reps_for_target.items():
            out.append(f"{LABELS.get(p, p)}: {TARGET_PCT:g}% followed up within 1 h "
                       + (f"from {n} reps" if n is not None else "not reached in this range"))
        if self.best_gain_points is not None and self.best_gain_reps is not None:
            if self.best_gain_points > 0:
                out.append(f"priority beats FIFO by up to {self.best_gain_points:.1f} points "
                           f"(at {self.best_gain_reps} reps)")
            else:
                out.append("priority does not beat FIFO anywhere in this range")
        if self.meet_reps is not None:
            out.append(f"the two policies meet (within {MEET_POINTS:g} point) from {self.meet_reps} reps")
        elif self.best_gain_points is not None:
            out.append("the two policies do not meet in this range")
        return out


def verdict(rows: list[StaffingRow]) -> Verdict:
    target: dict[str, int | None] = {}
    for p in POLICIES:
        hits = [r.reps for r in rows if (v := r.pct(p)) is not None and v >= TARGET_PCT]
        if any(r.pct(p) is not None for r in rows):
            target[p] = hits[0] if hits else None
    both = [r for r in rows if r.pct("priority") is not None and r.pct("fifo") is not None]
    if not both:
        return Verdict(target, None, None, None)
    gains = [(r.pct("priority") - r.pct("fifo"), r.reps) for r in both]  # type: ignore[operator]
    best = max(gains, key=lambda g: (round(g[0], 1), -g[1]))
    meet = None
    for i, r in enumerate(both):
        if all(abs(g) <= MEET_POINTS for g, _ in gains[i:]):
            meet = r.reps
            break
    return Verdict(target, round(best[0], 1), best[1], meet)


@dataclass(frozen=True)
class StaffingRequest:
    reps: tuple[int, int]
    policies: tuple[str, ...] = POLICIES
    seed: int = 1
    arrivals: Path | None = None
    profile: Path | None = None


@dataclass(frozen=True)
class StaffingResult:
    request: StaffingRequest
    hand_raises: int
    runs: tuple[dict[str, Any], ...]
    rows: tuple[StaffingRow, ...]
    verdict: Verdict


def run_staffing(req: StaffingRequest, state: RunState | None = None) -> StaffingResult:
    """The whole staffing question as one plain function (the GUI runs it off-thread)."""
    profile, arrivals = day_arrivals(load_profile(req.profile), req.seed, req.arrivals)
    runs = staffing_runs(profile, arrivals, req.reps, req.policies, req.seed, state)
    rows = table_rows(runs)
    return StaffingResult(req, len(arrivals), tuple(runs), tuple(rows), verdict(rows))
