"""Team-lead reports: follow-up SLA, same-day attempts, funnel, closed loop, and the
floor view's snapshot. Each report aggregates in SQL and returns a ``Report`` of plain
tables that the CLI, the exporters and the reports view share."""

from __future__ import annotations

from collections.abc import Callable

from qualdesk.db.engine import Database
from qualdesk.errors import InvalidInput
from qualdesk.services.reports.periods import Period
from qualdesk.services.reports.tables import Report

ReportFn = Callable[[Database, Period, "str | None"], Report]

KINDS = ("sla", "attempts", "funnel", "closed-loop")
GROUPINGS: dict[str, tuple[str, ...]] = {
    "sla": ("campaign", "rep", "hand_raise"),
    "attempts": ("rep", "campaign"),
    "funnel": ("campaign",),
    "closed-loop": ("campaign",),
}


def report_fn(kind: str) -> ReportFn:
    if kind == "sla":
        from qualdesk.services.reports.sla import sla_report as fn
    elif kind == "attempts":
        from qualdesk.services.reports.attempts import attempts_report as fn
    elif kind == "funnel":
        from qualdesk.services.reports.funnel import funnel_report as fn
    elif kind == "closed-loop":
        from qualdesk.services.reports.closed_loop_report import closed_loop_report as fn
    else:
        raise InvalidInput(f"unknown report {kind!r} (known: {', '.join(KINDS)})")
    return fn


def run_report(db: Database, kind: str, period: Period, by: str | None = None) -> Report:
    return report_fn(kind)(db, period, by)
