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
- one bad row refuses the whole file unless ``skip_bad``; the writes are one transaction,
  so a refused or cancelled import leaves the database as it was.

Speed (100,000 rows): on SQLite every row is read and checked before the write session
starts. On PostgreSQL the writes start with the first chunk of checked rows and a
second thread COPYs them while the next chunk is read (``row_sink.CopyThread``): the
server's foreign-key checks and index updates, most of its work, overlap the client's
reading. A bad row stops further writes, and the transaction is rolled back once every
row has been checked (the ids drawn from the sequence for the chunks already sent are
gone, as after any rolled-back INSERT on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Lead, User
from qualdesk.domain.phones import is_region
from qualdesk.errors import InvalidInput, RowProblem
from qualdesk.services import team_settings
from qualdesk.services.hand_raises import kind_strengths
from qualdesk.services.intake import bulk
from qualdesk.services.intake.csv_source import Table, read_table
from qualdesk.services.intake.header_aliases import map_headers
from qualdesk.services.intake.import_meter import Meter
from qualdesk.services.intake.lead_lookup import lookup
from qualdesk.services.intake.lead_rows import LeadDraft, LeadRowParser, RowContext
from qualdesk.services.intake.lead_writer import LeadWriter
from qualdesk.services.intake.outcome import (
    CancelFlag,
    ImportResult,
    Progress,
    Warnings,
)
from qualdesk.services.intake.row_sink import CopyThread, Inline

_IDENTITY_FIELDS = ("first_name", "last_name", "full_name", "company", "email", "phone",
                    "mobile")
# Rows read and checked before their writes are sent (PostgreSQL): small enough that the
# first COPY starts early and the last one leaves little to wait for.
_READ_CHUNK = 5_000
# SQLite page cache during the writes, KiB (a 100,000-lead import touches ~60 MiB).
_IMPORT_CACHE_KIB = 131_072


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


class _Refused(Exception):
    """A bad row and no ``skip_bad``: rolls the streamed writes back."""


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
    for w in table.warnings:  # what reading the file assumed or changed (encoding, NULs)
        warnings.add(f"file:{w}", w)
    for h in hm.unknown:
        warnings.add(f"col:{h}", f"column {h!r} is not a lead field; ignored "
                     f"(use --map '{h}=field' to import it)")
    parser = LeadRowParser(table.headers, hm, _row_context(db, opts), warnings)
    meter = Meter(progress, cancel, len(table.rows))
    chunks = _read(table, parser, meter)
    problems: list[RowProblem] = []
    try:
        if db.is_postgres:
            counts = _streamed(db, chunks, opts, warnings, table.name, meter, problems)
        else:
            counts = _read_then_write(db, chunks, opts, warnings, table.name, meter, problems)
    except _Refused:
        return ImportResult(0, 0, tuple(problems), False, warnings.lines(), table=table)
    meter.finish()
    imported, merged, raises, ids = counts
    return ImportResult(imported, merged, tuple(problems), True, warnings.lines(), raises,
                        tuple(ids), table=table)


def _read(table: Table, parser: LeadRowParser, meter: Meter) -> Iterator[list[LeadDraft]]:
    """The rows as drafts, ``_READ_CHUNK`` at a time, ticking every 250 rows."""
    chunk: list[LeadDraft] = []
    for i, (number, cells) in enumerate(table.numbered()):  # one streaming pass
        chunk.append(parser.parse(number, cells))
        if i % 250 == 0:
            meter.read = i
            meter.tick()
        if len(chunk) == _READ_CHUNK:
            meter.read = i + 1
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_Counts = tuple[int, int, int, list[int]]


def _read_then_write(db: Database, chunks: Iterator[list[LeadDraft]], opts: LeadImportOptions,
                     warnings: Warnings, name: str, meter: Meter,
                     problems: list[RowProblem]) -> _Counts:
    """SQLite: every row read and checked, then one write session (it holds the
    database's only write lock for as short a time as possible)."""
    drafts = [d for chunk in chunks for d in chunk]
    with db.session(write=False) as s:
        _NameCheck().check(s, drafts)
    problems.extend(p for d in drafts for p in d.problems)
    if problems and not opts.skip_bad:
        raise _Refused
    meter.read = len(drafts)
    meter.earn(sum(1 for d in drafts if d.problems))  # bad rows write nothing
    meter.tick()
    with db.session() as s, _page_cache(s.connection()) as conn:
        sink = Inline(conn, meter, {})
        writer = LeadWriter(s, s, sink, meter, opts.source, opts.campaign, warnings, name)
        good = [d for d in drafts if not d.problems]
        for i in range(0, len(good), _READ_CHUNK):
            writer.add(good[i:i + _READ_CHUNK])
        return writer.finish()


@contextmanager
def _page_cache(conn: Connection) -> Iterator[Connection]:
    """SQLite's page cache (2 MiB by default) raised for the writes: new rows land all
    over the leads table's seven indexes, and a small cache reads the same index pages
    back again and again. Put back before the commit, so the pooled connection does not
    keep the pages."""
    old = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{_IMPORT_CACHE_KIB}")
    try:
        yield conn
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(old)}")


def _streamed(db: Database, chunks: Iterator[list[LeadDraft]], opts: LeadImportOptions,
              warnings: Warnings, name: str, meter: Meter,
              problems: list[RowProblem]) -> _Counts:
    """PostgreSQL: each chunk's writes go out while the next chunk is read."""
    with db.session() as s, db.session(write=False) as side, \
            CopyThread(s.connection(), meter, {}) as sink:
        writer = LeadWriter(s, side, sink, meter, opts.source, opts.campaign, warnings, name)
        names = _NameCheck()
        refused = False
        for drafts in chunks:
            sink.poll()
            names.check(side, drafts)
            bad = [d for d in drafts if d.problems]
            problems.extend(p for d in bad for p in d.problems)
            refused = refused or (bool(bad) and not opts.skip_bad)
            if refused:
                continue  # every row is still checked, for the full list of problems
            meter.earn(len(bad))
            writer.add([d for d in drafts if not d.problems])
        if refused:
            raise _Refused
        meter.read = meter.total // 2
        meter.tick()
        return writer.finish()


class _NameCheck:
    """A row without name or company is fine when it names a lead already known (by
    email, or by phone when it has no email): a hand-raise update. Otherwise it is bad.
    Checked in file order, one chunk at a time: a row may name a lead of an earlier row."""

    def __init__(self) -> None:
        self.emails: set[str] = set()
        self.phones: set[str] = set()

    def check(self, s: Session, drafts: list[LeadDraft]) -> None:
        nameless = [d for d in drafts if d.nameless and not d.problems]
        if nameless:
            self.emails.update(lookup(s, Lead.email_norm,
                                      [d.email_norm for d in nameless if d.email_norm]))
            self.phones.update(lookup(s, Lead.phone, [d.phone.e164 for d in nameless
                                                      if d.phone and not d.email_norm]))
        for d in drafts:
            if d.problems:
                continue
            if d.nameless:
                known = (d.email_norm in self.emails) if d.email_norm else \
                    (d.phone is not None and d.phone.e164 in self.phones)
                if not known:
                    d.problems.append(RowProblem(d.row, "name", "",
                                                 "a lead needs a name or a company"))
            # Later rows may merge into this one.
            if d.email_norm:
                self.emails.add(d.email_norm)
            elif d.phone:
                self.phones.add(d.phone.e164)


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
