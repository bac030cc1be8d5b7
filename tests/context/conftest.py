"""Fixtures of the context tests that need no migrated database."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, create_engine

from citybase.context import sqlite_functions

PG_URL = os.environ.get("CITYBASE_TEST_DATABASE_URL")


@pytest.fixture
def json_connection() -> Iterator[Connection]:
    """A connection to in-memory SQLite, or to PostgreSQL when CITYBASE_TEST_DATABASE_URL is set.

    Tests create TEMPORARY tables on it, so nothing outlives the connection.
    """
    engine = create_engine(PG_URL) if PG_URL else create_engine("sqlite://")
    sqlite_functions.install(engine)
    with engine.connect() as connection:
        yield connection
    engine.dispose()
