"""``/entities``: create, query, retrieve, replace, merge-patch and delete entities."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from citybase.context.api import params
from citybase.context.api.common import (
    check_id_pattern,
    raw_path_params,
    entity_location,
    expand_names,
    in_thread,
    new_router,
    render_options,
    require_object,
    type_expander,
)
from citybase.context.api.deps import active_context, audit, can_read, can_write
from citybase.context.api.nulls import is_null_value
from citybase.context.api.negotiation import GEO_JSON, RequestContext, choose_response_type, link_context, read_body
from citybase.context.api.render import geo_collection, geo_feature, json_response, no_content
from citybase.context.entity_compact import compact_entity
from citybase.context.entity_expand import ENTITY_MEMBERS, expand_attribute_name, expand_entity, expand_types
from citybase.context.errors import BadRequestData, ResourceNotFound
from citybase.context.geo import parse_geoquery
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.query.qlang import parse_q
from citybase.context.query.typeexpr import parse_type_expression
from citybase.context.scope import parse_scope_q
from citybase.context.service.entities import Workspace
from citybase.context.service.query import EntityQuery, run_query
from citybase.context.service.store import EntityStore
from citybase.context.uris import check_uri
from citybase.core.auth.deps import get_session
from citybase.core.db import utcnow

router = new_router()


# ---- create ----------------------------------------------------------------------------------

@router.post("/entities", status_code=201)
@router.post("/entities/", status_code=201, include_in_schema=False)
async def create_entity(request: Request, session: Session = Depends(get_session),
                        _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.NONE)
    body, context = await read_body(request)
    entity = expand_entity(require_object(body, _("entity creation")), active_context(context.value))

    def work() -> None:
        workspace = Workspace(session, utcnow())
        workspace.create(entity)
        workspace.commit()
        audit(session, "insert", "create", [entity.id or ""])
        session.commit()

    await in_thread(work)
    return Response(status_code=201, headers={"Location": entity_location(entity.id or "")})


# ---- query -----------------------------------------------------------------------------------

@router.get("/entities")
@router.get("/entities/", include_in_schema=False)
async def query_entities(request: Request, session: Session = Depends(get_session),
                         _principal: Any = Depends(can_read)) -> Response:
    params.check_names(request, params.ENTITY_QUERY)
    media_type = choose_response_type(request, allow_geo_json=True)
    context = link_context(request)
    active = active_context(context.value)
    query, representation, attrs = build_query(request, active)
    result = await in_thread(run_query, session, query)
    options = render_options(representation.format, representation.sys_attrs, attrs, request.query_params.get("lang"))
    documents = [compact_entity(e.as_document(), active, options) for e in result.entities]
    headers = {"NGSILD-Results-Count": str(result.total)} if result.total is not None else None
    if media_type == GEO_JSON:
        geometry_property = request.query_params.get("geometryProperty", "location")
        return json_response(geo_collection(documents, geometry_property), context, media_type, headers=headers)
    return json_response(documents, context, media_type, headers=headers)


def build_query(request: Request, active: ActiveContext) -> tuple[EntityQuery, params.Representation, list[str] | None]:
    """Read the query parameters of GET /entities into an EntityQuery."""
    args = request.query_params
    ids = params.name_list(request, "id")
    for entity_id in ids or []:
        check_uri(entity_id, "id")
    types = parse_type_expression(args["type"]).map(type_expander(active)) if "type" in args else None
    attrs = expand_names(params.name_list(request, "attrs"), active)
    q = parse_q(args["q"]) if "q" in args else None
    geoproperty = args.get("geoproperty")
    geo = parse_geoquery(args.get("georel"), args.get("geometry"), args.get("coordinates"),
                         expand_attribute_name(geoproperty, active) if geoproperty else active.expand_iri("location"))
    scope_q = parse_scope_q(args["scopeQ"]) if "scopeQ" in args else None
    if not any((ids, args.get("idPattern"), types, attrs, q, geo, scope_q, args.get("local") == "true")):
        raise BadRequestData(
            _("A query needs at least one of id, idPattern, type, attrs, q, scopeQ or a geo-query.")
        )
    paging = params.paging(request)
    query = EntityQuery(
        expand=lambda name: expand_attribute_name(name, active), ids=ids, id_pattern=args.get("idPattern"),
        types=types, attrs=attrs, q=q, geo=geo, scope_q=scope_q, limit=paging.limit, offset=paging.offset,
        count=paging.count,
    )
    check_id_pattern(query.id_pattern)
    return query, params.representation(request), attrs


# ---- retrieve --------------------------------------------------------------------------------

@router.get("/entities/{entity_id}")
async def retrieve_entity(entity_id: str, request: Request, session: Session = Depends(get_session),
                          _principal: Any = Depends(can_read)) -> Response:
    entity_id, _attr = raw_path_params(request, entity_id)
    params.check_names(request, params.ENTITY_RETRIEVE)
    check_uri(entity_id, "Entity id")
    media_type = choose_response_type(request, allow_geo_json=True)
    context = link_context(request)
    active = active_context(context.value)
    representation = params.representation(request)
    attrs = expand_names(params.name_list(request, "attrs"), active)
    found = await in_thread(lambda: EntityStore(session).load([entity_id]).get(entity_id))
    wanted_types = request.query_params.get("type")
    if found is None or (wanted_types and not set(expand_types(wanted_types.split(","), active)) & set(found.types)):
        raise ResourceNotFound(_("Entity {id!r} was not found."), id=entity_id)
    if attrs is not None and not set(attrs) & set(found.attrs):
        raise ResourceNotFound(_("Entity {id!r} has none of the attributes {names}."),
                               id=entity_id, names=", ".join(params.name_list(request, "attrs") or []))
    options = render_options(representation.format, representation.sys_attrs, attrs, request.query_params.get("lang"))
    document = compact_entity(found.as_document(), active, options)
    if media_type == GEO_JSON:
        return json_response(geo_feature(document, request.query_params.get("geometryProperty", "location")),
                             context, media_type)
    return json_response(document, context, media_type)


# ---- replace and merge -------------------------------------------------------------------------

@router.put("/entities/{entity_id}", status_code=204)
async def replace_entity(entity_id: str, request: Request, session: Session = Depends(get_session),
                         _principal: Any = Depends(can_write)) -> Response:
    entity_id, _attr = raw_path_params(request, entity_id)
    params.check_names(request, params.NONE)
    check_uri(entity_id, "Entity id")
    body, context = await read_body(request)
    body = _matching_id(require_object(body, _("entity replacement")), entity_id)
    entity = expand_entity({**body, "id": entity_id}, active_context(context.value), require_type=False)

    def work() -> None:
        workspace = Workspace(session, utcnow())
        workspace.replace(entity_id, entity)
        workspace.commit()
        audit(session, "update", "replace", [entity_id])
        session.commit()

    await in_thread(work)
    return no_content()


@router.patch("/entities/{entity_id}", status_code=204)
async def merge_entity(entity_id: str, request: Request, session: Session = Depends(get_session),
                       _principal: Any = Depends(can_write)) -> Response:
    entity_id, _attr = raw_path_params(request, entity_id)
    params.check_names(request, params.WRITE_OPTIONS)
    check_uri(entity_id, "Entity id")
    body, context = await read_body(request, allow_merge_patch=True)
    body = _matching_id(require_object(body, _("entity merge")), entity_id)
    active = active_context(context.value)
    # The NGSI-LD null deletes the instance it names by datasetId, the default instance without one.
    deletions = [(expand_attribute_name(name, active), value.get("datasetId") if isinstance(value, dict) else None)
                 for name, value in body.items() if name not in ENTITY_MEMBERS and is_null_value(value)]
    kept = {k: v for k, v in body.items() if k in ENTITY_MEMBERS or not is_null_value(v)}
    entity = expand_entity({**kept, "id": entity_id}, active, require_type=False)

    def work() -> None:
        workspace = Workspace(session, utcnow())
        workspace.merge(entity_id, entity, deletions)
        workspace.commit()
        audit(session, "update", "merge", [entity_id])
        session.commit()

    await in_thread(work)
    return no_content()


def _matching_id(body: dict[str, Any], entity_id: str) -> dict[str, Any]:
    given = body.get("id", body.get("@id"))
    if given is not None and given != entity_id:
        raise BadRequestData(
            _("The body names entity {given!r} but the URL names {id!r}."), given=given, id=entity_id
        )
    return body


# ---- delete ------------------------------------------------------------------------------------

@router.delete("/entities/{entity_id}", status_code=204)
async def delete_entity(entity_id: str, request: Request, session: Session = Depends(get_session),
                        _principal: Any = Depends(can_write)) -> Response:
    entity_id, _attr = raw_path_params(request, entity_id)
    params.check_names(request, params.NONE)
    check_uri(entity_id, "Entity id")

    def work() -> None:
        workspace = Workspace(session, utcnow())
        workspace.delete(entity_id)
        workspace.commit()
        audit(session, "delete", "delete", [entity_id])
        session.commit()

    await in_thread(work)
    return no_content()


__all__ = ["router", "RequestContext"]
