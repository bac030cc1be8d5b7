"""Bulk statements straight on the DBAPI cursor, for the high-volume writes of the broker.

SQLAlchemy's per-parameter processing costs more than the database work when a
batch writes thousands of attribute instances; these rows only hold strings,
numbers, booleans, UTC datetimes and JSON documents, which are converted here
the way SQLAlchemy's types would store them: on SQLite, JSON as text and
datetimes as naive UTC text in SQLAlchemy's ``YYYY-MM-DD HH:MM:SS.ffffff``
format; on PostgreSQL, JSON through psycopg's ``Jsonb`` and datetimes as they are.

On SQLite each function is one ``executemany``. On PostgreSQL, inserts go
through one ``COPY`` and deletes are one statement over arrays of the keys. Both
are faster than an ``executemany``, which runs one statement per row. Updates stay
an ``executemany``, because psycopg's text encoding of a JSON array parameter
costs more than the saved statements.
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
    """Insert ``rows`` (dicts with the same keys) into ``table``."""
    if not rows:
        return
    columns = list(rows[0])
    sqlite = connection.dialect.name == "sqlite"
    values = _values(table, columns, rows, sqlite)
    quoted = ", ".join(f'"{name}"' for name in columns)
    cursor = connection.connection.cursor()
    try:
        if sqlite:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', values)
            return
        with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in values:
                copy.write_row(row)
    finally:
        cursor.close()


def update_rows(connection: Connection, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
    """``UPDATE table SET ... WHERE key = ...`` for each of ``rows`` (dicts with the same keys) at once."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != key]
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    assignments = ", ".join(f'"{name}" = {mark}' for name in columns)
    statement = f'UPDATE "{table.name}" SET {assignments} WHERE "{key}" = {mark}'
    values = _values(table, [*columns, key], rows, sqlite)
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(statement, values)
    finally:
        cursor.close()


def delete_pairs(connection: Connection, table: Table, pairs: list[tuple[int, str]]) -> None:
    """Delete the rows of ``table`` whose ``(entity_pk, attr_iri)`` is one of ``pairs``."""
    if not pairs:
        return
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "sqlite":
            cursor.executemany(f'DELETE FROM "{table.name}" WHERE entity_pk = ? AND attr_iri = ?', pairs)
            return
        pks, iris = zip(*pairs, strict=True)
        # The ANY condition lets the planner scan the entity_pk index; the pairs then
        # filter those rows through a hash of the unnested arrays.
        cursor.execute(
            f'DELETE FROM "{table.name}" WHERE entity_pk = ANY(%b::bigint[]) '
            f"AND (entity_pk, attr_iri) IN (SELECT * FROM unnest(%b::bigint[], %b::text[]))",
            [sorted(set(pks)), list(pks), list(iris)],
        )
    finally:
        cursor.close()


def _values(table: Table, columns: list[str], rows: list[dict[str, Any]], sqlite: bool) -> list[tuple[Any, ...]]:
    pairs = [(name, _converter(table.c[name].type, sqlite)) for name in columns]
    return [
        tuple(row[name] if convert is None or row[name] is None else convert(row[name]) for name, convert in pairs)
        for row in rows
    ]


def _is_json(column_type: Any) -> bool:
    return isinstance(column_type, JSON) or isinstance(
        getattr(column_type, "_variant_mapping", {}).get("postgresql"), JSONB)


def _converter(column_type: Any, sqlite: bool) -> Callable[[Any], Any] | None:
    """Return the conversion a column's values need, or None when the driver takes them as they are."""
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl
    if _is_json(column_type):
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
