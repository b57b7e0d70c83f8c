"""Logging a call attempt with its disposition, notes and callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Callback, DesignationChange, Disposition, Lead, Note, User
from qualdesk.domain import designation as dz
from qualdesk.domain.codes import normalise_code
from qualdesk.domain.records import Changes
from qualdesk.errors import InvalidInput, NotAllowed
from qualdesk.services import audit, retry_keys
from qualdesk.services.hand_raises import stamp_call
from qualdesk.services.holds import check_not_held_by_other, holder_of
from qualdesk.services.leads import get_lead
from qualdesk.services.notes import upsert_note_in
from qualdesk.services.users import user_by_name


@dataclass(frozen=True)
class LoggedCall:
    attempt_id: int
    lead_id: int
    disposition: str
    designation: str
    callback_id: int | None
    duplicate: bool = False
    as_history: bool = False  # the lead was closed: recorded, the designation untouched

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


# Dispositions that say a call reached (or tried to reach) the lead's phone: refused on
# a lead with no valid number, where they could only be a slip of a key. Wrong / bad
# number and a do-not-call request (it may come by email) describe the lead, not a call.
NEEDS_A_CALL = frozenset({"connected", "no_answer", "busy", "left_voicemail", "callback",
                          "not_interested"})

# A call that ended this recently is still "the call just made": the rep may log it after
# turning the lead over (or after anything else that closed it) from the lead on screen.
JUST_ENDED = timedelta(minutes=15)


def record_attempt(
    s: Session, lead: Lead, rep_id: int | None, disposition: str, *,
    started_at: datetime, ended_at: datetime | None = None, notes: str | None = None,
    source: str = "app", idempotency_key: str | None = None, as_history: bool = False,
) -> Attempt:
    """Write one attempt, stamp first touches, apply what the disposition implies.

    ``as_history``: the lead was closed meanwhile (turned over during the call, or while
    the rep was offline): the call is recorded and counts as a touch, but the lead's
    designation stays where it is (nothing reopens it).
    """
    a = Attempt(lead_id=lead.id, rep_id=rep_id, started_at=started_at,
                ended_at=ended_at or started_at, disposition=disposition, notes=notes,
                source=source, idempotency_key=idempotency_key)
    s.add(a)
    s.flush()
    stamp_call(s, lead.id, started_at, rep_id)
    mark_callbacks_done(s, lead.id, started_at)
    if notes:  # log_disposition writes its note through the notes service instead
        s.add(Note(lead_id=lead.id, author_id=rep_id, attempt_id=a.id, body=notes,
                   created_at=clock.now(), updated_at=clock.now()))
    from qualdesk.services.designations import move

    if disposition == "dnc_request":
        if dz.Designation.DO_NOT_CALL in dz.TRANSITIONS[dz.Designation(lead.designation)]:
            move(s, lead, dz.Designation.DO_NOT_CALL, rep_id, "do-not-call request on a call")
        elif not as_history:
            dz.check_move(dz.Designation(lead.designation), dz.Designation.DO_NOT_CALL)
        lead.do_not_call = True  # whatever the designation, the number is never dialled again
    elif disposition == "connected" and lead.designation == dz.Designation.COLD and not as_history:
        move(s, lead, dz.Designation.WARM, rep_id, "connected")
    # A disposition ends the claim: the lead goes back to the queue rules.
    if lead.claimed_by_id == rep_id:
        lead.claimed_by_id = None
        lead.lease_expires_at = None
    lead.updated_at = clock.now()
    audit.record(s, lead.id, rep_id, "attempt", "disposition", None, disposition)
    return a


def has_callable_number(s: Session, lead: Lead) -> bool:
    """A number worth a voicemail: the lead has one, and no call found it dead (wrong or
    bad number) since it was last corrected, as the queue judges it ("no valid phone:
    email only"; ``candidates.dead_attempt``)."""
    from qualdesk.services.candidates import dead_attempt

    if not lead.phone:
        return False
    dead = s.scalar(select(Attempt.id).where(Attempt.lead_id == lead.id, dead_attempt())
                    .limit(1))
    return dead is None


def closed_during_call(s: Session, lead: Lead, started_at: datetime) -> bool:
    """The lead left the qualifying team's designations during this call or just after it
    (the rep turned it over while talking): the call is still the rep's to log."""
    since = min(started_at, clock.now() - JUST_ENDED)
    left = s.scalar(select(DesignationChange.id).where(
        DesignationChange.lead_id == lead.id, DesignationChange.at >= since,
        DesignationChange.to_designation.not_in([d.value for d in dz.OPEN])).limit(1))
    return left is not None


def log_disposition_in(
    s: Session, lead: Lead, rep: User, code: str, *, started_at: datetime,
    ended_at: datetime | None = None, notes: str | None = None, note_id: int | None = None,
    callback_at: datetime | None = None, callback_scope: str = "mine",
    callback_note: str | None = None, idempotency_key: str | None = None,
    as_history: bool = False, override_by: str | None = None,
) -> LoggedCall:
    """Log a disposition with its note, in the caller's transaction: the attempt, the note
    (the one typed during the call, with the notes audit, attached to the attempt), the
    callback it promises, the designation it implies. Every path that logs a call (the
    lead panel, ``log-call``, the outbox replay) comes here.

    Checks (refusals) come first, before anything is written; a claim or ownership check
    of another service belongs here too, before ``record_attempt``.
    """
    closed = lead.designation not in dz.OPEN
    if closed and not as_history and code != "dnc_request":
        if not closed_during_call(s, lead, started_at):
            label = dz.LABELS[dz.Designation(lead.designation)].lower()
            raise NotAllowed(f"this lead is {label}: the qualifying team no longer works it, "
                             "so a new call cannot be logged on it")
        as_history = True
    if code in NEEDS_A_CALL and not lead.phone and not as_history:
        raise NotAllowed("this lead has no valid phone number, so no call could be made: "
                         "correct the number on the contact card, or send an email-only "
                         "follow-up (F6)")
    if code == "callback" and callback_at is None:
        raise InvalidInput("a callback needs the time the lead chose")
    check_not_held_by_other(s, lead, rep.id, override_by, what="call", at=started_at)
    # (not when another rep holds it now: a call made before their claim stays history)
    if lead.owner_id is None and not closed and holder_of(s, lead, rep.id) is None:
        lead.owner_id = rep.id
    body = (notes or "").strip()
    if callback_note:  # the callback's promise belongs with the call's notes
        body = f"{body}\nCallback: {callback_note}" if body else f"Callback: {callback_note}"
    a = record_attempt(s, lead, rep.id, code, started_at=started_at, ended_at=ended_at,
                       idempotency_key=idempotency_key, as_history=as_history)
    note = upsert_note_in(s, lead.id, rep.id, body, note_id)
    if note is not None:
        note.attempt_id = a.id
        a.notes = note.body
    cb_id = None
    if callback_at is not None:
        cb_id = schedule_callback_in(s, lead, rep.id, callback_at, callback_scope,
                                     callback_note).id
    return LoggedCall(a.id, lead.id, code, lead.designation, cb_id, as_history=as_history)


def log_disposition(
    db: Database, lead_id: int, rep_name: str, disposition: str, *,
    notes: str | None = None, note_id: int | None = None, started_at: datetime | None = None,
    ended_at: datetime | None = None, callback_at: datetime | None = None,
    callback_scope: str = "mine", callback_note: str | None = None,
    idempotency_key: str | None = None, as_history: bool = False,
    override_by: str | None = None,
) -> LoggedCall:
    """The use case "log a disposition with its note", in one transaction."""
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
        return log_disposition_in(
            s, lead, rep, code, started_at=started_at or clock.now(), ended_at=ended_at,
            notes=notes, note_id=note_id, callback_at=callback_at, callback_scope=callback_scope,
            callback_note=callback_note, idempotency_key=idempotency_key, as_history=as_history,
            override_by=override_by)


# The name the CLI and older callers know.
log_call = log_disposition


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
                      scope: str = "mine", note: str | None = None,
                      override_by: str | None = None,
                      idempotency_key: str | None = None) -> Changes:
    """``idempotency_key``: a retry finds the callback it already made (``retry_keys``)."""
    key = retry_keys.check_key(idempotency_key)
    with db.session() as s:
        lead = get_lead(s, lead_id)
        rep = user_by_name(s, rep_name)
        if retry_keys.done(s, key, "callback", lead.id) is None:
            check_not_held_by_other(s, lead, rep.id, override_by, what="callback")
            cb = schedule_callback_in(s, lead, rep.id, due_at, scope, note)
            retry_keys.remember(s, key, "callback", lead.id, rep.id, cb.id)
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
