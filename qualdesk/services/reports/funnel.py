"""The funnel: designations now, month over month, age of open leads, per-campaign
outcomes and stage conversion (from ``designation_history``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, distinct, exists, func, or_, select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, DesignationChange, HandRaise, Lead, TurnOver
from qualdesk.domain.designation import OPEN, Designation
from qualdesk.domain.sla import pct
from qualdesk.services.reports import sqlfuncs as q
from qualdesk.services.reports.periods import Period
from qualdesk.services.reports.tables import Chart, Report, Table

D = Designation
AGE_BUCKETS = ("lt_1h", "1h_24h", "1d_7d", "gt_7d", "no_hand_raise")
# A later stage implies the earlier ones (cold -> hot and cold -> turned over are legal).
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("warm", (D.WARM, D.HOT, D.TURNED_OVER, D.ACCEPTED)),
    ("hot", (D.HOT, D.TURNED_OVER, D.ACCEPTED)),
    ("turned_over", (D.TURNED_OVER, D.ACCEPTED)),
)


def designation_counts(s: Session) -> dict[str, int]:
    got = dict(s.execute(select(Lead.designation, func.count()).group_by(Lead.designation)).all())
    return {d.value: int(got.get(d.value, 0)) for d in Designation}


def monthly(s: Session, period: Period) -> list[dict[str, Any]]:
    dia = q.dialect(s)
    hr_m = q.local_month(HandRaise.raised_at, period.tz, dia).label("m")
    dh_m = q.local_month(DesignationChange.at, period.tz, dia).label("m")
    months: dict[str, dict[str, Any]] = {}

    def put(m: str, key: str, n: int) -> None:
        months.setdefault(m, {"month": m, "hand_raises": 0, "turned_over": 0, "accepted": 0})[key] = int(n)

    for m, n in s.execute(select(hr_m, func.count()).where(*period.hand_raises())
                          .group_by(hr_m)):
        put(m, "hand_raises", n)
    for m, to, n in s.execute(
        select(dh_m, DesignationChange.to_designation, func.count(distinct(DesignationChange.lead_id)))
        .where(DesignationChange.to_designation.in_([D.TURNED_OVER.value, D.ACCEPTED.value]),
               *period.clause(DesignationChange.at))
        .group_by(dh_m, DesignationChange.to_designation)
    ):
        put(m, to, n)
    out = [months[m] for m in sorted(months)]
    prev: dict[str, Any] | None = None
    for row in out:
        for k in ("hand_raises", "turned_over", "accepted"):
            before = prev[k] if prev else None
            row[f"{k}_change"] = None if before is None else row[k] - before
            row[f"{k}_change_pct"] = (None if not before else round(100.0 * (row[k] - before) / before, 1))
        prev = row
    return out


def open_age(s: Session, now: datetime) -> dict[str, int]:
    last = Lead.last_hand_raise_at
    bucket = case(
        (last.is_(None), "no_hand_raise"),
        (last > now - timedelta(hours=1), "lt_1h"),
        (last > now - timedelta(hours=24), "1h_24h"),
        (last > now - timedelta(days=7), "1d_7d"),
        else_="gt_7d",
    ).label("b")
    got = dict(s.execute(select(bucket, func.count())
                         .where(Lead.designation.in_([d.value for d in OPEN])).group_by(bucket)).all())
    return {b: int(got.get(b, 0)) for b in AGE_BUCKETS}


def per_campaign(s: Session, period: Period) -> list[dict[str, Any]]:
    camps = {cid: {"campaign": name, "hand_raises": 0, "turned_over": 0, "accepted": 0, "won": 0}
             for cid, name in s.execute(select(Campaign.id, Campaign.name))}
    for cid, n in s.execute(select(HandRaise.campaign_id, func.count())
                            .where(*period.hand_raises()).group_by(HandRaise.campaign_id)):
        camps[cid]["hand_raises"] = int(n)
    for cid, to, n in s.execute(
        select(Lead.campaign_id, DesignationChange.to_designation,
               func.count(distinct(DesignationChange.lead_id)))
        .join(Lead, Lead.id == DesignationChange.lead_id)
        .where(DesignationChange.to_designation.in_([D.TURNED_OVER.value, D.ACCEPTED.value]),
               *period.clause(DesignationChange.at))
        .group_by(Lead.campaign_id, DesignationChange.to_designation)
    ):
        camps[cid][to] = int(n)
    for cid, n in s.execute(
        select(Lead.campaign_id, func.count(distinct(TurnOver.lead_id)))
        .join(Lead, Lead.id == TurnOver.lead_id)
        .where(TurnOver.outcome == "won", *period.clause(TurnOver.outcome_at))
        .group_by(Lead.campaign_id)
    ):
        camps[cid]["won"] = int(n)
    return sorted((c for c in camps.values() if any(c[k] for k in ("hand_raises", "turned_over",
                                                                   "accepted", "won"))),
                  key=lambda c: c["campaign"])


def _reached(targets: tuple[str, ...]) -> Any:
    """How many leads history (or the current designation) ever put in a stage or a
    later one."""
    vals = [str(t) for t in targets]
    hist = exists().where(DesignationChange.lead_id == Lead.id,
                          DesignationChange.to_designation.in_(vals))
    return func.coalesce(func.sum(case((or_(hist, Lead.designation.in_(vals)), 1), else_=0)), 0)


def conversion(s: Session, period: Period) -> list[dict[str, Any]]:
    """Cohort: leads created in the period; a stage is reached if history (or the current
    designation) ever put the lead in it or a later one."""
    reached = _reached
    row = s.execute(select(func.count(), *(reached(t) for _, t in STAGES))
                    .where(*period.new_leads())).one()
    counts = [("cold", int(row[0]))] + [(name, int(row[i + 1])) for i, (name, _) in enumerate(STAGES)]
    out = []
    for i, (name, n) in enumerate(counts):
        prev = counts[i - 1][1] if i else None
        out.append({"stage": name, "leads": n,
                    "from_previous_pct": None if prev is None else pct(n, prev)})
    return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 1) if b else None


def conversion_rates(d: dict[str, Any]) -> dict[str, Any]:
    """Best practice #1's questions for one cohort: what share of warm leads became hot,
    and how many new (cold) leads it takes to get one turned over and one accepted."""
    return {
        **d,
        "warm_pct": pct(d["warm"], d["cold"]),
        "hot_of_warm_pct": pct(d["hot"], d["warm"]),
        "turned_over_of_hot_pct": pct(d["turned_over"], d["hot"]),
        "accepted_of_turned_over_pct": pct(d["accepted"], d["turned_over"]),
        "cold_per_turned_over": _ratio(d["cold"], d["turned_over"]),
        "cold_per_accepted": _ratio(d["cold"], d["accepted"]),
    }


def conversion_by(s: Session, period: Period, monthly_too: bool) -> list[dict[str, Any]]:
    """The stage cohort per campaign (and per month the leads were created, in the
    report's zone)."""
    stages = (*STAGES, ("accepted", (D.ACCEPTED,)))
    keys = [Campaign.name.label("campaign")]
    if monthly_too:
        keys.append(q.local_month(Lead.created_at, period.tz, q.dialect(s)).label("month"))
    stmt = (select(*keys, func.count(), *(_reached(t) for _, t in stages))
            .join(Campaign, Campaign.id == Lead.campaign_id)
            .where(*period.new_leads())
            .group_by(*keys).order_by(*keys))
    out = []
    for row in s.execute(stmt):
        k = len(keys)
        d: dict[str, Any] = {"campaign": row[0]}
        if monthly_too:
            d["month"] = row[1]
        d["cold"] = int(row[k])
        d.update({name: int(row[k + 1 + i]) for i, (name, _) in enumerate(stages)})
        out.append(conversion_rates(d))
    return out


def compute(s: Session, period: Period, now: datetime | None = None) -> dict[str, Any]:
    q.install(s)
    return {
        "designations": designation_counts(s),
        "monthly": monthly(s, period),
        "open_age": open_age(s, now or clock.now()),
        "campaigns": per_campaign(s, period),
        "conversion": conversion(s, period),
        "conversion_by_campaign": conversion_by(s, period, monthly_too=False),
        "conversion_by_campaign_month": conversion_by(s, period, monthly_too=True),
    }


def funnel_report(db: Database, period: Period, by: str | None = None) -> Report:
    from qualdesk.services.reports.sla import check_group

    check_group(by, ("campaign",))  # the funnel is always shown per campaign as well
    with db.session(write=False) as s:
        data = compute(s, period)
    t_des = Table("Designations now", ("designation", "leads"),
                  tuple(data["designations"].items()),
                  Chart("designation", ("leads",), "bar", "Leads per designation now"),
                  coded=("designation",))
    mcols = ("month", "hand_raises", "hand_raises_change", "turned_over", "turned_over_change",
             "accepted", "accepted_change")
    t_month = Table("Month over month", mcols,
                    tuple(tuple(r[c] for c in mcols) for r in data["monthly"]),
                    Chart("month", ("hand_raises", "turned_over", "accepted"), "line",
                          "Hand raises, turned over and accepted, month over month",
                          empty="No hand raises or turn-overs in this period"))
    t_age = Table("Age of open leads (since last hand raise)", ("age", "leads"),
                  tuple(data["open_age"].items()), Chart("age", ("leads",), "bar", "Open leads by age"),
                  coded=("age",))
    ccols = ("campaign", "hand_raises", "turned_over", "accepted", "won")
    t_camp = Table("Outcomes per campaign", ccols,
                   tuple(tuple(r[c] for c in ccols) for r in data["campaigns"]),
                   Chart("campaign", ccols[1:], "bar", "Outcomes per campaign"))
    t_conv = Table("Stage conversion", ("stage", "leads", "from_previous_pct"),
                   tuple((r["stage"], r["leads"], r["from_previous_pct"]) for r in data["conversion"]),
                   Chart("stage", ("leads",), "bar", "Leads reaching each stage"), coded=("stage",))
    rate_cols = ("warm_pct", "hot_of_warm_pct", "turned_over_of_hot_pct",
                 "accepted_of_turned_over_pct", "cold_per_turned_over", "cold_per_accepted")
    counts = ("cold", "warm", "hot", "turned_over", "accepted")
    kcols = ("campaign", *counts, *rate_cols)
    t_kconv = Table("Conversion per campaign", kcols,
                    tuple(tuple(r[c] for c in kcols) for r in data["conversion_by_campaign"]),
                    Chart("campaign", rate_cols[:4], "bar",
                          "Conversion between designations per campaign (leads created in the period)",
                          percent=True, empty="No new leads in this period"))
    mkcols = ("campaign", "month", *counts, *rate_cols)
    t_mconv = Table("Conversion per campaign and month", mkcols,
                    tuple(tuple(r[c] for c in mkcols) for r in data["conversion_by_campaign_month"]))
    return Report("funnel", "Funnel", period,
                  (t_camp, t_conv, t_kconv, t_mconv, t_des, t_month, t_age), data, by)
