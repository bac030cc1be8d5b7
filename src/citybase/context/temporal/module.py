"""Registration of the NGSI-LD temporal API, beside the context broker it reads."""

from citybase.context.temporal.api import router
from citybase.core.registry import Module

module = Module(
    name="context_temporal",
    label="Context broker temporal API",
    package="citybase.context.temporal",
    routers=(router,),
    order=21,
)
