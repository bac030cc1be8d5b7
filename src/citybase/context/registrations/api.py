"""``/csourceRegistrations``: register, query, retrieve, update and delete context sources (clauses 5.9, 5.10).

Registrations are stored and discoverable. The broker does not forward entity
queries or updates to the registered sources.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from citybase.context.api import params
from citybase.context.api.common import check_id_pattern, in_thread, new_router, require_object, type_expander
from citybase.context.api.deps import active_context, can_read, can_write
from citybase.context.api.negotiation import choose_response_type, link_context, read_body
from citybase.context.api.render import json_response, no_content
from citybase.context.entity_expand import expand_attribute_name
from citybase.context.errors import BadRequestData, OperationNotSupported
from citybase.context.geo import parse_geoquery
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.query.qlang import parse_q
from citybase.context.query.typeexpr import parse_type_expression
from citybase.context.registrations import service
from citybase.context.registrations.payload import compact_registration, parse_registration
from citybase.context.registrations.query import RegistrationQuery
from citybase.context.temporal.timequery import parse_temporal_query
from citybase.context.uris import check_uri
from citybase.core.auth.deps import get_session
from citybase.core.db import utcnow

router = new_router()
BASE = "/csourceRegistrations"
_QUERY = frozenset({
    "id", "type", "idPattern", "attrs", "q", "csf", "georel", "geometry", "coordinates", "geoproperty",
    "timeproperty", "timerel", "timeAt", "endTimeAt", "limit", "offset", "count", "options", "lang", "local",
    "scopeQ",
})
_RETRIEVE = frozenset({"options", "lang", "local"})


@router.post(BASE, status_code=201)
@router.post(BASE + "/", status_code=201, include_in_schema=False)
async def create_registration(request: Request, session: Session = Depends(get_session),
                              _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.NONE)
    body, context = await read_body(request)
    now = utcnow()
    parsed = parse_registration(require_object(body, _("a context source registration")),
                                active_context(context.value), now)

    def work() -> str:
        row = service.create(session, parsed, _owner(session), now)
        service.record(session, "insert", row.registration_id, after=row.document)
        session.commit()
        return row.registration_id

    registration_id = await in_thread(work)
    return Response(status_code=201, headers={"Location": f"/ngsi-ld/v1{BASE}/{registration_id}"})


@router.get(BASE)
@router.get(BASE + "/", include_in_schema=False)
async def query_registrations(request: Request, session: Session = Depends(get_session),
                              _principal: Any = Depends(can_read)) -> Response:
    params.check_names(request, _QUERY)
    media_type = choose_response_type(request)
    context = link_context(request)
    active = active_context(context.value)
    filters = _filters(request, active)
    paging = params.paging(request)
    sys_attrs = "sysAttrs" in params.options(request)
    now = utcnow()

    def work() -> tuple[list[dict[str, Any]], int]:
        rows, total = service.query(session, filters, paging.limit, paging.offset, now)
        return [_render(row, active, sys_attrs) for row in rows], total

    documents, total = await in_thread(work)
    headers = {"NGSILD-Results-Count": str(total)} if paging.count else {}
    response = json_response(documents, context, media_type, headers=headers)
    pages = _page_links(request, paging.limit, paging.offset, total, media_type)
    if pages:
        current = response.headers.get("Link")
        response.headers["Link"] = f"{current}, {pages}" if current else pages
    return response


@router.get(BASE + "/{registration_id}")
async def retrieve_registration(registration_id: str, request: Request, session: Session = Depends(get_session),
                                _principal: Any = Depends(can_read)) -> Response:
    params.check_names(request, _RETRIEVE)
    check_uri(registration_id, "Registration id")
    media_type = choose_response_type(request)
    context = link_context(request)
    active = active_context(context.value)
    sys_attrs = "sysAttrs" in params.options(request)

    def work() -> dict[str, Any]:
        return _render(service.require(session, registration_id), active, sys_attrs)

    document = await in_thread(work)
    return json_response(document, context, media_type)


@router.patch(BASE + "/{registration_id}", status_code=204)
async def update_registration(registration_id: str, request: Request, session: Session = Depends(get_session),
                              _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.NONE)
    check_uri(registration_id, "Registration id")
    body, context = await read_body(request, allow_merge_patch=True)
    fragment = require_object(body, _("a context source registration update"))
    if not [k for k in fragment if k != "@context"]:
        raise BadRequestData(_("The registration update is empty; send the members to change."))
    active = active_context(context.value)

    def work() -> None:
        row = service.require(session, registration_id)
        before = row.document
        service.update(row, fragment, active, utcnow())
        service.record(session, "update", registration_id, before=before, after=row.document)
        session.commit()

    await in_thread(work)
    return no_content()


@router.delete(BASE + "/{registration_id}", status_code=204)
async def delete_registration(registration_id: str, request: Request, session: Session = Depends(get_session),
                              _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.NONE)
    check_uri(registration_id, "Registration id")

    def work() -> None:
        row = service.require(session, registration_id)
        service.record(session, "delete", registration_id, before=row.document)
        session.delete(row)
        session.commit()

    await in_thread(work)
    return no_content()


def _filters(request: Request, active: ActiveContext) -> RegistrationQuery:
    """Read the query parameters of GET /csourceRegistrations; raise BadRequestData on the first bad one."""
    args = request.query_params
    if args.get("scopeQ") is not None:
        raise OperationNotSupported(_("scopeQ is not supported by this broker."))
    ids = params.name_list(request, "id")
    for registration_entity_id in ids or []:
        check_uri(registration_entity_id, "id")
    check_id_pattern(args.get("idPattern"))

    geoproperty = args.get("geoproperty")
    if geoproperty is not None and geoproperty not in ("location", "observationSpace", "operationSpace"):
        raise BadRequestData(_("geoproperty {value!r} of a registration query must be location, observationSpace "
                               "or operationSpace."), value=geoproperty)
    attrs = params.name_list(request, "attrs")

    # V1.6.1 clause 5.10.2 requires entity types or attribute names. A query by entity id,
    # idPattern, q, csf or geo-query selects as narrowly, so it is accepted too.
    selectors = ("id", "idPattern", "type", "attrs", "q", "csf", "georel")
    if not any(name in args for name in selectors) and args.get("local") != "true":
        raise BadRequestData(_("A registration query needs at least one of type, attrs, id, idPattern, q, csf or "
                               "a geo-query."))

    return RegistrationQuery(
        ids=ids,
        id_pattern=args.get("idPattern"),
        types=parse_type_expression(args["type"]).map(type_expander(active)) if "type" in args else None,
        attrs=[expand_attribute_name(name, active) for name in attrs] if attrs else None,
        q=parse_q(args["q"]) if "q" in args else None,
        csf=parse_q(args["csf"]) if "csf" in args else None,
        geo=parse_geoquery(args.get("georel"), args.get("geometry"), args.get("coordinates"),
                           geoproperty or "location"),
        temporal=parse_temporal_query(args.get) if "timerel" in args or "timeAt" in args else None,
        expand=lambda name: expand_attribute_name(name, active),
    )


def _render(row: Any, active: ActiveContext, sys_attrs: bool) -> dict[str, Any]:
    if sys_attrs:
        return compact_registration(row.document, active, row.created_at, row.modified_at)
    return compact_registration(row.document, active)


def _page_links(request: Request, limit: int, offset: int, total: int, media_type: str) -> str:
    """Build the Link header members to the previous and next page (clause 5.5.9), keeping the other parameters."""
    others = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]
    path = request.url.path

    def link(page_offset: int, rel: str) -> str:
        query = urlencode([*others, ("limit", str(limit)), ("offset", str(page_offset))])
        return f'<{path}?{query}>;rel="{rel}";type="{media_type}"'

    links = []
    if offset > 0 and limit > 0:
        links.append(link(max(0, offset - limit), "prev"))
    if limit > 0 and offset + limit < total:
        links.append(link(offset + limit, "next"))
    return ", ".join(links)


def _owner(session: Session) -> str | None:
    actor = session.info.get("actor")
    return getattr(actor, "name", None)
