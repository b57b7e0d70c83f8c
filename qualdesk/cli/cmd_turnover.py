"""``qualdesk turn-over`` (hand a lead to sales) and ``qualdesk timeline`` (its closed loop)."""

from __future__ import annotations

import argparse

from qualdesk.cli.cmd_queue import retry_option
from qualdesk.cli.common import Context, Registry, acting_for, add_json, print_json
from qualdesk.services.closed_loop import lead_timeline
from qualdesk.services.turnover import turn_over


def _turn_over(ctx: Context, args: argparse.Namespace) -> int:
    r = turn_over(ctx.db, args.lead, args.to, by=acting_for(ctx, args.by, "--by", required=False),
                  override=args.override, note=args.note, idempotency_key=args.idempotency_key)
    if args.json:
        print_json(r.as_dict())
    else:
        how = f" by override ({r.override_reason})" if r.override_reason else " (Level I qualified)"
        print(f"lead {r.lead_id} turned over to {r.to_owner}{how}")
    return 0


def _timeline(ctx: Context, args: argparse.Namespace) -> int:
    t = lead_timeline(ctx.db, args.lead)
    if args.json:
        print_json(t.as_dict())
        return 0
    for e in t.events:
        print(f"{e.at.isoformat(timespec='minutes')}  {e.kind:<12} {e.detail}")
    return 0


def register(reg: Registry) -> None:
    p = reg.command("turn-over", "hand a Level I qualified lead to a sales owner", _turn_over)
    p.add_argument("lead", type=int)
    p.add_argument("--to", required=True, metavar="OWNER", help="a user with role 'sales'")
    p.add_argument("--override", metavar="REASON",
                   help="turn over a lead that is not Level I qualified, recording why")
    p.add_argument("--note", metavar="TEXT", help="the hand-off note for sales")
    p.add_argument("--by", metavar="NAME", help="the rep handing over (default: the lead's owner)")
    retry_option(p, "turn-over")
    add_json(p)
    p = reg.command("timeline", "a lead's closed loop: hand raise to verdict and win/loss",
                    _timeline)
    p.add_argument("lead", type=int)
    add_json(p)
