"""The rep's own lead edits: a person who calls in becomes a lead on the spot, and the
contact card can be corrected.

Both read their values as an import row is read (``intake.lead_rows`` through
``intake.live.one_lead``: the same header names, E.164 phones and their time zones, the
same lengths), so a value an import would refuse is refused here too, whole: nothing
is half-applied. Adding matches as the import does (``find_or_create_lead``): a known
email (or, without one, a known phone) is that lead, which gets the hand raise.
Every corrected field is audited old -> new.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Lead
from qualdesk.domain.records import Changes
from qualdesk.errors import InvalidInput, RowProblem
from qualdesk.services import audit
from qualdesk.services.calls import has_callable_number
from qualdesk.services.intake.live.one_lead import (
    LeadRefused,
    find_or_create_lead,
    parse,
    row_context,
)
from qualdesk.services.leads import get_lead
from qualdesk.services.users import user_by_name

# The contact card's fields a rep may correct (the names ``lead edit`` takes).
EDITABLE = ("first_name", "last_name", "company", "title", "email", "phone", "time_zone")
# The audit's words when a corrected phone makes a dead number's lead callable again.
NUMBER_DEAD = "no: a call found the number wrong or dead"
NUMBER_CORRECTED = "yes: the number was corrected"


@dataclass(frozen=True)
class AddedLead:
    lead_id: int
    created: bool  # False: a known email or phone found the existing lead
    hand_raise_id: int | None
    changes: Changes = Changes()

    def as_dict(self) -> dict[str, Any]:
        return {"lead": self.lead_id, "created": self.created, "hand_raise": self.hand_raise_id}


@dataclass(frozen=True)
class EditedLead:
    lead_id: int
    changed: dict[str, tuple[Any, Any]]  # field -> (old, new)
    changes: Changes = Changes()

    def as_dict(self) -> dict[str, Any]:
        return {"lead": self.lead_id,
                "changed": {k: {"old": o, "new": n} for k, (o, n) in self.changed.items()}}


def add_lead(db: Database, fields: dict[str, str | None], *, rep: str,
             campaign: str | None = None, hand_raise: str = "called_in",
             details: str | None = "added by the rep on a call") -> AddedLead:
    """A person on the phone becomes a lead (or is found) with a hand raise of ``kind``."""
    clean = {k: v.strip() for k, v in fields.items() if v is not None and v.strip()}
    with db.session() as s:
        by = user_by_name(s, rep)
        lead_id, created, hr_id = find_or_create_lead(
            s, clean, hand_raise=(hand_raise, clock.now(), details), source="rep",
            campaign=campaign, by_id=by.id)
    return AddedLead(lead_id, created, hr_id, Changes(leads=(lead_id,), queue=True))


def edit_lead(db: Database, lead_id: int, values: dict[str, str | None], *,
              by: str) -> EditedLead:
    """Correct the contact card: ``values`` maps fields of ``EDITABLE`` to their new text
    (None: leave it; "": clear it). Refused whole, naming each bad field and value."""
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"these fields cannot be edited: {', '.join(unknown)} "
                           f"(editable: {', '.join(EDITABLE)})")
    wanted = {k: v.strip() for k, v in values.items() if v is not None}
    with db.session() as s:
        user = user_by_name(s, by)
        lead = get_lead(s, lead_id)
        new = _checked(s, lead, wanted)
        # A number a call found dead, replaced: the new one is callable (the old calls
        # are about the old number: ``candidates.dead_attempt``), said in the audit.
        revived = "phone" in new and bool(new["phone"]) and new["phone"] != lead.phone \
            and bool(lead.phone) and not has_callable_number(s, lead)
        changed: dict[str, tuple[Any, Any]] = {}
        for field, value in new.items():
            old = getattr(lead, field)
            if old != value:
                setattr(lead, field, value)
                changed[field] = (old, value)
                audit.record(s, lead.id, user.id, "edit", field, _audit_text(old),
                             _audit_text(value))
        if revived:
            audit.record(s, lead.id, user.id, "edit", "callable", NUMBER_DEAD, NUMBER_CORRECTED)
        if changed:
            lead.updated_at = clock.now()
            lead.version += 1
        # Shown without the internal twins (email_norm, phone_region).
        shown = {k: v for k, v in changed.items() if k not in ("email_norm", "phone_region",
                                                              "phone_ext")}
    return EditedLead(lead_id, shown, Changes(leads=(lead_id,), queue=True))


def _audit_text(v: Any) -> Any:
    return ", ".join(v) if isinstance(v, list) else v


def _checked(s: Any, lead: Lead, wanted: dict[str, str]) -> dict[str, Any]:
    """The columns to write, every value checked first; ``LeadRefused`` lists all."""
    problems: list[RowProblem] = []
    out: dict[str, Any] = {}
    ctx = row_context(s)
    if lead.phone_region:  # a corrected local number is read in the lead's own country
        ctx = replace(ctx, default_region=lead.phone_region)
    cols = {k: v for k, v in wanted.items() if k != "time_zone" and v}
    draft = None
    if cols:
        # The row is checked as the card will be: a title edit keeps the lead's own email
        # and phone, so "a lead needs a phone or an email" judges the whole card.
        kept = [name for name in ("email", "phone") if name not in wanted and getattr(lead, name)]
        for name in kept:
            cols[name] = getattr(lead, name)
        try:
            draft = parse(cols, ctx)
        except LeadRefused as exc:
            # What the card already holds is not this edit's problem.
            problems.extend(p for p in exc.problems if p.field not in kept)
    for name in ("first_name", "last_name", "company", "title"):
        if name in wanted:
            out[name] = (getattr(draft, name) if draft and wanted[name] else None)
    if "email" in wanted:
        email = draft.email if draft and wanted["email"] else None
        norm = draft.email_norm if draft and wanted["email"] else None
        if norm:
            other = s.scalar(select(Lead.id).where(func.lower(Lead.email_norm) == norm,
                                                   Lead.id != lead.id).limit(1))
            if other is not None:
                problems.append(RowProblem(1, "email", wanted["email"],
                                           f"lead {other} already has this email: open that "
                                           "lead instead"))
        out["email"], out["email_norm"] = email, norm
    if "phone" in wanted:
        phone = draft.phone if draft and wanted["phone"] else None
        out["phone"] = phone.e164 if phone else None
        out["phone_ext"] = phone.ext if phone else None
        out["phone_region"] = phone.region if phone else None
        out["time_zones"] = list(phone.time_zones) if phone else []
    if "time_zone" in wanted:
        zone = wanted["time_zone"]
        if zone:
            try:
                ZoneInfo(zone)
                out["time_zones"] = [zone]
            except (ZoneInfoNotFoundError, ValueError):
                problems.append(RowProblem(1, "time_zone", zone,
                                           "not a time zone name (e.g. America/New_York, "
                                           "Europe/Berlin)"))
        else:
            out["time_zones"] = []
    if not any(out.get(k, getattr(lead, k)) for k in ("first_name", "last_name", "company")):
        problems.append(RowProblem(1, "name", "", "a lead needs a name or a company"))
    if not any(out.get(k, getattr(lead, k)) for k in ("email", "phone")) \
            and not any(p.field in ("phone", "email", "phone/email") for p in problems):
        problems.append(RowProblem(1, "phone/email", "",
                                   "a lead needs a phone number or an email address"))
    if problems:
        raise LeadRefused(problems, f"lead {lead.id} not changed: ")
    return out
