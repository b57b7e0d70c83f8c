"""The team's own scripts, templates and import layouts, kept in the shared database.

What a team lead writes in the app belongs to the team, not to the machine it was typed
on: each save is a new version row (migration 0009), and every client reads the current
one at its next use, so a running app shows it without a restart. Beneath it lie this
machine's folders (files dropped there by hand, or saved by older versions of QualDesk:
see ``machine_files``) and, last, the shipped files, which stay the read-only defaults.

Only a team lead or an admin may save. On PostgreSQL the database says so itself (grants
and the trigger of 0009, which also writes who and when from the login); on SQLite (no
logins) the person named as acting must have one of those roles.

This module stores and reads sources; checking them is the callers' business
(``script_library``, ``template_drafts``, ``import_mapping``): nothing reaches here
unchecked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import ImportLayoutVersion, ScriptVersion, TemplateVersion, User
from qualdesk.errors import NotAllowed
from qualdesk.services import audit

WRITER_ROLES = ("lead", "admin")
T = TypeVar("T")


@dataclass(frozen=True)
class Saved:
    """One saved version: what it is, its number, who saved it and when."""

    what: str
    version: int
    changed_by: str | None
    changed_at: datetime
    note: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"what": self.what, "version": self.version, "changed_by": self.changed_by,
                "changed_at": self.changed_at.isoformat(), "note": self.note}


# --- reading --------------------------------------------------------------------------


def _current(model: Any, *keys: Any) -> Select[Any]:
    """The highest version of every key (one query, whatever the history's length)."""
    latest = select(*keys, func.max(model.version).label("v")).group_by(*keys).subquery()
    on = [k == latest.c[k.key] for k in keys] + [model.version == latest.c.v]
    return select(model).join(latest, and_(*on))


def scripts(s: Session) -> dict[str, str]:
    """Every script the team saved: name -> TOML source (the current version)."""
    return {r.name: r.source for r in s.scalars(_current(ScriptVersion, ScriptVersion.name))}


def script(s: Session, name: str) -> str | None:
    row = s.scalar(select(ScriptVersion).where(ScriptVersion.name == name)
                   .order_by(ScriptVersion.version.desc()).limit(1))
    return None if row is None else row.source


def templates(s: Session) -> dict[str, str]:
    """Every template the team saved: ``folder/file`` -> source (the current version)."""
    rows = s.scalars(_current(TemplateVersion, TemplateVersion.folder, TemplateVersion.file))
    return {f"{r.folder}/{r.file}": r.source for r in rows}


def layout(s: Session, key: str) -> dict[str, str] | None:
    """The mapping saved for a file layout (``import_mapping.layout_key``), or None."""
    row = s.scalar(select(ImportLayoutVersion).where(ImportLayoutVersion.layout_key == key)
                   .order_by(ImportLayoutVersion.version.desc()).limit(1))
    return None if row is None else {str(k): str(v) for k, v in dict(row.mapping).items()}


def layouts(s: Session) -> dict[str, dict[str, str]]:
    rows = s.scalars(_current(ImportLayoutVersion, ImportLayoutVersion.layout_key))
    return {r.layout_key: {str(k): str(v) for k, v in dict(r.mapping).items()} for r in rows}


def history(s: Session, kind: str, name: str) -> list[Saved]:
    """Every version of one script (``name``), template (``folder/file``) or layout
    (its key), newest first."""
    model, where = _key(kind, name)
    rows = s.execute(select(model, User.name).outerjoin(User, User.id == model.changed_by_id)
                     .where(*where).order_by(model.version.desc()))
    return [_saved(kind, name, row, who) for row, who in rows]


def _key(kind: str, name: str) -> tuple[Any, list[Any]]:
    if kind == "script":
        return ScriptVersion, [ScriptVersion.name == name]
    if kind == "template":
        folder, _, file = name.partition("/")
        return TemplateVersion, [TemplateVersion.folder == folder, TemplateVersion.file == file]
    if kind == "layout":
        return ImportLayoutVersion, [ImportLayoutVersion.layout_key == name]
    raise ValueError(f"unknown library kind {kind!r}")


def _saved(kind: str, name: str, row: Any, who: str | None) -> Saved:
    return Saved(f"{kind} {name}", row.version, who, row.changed_at, row.note)


# --- writing --------------------------------------------------------------------------


def writer_id(s: Session, by: str | None) -> int | None:
    """The person saving (None: not named); refuses one who may not. PostgreSQL checks the
    login itself (and writes the person from it); this is the rule on SQLite."""
    if by is None:
        return None
    from qualdesk.services.users import user_by_name

    user = user_by_name(s, by)
    if user.role not in WRITER_ROLES:
        raise NotAllowed(f"{user.name} is a {user.role}: only a team lead or an admin may "
                         "change the team's scripts, templates and import layouts")
    return user.id


def _next_version(s: Session, model: Any, name: str, where: Sequence[Any]) -> int:
    if s.get_bind().dialect.name == "postgresql":
        # saves of one name queue up instead of colliding on the version number (SQLite's
        # writers are serialised already)
        s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                  {"k": f"qualdesk {model.__tablename__} {name}"})
    return int(s.scalar(select(func.coalesce(func.max(model.version), 0)).where(*where)) or 0) + 1


def _add(s: Session, kind: str, name: str, row: Any, where: Sequence[Any]) -> Saved:
    row.version = _next_version(s, type(row), name, where)
    row.changed_at = clock.now()
    s.add(row)
    s.flush()
    s.refresh(row)  # PostgreSQL wrote who and when
    who = s.scalar(select(User.name).where(User.id == row.changed_by_id)) \
        if row.changed_by_id is not None else None
    audit.bump(s, "settings")  # open clients reload what they show of the configuration
    return _saved(kind, name, row, who)


def add_script(s: Session, name: str, source: str, by_id: int | None,
               note: str | None = None) -> Saved:
    row = ScriptVersion(name=name, source=source, changed_by_id=by_id, note=note)
    return _add(s, "script", name, row, [ScriptVersion.name == name])


def add_template(s: Session, folder: str, file: str, source: str, by_id: int | None,
                 note: str | None = None) -> Saved:
    row = TemplateVersion(folder=folder, file=file, source=source, changed_by_id=by_id, note=note)
    return _add(s, "template", f"{folder}/{file}", row,
                [TemplateVersion.folder == folder, TemplateVersion.file == file])


def add_layout(s: Session, key: str, headers: Sequence[str], mapping: Mapping[str, str],
               by_id: int | None, note: str | None = None) -> Saved:
    row = ImportLayoutVersion(layout_key=key, headers=list(headers), mapping=dict(mapping),
                              changed_by_id=by_id, note=note)
    return _add(s, "layout", key, row, [ImportLayoutVersion.layout_key == key])


def saving(db: Database, write: Callable[[Session], T], attempts: int = 3) -> T:
    """Run ``write`` in its own transaction; two team leads saving the same name at the
    same instant both keep their version (the second gets the next number)."""
    for i in range(attempts):
        try:
            with db.session() as s:
                return write(s)
        except IntegrityError:
            if i == attempts - 1:
                raise
    raise AssertionError("unreachable")
