"""How long the simulator takes: one built-in day, the staffing table, the Technion day.

    python bench/bench_simulate.py

Prints wall-clock figures and each one's ratio to a baseline measured in the same run
(one built-in day with 6 reps), so numbers compare across machines.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from qualdesk.sim.profile import load_profile
from qualdesk.sim.report import day_arrivals, simulate
from qualdesk.sim.staffing import staffing_runs

TECHNION = Path(__file__).resolve().parents[1] / "tests" / "data" / "technion-calls-one-day.csv"


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    profile, arrivals = day_arrivals(load_profile(), 1)
    base = timed(lambda: simulate(profile, arrivals, 6, "priority", 1))
    print(f"baseline: built-in day ({len(arrivals)} hand raises), 6 reps, priority: {base:.3f} s")
    cases: list[tuple[str, Callable[[], object]]] = [
        ("built-in day, 2 reps (overloaded), priority", lambda: simulate(profile, arrivals, 2, "priority", 1)),
        ("built-in day, 2 reps (overloaded), fifo", lambda: simulate(profile, arrivals, 2, "fifo", 1)),
        ("staffing table 2..10, both policies", lambda: staffing_runs(profile, arrivals, (2, 10), seed=1)),
    ]
    if TECHNION.exists():
        tp, ta = day_arrivals(load_profile(), 1, TECHNION)
        cases.append((f"Technion day ({len(ta)} hand raises), 6 reps, priority",
                      lambda: simulate(tp, ta, 6, "priority", 1)))
    for name, fn in cases:
        t = timed(fn)
        print(f"{name}: {t:.3f} s  ({t / base:.1f}× baseline)")


if __name__ == "__main__":
    main()
