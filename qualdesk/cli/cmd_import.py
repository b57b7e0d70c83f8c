"""``qualdesk import leads`` and ``qualdesk import activity``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from qualdesk.cli.common import Context, Registry, add_json, print_json, warn
from qualdesk.errors import KnownError, RowProblem
from qualdesk.services.intake.csv_source import Table, read_table
from qualdesk.services.intake.header_aliases import parse_map_options
from qualdesk.services.intake.import_activity import import_activity
from qualdesk.services.intake.import_leads import LeadImportOptions, import_leads
from qualdesk.services.intake.outcome import ImportResult
from qualdesk.services.intake.rejects import write_rejects

# Below this many rows an import finishes before a progress bar would be worth drawing.
PROGRESS_MIN_ROWS = 2000
SHOWN_PROBLEMS = 20


def _bar(rows: int) -> Callable[[int, int], None] | None:
    if rows < PROGRESS_MIN_ROWS or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                         f"{100 * done // max(total, 1):3d}%")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _file_failure(args: argparse.Namespace, exc: KnownError) -> int:
    """A file refused as a whole still answers in the --json shape, then fails."""
    if args.json:
        print_json({"imported": 0, "merged": 0, "applied": False,
                    "rejected": [RowProblem(1, "file", str(args.file), str(exc)).as_dict()],
                    "warnings": []})
    raise exc


def _finish(args: argparse.Namespace, result: ImportResult, table: Table) -> int:
    if args.skip_bad and result.rejected:
        n = write_rejects(args.skip_bad, table, result.rejected)
        if not args.json:
            print(f"{n} rejected row(s) written to {args.skip_bad}")
    if args.json:
        print_json(result.as_dict())
    else:
        for line in result.warnings:
            warn(line)
        out = sys.stdout if result.applied else sys.stderr
        for p in result.rejected[:SHOWN_PROBLEMS]:
            print(f"  {p}", file=out)
        if len(result.rejected) > SHOWN_PROBLEMS:
            print(f"  … and {len(result.rejected) - SHOWN_PROBLEMS} more problem(s); "
                  "--json or --skip-bad REJECTS.csv lists them all", file=out)
        print(result.summary())
    if not result.applied:
        if args.json:
            print(f"qualdesk: {result.summary()}", file=sys.stderr)
        return 1
    return 0


def _leads(ctx: Context, args: argparse.Namespace) -> int:
    try:
        mapping = parse_map_options(args.map or [])
        table = read_table(args.file)
        opts = LeadImportOptions(campaign=args.campaign, default_region=args.default_region,
                                 mapping=mapping, skip_bad=bool(args.skip_bad))
        result = import_leads(ctx.db, table, opts, progress=_bar(len(table)))
    except KnownError as exc:
        return _file_failure(args, exc)
    return _finish(args, result, table)


def _activity(ctx: Context, args: argparse.Namespace) -> int:
    try:
        table = read_table(args.file)
        result = import_activity(ctx.db, table, skip_bad=bool(args.skip_bad),
                                 default_region=args.default_region,
                                 progress=_bar(len(table)))
    except KnownError as exc:
        return _file_failure(args, exc)
    return _finish(args, result, table)


def register(reg: Registry) -> None:
    group_help = "import leads, past activity or sales verdicts from CSV"
    p = reg.subcommand("import", "leads", "import leads and their hand raises from a CSV file",
                       _leads, group_help=group_help)
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--campaign", metavar="NAME",
                   help="campaign for rows without one (created if new); default: the "
                        "default campaign")
    p.add_argument("--default-region", metavar="CC",
                   help="region for numbers without +country code (default: the "
                        "import.default_region setting, US)")
    p.add_argument("--map", action="append", metavar="COLUMN=field",
                   help="read COLUMN as field (or 'ignore'); repeatable")
    p.add_argument("--skip-bad", metavar="REJECTS.csv", type=Path,
                   help="import the good rows; write the bad ones, with reasons, here")
    add_json(p)
    p = reg.subcommand("import", "activity", "import past calls, voicemails and emails",
                       _activity, group_help=group_help)
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--default-region", metavar="CC",
                   help="region for lead_phone values without +country code")
    p.add_argument("--skip-bad", metavar="REJECTS.csv", type=Path,
                   help="import the good rows; write the bad ones, with reasons, here")
    add_json(p)
