"""A lead's digital body language: recording activity, judging it by the team's rules,
and reading it back newest first (``qualdesk activity LEAD``, the lead panel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import HandRaise, Lead, LeadActivity
from qualdesk.domain import hand_raise_rules as hr_rules
from qualdesk.domain.hand_raise_rules import Activity, HandRaiseRules
from qualdesk.errors import NotFound
from qualdesk.services.intake.live.events import ActivityIn


@dataclass(frozen=True)
class ActivityRecord:
    kind: str
    at: datetime
    source: str | None
    details: dict[str, Any]
    raised_hand: str | None = None  # which rule raised a hand ("key page /pricing*"), or None
    hand_raise: str | None = None  # the hand raise's kind, when one was raised

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": self.at, "source": self.source,
                "details": self.details, "raised_hand": self.raised_hand,
                "hand_raise": self.hand_raise}


def _points(details: dict[str, Any], key: str) -> int | None:
    v = details.get(key)
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lstrip("-").isdigit():
        return int(v)
    return None


def as_rule_input(kind: str, at: datetime, details: dict[str, Any],
                  raised: str | None = None) -> Activity:
    url = details.get("url")
    new = _points(details, "new_points")
    if new is None:
        new = _points(details, "points")
    return Activity(kind, at, url if isinstance(url, str) else None,
                    _points(details, "old_points"), new, raised)


def record(s: Session, lead_id: int, act: ActivityIn, source: str, rules: HandRaiseRules,
           campaign: str | None, *, hand_raise_id: int | None = None, rule: str | None = None,
           ctx: Any = None) -> int | None:
    """Keep the activity; when the team's rules make it a hand raise, add that hand
    raise (through ``one_lead``) and return its id."""
    from qualdesk.services.intake.live.one_lead import find_or_create_lead

    row = LeadActivity(lead_id=lead_id, kind=act.kind, at=act.at, source=source,
                       details=act.details, hand_raise_id=hand_raise_id, rule=rule,
                       created_at=clock.now())
    if hand_raise_id is None:
        hit = hr_rules.judge(as_rule_input(act.kind, act.at, act.details),
                             _history(s, lead_id, act.at, rules), rules)
        if hit is not None:
            details = {"rule": hit.rule, "activity": act.kind, **act.details}
            _, _, new_id = find_or_create_lead(
                s, {}, hand_raise=(hit.kind, act.at, details), source=source,
                campaign=campaign, by_id=None, known_lead_id=lead_id, ctx=ctx)
            if new_id is not None:
                row.hand_raise_id, row.rule = new_id, hit.rule
    s.add(row)
    s.flush()
    return row.hand_raise_id if row.rule and hand_raise_id is None else None


def record_hand_raise(s: Session, lead_id: int, hand_raise_id: int,
                      hand_raise: tuple[str, datetime, Any], source: str) -> None:
    """A hand raise the sender sent as such: on the timeline too, saying so."""
    kind, at, details = hand_raise
    s.add(LeadActivity(lead_id=lead_id, kind="hand_raise", at=at, source=source,
                       details={"kind": kind, **({"details": details} if details else {})},
                       hand_raise_id=hand_raise_id, rule=f"{kind} sent by {source}",
                       created_at=clock.now()))


def _history(s: Session, lead_id: int, at: datetime, rules: HandRaiseRules) -> list[Activity]:
    since = at - timedelta(days=max(rules.opens_days, 1))
    q = (select(LeadActivity.kind, LeadActivity.at, LeadActivity.details, HandRaise.kind)
         .outerjoin(HandRaise, HandRaise.id == LeadActivity.hand_raise_id)
         .where(LeadActivity.lead_id == lead_id, LeadActivity.at > since,
                LeadActivity.at <= at))
    return [as_rule_input(k, a, d or {}, raised) for k, a, d, raised in s.execute(q)]


def lead_activity(db: Database, lead_id: int, limit: int = 500) -> list[ActivityRecord]:
    """Newest first: everything that arrived for the lead, and the hand raises that
    came another way (an import, the phone), so the timeline is whole."""
    with db.session(write=False) as s:
        if s.get(Lead, lead_id) is None:
            raise NotFound(f"no lead with id {lead_id}")
        rows = s.execute(
            select(LeadActivity, HandRaise.kind)
            .outerjoin(HandRaise, HandRaise.id == LeadActivity.hand_raise_id)
            .where(LeadActivity.lead_id == lead_id)
            .order_by(LeadActivity.at.desc(), LeadActivity.id.desc()).limit(limit)).all()
        out = [ActivityRecord(a.kind, a.at, a.source, dict(a.details or {}), a.rule, kind)
               for a, kind in rows]
        linked = select(LeadActivity.hand_raise_id).where(
            LeadActivity.lead_id == lead_id, LeadActivity.hand_raise_id.is_not(None))
        for hr in s.scalars(select(HandRaise).where(HandRaise.lead_id == lead_id,
                                                    HandRaise.id.not_in(linked))):
            details: dict[str, Any] = {"kind": hr.kind}
            if hr.details:
                details["details"] = hr.details
            out.append(ActivityRecord("hand_raise", hr.raised_at, hr.source, details,
                                      hr.kind, hr.kind))
    out.sort(key=lambda r: r.at, reverse=True)
    return out[:limit]
