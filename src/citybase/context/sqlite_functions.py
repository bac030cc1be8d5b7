"""SQL functions the broker's queries need on SQLite, and its page cache size, set on every new connection."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, event


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def regexp(pattern: str | None, value: Any) -> int | None:
    """``regexp(pattern, value)``: 1 when ``value`` is text that ``pattern`` matches anywhere."""
    if pattern is None or not isinstance(value, str):
        return None
    compiled = _compiled(pattern)
    return int(compiled is not None and compiled.search(value) is not None)


# Page cache per connection, in KiB (negative cache_size). SQLite's default of 2 MiB
# makes every batch upsert over a few hundred thousand entities re-read index pages
# from the file system: each entity touches random pages of five tables and indexes.
CACHE_KIB = 32768


def register(dbapi_connection: Any, _record: Any = None) -> None:
    dbapi_connection.create_function("regexp", 2, regexp, deterministic=True)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    finally:
        cursor.close()


def install(engine: Engine) -> None:
    """Register the functions on each connection ``engine`` opens from now on."""
    if engine.dialect.name != "sqlite":
        return
    if not event.contains(engine, "connect", register):
        event.listen(engine, "connect", register)


def _register_if_sqlite(dbapi_connection: Any, record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        register(dbapi_connection, record)


def install_for_all_engines() -> None:
    """Register the functions on the SQLite connections of every engine, present and future."""
    if not event.contains(Engine, "connect", _register_if_sqlite):
        event.listen(Engine, "connect", _register_if_sqlite)
