"""The import dialog's column mapping: chosen by the team lead, remembered per file
layout, and columns nobody maps kept as lead details instead of dropped.

- A *layout* is a file's header row, normalised (case, spaces, punctuation), so next
  month's export of the same report maps itself. Layouts are the team's: saved in the
  database (``team_library``, a version per change, by a team lead or an admin), so the
  file maps itself on every machine. Older versions kept them in this machine's config
  folder (``import_mappings.json``): that file is still read beneath the team's layouts
  and copied into the database once (``library_import``).
- ``KEEP`` ("keep as lead details"): those columns become one "State: CA · Created: …"
  line in the lead's notes, so nothing in the file is lost.
- ``raise_hands_now``: leads that arrived without a hand raise are cold (nobody calls a
  cold lead); the team lead may say they did raise their hand, now.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, HandRaise, Lead
from qualdesk.errors import InvalidInput, NotAllowed
from qualdesk.services.intake.csv_source import Table
from qualdesk.services.intake.header_aliases import FIELDS, IGNORE, map_headers, normalise_header

KEEP = "keep_as_details"
DETAILS_COLUMN = "Lead details (kept columns)"


def layout_key(headers: Iterable[str]) -> str:
    """The same for every file whose header row says the same (case and spacing aside)."""
    norm = "|".join(normalise_header(h) for h in headers)
    return hashlib.sha256(norm.encode()).hexdigest()[:16]


def _store() -> Path:
    from qualdesk.paths import config_dir

    return config_dir() / "import_mappings.json"


def load_all() -> dict[str, dict[str, str]]:
    """This machine's saved layouts (the file older versions wrote): key -> mapping."""
    p = _store()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: dict(v) for k, v in data.items() if isinstance(v, dict)}


def saved_mapping(headers: Iterable[str], db: Database | None = None) -> dict[str, str] | None:
    """The mapping saved for this layout (the team's, with ``db``; else this machine's
    file), or None."""
    key = layout_key(headers)
    if db is not None:
        from qualdesk.services import team_library

        with db.session(write=False) as s:
            team = team_library.layout(s, key)
        if team is not None:
            return team
    return load_all().get(key)


def save_mapping(headers: Iterable[str], mapping: Mapping[str, str],
                 db: Database | None = None, by: str | None = None) -> bool:
    """Keep the mapping for files with this layout: in the team's database with ``db`` (a
    new version only when it differs from the current one), else in this machine's file.
    True when something was saved."""
    headers = list(headers)
    _check(headers, mapping)
    key = layout_key(headers)
    if db is not None:
        from qualdesk.services import team_library

        def write(s: Session) -> bool:
            if team_library.layout(s, key) == dict(mapping):
                return False  # the same choice again: no new version
            team_library.add_layout(s, key, headers, mapping, team_library.writer_id(s, by))
            return True

        return team_library.saving(db, write)
    data = load_all()
    data[key] = dict(mapping)
    p = _store()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".json.part")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(p)
    return True


def remember_mapping(db: Database, headers: Iterable[str], mapping: Mapping[str, str],
                     by: str | None = None) -> str:
    """``save_mapping`` after an import that went in: '' when kept (or unchanged), else
    why not (a rep's login may use the team's layouts but not change them) — the import
    itself stands either way."""
    try:
        save_mapping(headers, mapping, db, by)
    except NotAllowed:
        return ("The column choices were not saved for the next file like this one: "
                "only a team lead or an admin may save them.")
    return ""


def initial_mapping(headers: Iterable[str], db: Database | None = None) -> dict[str, str]:
    """Each column's field: the saved choice for this layout (the team's with ``db``),
    else the alias table; a column nobody recognises is kept as lead details (not
    dropped)."""
    headers = list(headers)
    saved = saved_mapping(headers, db)
    if saved is not None and set(saved) == set(headers):
        return saved
    hm = map_headers(headers)
    out = dict.fromkeys(headers, KEEP)
    out.update(dict(hm.mapped))
    return out


def names_a_lead(mapping: Mapping[str, str]) -> bool:
    """Does some column feed a field that names a lead (what the import requires)?"""
    from qualdesk.services.intake import import_leads

    return bool(set(mapping.values()) & set(import_leads.IDENTITY_FIELDS))


def _check(headers: list[str], mapping: Mapping[str, str]) -> None:
    allowed = set(FIELDS) | {IGNORE, KEEP}
    for column, field in mapping.items():
        if column not in headers:
            raise InvalidInput(f"column {column!r} is not in the file")
        if field not in allowed:
            raise InvalidInput(f"column {column!r}: unknown field {field!r}")
    taken: dict[str, str] = {}
    for column, field in mapping.items():
        if field in (IGNORE, KEEP):
            continue
        if field in taken:
            raise InvalidInput(f"columns {taken[field]!r} and {column!r} both feed {field!r}: "
                               "choose one")
        taken[field] = column


def apply_mapping(table: Table, mapping: Mapping[str, str]) -> tuple[Table, dict[str, str]]:
    """The table to import and the ``--map`` overrides for ``import_leads``: kept columns
    folded into one notes column (appended to a mapped notes column's text)."""
    headers = list(table.headers)
    _check(headers, mapping)
    kept = [i for i, h in enumerate(headers) if mapping.get(h) == KEEP]
    overrides = {h: f for h, f in mapping.items() if f != KEEP}
    if not kept:
        return table, overrides
    notes_at = next((i for i, h in enumerate(headers) if mapping.get(h) == "notes"), None)
    names = tuple(headers)

    def fold(r: tuple[str, ...]) -> tuple[str, ...]:  # per row as it is read: never held
        extra = " · ".join(f"{names[i]}: {r[i]}" for i in kept if i < len(r) and r[i].strip())
        if notes_at is None:
            return (*r, extra)
        cells = list(r)
        cells[notes_at] = " · ".join(x for x in (r[notes_at].strip(), extra) if x)
        return tuple(cells)

    for i in kept:
        overrides[headers[i]] = IGNORE
    if notes_at is None:
        headers.append(DETAILS_COLUMN)
        overrides[DETAILS_COLUMN] = "notes"
    return table.with_rows(fold, tuple(headers)), overrides


def without_hand_raise(db: Database, lead_ids: Iterable[int]) -> list[int]:
    """The leads among ``lead_ids`` that have no hand raise at all (they are cold)."""
    ids = list(lead_ids)
    if not ids:
        return []
    with db.session(write=False) as s:
        raised = set(s.scalars(select(HandRaise.lead_id).where(HandRaise.lead_id.in_(ids))))
    return [i for i in ids if i not in raised]


def raise_hands_now(db: Database, lead_ids: Iterable[int], kind: str,
                    at: datetime | None = None) -> int:
    """A hand raise of ``kind`` now for each lead: they become warm and their SLA clock
    starts (the same service a live intake or an import row uses)."""
    from qualdesk.services.hand_raises import add_hand_raise, kind_strengths

    ids = list(lead_ids)
    at = at or clock.now()
    with db.session() as s:
        strengths = kind_strengths(s)
        if kind not in strengths:
            raise InvalidInput(f"unknown hand-raise kind {kind!r} (known: {', '.join(sorted(strengths))})")
        n = 0
        for lead in s.scalars(select(Lead).where(Lead.id.in_(ids))):
            campaign = s.get(Campaign, lead.campaign_id)
            add_hand_raise(s, lead, campaign, kind, strengths[kind], at,
                           details="marked as a hand raise after the import", source="import")
            n += 1
        return n
