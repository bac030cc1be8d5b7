"""``executemany`` straight on the DBAPI cursor, for the high-volume inserts of the broker.

SQLAlchemy's per-parameter processing costs more than the database work when a
batch writes thousands of attribute instances; these rows only hold strings,
numbers, booleans, UTC datetimes and JSON documents, which are converted here
the way SQLAlchemy's types would store them: on SQLite, JSON as text and
datetimes as naive UTC text in SQLAlchemy's ``YYYY-MM-DD HH:MM:SS.ffffff``
format; on PostgreSQL, JSON through psycopg's ``Jsonb`` and datetimes as they are.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, DateTime, Table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` with one executemany."""
    if not rows:
        return
    columns = list(rows[0])
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    converters = [_converter(table.c[name].type, sqlite) for name in columns]
    quoted = ", ".join(f'"{name}"' for name in columns)
    statement = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join(mark for _ in columns)})'
    pairs = list(zip(columns, converters, strict=True))
    values = [
        tuple(row[name] if convert is None or row[name] is None else convert(row[name]) for name, convert in pairs)
        for row in rows
    ]
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(statement, values)
    finally:
        cursor.close()


def update_rows(connection: Connection, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
    """``UPDATE table SET ... WHERE key = ?`` for each of ``rows`` (dicts with the same keys) at once."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != key]
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    assignments = ", ".join(f'"{name}" = {mark}' for name in columns)
    statement = f'UPDATE "{table.name}" SET {assignments} WHERE "{key}" = {mark}'
    pairs = [(name, _converter(table.c[name].type, sqlite)) for name in [*columns, key]]
    values = [
        tuple(row[name] if convert is None or row[name] is None else convert(row[name]) for name, convert in pairs)
        for row in rows
    ]
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(statement, values)
    finally:
        cursor.close()


def _converter(column_type: Any, sqlite: bool) -> Callable[[Any], Any] | None:
    """Return the conversion a column's values need, or None when the driver takes them as they are."""
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl
    if isinstance(column_type, JSON) or isinstance(getattr(column_type, "_variant_mapping", {}).get("postgresql"), JSONB):
        return json.dumps if sqlite else _jsonb
    if isinstance(column_type, DateTime):
        return _sqlite_datetime if sqlite else None
    if isinstance(column_type, Boolean) and sqlite:
        return int
    return None


@lru_cache(maxsize=64)
def _sqlite_datetime(value: dt.datetime) -> str:
    # Writes of one request share one timestamp, so the cache saves most strftime calls.
    naive = value.astimezone(dt.UTC).replace(tzinfo=None)
    return naive.strftime("%Y-%m-%d %H:%M:%S.%f")


def _jsonb(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value)
