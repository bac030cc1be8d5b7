"""The context module's registration: NGSI-LD API, permissions and startup checks."""

from citybase.context.api import router, startup
from citybase.context.cli import urn_app
from citybase.context.permissions import CONTEXT_PERMISSIONS, CONTEXT_PERMISSION_LABELS
from citybase.core.i18n_marker import N_
from citybase.core.registry import Module

module = Module(
    name="context",
    label=N_("City identifiers and context broker"),
    package="citybase.context",
    models=("citybase.context.models",),
    routers=(router,),
    cli=urn_app,
    cli_name="urn",
    permissions=dict(CONTEXT_PERMISSIONS),
    permission_labels=dict(CONTEXT_PERMISSION_LABELS),
    on_startup=(startup,),
    order=20,
)
