"""The histories of the demo leads: calls, voicemails, sent emails, callbacks, hot leads,
turn-overs and incubation, all written through the services a rep's actions use."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, Email, HandRaise, Lead, User
from qualdesk.domain.calling_window import CallingWindow, outside_window
from qualdesk.domain.designation import Designation
from qualdesk.services.calls import record_attempt, schedule_callback_in
from qualdesk.services.designations import move
from qualdesk.services.hand_raises import stamp_email
from qualdesk.services.incubation import incubate_in
from qualdesk.services.turnover import turn_over

REPS = ("Alex Rivera", "Bea Novak", "Chen Wu", "Dana Okafor")
SALES_OWNER = "Sam Porter"
SOURCE = "demo"
_WORKED = frozenset({"followed", "callback", "hot", "turned_over", "incubating"})


def play_scenarios(db: Database, leads: Sequence[tuple[int, str]], now: datetime) -> None:
    turn_overs: list[tuple[int, str]] = []
    with db.session() as s:
        reps = [u for u in s.scalars(select(User).where(User.name.in_(REPS)))]
        reps.sort(key=lambda u: REPS.index(u.name))
        counts: dict[str, int] = {}
        worked = 0
        for lead_id, scenario in leads:
            k = counts.get(scenario, 0)
            counts[scenario] = k + 1
            if scenario not in _WORKED and not (scenario == "breached" and k % 2 == 1):
                continue  # untouched: unowned, in every rep's queue
            lead = s.get(Lead, lead_id)
            assert lead is not None
            rep = reps[worked % len(reps)]
            worked += 1
            story = _Story(s, lead, rep, now)
            if scenario == "followed":
                story.followed(late=(k % 3 == 2))
            elif scenario == "breached" and k % 2 == 1:
                story.call("no_answer", 35)
            elif scenario == "callback":
                story.callback(k)
            elif scenario == "hot":
                story.hot()
            elif scenario == "turned_over":
                story.hot()
                turn_overs.append((lead_id, rep.name))
            elif scenario == "incubating":
                story.incubating()
    for lead_id, rep_name in turn_overs:
        turn_over(db, lead_id, SALES_OWNER, by=rep_name,
                  override="Demo data: BANT confirmed on the first call",
                  note="Budget approved for Q1; VP Sales is the decision maker; wants a "
                       "pilot with 10 seats.")


class _Story:
    def __init__(self, s: Session, lead: Lead, rep: User, now: datetime) -> None:
        self.s, self.lead, self.rep, self.now = s, lead, rep, now
        self.raised = s.scalar(select(HandRaise.raised_at).where(HandRaise.lead_id == lead.id)
                               .order_by(HandRaise.raised_at.desc()).limit(1)) or now
        lead.owner_id = rep.id

    def at(self, minutes: float) -> datetime:
        return min(self.raised + timedelta(minutes=minutes), self.now)

    def call(self, disposition: str, minutes: float, notes: str | None = None) -> None:
        record_attempt(self.s, self.lead, self.rep.id, disposition, started_at=self.at(minutes),
                       ended_at=self.at(minutes + 2), notes=notes, source=SOURCE)

    def email(self, minutes: float, subject: str) -> None:
        sent = self.at(minutes)
        camp = self.s.get(Campaign, self.lead.campaign_id)
        n = len(self.s.scalars(select(Email.id).where(Email.lead_id == self.lead.id)).all())
        self.s.add(Email(
            lead_id=self.lead.id, rep_id=self.rep.id, template=camp.templates if camp else None,
            to_addr=self.lead.email or "", from_addr=self.rep.email, reply_to=self.rep.email,
            subject=subject, body_text=f"Hi {self.lead.first_name},\n\nI just tried to reach "
            f"you by phone about your request.\n\n{self.rep.name}",
            message_id=f"<demo-{self.lead.id}-{n}@qualdesk.invalid>", status="sent", tries=1,
            created_at=sent, sent_at=sent, source=SOURCE))
        self.s.flush()
        stamp_email(self.s, self.lead.id, sent)

    def followed(self, late: bool) -> None:
        """Two live tries, then the voicemail + email follow-up (late for some)."""
        first, vm = (45, 80) if late else (6, 24)
        self.call("no_answer", first)
        self.call("left_voicemail", vm, "Left voicemail with my direct line")
        self.email(vm + 1, "Following up on your request")

    def callback(self, k: int) -> None:
        self.call("connected", 12, "In a meeting; asked to be called back")
        self.email(14, "As promised: a few times to talk")
        # Two already due, one soon, one later today — each at a time the lead could
        # really have asked for: inside the calling window in the lead's zone, else the
        # next morning at 08:30 their time.
        due = self.now + timedelta(minutes=(-10, -3, 30, 180)[k % 4])
        zones = list(self.lead.time_zones or [])
        if zones and outside_window(zones, due, CallingWindow(), "UTC"):
            local = due.astimezone(ZoneInfo(zones[0]))
            morning = local.replace(hour=8, minute=30, second=0, microsecond=0)
            due = (morning if morning > local else morning + timedelta(days=1)).astimezone(UTC)
        schedule_callback_in(self.s, self.lead, self.rep.id, due, "mine",
                             "Asked to be called back at this time")

    def hot(self) -> None:
        self.call("connected", 9, "Good conversation: evaluating options this quarter")
        self.email(11, "Great speaking with you")
        move(self.s, self.lead, Designation.HOT, self.rep.id, "in dialog: evaluating")

    def incubating(self) -> None:
        self.call("connected", 20, "Interested, but budget is frozen until next quarter")
        self.email(22, "Thanks for your time today")
        incubate_in(self.s, self.lead, self.now - timedelta(hours=2),
                    "Budget frozen until next quarter", self.rep.id)
