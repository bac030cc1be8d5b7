"""Permissions of the plan module and the roles that hold them."""

from __future__ import annotations

from citybase.core.auth.roles import ADMIN, DATA_STEWARD, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, VIEWER

READ = "plan.read"  # browse the plan: overview, tasks, units, indicators, export
IMPORT = "plan.import"  # import a task list file, which changes the plan

PERMISSIONS: dict[str, frozenset[str]] = {
    READ: frozenset({ADMIN, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, DATA_STEWARD, VIEWER}),
    IMPORT: frozenset({ADMIN, DIGITAL_OFFICE}),
}
