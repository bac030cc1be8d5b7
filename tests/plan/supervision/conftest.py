"""Fixtures of the supervision tests."""

from __future__ import annotations

import pytest
from plan_builder import PlanIds, build_plan

from citybase.core.audit import Actor


@pytest.fixture
def plan(db) -> PlanIds:
    with db.session(Actor("cli", "test")) as session:
        return build_plan(session)
