"""Sales' verdict on a turned-over lead (Level II): accepted becomes a marketing-generated
opportunity; rejected goes back to the qualifying team to incubate until a re-touch date.

The same rules serve the in-app buttons (``accept`` / ``reject``) and a CRM's export read
by ``qualdesk import verdicts`` (``import_verdicts``), which is all-or-nothing unless the
bad rows are set aside with ``skip_bad``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Lead, Opportunity, TurnOver, User
from qualdesk.domain import designation as dz
from qualdesk.domain.records import Changes
from qualdesk.domain.words import designation as said_designation
from qualdesk.errors import InvalidInput, NotAllowed, NotFound, RowProblem
from qualdesk.services import audit
from qualdesk.services.designations import move
from qualdesk.services.incubation import default_retouch_at, incubate_in, start_of_day
from qualdesk.services.leads import get_lead
from qualdesk.services.users import user_by_name

ACCEPTED, REJECTED = "accepted", "rejected"
VERDICT_WORDS = {
    ACCEPTED: ("accepted", "accept", "yes", "qualified", "converted", "closed - converted",
               "opportunity", "sales accepted", "sal", "open_deal"),
    REJECTED: ("rejected", "reject", "no", "unqualified", "not qualified",
               "closed - not converted", "recycled", "bad_timing", "sales rejected"),
}
OUTCOME_WORDS = {"won": ("won", "closed won", "win"), "lost": ("lost", "closed lost", "loss")}

# Our column -> header spellings accepted (compared lower-case, "_" and " " alike).
ALIASES: dict[str, tuple[str, ...]] = {
    "lead_email": ("lead_email", "email", "e-mail", "email address", "lead email"),
    "lead_id": ("lead_id", "lead id", "qualdesk id", "qualdesk_id"),
    "verdict": ("verdict", "status", "lead status", "lead_status", "hs_lead_status", "decision"),
    "reason": ("reason", "verdict_reason", "verdict reason", "rejection reason", "reject reason",
               "status reason"),
    "weighting": ("weighting", "weight", "probability", "probability (%)"),
    "outcome": ("outcome", "result", "stage", "won/lost"),
    "outcome_at": ("outcome_at", "outcome at", "close date", "closed at", "closedate"),
    "retouch_at": ("retouch_at", "retouch at", "retouch", "retouch date", "re-touch date"),
}


def _key(header: str) -> str:
    return " ".join(header.strip().lower().replace("_", " ").split())


@dataclass(frozen=True)
class VerdictRow:
    row: int
    lead_id: int
    verdict: str
    reason: str | None
    weighting: int
    outcome: str | None = None
    outcome_at: datetime | None = None
    retouch_at: datetime | None = None


@dataclass(frozen=True)
class VerdictImport:
    imported: int
    rejected: list[RowProblem] = field(default_factory=list)
    applied: bool = True
    rejects_file: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"imported": self.imported, "merged": 0,
                "rejected": [p.as_dict() for p in self.rejected], "applied": self.applied}


# --- the one rule, applied in a session -------------------------------------------


def latest_turnover(s: Session, lead_id: int) -> TurnOver | None:
    return s.scalar(select(TurnOver).where(TurnOver.lead_id == lead_id)
                    .order_by(TurnOver.id.desc()).limit(1))


def check_verdict(s: Session, lead: Lead, verdict: str, outcome: str | None) -> TurnOver:
    """The turn-over the verdict is about, or ``NotAllowed`` saying why it cannot apply."""
    t = latest_turnover(s, lead.id)
    if lead.designation == dz.Designation.ACCEPTED.value:
        if verdict == ACCEPTED and outcome and t is not None and t.outcome is None:
            return t  # the CRM reports the win/loss of an accepted lead
        when = f" on {t.verdict_at:%Y-%m-%d}" if t and t.verdict_at else ""
        raise NotAllowed(f"lead {lead.id} was already accepted{when}")
    if lead.designation != dz.Designation.TURNED_OVER.value or t is None:
        raise NotAllowed(f"lead {lead.id} is not turned over (it is "
                         f"{said_designation(lead.designation).lower()})")
    if verdict == REJECTED and outcome:
        raise NotAllowed("a won/lost outcome applies to accepted leads only")
    return t


def apply_verdict(s: Session, lead: Lead, t: TurnOver, verdict: str, reason: str | None,
                  weighting: int, by_id: int | None, *, outcome: str | None = None,
                  outcome_at: datetime | None = None,
                  retouch_at: datetime | None = None) -> None:
    now = clock.now()
    if outcome:
        t.outcome, t.outcome_at = outcome, outcome_at or now
        audit.record(s, lead.id, by_id, "outcome", "outcome", None, outcome)
    if lead.designation == dz.Designation.ACCEPTED.value:
        return  # only the outcome was news
    t.verdict, t.verdict_at, t.verdict_reason = verdict, now, reason
    if verdict == ACCEPTED:
        s.add(Opportunity(lead_id=lead.id, turnover_id=t.id, weighting=weighting,
                          marketing_generated=True,
                          note="marketing generated" + (f": {reason}" if reason else ""),
                          created_at=now))
        move(s, lead, dz.Designation.ACCEPTED, by_id, f"accepted by sales{_colon(reason)}")
    else:
        why = reason or "rejected by sales"
        back_to = _qualifying_rep(s, t.by_id)
        incubate_in(s, lead, retouch_at or default_retouch_at(s, reason, now),
                    f"rejected by sales: {why}", by_id, back_to, keep_owner=False)
    audit.record(s, lead.id, by_id, "verdict", "verdict", None, verdict)


def _colon(reason: str | None) -> str:
    return f": {reason}" if reason else ""


def _qualifying_rep(s: Session, user_id: int | None) -> int | None:
    """The rep who turned the lead over gets it back, if still a qualifying rep."""
    if user_id is None:
        return None
    u = s.get(User, user_id)
    return u.id if u is not None and u.active and u.role in ("rep", "lead") else None


# --- in-app buttons ---------------------------------------------------------------


def _decide(db: Database, lead_id: int, verdict: str, reason: str | None, weighting: int,
            by: str | None, retouch: date | datetime | None) -> Changes:
    with db.session() as s:
        lead = get_lead(s, lead_id)
        t = check_verdict(s, lead, verdict, None)
        by_id = user_by_name(s, by).id if by else t.to_user_id
        when = None
        if retouch is not None:
            when = retouch if isinstance(retouch, datetime) else start_of_day(s, retouch)
            if when <= clock.now():
                raise InvalidInput(f"re-touch date {when:%Y-%m-%d} is not in the future")
        apply_verdict(s, lead, t, verdict, reason, weighting, by_id, retouch_at=when)
    return Changes(leads=(lead_id,), queue=True, turnovers=True)


def accept(db: Database, lead_id: int, weighting: int = 0, by: str | None = None,
           reason: str | None = None) -> Changes:
    if not 0 <= weighting <= 100:
        raise InvalidInput(f"weighting {weighting} is not a percentage (0-100)")
    return _decide(db, lead_id, ACCEPTED, reason, weighting, by, None)


def reject(db: Database, lead_id: int, reason: str, retouch: date | datetime | None = None,
           by: str | None = None) -> Changes:
    if not (reason or "").strip():
        raise InvalidInput("a rejection needs a reason (e.g. 'bad timing', 'no budget')")
    return _decide(db, lead_id, REJECTED, reason.strip(), 0, by, retouch)


# --- the file ----------------------------------------------------------------------


def _columns(headers: list[str]) -> dict[str, str]:
    by_key = {_key(h): h for h in headers if h}
    out: dict[str, str] = {}
    for ours, spellings in ALIASES.items():
        for sp in spellings:
            if _key(sp) in by_key:
                out[ours] = by_key[_key(sp)]
                break
    return out


def _word(raw: str, table: dict[str, tuple[str, ...]]) -> str | None:
    k = _key(raw)
    for value, words in table.items():
        if k in (_key(w) for w in words):
            return value
    return None


def _percent(raw: str) -> int:
    v = float(raw.strip().rstrip("%").strip())
    if not 0 <= v <= 100:
        raise ValueError
    return round(v)


def _when(s: Session, raw: str) -> datetime:
    """ISO 8601 with an offset, or a date (start of that day in the team's zone)."""
    text = raw.strip()
    if len(text) == 10:
        return start_of_day(s, date.fromisoformat(text))
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise ValueError("no UTC offset")
    return clock.ensure_utc(dt)


def _find_lead(s: Session, cols: dict[str, str], rec: dict[str, str],
               row: int) -> tuple[Lead | None, RowProblem | None]:
    raw_id = (rec.get(cols.get("lead_id", ""), "") or "").strip()
    email = (rec.get(cols.get("lead_email", ""), "") or "").strip()
    if raw_id and (raw_id.isdigit() or not email):
        if not raw_id.isdigit():
            return None, RowProblem(row, "lead_id", raw_id, "not a QualDesk lead id (a number)")
        lead = s.get(Lead, int(raw_id))
        return (lead, None) if lead else (None, RowProblem(row, "lead_id", raw_id, "unknown lead"))
    if email:
        e = email.lower()
        lead = s.scalar(select(Lead).where(or_(Lead.email_norm == e, func.lower(Lead.email) == e))
                        .order_by(Lead.id).limit(1))
        return (lead, None) if lead else (None, RowProblem(row, "lead_email", email,
                                                           "no lead with this email"))
    return None, RowProblem(row, "lead_email", "", "no lead_email or lead_id in this row")


def _parse_row(s: Session, cols: dict[str, str], rec: dict[str, str], row: int,
               seen: dict[int, int]) -> VerdictRow | RowProblem:
    def cell(name: str) -> str:
        return (rec.get(cols.get(name, ""), "") or "").strip()

    lead, problem = _find_lead(s, cols, rec, row)
    if problem is not None:
        return problem
    assert lead is not None
    raw = cell("verdict")
    verdict = _word(raw, VERDICT_WORDS)
    if verdict is None:
        return RowProblem(row, "verdict", raw, "unknown verdict (use accepted or rejected)")
    weighting = 0
    if cell("weighting") and verdict == ACCEPTED:
        try:
            weighting = _percent(cell("weighting"))
        except ValueError:
            return RowProblem(row, "weighting", cell("weighting"), "not a percentage (0-100)")
    outcome = None
    if cell("outcome"):
        outcome = _word(cell("outcome"), OUTCOME_WORDS)
        if outcome is None:
            return RowProblem(row, "outcome", cell("outcome"), "unknown outcome (use won or lost)")
    stamps: dict[str, datetime | None] = {"outcome_at": None, "retouch_at": None}
    for name in stamps:
        if cell(name):
            try:
                stamps[name] = _when(s, cell(name))
            except ValueError:
                return RowProblem(row, name, cell(name),
                                  "not a date or an ISO 8601 time with an offset")
    if stamps["retouch_at"] is not None and stamps["retouch_at"] <= clock.now():
        return RowProblem(row, "retouch_at", cell("retouch_at"), "re-touch date is not in the future")
    if lead.id in seen:
        return RowProblem(row, "lead_id", str(lead.id), f"lead {lead.id} already has a verdict "
                          f"in row {seen[lead.id]} of this file")
    try:
        check_verdict(s, lead, verdict, outcome)
    except NotAllowed as exc:
        field_name = "lead_id" if "lead_id" in cols and cell("lead_id") else "lead_email"
        return RowProblem(row, field_name, cell(field_name), str(exc))
    seen[lead.id] = row
    return VerdictRow(row, lead.id, verdict, cell("reason") or None, weighting, outcome,
                      stamps["outcome_at"], stamps["retouch_at"])


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFound(f"no such file: {path}") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    # The header line decides the separator (Excel in many locales writes ';').
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = [h or "" for h in (reader.fieldnames or [])]
    return headers, [dict(r) for r in reader]


def import_verdicts(db: Database, path: Path | str,
                    skip_bad: Path | str | None = None) -> VerdictImport:
    """Read sales' verdicts; nothing is applied if any row is bad, unless ``skip_bad``."""
    path = Path(path)
    headers, records = read_rows(path)
    with db.session() as s:
        cols = _columns(headers)
        missing = [RowProblem(1, name, ", ".join(headers), f"no {name} column")
                   for name in ("verdict",) if name not in cols]
        if "lead_email" not in cols and "lead_id" not in cols:
            missing.insert(0, RowProblem(1, "lead_email", ", ".join(headers),
                                         "no lead_email or lead_id column"))
        if missing:
            return VerdictImport(0, missing, applied=False)
        seen: dict[int, int] = {}
        good: list[VerdictRow] = []
        bad: list[tuple[RowProblem, dict[str, str]]] = []
        for i, rec in enumerate(records, start=2):
            if not any((v or "").strip() for v in rec.values() if isinstance(v, str)):
                continue  # a blank line in the spreadsheet
            r = _parse_row(s, cols, rec, i, seen)
            if isinstance(r, RowProblem):
                bad.append((r, rec))
            else:
                good.append(r)
        problems = [p for p, _ in bad]
        if bad and skip_bad is None:
            return VerdictImport(0, problems, applied=False)
        for r in good:
            lead = s.get(Lead, r.lead_id)
            assert lead is not None
            t = latest_turnover(s, r.lead_id)
            assert t is not None
            apply_verdict(s, lead, t, r.verdict, r.reason, r.weighting, t.to_user_id,
                          outcome=r.outcome, outcome_at=r.outcome_at, retouch_at=r.retouch_at)
        rejects = None
        if skip_bad is not None and bad:
            # Written before the commit: if the rejects cannot be saved, nothing is applied.
            try:
                rejects = str(write_rejects(Path(skip_bad), headers, bad))
            except OSError as exc:
                raise InvalidInput(f"cannot write {skip_bad}: {exc.strerror or exc}") from None
        return VerdictImport(len(good), problems, applied=True, rejects_file=rejects)


def write_rejects(path: Path, headers: list[str],
                  bad: list[tuple[RowProblem, dict[str, str]]]) -> Path:
    """The bad rows as they came, plus where and why, to fix and import again."""
    extra = ["rejected_row", "rejected_field", "rejected_reason"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(headers + extra)
        for p, rec in bad:
            w.writerow([rec.get(h, "") or "" for h in headers] + [p.row, p.field, p.reason])
    return path
