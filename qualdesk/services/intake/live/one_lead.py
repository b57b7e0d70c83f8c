"""One lead arrives: the one home for it (a live intake event, ``qualdesk lead add``).

The same rules as a CSV import (DESIGN.md "Contract details"), through the same parts:
the fields are read and checked by the import's ``LeadRowParser`` (header aliases,
phones to E.164, lengths, flags), and the writes go through ``hand_raises.add_hand_raise``
(deadline, cold -> warm through ``designations.move``, audit, change log). Matching:
the same email (case-insensitive) is that lead; without an email, the same E.164
phone; the same phone with another email is another person. A known lead's blank fields
are filled, never overwritten; the same hand raise (kind and time) is kept once.

Concurrency: two receivers creating the same new person at once would both miss the
lookup. On PostgreSQL a transaction-scoped advisory lock on the identity (email, else
phone) serialises them; SQLite has one writer at a time anyway.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.models import Campaign, HandRaise, Lead, User
from qualdesk.domain import designation as dz
from qualdesk.domain.phones import is_region
from qualdesk.errors import InvalidInput, RowProblem
from qualdesk.services import audit, team_settings
from qualdesk.services.designations import move
from qualdesk.services.hand_raises import add_hand_raise, kind_strengths
from qualdesk.services.intake.header_aliases import field_for, map_headers
from qualdesk.services.intake.lead_rows import LeadDraft, LeadRowParser, RowContext
from qualdesk.services.intake.lead_writer import fill_blanks
from qualdesk.services.intake.outcome import Warnings

# The hand raise comes in as its own argument, not as lead columns.
_NOT_LEAD = frozenset({"hand_raise", "hand_raised_at", "details", "campaign"})

HandRaiseIn = tuple[str, datetime, Any]  # (kind, at, details)


class LeadRefused(InvalidInput):
    """The fields do not make a lead; ``problems`` name each field and value."""

    def __init__(self, problems: list[RowProblem], where: str = "") -> None:
        self.problems = problems
        text_ = "; ".join(f"{p.field}={p.value!r}: {p.reason}" for p in problems)
        super().__init__(f"{where}{text_}")


def lead_fields(raw: dict[str, Any]) -> dict[str, str]:
    """The entries of ``raw`` that name a lead field (any alias the import knows), as
    text; the first spelling of a field wins."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for key, value in raw.items():
        field = field_for(str(key))
        if field is None or field in seen or field in _NOT_LEAD or value is None:
            continue
        if isinstance(value, dict | list):
            continue  # not a lead column: a nested object is never a name or a phone
        seen.add(field)
        out[str(key)] = str(value).strip() if not isinstance(value, bool) else \
            ("yes" if value else "no")
    return out


def row_context(s: Session) -> RowContext:
    """What the parser needs, read once (a receiver may cache it per delivery)."""
    tz_name = team_settings.get(s, "team.timezone")
    region = (team_settings.get(s, "import.default_region") or "US").upper()
    if not is_region(region):
        region = "US"
    users: dict[str, int] = {}
    for uid, name, email in s.execute(select(User.id, User.name, User.email)):
        users[name.lower()] = uid
        if email:
            users.setdefault(email.lower(), uid)
    return RowContext(ZoneInfo(tz_name), tz_name, region, kind_strengths(s), users, clock.now())


def parse(fields: dict[str, Any], ctx: RowContext, where: str = "", *,
          drop_bad_phones: bool = False) -> LeadDraft:
    """The fields as a checked draft, or ``LeadRefused`` naming what is wrong.
    ``drop_bad_phones``: when the only problems are phone numbers and the person has a
    valid email, the numbers are left out instead (a marketing system's contact record
    with a malformed mobile must not stop its hand raise, nor be retried for ever)."""
    cols = lead_fields(fields)
    draft = _parse_cols(cols, ctx)
    if draft.problems and drop_bad_phones and draft.email_norm:
        phone_cols = {k for k in cols if field_for(k) in ("phone", "mobile")}
        if {p.field for p in draft.problems} <= phone_cols:
            draft = _parse_cols({k: v for k, v in cols.items() if k not in phone_cols}, ctx)
    if draft.problems:
        raise LeadRefused(draft.problems, where)
    return draft


def _parse_cols(cols: dict[str, str], ctx: RowContext) -> LeadDraft:
    headers = tuple(cols)
    return LeadRowParser(headers, map_headers(headers), ctx, Warnings()).parse(
        1, tuple(cols.values()))


