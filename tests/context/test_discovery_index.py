"""/types and /attributes from the ctx_type_attrs index: same answers as the stored documents.

Runs on SQLite, or on PostgreSQL when CITYBASE_TEST_DATABASE_URL is set. Random
entities with random types go through the broker's real write operations (create,
append, update, merge-patch, replace with and without new types, attribute delete,
upsert, entity delete). The discovery answers read from the indexes must then equal
a plain-Python summary of the stored entity documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from citybase.context.entity_expand import ExpandedEntity
from citybase.context.models import CtxEntity, CtxTypeAttr
from citybase.context.service import discovery
from citybase.context.service.entities import Workspace
from citybase.context.service.store import EntityStore
from citybase.core import migrate
from citybase.core.db import Database

from .conftest import Ngsi

V = "https://uri.etsi.org/ngsi-ld/default-context/"
NAMES = ("level", "state", "owner", "location")
TYPES = (V + "Device", V + "Pump", V + "Gate")

point = st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]},
                  st.sampled_from([121.2, 121.3]), st.sampled_from([31.3, 31.4]))


@st.composite
def instances(draw: Any) -> list[dict[str, Any]]:
    kind = draw(st.sampled_from(["Property", "Relationship", "GeoProperty", "LanguageProperty"]))
    if kind == "Relationship":
        first: dict[str, Any] = {"type": kind, "object": draw(st.sampled_from(["urn:x:1", "urn:x:2"]))}
    elif kind == "GeoProperty":
        first = {"type": kind, "value": draw(point)}
    elif kind == "LanguageProperty":
        first = {"type": kind, "languageMap": {"zh": "南翔", "en": "Nanxiang"}}
    else:
        first = {"type": kind, "value": draw(st.one_of(st.integers(0, 5), st.just("ok"), st.just({"k": [1]}),
                                                       st.just("x" * 300)))}
    result = [first]
    if draw(st.booleans()):
        result.append({"type": "Property", "value": 1, "datasetId": "urn:ds:1"})
    return result


attribute_sets = st.dictionaries(st.sampled_from([V + n for n in NAMES]), instances(), max_size=4)
type_sets = st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True)
OPERATIONS = ("append", "update", "merge", "replace", "retype", "delete_attr", "upsert", "delete", "create")


@st.composite
def scenarios(draw: Any) -> tuple[list[Any], list[Any]]:
    count = draw(st.integers(1, 6))
    created = [(draw(type_sets), draw(attribute_sets)) for _ in range(count)]
    steps = draw(st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, count - 1), type_sets,
                                    attribute_sets), max_size=8))
    return created, steps


def _apply(db: Database, created: list[Any], steps: list[Any]) -> None:
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    ids = [f"urn:ngsi-ld:Device:di-{n}" for n in range(len(created))]
    with db.session() as session:
        workspace = Workspace(session, now)
        for entity_id, (types, attrs) in zip(ids, created, strict=True):
            workspace.create(ExpandedEntity(entity_id, types, attrs))
        workspace.commit()
    for position, (operation, number, types, attrs) in enumerate(steps):
        entity_id = ids[number]
        with db.session() as session:
            workspace = Workspace(session, now + dt.timedelta(seconds=position + 1))
            exists = workspace.get(entity_id) is not None
            if operation == "create" and not exists:
                workspace.create(ExpandedEntity(entity_id, types, attrs))
            elif operation == "upsert":
                workspace.upsert(ExpandedEntity(entity_id, types, attrs), replace=position % 2 == 0)
            elif not exists:
                continue
            elif operation == "append":
                workspace.append(entity_id, attrs, overwrite=position % 2 == 0)
            elif operation == "update":
                workspace.update(entity_id, attrs)
            elif operation == "merge":
                current = workspace.require(entity_id).attrs
                workspace.merge(entity_id, ExpandedEntity(entity_id, [], attrs), sorted(current)[:1])
            elif operation in ("replace", "retype"):
                workspace.replace(entity_id, ExpandedEntity(entity_id, types if operation == "retype" else [], attrs))
            elif operation == "delete_attr":
                current = workspace.require(entity_id).attrs
                if current:
                    name = sorted(current)[-1]
                    dataset = current[name][0].get("datasetId")
                    workspace.delete_attribute(entity_id, name, dataset, delete_all=position % 2 == 0)
            elif operation == "delete":
                workspace.delete(entity_id)
            workspace.commit()


def _clear(db: Database) -> None:
    with db.session() as session:
        store = EntityStore(session)
        store.delete(list(store.load_by_pk(list(session.scalars(select(CtxEntity.pk))))))


def _expected(entities: list[CtxEntity]) -> dict[str, Any]:
    """The discovery answers computed in plain Python from the stored documents."""
    types: dict[str, dict[str, Any]] = {}
    attributes: dict[str, dict[str, Any]] = {}
    for entity in entities:
        for type_iri in entity.types:
            summary = types.setdefault(type_iri, {"count": 0, "attrs": {}})
            summary["count"] += 1
            for attr_iri, instances in entity.attrs.items():
                summary["attrs"].setdefault(attr_iri, set()).add(instances[0]["type"])
                attribute = attributes.setdefault(attr_iri, {"count": 0, "kinds": set(), "types": set()})
                attribute["kinds"].add(instances[0]["type"])
                attribute["types"].add(type_iri)
        # attributeCount counts each entity's attribute once, whatever the entity's types.
        for attr_iri in entity.attrs:
            attributes[attr_iri]["count"] += 1
    return {"types": types, "attributes": attributes}


def _actual(session: Any) -> dict[str, Any]:
    types: dict[str, dict[str, Any]] = {}
    for type_iri in discovery.type_names(session):
        summary = discovery.type_summary(session, type_iri)
        assert summary is not None
        types[type_iri] = {"count": summary.entity_count,
                           "attrs": {a.iri: a.attribute_types for a in summary.attributes.values()}}
    attributes: dict[str, dict[str, Any]] = {}
    for attr_iri in discovery.attribute_types_by_name(session):
        summary = discovery.attribute_summary(session, attr_iri)
        assert summary is not None
        attributes[attr_iri] = {"count": summary.count, "kinds": summary.attribute_types,
                                "types": summary.type_names}
    return {"types": types, "attributes": attributes}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios())
def test_discovery_index_matches_documents(db: Database, scenario: Any) -> None:
    created, steps = scenario
    _clear(db)
    _apply(db, created, steps)
    with db.session() as session:
        entities = list(session.scalars(select(CtxEntity)))
        expected = _expected(entities)
        assert _actual(session) == expected
        assert discovery.type_names(session) == sorted(expected["types"])
        assert discovery.type_attributes(session) == {
            iri: set(summary["attrs"]) for iri, summary in expected["types"].items()}
        assert discovery.attribute_types_by_name(session) == {
            iri: summary["types"] for iri, summary in expected["attributes"].items()}
        assert discovery.type_summary(session, V + "Nothing") is None
        assert discovery.attribute_summary(session, V + "nothing") is None
        # The index holds exactly the rows the documents call for.
        rows = sorted((r["type_iri"], r["attr_iri"], r["attr_type"], r["entity_pk"]) for e in entities
                      for r in discovery.type_attr_rows(e.pk, e.types, e.attrs))
        stored = sorted(tuple(r) for r in session.execute(
            select(CtxTypeAttr.type_iri, CtxTypeAttr.attr_iri, CtxTypeAttr.attr_type, CtxTypeAttr.entity_pk)))
        assert stored == rows


def test_entity_with_no_attributes_is_listed_under_its_type(ngsi: Ngsi) -> None:
    assert ngsi.post("/entities", {"id": "urn:ngsi-ld:Bare:1", "type": "Bare"}).status_code == 201
    assert ngsi.get("/types").json()["typeList"] == ["Bare"]
    assert ngsi.get("/types", params={"details": "true"}).json() == [
        {"id": V + "Bare", "type": "EntityType", "typeName": "Bare", "attributeNames": []}]
    info = ngsi.get("/types/Bare").json()
    assert (info["entityCount"], info["attributeDetails"]) == (1, [])
    assert ngsi.get("/attributes").json()["attributeList"] == []


def test_migration_backfills_the_type_attribute_index(db: Database) -> None:
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    with db.session() as session:
        workspace = Workspace(session, now)
        workspace.create(ExpandedEntity("urn:ngsi-ld:Device:bf-1", [V + "Device", V + "Pump"], {
            V + "level": [{"type": "Property", "value": 3.5}],
            V + "owner": [{"type": "Relationship", "object": "urn:x:1"}],
            V + "location": [{"type": "GeoProperty", "value": {"type": "Point", "coordinates": [121.2, 31.3]}}],
        }))
        workspace.commit()
    columns = (CtxTypeAttr.type_iri, CtxTypeAttr.attr_iri, CtxTypeAttr.attr_type)
    with db.session() as session:
        before = sorted(tuple(r) for r in session.execute(select(*columns)))
    assert len(before) == 6
    assert (V + "Pump", V + "location", "GeoProperty") in before
    migrate._run(db, command.downgrade, "context_0002")
    migrate._run(db, command.upgrade, "heads")
    with db.session() as session:
        after = sorted(tuple(r) for r in session.execute(select(*columns)))
        assert after == before
        session.execute(delete(CtxTypeAttr))
        assert session.scalar(select(func.count()).select_from(CtxTypeAttr)) == 0
