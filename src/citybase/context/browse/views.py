"""Pages: entity types with counts, the entities of a type with a map, and one entity's attributes.

Names are shown compacted with the NGSI-LD core context, so a type written as
``WaterLevelSensor`` without a user context shows under that name; the table
links carry the full type IRI so the choice is never ambiguous.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybase.context.api.deps import active_context
from citybase.context.browse.mapsvg import MapPoint, build_map
from citybase.context.entity_compact import RenderOptions, compact_entity
from citybase.context.entity_expand import NGSI_LD, VALUE_MEMBERS
from citybase.context.errors import BadRequestData
from citybase.context.models import CtxEntity, CtxEntityType, CtxGeo
from citybase.context.permissions import READ
from citybase.context.scope import stored_scopes
from citybase.context.service.store import EntityStore
from citybase.context.times import parse_datetime
from citybase.context.urn import parse_urn
from citybase.core.auth.deps import Principal, get_session, require_permission
from citybase.core.errors import NotFound
from citybase.web.templating import render

router = APIRouter()
PAGE_SIZE = 50
MAP_LIMIT = 1000
LOCATION = NGSI_LD + "location"


@dataclass(frozen=True)
class TypeRow:
    iri: str
    name: str
    count: int


@dataclass(frozen=True)
class EntityRow:
    entity_id: str
    label: str
    href: str
    modified_at: Any
    located: bool


def readable_id(entity_id: str) -> str:
    """Return ``entity_id`` with percent-encoded UTF-8 decoded, so ``%E5%AE%89`` shows as 安.

    The result is for display only, because links and the API need the exact id. An
    id whose escapes are not UTF-8 is returned unchanged.
    """
    try:
        return unquote(entity_id, errors="strict")
    except UnicodeDecodeError:
        return entity_id


def division_name(entity_id: str) -> str | None:
    """Return the division (嘉定区 or a town) a district URN names, or None for other ids."""
    try:
        return parse_urn(entity_id).division_name
    except BadRequestData:
        return None


@router.get("/context", response_class=HTMLResponse)
def entities_page(request: Request, type: str = "", page: int = 1,
                  principal: Principal = Depends(require_permission(READ)),
                  session: Session = Depends(get_session)) -> Response:
    core = active_context(None)
    types = [TypeRow(iri, core.compact_iri(iri), count) for iri, count in session.execute(
        select(CtxEntityType.type_iri, func.count()).group_by(CtxEntityType.type_iri).order_by(CtxEntityType.type_iri)
    )]
    selected = next((t for t in types if t.iri == type), None)
    total = _entity_count(session, selected.iri) if selected else 0
    # A page past the last one shows the last one, so no offset can outgrow a 64-bit integer.
    page = min(max(page, 1), max(1, -(-total // PAGE_SIZE)))
    rows = _entity_rows(session, selected.iri, page) if selected else []
    points, located = _map_points(session, selected.iri if selected else None)
    return render(request, "context_browse/entities.html", {
        "types": types, "selected": selected, "rows": rows, "total": total, "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "pager_base": "/context?" + urlencode({"type": selected.iri}) + "&" if selected else "/context?",
        "map": build_map(points), "located": located, "drawn": len(points),
    })


@router.get("/context/entities/{entity_id:path}", response_class=HTMLResponse)
def entity_page(entity_id: str, request: Request, principal: Principal = Depends(require_permission(READ)),
                session: Session = Depends(get_session)) -> Response:
    entity_id = _raw_entity_id(request, entity_id)
    entity = EntityStore(session).load([entity_id]).get(entity_id)
    if entity is None:
        raise NotFound("No entity with id {id}.", params={"id": entity_id})
    core = active_context(None)
    document = compact_entity(entity.as_document(), core, RenderOptions("normalized", True))
    # Sorted by name because PostgreSQL's JSONB does not keep the order of keys as written.
    attributes = [_attribute_rows(name, document[name]) for name in sorted(document, key=str.casefold)
                  if name not in ("id", "type", "scope", "createdAt", "modifiedAt")]
    points = []
    box = session.execute(select(CtxGeo).where(CtxGeo.entity_pk == entity.pk, CtxGeo.attr_iri == LOCATION)).scalar()
    if box is not None:
        points.append(MapPoint((box.min_x + box.max_x) / 2, (box.min_y + box.max_y) / 2, readable_id(entity.id), "#"))
    types = [core.compact_iri(iri) for iri in entity.types]
    return render(request, "context_browse/entity.html", {
        "entity": entity, "label": readable_id(entity.id), "division": division_name(entity.id),
        "types": types, "type_links": [("/context?" + urlencode({"type": iri}), core.compact_iri(iri))
                                                           for iri in entity.types],
        "attributes": [row for rows in attributes for row in rows], "map": build_map(points) if points else None,
        "scopes": stored_scopes(entity.attrs),
        "api_href": "/ngsi-ld/v1/entities/" + quote(entity.id, safe=""),
    })


def _raw_entity_id(request: Request, decoded: str) -> str:
    """Decode the id from the raw path exactly once, keeping percent-encoded octets inside ids."""
    raw = request.scope.get("raw_path")
    prefix = b"/context/entities/"
    if not raw or not raw.startswith(prefix):
        return decoded
    return unquote(raw[len(prefix):].split(b"?", 1)[0].decode("latin-1"))


def entity_href(entity_id: str) -> str:
    return "/context/entities/" + quote(entity_id, safe=":")


def _entity_count(session: Session, type_iri: str) -> int:
    of_type = select(CtxEntityType.entity_pk).where(CtxEntityType.type_iri == type_iri)
    return session.scalar(select(func.count()).select_from(of_type.subquery())) or 0


def _entity_rows(session: Session, type_iri: str, page: int) -> list[EntityRow]:
    of_type = select(CtxEntityType.entity_pk).where(CtxEntityType.type_iri == type_iri)
    found = session.execute(
        select(CtxEntity.pk, CtxEntity.entity_id, CtxEntity.modified_at).where(CtxEntity.pk.in_(of_type))
        .order_by(CtxEntity.pk).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    located = set(session.scalars(select(CtxGeo.entity_pk).where(
        CtxGeo.attr_iri == LOCATION, CtxGeo.entity_pk.in_([row.pk for row in found]))))
    return [EntityRow(row.entity_id, readable_id(row.entity_id), entity_href(row.entity_id), row.modified_at,
                      row.pk in located) for row in found]


def _map_points(session: Session, type_iri: str | None) -> tuple[list[MapPoint], int]:
    statement = select(CtxEntity.entity_id, CtxGeo.min_x, CtxGeo.min_y, CtxGeo.max_x, CtxGeo.max_y).join(
        CtxEntity, CtxEntity.pk == CtxGeo.entity_pk).where(CtxGeo.attr_iri == LOCATION)
    if type_iri is not None:
        statement = statement.where(CtxGeo.entity_pk.in_(
            select(CtxEntityType.entity_pk).where(CtxEntityType.type_iri == type_iri)))
    located = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    points = [
        MapPoint((row.min_x + row.max_x) / 2, (row.min_y + row.max_y) / 2, readable_id(row.entity_id),
                 entity_href(row.entity_id))
        for row in session.execute(statement.order_by(CtxGeo.entity_pk).limit(MAP_LIMIT))
    ]
    return points, located


def _attribute_rows(name: str, value: Any) -> list[dict[str, Any]]:
    instances = value if isinstance(value, list) else [value]
    rows = []
    for instance in instances:
        if not isinstance(instance, dict):
            continue
        main = next((instance[member] for member in VALUE_MEMBERS if member in instance), None)
        rows.append({
            "name": name, "kind": instance.get("type", ""),
            "value": main if isinstance(main, str) else json.dumps(main, ensure_ascii=False),
            "observed_at": _observed_at(instance.get("observedAt")), "unit": instance.get("unitCode", ""),
            "dataset": instance.get("datasetId", ""),
        })
    return rows


def _observed_at(value: Any) -> dt.datetime | str:
    """Return observedAt as a datetime for the page to show in local time, or the stored text."""
    try:
        return parse_datetime(value, "observedAt")
    except BadRequestData:
        return value if isinstance(value, str) else ""
