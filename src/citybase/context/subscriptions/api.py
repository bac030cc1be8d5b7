"""``/subscriptions``: create, query, retrieve, update and delete NGSI-LD subscriptions (clause 5.8).

A subscription keeps the @context it was created with. The notifier expands
the names in it (entity types, watchedAttributes, q, notification.attributes)
with that context and compacts notifications with it. Retrieve and query answer
in the terms of the reading request's @context, as for entities.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from citybase.context.api import params
from citybase.context.api.common import in_thread, new_router, require_object
from citybase.context.api.deps import active_context, can_read, can_write
from citybase.context.api.negotiation import choose_response_type, link_context, read_body
from citybase.context.api.render import json_response, no_content
from citybase.context.errors import BadRequestData
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.subscriptions import service
from citybase.context.subscriptions.audit import record
from citybase.context.subscriptions.payload import parse_subscription
from citybase.context.uris import check_uri
from citybase.core.auth.deps import get_session
from citybase.core.db import utcnow

router = new_router()
BASE = "/subscriptions"
_QUERY = frozenset({"limit", "offset", "count", "options", "lang", "local"})
_RETRIEVE = frozenset({"options", "lang"})


@router.post(BASE, status_code=201)
@router.post(BASE + "/", status_code=201, include_in_schema=False)
async def create_subscription(request: Request, session: Session = Depends(get_session),
                              _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.NONE)
    body, context = await read_body(request)
    active = active_context(context.value)
    now = utcnow()
    parsed = parse_subscription(require_object(body, _("a subscription")), active, now)

    def work() -> str:
        row = service.create(session, parsed, context.value, _owner(session), now)
        record(session, "insert", row.subscription_id, after=row.document)
        session.commit()
        return row.subscription_id

    subscription_id = await in_thread(work)
    return Response(status_code=201, headers={"Location": f"/ngsi-ld/v1{BASE}/{subscription_id}"})


@router.get(BASE)
@router.get(BASE + "/", include_in_schema=False)
async def query_subscriptions(request: Request, session: Session = Depends(get_session),
                              _principal: Any = Depends(can_read)) -> Response:
    params.check_names(request, _QUERY)
    media_type = choose_response_type(request)
    paging = params.paging(request)
    sys_attrs = "sysAttrs" in _options(request)
    context = link_context(request)
    reader = active_context(context.value)
    now = utcnow()

    def work() -> tuple[list[dict[str, Any]], int]:
        rows, total = service.page(session, paging.limit, paging.offset)
        return [_render(row, now, sys_attrs, reader) for row in rows], total

    documents, total = await in_thread(work)
    headers = {"NGSILD-Results-Count": str(total)} if paging.count else {}
    pages = _page_links(request.url.path, paging.limit, paging.offset, total, media_type)
    response = json_response(documents, context, media_type, headers=headers)
    if pages:
        current = response.headers.get("Link")
        response.headers["Link"] = f"{current}, {pages}" if current else pages
    return response


def _page_links(path: str, limit: int, offset: int, total: int, media_type: str) -> str:
    """The Link header members to the previous and the next page (clause 5.5.9)."""
    links = []
    if offset > 0 and limit > 0:
        links.append(f'<{path}?limit={limit}&offset={max(0, offset - limit)}>;rel="prev";type="{media_type}"')
    if limit > 0 and offset + limit < total:
        links.append(f'<{path}?limit={limit}&offset={offset + limit}>;rel="next";type="{media_type}"')
    return ", ".join(links)


@router.get(BASE + "/{subscription_id}")
async def retrieve_subscription(subscription_id: str, request: Request, session: Session = Depends(get_session),
                                _principal: Any = Depends(can_read)) -> Response:
    params.check_names(request, _RETRIEVE)
    check_uri(subscription_id, "Subscription id")
    media_type = choose_response_type(request)
    sys_attrs = "sysAttrs" in _options(request)
    context = link_context(request)
    reader = active_context(context.value)

    def work() -> dict[str, Any]:
        return _render(service.require(session, subscription_id), utcnow(), sys_attrs, reader)

    document = await in_thread(work)
    return json_response(document, context, media_type)


@router.patch(BASE + "/{subscription_id}", status_code=204)
async def update_subscription(subscription_id: str, request: Request, session: Session = Depends(get_session),
                              _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.NONE)
    check_uri(subscription_id, "Subscription id")
    body, context = await read_body(request, allow_merge_patch=True)
    fragment = require_object(body, _("a subscription update"))
    if not [k for k in fragment if k != "@context"]:
        raise BadRequestData(_("The subscription update is empty; send the members to change."))

    def work() -> None:
        row = service.require(session, subscription_id)
        # The fragment's names are read with the subscription's own @context unless it brings one.
        active = active_context(context.value if context.value is not None else row.context)
        before = row.document
        service.update(session, row, fragment, active, utcnow())
        record(session, "update", subscription_id, before=before, after=row.document)
        session.commit()

    await in_thread(work)
    return no_content()


@router.delete(BASE + "/{subscription_id}", status_code=204)
async def delete_subscription(subscription_id: str, request: Request, session: Session = Depends(get_session),
                              _principal: Any = Depends(can_write)) -> Response:
    params.check_names(request, params.NONE)
    check_uri(subscription_id, "Subscription id")

    def work() -> None:
        row = service.require(session, subscription_id)
        record(session, "delete", subscription_id, before=row.document)
        service.drop_pending(session, row)
        session.delete(row)
        session.commit()

    await in_thread(work)
    return no_content()


def _render(row: Any, now: Any, sys_attrs: bool, reader: ActiveContext) -> dict[str, Any]:
    """Render a subscription in the terms of the reader's @context."""
    return service.recompact(service.render(row, now, sys_attrs), active_context(row.context), reader)


def _options(request: Request) -> set[str]:
    raw = request.query_params.get("options")
    return {v.strip() for v in raw.split(",") if v.strip()} if raw else set()


def _owner(session: Session) -> str | None:
    actor = session.info.get("actor")
    return getattr(actor, "name", None)
