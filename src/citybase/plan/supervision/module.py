"""Registration of plan supervision: its own module, tables, Alembic branch, pages, API and jobs."""

from citybase.core.i18n_marker import N_
from citybase.core.registry import Module, NavEntry
from citybase.plan.supervision import api, views_dashboard, views_notices, views_reports, views_tasks
from citybase.plan.supervision.home_panel import HOME_PANEL
from citybase.plan.supervision.jobs import JOBS
from citybase.plan.supervision.metrics import METRICS
from citybase.plan.supervision.periods import seed_periods
from citybase.plan.supervision.permissions import DASHBOARD, PERMISSIONS, PERMISSION_LABELS, READ, REPORT, REVIEW
from citybase.plan.supervision.task_page_panel import PANEL

module = Module(
    name="plan_supervision",
    label=N_("Plan supervision"),
    package="citybase.plan.supervision",
    models=("citybase.plan.supervision.models",),
    routers=(
        views_reports.router, views_tasks.router, views_notices.router, views_dashboard.router, api.router,
        views_dashboard.api_router,
    ),
    nav=(
        NavEntry(N_("Dashboard"), "/plan/dashboard", DASHBOARD, order=19),
        NavEntry(N_("My tasks"), "/plan/my/tasks", REPORT, order=20),
        NavEntry(N_("Review queue"), "/plan/review", REVIEW, order=21),
        NavEntry(N_("Plan supervision"), "/plan/supervision", READ, order=22),
        NavEntry(N_("Supervision notices"), "/plan/notices", READ, order=23),
    ),
    permissions=dict(PERMISSIONS),
    permission_labels=dict(PERMISSION_LABELS),
    metrics=METRICS,
    jobs=JOBS,
    panels=(PANEL, HOME_PANEL),
    on_upgrade=(seed_periods,),
    order=11,
)
