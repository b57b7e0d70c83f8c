"""The follow-up SLA report of DESIGN.md, aggregated in one SQL query.

Per hand raise raised in the period: follow-up time = the later of its first call and
first email (both stamped at or after the raise by the services); counts within 1 h,
same day in the report's zone, within 24/48/72 h (each on its own), and never; plus the
median / 90th percentile first-touch time and the share first-touched within 5 minutes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, HandRaise, User
from qualdesk.domain.sla import BUCKETS, pct
from qualdesk.errors import InvalidInput
from qualdesk.services.reports import sqlfuncs as q
from qualdesk.services.reports.periods import Period
from qualdesk.services.reports.tables import GROUPS, Chart, Report, Table, group_label

EXTRA = ("first_touch_median_min", "first_touch_p90_min", "pct_first_touch_5min")


def check_group(by: str | None, allowed: tuple[str, ...] = GROUPS) -> str | None:
    if by is None or by == "":
        return None
    key = by.strip().lower().replace("-", "_")
    if key not in allowed:
        raise InvalidInput(f"unknown grouping {by!r} (allowed: {', '.join(allowed)})")
    return key


def sla_query(dia: str, period: Period, by: str | None) -> Select:
    """The one query: an inner select per hand raise, aggregated outside."""
    hr = HandRaise
    fu = q.greatest(hr.first_call_at, hr.first_email_at, dia)
    if by == "campaign":
        key = Campaign.name
    elif by == "rep":
        key = User.name
    elif by == "hand_raise":
        key = hr.kind
    else:
        key = None
    cols = [hr.raised_at.label("raised"), hr.first_call_at.label("call"), fu.label("fu")]
    if key is not None:
        cols.append(key.label("grp"))
    inner = select(*cols).where(*period.hand_raises())
    if by == "campaign":
        inner = inner.join(Campaign, Campaign.id == hr.campaign_id)
    elif by == "rep":
        inner = inner.outerjoin(User, User.id == hr.first_call_rep_id)
    t = inner.subquery("t")

    def count_if(cond: Any) -> Any:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    has_fu = t.c.fu.is_not(None)
    touch = q.minutes_between(t.c.call, t.c.raised, dia)
    aggs = [
        func.count().label("hand_raises"),
        count_if(and_(has_fu, q.within_hours(t.c.fu, t.c.raised, 1, dia))).label("within_1h"),
        count_if(and_(has_fu, q.local_date(t.c.fu, period.tz, dia)
                      == q.local_date(t.c.raised, period.tz, dia))).label("same_day"),
        count_if(and_(has_fu, q.within_hours(t.c.fu, t.c.raised, 24, dia))).label("within_24h"),
        count_if(and_(has_fu, q.within_hours(t.c.fu, t.c.raised, 48, dia))).label("within_48h"),
        count_if(and_(has_fu, q.within_hours(t.c.fu, t.c.raised, 72, dia))).label("within_72h"),
        count_if(t.c.fu.is_(None)).label("never"),
        q.percentile(touch, 0.5, dia).label("ft_median"),
        q.percentile(touch, 0.9, dia).label("ft_p90"),
        count_if(and_(t.c.call.is_not(None), q.within_hours_min(t.c.call, t.c.raised, 5, dia)))
        .label("ft_5min"),
    ]
    if key is None:
        return select(*aggs).select_from(t)
    return select(t.c.grp, *aggs).group_by(t.c.grp).order_by(t.c.grp)


def _row_dict(row: Any) -> dict[str, Any]:
    n = int(row.hand_raises or 0)
    out: dict[str, Any] = {"hand_raises": n}
    for b in BUCKETS:
        out[b] = int(getattr(row, b) or 0)
    for b in BUCKETS:
        out[f"pct_{b}"] = pct(out[b], n)
    out["first_touch_median_min"] = _round(row.ft_median)
    out["first_touch_p90_min"] = _round(row.ft_p90)
    out["pct_first_touch_5min"] = pct(int(row.ft_5min or 0), n)
    return out


def _round(v: Any) -> float | None:
    return None if v is None else round(float(v), 1)


def compute(s: Session, period: Period, by: str | None = None) -> dict[str, Any] | list[dict[str, Any]]:
    """The ``report sla --json`` shape: one object, or with ``by`` a list with ``group``."""
    by = check_group(by)
    q.install(s)
    result = s.execute(sla_query(q.dialect(s), period, by))
    if by is None:
        return _row_dict(result.one())
    rows = [{"group": r.grp, **_row_dict(r)} for r in result]
    rows.sort(key=lambda d: (d["group"] is None, str(d["group"] or "")))
    return rows


COLUMNS = ("hand_raises", *BUCKETS, *(f"pct_{b}" for b in BUCKETS), *EXTRA)


def sla_report(db: Database, period: Period, by: str | None = None) -> Report:
    with db.session(write=False) as s:
        data = compute(s, period, by)
    rows = data if isinstance(data, list) else [data]
    lead_col = ("group",) if isinstance(data, list) else ()
    table_rows = tuple(
        tuple([group_label(r["group"])] if lead_col else []) + tuple(r[c] for c in COLUMNS)
        for r in rows if r["hand_raises"] or lead_col
    )
    x = "group" if lead_col else ""  # ungrouped: one bar per bucket
    chart = Chart(x=x, ys=tuple(f"pct_{b}" for b in BUCKETS), kind="bar",
                  title="Hand raises followed up (call and email), % of hand raises",
                  percent=True, empty="No hand raises in this period")
    table = Table("Follow-up SLA", lead_col + COLUMNS, table_rows, chart)
    return Report("sla", "Follow-up SLA", period, (table,), data, by)
