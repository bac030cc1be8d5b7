"""Shared fixtures: a migrated database on SQLite, or on PostgreSQL when
CITYBASE_TEST_DATABASE_URL is set, and an in-process app client.

PostgreSQL runs get a private database per test session (created from the given
URL's server and dropped at the end), so parallel runs on one server never collide.
SQLite runs migrate one template file per session and copy it for each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from citybase.core import migrate
from citybase.core.db import Base, Database

PG_URL = os.environ.get("CITYBASE_TEST_DATABASE_URL")


def _create_pg_database(url: str) -> str:
    base = make_url(url)
    name = f"citybase_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database=make_url(PG_URL).database), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return the URL of a migrated database: a SQLite file to copy, or a PostgreSQL DB."""
    if PG_URL:
        url = _create_pg_database(PG_URL)
        db = Database(url)
        migrate.upgrade(db)
        db.dispose()
        yield url
        _drop_pg_database(url)
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        db = Database(f"sqlite:///{path}")
        migrate.upgrade(db)
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
        yield str(path)


def _reset_postgres(db: Database) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables]
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    with db.session() as session:
        from citybase.core import registry

        for module in registry.modules():
            for hook in module.on_upgrade:
                hook(session)


@pytest.fixture
def db(database_template: str, tmp_path: Path) -> Iterator[Database]:
    """A clean, migrated database with the seeded units, fresh for each test."""
    if PG_URL:
        database = Database(database_template)
        _reset_postgres(database)
    else:
        path = tmp_path / "citybase.db"
        shutil.copy(database_template, path)
        database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder
