"""``/entityOperations``: batch create, upsert, update, delete and query.

A batch is one transaction: entities that fail validation or a business rule are
reported in the BatchOperationResult (HTTP 207) and the others are written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from citybase.context.api import params
from citybase.context.api.common import expand_names, in_thread, new_router, render_options, type_expander
from citybase.context.api.deps import active_context, audit, can_read, can_write
from citybase.context.api.errors import problem_response
from citybase.context.api.negotiation import GEO_JSON, RequestContext, choose_response_type, item_context_error, read_body
from citybase.context.api.render import geo_collection, json_response, no_content
from citybase.context.entity_compact import compact_entity
from citybase.context.api.nulls import is_null_value
from citybase.context.entity_expand import (
    ENTITY_MEMBERS,
    ExpandedEntity,
    expand_attribute_name,
    expand_entity,
)
from citybase.context.errors import BadRequestData, NgsiLdError
from citybase.context.geo import parse_geoquery
from citybase.context.i18n import _
from citybase.context.query.qlang import parse_q
from citybase.context.query.typeexpr import TypeAny, TypeExpr, parse_type_expression
from citybase.context.scope import parse_scope_q
from citybase.context.service.entities import Workspace
from citybase.context.service.query import EntityQuery, run_query
from citybase.context.uris import check_uri
from citybase.core.auth.deps import get_session
from citybase.core.db import utcnow

router = new_router()

Failure = tuple[str, NgsiLdError]


def _entity_list(body: Any, what: str) -> list[Any]:
    if not isinstance(body, list):
        raise BadRequestData(_("The body of batch {what} must be a JSON array."), what=what)
    return body


def _expand_all(request: Request, items: list[Any], context: RequestContext,
                require_type: bool = True) -> tuple[list[ExpandedEntity], list[Failure]]:
    expanded: list[ExpandedEntity] = []
    failures: list[Failure] = []
    for item in items:
        try:
            misplaced = item_context_error(request, item)
            if misplaced is not None:
                raise misplaced
            own_context = item.get("@context", context.value) if isinstance(item, dict) else context.value
            expanded.append(expand_entity(item, active_context(own_context), require_type=require_type))
        except NgsiLdError as error:
            entity_id = item.get("id", "") if isinstance(item, dict) else ""
            failures.append((entity_id if isinstance(entity_id, str) else "", error))
    return expanded, failures


def _apply(session: Session, operation: str, entities: list[Any],
           step: Callable[[Workspace, Any], None], entity_id: Callable[[Any], str]) -> tuple[list[str], list[Failure]]:
    workspace = Workspace(session, utcnow())
    workspace.preload([entity_id(e) for e in entities])
    done: list[str] = []
    failures: list[Failure] = []
    for entity in entities:
        try:
            step(workspace, entity)
            done.append(entity_id(entity))
        except NgsiLdError as error:
            failures.append((entity_id(entity), error))
    workspace.commit()
    if done:
        audit(session, "update", f"batch {operation}", done)
    session.commit()
    return done, failures


def _result(request: Request, success: list[str], failures: list[Failure], status: int,
            body: Any = None) -> Response:
    if failures:
        errors = []
        for entity_id, error in failures:
            problem = problem_response(request, error)
            import json

            errors.append({"entityId": entity_id, "error": json.loads(problem.body)})
        return JSONResponse({"success": success, "errors": errors}, status_code=207)
    if status == 204:
        return no_content()
    return JSONResponse(body if body is not None else success, status_code=status)


@router.post("/entityOperations/create")
async def batch_create(request: Request, session: Session = Depends(get_session),
                       _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.NONE)
    body, context = await read_body(request, per_item=True)
    entities, failures = _expand_all(request, _entity_list(body, "create"), context)
    done, more = await in_thread(_apply, session, "create", entities,
                                 lambda ws, e: ws.create(e), lambda e: e.id)
    return _result(request, done, failures + more, 201)


@router.post("/entityOperations/upsert")
async def batch_upsert(request: Request, session: Session = Depends(get_session),
                       _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.WRITE_OPTIONS)
    replace = "update" not in params.options(request)
    body, context = await read_body(request, per_item=True)
    entities, failures = _expand_all(request, _entity_list(body, "upsert"), context)
    created: list[str] = []

    def step(workspace: Workspace, entity: ExpandedEntity) -> None:
        if workspace.upsert(entity, replace=replace):
            created.append(entity.id or "")

    done, more = await in_thread(_apply, session, "upsert", entities, step, lambda e: e.id)
    if failures or more:
        return _result(request, done, failures + more, 201)
    if created:
        return JSONResponse(created, status_code=201)
    return no_content()


@router.post("/entityOperations/update")
async def batch_update(request: Request, session: Session = Depends(get_session),
                       _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.WRITE_OPTIONS)
    overwrite = "noOverwrite" not in params.options(request)
    body, context = await read_body(request, per_item=True)
    entities, failures = _expand_all(request, _entity_list(body, "update"), context, require_type=False)

    def step(workspace: Workspace, entity: ExpandedEntity) -> None:
        entity_id = entity.id or ""
        workspace.add_types(entity_id, entity.types)
        result = workspace.append(entity_id, entity.attrs, overwrite=overwrite)
        if result.not_updated:
            names = ", ".join(iri for iri, _reason in result.not_updated)
            raise BadRequestData(_("Attributes not updated because noOverwrite was given: {names}."), names=names)

    done, more = await in_thread(_apply, session, "update", entities, step, lambda e: e.id)
    return _result(request, done, failures + more, 204)


@router.post("/entityOperations/merge")
async def batch_merge(request: Request, session: Session = Depends(get_session),
                      _principal: Any = Depends(can_write)) -> Response:
    """Merge-patch each entity (clause 5.6.21); attributes set to the NGSI-LD null are deleted."""
    params.check_names(request, params.WRITE_OPTIONS)
    params.options(request)
    body, context = await read_body(request, per_item=True)
    items = _entity_list(body, "merge")
    failures: list[Failure] = []
    merges: list[tuple[ExpandedEntity, list[tuple[str, str | None]]]] = []
    for item in items:
        try:
            if not isinstance(item, dict):
                raise BadRequestData(_("Each entity of a batch merge must be a JSON object."))
            misplaced = item_context_error(request, item)
            if misplaced is not None:
                raise misplaced
            active = active_context(item.get("@context", context.value))
            deletions = [(expand_attribute_name(name, active),
                          value.get("datasetId") if isinstance(value, dict) else None)
                         for name, value in item.items() if name not in ENTITY_MEMBERS and is_null_value(value)]
            kept = {k: v for k, v in item.items() if k in ENTITY_MEMBERS or not is_null_value(v)}
            merges.append((expand_entity(kept, active, require_type=False), deletions))
        except NgsiLdError as error:
            entity_id = item.get("id", "") if isinstance(item, dict) else ""
            failures.append((entity_id if isinstance(entity_id, str) else "", error))

    def step(workspace: Workspace, merge: tuple[ExpandedEntity, list[tuple[str, str | None]]]) -> None:
        entity, deletions = merge
        workspace.merge(entity.id or "", entity, deletions)

    done, more = await in_thread(_apply, session, "merge", merges, step, lambda m: m[0].id or "")
    return _result(request, done, failures + more, 204)


@router.post("/entityOperations/delete")
async def batch_delete(request: Request, session: Session = Depends(get_session),
                       _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.NONE)
    body, _context = await read_body(request, per_item=True)
    ids = _entity_list(body, "delete")
    failures: list[Failure] = []
    valid: list[str] = []
    for item in ids:
        try:
            valid.append(check_uri(item, "Entity id"))
        except NgsiLdError as error:
            failures.append((item if isinstance(item, str) else "", error))
    done, more = await in_thread(_apply, session, "delete", valid, lambda ws, i: ws.delete(i), lambda i: i)
    return _result(request, done, failures + more, 204)


@router.post("/entityOperations/query")
async def batch_query(request: Request, session: Session = Depends(get_session),
                      _principal: Any = Depends(can_read)) -> Response:
    params.check_names(request, frozenset({"limit", "offset", "count", "options", "format", "lang", "local",
                                           "geometryProperty"}))
    media_type = choose_response_type(request, allow_geo_json=True)
    body, context = await read_body(request)
    if not isinstance(body, dict) or body.get("type") != "Query":
        raise BadRequestData(_("The body of a batch query must be a Query object with \"type\": \"Query\"."))
    active = active_context(context.value)
    query = _query_from_body(body, active)
    paging = params.paging(request)
    query.limit, query.offset, query.count = paging.limit, paging.offset, paging.count
    representation = params.representation(request)
    result = await in_thread(run_query, session, query)
    options = render_options(representation.format, representation.sys_attrs, query.attrs, request.query_params.get("lang"))
    documents = [compact_entity(e.as_document(), active, options) for e in result.entities]
    headers = {"NGSILD-Results-Count": str(result.total)} if result.total is not None else None
    if media_type == GEO_JSON:
        geometry_property = request.query_params.get("geometryProperty", "location")
        return json_response(geo_collection(documents, geometry_property), context, media_type, headers=headers)
    return json_response(documents, context, media_type, headers=headers)


def _query_from_body(body: dict[str, Any], active: Any) -> EntityQuery:
    selectors = body.get("entities") or []
    if not isinstance(selectors, list):
        raise BadRequestData(_("'entities' of a Query must be an array of entity selectors."))
    ids = [check_uri(s["id"], "id") for s in selectors if isinstance(s, dict) and "id" in s]
    patterns = [s["idPattern"] for s in selectors if isinstance(s, dict) and "idPattern" in s]
    type_names = [s["type"] for s in selectors if isinstance(s, dict) and "type" in s]
    # A selector's type is a type expression, as the type parameter of GET /entities ("A,B" is A or B).
    types = TypeAny(tuple(_type_expression(name, active) for name in type_names)) if type_names else None
    attrs = expand_names(body.get("attrs"), active)
    q = parse_q(body["q"]) if body.get("q") else None
    geo_body = body.get("geoQ") or {}
    geoproperty = geo_body.get("geoproperty")
    geo = parse_geoquery(geo_body.get("georel"), geo_body.get("geometry"), geo_body.get("coordinates"),
                         expand_attribute_name(geoproperty, active) if geoproperty else active.expand_iri("location"))
    scope_q = parse_scope_q(body["scopeQ"]) if "scopeQ" in body else None
    if not any((ids, patterns, types, attrs, q, geo, scope_q)):
        raise BadRequestData(_("A query needs at least one of entities, attrs, q, scopeQ or geoQ."))
    return EntityQuery(
        expand=lambda name: expand_attribute_name(name, active), ids=ids or None,
        id_pattern="|".join(f"(?:{p})" for p in patterns) or None, types=types, attrs=attrs, q=q, geo=geo,
        scope_q=scope_q,
    )


def _type_expression(name: Any, active: Any) -> TypeExpr:
    if not isinstance(name, str):
        raise BadRequestData(_("The type of an entity selector must be a string, not {value!r}."), value=name)
    return parse_type_expression(name).map(type_expander(active))
