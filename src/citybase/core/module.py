"""The core module's own registration, made through the same registry as any module."""

from citybase.core.auth.roles import CORE_PERMISSION_LABELS, CORE_PERMISSIONS
from citybase.core.registry import Module, NavEntry
from citybase.core.units import seed_units

module = Module(
    name="core",
    label="Platform",
    package="citybase.core",
    models=(
        "citybase.core.units",
        "citybase.core.auth.models",
        "citybase.core.audit",
        "citybase.core.notifications",
        "citybase.core.worker",
    ),
    nav=(
        NavEntry("Units", "/units", "units.read", order=900),
        NavEntry("API tokens", "/account/tokens", "tokens.manage_own", order=910),
        NavEntry("Users", "/admin/users", "users.manage", order=920),
        NavEntry("Audit log", "/admin/audit", "audit.read", order=930),
    ),
    permissions=dict(CORE_PERMISSIONS),
    permission_labels=dict(CORE_PERMISSION_LABELS),
    on_upgrade=(seed_units,),
    order=0,
)
