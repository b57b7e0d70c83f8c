"""``qualdesk audit [LEAD] [--json] [--csv FILE]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from qualdesk.cli.common import Context, Registry, add_json, print_json, print_table
from qualdesk.services.audit_query import COLUMNS, audit_entries, write_csv


def _audit(ctx: Context, args: argparse.Namespace) -> int:
    records = audit_entries(ctx.db, args.lead, args.limit)
    if args.csv:
        n = write_csv(records, Path(args.csv))
        if not args.json:
            print(f"wrote {n} audit entr{'y' if n == 1 else 'ies'} to {args.csv}")
    if args.json:
        print_json([r.as_dict() for r in records])
    elif not args.csv:
        print_table([r.as_dict() for r in records], list(COLUMNS))
    return 0


def register(reg: Registry) -> None:
    p = reg.command("audit", "who changed what on a lead (or on all leads), old -> new", _audit)
    p.add_argument("lead", type=int, nargs="?", help="one lead's id (default: every lead)")
    p.add_argument("--csv", metavar="FILE", help="also write the entries to a CSV file")
    p.add_argument("--limit", type=int, help="only the latest N entries")
    add_json(p)
