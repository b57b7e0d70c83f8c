"""Applying a rep's changes to the shared database, live or from the outbox, exactly once.

The same ``apply`` serves the live path and the replay, so a change whose commit was
lost with the connection (the server committed, the client never heard) is recognised
on replay by its idempotency key: calls carry it on ``Attempt.idempotency_key``;
follow-ups carry it on the voicemail's attempt, written with the email; notes, callbacks
and e-mail-only follow-ups keep it in ``write_keys`` (``services.retry_keys``), written
in the same transaction as the change itself. (Outboxes replayed before 0010 left an
``offline_replay`` audit entry instead: it is still recognised.)

Conflict rule (stated once, shown to the rep, never silent): a change made while the
lead was reassigned to someone else is still recorded — a call did happen, a note was
written — but the lead stays with its new owner, and the outcome says so. A callback
the rep promised on such a lead becomes visible to anyone (scope ``anyone``) so the new
owner sees it. A call on a lead that was closed meanwhile (turned over, disqualified...)
is recorded as history without reopening the lead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, AuditEntry, Lead, User
from qualdesk.domain import designation as dz
from qualdesk.errors import DatabaseUnavailable, KnownError, NotFound
from qualdesk.offline.outbox import APPLIED, CONFLICT, DUPLICATE, FAILED, Outbox
from qualdesk.services import retry_keys
from qualdesk.services.calls import log_disposition, schedule_callback_in
from qualdesk.services.notes import upsert_note_in
from qualdesk.services.users import user_by_name

log = logging.getLogger(__name__)

MARKER = "offline_replay"
KINDS = ("log_call", "note", "callback", "followup", "qualification", "turn_over")


@dataclass(frozen=True)
class Outcome:
    """What became of one change: applied, duplicate (already in), conflict (recorded,
    but see ``message``), failed (refused, see ``message``) or queued (still waiting)."""

    key: str
    kind: str
    lead_id: int | None
    status: str
    message: str = ""
    attempt_id: int | None = None
    # What the service returned, for a caller that shows more than the outcome (the
    # follow-up dialog: email status, the mail client's file); not part of the record.
    result: Any = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "lead": self.lead_id, "status": self.status,
                "message": self.message, "attempt": self.attempt_id}


def _when(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def _lead(s: Session, lead_id: int) -> Lead:
    lead = s.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"lead {lead_id} no longer exists")
    return lead


def _reassigned(s: Session, lead: Lead, rep: User) -> str | None:
    """The new owner's name when the lead now belongs to someone else."""
    if lead.owner_id is None or lead.owner_id == rep.id:
        return None
    owner = s.get(User, lead.owner_id)
    return owner.name if owner else f"user {lead.owner_id}"


def _marked(s: Session, lead_id: int, key: str, kind: str) -> bool:
    """Already applied: its retry key is in, or (before 0010) its audit marker."""
    if retry_keys.done(s, key, kind, lead_id) is not None:
        return True
    return s.scalar(select(AuditEntry.id).where(
        AuditEntry.lead_id == lead_id, AuditEntry.action == MARKER, AuditEntry.new == key)) is not None


def apply(db: Database, kind: str, payload: dict[str, Any], key: str) -> Outcome:
    """Apply one change. Raises ``DatabaseUnavailable`` (the caller queues or stops) and
    ``KnownError`` for a change the database refuses."""
    fn = {"log_call": _log_call, "note": _note, "callback": _callback,
          "followup": _followup, "qualification": _qualification,
          "turn_over": _turn_over}.get(kind)
    if fn is None:
        raise ValueError(f"unknown outbox kind {kind!r}")
    return fn(db, payload, key)


def _log_call(db: Database, p: dict[str, Any], key: str) -> Outcome:
    lead_id, rep_name = int(p["lead_id"]), p["rep"]
    with db.session(write=False) as s:
        prior = s.scalar(select(Attempt.id).where(Attempt.idempotency_key == key))
        if prior is not None:
            return Outcome(key, "log_call", lead_id, DUPLICATE, "already recorded", prior)
        lead, rep = _lead(s, lead_id), user_by_name(s, rep_name)
        new_owner = _reassigned(s, lead, rep)
        state = lead.designation
        closed = state not in dz.OPEN
    # One home for a disposition: the replay logs through the same use case as the lead
    # panel and ``log-call`` (its note with the notes audit, in the call's transaction).
    r = log_disposition(db, lead_id, rep_name, p["disposition"], notes=p.get("notes"),
                        note_id=p.get("note_id"),
                        started_at=_when(p.get("started_at")) or _when(p.get("queued_at")),
                        callback_at=_when(p.get("callback_at")),
                        callback_scope="anyone" if new_owner else p.get("callback_scope", "mine"),
                        callback_note=p.get("callback_note"),
                        idempotency_key=key, as_history=closed)
    if r.duplicate:
        return Outcome(key, "log_call", lead_id, DUPLICATE, "already recorded", r.attempt_id)
    if closed:
        return Outcome(key, "log_call", lead_id, CONFLICT,
                       f"lead {lead_id} became {state} while you were offline: your call "
                       f"({r.disposition}) is recorded as history; the lead is not reopened",
                       r.attempt_id)
    if new_owner:
        return Outcome(key, "log_call", lead_id, CONFLICT,
                       f"lead {lead_id} was reassigned to {new_owner} while you were offline: "
                       f"your call ({r.disposition}) is recorded, the lead stays with {new_owner}",
                       r.attempt_id)
    return Outcome(key, "log_call", lead_id, APPLIED, f"{r.disposition} recorded", r.attempt_id)


