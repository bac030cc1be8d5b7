"""Entity queries: id, idPattern, type expressions, attrs, q, scopeQ, geo-queries and paging.

Filters become one SQL statement over ``ctx_entities`` ordered by primary key
(creation order, so pages are stable). Type filters and geo prefilters are
``pk IN (subquery)`` over the side tables, whose indexes lead with the type or
the GeoProperty. A geo-query is then checked exactly with shapely on the
candidate rows (or, for ``near`` around a Point, with the haversine distance
computed from the boxes of stored Points), so paging and counting of geo-queries
happen in Python after that check.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import find_tables

from citybase.context.geo import GeoQuery, haversine_metres, parse_geometry
from citybase.context.models import CtxEntity, CtxEntityType, CtxGeo
from citybase.context.query.qlang import Node
from citybase.context.query.qsql import QCompiler
from citybase.context.scope import ScopeNode, scope_condition
from citybase.context.query.typeexpr import TypeAll, TypeAny, TypeExpr, TypeName
from citybase.context.service.store import EntityStore, StoredEntity

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
# Candidates per statement: below SQLite's default limit of 32,766 bound parameters.
_GEO_CHUNK = 5000


@dataclass
class EntityQuery:
    """A query with every name already expanded to its IRI (``expand`` maps q names)."""

    expand: Callable[[str], str]
    ids: list[str] | None = None
    id_pattern: str | None = None
    types: TypeExpr | None = None
    attrs: list[str] | None = None
    q: Node | None = None
    geo: GeoQuery | None = None
    scope_q: ScopeNode | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    count: bool = False


@dataclass
class QueryResult:
    entities: list[StoredEntity]
    total: int | None


def run_query(session: Session, query: EntityQuery) -> QueryResult:
    dialect = session.get_bind().dialect.name
    if query.geo is not None:
        pks, total = _geo_page(session, query, dialect)
    else:
        pks, total = _page(session, query, dialect)
    return QueryResult(EntityStore(session).load_by_pk(pks), total)


def count_only(session: Session, query: EntityQuery) -> int:
    dialect = session.get_bind().dialect.name
    if query.geo is not None:
        return len(_geo_matches(session, query, dialect))
    statement = _base_statement(query, dialect)
    return session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def _base_statement(query: EntityQuery, dialect: str, with_entity: bool = False) -> Select[Any]:
    """``SELECT pk`` with every SQL condition, driven by the type index when there is one type.

    With a single type the statement starts from ``ctx_entity_types``, whose primary
    key (type, entity) yields that type's entities already in order, so a page stops
    after ``limit`` matches instead of sorting the whole type. It joins
    ``ctx_entities`` only when a condition reads one of its columns (an id, or a q
    condition that the value index cannot evaluate) or when ``with_entity`` is set
    because the caller selects other columns of ``ctx_entities``. Without the join PostgreSQL
    probes no ``ctx_entities`` index per candidate.
    """
    if isinstance(query.types, TypeName):
        pk = CtxEntityType.entity_pk
        where = conditions(query, dialect, with_types=False, entity_pk=pk)
        statement = select(pk.label("pk")).where(CtxEntityType.type_iri == query.types.name)
        if with_entity or _reads_entity_row(where):
            statement = statement.join(CtxEntity, CtxEntity.pk == pk)
        return statement.where(*where)
    return select(CtxEntity.pk).where(*conditions(query, dialect))


def _reads_entity_row(clauses: list[ColumnElement[bool]]) -> bool:
    entities = CtxEntity.__table__
    return any(table is entities for clause in clauses for table in find_tables(clause, check_columns=True))


def _order_column(query: EntityQuery) -> Any:
    return CtxEntityType.entity_pk if isinstance(query.types, TypeName) else CtxEntity.pk


def conditions(query: EntityQuery, dialect: str, with_types: bool = True,
               entity_pk: Any = None) -> list[ColumnElement[bool]]:
    """SQL conditions for everything but the geo-query.

    ``entity_pk`` is the column that the value index's conditions compare with
    (default ``ctx_entities.pk``).
    """
    result: list[ColumnElement[bool]] = []
    if query.ids:
        result.append(CtxEntity.entity_id.in_(query.ids))
    if query.id_pattern:
        result.append(_regex(CtxEntity.entity_id, query.id_pattern, dialect))
    if query.types is not None and with_types:
        result.append(_type_condition(query.types))
    compiler = QCompiler(dialect, CtxEntity.attrs, query.expand, CtxEntity.pk if entity_pk is None else entity_pk)
    if query.attrs:
        result.append(or_(*(compiler.json.exists([iri]) for iri in query.attrs)))
    if query.q is not None:
        result.append(compiler.compile(query.q))
    if query.scope_q is not None:
        result.append(scope_condition(query.scope_q, CtxEntity.pk, dialect))
    return result


def _page(session: Session, query: EntityQuery, dialect: str) -> tuple[list[int], int | None]:
    statement = _base_statement(query, dialect)
    total = None
    if query.count:
        total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    if query.limit == 0:
        return [], total
    paged = statement.order_by(_order_column(query)).offset(query.offset).limit(query.limit)
    return list(session.scalars(paged)), total


def _geo_page(session: Session, query: EntityQuery, dialect: str) -> tuple[list[int], int | None]:
    matches = _geo_matches(session, query, dialect)
    total = len(matches) if query.count else None
    return matches[query.offset:query.offset + query.limit], total


def _geo_matches(session: Session, query: EntityQuery, dialect: str) -> list[int]:
    """Primary keys, in order, of the entities the geo-query and all other filters select.

    The bounding-box prefilter runs first on ``ctx_geo`` alone. A ``near`` query
    around a Point then decides stored Points from their boxes (a Point's box is
    its position) with the haversine distance, the same one shapely's check would
    use; other candidates are loaded and checked with shapely. The remaining
    filters only see the candidates.
    """
    geo = query.geo
    assert geo is not None
    box_columns = (CtxGeo.entity_pk, CtxGeo.min_x, CtxGeo.min_y, CtxGeo.max_x, CtxGeo.max_y)
    candidates = session.execute(_geo_prefilter(geo).with_only_columns(*box_columns)).all()
    decided: list[int] = []
    unsure: list[int] = []
    reference = geo.geometry
    if geo.georel == "near" and reference.geom_type == "Point":
        keep_within = geo.distance_kind == "maxDistance"
        limit = geo.distance or 0.0
        ref_x, ref_y = reference.x, reference.y
        for pk, min_x, min_y, max_x, max_y in candidates:
            if min_x == max_x and min_y == max_y:
                distance = haversine_metres(ref_x, ref_y, min_x, min_y)
                if (distance <= limit) if keep_within else (distance >= limit):
                    decided.append(pk)
            else:
                unsure.append(pk)
    else:
        unsure = [row[0] for row in candidates]
    matches: list[int] = []
    order = _order_column(query)
    for start in range(0, len(decided), _GEO_CHUNK):
        chunk = decided[start:start + _GEO_CHUNK]
        matches.extend(session.scalars(_base_statement(query, dialect).where(order.in_(chunk))))
    compiler = QCompiler(dialect, CtxEntity.attrs, query.expand, CtxEntity.pk)
    geometry = compiler.json.extract_json([geo.geoproperty, 0, "value"])
    for start in range(0, len(unsure), _GEO_CHUNK):
        chunk = unsure[start:start + _GEO_CHUNK]
        statement = _base_statement(query, dialect, with_entity=True).where(order.in_(chunk))
        rows = session.execute(statement.with_only_columns(CtxEntity.pk, geometry))
        for pk, value in rows:
            if value is None:
                continue
            shape = parse_geometry(value if isinstance(value, dict) else json.loads(value), "location")
            if geo.matches(shape):
                matches.append(pk)
    matches.sort()
    return matches


def _type_condition(expression: TypeExpr) -> ColumnElement[bool]:
    if isinstance(expression, TypeName):
        return CtxEntity.pk.in_(select(CtxEntityType.entity_pk).where(CtxEntityType.type_iri == expression.name))
    if isinstance(expression, TypeAny):
        if all(isinstance(item, TypeName) for item in expression.items):
            names = [item.name for item in expression.items]  # type: ignore[union-attr]
            subquery = select(CtxEntityType.entity_pk).where(CtxEntityType.type_iri.in_(names))
            return CtxEntity.pk.in_(subquery)
        return or_(*(_type_condition(item) for item in expression.items))
    assert isinstance(expression, TypeAll)
    return and_(*(_type_condition(item) for item in expression.items))


def _geo_prefilter(geo: GeoQuery) -> Select[Any]:
    box = geo.bbox_prefilter()
    rows = select(CtxGeo.entity_pk).where(CtxGeo.attr_iri == geo.geoproperty)
    if box is not None:
        widest = select(func.coalesce(func.max(CtxGeo.width), 0.0)).where(
            CtxGeo.attr_iri == geo.geoproperty
        ).scalar_subquery()
        rows = rows.where(
            CtxGeo.min_x >= box.min_x - widest,
            CtxGeo.min_x <= box.max_x,
            CtxGeo.max_x >= box.min_x,
            CtxGeo.min_y <= box.max_y,
            CtxGeo.max_y >= box.min_y,
        )
    return rows


def _regex(column: Any, pattern: str, dialect: str) -> ColumnElement[bool]:
    if dialect == "sqlite":
        return func.regexp(pattern, column) == 1
    return column.op("~", is_comparison=True)(pattern)
