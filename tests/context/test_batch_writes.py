"""Batch create and upsert: per-entity results, order within a batch, and the side tables.

A batch writes every side table (the q value index, the type-attribute index, the
type and geo tables, the temporal history) with a few bulk statements. These tests
check that the rows equal those that one-by-one writes of the same entities leave.
Runs on SQLite, or on PostgreSQL when CITYBASE_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from citybase.context.models import (
    CtxAttrInstance,
    CtxAttrValue,
    CtxEntity,
    CtxEntityType,
    CtxGeo,
    CtxTypeAttr,
)

from .conftest import Ngsi

V = "https://uri.etsi.org/ngsi-ld/default-context/"


def device(entity_id: str, **attrs: Any) -> dict[str, Any]:
    return {"id": entity_id, "type": "Device", **attrs}


def reading(value: float, observed: str = "2024-05-01T00:00:00Z") -> dict[str, Any]:
    return {"type": "Property", "value": value, "observedAt": observed}


def first_state(number: int) -> dict[str, Any]:
    """The attributes a device is created with."""
    return {
        "value": reading(number),
        "state": {"type": "Property", "value": "ok"},
        "owner": {"type": "Property", "value": "district"},
        "tags": {"type": "Property", "value": ["a", "b", number]},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [121.2 + number / 100, 31.3]}},
    }


def second_state(number: int) -> dict[str, Any]:
    """An update: a new reading, an unchanged state, owner turned into a Relationship, a new attribute."""
    return {
        "value": reading(number + 0.5, "2024-05-02T00:00:00Z"),
        "state": {"type": "Property", "value": "ok"},
        "owner": {"type": "Relationship", "object": f"urn:ngsi-ld:Unit:{number}"},
        "battery": {"type": "Property", "value": 0.25},
    }


def side_rows(db: Any, prefix: str) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of every side table for the entities whose id starts with ``prefix``, keyed by id suffix."""
    with db.session() as session:
        ids = dict(session.execute(
            select(CtxEntity.pk, CtxEntity.entity_id).where(CtxEntity.entity_id.startswith(prefix))).all())

        def rows(*columns: Any) -> list[tuple[Any, ...]]:
            table = columns[0].class_
            found = session.execute(select(table.entity_pk, *columns).where(table.entity_pk.in_(ids))).all()
            return sorted((ids[pk].removeprefix(prefix), *rest) for pk, *rest in found)

        return {
            "values": rows(CtxAttrValue.attr_iri, CtxAttrValue.seq, CtxAttrValue.kind, CtxAttrValue.num,
                           CtxAttrValue.txt),
            "type_attrs": rows(CtxTypeAttr.type_iri, CtxTypeAttr.attr_iri, CtxTypeAttr.attr_type),
            "types": rows(CtxEntityType.type_iri),
            "geo": rows(CtxGeo.attr_iri, CtxGeo.min_x, CtxGeo.min_y, CtxGeo.max_x, CtxGeo.max_y),
            "history": rows(CtxAttrInstance.attr_iri, CtxAttrInstance.deleted, CtxAttrInstance.value_number),
        }


def test_batch_upsert_mixes_new_and_existing_ids(ngsi: Ngsi) -> None:
    ngsi.post("/entityOperations/create", [device("urn:ngsi-ld:Device:mix-1", **first_state(1))])
    response = ngsi.post("/entityOperations/upsert", [
        device("urn:ngsi-ld:Device:mix-1", value=reading(7)),
        device("urn:ngsi-ld:Device:mix-2", value=reading(8)),
    ], params={"options": "update"})
    assert response.status_code == 201
    assert response.json() == ["urn:ngsi-ld:Device:mix-2"]
    existing = ngsi.get("/entities/urn:ngsi-ld:Device:mix-1").json()
    assert existing["value"]["value"] == 7
    # options=update keeps the attributes the batch did not name.
    assert existing["state"]["value"] == "ok"
    assert ngsi.get("/entities/urn:ngsi-ld:Device:mix-2").json()["value"]["value"] == 8


def test_batch_upsert_all_existing_is_204(ngsi: Ngsi) -> None:
    ngsi.post("/entityOperations/create", [device(f"urn:ngsi-ld:Device:old-{n}", **first_state(n)) for n in range(3)])
    response = ngsi.post("/entityOperations/upsert", [device(f"urn:ngsi-ld:Device:old-{n}", value=reading(9))
                                                      for n in range(3)], params={"options": "update"})
    assert response.status_code == 204
    assert response.content == b""


