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

Streamed, on both engines: the rows are read, checked and written a chunk at a time
inside the one write transaction, so memory is flat in the row count (nothing of a chunk
outlives the next; a row is matched against the database, which already holds the earlier
chunks: ``lead_match``). On PostgreSQL a second thread COPYs each chunk while the next is
read (``row_sink.CopyThread``): the server's foreign-key checks and index updates, most
of its work, overlap the client's reading. A bad row stops further writes, and the
transaction is rolled back once every row has been checked (on PostgreSQL the ids drawn
from the sequence for the chunks already sent are gone, as after any rolled-back INSERT).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import User
from qualdesk.domain.phones import is_region
from qualdesk.errors import InvalidInput, RowProblem
from qualdesk.services import team_settings
from qualdesk.services.hand_raises import kind_strengths
from qualdesk.services.intake import bulk
from qualdesk.services.intake.csv_source import Table, read_table
from qualdesk.services.intake.header_aliases import map_headers
from qualdesk.services.intake.import_meter import Meter
from qualdesk.services.intake.lead_rows import LeadDraft, LeadRowParser, RowContext
from qualdesk.services.intake.lead_writer import LeadWriter
from qualdesk.services.intake.outcome import (
    CancelFlag,
    ImportResult,
    LeadIds,
    Progress,
    Warnings,
)
from qualdesk.services.intake.row_sink import CopyThread, Inline

IDENTITY_FIELDS = ("first_name", "last_name", "full_name", "company", "email", "phone",
                    "mobile")
# Rows read and checked before their writes are sent: small enough that the first COPY
# starts early and the last one leaves little to wait for, and that memory stays flat.
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
    if not any(hm.has(f) for f in IDENTITY_FIELDS):
        raise InvalidInput(
            f"{table.name}: no column names a lead (expected e.g. First Name, Last Name, "
            f"Company, Email, Phone; found: {', '.join(table.headers)}): say which column is "
            "which under Columns in the import window", cli="--map COLUMN=field")
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
    problems: list[RowProblem] = []
    try:
        imported, merged, raises, ids = _write(db, _read(table, parser, meter), opts,
                                               warnings, table.name, meter, problems)
    except _Refused:
        return ImportResult(0, 0, tuple(problems), False, warnings.lines(), table=table)
    meter.finish()
    return ImportResult(imported, merged, tuple(problems), True, warnings.lines(), raises,
                        ids, table=table)


def _read(table: Table, parser: LeadRowParser, meter: Meter) -> Iterator[list[LeadDraft]]:
    """The rows as drafts, ``_READ_CHUNK`` at a time, ticking every 250 rows. A row that
    reading already found bad (swallowed by an open quote) is not parsed."""
    read_problems = table.read_problems
    chunk: list[LeadDraft] = []
    n = 0
    for n, (number, cells) in enumerate(table.numbered(), 1):  # one streaming pass
        bad = read_problems.get(number) if read_problems else None
        chunk.append(parser.parse(number, cells) if bad is None
                     else LeadDraft(row=number, problems=[bad]))
        if n % 250 == 1:
            meter.read = n - 1
            meter.tick()
        if len(chunk) == _READ_CHUNK:
            meter.read = n
            yield chunk
            chunk = []
    if chunk:
        meter.read = n
        yield chunk


def _write(db: Database, chunks: Iterator[list[LeadDraft]], opts: LeadImportOptions,
           warnings: Warnings, name: str, meter: Meter,
           problems: list[RowProblem]) -> tuple[int, int, int, LeadIds]:
    """Each chunk checked and written while the file is read, in one transaction."""
    with db.session() as s, _page_cache(s.connection()) as conn, \
            (CopyThread(conn, meter, {}) if db.is_postgres else Inline(conn, meter, {})) as sink:
        writer = LeadWriter(s, sink, meter, opts.source, opts.campaign, warnings, name)
        for drafts in chunks:
            sink.poll()
            plan = writer.check(drafts)
            bad = [d for d in drafts if d.problems]
            problems.extend(p for d in bad for p in d.problems)
            if bad and not opts.skip_bad:
                writer.stop()  # every row is still checked, for the full list of problems
            if writer.stopped:
                continue
            meter.earn(len(bad))
            writer.write(plan)
        if writer.stopped:
            raise _Refused
        meter.read = meter.total // 2
        meter.tick()
        return writer.finish()


@contextmanager
def _page_cache(conn: Connection) -> Iterator[Connection]:
    """SQLite's page cache (2 MiB by default) raised for the writes: new rows land all
    over the leads table's seven indexes, and a small cache reads the same index pages
    back again and again. Put back before the commit, so the pooled connection does not
    keep the pages. Nothing to do on PostgreSQL."""
    if conn.dialect.name != "sqlite":
        yield conn
        return
    old = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{_IMPORT_CACHE_KIB}")
    try:
        yield conn
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(old)}")


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
