"""Team settings stored in the database (``qualdesk config``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk.db.engine import Database
from qualdesk.db.models import Setting
from qualdesk.settings import SPECS, default, parse_value


def get(s: Session, key: str) -> Any:
    if key not in SPECS:
        parse_value(key, "")  # raises the "unknown setting" message
    row = s.get(Setting, key)
    return default(key) if row is None else SPECS[key].parse(row.value)


def snapshot(s: Session) -> dict[str, Any]:
    """Every setting (stored value or default) from ONE query, for hot paths like a claim."""
    return parse_stored({k: v for k, v in s.connection().execute(select(Setting.key, Setting.value))})


def parse_stored(stored: dict[str, str]) -> dict[str, Any]:
    """Every setting from the stored ``key -> raw value`` rows (unknown keys ignored)."""
    return {k: (spec.parse(stored[k]) if k in stored else spec.default) for k, spec in SPECS.items()}


def get_all(db: Database) -> dict[str, Any]:
    with db.session(write=False) as s:
        stored = {r.key: r.value for r in s.scalars(select(Setting))}
    return {k: (SPECS[k].parse(stored[k]) if k in stored else spec.default)
            for k, spec in sorted(SPECS.items())}


def get_value(db: Database, key: str) -> Any:
    with db.session(write=False) as s:
        return get(s, key)


def set_value(db: Database, key: str, raw: str) -> Any:
    return set_values(db, {key: raw})[key]


def set_values(db: Database, raws: dict[str, str]) -> dict[str, Any]:
    """Several settings in one transaction (a rule set is saved whole or not at all):
    every value is checked before anything is written."""
    values = {key: parse_value(key, raw) for key, raw in raws.items()}
    with db.session() as s:
        for key, raw in raws.items():
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=str(raw)))
            else:
                row.value = str(raw)
        from qualdesk.services.audit import bump

        bump(s, "settings")
    return values
