"""``qualdesk simulate``: replay a day of hand raises against a queue policy (no database).

``--reps N`` prints one day's follow-up SLA report (``--json``: the ``report sla`` object
plus ``first_touch_median_min``, ``first_touch_p90_min``, ``reps``, ``policy`` and
workload keys). ``--reps A..B`` prints the staffing table, priority and FIFO side by side
(``--json``: a list of those objects, one per reps and policy, ordered by reps then
policy; ``--policy`` limits it to one policy).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from qualdesk.cli.common import Context, Registry, add_json, print_json, print_table
from qualdesk.sim.profile import load_profile
from qualdesk.sim.report import DEFAULT_SEED, POLICIES, day_arrivals, simulate
from qualdesk.sim.staffing import parse_reps, staffing_runs, table_rows, verdict


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{v}"


def _simulate(ctx: Context, args: argparse.Namespace) -> int:
    # Deliberately never touches ctx.db: the simulator needs no database.
    profile = load_profile(Path(args.profile) if args.profile else None)
    reps = parse_reps(args.reps) if args.reps else (profile.default_reps,) * 2
    profile, arrivals = day_arrivals(profile, args.seed, Path(args.arrivals) if args.arrivals else None)
    ranged = args.reps is not None and ".." in args.reps
    if not ranged:
        report = simulate(profile, arrivals, reps[0], args.policy or "priority", args.seed)
        if args.json:
            print_json(report)
        else:
            _print_day(report)
        return 0
    policies = (args.policy,) if args.policy else POLICIES
    runs = staffing_runs(profile, arrivals, reps, policies, args.seed)
    if args.json:
        print_json(runs)
        return 0
    rows = table_rows(runs)
    print(f"{len(arrivals)} hand raises, {profile.day.isoformat()} "
          f"{profile.shift_start:%H:%M}–{profile.shift_end:%H:%M} {profile.team_tz}, seed {args.seed}")
    table = []
    for r in rows:
        line: dict[str, Any] = {"reps": r.reps}
        for p in policies:
            x = r.by_policy[p]
            line[f"{p} ≤1h %"] = x["pct_within_1h"]
            line[f"{p} never"] = x["never"]
            line[f"{p} median/p90 min"] = f"{_fmt(x['first_touch_median_min'])}/{_fmt(x['first_touch_p90_min'])}"
            line[f"{p} att/rep"] = x["attempts_per_rep_mean"]
        if len(policies) == 2:
            line["gain pts"] = round(r.pct("priority") - r.pct("fifo"), 1)  # type: ignore[operator]
        table.append(line)
    print_table(table, list(table[0]))
    print()
    for s in verdict(rows).lines():
        print(s)
    return 0


def _print_day(r: dict[str, Any]) -> None:
    n = r["hand_raises"]
    print(f"{r['policy']} order, {r['reps']} reps, seed {r['seed']}: {n} hand raises")
    for key, label in (("within_1h", "within 1 h"), ("same_day", "same day"), ("within_24h", "within 24 h"),
                       ("never", "never (not followed up by the end of the shift)")):
        print(f"  {label:<48} {r[key]:>5}  {r['pct_' + key]:>5.1f}%")
    print(f"  first touch: median {_fmt(r['first_touch_median_min'])} min, "
          f"p90 {_fmt(r['first_touch_p90_min'])} min, never touched {r['never_touched']}")
    print(f"  attempts per rep: {', '.join(str(a) for a in r['attempts_per_rep'])} "
          f"(mean {r['attempts_per_rep_mean']}); emails {r['emails']}; "
          f"callbacks asked {r['callbacks_asked']}, made {r['callbacks_made']}")


def register(reg: Registry) -> None:
    p = reg.command("simulate", "replay a day of hand raises against a policy", _simulate)
    p.add_argument("--reps", help="number of reps (6) or a range (4..12) for the staffing table; "
                                  "default: the profile's")
    p.add_argument("--policy", choices=POLICIES,
                   help="queue order (default priority; with a range both, side by side)")
    p.add_argument("--arrivals", metavar="FILE",
                   help="CSV of hand raises: columns at[,kind], or the Technion call-center day")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--profile", metavar="TOML", help="simulation profile (default: the built-in day)")
    add_json(p)
