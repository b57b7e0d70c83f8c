"""Dispositions and hand-raise kinds as a team lead edits them.

``set_disposition`` / ``set_kind`` change a row or add a new code (codes are normalised:
``Gatekeeper Block`` is ``gatekeeper_block``). Codes are never renamed or deleted here:
attempts and hand raises already recorded keep pointing at them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualdesk.db.engine import Database
from qualdesk.db.models import Disposition, HandRaiseKind
from qualdesk.domain.codes import DEFAULT_KIND_STRENGTH, normalise_code
from qualdesk.errors import InvalidInput
from qualdesk.services import audit
from qualdesk.services.users import user_by_name
from qualdesk.services.validate import whole_number

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
HOTKEYS = tuple("123456789")
NO_HOTKEY = ("", "none", "-")


@dataclass(frozen=True)
class DispositionRow:
    code: str
    label: str
    hotkey: str | None
    is_contact: bool
    sort_order: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class KindRow:
    code: str
    label: str
    strength: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _drow(d: Disposition) -> DispositionRow:
    return DispositionRow(d.code, d.label, d.hotkey, bool(d.is_contact), d.sort_order)


def list_dispositions(db: Database) -> list[DispositionRow]:
    with db.session(write=False) as s:
        return [_drow(d) for d in s.scalars(select(Disposition)
                                             .order_by(Disposition.sort_order, Disposition.code))]


def list_kinds(db: Database) -> list[KindRow]:
    """Strongest first."""
    with db.session(write=False) as s:
        return [KindRow(k.code, k.label, k.strength) for k in
                s.scalars(select(HandRaiseKind).order_by(HandRaiseKind.strength.desc(),
                                                         HandRaiseKind.code))]


def clean_code(value: str) -> str:
    code = normalise_code(str(value))
    if not _CODE.match(code) or len(code) > 40:
        raise InvalidInput(f"code: {value!r} must be letters, digits and underscores "
                           f"(starting with a letter), at most 40 characters")
    return code


def _label(value: Any) -> str:
    text = " ".join(str(value).split())
    if not text or len(text) > 80:
        raise InvalidInput(f"label: {value!r} must be 1 to 80 characters")
    return text


def _hotkey(value: Any) -> str | None:
    text = str(value).strip().lower()
    if text in NO_HOTKEY:
        return None
    if text not in HOTKEYS:
        raise InvalidInput(f"hotkey: {value!r} must be a digit 1-9 (or 'none')")
    return text


def _by_id(s: Session, by: str | None) -> int | None:
    return user_by_name(s, by).id if by else None


def _default_label(code: str) -> str:
    return code.replace("_", " ").capitalize()


def set_disposition(db: Database, code: str, *, label: str | None = None,
                    hotkey: str | None = None, is_contact: bool | None = None,
                    sort_order: int | str | None = None,
                    by: str | None = None) -> DispositionRow:
    """Change a disposition, or add it when the code is new (at the end of the buttons).

    ``None`` leaves a value as it is; ``hotkey="none"`` takes the key away.
    """
    c = clean_code(code)
    new_label = _label(label) if label is not None else None
    new_key = _hotkey(hotkey) if hotkey is not None else None
    new_order = whole_number("sort_order", sort_order, 0, 9999) if sort_order is not None else None
    with db.session() as s:
        d = s.get(Disposition, c)
        user_id = _by_id(s, by)
        if d is None:
            last = s.scalar(select(func.max(Disposition.sort_order)))
            d = Disposition(code=c, label=new_label or _default_label(c), hotkey=None,
                            is_contact=bool(is_contact),
                            sort_order=(last + 1) if last is not None else 0)
            s.add(d)
            audit.record(s, None, user_id, f"disposition {c}"[:40], "code", None, c)
        if new_key is not None:
            holder = s.scalar(select(Disposition.code).where(Disposition.hotkey == new_key,
                                                             Disposition.code != c))
            if holder is not None:
                raise InvalidInput(f"hotkey: {new_key!r} is already used by {holder!r} "
                                   f"(take it away first: --hotkey none)")
        wanted: dict[str, Any] = {"label": new_label, "is_contact": is_contact,
                                  "sort_order": new_order}
        if hotkey is not None:
            wanted["hotkey"] = new_key  # None here means: take the key away
        for field, value in wanted.items():
            if value is None and field != "hotkey":
                continue
            old = getattr(d, field)
            if old != value:
                setattr(d, field, value)
                audit.record(s, None, user_id, f"disposition {c}"[:40], field, old, value)
        audit.bump(s, "settings")
        s.flush()
        return _drow(d)


def set_kind(db: Database, code: str, *, label: str | None = None,
             strength: int | str | None = None, by: str | None = None) -> KindRow:
    """Change a hand-raise kind, or add it when the code is new (default strength 40).

    A new strength applies to hand raises that arrive afterwards: each hand raise keeps
    the strength it arrived with.
    """
    c = clean_code(code)
    new_label = _label(label) if label is not None else None
    new_strength = whole_number("strength", strength, 1, 100) if strength is not None else None
    with db.session() as s:
        k = s.get(HandRaiseKind, c)
        user_id = _by_id(s, by)
        action = f"kind {c}"[:40]
        if k is None:
            k = HandRaiseKind(code=c, label=new_label or _default_label(c),
                              strength=new_strength or DEFAULT_KIND_STRENGTH)
            s.add(k)
            audit.record(s, None, user_id, action, "code", None, c)
        for field, value in (("label", new_label), ("strength", new_strength)):
            if value is not None and getattr(k, field) != value:
                audit.record(s, None, user_id, action, field, getattr(k, field), value)
                setattr(k, field, value)
        audit.bump(s, "settings")
        s.flush()
        return KindRow(k.code, k.label, k.strength)
