"""``qualdesk report sla|attempts|funnel|closed-loop``: the team lead's reports."""

from __future__ import annotations

import argparse
import sys

from qualdesk.cli.common import Context, Registry, add_json, print_json, print_table
from qualdesk.services.reports import GROUPINGS, KINDS, run_report
from qualdesk.services.reports.export_tables import write_csv, write_csv_stream, write_xlsx
from qualdesk.services.reports.periods import make_period
from qualdesk.services.reports.tables import Report

HELP = {
    "sla": "follow-up SLA: hand raises followed up within 1 h, same day, 24/48/72 h, never",
    "attempts": "same-day attempts per rep per day: attempts, connects, dispositions",
    "funnel": "designations now, month over month, age of open leads, conversion",
    "closed-loop": "per campaign and month: hand raise to verdict and win, median times",
}


def _handler(kind: str):  # type: ignore[no-untyped-def]
    def handle(ctx: Context, args: argparse.Namespace) -> int:
        period = make_period(ctx.db, args.from_, args.to, args.tz)
        report = run_report(ctx.db, kind, period, args.by)
        if args.xlsx:
            write_xlsx(report, args.xlsx)
        if args.pdf:
            from qualdesk.services import team_settings
            from qualdesk.services.reports.pdf import write_pdf

            write_pdf(report, args.pdf, team_zone=team_settings.get_value(ctx.db, "team.timezone"))
        if args.csv == "-":
            write_csv_stream(report, sys.stdout)
            return 0
        if args.csv:
            write_csv(report, args.csv)
        if args.json:
            print_json(report.data)
        elif not (args.csv or args.xlsx or args.pdf):
            _print(report)
        return 0

    return handle


def _print(report: Report) -> None:
    print(f"{report.title}, {report.period.label()}")
    for t in report.tables:
        print(f"\n{t.name}")
        if not t.rows:
            print("no data")
            continue
        print_table(t.as_dicts(), list(t.columns))


def register(reg: Registry) -> None:
    for kind in KINDS:
        p = reg.subcommand("report", kind, HELP[kind], _handler(kind),
                           group_help="team-lead reports (sla, attempts, funnel, closed-loop)")
        p.add_argument("--from", dest="from_", metavar="D", help="first day, YYYY-MM-DD (inclusive)")
        p.add_argument("--to", metavar="D", help="last day, YYYY-MM-DD (inclusive)")
        p.add_argument("--tz", metavar="ZONE", help="IANA zone of the dates (default team.timezone)")
        p.add_argument("--by", metavar="GROUP",
                       help=f"group by: {'|'.join(GROUPINGS[kind])}")
        p.add_argument("--csv", metavar="FILE", nargs="?", const="-",
                       help="write CSV to FILE (no FILE: to stdout)")
        p.add_argument("--xlsx", metavar="FILE",
                       help="write an Excel workbook (column names in words)")
        p.add_argument("--pdf", metavar="FILE",
                       help="write a PDF to forward: title, period, chart and table on A4 or "
                            "Letter (from the locale)")
        add_json(p)
