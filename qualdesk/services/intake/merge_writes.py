"""Merged rows written in bulk, through the same service code as one-by-one edits.

A merged row changes a known lead (blank fields filled, a hand raise added, maybe a
designation move). ``add_hand_raise`` and ``designations.move`` stay the one place those
rules live: they run on leads detached from the session, and a ``Collector`` stands in
for the session and keeps what they add. ``flush_collected`` then writes the leads'
changed columns with one UPDATE per set of changed columns, and the new rows with bulk
inserts: the ORM's flush would send a statement per lead and per row (seconds for a few
thousand merges, minutes when a whole file merges).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, inspect, update
from sqlalchemy.orm.attributes import get_history

from qualdesk.db.models import AuditEntry, Lead
from qualdesk.services import audit
from qualdesk.services.intake import bulk


class Collector:
    """Duck-types the one ``Session`` method the service helpers use on this path."""

    def __init__(self) -> None:
        self.added: list[Any] = []

    def add(self, obj: Any) -> None:
        self.added.append(obj)


def flush_collected(conn: Connection, leads: Iterable[Lead], collector: Collector,
                    memo: bulk.Memo, tick: Callable[[], None] | None = None) -> None:
    """``tick`` (if given) is called between statements, for a progress bar."""
    _update_leads(conn, leads, tick)
    _insert_added(conn, collector.added, memo, tick)
    collector.added.clear()


def _update_leads(conn: Connection, leads: Iterable[Lead],
                  tick: Callable[[], None] | None) -> None:
    table = Lead.__table__
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for lead in leads:
        # ``get_history``, not ``state.attrs``: that memoises an AttributeState per column
        # on the lead's state, a reference cycle per merged lead, and the import pauses
        # the collector.
        changed = tuple(a.key for a in inspect(lead).mapper.column_attrs
                        if get_history(lead, a.key).has_changes())
        if changed:
            row = {f"v_{k}": getattr(lead, k) for k in changed}
            row["v_id"] = lead.id
            groups.setdefault(changed, []).append(row)
    for changed, rows in groups.items():
        stmt = update(table).where(table.c.id == bindparam("v_id")).values(
            {k: bindparam(f"v_{k}") for k in changed})
        conn.execute(stmt, rows)
        if tick is not None:
            tick()


def _insert_added(conn: Connection, added: list[Any], memo: bulk.Memo,
                  tick: Callable[[], None] | None) -> None:
    """Each class's new rows, with the columns their constructor set (as the ORM would
    send them), in the order they were added."""
    groups: dict[tuple[type, tuple[str, ...]], list[tuple[Any, ...]]] = {}
    for obj in added:
        attrs = inspect(obj).mapper.column_attrs
        keys = tuple(a.key for a in attrs if a.key in obj.__dict__)
        groups.setdefault((type(obj), keys), []).append(tuple(obj.__dict__[k] for k in keys))
    for (cls, keys), rows in groups.items():
        columns = tuple(inspect(cls).column_attrs[k].columns[0].name for k in keys)
        # Audit rows go where the database writes them from (the view, on PostgreSQL).
        table = audit.target(conn) if cls is AuditEntry else cls.__table__
        bulk.insert_rows(conn, table, columns, rows, memo)
        if tick is not None:
            tick()
