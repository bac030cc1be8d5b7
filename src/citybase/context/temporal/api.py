"""``/temporal/entities``: the NGSI-LD temporal API (ETSI GS CIM 009 V1.6.1, clauses 5.6.11-5.6.16, 5.7.3, 5.7.4).

Reads select entities the way ``/entities`` does (id, idPattern, type, attrs, q,
geo-query) and then their attribute instances with the temporal query, or the
aggregates of those instances (``aggregatedValues``, see
:mod:`citybase.context.temporal.aggregation`). Writes add, patch and delete
instances of the temporal evolution.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from citybase.context.api import params
from citybase.context.api.common import expand_names, in_thread, new_router, raw_path_params, require_object
from citybase.context.api.deps import active_context, audit, can_read, can_write
from citybase.context.api.negotiation import choose_response_type, link_context, read_body
from citybase.context.api.render import json_response, no_content
from citybase.context.entity_expand import (
    ENTITY_MEMBERS,
    expand_attribute,
    expand_attribute_name,
    expand_types,
)
from citybase.context.errors import BadRequestData, ResourceNotFound
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.scope import SCOPE_IRI
from citybase.context.service.store import EntityStore, StoredEntity
from citybase.context.temporal import service
from citybase.context.temporal.aggregate_query import read_aggregates
from citybase.context.temporal.aggregation import Aggregation, render_aggregated
from citybase.context.temporal.selection import (
    TEMPORAL_QUERY,
    TEMPORAL_RETRIEVE,
    aggregation_from,
    body_aggregation_source,
    query_from_body,
    query_from_params,
    temporal_options,
)
from citybase.context.temporal.paging import add_emptied, cut_to_range
from citybase.context.temporal.render import TemporalOptions, render_temporal
from citybase.context.temporal.timequery import TemporalQuery, parse_temporal_query
from citybase.context.uris import check_uri
from citybase.core.auth.deps import get_session
from citybase.core.db import utcnow
from citybase.context.service.query import EntityQuery, run_query

router = new_router()
BASE = "/temporal/entities"


# ---- reads ----------------------------------------------------------------------------------------

@router.get(BASE)
@router.get(BASE + "/", include_in_schema=False)
async def query_temporal(request: Request, session: Session = Depends(get_session),
                         _principal: Any = Depends(can_read)) -> Response:
    params.check_names(request, TEMPORAL_QUERY)
    media_type = choose_response_type(request)
    context = link_context(request)
    active = active_context(context.value)
    selection = query_from_params(request, active)
    temporal = parse_temporal_query(request.query_params.get, require_timerel=False)
    options = temporal_options(request, temporal)
    aggregation = aggregation_from(request, request.query_params.get)
    limit = request.app.state.settings.context_temporal_max_instances
    documents, total, page_range = await in_thread(_run_temporal_query, session, selection, temporal, active,
                                                   options, aggregation, limit)
    headers = {"NGSILD-Results-Count": str(total)} if total is not None else {}
    return _partial_or_full(documents, context, media_type, headers, page_range)


@router.post("/temporal/entityOperations/query")
async def query_temporal_post(request: Request, session: Session = Depends(get_session),
                              _principal: Any = Depends(can_read)) -> Response:
    params.check_names(request, frozenset({"limit", "offset", "count", "options", "format", "lang", "local"}))
    media_type = choose_response_type(request)
    body, context = await read_body(request)
    active = active_context(context.value)
    query = require_object(body, _("a temporal query"))
    selection, temporal = query_from_body(query, active)
    paging = params.paging(request)
    selection.limit, selection.offset, selection.count = paging.limit, paging.offset, paging.count
    options = temporal_options(request, temporal)
    aggregation = aggregation_from(request, body_aggregation_source(query))
    limit = request.app.state.settings.context_temporal_max_instances
    documents, total, page_range = await in_thread(_run_temporal_query, session, selection, temporal, active,
                                                   options, aggregation, limit)
    headers = {"NGSILD-Results-Count": str(total)} if total is not None else {}
    return _partial_or_full(documents, context, media_type, headers, page_range)


def _run_temporal_query(session: Session, selection: EntityQuery, temporal: TemporalQuery, active: ActiveContext,
                        options: TemporalOptions, aggregation: Aggregation | None,
                        limit: int) -> tuple[list[dict[str, Any]], int | None, str | None]:
    result = run_query(session, selection)
    pks = [entity.pk for entity in result.entities if entity.pk is not None]
    if aggregation is not None:
        aggregates = read_aggregates(session, pks, selection.attrs, temporal, aggregation, limit)
        documents = [render_aggregated(e, aggregates[e.pk], active, aggregation)
                     for e in result.entities if e.pk in aggregates]
        return documents, result.total, None
    page = service.read_history_page(session, pks, selection.attrs, temporal, limit)
    page_range = cut_to_range(page, temporal)
    history = page.history
    # An entity none of whose instances the temporal query selects is left out of the result.
    # An entity whose instances the range cut away stays, with its attributes as empty lists.
    documents = [
        add_emptied(render_temporal(e, history[e.pk], active, options), e.pk, page_range, active, options.simplified)
        for e in result.entities if e.pk in history
    ]
    return documents, result.total, page_range.header() if page_range else None


def _partial_or_full(body: Any, context: Any, media_type: str, headers: dict[str, str],
                     page_range: str | None) -> Response:
    """Return 200, or 206 Partial Content with ``page_range`` when the instance limit cut the result."""
    if page_range is None:
        return json_response(body, context, media_type, headers=headers or None)
    return json_response(body, context, media_type, status=206, headers={**headers, "Content-Range": page_range})


@router.get(BASE + "/{entity_id}")
async def retrieve_temporal(entity_id: str, request: Request, session: Session = Depends(get_session),
                            _principal: Any = Depends(can_read)) -> Response:
    entity_id, _attr = raw_path_params(request, entity_id)
    params.check_names(request, TEMPORAL_RETRIEVE)
    check_uri(entity_id, "Entity id")
    media_type = choose_response_type(request)
    context = link_context(request)
    active = active_context(context.value)
    attrs = expand_names(params.name_list(request, "attrs"), active)
    temporal = parse_temporal_query(request.query_params.get)
    options = temporal_options(request, temporal)
    aggregation = aggregation_from(request, request.query_params.get)

    limit = request.app.state.settings.context_temporal_max_instances

    def work() -> tuple[dict[str, Any], str | None]:
        entity = _require_entity(session, entity_id, request.query_params.get("type"), active)
        if aggregation is not None:
            aggregates = read_aggregates(session, [entity.pk or 0], attrs, temporal, aggregation, limit)
            return render_aggregated(entity, aggregates.get(entity.pk or 0, {}), active, aggregation), None
        page = service.read_history_page(session, [entity.pk or 0], attrs, temporal, limit)
        page_range = cut_to_range(page, temporal)
        rows = page.history.get(entity.pk or 0, [])
        if attrs is not None and not rows and not any(a in entity.attrs for a in attrs):
            raise ResourceNotFound(
                _("Entity {id!r} has none of the attributes {attrs}."), id=entity_id, attrs=", ".join(attrs)
            )
        document = render_temporal(entity, rows, active, options)
        add_emptied(document, entity.pk or 0, page_range, active, options.simplified)
        return document, page_range.header() if page_range else None

    document, page_range = await in_thread(work)
    return _partial_or_full(document, context, media_type, {}, page_range)


def _require_entity(session: Session, entity_id: str, wanted_types: str | None, active: ActiveContext) -> StoredEntity:
    entity = EntityStore(session).load([entity_id]).get(entity_id)
    if entity is None or (wanted_types and not set(expand_types(wanted_types.split(","), active)) & set(entity.types)):
        raise ResourceNotFound(_("Entity {id!r} was not found."), id=entity_id)
    return entity


# ---- writes ---------------------------------------------------------------------------------------

@router.post(BASE)
@router.post(BASE + "/", include_in_schema=False)
async def create_or_update_temporal(request: Request, session: Session = Depends(get_session),
                                    _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.NONE)
    body, context = await read_body(request)
    body = require_object(body, _("a temporal entity"))
    active = active_context(context.value)
    entity_id = body.get("id", body.get("@id"))
    if entity_id is None:
        raise BadRequestData(_("The temporal entity has no 'id'; give a URI such as 'urn:ngsi-ld:Device:310114-0001'."))
    check_uri(entity_id, "Entity id")
    types = expand_types(body.get("type", body.get("@type")), active)
    attrs = expand_temporal_attributes(body, active)

    def work() -> bool:
        created = service.add_instances(session, entity_id, types, attrs, utcnow(), create=True)
        audit(session, "insert" if created else "update", "temporal create or update", [entity_id])
        session.commit()
        return created

    if await in_thread(work):
        return Response(status_code=201, headers={"Location": f"/ngsi-ld/v1{BASE}/{entity_id}"})
    return no_content()


@router.post(BASE + "/{entity_id}/attrs", status_code=204)
@router.post(BASE + "/{entity_id}/attrs/", status_code=204, include_in_schema=False)
async def add_temporal_attributes(entity_id: str, request: Request, session: Session = Depends(get_session),
                                  _principal: Any = Depends(can_write)) -> Response:
    entity_id, _attr = raw_path_params(request, entity_id)
    params.check_names(request, params.NONE)
    check_uri(entity_id, "Entity id")
    body, context = await read_body(request)
    attrs = expand_temporal_attributes(require_object(body, _("temporal attributes")), active_context(context.value))

    def work() -> None:
        service.add_instances(session, entity_id, [], attrs, utcnow(), create=False)
        audit(session, "update", "temporal append attributes", [entity_id])
        session.commit()

    await in_thread(work)
    return no_content()


@router.delete(BASE + "/{entity_id}", status_code=204)
async def delete_temporal(entity_id: str, request: Request, session: Session = Depends(get_session),
                          _principal: Any = Depends(can_write)) -> Response:
    entity_id, _attr = raw_path_params(request, entity_id)
    params.check_names(request, params.NONE)
    check_uri(entity_id, "Entity id")

    def work() -> None:
        entity = _require_entity(session, entity_id, None, active_context(link_context(request).value))
        service.delete_entity(session, entity)
        audit(session, "delete", "temporal delete", [entity_id])
        session.commit()

    await in_thread(work)
    return no_content()


@router.delete(BASE + "/{entity_id}/attrs/{attr_id}", status_code=204)
async def delete_temporal_attribute(entity_id: str, attr_id: str, request: Request,
                                    session: Session = Depends(get_session),
                                    _principal: Any = Depends(can_write)) -> Response:
    entity_id, attr_id = raw_path_params(request, entity_id, attr_id)
    params.check_names(request, params.DELETE_ATTR)
    check_uri(entity_id, "Entity id")
    active = active_context(link_context(request).value)
    attr_iri = _attribute_iri(attr_id or "", active)
    dataset_id = request.query_params.get("datasetId")
    if dataset_id is not None:
        check_uri(dataset_id, "datasetId")
    delete_all = params.boolean(request, "deleteAll")

    def work() -> None:
        entity = _require_entity(session, entity_id, None, active)
        if service.delete_attribute_history(session, entity.pk or 0, attr_iri, dataset_id, delete_all) == 0:
            raise ResourceNotFound(
                _("Entity {id!r} has no temporal instances of {name!r}."), id=entity_id, name=attr_id
            )
        audit(session, "delete", "temporal delete attribute", [entity_id])
        session.commit()

    await in_thread(work)
    return no_content()


@router.patch(BASE + "/{entity_id}/attrs/{attr_id}/{instance_id}", status_code=204)
async def patch_temporal_instance(entity_id: str, attr_id: str, instance_id: str, request: Request,
                                  session: Session = Depends(get_session),
                                  _principal: Any = Depends(can_write)) -> Response:
    entity_id, attr_id = raw_path_params(request, entity_id, attr_id)
    params.check_names(request, params.NONE)
    check_uri(entity_id, "Entity id")
    check_uri(instance_id, "instanceId")
    body, context = await read_body(request)
    active = active_context(context.value)
    attr_iri = _attribute_iri(attr_id or "", active)
    fragment = _instance_fragment(require_object(body, _("an attribute instance")), attr_id or "")

    def work() -> None:
        entity = _require_entity(session, entity_id, None, active)
        row = _require_instance(session, entity, attr_iri, attr_id or "", instance_id)
        current = row.instance or {}
        merged = {k: v for k, v in current.items() if k not in ("createdAt", "modifiedAt", "instanceId")}
        merged.update({k: v for k, v in fragment.items() if k != "instanceId"})
        patched = expand_attribute(attr_iri, attr_id or "", merged, active)[0]
        service.patch_instance(session, row, patched, utcnow())
        audit(session, "update", "temporal patch instance", [entity_id])
        session.commit()

    await in_thread(work)
    return no_content()


@router.delete(BASE + "/{entity_id}/attrs/{attr_id}/{instance_id}", status_code=204)
async def delete_temporal_instance(entity_id: str, attr_id: str, instance_id: str, request: Request,
                                   session: Session = Depends(get_session),
                                   _principal: Any = Depends(can_write)) -> Response:
    entity_id, attr_id = raw_path_params(request, entity_id, attr_id)
    params.check_names(request, params.NONE)
    check_uri(entity_id, "Entity id")
    check_uri(instance_id, "instanceId")
    active = active_context(link_context(request).value)
    attr_iri = _attribute_iri(attr_id or "", active)

    def work() -> None:
        entity = _require_entity(session, entity_id, None, active)
        service.delete_instance(session, _require_instance(session, entity, attr_iri, attr_id or "", instance_id))
        audit(session, "delete", "temporal delete instance", [entity_id])
        session.commit()

    await in_thread(work)
    return no_content()


def _require_instance(session: Session, entity: StoredEntity, attr_iri: str, attr_name: str, instance_id: str) -> Any:
    row = service.find_instance(session, entity.pk or 0, attr_iri, instance_id)
    if row is None:
        raise ResourceNotFound(
            _("Entity {id!r} has no instance {instance!r} of attribute {name!r}."),
            id=entity.id, instance=instance_id, name=attr_name,
        )
    return row


# ---- payload helpers --------------------------------------------------------------------------------

def expand_temporal_attributes(body: dict[str, Any], active: ActiveContext) -> dict[str, list[dict[str, Any]]]:
    """Expand each attribute of a temporal payload; an attribute is one instance or an array of them."""
    attrs: dict[str, list[dict[str, Any]]] = {}
    for name, raw in body.items():
        if name in ENTITY_MEMBERS:
            continue
        iri = expand_attribute_name(name, active)
        if iri == SCOPE_IRI:
            attrs[iri] = expand_attribute(iri, name, raw, active)
            continue
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            raise BadRequestData(_("Attribute {name!r} has an empty array of instances."), name=name)
        attrs[iri] = [expand_attribute(iri, name, item, active)[0] for item in items]
    return attrs


def _instance_fragment(body: dict[str, Any], attr_name: str) -> dict[str, Any]:
    """Return the instance members of a PATCH body, given as the instance itself or ``{attrName: instance}``."""
    members = {k: v for k, v in body.items() if k != "@context"}
    if attr_name in members and isinstance(members[attr_name], dict):
        members = members[attr_name]
    if isinstance(members, list) and len(members) == 1:
        members = members[0]
    if not isinstance(members, dict) or not members:
        raise BadRequestData(_("The body must hold the instance of {name!r} to patch."), name=attr_name)
    return members


def _attribute_iri(name: str, active: ActiveContext) -> str:
    """Expand an attribute name from the path; a dot segment, even percent-encoded, is rejected."""
    if unquote(name) in (".", ".."):
        raise BadRequestData(_("Attribute name {value!r} is a dot segment, not an attribute name."), value=name)
    return expand_attribute_name(name, active)


@router.api_route(BASE + "/{rest:path}", methods=["POST", "PATCH", "DELETE"], include_in_schema=False)
async def malformed_temporal_path(rest: str, request: Request) -> Response:
    """Reject a write path with an empty entity id or attribute name (400); any other unknown path is 404."""
    raw = request.scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0]
    if "//" in raw or raw.endswith("/attrs/"):
        raise BadRequestData(_("The path {path} has an empty entity id or attribute name."), path=raw)
    raise ResourceNotFound(_("No NGSI-LD resource at {path}."), path=raw)
