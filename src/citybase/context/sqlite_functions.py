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


class SampleStandardDeviation:
    """``stddev_samp(x)``: PostgreSQL's sample standard deviation (divisor n - 1), NULL below two values.

    Welford's update keeps the running mean and the sum of squared deviations, which
    stays accurate where the difference of the sum of squares and the squared sum
    would cancel.
    """

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self.squares = 0.0

    def step(self, value: Any) -> None:
        if value is None:
            return
        self.count += 1
        delta = float(value) - self.mean
        self.mean += delta / self.count
        self.squares += delta * (float(value) - self.mean)

    def finalize(self) -> float | None:
        if self.count < 2:
            return None
        return (self.squares / (self.count - 1)) ** 0.5


# Page cache per connection, in KiB (negative cache_size). SQLite's default of 2 MiB
# makes every batch upsert over a few hundred thousand entities re-read index pages
# from the file system: each entity touches random pages of five tables and indexes.
CACHE_KIB = 32768


def register(dbapi_connection: Any, _record: Any = None) -> None:
    dbapi_connection.create_function("regexp", 2, regexp, deterministic=True)
    dbapi_connection.create_aggregate("stddev_samp", 1, SampleStandardDeviation)
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
