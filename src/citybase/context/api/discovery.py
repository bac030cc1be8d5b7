"""``/types`` and ``/attributes`` (ETSI GS CIM 009 V1.6.1)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from citybase.context.api import params
from citybase.context.api.common import in_thread, new_router, raw_last_segment
from citybase.context.api.deps import active_context, can_read
from citybase.context.api.negotiation import choose_response_type, link_context
from citybase.context.api.render import json_response
from citybase.context.entity_expand import expand_attribute_name, expand_types
from citybase.context.errors import ResourceNotFound
from citybase.context.i18n import _
from citybase.context.service.discovery import (
    attribute_summary,
    attribute_types_by_name,
    type_attributes,
    type_names,
    type_summary,
)
from citybase.core.auth.deps import get_session

router = new_router()


def _list_id(kind: str) -> str:
    return f"urn:ngsi-ld:{kind}:{uuid.uuid4()}"


@router.get("/types")
async def list_types(request: Request, session: Session = Depends(get_session),
                     _principal: Any = Depends(can_read)) -> Response:
    params.check_names(request, params.DISCOVERY)
    media_type = choose_response_type(request)
    context = link_context(request)
    active = active_context(context.value)
    if params.boolean(request, "details"):
        attributes = await in_thread(type_attributes, session)
        body: Any = [
            {"id": iri, "type": "EntityType", "typeName": active.compact_iri(iri),
             "attributeNames": sorted(active.compact_iri(a) for a in names)}
            for iri, names in sorted(attributes.items())
        ]
    else:
        types = await in_thread(type_names, session)
        body = {"id": _list_id("EntityTypeList"), "type": "EntityTypeList",
                "typeList": sorted(active.compact_iri(iri) for iri in types)}
    return json_response(body, context, media_type)


@router.get("/types/{type_name}")
async def retrieve_type(type_name: str, request: Request, session: Session = Depends(get_session),
                        _principal: Any = Depends(can_read)) -> Response:
    type_name = raw_last_segment(request, type_name)
    params.check_names(request, params.DISCOVERY)
    media_type = choose_response_type(request)
    context = link_context(request)
    active = active_context(context.value)
    iri = expand_types(type_name, active)[0]
    summary = await in_thread(type_summary, session, iri)
    if summary is None:
        raise ResourceNotFound(_("No entity has type {type!r}."), type=type_name)
    body = {
        "id": iri, "type": "EntityTypeInfo", "typeName": active.compact_iri(iri),
        "entityCount": summary.entity_count,
        "attributeDetails": [
            {"id": a.iri, "type": "Attribute", "attributeName": active.compact_iri(a.iri),
             "attributeTypes": sorted(a.attribute_types)}
            for a in sorted(summary.attributes.values(), key=lambda a: a.iri)
        ],
    }
    return json_response(body, context, media_type)


@router.get("/attributes")
async def list_attributes(request: Request, session: Session = Depends(get_session),
                          _principal: Any = Depends(can_read)) -> Response:
    params.check_names(request, params.DISCOVERY)
    media_type = choose_response_type(request)
    context = link_context(request)
    active = active_context(context.value)
    summaries = await in_thread(attribute_types_by_name, session)
    if params.boolean(request, "details"):
        body: Any = [
            {"id": iri, "type": "Attribute", "attributeName": active.compact_iri(iri),
             "typeNames": sorted(active.compact_iri(t) for t in types)}
            for iri, types in sorted(summaries.items())
        ]
    else:
        body = {"id": _list_id("AttributeList"), "type": "AttributeList",
                "attributeList": sorted(active.compact_iri(iri) for iri in summaries)}
    return json_response(body, context, media_type)


@router.get("/attributes/{attr_name}")
async def retrieve_attribute(attr_name: str, request: Request, session: Session = Depends(get_session),
                             _principal: Any = Depends(can_read)) -> Response:
    attr_name = raw_last_segment(request, attr_name)
    params.check_names(request, params.DISCOVERY)
    media_type = choose_response_type(request)
    context = link_context(request)
    active = active_context(context.value)
    iri = expand_attribute_name(attr_name, active)
    summary = await in_thread(attribute_summary, session, iri)
    if summary is None:
        raise ResourceNotFound(_("No entity has attribute {name!r}."), name=attr_name)
    body = {
        "id": iri, "type": "Attribute", "attributeName": active.compact_iri(iri),
        "attributeCount": summary.count, "attributeTypes": sorted(summary.attribute_types),
        "typeNames": sorted(active.compact_iri(t) for t in summary.type_names),
    }
    return json_response(body, context, media_type)
