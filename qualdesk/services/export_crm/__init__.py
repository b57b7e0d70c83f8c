"""Export turned-over leads in the files CRMs import without editing.

``export_turned_over(db, fmt, out)`` picks the leads (turned over or accepted, the latest
turn-over of each), builds the rows with the format module, neutralises formula-like
cells, writes the file (header-only when there is nothing new) and marks each lead as
sent in that format, in one unit of work: the marks commit only after the file is
written. A lead already marked for its latest turn-over is skipped unless ``all_``; a
lead turned over again after a rejection is news and goes out again.
"""

from __future__ import annotations

import csv
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from types import ModuleType

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import ExportMark, Lead, Opportunity, TurnOver, User
from qualdesk.errors import InvalidInput
from qualdesk.services.export_crm import hubspot, plain_csv, salesforce
from qualdesk.services.export_crm.common import ExportItem, ExportResult, neutralise

FORMATS: dict[str, ModuleType] = {"salesforce": salesforce, "hubspot": hubspot, "csv": plain_csv}
EXPORTABLE = ("turned_over", "accepted")


def format_module(fmt: str) -> ModuleType:
    try:
        return FORMATS[fmt.strip().lower()]
    except KeyError:
        raise InvalidInput(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})") from None


def default_filename(fmt: str, now: datetime) -> str:
    return f"turned-over-{fmt}-{now:%Y%m%d-%H%M%S}.csv"


def load_items(s: Session, fmt: str, since: datetime | None, all_: bool) -> list[ExportItem]:
    from qualdesk.services.turnover import latest_turnovers_query

    q = latest_turnovers_query().where(Lead.designation.in_(EXPORTABLE))
    if since is not None:
        q = q.where(TurnOver.at >= since)
    q = q.order_by(TurnOver.at, TurnOver.id)
    marks = dict(s.execute(select(ExportMark.lead_id, ExportMark.at)
                           .where(ExportMark.format == fmt)).all())
    users = {u.id: u for u in s.scalars(select(User))}
    weights = dict(s.execute(select(Opportunity.turnover_id, Opportunity.weighting)).all())
    out = []
    for t, lead in s.execute(q).unique():
        if not all_ and lead.id in marks and marks[lead.id] >= t.at:
            continue
        owner = users.get(t.to_user_id) if t.to_user_id else None
        by = users.get(t.by_id) if t.by_id else None
        out.append(ExportItem(
            lead_id=lead.id, designation=lead.designation, turnover_id=t.id,
            turned_over_at=t.at, to_owner=t.to_owner, to_owner_email=owner.email if owner else None,
            by=by.name if by else None, note=t.note, override_reason=t.override_reason,
            verdict=t.verdict, verdict_at=t.verdict_at, verdict_reason=t.verdict_reason,
            outcome=t.outcome, outcome_at=t.outcome_at, weighting=weights.get(t.id),
            snapshot=dict(t.snapshot or {}),
        ))
    return out


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]], *, bom: bool,
              phone_columns: frozenset[str]) -> None:
    """Write atomically (temp file + rename): a failed export leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".qualdesk-export-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
            w.writerow(header)
            for r in rows:
                w.writerow([neutralise(r.get(c, ""), phone=c in phone_columns) for c in header])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mark(s: Session, lead_ids: list[int], fmt: str, now: datetime) -> None:
    existing = {m.lead_id: m for m in s.scalars(
        select(ExportMark).where(ExportMark.format == fmt, ExportMark.lead_id.in_(lead_ids)))}
    for lid in lead_ids:
        if lid in existing:
            existing[lid].at = now
        else:
            s.add(ExportMark(lead_id=lid, format=fmt, at=now))


def export_turned_over(db: Database, fmt: str, out: Path | str | None = None, *,
                       since: date | datetime | None = None, all_: bool = False) -> ExportResult:
    mod = format_module(fmt)
    now = clock.now()
    path = Path(out) if out else Path.cwd() / default_filename(mod.NAME, now)
    warnings: list[str] = []
    with db.session() as s:
        start = None
        if since is not None:
            from qualdesk.services.incubation import start_of_day

            start = since if isinstance(since, datetime) else start_of_day(s, since)
        loaded = load_items(s, mod.NAME, start, all_)
        items = mod.prepare(loaded, warnings)
        rows = [mod.row(item, warnings) for item in items]
        try:
            write_csv(path, list(mod.HEADER), rows, bom=mod.BOM, phone_columns=mod.PHONE_COLUMNS)
        except OSError as exc:
            raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
        # Leads a format folded into another row (HubSpot: same email) count as sent too,
        # or the next export would send the older duplicate over the newer one.
        _mark(s, [i.lead_id for i in loaded], mod.NAME, now)
    return ExportResult(len(rows), mod.NAME, str(path.resolve()), warnings)
