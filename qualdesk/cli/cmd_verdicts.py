"""``qualdesk import verdicts``: sales' accept / reject per lead, from a CRM's export."""

from __future__ import annotations

import argparse
import sys

from qualdesk.cli.common import Context, Registry, add_json, print_json, warn
from qualdesk.errors import KnownError, RowProblem
from qualdesk.services.verdicts import import_verdicts


def _import(ctx: Context, args: argparse.Namespace) -> int:
    try:
        r = import_verdicts(ctx.db, args.file, skip_bad=args.skip_bad)
    except KnownError as exc:
        if args.json:  # a file refused as a whole still answers in the --json shape
            print_json({"imported": 0, "merged": 0, "applied": False, "rejected": [
                RowProblem(1, "file", str(args.file), str(exc)).as_dict()]})
        raise
    if args.json:
        print_json(r.as_dict())  # the rows are in it: stderr keeps its one line
    else:
        for p in r.rejected:
            warn(str(p))
    if not r.applied:
        # The one-line reason; the JSON (if asked) is already on stdout.
        print(f"qualdesk: {len(r.rejected)} bad row(s); nothing imported "
              f"(fix them, or set them aside with --skip-bad REJECTS.csv)",
              file=sys.stderr)
        return 1
    if not args.json:
        extra = f"; {len(r.rejected)} bad row(s) written to {r.rejects_file}" if r.rejects_file else ""
        print(f"imported {r.imported} verdict(s){extra}")
    return 0


def register(reg: Registry) -> None:
    p = reg.subcommand("import", "verdicts", "sales' accept / reject per lead (CSV)", _import,
                       group_help="read files from other tools")
    p.add_argument("file")
    p.add_argument("--skip-bad", metavar="REJECTS.csv",
                   help="import the good rows and write the bad ones to this file")
    add_json(p)
