"""Registration of the assessment: unit ranking pages, exports, their API and the plan CLI's export commands."""

from citybase.core.i18n_marker import N_
from citybase.core.registry import Module, NavEntry
from citybase.plan.cli import plan_app
from citybase.plan.supervision.assessment import api, views
from citybase.plan.supervision.assessment.cli import register
from citybase.plan.supervision.assessment.permissions import PERMISSIONS, PERMISSION_LABELS, RANKING_READ

# `citybase plan` belongs to the plan module; the export commands join it here, before
# the CLI adds the registered modules' command groups.
register(plan_app)

module = Module(
    name="plan_assessment",
    label=N_("Plan assessment"),
    package="citybase.plan.supervision.assessment",
    routers=(views.router, api.router),
    nav=(NavEntry(N_("Unit ranking"), "/plan/supervision/ranking", RANKING_READ, order=24),),
    permissions=dict(PERMISSIONS),
    permission_labels=dict(PERMISSION_LABELS),
    order=12,
)
