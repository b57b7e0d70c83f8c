"""Which lead each checked row of an import is: the import's dedup, done by the database.

A row with an email is the lead with that email (case-insensitive); a row without one is
the oldest lead with its E.164 phone (a shared switchboard with different emails is
different people). A row that is no lead yet becomes a new lead, and a later row naming
it merges into it.

The rows of earlier chunks are already in the database, written in the import's own
transaction, which the lookups read (``lookup`` on the import's session). So the only
keys held in memory are those of rows not written yet: the current chunk's, or, once a
refused import stops writing, those of every row after that (still checked, for the full
list of problems). Memory stays flat in the row count.

A row without name or company is fine when it names a lead this way (a hand-raise
update); otherwise it is bad.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from qualdesk.db.models import Lead
from qualdesk.errors import RowProblem
from qualdesk.services.intake.lead_lookup import lookup
from qualdesk.services.intake.lead_rows import LeadDraft

# A merge target: a lead in the database (its id), or ("new", index into ``Plan.new``).
Target = int | tuple[str, int]


@dataclass
class Plan:
    """One chunk's good rows: the new leads, and the merges in file order."""

    new: list[LeadDraft] = field(default_factory=list)
    merges: list[tuple[LeadDraft, Target]] = field(default_factory=list)


class Matcher:
    def __init__(self) -> None:
        # Keys of new leads not yet written -> their index among them.
        self._emails: dict[str, int] = {}
        self._phones: dict[str, int] = {}
        self._unwritten = 0

    def match(self, s: Session, drafts: list[LeadDraft]) -> Plan:
        """Match the chunk's good rows, in file order; a nameless row that names no lead
        gets its problem (so the caller sees every bad row after this)."""
        good = [d for d in drafts if not d.problems]
        by_email = lookup(s, Lead.email_norm, [d.email_norm for d in good if d.email_norm])
        by_phone = lookup(s, Lead.phone,
                          [d.phone.e164 for d in good if d.phone and not d.email_norm])
        plan = Plan()
        base = self._unwritten  # indexes of earlier unwritten chunks are never used
        for d in good:
            target = self._target(d, by_email, by_phone)
            if target is not None:
                plan.merges.append((d, target if isinstance(target, int)
                                    else ("new", target[1] - base)))
                continue
            if d.nameless:
                d.problems.append(RowProblem(d.row, "name", "",
                                             "a lead needs a name or a company"))
                continue
            index = self._unwritten
            self._unwritten += 1
            plan.new.append(d)
            if d.email_norm:
                self._emails[d.email_norm] = index
            if d.phone:
                self._phones.setdefault(d.phone.e164, index)
        return plan

    def _target(self, d: LeadDraft, by_email: dict[str, int],
                by_phone: dict[str, int]) -> Target | None:
        if d.email_norm:
            known = by_email.get(d.email_norm)
            index = self._emails.get(d.email_norm)
        else:
            assert d.phone is not None  # a row with neither is bad already
            known = by_phone.get(d.phone.e164)  # the oldest lead with the phone
            index = self._phones.get(d.phone.e164)
        if known is not None:
            return known
        return None if index is None else ("new", index)

    def written(self) -> None:
        """The new leads matched so far are in the database: their keys are its to keep."""
        self._emails.clear()
        self._phones.clear()
        self._unwritten = 0
