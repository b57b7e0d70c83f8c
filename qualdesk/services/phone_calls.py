"""Calls through the app's phone: who may be dialled now, where the call goes, and the
attempt it leaves (real start, answer and end times and the SIP final code).

The refusals are the cockpit's rules, checked before anything dials: a do-not-call lead,
a lead without a valid number, a lead outside its calling window (every one of its time
zones, ``domain.calling_window``). Recording goes through ``calls.log_disposition_in``,
the one "log a disposition with its note" use case, and adds what only a real call knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Lead
from qualdesk.domain import designation as dz
from qualdesk.domain.calling_window import CallingWindow, outside_window
from qualdesk.errors import InvalidInput, NotAllowed
from qualdesk.services import team_settings
from qualdesk.services.calls import LoggedCall, log_disposition_in, resolve_disposition
from qualdesk.services.leads import get_lead
from qualdesk.services.users import user_by_name


@dataclass(frozen=True)
class DialTarget:
    lead_id: int
    rep_name: str
    rep_id: int
    phone: str
    uri: str | None  # None: no ``sip.dial_uri``, click-to-dial only
    campaign_id: int | None
    ring_timeout: int


def refusal(lead: Lead, cfg: dict[str, object], now: datetime) -> str | None:
    """Why this lead may not be dialled now, or None."""
    if lead.do_not_call or lead.designation == dz.Designation.DO_NOT_CALL:
        return f"lead {lead.id} is do-not-call: it is never dialled"
    if not lead.phone:
        return (f"lead {lead.id} has no valid phone number: correct it on the contact card "
                "(Edit…, Ctrl+Shift+E) or send an email-only follow-up (F6)")
    window = CallingWindow(time.fromisoformat(str(cfg["calling.window_start"])),
                           time.fromisoformat(str(cfg["calling.window_end"])))
    why = outside_window(list(lead.time_zones or []), now, window, str(cfg["team.timezone"]))
    if why:
        return f"lead {lead.id} may not be called now: {why}"
    return None


def dial_uri(template: str, e164: str) -> str:
    return template.replace("{e164}", e164)


def prepare_dial(db: Database, lead_id: int, rep_name: str, *, now: datetime | None = None,
                 need_uri: bool = True) -> DialTarget:
    """Check the lead may be dialled now and say where the call goes; raises NotAllowed
    (before anything dials) with the reason."""
    with db.session(write=False) as s:
        lead = get_lead(s, lead_id)
        rep = user_by_name(s, rep_name)
        cfg = team_settings.snapshot(s)
        why = refusal(lead, cfg, now or clock.now())
        if why:
            raise NotAllowed(why)
        template = str(cfg.get("sip.dial_uri") or "")
        if need_uri and not template:
            raise InvalidInput("no phone line is set up for the team yet: ask your team lead "
                               "or admin to connect QualDesk to the phone system",
                               cli="qualdesk config set sip.dial_uri "
                                   "'sip:{e164}@trunk.example.com'")
        assert lead.phone is not None
        return DialTarget(lead.id, rep.name, rep.id, lead.phone,
                          dial_uri(template, lead.phone) if template else None,
                          lead.campaign_id, int(cfg.get("phone.ring_timeout") or 25))


def record_call(
    db: Database, lead_id: int, rep_name: str, disposition: str, *, started_at: datetime,
    ended_at: datetime, answered_at: datetime | None, sip_code: int | None,
    notes: str | None = None, note_id: int | None = None, callback_at: datetime | None = None,
    callback_scope: str = "mine", callback_note: str | None = None,
    idempotency_key: str | None = None,
) -> LoggedCall:
    """Log the disposition of a real call with its real times and SIP code, in one
    transaction (the attempt, its note, its callback, its designation)."""
    with db.session() as s:
        lead = get_lead(s, lead_id)
        rep = user_by_name(s, rep_name)
        code = resolve_disposition(s, disposition)
        logged = log_disposition_in(
            s, lead, rep, code, started_at=started_at, ended_at=ended_at, notes=notes,
            note_id=note_id, callback_at=callback_at, callback_scope=callback_scope,
            callback_note=callback_note, idempotency_key=idempotency_key)
        _stamp(s, logged.attempt_id, answered_at, sip_code)
        return logged


def _stamp(s: Session, attempt_id: int, answered_at: datetime | None, sip_code: int | None) -> None:
    a = s.get(Attempt, attempt_id)
    if a is not None:
        a.answered_at = answered_at
        a.sip_code = sip_code
        a.source = "phone"


def stamp_call(db: Database, lead_id: int, rep_name: str, started_at: datetime,
               answered_at: datetime | None, ended_at: datetime | None,
               sip_code: int | None) -> int | None:
    """The cockpit logged the call through the lead panel's use case: put what only the
    phone knows (answer and real end times, SIP code) on that attempt. None when it is
    not in the database (it went to the offline outbox)."""
    from datetime import timedelta

    from sqlalchemy import select

    with db.session() as s:
        rep = user_by_name(s, rep_name)
        a = s.scalar(select(Attempt).where(
            Attempt.lead_id == lead_id, Attempt.rep_id == rep.id,
            Attempt.started_at >= started_at - timedelta(seconds=1),
            Attempt.started_at <= started_at + timedelta(seconds=1)).order_by(Attempt.id.desc()))
        if a is None:
            return None
        _stamp(s, a.id, answered_at, sip_code)
        if ended_at is not None:
            a.ended_at = ended_at
        return a.id
