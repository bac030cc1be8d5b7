"""Roles and the permissions each role holds.

Modules add permissions through the registry (``Module.permissions``); the table
here is the core's own. A permission is a dotted string such as ``plan.import``.
"""

from __future__ import annotations

from citybase.core.i18n_marker import N_

ADMIN = "admin"
DIGITAL_OFFICE = "digital_office"
DISPATCHER = "dispatcher"
UNIT_REPORTER = "unit_reporter"
DATA_STEWARD = "data_steward"
VIEWER = "viewer"
PUBLIC = "public"

ROLES: tuple[str, ...] = (ADMIN, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, DATA_STEWARD, VIEWER, PUBLIC)

# msgids of the role names; the catalogue holds the Chinese.
ROLE_LABELS: dict[str, str] = {
    ADMIN: N_("Administrator"),
    DIGITAL_OFFICE: N_("Digital office"),
    DISPATCHER: N_("Operations dispatcher"),
    UNIT_REPORTER: N_("Unit reporter"),
    DATA_STEWARD: N_("Data steward"),
    VIEWER: N_("Viewer"),
    PUBLIC: N_("Public"),
}

def permission_label(permission: str) -> str:
    """Return the permission's name in the current locale (管理用户 for users.manage).

    A permission without a label is shown as its code, so the message still names the
    missing permission.
    """
    from citybase.core import registry
    from citybase.core.i18n import gettext_

    label = registry.permission_labels().get(permission)
    return gettext_(label) if label else permission


def role_label(role: str) -> str:
    """Return the role's name in the current locale (数字办 for digital_office)."""
    from citybase.core.i18n import gettext_

    return gettext_(ROLE_LABELS.get(role, role))


CORE_PERMISSIONS: dict[str, frozenset[str]] = {
    "users.manage": frozenset({ADMIN}),
    "tokens.manage_own": frozenset({ADMIN, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, DATA_STEWARD, VIEWER}),
    "tokens.manage_all": frozenset({ADMIN}),
    "audit.read": frozenset({ADMIN, DIGITAL_OFFICE}),
    "units.read": frozenset({ADMIN, DIGITAL_OFFICE, DISPATCHER, UNIT_REPORTER, DATA_STEWARD, VIEWER}),
    "units.manage": frozenset({ADMIN, DIGITAL_OFFICE}),
}

CORE_PERMISSION_LABELS: dict[str, str] = {
    "users.manage": N_("Manage users"),
    "tokens.manage_own": N_("Manage own API tokens"),
    "tokens.manage_all": N_("Manage every API token"),
    "audit.read": N_("Read the audit log"),
    "units.read": N_("View units"),
    "units.manage": N_("Manage units"),
}
