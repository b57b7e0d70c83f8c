"""Same-day attempts: per rep (or campaign) per day in the team's zone — attempts,
connects (dispositions marked ``is_contact``), connect rate and counts per disposition."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Campaign, Disposition, Lead, User
from qualdesk.domain.sla import pct
from qualdesk.services.reports import sqlfuncs as q
from qualdesk.services.reports.periods import Period
from qualdesk.services.reports.sla import check_group
from qualdesk.services.reports.tables import Chart, Report, Table, group_label

ALLOWED = ("rep", "campaign")


def compute(s: Session, period: Period, by: str | None = None) -> list[dict[str, Any]]:
    """One grouped query (group × day × disposition), reshaped into one row per group-day."""
    by = check_group(by, ALLOWED) or "rep"
    q.install(s)
    dia = q.dialect(s)
    day = q.local_date(Attempt.started_at, period.tz, dia).label("day")
    if by == "rep":
        key = User.name.label("grp")
        stmt = select(key, day, Attempt.disposition, Disposition.is_contact, func.count()) \
            .select_from(Attempt).outerjoin(User, User.id == Attempt.rep_id)
    else:
        key = Campaign.name.label("grp")
        stmt = select(key, day, Attempt.disposition, Disposition.is_contact, func.count()) \
            .select_from(Attempt).join(Lead, Lead.id == Attempt.lead_id) \
            .join(Campaign, Campaign.id == Lead.campaign_id)
    stmt = (stmt.outerjoin(Disposition, Disposition.code == Attempt.disposition)
            .where(*period.clause(Attempt.started_at))
            .group_by(key, day, Attempt.disposition, Disposition.is_contact))
    rows: dict[tuple[str | None, str], dict[str, Any]] = {}
    for grp, d, disp, is_contact, n in s.execute(stmt):
        k = (grp, q.as_date_text(d) or "")
        r = rows.setdefault(k, {by: grp, "day": k[1], "attempts": 0, "connects": 0,
                                "by_disposition": {}})
        r["attempts"] += int(n)
        if is_contact:
            r["connects"] += int(n)
        r["by_disposition"][disp] = r["by_disposition"].get(disp, 0) + int(n)
    out = sorted(rows.values(), key=lambda r: (r["day"], r[by] is None, str(r[by] or "")))
    for r in out:
        r["connect_rate"] = pct(r["connects"], r["attempts"])
    return out


def disposition_codes(s: Session) -> list[str]:
    return list(s.scalars(select(Disposition.code).order_by(Disposition.sort_order)))


def attempts_report(db: Database, period: Period, by: str | None = None) -> Report:
    by = check_group(by, ALLOWED) or "rep"
    with db.session(write=False) as s:
        data = compute(s, period, by)
        codes = disposition_codes(s)
        words = dict(s.execute(select(Disposition.code, Disposition.label)).all())
    extra = sorted({c for r in data for c in r["by_disposition"]} - set(codes))
    codes = codes + extra
    cols = (by, "day", "attempts", "connects", "connect_rate", *codes)
    rows = tuple(
        (group_label(r[by]), r["day"], r["attempts"], r["connects"], r["connect_rate"],
         *(r["by_disposition"].get(c, 0) for c in codes))
        for r in data
    )
    chart = Chart(x=by, ys=("attempts", "connects"), kind="bar",
                  title=f"Attempts and connects per {by}", empty="No calls in this period")
    labels = tuple((c, str(words[c])) for c in codes if words.get(c))
    table = Table(f"Attempts per {by} per day", cols, rows, chart, labels=labels)
    return Report("attempts", "Same-day attempts", period, (table,), data, by)
