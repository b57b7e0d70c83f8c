"""``qualdesk demo``: a realistic team, campaigns and ~70 leads, built by the project's own
services, with every time relative to ``clock.now()`` so the queue looks alive whenever it
is loaded.

Idempotent: people, campaigns and leads already present (by name / email) are left alone,
so a second run adds nothing and says so. Seed data lives in ``resources/demo/``; leads go
through the same intake code as ``qualdesk import leads``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, Lead, Setting, User
from qualdesk.paths import resources_dir
from qualdesk.services.demo_scenarios import play_scenarios
from qualdesk.services.intake.csv_source import Table
from qualdesk.services.intake.import_leads import LeadImportOptions, import_leads
from qualdesk.services.users import add_user

DEMO_TZ = "America/New_York"
# Columns of resources/demo/leads.csv that are not lead fields: turned into
# hand_raised_at (minutes_ago) or used to play the lead's history (scenario).
_EXTRA = ("minutes_ago", "scenario")


@dataclass(frozen=True)
class DemoResult:
    users_added: int
    campaigns_added: int
    leads_added: int
    timezone_set: bool

    @property
    def nothing_added(self) -> bool:
        return not (self.users_added or self.campaigns_added or self.leads_added
                    or self.timezone_set)

    def message(self) -> str:
        if self.nothing_added:
            return "demo data already loaded; nothing added"
        return (f"demo data loaded: {self.users_added} user(s), {self.campaigns_added} "
                f"campaign(s), {self.leads_added} lead(s) added")

    def as_dict(self) -> dict[str, Any]:
        return {"users_added": self.users_added, "campaigns_added": self.campaigns_added,
                "leads_added": self.leads_added, "timezone_set": self.timezone_set,
                "already_loaded": self.nothing_added, "message": self.message()}


def _team() -> dict[str, Any]:
    return json.loads((resources_dir() / "demo" / "team.json").read_text(encoding="utf-8"))


def _lead_rows() -> list[dict[str, str]]:
    with (resources_dir() / "demo" / "leads.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_demo(db: Database) -> DemoResult:
    team = _team()
    tz_set = _ensure_timezone(db)
    users_added = _ensure_users(db, team["users"])
    campaigns_added = _ensure_campaigns(db, team["campaigns"])
    rows = _new_lead_rows(db, _lead_rows())
    leads_added = 0
    if rows:
        now = clock.now()
        table = _as_table(rows, now)
        result = import_leads(db, table, LeadImportOptions(source="demo", default_region="US"))
        if not result.applied:  # the shipped file is ours: a problem here is a bug
            raise RuntimeError(f"demo leads refused: {result.rejected[:3]}")
        leads_added = result.imported
        ids = _ids_by_email(db, [r["email"] for r in rows])
        play_scenarios(db, [(ids[r["email"].lower()], r["scenario"]) for r in rows], now)
    return DemoResult(users_added, campaigns_added, leads_added, tz_set)


def _ensure_timezone(db: Database) -> bool:
    with db.session() as s:
        if s.get(Setting, "team.timezone") is not None:
            return False
        s.add(Setting(key="team.timezone", value=DEMO_TZ))
        return True


def _ensure_users(db: Database, users: list[dict[str, Any]]) -> int:
    with db.session(write=False) as s:
        have = {n.lower() for n in s.scalars(select(User.name))}
    added = 0
    for u in users:
        if u["name"].lower() not in have:
            add_user(db, u["name"], u["role"], email=u.get("email"), phone=u.get("phone"))
            added += 1
    return added


def _ensure_campaigns(db: Database, campaigns: list[dict[str, Any]]) -> int:
    added = 0
    with db.session() as s:
        have = {n.lower() for n in s.scalars(select(Campaign.name))}
        for c in campaigns:
            if c["name"].lower() in have:
                continue
            s.add(Campaign(name=c["name"], script=c["script"], templates=c["templates"],
                           lead_source=c.get("lead_source"), created_at=clock.now()))
            added += 1
    return added


def _new_lead_rows(db: Database, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    with db.session(write=False) as s:
        have = set(s.scalars(select(Lead.email_norm).where(
            Lead.email_norm.in_([r["email"].lower() for r in rows]))))
    return [r for r in rows if r["email"].lower() not in have]


def _as_table(rows: list[dict[str, str]], now: datetime) -> Table:
    headers = [h for h in rows[0] if h not in _EXTRA] + ["hand_raised_at"]
    cells = []
    for r in rows:
        at = ""
        if r["minutes_ago"]:
            at = (now - timedelta(minutes=int(r["minutes_ago"]))).isoformat()
        cells.append(tuple(r[h] for h in headers[:-1]) + (at,))
    return Table(tuple(headers), tuple(cells), tuple(range(2, len(cells) + 2)), "utf-8", ",",
                 "demo/leads.csv")


def _ids_by_email(db: Database, emails: list[str]) -> dict[str, int]:
    with db.session(write=False) as s:
        q = select(Lead.email_norm, func.min(Lead.id)).where(
            Lead.email_norm.in_([e.lower() for e in emails])).group_by(Lead.email_norm)
        return {e: i for e, i in s.execute(q)}
