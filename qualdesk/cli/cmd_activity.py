"""``qualdesk activity LEAD``: the lead's digital body language, newest first."""

from __future__ import annotations

import argparse

from qualdesk.cli.common import Context, Registry, add_json, print_json, print_table


def _activity(ctx: Context, args: argparse.Namespace) -> int:
    from qualdesk.services.intake.live.activity import lead_activity

    rows = lead_activity(ctx.db, args.lead)
    if args.json:
        print_json([r.as_dict() for r in rows])
    else:
        print_table([{"at": r.at, "kind": r.kind, "source": r.source,
                      "raised a hand": r.raised_hand or "",
                      "details": ", ".join(f"{k}={v}" for k, v in r.details.items())}
                     for r in rows], ["at", "kind", "source", "raised a hand", "details"])
    return 0


def register(reg: Registry) -> None:
    p = reg.command("activity", "the lead's digital body language, newest first", _activity)
    p.add_argument("lead", type=int, metavar="LEAD", help="the lead's id")
    add_json(p)