def test_batch_upsert_duplicate_ids_apply_in_order(ngsi: Ngsi, db: Any) -> None:
    ngsi.post("/entityOperations/create", [device("urn:ngsi-ld:Device:dup-1", **first_state(1))])
    response = ngsi.post("/entityOperations/upsert", [
        device("urn:ngsi-ld:Device:dup-1", value=reading(10)),
        device("urn:ngsi-ld:Device:dup-2", value=reading(20)),
        device("urn:ngsi-ld:Device:dup-1", value=reading(11)),
        device("urn:ngsi-ld:Device:dup-2", value=reading(21), state={"type": "Property", "value": "fault"}),
    ], params={"options": "update"})
    assert response.status_code == 201
    assert response.json() == ["urn:ngsi-ld:Device:dup-2"]
    assert ngsi.get("/entities/urn:ngsi-ld:Device:dup-1").json()["value"]["value"] == 11
    second = ngsi.get("/entities/urn:ngsi-ld:Device:dup-2").json()
    assert second["value"]["value"] == 21
    assert second["state"]["value"] == "fault"
    rows = side_rows(db, "urn:ngsi-ld:Device:dup-")
    # The q index contains the last value of each entity only.
    assert ("1", "https://uri.etsi.org/ngsi-ld/hasValue", 0, "n", 11.0, None) in rows["values"]
    assert ("2", "https://uri.etsi.org/ngsi-ld/hasValue", 0, "n", 21.0, None) in rows["values"]
    assert len([r for r in rows["values"] if r[1] == "https://uri.etsi.org/ngsi-ld/hasValue"]) == 2
    # Both writes of each entity are in the temporal history.
    history = [r[3] for r in rows["history"] if r[1] == "https://uri.etsi.org/ngsi-ld/hasValue"]
    assert sorted(history) == [1.0, 10.0, 11.0, 20.0, 21.0]


def test_bad_entity_in_batch_is_reported_alone(ngsi: Ngsi, db: Any) -> None:
    ngsi.post("/entityOperations/create", [device("urn:ngsi-ld:Device:bad-1", **first_state(1))])
    response = ngsi.post("/entityOperations/upsert", [
        device("urn:ngsi-ld:Device:bad-1", value=reading(5)),
        device("urn:ngsi-ld:Device:bad-2", level={"type": "Property", "value": 1, "observedAt": "yesterday"}),
        device("urn:ngsi-ld:Device:bad-3", value=reading(6)),
    ], params={"options": "update"})
    assert response.status_code == 207
    body = response.json()
    assert body["success"] == ["urn:ngsi-ld:Device:bad-1", "urn:ngsi-ld:Device:bad-3"]
    assert [e["entityId"] for e in body["errors"]] == ["urn:ngsi-ld:Device:bad-2"]
    error = body["errors"][0]["error"]
    assert error["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    assert "observedAt" in error["detail"]
    assert "yesterday" in error["detail"]
    assert ngsi.get("/entities/urn:ngsi-ld:Device:bad-1").json()["value"]["value"] == 5
    assert ngsi.get("/entities/urn:ngsi-ld:Device:bad-2").status_code == 404
    assert ngsi.get("/entities/urn:ngsi-ld:Device:bad-3").json()["value"]["value"] == 6
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CtxEntity)) == 2


def test_batch_rows_equal_single_writes(ngsi: Ngsi, db: Any) -> None:
    numbers = range(6)
    # Batch: create all, then upsert (options=update) all, with a duplicate id in the upsert.
    batch_created = ngsi.post("/entityOperations/create",
                              [device(f"urn:ngsi-ld:Device:batch-{n}", **first_state(n)) for n in numbers])
    assert batch_created.status_code == 201
    updates = [device(f"urn:ngsi-ld:Device:batch-{n}", **second_state(n)) for n in numbers]
    updates.append(device("urn:ngsi-ld:Device:batch-0", **second_state(0)))
    assert ngsi.post("/entityOperations/upsert", updates, params={"options": "update"}).status_code == 204
    # One by one: create each entity, then append the same attributes to it twice for entity 0.
    for n in numbers:
        assert ngsi.post("/entities", device(f"urn:ngsi-ld:Device:single-{n}", **first_state(n))).status_code == 201
    for n in [*numbers, 0]:
        appended = ngsi.post(f"/entities/urn:ngsi-ld:Device:single-{n}/attrs", second_state(n))
        assert appended.status_code == 204

    batch = side_rows(db, "urn:ngsi-ld:Device:batch-")
    single = side_rows(db, "urn:ngsi-ld:Device:single-")
    for table in ("values", "type_attrs", "types", "geo", "history"):
        assert batch[table] == single[table], table
    # The update changed owner's kind and left state's value as it was.
    assert ("3", V + "Device", V + "owner", "Relationship") in batch["type_attrs"]
    assert ("3", V + "Device", V + "owner", "Property") not in batch["type_attrs"]
    assert ("3", V + "owner", 0, "os", None, "urn:ngsi-ld:Unit:3") in batch["values"]
    assert ("3", V + "state", 0, "s", None, "ok") in batch["values"]
    assert ("3", V + "Device", V + "battery", "Property") in batch["type_attrs"]


def test_upsert_replace_drops_removed_rows(ngsi: Ngsi, db: Any) -> None:
    ngsi.post("/entityOperations/create", [device("urn:ngsi-ld:Device:rep-1", **first_state(1))])
    response = ngsi.post("/entityOperations/upsert", [device("urn:ngsi-ld:Device:rep-1", value=reading(3))])
    assert response.status_code == 204
    rows = side_rows(db, "urn:ngsi-ld:Device:rep-")
    assert [r[1] for r in rows["values"]] == ["https://uri.etsi.org/ngsi-ld/hasValue"]
    assert [r[2] for r in rows["type_attrs"]] == ["https://uri.etsi.org/ngsi-ld/hasValue"]
    assert rows["geo"] == []
    deleted = sorted(r[1] for r in rows["history"] if r[2])
    assert deleted == sorted(["https://uri.etsi.org/ngsi-ld/location", V + "owner", V + "state", V + "tags"])
