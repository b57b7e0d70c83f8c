"""Keeping a delivery: once, whole, or not at all (refusals are kept by ``refusals``).

``receive`` runs one transaction: the source and its secret, the signature (or a
one-use test token), the events parsed, then the delivery row. Its UNIQUE (source,
sha256 of the raw body) and each json event's UNIQUE (source, event_id) are written
with ON CONFLICT DO NOTHING: a second receiver posting the same delivery at the same
moment waits for the first one's commit and then finds it there, so nothing is kept
twice however many receivers run. Every event goes through ``one_lead`` (the import's
rules) and ``activity`` (the team's hand-raise rules); any bad event refuses the
whole delivery (the transaction rolls back) with a message naming it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import (
    IntakeContact,
    IntakeDelivery,
    IntakeEventId,
    IntakeKey,
    IntakeSource,
    IntakeTestToken,
)
from qualdesk.domain.codes import normalise_code
from qualdesk.domain.hand_raise_rules import HandRaiseRules
from qualdesk.errors import InvalidInput
from qualdesk.services import audit, team_settings
from qualdesk.services.intake.live import activity, secret_box, signatures
from qualdesk.services.intake.live.events import EventError, NormalEvent, parse_json
from qualdesk.services.intake.live.mautic import parse_mautic
from qualdesk.services.intake.live.one_lead import find_or_create_lead, row_context


class Refused(Exception):
    """A delivery refused with an HTTP status and a reason for the sender and the lead."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Outcome:
    delivery_id: int | None
    duplicate: bool = False
    events: int = 0
    repeated_events: int = 0
    ignored: int = 0
    leads: list[int] = field(default_factory=list)
    hand_raises: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"delivery": self.delivery_id, "duplicate": self.duplicate,
                "events": self.events, "repeated_events": self.repeated_events,
                "ignored": self.ignored, "leads": self.leads, "hand_raises": self.hand_raises}


