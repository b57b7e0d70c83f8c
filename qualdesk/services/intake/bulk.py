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

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from psycopg.types.json import Json
from sqlalchemy import JSON, Connection, Dialect, Table, func, select, text
from sqlalchemy.dialects import postgresql

from qualdesk.gc_pause import gc_paused  # noqa: F401 - the import pipeline's name for it

# Enough rows per statement to amortise it, few enough to report progress between.
CHUNK_ROWS = 10_000

Row = Sequence[Any]
# Conversions remembered per column type, at most: an import's memory stays flat.
MEMO_MAX = 50_000
# Conversions already done, per column type: {(type name, repr): {value: converted}}.
Memo = dict[tuple[str, str], dict[Any, Any]]
_Processor = Callable[[Any], Any]


def reserve_ids(conn: Connection, table: Table, n: int) -> list[int]:
    """``n`` fresh primary keys for ``table``, for rows this transaction will insert.

    SQLite: the write transaction holds the database's write lock (BEGIN IMMEDIATE), so
    nobody else can take the ids after the current maximum. PostgreSQL: drawn from the
    column's sequence, as a plain INSERT would draw them.
    """
    if n <= 0:
        return []
    if conn.dialect.name == "postgresql":
        # One array, not a row per id: 100,000 result rows cost a second of Python.
        q = text("SELECT array_agg(nextval(pg_get_serial_sequence(:t, 'id'))) "
                 "FROM generate_series(1, :n)")
        return sorted(conn.execute(q, {"t": table.name, "n": n}).scalar_one())
    top = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + n))


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row],
                memo: Memo | None = None) -> None:
    """Insert ``rows`` (values in the order of ``columns``) into ``table``.

    Every column with a Python-side default must be given (SQLAlchemy would fill those
    in; this does not). Pass the same ``memo`` to every call of one import: a timestamp
    converted for one column or table is not converted again for the next.
    """
    if not rows:
        return
    values = converted(conn.dialect, table, columns, rows, {} if memo is None else memo)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        copy_rows(raw, table, columns, values)
        return
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) "
                         f"VALUES ({', '.join('?' for _ in columns)})", values)


def copy_rows(raw: Any, table: Table, columns: Sequence[str],
              values: Sequence[tuple[Any, ...]]) -> None:
    """``values`` (already ``converted``) into ``table`` with one PostgreSQL COPY on the
    psycopg connection ``raw``. Safe to call from another thread than the one that made
    the rows, as long as nothing else uses ``raw`` meanwhile.

    Binary COPY when every column's type is a plain one: the client formats each value in
    C instead of writing it out as text (timestamps above all), and the server parses
    less. The column types come from the table, so a value of the wrong Python type fails
    loudly instead of being read differently.
    """
    types = _pg_types(table, columns)
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cur, cur.copy(sql if types is None
                                       else sql + " (FORMAT BINARY)") as cp:
        if types is not None:
            cp.set_types(types)
        for v in values:
            cp.write_row(v)


# Column types (as PostgreSQL DDL names them, length dropped) that binary COPY takes.
_BINARY_TYPES = {"INTEGER": "int4", "BIGINT": "int8", "SMALLINT": "int2", "VARCHAR": "varchar",
                 "TEXT": "text", "BOOLEAN": "bool", "TIMESTAMP WITH TIME ZONE": "timestamptz",
                 "JSON": "json"}
_pg_dialect = postgresql.psycopg.dialect()


def _pg_types(table: Table, columns: Sequence[str]) -> list[str] | None:
    key = (table.name, tuple(columns))
    if key not in _types_cache:
        names = [_BINARY_TYPES.get(table.c[c].type.compile(dialect=_pg_dialect).split("(")[0])
                 for c in columns]
        _types_cache[key] = None if None in names else cast(list[str], names)
    return _types_cache[key]


_types_cache: dict[tuple[str, tuple[str, ...]], list[str] | None] = {}


def _json_once(proc: _Processor) -> _Processor:
    """A JSON column's processor on PostgreSQL: the document serialised here, once per
    distinct value (the memo keeps the result), not by the driver for every row. Same
    text: psycopg would call the same ``dumps`` on the same object."""
    def convert(value: Any) -> Any:
        out = proc(value)
        if isinstance(out, Json):
            text = (out.dumps or json.dumps)(out.obj)
            return Json(text.encode() if isinstance(text, str) else text, dumps=_as_is)
        return out
    return convert


def _as_is(data: Any) -> Any:
    return data


def converted(dialect: Dialect, table: Table, columns: Sequence[str], rows: Sequence[Row],
              memo: Memo) -> list[tuple[Any, ...]]:
    """The rows with each value as the driver takes it, converted column by column."""
    missing = [c.name for c in table.c if c.name not in columns and c.default is not None]
    if missing:
        raise ValueError(f"{table.name}: rows lack {', '.join(missing)}")
    cols: list[Sequence[Any]] | None = None
    for i, name in enumerate(columns):
        type_ = table.c[name].type
        proc = type_.dialect_impl(dialect).bind_processor(dialect)
        if proc is None:
            continue
        if dialect.name == "postgresql" and isinstance(type_, JSON):
            proc = _json_once(proc)
        if cols is None:
            cols = list(zip(*rows, strict=True))
        # Columns of one type share conversions (a timestamp is also a deadline).
        seen = memo.setdefault((type(type_).__qualname__, repr(type_)), {})
        if len(seen) > MEMO_MAX:
            seen.clear()  # values that never repeat (timestamps to the second): start over
        cols[i] = _convert_column(cols[i], proc, seen)
    return list(map(tuple, rows)) if cols is None else list(zip(*cols, strict=True))


# Types in which equal values always convert alike, so the value itself is the key.
_PLAIN = frozenset({datetime, bool, str, type(None)})
_NOT_YET = object()


def _convert_column(values: Sequence[Any], proc: _Processor, seen: dict[Any, Any]) -> list[Any]:
    out: list[Any] = []
    if set(map(type, values)) <= _PLAIN:
        get = seen.get
        for v in values:
            c = get(v, _NOT_YET)
            if c is _NOT_YET:
                c = seen[v] = proc(v)
            out.append(c)
        return out
    for v in values:
        t = type(v)
        # Otherwise the type is part of the key: 1 == True but they convert differently
        # (JSON 1 / true). A JSON list of strings is remembered under its tuple; other
        # lists and dicts are unhashable and converted every time.
        key = (t, tuple(v)) if t is list and all(type(x) is str for x in v) else (t, v)
        try:
            c = seen[key]
        except KeyError:
            c = seen[key] = proc(v)
        except TypeError:
            c = proc(v)
        out.append(c)
    return out
