"""Permissions of the context broker: reading and writing entities are separate."""

from __future__ import annotations

from citybase.core.auth.roles import ADMIN, DATA_STEWARD, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, VIEWER
from citybase.core.i18n_marker import N_

READ = "context.read"
WRITE = "context.write"

CONTEXT_PERMISSIONS: dict[str, frozenset[str]] = {
    READ: frozenset({ADMIN, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, DATA_STEWARD, VIEWER}),
    # Devices and gateways write through service accounts holding one of these roles.
    WRITE: frozenset({ADMIN, DISPATCHER, DATA_STEWARD}),
}

CONTEXT_PERMISSION_LABELS: dict[str, str] = {
    READ: N_("Read context entities"),
    WRITE: N_("Write context entities"),
}
