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
from typing import Any

from sqlalchemy import Connection, Table


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` with one executemany."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = connection.dialect.name
    if dialect == "sqlite":
        placeholders = ", ".join("?" for _ in columns)
        convert: Callable[[Any], Any] = _sqlite_value
    else:
        placeholders = ", ".join("%s" for _ in columns)
        convert = _postgres_value
    quoted = ", ".join(f'"{name}"' for name in columns)
    statement = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})'
    values = [tuple(convert(row[name]) for name in columns) for row in rows]
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(statement, values)
    finally:
        cursor.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


def _postgres_value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value
