"""Registration of NGSI-LD context source registrations: the API and the table."""

from citybase.context.registrations.api import router
from citybase.core.i18n_marker import N_
from citybase.core.registry import Module

module = Module(
    name="context_registrations",
    label=N_("Context source registrations"),
    package="citybase.context.registrations",
    models=("citybase.context.registrations.models",),
    routers=(router,),
    order=23,
)
