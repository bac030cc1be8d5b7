"""Fixtures of the plan tests: the district's task list imported into the test database."""

from __future__ import annotations

from pathlib import Path

import pytest

from citybase.core.audit import Actor
from citybase.core.db import Database
from citybase.plan.import_summary import ImportSummary
from citybase.plan.importer import import_plan

SEED_FILE = Path(__file__).parent / "data" / "task_list_2021_2023.txt"


def seed_data() -> bytes:
    return SEED_FILE.read_bytes()


def import_file(db: Database, data: bytes, name: str = "task_list.txt", **options: object) -> ImportSummary:
    """Import ``data`` as the digital office would, committing the transaction."""
    with db.session(Actor("user", "office")) as session:
        return import_plan(session, data, name, **options)


@pytest.fixture
def imported(db: Database) -> ImportSummary:
    """The seed task list imported once."""
    return import_file(db, seed_data())
