"""The core module's own registration, made through the same registry as any module."""

from citybase.core.auth.roles import CORE_PERMISSIONS
from citybase.core.registry import Module
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
    permissions=dict(CORE_PERMISSIONS),
    on_upgrade=(seed_units,),
    order=0,
)
