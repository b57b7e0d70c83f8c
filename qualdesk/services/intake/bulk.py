"""Bulk writes for big imports: many rows into one table inside the caller's transaction.

SQLAlchemy's own executemany builds and converts every row's parameters in Python (about
15 µs a row here), and an INSERT … RETURNING of 100,000 leads runs row by row on SQLite and
in slow batches on PostgreSQL. So ids are reserved first (``reserve_ids``) and rows go to
the driver directly (``insert_rows``): ``executemany`` on SQLite, ``COPY`` on PostgreSQL.
Values still pass through each column type's own bind processor (the same conversion
SQLAlchemy applies), remembered per distinct value because an import repeats the same
timestamps and flags on every row.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

# Enough rows per statement to amortise it, few enough to report progress between.
CHUNK_ROWS = 10_000

_Processor = Callable[[Any], Any]


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a big import builds its rows.

    An import of 100,000 rows holds a few hundred thousand live objects, none of them in
    cycles; the collector would walk them all again and again (a quarter of the parse
    time). Reference counting still frees everything as usual; the collector resumes
    afterwards, even when the import fails.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def reserve_ids(conn: Connection, table: Table, n: int) -> list[int]:
    """``n`` fresh primary keys for ``table``, for rows this transaction will insert.

    SQLite: the write transaction holds the database's write lock (BEGIN IMMEDIATE), so
    nobody else can take the ids after the current maximum. PostgreSQL: drawn from the
    column's sequence, as a plain INSERT would draw them.
    """
    if n <= 0:
        return []
    if conn.dialect.name == "postgresql":
        q = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                 "FROM generate_series(1, :n)")
        return sorted(conn.execute(q, {"t": table.name, "n": n}).scalars())
    top = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + n))


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, named by column) into ``table``."""
    if not rows:
        return
    columns = list(rows[0])
    convert = _converter(conn, table, columns)
    if conn.dialect.name == "postgresql":
        _copy(conn, table, columns, [convert(r) for r in rows])
        return
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    conn.exec_driver_sql(sql, [convert(r) for r in rows])


def _copy(conn: Connection, table: Table, columns: list[str],
          values: list[tuple[Any, ...]]) -> None:
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(
            f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as cp:
        for v in values:
            cp.write_row(v)


def _converter(conn: Connection, table: Table,
               columns: list[str]) -> Callable[[dict[str, Any]], Sequence[Any]]:
    dialect = conn.dialect
    missing = [c.name for c in table.c if c.name not in columns and c.default is not None]
    if missing:  # SQLAlchemy would have filled these in; here the caller must
        raise ValueError(f"{table.name}: rows lack {', '.join(missing)}")
    steps: list[tuple[int, _Processor, dict[Any, Any]]] = []
    for i, name in enumerate(columns):
        proc = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            steps.append((i, proc, {}))
    pick = itemgetter(*columns)
    if len(columns) == 1:
        return lambda row: (pick(row),)
    if not steps:
        return pick  # type: ignore[no-any-return]

    def convert(row: dict[str, Any]) -> tuple[Any, ...]:
        out = list(pick(row))
        for i, proc, memo in steps:
            v = out[i]
            try:
                out[i] = memo[v]
            except KeyError:
                out[i] = memo[v] = proc(v)
            except TypeError:  # unhashable (a JSON list): convert it every time
                out[i] = proc(v)
        return tuple(out)

    return convert
