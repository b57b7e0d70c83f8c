"""``qualdesk import leads``: a CSV of leads into leads and hand raises, all or nothing.

Rules (DESIGN.md "Contract details"):
- a row with the same email (case-insensitive) as a known lead or an earlier row is that
  lead; a row without email merges on its E.164 phone; same phone with a different email is
  a different person (a shared switchboard). A merged row fills the lead's blank fields
  (never overwrites) and adds its hand raise; the same hand raise (kind and time) twice is
  kept once, so importing a file again adds nothing.
- a row without ``hand_raised_at`` and without ``hand_raise`` is imported cold (no hand
  raise); with a kind but no time it is raised at import time (with a warning).
- phones: the first valid of Phone / Mobile becomes the phone; a row is bad only when
  every number it gives is invalid (the dropped value is named in a warning).
- one bad row refuses the whole file unless ``skip_bad``; nothing is written before every
  row has been checked, and the writes are one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import (
    AuditEntry,
    Campaign,
    DesignationChange,
    HandRaise,
    Lead,
    Note,
    User,
)
from qualdesk.domain import designation as dz
from qualdesk.domain.phones import is_region
from qualdesk.errors import InvalidInput, RowProblem
from qualdesk.services import audit, team_settings
from qualdesk.services.designations import move
from qualdesk.services.hand_raises import add_hand_raise, kind_strengths
from qualdesk.services.intake import bulk, merge_writes
from qualdesk.services.intake import new_lead_rows as rows
from qualdesk.services.intake.csv_source import Table, read_table
from qualdesk.services.intake.header_aliases import map_headers
from qualdesk.services.intake.lead_rows import LeadDraft, LeadRowParser, RowContext
from qualdesk.services.intake.outcome import (
    CancelFlag,
    ImportResult,
    Progress,
    Warnings,
    tick,
)

_IDENTITY_FIELDS = ("first_name", "last_name", "full_name", "company", "email", "phone",
                    "mobile")
_FILLABLE = ("first_name", "last_name", "company", "title", "country", "city", "website",
             "industry", "lead_source", "external_id")
_CHUNK = 500


@dataclass(frozen=True)
class LeadImportOptions:
    campaign: str | None = None
    default_region: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    skip_bad: bool = False
    source: str = "import"


def import_leads(db: Database, source: Path | str | Table,
                 options: LeadImportOptions | None = None, progress: Progress | None = None,
                 cancel: CancelFlag | None = None) -> ImportResult:
    with bulk.gc_paused():
        return _import(db, source, options or LeadImportOptions(), progress, cancel)


def _import(db: Database, source: Path | str | Table, opts: LeadImportOptions,
            progress: Progress | None, cancel: CancelFlag | None) -> ImportResult:
    table = source if isinstance(source, Table) else read_table(source)
    hm = map_headers(table.headers, opts.mapping)
    if not any(hm.has(f) for f in _IDENTITY_FIELDS):
        raise InvalidInput(
            f"{table.name}: no column names a lead (expected e.g. First Name, Last Name, "
            f"Company, Email, Phone; found: {', '.join(table.headers)}); "
            "map columns with --map COLUMN=field")
    if not table.rows:
        raise InvalidInput(f"{table.name}: a header but no lead rows")
    warnings = Warnings()
    for h in hm.unknown:
        warnings.add(f"col:{h}", f"column {h!r} is not a lead field; ignored "
                     f"(use --map '{h}=field' to import it)")
    ctx = _row_context(db, opts)
    total = len(table.rows) * 2
    parser = LeadRowParser(table.headers, hm, ctx, warnings)
    drafts: list[LeadDraft] = []
    for i, (number, cells) in enumerate(zip(table.numbers, table.rows, strict=True)):
        drafts.append(parser.parse(number, cells))
        if i % 250 == 0:
            tick(progress, cancel, i, total)
    _require_names(db, drafts)
    problems = tuple(p for d in drafts for p in d.problems)
    if problems and not opts.skip_bad:
        return ImportResult(0, 0, problems, False, warnings.lines(), table=table)
    good = [d for d in drafts if not d.problems]
    tick(progress, cancel, len(table.rows), total)
    with db.session() as s:
        writer = _Writer(s, opts, warnings, table.name)
        imported, merged, raises, ids = writer.write(good, progress, cancel, total)
        tick(progress, cancel, total, total)
    return ImportResult(imported, merged, problems, True, warnings.lines(), raises,
                        tuple(ids), table=table)


def _row_context(db: Database, opts: LeadImportOptions) -> RowContext:
    with db.session(write=False) as s:
        tz_name = team_settings.get(s, "team.timezone")
        region = (opts.default_region or team_settings.get(s, "import.default_region")
                  or "US").upper()
        users: dict[str, int] = {}
        for uid, name, email in s.execute(select(User.id, User.name, User.email)):
            users[name.lower()] = uid
            if email:
                users.setdefault(email.lower(), uid)
        strengths = kind_strengths(s)
    if not is_region(region):
        raise InvalidInput(f"--default-region {region!r} is not an ISO 3166 region code "
                           "(e.g. US, GB, DE)")
    return RowContext(ZoneInfo(tz_name), tz_name, region, strengths, users, clock.now())


def _require_names(db: Database, drafts: list[LeadDraft]) -> None:
    """A row without name or company is fine when it names a lead already known (by
    email, or by phone when it has no email): a hand-raise update. Otherwise it is bad."""
    nameless = [d for d in drafts if d.nameless and not d.problems]
    if not nameless:
        return
    with db.session(write=False) as s:
        known_emails = set(_lookup(s, Lead.email_norm, [d.email_norm for d in nameless
                                                        if d.email_norm]))
        known_phones = set(_lookup(s, Lead.phone, [d.phone.e164 for d in nameless
                                                   if d.phone and not d.email_norm]))
    for d in drafts:
        if d.problems:
            continue
        if d.nameless:
            known = (d.email_norm in known_emails) if d.email_norm else \
                (d.phone is not None and d.phone.e164 in known_phones)
            if not known:
                d.problems.append(RowProblem(d.row, "name", "",
                                             "a lead needs a name or a company"))
        # Later rows may merge into this one.
        if d.email_norm:
            known_emails.add(d.email_norm)
        elif d.phone:
            known_phones.add(d.phone.e164)


def _lookup(s: Session, column: Any, values: list[str]) -> dict[str, int]:
    """{value: lowest lead id} for the values that some lead has in ``column``."""
    out: dict[str, int] = {}
    # PostgreSQL takes the values as one array parameter (a round trip per 500 values
    # cost seconds at 100,000 rows); SQLite as an IN list, within its parameter limit.
    pg = s.get_bind().dialect.name == "postgresql"
    size = 20_000 if pg else _CHUNK
    values = sorted(set(values))
    for i in range(0, len(values), size):
        chunk = values[i:i + size]
        cond = column == any_(bindparam("values", chunk, type_=ARRAY(column.type))) if pg \
            else column.in_(chunk)
        q = select(column, func.min(Lead.id)).where(cond).group_by(column)
        out.update({v: lead_id for v, lead_id in s.execute(q)})
    return out


class _Steps:
    """Progress (and the chance to cancel) between bulk-insert chunks: ``units`` rows of
    writes spread over the bar from ``start`` to ``end``."""

    def __init__(self, progress: Progress | None, cancel: CancelFlag | None, start: int,
                 end: int, units: int) -> None:
        self.progress, self.cancel = progress, cancel
        self.start, self.end, self.units, self.done = start, end, max(units, 1), 0

    def advance(self, n: int) -> None:
        self.done = min(self.done + n, self.units)
        at = self.start + (self.end - self.start) * self.done // self.units
        tick(self.progress, self.cancel, min(at, self.end - 1), self.end)


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i:i + _CHUNK]


class _Writer:
    """The write phase: one session, leads matched in bulk, objects flushed in batches."""

    def __init__(self, s: Session, opts: LeadImportOptions, warnings: Warnings,
                 file_name: str) -> None:
        self.s, self.opts, self.warn, self.file_name = s, opts, warnings, file_name
        self.notes: list[tuple[Any, ...]] = []
        self.memo: bulk.Memo = {}
        # Where merges' service calls add their rows (see ``merge_writes``).
        self.sink = cast(Session, merge_writes.Collector())
        self.campaigns: dict[str, Campaign] = {
            c.name.lower(): c for c in s.scalars(select(Campaign))}
        default = next((c for c in self.campaigns.values() if c.is_default), None)
        if default is None:
            raise InvalidInput("no default campaign: run `qualdesk db upgrade`")
        self.default_campaign = default

    def campaign(self, name: str | None, row: int) -> Campaign:
        if not name:
            return self.default_campaign
        found = self.campaigns.get(name.lower())
        if found is None:
            found = Campaign(name=name, created_at=clock.now())
            self.s.add(found)
            self.s.flush()
            self.campaigns[name.lower()] = found
            self.warn.add(f"new-campaign:{name.lower()}",
                          f"campaign {name!r} did not exist; created with default settings "
                          "(script and templates 'default', one-hour SLA)")
        return found

    def write(self, drafts: list[LeadDraft], progress: Progress | None,
              cancel: CancelFlag | None, total: int) -> tuple[int, int, int, list[int]]:
        s = self.s
        by_email = self._known_by_email([d.email_norm for d in drafts if d.email_norm])
        by_phone = self._known_by_phone([d.phone.e164 for d in drafts
                                         if d.phone and not d.email_norm])
        tick(progress, cancel, total // 2 + 1, total)
        new: list[tuple[LeadDraft, Campaign]] = []
        # A merge target is a known lead's id, or ("new", index into ``new``).
        merges: list[tuple[LeadDraft, int | tuple[str, int]]] = []
        file_email: dict[str, int] = {}
        file_phone: dict[str, int] = {}
        now = clock.now()
        for d in drafts:
            if d.email_norm:
                idx = file_email.get(d.email_norm)
                known = by_email.get(d.email_norm)
            else:
                assert d.phone is not None
                idx = file_phone.get(d.phone.e164)
                known = by_phone.get(d.phone.e164)
            if idx is not None:
                merges.append((d, ("new", idx)))
                continue
            if known is not None:
                merges.append((d, known))
                continue
            camp = self.campaign(d.campaign or self.opts.campaign, d.row)
            new.append((d, camp))
            if d.email_norm:
                file_email[d.email_norm] = len(new) - 1
            if d.phone:
                file_phone.setdefault(d.phone.e164, len(new) - 1)
        # Half the bar was reading the rows; the bulk writes share the rest.
        steps = _Steps(progress, cancel, total // 2, total,
                       3 * len(new) + 3 * sum(1 for d, _ in new if d.hand_raise) + len(merges))
        ids = self._insert_new(new, now, steps)
        raises = self._bulk_raises(new, ids, now, steps)
        target_ids = [ids[t[1]] if isinstance(t, tuple) else t for _, t in merges]
        dnc_ids = [ids[i] for i, (d, _) in enumerate(new) if d.do_not_call]
        loaded = self._load(target_ids + dnc_ids)
        seen = self._existing_raises({i: loaded[i] for i in target_ids})
        # Detached: their changes are written by ``merge_writes``, not by a flush.
        for lead in loaded.values():
            s.expunge(lead)
        for lead_id in dnc_ids:
            move(self.sink, loaded[lead_id], dz.Designation.DO_NOT_CALL, None,
                 "imported as do-not-call")
        for n, ((d, _), lead_id) in enumerate(zip(merges, target_ids, strict=True), 1):
            raises += self._merge(d, loaded[lead_id], seen)
            if n % 250 == 0:
                steps.advance(250)
        if self.notes:
            self._core_insert(Note, rows.NOTE_COLUMNS, self.notes)
        if new:
            self._core_insert(AuditEntry, rows.AUDIT_COLUMNS, (
                rows.import_audit_row(i, self.file_name, now) for i in ids), steps)
        s.flush()  # campaigns the merges created
        merge_writes.flush_collected(s.connection(), loaded.values(),
                                     cast(merge_writes.Collector, self.sink), self.memo)
        audit.bump(s, "import")
        s.flush()
        return len(new), len(merges), raises, ids

    def _core_insert(self, model: Any, columns: tuple[str, ...],
                     values: Iterable[tuple[Any, ...]], steps: _Steps | None = None) -> None:
        # Straight to the driver: neither ORM objects nor SQLAlchemy's per-row parameter
        # handling (together most of a 100,000-row import's write time). Rows are built
        # chunk by chunk, so the progress bar moves from the first one.
        conn = self.s.connection()
        it = iter(values)
        while chunk := list(islice(it, bulk.CHUNK_ROWS)):
            bulk.insert_rows(conn, model.__table__, columns, chunk, self.memo)
            if steps is not None:
                steps.advance(len(chunk))

    def _insert_new(self, new: list[tuple[LeadDraft, Campaign]], now: datetime,
                    steps: _Steps) -> list[int]:
        """Bulk insert with ids reserved up front (ORM objects for 100,000 leads cost
        tens of seconds, and INSERT … RETURNING runs row by row on SQLite)."""
        if not new:
            return []
        ids = bulk.reserve_ids(self.s.connection(), Lead.__table__, len(new))
        self._core_insert(Lead, rows.LEAD_COLUMNS, (
            rows.lead_row(lead_id, d, camp, now)
            for (d, camp), lead_id in zip(new, ids, strict=True)), steps)
        self.notes.extend(rows.note_row(lead_id, d.notes, now)
                          for (d, _), lead_id in zip(new, ids, strict=True) if d.notes)
        return ids

    def _bulk_raises(self, new: list[tuple[LeadDraft, Campaign]], ids: list[int],
                     now: datetime, steps: _Steps) -> int:
        out = rows.RaiseRows(self.opts.source, now)
        for (d, camp), lead_id in zip(new, ids, strict=True):
            out.add(lead_id, d, camp)
        self._core_insert(HandRaise, rows.RAISE_COLUMNS, out.raises, steps)
        self._core_insert(DesignationChange, rows.HISTORY_COLUMNS, out.history, steps)
        self._core_insert(AuditEntry, rows.AUDIT_COLUMNS, out.audits, steps)
        return len(out.raises)

    def _known_by_email(self, emails: list[str]) -> dict[str, int]:
        return _lookup(self.s, Lead.email_norm, emails)

    def _known_by_phone(self, phones: list[str]) -> dict[str, int]:
        return _lookup(self.s, Lead.phone, phones)

    def _load(self, ids: Iterable[int]) -> dict[int, Lead]:
        out: dict[int, Lead] = {}
        for chunk in _chunks(sorted(set(ids))):  # type: ignore[arg-type]
            out.update({lead.id: lead for lead in
                        self.s.scalars(select(Lead).where(Lead.id.in_(chunk))).unique()})
        return out

    def _existing_raises(self, leads: dict[int, Lead]) -> set[tuple[int, str, object]]:
        seen: set[tuple[int, str, object]] = set()
        for chunk in _chunks(sorted(leads)):  # type: ignore[arg-type]
            q = select(HandRaise.lead_id, HandRaise.kind, HandRaise.raised_at).where(
                HandRaise.lead_id.in_(chunk))
            seen.update((i, k, at) for i, k, at in self.s.execute(q))
        return seen

    def _merge(self, d: LeadDraft, lead: Lead, seen: set[tuple[int, str, object]]) -> int:
        for name in _FILLABLE:
            if getattr(lead, name) in (None, "") and getattr(d, name):
                setattr(lead, name, getattr(d, name))
        if lead.email is None and d.email:
            lead.email, lead.email_norm = d.email, d.email_norm
        if lead.phone is None and d.phone:
            lead.phone, lead.phone_ext = d.phone.e164, d.phone.ext
            lead.phone_region, lead.time_zones = d.phone.region, list(d.phone.time_zones)
        if lead.mobile is None and d.mobile:
            lead.mobile = d.mobile.e164
        if lead.owner_id is None and d.owner_id is not None:
            lead.owner_id = d.owner_id
        explicit = d.campaign or self.opts.campaign
        if explicit and d.hand_raise is not None:
            lead.campaign_id = self.campaign(explicit, d.row).id
        n = self._raise(d, lead, seen)
        if d.do_not_call and dz.can_move(dz.Designation(lead.designation),
                                         dz.Designation.DO_NOT_CALL):
            move(self.sink, lead, dz.Designation.DO_NOT_CALL, None, "imported as do-not-call")
        if d.notes:
            self.notes.append(rows.note_row(lead.id, d.notes, clock.now()))
        lead.updated_at = clock.now()
        return n

    def _raise(self, d: LeadDraft, lead: Lead, seen: set[tuple[int, str, object]]) -> int:
        hr = d.hand_raise
        if hr is None:
            return 0
        key = (lead.id, hr.kind, hr.raised_at)
        if key in seen:
            self.warn.add("same-raise", "the same hand raise (kind and time) is already on the "
                          "lead; not added twice", d.row)
            return 0
        seen.add(key)
        camp = self.campaign(d.campaign or self.opts.campaign, d.row) \
            if (d.campaign or self.opts.campaign) else self._campaign_of(lead)
        add_hand_raise(self.sink, lead, camp, hr.kind, hr.strength, hr.raised_at,
                       details=hr.details, source=self.opts.source)
        return 1

    def _campaign_of(self, lead: Lead) -> Campaign:
        for c in self.campaigns.values():
            if c.id == lead.campaign_id:
                return c
        return self.default_campaign
