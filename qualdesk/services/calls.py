"""Logging a call attempt with its disposition, notes and callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Callback, Disposition, Lead, Note
from qualdesk.domain import designation as dz
from qualdesk.domain.codes import normalise_code
from qualdesk.domain.records import Changes
from qualdesk.errors import InvalidInput, NotAllowed
from qualdesk.services import audit
from qualdesk.services.hand_raises import stamp_call
from qualdesk.services.leads import get_lead
from qualdesk.services.users import user_by_name


@dataclass(frozen=True)
class LoggedCall:
    attempt_id: int
    lead_id: int
    disposition: str
    designation: str
    callback_id: int | None
    duplicate: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"attempt": self.attempt_id, "lead": self.lead_id, "disposition": self.disposition,
                "designation": self.designation, "callback": self.callback_id,
                "duplicate": self.duplicate}


def resolve_disposition(s: Session, raw: str) -> str:
    code = normalise_code(raw)
    known = list(s.scalars(select(Disposition.code).order_by(Disposition.sort_order)))
    if code not in known:
        raise InvalidInput(f"unknown disposition {raw!r} (known: {', '.join(known)})")
    return code


def record_attempt(
    s: Session, lead: Lead, rep_id: int | None, disposition: str, *,
    started_at: datetime, ended_at: datetime | None = None, notes: str | None = None,
    source: str = "app", idempotency_key: str | None = None,
) -> Attempt:
    """Write one attempt, stamp first touches, apply what the disposition implies."""
    a = Attempt(lead_id=lead.id, rep_id=rep_id, started_at=started_at,
                ended_at=ended_at or started_at, disposition=disposition, notes=notes,
                source=source, idempotency_key=idempotency_key)
    s.add(a)
    s.flush()
    stamp_call(s, lead.id, started_at, rep_id)
    mark_callbacks_done(s, lead.id, started_at)
    if notes:
        s.add(Note(lead_id=lead.id, author_id=rep_id, attempt_id=a.id, body=notes,
                   created_at=clock.now(), updated_at=clock.now()))
    if disposition == "dnc_request":
        dz.check_move(dz.Designation(lead.designation), dz.Designation.DO_NOT_CALL)
        from qualdesk.services.designations import move

        move(s, lead, dz.Designation.DO_NOT_CALL, rep_id, "do-not-call request on a call")
    elif disposition == "connected" and lead.designation == dz.Designation.COLD:
        from qualdesk.services.designations import move

        move(s, lead, dz.Designation.WARM, rep_id, "connected")
    # A disposition ends the claim: the lead goes back to the queue rules.
    if lead.claimed_by_id == rep_id:
        lead.claimed_by_id = None
        lead.lease_expires_at = None
    lead.updated_at = clock.now()
    audit.record(s, lead.id, rep_id, "attempt", "disposition", None, disposition)
    return a


def log_call(
    db: Database, lead_id: int, rep_name: str, disposition: str, *,
    notes: str | None = None, started_at: datetime | None = None,
    ended_at: datetime | None = None, callback_at: datetime | None = None,
    callback_scope: str = "mine", idempotency_key: str | None = None,
) -> LoggedCall:
    now = clock.now()
    with db.session() as s:
        if idempotency_key:
            prior = s.scalar(select(Attempt).where(Attempt.idempotency_key == idempotency_key))
            if prior is not None:
                lead = s.get(Lead, prior.lead_id)
                return LoggedCall(prior.id, prior.lead_id, prior.disposition,
                                  lead.designation if lead else "", None, duplicate=True)
        lead = get_lead(s, lead_id)
        rep = user_by_name(s, rep_name)
        code = resolve_disposition(s, disposition)
        if lead.designation not in dz.OPEN and code != "dnc_request":
            raise NotAllowed(f"lead {lead_id} is {lead.designation}: it is not worked by the qualifying team")
        if code == "callback" and callback_at is None:
            raise InvalidInput("disposition 'callback' needs a callback time (--callback-at)")
        if lead.owner_id is None:
            lead.owner_id = rep.id
        a = record_attempt(s, lead, rep.id, code, started_at=started_at or now,
                           ended_at=ended_at, notes=notes, idempotency_key=idempotency_key)
        cb_id = None
        if callback_at is not None:
            cb_id = schedule_callback_in(s, lead, rep.id, callback_at, callback_scope).id
        return LoggedCall(a.id, lead.id, code, lead.designation, cb_id)


def schedule_callback_in(s: Session, lead: Lead, rep_id: int | None, due_at: datetime,
                         scope: str = "mine", note: str | None = None) -> Callback:
    if due_at.tzinfo is None:
        raise InvalidInput("a callback time needs a UTC offset or the lead's time zone")
    if scope not in ("mine", "anyone"):
        raise InvalidInput(f"callback scope must be 'mine' or 'anyone', not {scope!r}")
    for cb in s.scalars(select(Callback).where(Callback.lead_id == lead.id,
                                               Callback.done_at.is_(None))):
        cb.done_at = clock.now()  # a new promise replaces the old one
    tz = (lead.time_zones or [None])[0]
    cb = Callback(lead_id=lead.id, rep_id=rep_id, due_at=due_at, lead_tz=tz, scope=scope,
                  note=note, created_at=clock.now())
    s.add(cb)
    s.flush()
    audit.record(s, lead.id, rep_id, "callback", "due_at", None, due_at.isoformat())
    return cb


def schedule_callback(db: Database, lead_id: int, rep_name: str, due_at: datetime,
                      scope: str = "mine", note: str | None = None) -> Changes:
    with db.session() as s:
        lead = get_lead(s, lead_id)
        rep = user_by_name(s, rep_name)
        schedule_callback_in(s, lead, rep.id, due_at, scope, note)
    return Changes(leads=(lead_id,), queue=True)


def local_to_utc(naive_local: datetime, tz_name: str) -> datetime:
    """A wall-clock time the lead chose, in the lead's zone, as UTC."""
    return naive_local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(ZoneInfo("UTC"))


# A call this close before a promised time keeps the promise (reps dial a little early).
CALLBACK_EARLY = timedelta(minutes=15)


def mark_callbacks_done(s: Session, lead_id: int, call_at: datetime) -> None:
    """A call keeps the callbacks due by the time it was made, not those due later
    (an imported call from last week must not close today's promise)."""
    for cb in s.scalars(select(Callback).where(Callback.lead_id == lead_id,
                                               Callback.done_at.is_(None),
                                               Callback.due_at <= call_at + CALLBACK_EARLY,
                                               Callback.created_at <= call_at)):
        cb.done_at = clock.now()
