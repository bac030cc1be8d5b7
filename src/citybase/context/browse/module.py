"""Registration of the entity browsing pages and their navigation entry."""

from citybase.context.browse.views import router
from citybase.context.permissions import READ
from citybase.core.registry import Module, NavEntry

module = Module(
    name="context_browse",
    label="City entities",
    package="citybase.context.browse",
    routers=(router,),
    nav=(NavEntry("City entities", "/context", READ, order=30),),
    order=23,
)
