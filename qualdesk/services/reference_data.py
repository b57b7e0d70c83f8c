"""The configured disposition codes, as the lead panel and the call controls read them.

(Seeding them, with the default campaign and the hand-raise kinds, is the data layer's:
``qualdesk.db.seed``.)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Disposition


@dataclass(frozen=True)
class DispositionRecord:
    code: str
    label: str
    hotkey: str | None
    is_contact: bool


def list_dispositions(db: Database) -> list[DispositionRecord]:
    """The configured disposition codes in their display order (hotkeys 1–9)."""
    with db.session(write=False) as s:
        return [DispositionRecord(d.code, d.label, d.hotkey, bool(d.is_contact))
                for d in s.scalars(select(Disposition).order_by(Disposition.sort_order,
                                                                Disposition.code))]
