"""Seed what a fresh database needs: the default campaign, hand-raise kinds, dispositions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import Campaign, Disposition, HandRaiseKind
from qualdesk.domain.codes import DISPOSITIONS, HAND_RAISE_KINDS

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
