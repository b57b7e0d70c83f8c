"""Seed what a fresh database needs: the default campaign, hand-raise kinds, dispositions.

Part of the data layer (``migrate.upgrade`` runs it after every upgrade), so it lives
here and imports nothing from the services above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from qualdesk import clock
from qualdesk.db.models import Campaign, Disposition, HandRaiseKind
from qualdesk.domain.codes import DISPOSITIONS, HAND_RAISE_KINDS

if TYPE_CHECKING:  # the engine runs the upgrade that runs this: no import back
    from qualdesk.db.engine import Database

DEFAULT_CAMPAIGN = "Default"


def ensure_reference_data(db: Database) -> None:
    """Idempotent: adds missing rows, never overwrites what a team lead configured."""
    with db.session() as s:
        if s.scalar(select(Campaign).where(Campaign.is_default.is_(True))) is None:
            existing = s.scalar(select(Campaign).where(Campaign.name == DEFAULT_CAMPAIGN))
            if existing is not None:
                existing.is_default = True
            else:
                s.add(Campaign(name=DEFAULT_CAMPAIGN, is_default=True, script="default",
                               templates="default", created_at=clock.now()))
        have = set(s.scalars(select(HandRaiseKind.code)))
        for k in HAND_RAISE_KINDS:
            if k.code not in have:
                s.add(HandRaiseKind(code=k.code, label=k.label, strength=k.strength))
        have = set(s.scalars(select(Disposition.code)))
        for i, d in enumerate(DISPOSITIONS):
            if d.code not in have:
                s.add(Disposition(code=d.code, label=d.label, hotkey=d.hotkey,
                                  is_contact=d.is_contact, sort_order=i))
