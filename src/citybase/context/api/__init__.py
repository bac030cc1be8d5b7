"""The NGSI-LD API under ``/ngsi-ld/v1``, assembled from one router per resource family."""

from fastapi import APIRouter

from citybase.context.api import attrs, batch, discovery, entities
from citybase.context.api.deps import startup

# Attribute routes come first so that ``/entities/{id}/attrs`` never reads as an entity id.
router = APIRouter()
for part in (attrs.router, entities.router, batch.router, discovery.router):
    router.include_router(part)

__all__ = ["router", "startup"]
