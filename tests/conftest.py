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
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from citybase.core import migrate
from citybase.core.db import Base, Database

PG_URL = os.environ.get("CITYBASE_TEST_DATABASE_URL")

# Property tests run on a shared 2-core machine, where one example can take seconds
# under load; a per-example deadline would then fail tests that are correct.
hypothesis_settings.register_profile("citybase", deadline=None)
hypothesis_settings.load_profile("citybase")


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


# --- app and users -------------------------------------------------------------

import re  # noqa: E402

from fastapi.testclient import TestClient  # noqa: E402

from citybase.core.audit import Actor  # noqa: E402
from citybase.core.auth import service as auth_service  # noqa: E402
from citybase.core.settings import Settings  # noqa: E402

TEST_PASSWORD = "correct-horse-battery"


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, worker_in_serve=False, _env_file=None)


@pytest.fixture
def app(settings: Settings, db: Database):
    from citybase.web.app import create_app

    return create_app(settings, db, run_worker=False, migrate_on_start=False)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def make_user(db: Database, username: str, role: str, unit_code: str | None = None) -> int:
    """Create a user with TEST_PASSWORD; return its id."""
    with db.session(Actor("cli", "test")) as session:
        user = auth_service.create_user(
            session, username=username, display_name=username, password=TEST_PASSWORD,
            role=role, unit_code=unit_code,
        )
        return user.id


def login(client: TestClient, username: str, password: str = TEST_PASSWORD) -> str:
    """Log ``client`` in through the login form; return the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_of(client)


def csrf_of(client: TestClient, path: str = "/notifications") -> str:
    """Return the CSRF token shown in the forms of a logged-in page."""
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def bearer_token(db: Database, username: str, *, write: bool = False) -> str:
    from sqlalchemy import select

    from citybase.core.auth.models import User

    with db.session(Actor("cli", "test")) as session:
        user = session.scalar(select(User).where(User.username == username))
        raw, _token = auth_service.create_token(session, user, "test", can_write=write)
        return raw
