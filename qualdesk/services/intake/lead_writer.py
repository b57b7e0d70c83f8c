"""The write phase of a lead import, chunk by chunk, inside the import's one transaction.

Per chunk of checked rows: ``check`` matches them to leads (``lead_match``: by the
database, which holds every earlier chunk already), then ``write`` sends the chunk's new
leads and their first hand raise to the sink at once (see ``row_sink``) and keeps its
merges until the next chunk's ``check`` (or ``finish``): by then the sink has drained, so
the new leads they may name are in the database, and they are applied through the same
service code as one-by-one edits (see ``merge_writes``). Nothing of a chunk is held past
the next one: memory is flat in the row count (what is kept per lead is its id, in runs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.models import (
    Campaign,
    DesignationChange,
    HandRaise,
    Lead,
    Note,
)
from qualdesk.domain import designation as dz
from qualdesk.errors import InvalidInput
from qualdesk.services import audit
from qualdesk.services.designations import move
from qualdesk.services.hand_raises import add_hand_raise
from qualdesk.services.intake import bulk, merge_writes
from qualdesk.services.intake import new_lead_rows as rows
from qualdesk.services.intake.import_meter import Meter
from qualdesk.services.intake.lead_lookup import CHUNK
from qualdesk.services.intake.lead_match import Matcher, Plan
from qualdesk.services.intake.lead_rows import LeadDraft
from qualdesk.services.intake.outcome import LeadIds, Warnings
from qualdesk.services.intake.row_sink import CopyThread, Inline

_FILLABLE = ("first_name", "last_name", "company", "title", "country", "city", "website",
             "industry", "lead_source", "external_id")
_Job = tuple[Any, tuple[str, ...], list[tuple[Any, ...]]]


def fill_blanks(lead: Lead, d: LeadDraft) -> None:
    """A known lead takes the row's values where it has none; it never loses one
    (an import's merged row, and one lead arriving live: ``intake.live.one_lead``)."""
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


class LeadWriter:
    def __init__(self, s: Session, sink: Inline | CopyThread, meter: Meter, source: str,
                 campaign: str | None, warnings: Warnings, file_name: str) -> None:
        self.s, self.sink, self.meter = s, sink, meter
        self.source, self.default_name = source, campaign
        self.warn, self.file_name = warnings, file_name
        self.now = clock.now()
        self.memo: bulk.Memo = sink.memo
        self.matcher = Matcher()
        self.ids = LeadIds()
        self.imported = self.merged = self.raises = 0
        # The last written chunk's merges (lead ids resolved) and its do-not-call leads.
        self.merges: list[tuple[LeadDraft, int]] = []
        self.dnc: list[int] = []
        self.notes: list[tuple[Any, ...]] = []
        self.stopped = False
        # Where merges' service calls add their rows (see ``merge_writes``).
        self.collector = merge_writes.Collector()
        self.sink_session = cast(Session, self.collector)
        self.campaigns: dict[str, Campaign] = {
            c.name.lower(): c for c in s.scalars(select(Campaign))}
        default = next((c for c in self.campaigns.values() if c.is_default), None)
        if default is None:
            raise InvalidInput("the database has no default campaign: an admin upgrades it "
                               "(Settings → Team setup, first step)",
                               cli="run `qualdesk db upgrade`")
        self.default_campaign = default

    def campaign(self, name: str | None) -> Campaign:
        if not name:
            return self.default_campaign
        found = self.campaigns.get(name.lower())
        if found is None:
            self.sink.drain()  # the connection is needed here, and free only when drained
            found = Campaign(name=name, created_at=clock.now())
            self.s.add(found)
            self.s.flush()
            self.campaigns[name.lower()] = found
            self.warn.add(f"new-campaign:{name.lower()}",
                          f"campaign {name!r} did not exist; created with default settings "
                          "(script and templates 'default', one-hour SLA)")
        return found

    def check(self, drafts: list[LeadDraft]) -> Plan:
        """The next rows, in file order, matched to leads (a row that names no lead and
        has no name becomes bad). The previous chunk is written out first, its merges
        included, so the lookups see it."""
        self.sink.drain()
        if not self.stopped:
            self._apply_merges()
        return self.matcher.match(self.s, drafts)

    def stop(self) -> None:
        """Refused: nothing more is written (rows are still checked, for the report)."""
        self.stopped = True

    def write(self, plan: Plan) -> None:
        """The chunk's new leads to the sink; its merges wait for the next ``check``."""
        conn = self.s.connection()
        camps = [self.campaign(d.campaign or self.default_name) for d in plan.new]
        ids = bulk.reserve_ids(conn, Lead.__table__, len(plan.new)) if plan.new else []
        self.ids.extend(ids)
        self.matcher.written()
        self.imported += len(ids)
        self.merged += len(plan.merges)
        self.merges = [(d, t if isinstance(t, int) else ids[t[1]]) for d, t in plan.merges]
        self.dnc = [i for d, i in zip(plan.new, ids, strict=True) if d.do_not_call]
        now = self.now
        first = rows.RaiseRows(self.source, now)
        notes = []
        for d, camp, lead_id in zip(plan.new, camps, ids, strict=True):
            first.add(lead_id, d, camp)
            if d.notes:
                notes.append(rows.note_row(lead_id, d.notes, now))
        self.raises += len(first.raises)
        # On PostgreSQL the audit rows go through the view the database writes them from.
        audit_rows = SimpleNamespace(__table__=audit.target(conn))
        self._send([
            (Lead, rows.LEAD_COLUMNS, [rows.lead_row(lead_id, d, camp, now) for d, camp, lead_id
                                       in zip(plan.new, camps, ids, strict=True)]),
            (HandRaise, rows.RAISE_COLUMNS, first.raises),
            (DesignationChange, rows.HISTORY_COLUMNS, first.history),
            (audit_rows, rows.AUDIT_COLUMNS, first.audits),
            (audit_rows, rows.AUDIT_COLUMNS, [rows.import_audit_row(i, self.file_name, now)
                                              for i in ids]),
            (Note, rows.NOTE_COLUMNS, notes),
        ], len(ids))

    def _send(self, jobs: list[_Job], units: int) -> None:
        """The jobs in chunks of ``bulk.CHUNK_ROWS``, sharing ``units`` by row count."""
        size = bulk.CHUNK_ROWS
        pieces = [(model, cols, values[i:i + size]) for model, cols, values in jobs
                  for i in range(0, len(values), size)]
        total = sum(len(p[2]) for p in pieces)
        if not total:
            self.meter.earn(units)
            return
        done = given = 0
        for model, cols, values in pieces:
            done += len(values)
            share = units * done // total - given
            given += share
            self.sink.put(model.__table__, cols, values, share)

    def finish(self) -> tuple[int, int, int, LeadIds]:
        """Apply the last merges; returns (new leads, merged rows, hand raises, new ids)."""
        self.sink.drain()
        self._apply_merges()
        audit.bump(self.s, "import")
        self.s.flush()
        self.meter.tick()  # the commit is all that is left
        return self.imported, self.merged, self.raises, self.ids

    def _apply_merges(self) -> None:
        """The last written chunk's merges and do-not-call moves, on detached leads (their
        changes are written by ``merge_writes``, not by a flush). The sink is drained."""
        merges, dnc = self.merges, self.dnc
        if not (merges or dnc):
            return
        self.merges, self.dnc = [], []
        s = self.s
        target_ids = [lead_id for _, lead_id in merges]
        loaded = self._load(target_ids + dnc)
        seen = self._existing_raises(target_ids)
        for lead in loaded.values():
            s.expunge(lead)
        for lead_id in dnc:
            move(self.sink_session, loaded[lead_id], dz.Designation.DO_NOT_CALL, None,
                 "imported as do-not-call")
        for n, (d, lead_id) in enumerate(merges, 1):
            self.raises += self._merge(d, loaded[lead_id], seen)
            if n % 250 == 0:
                self.meter.earn(250)
                self.meter.tick()
        self.meter.earn(len(merges) % 250)
        conn = s.connection()
        if self.notes:
            bulk.insert_rows(conn, Note.__table__, rows.NOTE_COLUMNS, self.notes, self.memo)
            self.notes = []
        s.flush()  # campaigns the merges created
        merge_writes.flush_collected(conn, loaded.values(), self.collector, self.memo,
                                     self.meter.tick)
        self.meter.tick()

    def _load(self, ids: Iterable[int]) -> dict[int, Lead]:
        out: dict[int, Lead] = {}
        wanted = sorted(set(ids))
        q = select(Lead).where(Lead.id.in_(bindparam("ids", expanding=True)))
        for i in range(0, len(wanted), CHUNK):
            out.update({lead.id: lead for lead in self.s.scalars(
                q, {"ids": wanted[i:i + CHUNK]}).unique()})
        return out

    def _existing_raises(self, lead_ids: Sequence[int]) -> set[tuple[int, str, object]]:
        seen: set[tuple[int, str, object]] = set()
        wanted = sorted(set(lead_ids))
        q = select(HandRaise.lead_id, HandRaise.kind, HandRaise.raised_at).where(
            HandRaise.lead_id.in_(bindparam("ids", expanding=True)))
        for i in range(0, len(wanted), CHUNK):
            seen.update((lead_id, k, at) for lead_id, k, at in self.s.execute(
                q, {"ids": wanted[i:i + CHUNK]}))
        return seen

    def _merge(self, d: LeadDraft, lead: Lead, seen: set[tuple[int, str, object]]) -> int:
        fill_blanks(lead, d)
        explicit = d.campaign or self.default_name
        if explicit and d.hand_raise is not None:
            lead.campaign_id = self.campaign(explicit).id
        n = self._raise(d, lead, seen)
        if d.do_not_call and dz.can_move(dz.Designation(lead.designation),
                                         dz.Designation.DO_NOT_CALL):
            move(self.sink_session, lead, dz.Designation.DO_NOT_CALL, None,
                 "imported as do-not-call")
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
        explicit = d.campaign or self.default_name
        camp = self.campaign(explicit) if explicit else self._campaign_of(lead)
        add_hand_raise(self.sink_session, lead, camp, hr.kind, hr.strength, hr.raised_at,
                       details=hr.details, source=self.source)
        return 1

    def _campaign_of(self, lead: Lead) -> Campaign:
        for c in self.campaigns.values():
            if c.id == lead.campaign_id:
                return c
        return self.default_campaign
