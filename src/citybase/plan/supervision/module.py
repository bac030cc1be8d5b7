"""Registration of plan supervision: its own module, tables and Alembic branch."""

from citybase.core.i18n_marker import N_
from citybase.core.registry import Module
from citybase.plan.supervision.jobs import JOBS
from citybase.plan.supervision.metrics import METRICS
from citybase.plan.supervision.periods import seed_periods
from citybase.plan.supervision.permissions import PERMISSIONS

module = Module(
    name="plan_supervision",
    label=N_("Plan supervision"),
    package="citybase.plan.supervision",
    models=("citybase.plan.supervision.models",),
    permissions=dict(PERMISSIONS),
    metrics=METRICS,
    jobs=JOBS,
    on_upgrade=(seed_periods,),
    order=11,
)
