"""Permissions of the plan module and the roles that hold them."""

from __future__ import annotations

from citybase.core.auth.roles import ADMIN, DATA_STEWARD, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, VIEWER
from citybase.core.i18n_marker import N_

READ = "plan.read"  # browse the plan: overview, tasks, units, indicators, export
IMPORT = "plan.import"  # import a task list file, which changes the plan

PERMISSIONS: dict[str, frozenset[str]] = {
    READ: frozenset({ADMIN, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, DATA_STEWARD, VIEWER}),
    IMPORT: frozenset({ADMIN, DIGITAL_OFFICE}),
}

PERMISSION_LABELS: dict[str, str] = {
    READ: N_("View the action plan"),
    IMPORT: N_("Import the task list"),
}
