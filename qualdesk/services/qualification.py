"""A lead's Level I qualification: the script's answers, BANT, and the campaign's rule.

``level1_met`` is kept current on every save, so turn-over reads it without re-running
the rule. Moving the lead to hot stays the rep's choice (``mark_hot``), through the one
designation table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Lead, Qualification
from qualdesk.domain import designation as dz
from qualdesk.domain.bant import Bant
from qualdesk.domain.codes import normalise_code
from qualdesk.domain.level1_rule import Level1Status, evaluate, parse_rule, propose
from qualdesk.domain.records import Changes
from qualdesk.errors import InvalidInput
from qualdesk.services import answer_fills, audit, retry_keys, team_settings
from qualdesk.services.designations import move
from qualdesk.services.leads import get_lead
from qualdesk.services.script_library import Question, Script, load_script, render_script
from qualdesk.services.templating import context_for_lead
from qualdesk.services.users import user_by_name

YES = frozenset({"yes", "y", "true", "1", "ja", "oui", "si"})
NO = frozenset({"no", "n", "false", "0", "nein", "non"})


@dataclass(frozen=True)
class QualificationState:
    """Everything the stepper and ``qualdesk qualify`` show for one lead."""

    lead_id: int
    lead_name: str
    designation: str
    script: Script  # merge fields already filled for this lead and rep
    answers: dict[str, str]
    bant: Bant
    status: Level1Status
    proposed: str | None
    changes: Changes = field(default_factory=Changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lead": self.lead_id, "script": self.script.name, "designation": self.designation,
            "answers": dict(self.answers), "bant": self.bant.to_json(),
            **self.status.as_dict(), "proposed": self.proposed,
        }


def normalise_answer(q: Question, raw: str) -> str:
    """The stored form of an answer: a choice key, yes/no, a number, or the text."""
    text = raw.strip()
    if not text or q.kind == "text":
        return text
    low = text.lower()
    if q.kind == "yesno":
        if low in YES:
            return "yes"
        if low in NO:
            return "no"
        raise InvalidInput(f"{q.id}: {raw!r} is not yes or no")
    if q.kind == "number":
        try:
            value = float(text.replace(",", ""))
        except ValueError:
            raise InvalidInput(f"{q.id}: {raw!r} is not a number") from None
        return str(int(value)) if value.is_integer() else str(value)
    if text.isdigit() and 1 <= int(text) <= len(q.choices):
        return q.choices[int(text) - 1].key
    code = normalise_code(text)
    for c in q.choices:
        if code in (c.key, normalise_code(c.label)):
            return c.key
    options = ", ".join(f"{i}={c.key}" for i, c in enumerate(q.choices, 1))
    raise InvalidInput(f"{q.id}: {raw!r} is not one of the choices ({options})")


def _today(s: Session) -> date:
    return clock.now().astimezone(ZoneInfo(team_settings.get(s, "team.timezone"))).date()


def rule_for(lead: Lead, script: Script) -> str | tuple[str, ...]:
    """The campaign's override, else the script's default."""
    override = (lead.campaign.level1_rule or "").strip()
    if override:
        try:
            parse_rule(override)
        except InvalidInput as exc:
            raise InvalidInput(f"campaign {lead.campaign.name!r}: {exc}") from None
        return override
    return script.level1


def _state(s: Session, lead: Lead, rep: Any, changes: Changes | None = None) -> QualificationState:
    script = load_script(lead.campaign.script or "default", s)  # the team's copy wins
    row = s.scalar(select(Qualification).where(Qualification.lead_id == lead.id))
    answers = dict(row.answers) if row is not None else {}
    bant = Bant.from_json(row.bant if row is not None else {})
    status = evaluate(rule_for(lead, script), bant, _today(s))
    rendered = render_script(script, context_for_lead(s, lead.id, rep))
    in_dialog = bool(answers) or bool(bant.to_json())
    name = " ".join(p for p in (lead.first_name, lead.last_name) if p) or (lead.company or "")
    return QualificationState(
        lead_id=lead.id, lead_name=name, designation=lead.designation, script=rendered,
        answers=answers, bant=bant, status=status,
        proposed=propose(status, lead.designation, in_dialog), changes=changes or Changes(),
    )


def _lead(s: Session, lead_id: int) -> Lead:
    lead = get_lead(s, lead_id)
    return lead


def load_state(db: Database, lead_id: int, rep_name: str | None = None) -> QualificationState:
    with db.session(write=False) as s:
        rep = user_by_name(s, rep_name) if rep_name else None
        return _state(s, _lead(s, lead_id), rep)


def save(db: Database, lead_id: int, rep_name: str | None, *,
         answers: dict[str, str] | None = None, bant: Bant | None = None,
         idempotency_key: str | None = None) -> QualificationState:
    """Merge answers (an empty answer removes it) and BANT parts; re-evaluate the rule.

    Every answer is checked against the campaign's script before anything is written.
    ``idempotency_key``: a retry of a save whose commit was lost finds it and changes
    nothing more (``retry_keys``).
    """
    key = retry_keys.check_key(idempotency_key)
    with db.session() as s:
        lead = _lead(s, lead_id)
        rep = user_by_name(s, rep_name) if rep_name else None
        if retry_keys.done(s, key, "qualification", lead.id) is not None:
            return _state(s, lead, rep, Changes(leads=(lead.id,), qualification=True))
        script = load_script(lead.campaign.script or "default", s)
        clean = {qid: normalise_answer(script.question(qid), v) for qid, v in (answers or {}).items()}
        row = s.scalar(select(Qualification).where(Qualification.lead_id == lead.id))
        if row is None:
            row = Qualification(lead_id=lead.id, script=script.name, answers={}, bant={},
                                level1_met=False, updated_at=clock.now())
            s.add(row)
        merged = dict(row.answers or {})
        for qid, value in clean.items():
            if value:
                merged[qid] = value
            else:
                merged.pop(qid, None)
        new_bant = Bant.from_json(row.bant).merged(bant or Bant())
        new_bant = new_bant.merged(answer_fills.filled(script, merged, new_bant))
        status = evaluate(rule_for(lead, script), new_bant, _today(s))
        if status.met != bool(row.level1_met):
            audit.record(s, lead.id, rep.id if rep else None, "qualification", "level1_met",
                         bool(row.level1_met), status.met)
        # Reassign whole values: JSON columns do not track in-place mutation.
        row.answers = merged
        row.bant = new_bant.to_json()
        row.level1_met = status.met
        row.script = script.name
        row.updated_by_id = rep.id if rep else None
        row.updated_at = clock.now()
        audit.bump(s, "qualification", lead.id)
        s.flush()
        retry_keys.remember(s, key, "qualification", lead.id, rep.id if rep else None, row.id)
        return _state(s, lead, rep, Changes(leads=(lead.id,), qualification=True))


def mark_hot(db: Database, lead_id: int, rep_name: str | None) -> Changes:
    """The rep's one-key choice: in dialog, not yet ready (or qualified, not yet turned over)."""
    with db.session() as s:
        lead = _lead(s, lead_id)
        rep = user_by_name(s, rep_name) if rep_name else None
        move(s, lead, dz.Designation.HOT, rep.id if rep else None, "marked hot from the script")
    return Changes(leads=(lead_id,), queue=True, qualification=True)
