"""Fixtures of the supervision tests."""

from __future__ import annotations

import pytest
from plan_builder import PlanIds, build_plan

from citybase.core.audit import Actor
from citybase.core.i18n import use_locale


@pytest.fixture
def plan(db) -> PlanIds:
    with db.session(Actor("cli", "test")) as session:
        return build_plan(session)


@pytest.fixture(autouse=True)
def english_messages():
    """Render messages in English, so assertions read the msgids; Chinese tests render zh_CN explicitly."""
    with use_locale("en"):
        yield


class Clock:
    """A settable clock for the app's ``now`` seam."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(app):
    from plan_builder import shanghai

    fixed = Clock(shanghai(2022, 6, 2, 10))
    app.state.clock = fixed
    return fixed


WEB_USERS = {
    "office": ("digital_office", "310114-D001"),
    "science": ("unit_reporter", "310114-D002"),
    "nanxiang": ("unit_reporter", "310114102"),
    "service": ("unit_reporter", "310114-D003"),
    "viewer": ("viewer", None),
    "dispatcher": ("dispatcher", None),
}


class WebUsers:
    """Users with passwords, created on first use because hashing a password is slow: name → username."""

    def __init__(self, db):
        self.db = db
        self.created: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        from tests.conftest import make_user

        if name not in self.created:
            role, unit_code = WEB_USERS[name]
            make_user(self.db, f"w_{name}", role, unit_code)
            self.created[name] = f"w_{name}"
        return self.created[name]


@pytest.fixture
def web_users(db, plan):
    return WebUsers(db)
