"""Registration of plan supervision: its own module, tables and Alembic branch."""

from citybase.core.registry import Module
from citybase.plan.supervision.permissions import PERMISSIONS

module = Module(
    name="plan_supervision",
    label="Plan supervision",
    package="citybase.plan.supervision",
    models=("citybase.plan.supervision.models",),
    permissions=dict(PERMISSIONS),
    order=11,
)
