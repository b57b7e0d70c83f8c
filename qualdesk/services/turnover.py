"""Turn-over: handing a Level I qualified lead to a named sales owner.

What travels is frozen at hand-off time as ``TurnOver.snapshot`` (contact data, BANT, the
script answers, every note, the digital body language, an attempt summary, the campaign
and "marketing generated"), so the export and sales' view show what the rep handed over,
not what the lead became later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import (
    Attempt,
    Campaign,
    Disposition,
    HandRaise,
    HandRaiseKind,
    Lead,
    Note,
    Qualification,
    TurnOver,
    User,
)
from qualdesk.domain import designation as dz
from qualdesk.domain import words
from qualdesk.domain.records import Changes, UserRecord
from qualdesk.errors import InvalidInput, NotAllowed, NotFound
from qualdesk.services import audit, retry_keys
from qualdesk.services.designations import move
from qualdesk.services.leads import get_lead
from qualdesk.services.users import to_record, user_by_name

SNAPSHOT_VERSION = 1
SALES_ROLE = "sales"


@dataclass(frozen=True)
class TurnOverResult:
    turnover_id: int
    lead_id: int
    to_owner: str
    by: str | None
    at: datetime
    level1_met: bool
    override_reason: str | None
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"lead": self.lead_id, "turnover": self.turnover_id, "to": self.to_owner,
                "by": self.by, "at": self.at.isoformat(), "designation": "turned_over",
                "level1_met": self.level1_met, "override_reason": self.override_reason,
                "note": self.note}


@dataclass(frozen=True)
class TurnOverPreview:
    """What the turn-over dialog shows before the rep commits."""

    lead_id: int
    lead_name: str
    designation: str
    level1_met: bool
    can_turn_over: bool
    sales_owners: tuple[UserRecord, ...]
    snapshot: dict[str, Any] = field(default_factory=dict)


def _iso(v: datetime | None) -> str | None:
    return v.isoformat() if v else None


def lead_name(lead: Lead) -> str:
    return " ".join(p for p in (lead.first_name, lead.last_name) if p) or (lead.company or "")


def sales_owners(s: Session) -> list[User]:
    return list(s.scalars(select(User).where(User.role == SALES_ROLE, User.active.is_(True))
                          .order_by(User.name)))


def resolve_sales_owner(s: Session, name: str) -> User:
    owners = sales_owners(s)
    want = name.strip().lower()
    for u in owners:
        if u.name.lower() == want or (u.email or "").lower() == want:
            return u
    if not owners:
        raise NotFound(f"unknown sales owner {name!r}: nobody has the role Sales yet. A team "
                       "lead or admin adds them under Settings → People and roles",
                       cli="qualdesk user add NAME --role sales")
    raise NotFound(f"unknown sales owner {name!r} (sales owners: "
                   f"{', '.join(u.name for u in owners)})")


def qualification(s: Session, lead_id: int) -> Qualification | None:
    return s.scalar(select(Qualification).where(Qualification.lead_id == lead_id))


def script_questions(script: str | None, answers: dict[str, Any],
                     s: Session | None = None) -> dict[str, str]:
    """The question each answer was given to, as sales reads it ("What works well
    today?", not ``q_works``). A question with merge fields, or a script that no longer
    loads, leaves the key to be said in words by ``words.answer_key``."""
    from qualdesk.errors import KnownError
    from qualdesk.services.script_library import load_script

    if not script or not answers:
        return {}
    try:
        questions = load_script(script, s).questions  # the team's copy, with ``s``
    except (KnownError, OSError):
        return {}
    return {q.id: q.text for q in questions if q.id in answers and "{" not in q.text}


def build_snapshot(s: Session, lead: Lead) -> dict[str, Any]:
    """Everything that travels with the lead to sales, as plain JSON."""
    names = dict(s.execute(select(User.id, User.name)).all())
    labels = dict(s.execute(select(HandRaiseKind.code, HandRaiseKind.label)).all())
    dispositions = dict(s.execute(select(Disposition.code, Disposition.label)).all())
    campaign = s.get(Campaign, lead.campaign_id)
    q = qualification(s, lead.id)
    hrs = list(s.scalars(select(HandRaise).where(HandRaise.lead_id == lead.id)
                         .order_by(HandRaise.raised_at)))
    attempts = list(s.scalars(select(Attempt).where(Attempt.lead_id == lead.id)
                              .order_by(Attempt.started_at)))
    notes = list(s.scalars(select(Note).where(Note.lead_id == lead.id, Note.body != "")
                           .order_by(Note.created_at, Note.id)))
    return {
        "version": SNAPSHOT_VERSION,
        "lead": {
            "id": lead.id, "first_name": lead.first_name, "last_name": lead.last_name,
            "company": lead.company, "title": lead.title, "email": lead.email,
            "phone": lead.phone, "phone_ext": lead.phone_ext, "mobile": lead.mobile,
            "city": lead.city, "country": lead.country, "website": lead.website,
            "industry": lead.industry, "lead_source": lead.lead_source,
            "time_zones": list(lead.time_zones or []), "do_not_call": bool(lead.do_not_call),
            "email_opt_out": bool(lead.email_opt_out), "external_id": lead.external_id,
        },
        "campaign": {"name": campaign.name if campaign else None,
                     "lead_source": campaign.lead_source if campaign else None},
        "qualifying_rep": names.get(lead.owner_id),
        "level1_met": bool(q and q.level1_met),
        "bant": dict(q.bant or {}) if q else {},
        "answers": dict(q.answers or {}) if q else {},
        "questions": script_questions((q.script if q else None)
                                      or (campaign.script if campaign else None),
                                      dict(q.answers or {}) if q else {}, s),
        "notes": [{"at": _iso(n.created_at), "author": names.get(n.author_id), "body": n.body}
                  for n in notes],
        "body_language": [
            {"kind": h.kind, "label": labels.get(h.kind, words.hand_raise(h.kind)),
             "strength": h.strength, "at": _iso(h.raised_at), "details": h.details,
             "source": h.source}
            for h in hrs
        ],
        "attempts": {
            "count": len(attempts),
            "last_disposition": attempts[-1].disposition if attempts else None,
            "last_disposition_label": (dispositions.get(attempts[-1].disposition)
                                       or words.disposition(attempts[-1].disposition))
                                      if attempts else None,
            "last_at": _iso(attempts[-1].started_at) if attempts else None,
            "first_touch_at": _iso(attempts[0].started_at) if attempts else None,
            "connected": any(a.disposition == "connected" for a in attempts),
        },
        "marketing_generated": True,
    }


def preview(db: Database, lead_id: int) -> TurnOverPreview:
    with db.session(write=False) as s:
        lead = get_lead(s, lead_id)
        snap = build_snapshot(s, lead)
        return TurnOverPreview(
            lead_id=lead.id, lead_name=lead_name(lead), designation=lead.designation,
            level1_met=snap["level1_met"],
            can_turn_over=lead.designation in dz.OPEN,
            sales_owners=tuple(to_record(u) for u in sales_owners(s)), snapshot=snap,
        )


def turn_over(db: Database, lead_id: int, to: str, *, by: str | None = None,
              override: str | None = None, note: str | None = None,
              idempotency_key: str | None = None) -> TurnOverResult:
    """Hand ``lead_id`` to the sales owner ``to``.

    Only a Level I qualified lead, unless ``override`` gives a reason (recorded) — then
    any open lead. The lead becomes "turned_over" and so leaves the qualifying queue.
    """
    if override is not None and not override.strip():
        raise InvalidInput("an override needs a reason: write why sales should have the lead",
                           cli="--override REASON")
    override = override.strip() if override else None
    note = note.strip() if note and note.strip() else None
    now = clock.now()
    key = retry_keys.check_key(idempotency_key)
    with db.session() as s:
        lead = get_lead(s, lead_id)
        prior = retry_keys.done(s, key, "turn_over", lead.id)
        if prior is not None:  # a retry of a turn-over whose commit was lost: it is in
            return _result(s, s.get(TurnOver, prior.row_id))
        if lead.designation not in dz.OPEN:
            raise NotAllowed(f"lead {lead_id} cannot be turned over: it is "
                             f"{words.designation(lead.designation).lower()}, and only a cold, "
                             "warm, hot or incubating lead can be")
        owner = resolve_sales_owner(s, to)
        by_user = user_by_name(s, by) if by else None
        by_id = by_user.id if by_user else lead.owner_id
        q = qualification(s, lead.id)
        met = bool(q and q.level1_met)
        if not met and override is None:
            raise NotAllowed(f"lead {lead_id} is not Level I qualified: finish the script's "
                             "BANT questions, or give an override reason to hand it to sales "
                             "anyway", cli="--override REASON")
        snap = build_snapshot(s, lead)
        snap["handoff"] = {"to": owner.name, "to_email": owner.email,
                           "by": s.get(User, by_id).name if by_id else None,
                           "at": now.isoformat(), "note": note, "override_reason": override}
        t = TurnOver(lead_id=lead.id, by_id=by_id, to_owner=owner.name, to_user_id=owner.id,
                     note=note, override_reason=override, snapshot=snap, at=now)
        s.add(t)
        reason = f"turned over to {owner.name}" + (f" (override: {override})" if override else "")
        move(s, lead, dz.Designation.TURNED_OVER, by_id, reason)
        lead.claimed_by_id = None
        lead.lease_expires_at = None
        lead.retouch_at = None
        lead.retouch_reason = None
        s.flush()
        audit.record(s, lead.id, by_id, "turn_over", "to_owner", None, owner.name)
        retry_keys.remember(s, key, "turn_over", lead.id, by_id, t.id)
        return TurnOverResult(t.id, lead.id, owner.name, snap["handoff"]["by"], now, met,
                              override, note)


def _result(s: Session, t: TurnOver | None) -> TurnOverResult:
    """The result of a turn-over already made (found by its idempotency key)."""
    if t is None:
        raise NotFound("the turn-over this idempotency key names no longer exists")
    by = s.get(User, t.by_id) if t.by_id else None
    q = qualification(s, t.lead_id)
    return TurnOverResult(t.id, t.lead_id, t.to_owner, by.name if by else None, t.at,
                          bool(q and q.level1_met), t.override_reason, t.note)


def turn_over_op(db: Database, lead_id: int, to: str, *, by: str | None = None,
                 override: str | None = None, note: str | None = None,
                 idempotency_key: str | None = None) -> Changes:
    """``turn_over`` for the GUI's op runner (``idempotency_key``: one per dialog, so
    pressing it again after a lost commit finds the turn-over instead of refusing)."""
    turn_over(db, lead_id, to, by=by, override=override, note=note,
              idempotency_key=idempotency_key)
    return Changes(leads=(lead_id,), queue=True, turnovers=True)


# --- sales' side -----------------------------------------------------------------


@dataclass(frozen=True)
class TurnOverRecord:
    """One turn-over as sales sees it (the latest per lead)."""

    turnover_id: int
    lead_id: int
    lead_name: str
    company: str | None
    email: str | None
    designation: str
    to_owner: str
    by: str | None
    at: datetime
    note: str | None
    override_reason: str | None
    verdict: str | None
    verdict_at: datetime | None
    verdict_reason: str | None
    snapshot: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"turnover": self.turnover_id, "lead": self.lead_id, "name": self.lead_name,
                "company": self.company, "email": self.email, "designation": self.designation,
                "to": self.to_owner, "by": self.by, "at": self.at.isoformat(),
                "note": self.note, "override_reason": self.override_reason,
                "verdict": self.verdict, "verdict_at": _iso(self.verdict_at),
                "verdict_reason": self.verdict_reason}


def latest_turnovers_query():
    """The latest turn-over of each lead (a lead may be turned over again after incubation)."""
    latest = (select(TurnOver.lead_id, func.max(TurnOver.id).label("tid"))
              .group_by(TurnOver.lead_id).subquery())
    return select(TurnOver, Lead).join(latest, latest.c.tid == TurnOver.id).join(
        Lead, Lead.id == TurnOver.lead_id)


def turned_over_leads(db: Database, owner: str | None = None,
                      pending_only: bool = False) -> list[TurnOverRecord]:
    """Sales' list: ``owner`` (a sales person's name) sees theirs; ``None`` sees all."""
    q = latest_turnovers_query()
    with db.session(write=False) as s:
        names = dict(s.execute(select(User.id, User.name)).all())
        if owner:
            q = q.where(func.lower(TurnOver.to_owner) == owner.strip().lower())
        if pending_only:
            q = q.where(Lead.designation == dz.Designation.TURNED_OVER.value)
        q = q.order_by(TurnOver.at.desc(), TurnOver.id.desc())
        return [
            TurnOverRecord(t.id, lead.id, lead_name(lead), lead.company, lead.email,
                           lead.designation, t.to_owner, names.get(t.by_id), t.at, t.note,
                           t.override_reason, t.verdict, t.verdict_at, t.verdict_reason,
                           dict(t.snapshot or {}))
            for t, lead in s.execute(q).unique()
        ]