def find_or_create_lead(s: Session, fields: dict[str, Any], *,
                        hand_raise: HandRaiseIn | None, source: str,
                        campaign: str | None, by_id: int | None,
                        known_lead_id: int | None = None,
                        ctx: RowContext | None = None,
                        require_name: bool = True,
                        test: bool = False) -> tuple[int, bool, int | None]:
    """(lead id, created, the new hand raise's id or None). ``known_lead_id`` is a lead
    the sender already identified (a Mautic contact id seen before): its blanks are
    filled from ``fields``, which then need no email or phone. ``require_name=False``
    (live intake) takes a new person known only by an email: a newsletter or Mautic form
    often asks for nothing else, and refusing it would lose the hand raise; the queue
    shows the email as the name."""
    ctx = ctx or row_context(s)
    if known_lead_id is not None and not lead_fields(fields):
        draft = LeadDraft(row=1)
    else:
        try:
            draft = parse(fields, ctx, drop_bad_phones=not require_name)
        except LeadRefused:
            if known_lead_id is None:
                raise
            draft = LeadDraft(row=1)  # a known lead: bad extra fields do not block it
    lead = s.get(Lead, known_lead_id) if known_lead_id is not None else None
    if lead is None:
        _lock_identity(s, draft)
        lead = _match(s, draft)
    created = lead is None
    camp = _campaign(s, campaign)
    if lead is None:
        if draft.nameless and (require_name or not draft.email_norm):
            raise LeadRefused([RowProblem(1, "name", "", "a lead needs a name or a company")])
        lead = _new_lead(s, draft, camp, source, by_id)
    else:
        fill_blanks(lead, draft)
        if campaign and hand_raise is not None:
            lead.campaign_id = camp.id  # as an import row naming its campaign does
    if draft.do_not_call and dz.can_move(dz.Designation(lead.designation),
                                         dz.Designation.DO_NOT_CALL):
        move(s, lead, dz.Designation.DO_NOT_CALL, by_id, f"{source}: do not call")
    hr_id = None
    if hand_raise is not None:
        hr_id = _raise(s, lead, camp if (campaign or created) else _campaign_of(s, lead),
                       hand_raise, ctx, source, by_id, new_lead=created, test=test)
    if hr_id is None:
        lead.updated_at = clock.now()
        audit.bump(s, "intake", lead.id)
    return lead.id, created, hr_id


def _lock_identity(s: Session, d: LeadDraft) -> None:
    if s.get_bind().dialect.name != "postgresql":
        return
    ident = d.email_norm or (d.phone.e164 if d.phone else None)
    if ident:
        key = int.from_bytes(hashlib.sha256(b"qualdesk-lead:" + ident.encode()).digest()[:8],
                             "big", signed=True)
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def _match(s: Session, d: LeadDraft) -> Lead | None:
    if d.email_norm:
        q = select(Lead).where(Lead.email_norm == d.email_norm)
    elif d.phone is not None:
        q = select(Lead).where(Lead.phone == d.phone.e164)
    else:
        return None
    return s.scalars(q.order_by(Lead.id).limit(1)).first()


def _campaign(s: Session, name: str | None) -> Campaign:
    if name:
        found = s.scalar(select(Campaign).where(func.lower(Campaign.name) == name.lower()))
        if found is not None:
            return found
        found = Campaign(name=name, created_at=clock.now())
        s.add(found)
        s.flush()
        return found
    default = s.scalar(select(Campaign).where(Campaign.is_default.is_(True)))
    if default is None:
        raise InvalidInput("the database has no default campaign: an admin upgrades it "
                           "(Settings → Team setup, first step)", cli="run `qualdesk db upgrade`")
    return default


def _campaign_of(s: Session, lead: Lead) -> Campaign:
    return s.get(Campaign, lead.campaign_id) or _campaign(s, None)


def _new_lead(s: Session, d: LeadDraft, camp: Campaign, source: str,
              by_id: int | None) -> Lead:
    now = clock.now()
    phone, mobile = d.phone, d.mobile
    lead = Lead(
        first_name=d.first_name, last_name=d.last_name, company=d.company, title=d.title,
        email=d.email, email_norm=d.email_norm, phone=phone.e164 if phone else None,
        phone_ext=phone.ext if phone else None, phone_region=phone.region if phone else None,
        time_zones=list(phone.time_zones) if phone else [],
        mobile=mobile.e164 if mobile else None, country=d.country, city=d.city,
        website=d.website, industry=d.industry, lead_source=d.lead_source or camp.lead_source,
        external_id=d.external_id, campaign_id=camp.id, owner_id=d.owner_id,
        designation=dz.Designation.COLD.value, do_not_call=False,
        email_opt_out=d.email_opt_out, created_at=now, updated_at=now, version=1)
    s.add(lead)
    s.flush()
    audit.record(s, lead.id, by_id, "intake", "source", None, source)
    if d.notes:
        from qualdesk.db.models import Note

        s.add(Note(lead_id=lead.id, author_id=None, body=d.notes, created_at=now,
                   updated_at=now))
    return lead


def _details_text(details: Any) -> str | None:
    if details is None or details == "":
        return None
    if isinstance(details, str):
        return details
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)


def _raise(s: Session, lead: Lead, camp: Campaign, hand_raise: HandRaiseIn, ctx: RowContext,
           source: str, by_id: int | None, new_lead: bool = False,
           test: bool = False) -> int | None:
    from qualdesk.services.hand_raises import resolve_kind

    kind_raw, at, details = hand_raise
    kind, strength, _known = resolve_kind(kind_raw, ctx.strengths)
    at = clock.ensure_utc(at)
    same = None if new_lead else s.scalar(select(HandRaise.id).where(
        HandRaise.lead_id == lead.id, HandRaise.kind == kind, HandRaise.raised_at == at))
    if same is not None:
        return None  # the same hand raise (kind and time) is kept once
    hr = add_hand_raise(s, lead, camp, kind, strength, at, details=_details_text(details),
                        source=source, by_id=by_id, is_test=test)
    s.flush()
    return hr.id
