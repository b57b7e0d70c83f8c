"""Emails that have not gone out: queued (the mail server unreachable, or not set up)
or failed. The queue marks their leads, the lead panel says so, and a team lead is
told how many wait and why — an email sitting unseen in the outbox is a follow-up the
SLA report counts as never done."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import Email
from qualdesk.services.outbox import FAILED, QUEUED, SENDING


@dataclass(frozen=True)
class Waiting:
    by_lead: dict[int, str]  # lead id -> the newest waiting email's reason ("" if none)
    count: int  # emails waiting, all leads
    reason: str  # the most common reason, for the team lead

    @property
    def lead_ids(self) -> frozenset[int]:
        return frozenset(self.by_lead)


def waiting_emails(db: Database) -> Waiting:
    with db.session(write=False) as s:
        rows = s.execute(select(Email.lead_id, Email.last_error)
                         .where(Email.status.in_((QUEUED, SENDING, FAILED)))
                         .order_by(Email.created_at)).all()
        common = s.execute(select(Email.last_error, func.count().label("n"))
                           .where(Email.status.in_((QUEUED, SENDING, FAILED)))
                           .group_by(Email.last_error)
                           .order_by(func.count().desc()).limit(1)).first()
    by_lead = {int(lead): err or "" for lead, err in rows}
    return Waiting(by_lead, len(rows), (common[0] or "") if common else "")
