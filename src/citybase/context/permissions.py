"""Permissions of the context broker: reading and writing entities are separate."""

from __future__ import annotations

from citybase.core.auth.roles import ADMIN, DATA_STEWARD, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, VIEWER

READ = "context.read"
WRITE = "context.write"

CONTEXT_PERMISSIONS: dict[str, frozenset[str]] = {
    READ: frozenset({ADMIN, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, DATA_STEWARD, VIEWER}),
    # Devices and gateways write through service accounts holding one of these roles.
    WRITE: frozenset({ADMIN, DISPATCHER, DATA_STEWARD}),
}
