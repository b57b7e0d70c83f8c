"""The closed loop of one lead: when it raised its hand, was first touched, followed up,
turned over, judged by sales, and won or lost.

Per-lead times only; the aggregate closed-loop report is built elsewhere from the same
tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import (
    Attempt,
    DesignationChange,
    FollowUp,
    HandRaise,
    Opportunity,
    TurnOver,
)
from qualdesk.domain import follow_up
from qualdesk.services.leads import get_lead


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str  # hand_raise, first_touch, follow_up, turn_over, verdict, outcome, designation
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "kind": self.kind, "detail": self.detail}


@dataclass(frozen=True)
class LeadTimeline:
    lead_id: int
    designation: str
    hand_raised_at: datetime | None  # the first hand raise
    first_touch_at: datetime | None  # the first call attempt
    followed_up_at: datetime | None  # the first follow-up (call and email both done)
    turned_over_at: datetime | None  # the latest turn-over
    verdict: str | None
    verdict_at: datetime | None
    outcome: str | None
    outcome_at: datetime | None
    opportunity_weighting: int | None
    marketing_generated: bool
    events: tuple[TimelineEvent, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        def iso(v: datetime | None) -> str | None:
            return v.isoformat() if v else None

        return {
            "lead": self.lead_id, "designation": self.designation,
            "hand_raised_at": iso(self.hand_raised_at), "first_touch_at": iso(self.first_touch_at),
            "followed_up_at": iso(self.followed_up_at), "turned_over_at": iso(self.turned_over_at),
            "verdict": self.verdict, "verdict_at": iso(self.verdict_at),
            "outcome": self.outcome, "outcome_at": iso(self.outcome_at),
            "opportunity_weighting": self.opportunity_weighting,
            "marketing_generated": self.marketing_generated,
            "events": [e.as_dict() for e in self.events],
        }


def lead_timeline(db: Database, lead_id: int) -> LeadTimeline:
    with db.session(write=False) as s:
        lead = get_lead(s, lead_id)
        events: list[TimelineEvent] = []
        hrs = list(s.scalars(select(HandRaise).where(HandRaise.lead_id == lead_id)
                             .order_by(HandRaise.raised_at)))
        for h in hrs:
            events.append(TimelineEvent(h.raised_at, "hand_raise", h.kind))
        first_touch = s.scalar(select(func.min(Attempt.started_at))
                               .where(Attempt.lead_id == lead_id))
        if first_touch is not None:
            events.append(TimelineEvent(first_touch, "first_touch", "first call attempt"))
        # A follow-up is the call + email pair on a hand raise (or the one-click combo).
        followed = [f for h in hrs
                    if (f := follow_up.followed_up_at(h.first_call_at, h.first_email_at))]
        combo = s.scalar(select(func.min(FollowUp.at)).where(FollowUp.lead_id == lead_id))
        candidates = followed + ([combo] if combo is not None else [])
        followed_up = min(candidates) if candidates else None
        if followed_up is not None:
            events.append(TimelineEvent(followed_up, "follow_up", "call and email done"))
        turnovers = list(s.scalars(select(TurnOver).where(TurnOver.lead_id == lead_id)
                                   .order_by(TurnOver.id)))
        for t in turnovers:
            events.append(TimelineEvent(t.at, "turn_over", f"to {t.to_owner}"))
            if t.verdict and t.verdict_at:
                events.append(TimelineEvent(t.verdict_at, "verdict",
                                            t.verdict + (f": {t.verdict_reason}"
                                                         if t.verdict_reason else "")))
            if t.outcome and t.outcome_at:
                events.append(TimelineEvent(t.outcome_at, "outcome", t.outcome))
        for c in s.scalars(select(DesignationChange).where(DesignationChange.lead_id == lead_id)):
            events.append(TimelineEvent(c.at, "designation",
                                        f"{c.from_designation} -> {c.to_designation}"))
        last = turnovers[-1] if turnovers else None
        opp = s.scalar(select(Opportunity).where(Opportunity.lead_id == lead_id)
                       .order_by(Opportunity.id.desc()).limit(1))
        events.sort(key=lambda e: (e.at, e.kind))
        return LeadTimeline(
            lead_id=lead.id, designation=lead.designation,
            hand_raised_at=hrs[0].raised_at if hrs else None, first_touch_at=first_touch,
            followed_up_at=followed_up, turned_over_at=last.at if last else None,
            # Times of the latest turn-over: earlier rounds are in ``events``.
            verdict=last.verdict if last else None,
            verdict_at=last.verdict_at if last else None,
            outcome=last.outcome if last else None,
            outcome_at=last.outcome_at if last else None,
            opportunity_weighting=opp.weighting if opp else None,
            marketing_generated=bool(opp.marketing_generated) if opp else False,
            events=tuple(events),
        )
