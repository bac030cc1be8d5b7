"""The plan module's registration: pages, API, CLI, navigation and permissions."""

from citybase.core.i18n_marker import N_
from citybase.core.registry import Module, NavEntry
from citybase.plan.api import router as api_router
from citybase.plan.cli import plan_app
from citybase.plan.permissions import PERMISSIONS, PERMISSION_LABELS, READ
from citybase.plan.views import router as views_router

module = Module(
    name="plan",
    label=N_("Action plan"),
    package="citybase.plan",
    models=("citybase.plan.models",),
    routers=(views_router, api_router),
    cli=plan_app,
    cli_name="plan",
    nav=(NavEntry(N_("Action plan"), "/plan", READ, order=10),),
    permissions=dict(PERMISSIONS),
    permission_labels=dict(PERMISSION_LABELS),
    order=10,
)
