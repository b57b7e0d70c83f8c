"""``qualdesk import activity``: past calls, voicemails and emails onto known leads.

Calls go through ``record_attempt`` (source "import") and emails become sent ``Email``
rows stamped on the SLA clock, exactly as if they had happened in the app. Rows are
applied in time order, so "first call after the hand raise" is the earliest one whatever
the file's order. Each row carries a key derived from its content: importing the same file
twice adds nothing the second time (those rows count as ``merged``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Disposition, Email, Lead, User
from qualdesk.domain import designation as dz
from qualdesk.domain.codes import VOICEMAIL, normalise_code
from qualdesk.domain.email_address import row_reason
from qualdesk.domain.phones import PhoneError, parse_phone
from qualdesk.domain.words import designation as said_designation
from qualdesk.errors import InvalidInput, RowProblem
from qualdesk.services import team_settings
from qualdesk.services.calls import record_attempt
from qualdesk.services.hand_raises import stamp_email
from qualdesk.services.intake.csv_source import Table, read_table
from qualdesk.services.intake.dates import DateError, parse_when
from qualdesk.services.intake.header_aliases import map_headers
from qualdesk.services.intake.outcome import CancelFlag, ImportResult, Progress, Warnings, tick

_ALIASES = {
    "leademail": "lead_email", "email": "lead_email",
    "leadphone": "lead_phone", "phone": "lead_phone",
    "leadid": "lead_id", "lead": "lead_id",
    "type": "type", "activity": "type", "activitytype": "type", "kind": "type",
    "at": "at", "date": "at", "time": "at", "when": "at", "startedat": "at",
    "rep": "rep", "user": "rep", "by": "rep", "agent": "rep",
    "disposition": "disposition", "outcome": "disposition", "result": "disposition",
    "subject": "subject", "notes": "notes", "note": "notes", "body": "notes",
}
TYPES = ("call", "voicemail", "email")
Report = Callable[[str, str], None]  # (field, reason) -> records a row problem


@dataclass
class _Row:
    row: int
    lead: Lead
    kind: str
    at: datetime
    rep: User
    disposition: str | None
    subject: str
    notes: str | None
    to_addr: str | None
    key: str


def import_activity(db: Database, source: Path | str | Table, *, skip_bad: bool = False,
                    default_region: str | None = None, progress: Progress | None = None,
                    cancel: CancelFlag | None = None) -> ImportResult:
    table = source if isinstance(source, Table) else read_table(source)
    hm = map_headers(table.headers, lookup=_ALIASES)
    missing = [c for c in ("type", "at", "rep") if not hm.has(c)]
    if not any(hm.has(c) for c in ("lead_email", "lead_phone", "lead_id")):
        missing.insert(0, "lead_email or lead_phone or lead_id")
    if missing:
        raise InvalidInput(f"{table.name}: missing column(s): {', '.join(missing)} "
                           f"(found: {', '.join(table.headers)})")
    if not table.rows:
        raise InvalidInput(f"{table.name}: a header but no activity rows")
    warnings = Warnings()
    for w in table.warnings:  # what reading the file assumed or changed (encoding, NULs)
        warnings.add(f"file:{w}", w)
    for h in hm.unknown:
        warnings.add(f"col:{h}", f"column {h!r} is not an activity field; ignored")
    total = len(table.rows) * 2
    with db.session() as s:
        checker = _Checker(s, table, hm.fields, default_region, warnings)
        rows: list[_Row] = []
        problems: list[RowProblem] = []
        read_problems = table.read_problems  # rows an open quote swallowed
        for i, (number, cells) in enumerate(table.numbered()):
            if number in read_problems:
                problems.append(read_problems[number])
                continue
            row, bad = checker.check(number, cells)
            problems.extend(bad)
            if row is not None and not bad:
                rows.append(row)
            if i % 250 == 0:
                tick(progress, cancel, i, total)
        if problems and not skip_bad:
            return ImportResult(0, 0, tuple(problems), False, warnings.lines(), table=table)
        imported, merged = _apply(s, sorted(rows, key=lambda r: r.at), progress, cancel, total)
        tick(progress, cancel, total, total)
    return ImportResult(imported, merged, tuple(problems), True, warnings.lines(), table=table)


class _Checker:
    """Validates rows against the database (leads, reps, dispositions) without writing."""

    def __init__(self, s: Session, table: Table, fields: dict[str, int],
                 default_region: str | None, warnings: Warnings) -> None:
        self.s, self.table, self.fields, self.warn = s, table, fields, warnings
        tz_name = team_settings.get(s, "team.timezone")
        self.tz_name, self.tz = tz_name, ZoneInfo(tz_name)
        self.region = (default_region or team_settings.get(s, "import.default_region")
                       or "US").upper()
        self.reps = {u.name.lower(): u for u in s.scalars(select(User))}
        self.dispositions = set(s.scalars(select(Disposition.code)))
        self._leads: dict[tuple[str, str], Lead | None] = {}

    def _col(self, field: str) -> str:
        return self.table.headers[self.fields[field]]

    def check(self, number: int, cells: tuple[str, ...]) -> tuple[_Row | None, list[RowProblem]]:
        get = {f: (cells[i].strip() if i < len(cells) else "") for f, i in self.fields.items()}
        bad: list[RowProblem] = []

        def problem(field: str, reason: str) -> None:
            bad.append(RowProblem(number, self._col(field) if field in self.fields else field,
                                  get.get(field, ""), reason))

        lead = self._lead(get, problem)
        kind = normalise_code(get["type"])
        if kind not in TYPES:
            problem("type", f"expected one of {', '.join(TYPES)}")
        at: datetime | None = None
        try:
            at, assumed = parse_when(get["at"], self.tz)
            if assumed:
                self.warn.add("naive-date", f"'at' has no UTC offset; read in the team time "
                              f"zone {self.tz_name}", number)
        except DateError as exc:
            problem("at", str(exc))
        rep = self.reps.get(get["rep"].lower()) if get["rep"] else None
        if rep is None:
            problem("rep", "no such person: a team lead or admin adds them under Settings → "
                    "People and roles" if get["rep"]
                    else "who made the call or sent the email is required")
        disposition = self._disposition(kind, get, problem)
        if kind == "call" and disposition == "dnc_request" and lead is not None and \
                not dz.can_move(dz.Designation(lead.designation), dz.Designation.DO_NOT_CALL):
            problem("disposition", f"lead {lead.id} is {said_designation(lead.designation).lower()}; "
                    "it cannot become do not call")
        to_addr = None
        if kind == "email" and lead is not None:
            to_addr = lead.email or (get.get("lead_email") or None)
            if not to_addr:
                problem("lead_id", f"lead {lead.id} has no email address to have sent to")
        if bad or lead is None or at is None or rep is None:
            return None, bad
        subject = get.get("subject") or ("(no subject)" if kind == "email" else "")
        ident = "|".join([str(lead.id), kind, at.isoformat(), str(rep.id), disposition or "",
                          subject])
        key = "import:" + hashlib.sha1(ident.encode()).hexdigest()
        return _Row(number, lead, kind, at, rep, disposition, subject,
                    get.get("notes") or None, to_addr, key), bad

    def _disposition(self, kind: str, get: dict[str, str], problem: Report) -> str | None:
        raw = get.get("disposition", "")
        if kind == "voicemail":
            return VOICEMAIL  # a voicemail is a call whose outcome is the message left
        if kind != "call":
            return None
        if not raw:
            problem("disposition", "a call needs a disposition")
            return None
        code = normalise_code(raw)
        if code not in self.dispositions:
            problem("disposition",
                    f"unknown disposition (known: {', '.join(sorted(self.dispositions))})")
            return None
        return code

    def _lead(self, get: dict[str, str], problem: Report) -> Lead | None:
        report = problem
        if get.get("lead_id"):
            raw = get["lead_id"]
            if not raw.isdigit():
                report("lead_id", "not a lead id (a whole number)")
                return None
            return self._find("id", raw, report, "lead_id")
        if get.get("lead_email"):
            raw = get["lead_email"]
            reason = row_reason(raw)
            if reason:
                report("lead_email", reason)
                return None
            return self._find("email", raw.lower(), report, "lead_email")
        if get.get("lead_phone"):
            try:
                e164 = parse_phone(get["lead_phone"], self.region).e164
            except PhoneError as exc:
                report("lead_phone", str(exc))
                return None
            return self._find("phone", e164, report, "lead_phone")
        report("lead_email", "a row needs lead_email, lead_phone or lead_id")
        return None

    def _find(self, by: str, value: str, report: Report, field: str) -> Lead | None:
        key = (by, value)
        if key not in self._leads:
            if by == "id":
                q = select(Lead).where(Lead.id == int(value))
            elif by == "email":
                q = select(Lead).where(Lead.email_norm == value).order_by(Lead.id)
            else:
                q = select(Lead).where((Lead.phone == value) | (Lead.mobile == value)) \
                    .order_by(Lead.id)
            self._leads[key] = self.s.scalars(q.limit(1)).unique().first()
        lead = self._leads[key]
        if lead is None:
            report(field, "no such lead")
        return lead


def _apply(s: Session, rows: list[_Row], progress: Progress | None, cancel: CancelFlag | None,
           total: int) -> tuple[int, int]:
    keys = [r.key for r in rows]
    done: set[str] = set(s.scalars(select(Attempt.idempotency_key)
                                   .where(Attempt.idempotency_key.in_(keys))))
    msg_ids = [_message_id(k) for k in keys]
    done |= {m[1:].split("@")[0] for m in s.scalars(
        select(Email.message_id).where(Email.message_id.in_(msg_ids))) if m}
    imported = merged = 0
    half = total // 2
    for i, r in enumerate(rows):
        if r.key in done:
            merged += 1
            continue
        done.add(r.key)
        if r.kind == "email":
            s.add(Email(lead_id=r.lead.id, rep_id=r.rep.id, template=None, to_addr=r.to_addr,
                        from_addr=r.rep.email, reply_to=r.rep.email, subject=r.subject,
                        body_text=r.notes or "", message_id=_message_id(r.key), status="sent",
                        tries=1, created_at=r.at, sent_at=r.at, source="import"))
            s.flush()
            stamp_email(s, r.lead.id, r.at)
        else:
            assert r.disposition is not None
            record_attempt(s, r.lead, r.rep.id, r.disposition, started_at=r.at,
                           notes=r.notes, source="import", idempotency_key=r.key)
        imported += 1
        if i % 250 == 0:
            tick(progress, cancel, half + i * half // max(len(rows), 1), total)
    for r in rows:
        r.lead.updated_at = clock.now()
    return imported, merged


def _message_id(key: str) -> str:
    return f"<{key}@qualdesk.invalid>"
