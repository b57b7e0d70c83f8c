"""``qualdesk incubate`` (rest a lead until a re-touch date) and ``qualdesk retouches``."""

from __future__ import annotations

import argparse
from datetime import date, datetime

from qualdesk.cli.common import (
    CommandError,
    Context,
    Registry,
    acting_for,
    add_json,
    print_json,
    print_table,
)
from qualdesk.services.incubation import due_retouches, incubate


def _until(value: str) -> date | datetime:
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--until {value!r} is not a date (YYYY-MM-DD) or ISO 8601 time") from None
    if dt.tzinfo is None:
        raise CommandError(f"--until {value!r} has no UTC offset")
    return dt


def _incubate(ctx: Context, args: argparse.Namespace) -> int:
    r = incubate(ctx.db, args.lead, _until(args.until), args.reason, by=acting_for(ctx, args.by, "--by", required=False))
    if args.json:
        print_json(r.as_dict())
    else:
        print(f"lead {r.lead_id} incubating until {r.retouch_at:%Y-%m-%d %H:%M} UTC ({r.reason})")
    return 0


def _retouches(ctx: Context, args: argparse.Namespace) -> int:
    due = due_retouches(ctx.db)
    if args.json:
        print_json([d.as_dict() for d in due])
    else:
        print_table([d.as_dict() for d in due], ["lead", "name", "retouch_at", "owner", "reason"])
    return 0


def register(reg: Registry) -> None:
    p = reg.command("incubate", "rest a lead that is not ready until a re-touch date", _incubate)
    p.add_argument("lead", type=int)
    p.add_argument("--until", required=True, metavar="DATE",
                   help="the re-touch date (YYYY-MM-DD, team time zone) or an ISO 8601 time")
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--by", metavar="NAME")
    add_json(p)
    p = reg.command("retouches", "incubated leads whose re-touch date has come", _retouches)
    add_json(p)
