"""``qualdesk export turned-over``: turned-over leads as a CRM import file."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

from qualdesk.cli.common import CommandError, Context, Registry, add_json, print_json, warn
from qualdesk.services.export_crm import FORMATS, export_turned_over


def _since(value: str | None) -> date | datetime | None:
    if value is None:
        return None
    try:
        if len(value.strip()) == 10:
            return date.fromisoformat(value.strip())
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since {value!r} is not a date (YYYY-MM-DD) or ISO 8601 time") from None
    if dt.tzinfo is None:
        raise CommandError(f"--since {value!r} has no UTC offset")
    return dt


def _export(ctx: Context, args: argparse.Namespace) -> int:
    r = export_turned_over(ctx.db, args.format, args.out, since=_since(args.since), all_=args.all)
    for w in r.warnings:
        warn(w)
    if r.exported == 0:
        print(f"qualdesk: no turned-over leads to export; wrote a header-only file {r.file}",
              file=sys.stderr)
    if args.json:
        print_json(r.as_dict())
    elif r.exported:
        print(f"exported {r.exported} lead(s) as {r.format} to {r.file}")
    return 0


def register(reg: Registry) -> None:
    p = reg.subcommand("export", "turned-over", "turned-over leads as a CRM import file",
                       _export, group_help="export data for other tools")
    p.add_argument("--format", required=True, choices=sorted(FORMATS))
    p.add_argument("--since", metavar="DATE", help="only leads turned over on or after DATE")
    p.add_argument("--all", action="store_true", help="include leads already exported")
    p.add_argument("--out", metavar="FILE", help="default: turned-over-FORMAT-TIME.csv here")
    add_json(p)