def insert_ignore(s: Session, model: Any, values: dict[str, Any], returning: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING ``returning``: None when the row was
    already there (committed by anyone, or about to be: PostgreSQL waits for it)."""
    dialect = s.get_bind().dialect.name
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(model)
    return s.execute(ins.values(**values).on_conflict_do_nothing().returning(returning)
                     ).scalar()


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class Auth:
    """How the delivery proves itself: the sender's headers, or a test token."""

    mautic_signature: str | None = None
    qualdesk_signature: str | None = None
    test_token: str | None = None


def receive(db: Database, name: str, body: bytes, auth: Auth,
            form_event: NormalEvent | None = None) -> Outcome:
    """Keep one delivery to source ``name``, or raise ``Refused`` (nothing kept)."""
    with db.session() as s:
        src = s.scalar(select(IntakeSource).where(IntakeSource.name == name))
        if src is None:
            raise Refused(404, f"no intake source named {name!r}")
        test = _authenticate(s, src, body, auth)
        settings, ctx = _context(db, s)
        tz = ZoneInfo(settings["team.timezone"])
        now = clock.now()
        ignored = 0
        try:
            if form_event is not None:
                events = [form_event]
            elif src.kind == "mautic" and not (test and is_test_json(body)):
                events, ignored = parse_mautic(body, tz, now)
            else:
                events = parse_json(body, tz, now)
        except EventError as exc:
            raise Refused(400, str(exc)) from None
        delivery_id = insert_ignore(s, IntakeDelivery, {
            "source_id": src.id, "body_sha256": body_hash(body), "received_at": now,
            "events": len(events), "test": test}, IntakeDelivery.id)
        if delivery_id is None:
            return Outcome(None, duplicate=True)
        out = Outcome(delivery_id, ignored=ignored)
        rules = HandRaiseRules.from_settings(settings)
        for ev in events:
            if ev.event_id is not None and insert_ignore(s, IntakeEventId, {
                    "source_id": src.id, "event_id": ev.event_id,
                    "delivery_id": delivery_id}, IntakeEventId.id) is None:
                out.repeated_events += 1
                continue
            try:
                _apply(s, src, ev, rules, ctx, out, test)
            except InvalidInput as exc:
                raise Refused(400, f"{ev.ref}: {exc}") from None
            out.events += 1
        if out.events != len(events):  # some repeated or ignored: the count kept is true
            s.execute(update(IntakeDelivery).where(IntakeDelivery.id == delivery_id)
                      .values(events=out.events))
        if not out.leads:
            audit.bump(s, "intake")  # the intake page's counts changed, no lead did
    return out


# Team settings, users and hand-raise kinds change rarely and are read for every event:
# one copy per database for two seconds (a team lead's new rule counts within that).
_CONTEXT_TTL_S = 2.0
_contexts: dict[str, tuple[float, dict[str, Any], Any]] = {}
_contexts_lock = threading.Lock()


def _context(db: Database, s: Session) -> tuple[dict[str, Any], Any]:
    now = time.monotonic()
    with _contexts_lock:
        hit = _contexts.get(db.url)
    if hit is not None and now - hit[0] < _CONTEXT_TTL_S:
        return hit[1], dataclasses.replace(hit[2], now=clock.now())
    settings, ctx = team_settings.snapshot(s), row_context(s)
    with _contexts_lock:
        _contexts[db.url] = (now, settings, ctx)
    return settings, ctx


def is_test_json(body: bytes) -> bool:
    """A test delivery in our json format (``sources.test_event_body`` without a kind),
    which a test token may bring to a source of any kind."""
    return b'"qualdesk_test": true' in body[:4096]


def _authenticate(s: Session, src: IntakeSource, body: bytes, auth: Auth) -> bool:
    """True for a test delivery; raises 401 otherwise unless the signature is right."""
    if auth.test_token:
        used = s.execute(update(IntakeTestToken).where(
            IntakeTestToken.source_id == src.id,
            IntakeTestToken.token_sha256 == signatures.token_hash(auth.test_token),
            IntakeTestToken.used_at.is_(None), IntakeTestToken.expires_at > clock.now(),
        ).values(used_at=clock.now()))
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise Refused(401, "X-QualDesk-Test token unknown, used already or expired "
                               "(a test token works once, for five minutes)")
        return True
    if src.kind == "form":
        return False
    if src.secret_enc is None or src.key_id is None:
        raise Refused(401, f"source {src.name!r} has no secret yet: rotate it")
    key = s.get(IntakeKey, src.key_id)
    if key is None:
        raise Refused(401, f"source {src.name!r}: its secret's key is gone: rotate it")
    try:
        secret = secret_box.open_secret(key.key, src.name, src.secret_enc)
    except secret_box.SecretUnreadable as exc:
        raise Refused(401, str(exc)) from None
    try:
        if src.kind == "mautic":
            signatures.check_mautic(secret, body, auth.mautic_signature)
        else:
            signatures.check_qualdesk(secret, body, auth.qualdesk_signature, time.time())
    except signatures.BadSignature as exc:
        raise Refused(401, str(exc)) from None
    return False


def _apply(s: Session, src: IntakeSource, ev: NormalEvent, rules: HandRaiseRules,
           ctx: Any, out: Outcome, test: bool = False) -> None:
    known = None
    if ev.contact_id is not None:
        known = s.scalar(select(IntakeContact.lead_id).where(
            IntakeContact.source_id == src.id, IntakeContact.external_id == ev.contact_id))
    campaign = ev.campaign or src.campaign
    hand_raise = None
    if ev.hand_raise is not None:
        kind = normalise_code(ev.hand_raise.kind or src.hand_raise or "") or "contact_form"
        hand_raise = (kind, ev.hand_raise.at, ev.hand_raise.details)
    if hand_raise is None and ev.activity is None and known is None \
            and (ev.contact_id is not None or not ev.lead):
        # A contact save: only a lead we know by the sender's id is updated.
        out.ignored += 1
        return
    if hand_raise is None and known is None and not _identifies(ev.lead):
        out.ignored += 1  # activity of someone we cannot name (an anonymous visitor)
        return
    lead_id, _created, hr_id = find_or_create_lead(
        s, ev.lead, hand_raise=hand_raise, source=src.name, campaign=campaign, by_id=None,
        known_lead_id=known, ctx=ctx, require_name=False, test=test)
    if ev.contact_id is not None and known is None:
        insert_ignore(s, IntakeContact, {"source_id": src.id, "external_id": ev.contact_id,
                                         "lead_id": lead_id}, IntakeContact.id)
    if ev.activity is not None:
        raised = activity.record(s, lead_id, ev.activity, src.name, rules, campaign,
                                 hand_raise_id=hr_id,
                                 rule=f"{hand_raise[0]} sent by {src.name}" if hr_id else None,
                                 ctx=ctx)
        hr_id = hr_id or raised
    elif hr_id is not None:
        activity.record_hand_raise(s, lead_id, hr_id, hand_raise, src.name)
    out.leads.append(lead_id)
    if hr_id is not None:
        out.hand_raises.append(hr_id)


def _identifies(lead: dict[str, Any]) -> bool:
    """Whether the fields name a person we could find or create (an email or a phone)."""
    from qualdesk.services.intake.header_aliases import field_for

    return any(field_for(str(k)) in ("email", "email_alt", "phone", "mobile")
               and isinstance(v, str | int) and str(v).strip() for k, v in lead.items())