def _note(db: Database, p: dict[str, Any], key: str) -> Outcome:
    lead_id = int(p["lead_id"])
    with db.session() as s:
        if _marked(s, lead_id, key, "note"):
            return Outcome(key, "note", lead_id, DUPLICATE, "already saved")
        lead, rep = _lead(s, lead_id), user_by_name(s, p["rep"])
        at = _when(p["queued_at"])
        note = upsert_note_in(s, lead.id, rep.id, p["body"])  # with the notes audit
        if note is not None and at is not None:
            note.created_at = note.updated_at = at  # when it was written, not replayed
        retry_keys.remember(s, key, "note", lead.id, rep.id, note.id if note else None)
        new_owner = _reassigned(s, lead, rep)
    if new_owner:
        return Outcome(key, "note", lead_id, CONFLICT,
                       f"lead {lead_id} was reassigned to {new_owner} while you were offline: "
                       "your note is saved on it")
    return Outcome(key, "note", lead_id, APPLIED, "note saved")


def _callback(db: Database, p: dict[str, Any], key: str) -> Outcome:
    lead_id = int(p["lead_id"])
    with db.session() as s:
        if _marked(s, lead_id, key, "callback"):
            return Outcome(key, "callback", lead_id, DUPLICATE, "already scheduled")
        lead, rep = _lead(s, lead_id), user_by_name(s, p["rep"])
        new_owner = _reassigned(s, lead, rep)
        due = _when(p["due_at"])
        assert due is not None
        cb = schedule_callback_in(s, lead, rep.id, due,
                                  "anyone" if new_owner else p.get("scope", "mine"), p.get("note"))
        retry_keys.remember(s, key, "callback", lead.id, rep.id, cb.id)
    if new_owner:
        return Outcome(key, "callback", lead_id, CONFLICT,
                       f"lead {lead_id} was reassigned to {new_owner} while you were offline: "
                       f"the callback is kept for anyone, so {new_owner} sees it")
    return Outcome(key, "callback", lead_id, APPLIED, f"callback at {due.isoformat()}")


def _followup(db: Database, p: dict[str, Any], key: str) -> Outcome:
    """The voicemail's attempt carries the key, committed with the email: a follow-up
    whose commit was lost with the connection is found here, never sent twice. (Outboxes
    written before the key moved there hold a marker instead.)"""
    from qualdesk.services.followup import run_followup

    lead_id = int(p["lead_id"])
    with db.session(write=False) as s:
        prior = s.scalar(select(Attempt.id).where(Attempt.idempotency_key == key))
        if prior is not None or _marked(s, lead_id, key, "followup"):
            return Outcome(key, "followup", lead_id, DUPLICATE, "already done", prior)
    r = run_followup(db, lead_id, p["rep"], idempotency_key=key,
                     started_at=_when(p.get("queued_at")))
    return Outcome(key, "followup", lead_id, APPLIED,
                   f"voicemail recorded, email {r.email_status}", r.attempt_id, r)


def _known(db: Database, key: str, kind: str, lead_id: int) -> bool:
    with db.session(write=False) as s:
        return retry_keys.done(s, key, kind, lead_id) is not None


def _qualification(db: Database, p: dict[str, Any], key: str) -> Outcome:
    """A BANT save: its key is written with it, so a save whose commit was lost is found."""
    from qualdesk.domain.bant import Bant
    from qualdesk.services.qualification import save

    lead_id = int(p["lead_id"])
    if _known(db, key, "qualification", lead_id):
        return Outcome(key, "qualification", lead_id, DUPLICATE, "already saved")
    state = save(db, lead_id, p["rep"], answers=p.get("answers") or {},
                 bant=Bant.from_json(p.get("bant")), idempotency_key=key)
    return Outcome(key, "qualification", lead_id, APPLIED,
                   "Level I met" if state.status.met else "answers saved", result=state)


def _turn_over(db: Database, p: dict[str, Any], key: str) -> Outcome:
    """A turn-over: found by its key on replay, never handed to sales twice."""
    from qualdesk.services.turnover import turn_over

    lead_id = int(p["lead_id"])
    if _known(db, key, "turn_over", lead_id):
        return Outcome(key, "turn_over", lead_id, DUPLICATE, "already turned over")
    r = turn_over(db, lead_id, p["to"], by=p.get("rep"), override=p.get("override"),
                  note=p.get("note"), idempotency_key=key)
    return Outcome(key, "turn_over", lead_id, APPLIED, f"turned over to {r.to_owner}", result=r)


def replay(db: Database, outbox: Outbox) -> list[Outcome]:
    """Apply the waiting changes in the order they were made; stop (keeping the rest) as
    soon as the database is unreachable again. A change the database refuses is marked
    failed with the reason, so it is shown and never blocks the ones after it."""
    outcomes: list[Outcome] = []
    for item in outbox.pending():
        try:
            o = apply(db, item.kind, item.payload, item.key)
        except DatabaseUnavailable:
            break
        except retry_keys.KeyTaken as exc:  # another replay of it won the race: it is in
            o = Outcome(item.key, item.kind, item.lead_id, DUPLICATE, str(exc))
        except KnownError as exc:
            o = Outcome(item.key, item.kind, item.lead_id, FAILED, str(exc))
        outbox.mark(item.id, o.status, o.message)
        outcomes.append(o)
    return outcomes
