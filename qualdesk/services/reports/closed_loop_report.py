"""Closed loop: per campaign and month (of the hand raise, in the report's zone), from
hand raise to sales' verdict and win, with median times between the stages.

Each hand raise is followed to the lead's first turn-over at or after it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, HandRaise, TurnOver
from qualdesk.services.reports import sqlfuncs as q
from qualdesk.services.reports.periods import Period
from qualdesk.services.reports.sla import check_group
from qualdesk.services.reports.tables import Chart, Report, Table

COUNTS = ("hand_raises", "touched", "followed_up", "turned_over", "verdicts", "accepted",
          "rejected", "won")
MEDIANS = ("hr_to_touch_min", "touch_to_followup_min", "followup_to_turnover_h",
           "turnover_to_verdict_h")


def compute(s: Session, period: Period, per_campaign: bool = True) -> list[dict[str, Any]]:
    """Rows per campaign and month (the ``--json`` shape), or with ``per_campaign`` off
    per month over every campaign (the month-over-month view; medians need the raw
    rows, so it is its own grouping, not a sum)."""
    q.install(s)
    dia = q.dialect(s)
    hr = HandRaise
    first_to = (select(func.min(TurnOver.at))
                .where(TurnOver.lead_id == hr.lead_id, TurnOver.at >= hr.raised_at)
                .scalar_subquery())
    inner = (
        select(Campaign.name.label("campaign"),
               q.local_month(hr.raised_at, period.tz, dia).label("month"),
               hr.lead_id.label("lead_id"), hr.raised_at.label("raised"),
               hr.first_call_at.label("call"),
               q.greatest(hr.first_call_at, hr.first_email_at, dia).label("fu"),
               first_to.label("to_at"))
        .join(Campaign, Campaign.id == hr.campaign_id)
        .where(*period.hand_raises())
        .subquery("h")
    )
    h = inner.c
    t = TurnOver

    def n_if(cond: Any) -> Any:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    stmt = (
        select(
            h.campaign, h.month, func.count().label("hand_raises"),
            n_if(h.call.is_not(None)).label("touched"),
            n_if(h.fu.is_not(None)).label("followed_up"),
            n_if(h.to_at.is_not(None)).label("turned_over"),
            n_if(t.verdict.is_not(None)).label("verdicts"),
            n_if(t.verdict == "accepted").label("accepted"),
            n_if(t.verdict == "rejected").label("rejected"),
            n_if(t.outcome == "won").label("won"),
            q.percentile(q.minutes_between(h.call, h.raised, dia), 0.5, dia).label("hr_to_touch_min"),
            q.percentile(q.minutes_between(h.fu, h.call, dia), 0.5, dia).label("touch_to_followup_min"),
            q.percentile(q.minutes_between(h.to_at, h.fu, dia) / 60.0, 0.5, dia)
            .label("followup_to_turnover_h"),
            q.percentile(q.minutes_between(t.verdict_at, h.to_at, dia) / 60.0, 0.5, dia)
            .label("turnover_to_verdict_h"),
        )
        .select_from(inner)
        .outerjoin(t, and_(t.lead_id == h.lead_id, t.at == h.to_at))
    )
    keys = (h.campaign, h.month) if per_campaign else (h.month,)
    stmt = stmt.group_by(*keys).order_by(h.month, *keys[:-1])
    if not per_campaign:
        stmt = stmt.with_only_columns(*[c for c in stmt.selected_columns if c.name != "campaign"])
    out = []
    for row in s.execute(stmt):
        d: dict[str, Any] = {"campaign": row.campaign} if per_campaign else {}
        d["month"] = row.month
        d.update({k: int(getattr(row, k) or 0) for k in COUNTS})
        d.update({k: None if getattr(row, k) is None else round(float(getattr(row, k)), 1)
                  for k in MEDIANS})
        out.append(d)
    return out


MONTH_STEPS = ("hand_raises", "turned_over", "accepted", "won")


def month_over_month(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each month's counts with the change from the month before."""
    out, prev = [], None
    for r in rows:
        d = dict(r)
        for k in MONTH_STEPS:
            d[f"{k}_change"] = None if prev is None else r[k] - prev[k]
        out.append(d)
        prev = r
    return out


def closed_loop_report(db: Database, period: Period, by: str | None = None) -> Report:
    check_group(by, ("campaign",))
    with db.session(write=False) as s:
        data = compute(s, period)
        months = month_over_month(compute(s, period, per_campaign=False))
    cols = ("campaign", "month", *COUNTS, *MEDIANS)
    rows = tuple(tuple(r[c] for c in cols) for r in data)
    chart = Chart("campaign", ("hand_raises", "turned_over", "accepted", "won"), "bar",
                  "From hand raise to win, per campaign", empty="No hand raises in this period")
    mcols = ("month", "hand_raises", "hand_raises_change", "touched", "followed_up",
             "turned_over", "turned_over_change", "verdicts", "accepted", "accepted_change",
             "rejected", "won", "won_change", *MEDIANS)
    mchart = Chart("month", MONTH_STEPS, "line",
                   "Closed loop month over month: hand raises, turned over, accepted, won",
                   empty="No hand raises in this period")
    return Report("closed-loop", "Closed loop", period,
                  (Table("Closed loop per campaign and month", cols, rows, chart),
                   Table("Closed loop month over month", mcols,
                         tuple(tuple(r[c] for c in mcols) for r in months), mchart)), data, by)
