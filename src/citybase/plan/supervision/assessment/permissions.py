"""Permissions of the assessment pages and exports, and the roles that hold them.

The ranking is published to the units, as a 赛马 ranking is meant to be, so unit
reporters see it. The ledger and the bulletin list every task, while a reporter sees
only the tasks of their own units elsewhere, so they are for the office and viewers.
"""

from __future__ import annotations

from citybase.core.auth.roles import ADMIN, DIGITAL_OFFICE, UNIT_REPORTER, VIEWER
from citybase.core.i18n_marker import N_

RANKING_READ = "plan.assessment.read"
EXPORT = "plan.assessment.export"

PERMISSIONS: dict[str, frozenset[str]] = {
    RANKING_READ: frozenset({ADMIN, DIGITAL_OFFICE, VIEWER, UNIT_REPORTER}),
    EXPORT: frozenset({ADMIN, DIGITAL_OFFICE, VIEWER}),
}

PERMISSION_LABELS: dict[str, str] = {
    RANKING_READ: N_("View the unit ranking"),
    EXPORT: N_("Export the ledger and the bulletin"),
}
