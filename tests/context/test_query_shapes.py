"""The SQL shapes of entity queries select the same pages and counts as the JSON path.

A query with one type starts from ``ctx_entity_types`` and joins ``ctx_entities`` only
when a condition reads it. In an AND, the index-served conditions after the first are
correlated EXISTS probes. These tests compare every page and count of such queries
with a reference statement over ``ctx_entities`` that reads only the JSON documents.
Runs on SQLite, or on PostgreSQL when CITYBASE_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from citybase.context.entity_expand import ExpandedEntity
from citybase.context.geo import parse_geoquery
from citybase.context.models import CtxEntity
from citybase.context.query.qlang import parse_q
from citybase.context.query.qsql import QCompiler
from citybase.context.query.typeexpr import TypeAny, TypeName
from citybase.context.service import query as entity_query
from citybase.context.service.entities import Workspace
from citybase.context.service.query import EntityQuery, count_only, run_query
from citybase.core.db import Database

V = "https://uri.etsi.org/ngsi-ld/default-context/"
STATES = ("ok", "fault", "offline", "fault")


def _expand(name: str) -> str:
    return V + name


def _attributes(n: int) -> dict:
    attrs: dict = {
        V + "value": [{"type": "Property", "value": (n * 37) % 100 + 0.5}],
        V + "state": [{"type": "Property", "value": STATES[n % 4]}],
        V + "location": [{"type": "GeoProperty",
                          "value": {"type": "Point", "coordinates": [121.25 + n * 0.001, 31.38]}}],
    }
    if n % 5 == 0:
        # Every fifth entity has an array value and a Relationship, whose index rows have other kinds.
        attrs[V + "value"] = [{"type": "Property", "value": [n, "fault"]}]
        attrs[V + "owner"] = [{"type": "Relationship", "object": "urn:ngsi-ld:Person:fault"}]
    if n % 7 == 0:
        attrs[V + "state"] = [{"type": "Property", "value": "x" * 300}]
    return attrs


@pytest.fixture
def stored(db: Database) -> Database:
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    with db.session() as session:
        workspace = Workspace(session, now)
        for n in range(60):
            types = [V + "Device"] if n % 3 else [V + "Device", V + "Sensor"]
            if n % 11 == 0:
                types = [V + "Sensor"]
            workspace.create(ExpandedEntity(f"urn:ngsi-ld:Device:shape-{n:03d}", types, _attributes(n)))
        workspace.commit()
    return db


def _reference(session, query: EntityQuery) -> list[int]:
    """Primary keys, in order, that the JSON documents alone select."""
    dialect = session.get_bind().dialect.name
    compiler = QCompiler(dialect, CtxEntity.attrs, _expand)
    where = [entity_query._type_condition(query.types)] if query.types is not None else []
    if query.q is not None:
        where.append(compiler.compile(query.q))
    if query.id_pattern is not None:
        where.append(entity_query._regex(CtxEntity.entity_id, query.id_pattern, dialect))
    return list(session.scalars(select(CtxEntity.pk).where(*where).order_by(CtxEntity.pk)))


QUERIES = [
    'value>50;state=="fault"',
    'state=="fault";value>50',
    "value>20;value<80;state==\"fault\",\"ok\"",
    'value==10..60;state=="fault"|owner=="urn:ngsi-ld:Person:fault"',
    'value>50;state!="fault"',
    'state=="fault";value>50;state~=^f',
    "value==5",
    'value>90;state=="nothing"',
    'value==45.5,"fault";state=="fault"',
]


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("types", ["Device", "Sensor", "Device,Sensor"])
def test_pages_and_counts_match_json_path(stored: Database, q: str, types: str) -> None:
    names = types.split(",")
    type_expression = TypeName(V + names[0]) if len(names) == 1 else TypeAny(tuple(TypeName(V + n) for n in names))
    with stored.session() as session:
        base = EntityQuery(expand=_expand, types=type_expression, q=parse_q(q))
        expected = _reference(session, base)
        assert count_only(session, base) == len(expected)
        for offset in range(0, len(expected) + 4, 4):
            page = EntityQuery(expand=_expand, types=type_expression, q=parse_q(q), limit=4, offset=offset,
                               count=True)
            result = run_query(session, page)
            assert [entity.pk for entity in result.entities] == expected[offset:offset + 4]
            assert result.total == len(expected)


def test_id_conditions_keep_the_entity_join(stored: Database) -> None:
    with stored.session() as session:
        query = EntityQuery(expand=_expand, types=TypeName(V + "Device"), q=parse_q("value>10"),
                            id_pattern=".*-0.1$", count=True)
        result = run_query(session, query)
        expected = _reference(session, query)
    assert [entity.pk for entity in result.entities] == expected[:20]
    assert result.total == len(expected)


def test_near_query_with_q_matches_json_path(stored: Database) -> None:
    geo = parse_geoquery("near;maxDistance==2000", "Point", "[121.26,31.38]", V + "location")
    with stored.session() as session:
        query = EntityQuery(expand=_expand, types=TypeName(V + "Device"), q=parse_q('state=="fault";value>30'),
                            geo=geo, limit=100, count=True)
        result = run_query(session, query)
        candidates = _reference(session, query)
    expected = [pk for pk in candidates if _within(stored, pk, geo)]
    # 0.001 degrees of longitude at latitude 31.38 are about 95 m, so some candidates lie
    # within 2,000 m and some beyond.
    assert 0 < len(expected) < len(candidates)
    assert [entity.pk for entity in result.entities] == expected
    assert result.total == len(expected)


def _within(db: Database, pk: int, geo) -> bool:
    from shapely.geometry import shape

    with db.session() as session:
        attrs = session.scalar(select(CtxEntity.attrs).where(CtxEntity.pk == pk))
    return geo.matches(shape(attrs[V + "location"][0]["value"]))


def test_benchmark_shape_skips_entity_join(db: Database) -> None:
    """The type-and-two-conditions query reads only the type and value indexes."""
    with db.session() as session:
        dialect = session.get_bind().dialect.name
        query = EntityQuery(expand=_expand, types=TypeName(V + "Device"), q=parse_q('value>95;state=="fault"'))
        sql = str(entity_query._base_statement(query, dialect).compile(session.get_bind()))
        with_json = EntityQuery(expand=_expand, types=TypeName(V + "Device"), q=parse_q('value>95;state!="fault"'))
        joined = str(entity_query._base_statement(with_json, dialect).compile(session.get_bind()))
    assert "ctx_entities" not in sql
    assert sql.count("ctx_entity_types.entity_pk IN (SELECT") == 1
    if dialect == "postgresql":
        assert "INTERSECT" in sql
        assert "EXISTS" not in sql
    else:
        assert "EXISTS" in sql
    assert "JOIN ctx_entities" in joined


def test_postgresql_intersects_index_conditions() -> None:
    """On PostgreSQL an AND of index-served conditions reads each index range once."""
    from sqlalchemy.dialects import postgresql

    query = EntityQuery(expand=_expand, types=TypeName(V + "Device"), q=parse_q('value>95;state=="fault";value<99'))
    sql = str(entity_query._base_statement(query, "postgresql").compile(dialect=postgresql.dialect()))
    assert sql.count("INTERSECT") == 2
    assert "EXISTS" not in sql
    single = EntityQuery(expand=_expand, types=TypeName(V + "Device"), q=parse_q("value>95"))
    assert "INTERSECT" not in str(entity_query._base_statement(single, "postgresql").compile(dialect=postgresql.dialect()))
