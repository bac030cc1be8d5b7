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
