"""Batch operations under /entityOperations."""

from __future__ import annotations

from sqlalchemy import func, select

from citybase.context.models import CtxEntity

from .conftest import Ngsi


def entity(n: int, **attrs):
    return {"id": f"urn:ngsi-ld:Device:310114-{n}", "type": "Device", **attrs}


def test_batch_create_all_ok(ngsi: Ngsi) -> None:
    response = ngsi.post("/entityOperations/create", [entity(1, a=1), entity(2, a=2)])
    assert response.status_code == 201
    assert response.json() == ["urn:ngsi-ld:Device:310114-1", "urn:ngsi-ld:Device:310114-2"]


def test_batch_create_partial_is_207(ngsi: Ngsi, db) -> None:
    ngsi.post("/entities", entity(1))
    response = ngsi.post("/entityOperations/create", [entity(1), entity(2), {"id": "bad id", "type": "Device"}])
    assert response.status_code == 207
    body = response.json()
    assert body["success"] == ["urn:ngsi-ld:Device:310114-2"]
    errors = {e["entityId"]: e["error"]["type"].rsplit("/", 1)[1] for e in body["errors"]}
    assert errors == {"urn:ngsi-ld:Device:310114-1": "AlreadyExists", "bad id": "BadRequestData"}
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CtxEntity)) == 2


def test_batch_upsert_replace_and_update(ngsi: Ngsi) -> None:
    ngsi.post("/entities", entity(1, a=1, b=2))
    created = ngsi.post("/entityOperations/upsert", [entity(1, a=5), entity(2, a=1)])
    assert created.status_code == 201
    assert created.json() == ["urn:ngsi-ld:Device:310114-2"]
    replaced = ngsi.get("/entities/urn:ngsi-ld:Device:310114-1").json()
    assert "b" not in replaced
    updated = ngsi.post("/entityOperations/upsert", [entity(1, c=3)], params={"options": "update"})
    assert updated.status_code == 204
    merged = ngsi.get("/entities/urn:ngsi-ld:Device:310114-1").json()
    assert merged["a"]["value"] == 5
    assert merged["c"]["value"] == 3


def test_batch_upsert_same_id_twice_applies_in_order(ngsi: Ngsi) -> None:
    response = ngsi.post("/entityOperations/upsert", [entity(1, a=1), entity(1, a=2)], params={"options": "update"})
    assert response.status_code == 201
    assert ngsi.get("/entities/urn:ngsi-ld:Device:310114-1").json()["a"]["value"] == 2


def test_batch_update(ngsi: Ngsi) -> None:
    ngsi.post("/entities", entity(1, a=1))
    ok = ngsi.post("/entityOperations/update", [{"id": "urn:ngsi-ld:Device:310114-1", "a": 9}])
    assert ok.status_code == 204
    partial = ngsi.post("/entityOperations/update", [{"id": "urn:ngsi-ld:Device:310114-1", "a": 3},
                                                       {"id": "urn:ngsi-ld:Device:310114-9", "a": 3}],
                        params={"options": "noOverwrite"})
    assert partial.status_code == 207
    assert {e["entityId"] for e in partial.json()["errors"]} == {
        "urn:ngsi-ld:Device:310114-1", "urn:ngsi-ld:Device:310114-9",
    }
    assert ngsi.get("/entities/urn:ngsi-ld:Device:310114-1").json()["a"]["value"] == 9


def test_batch_delete(ngsi: Ngsi) -> None:
    ngsi.post("/entityOperations/create", [entity(1), entity(2)])
    assert ngsi.post("/entityOperations/delete", ["urn:ngsi-ld:Device:310114-1"]).status_code == 204
    partial = ngsi.post("/entityOperations/delete", ["urn:ngsi-ld:Device:310114-2", "urn:ngsi-ld:Device:310114-1"])
    assert partial.status_code == 207
    assert partial.json()["success"] == ["urn:ngsi-ld:Device:310114-2"]


def test_batch_body_must_be_array(ngsi: Ngsi) -> None:
    response = ngsi.post("/entityOperations/create", entity(1))
    assert response.status_code == 400


def test_large_batch_upsert(ngsi: Ngsi, db) -> None:
    batch = [entity(n, temperature={"type": "Property", "value": n, "observedAt": "2024-05-01T00:00:00Z"},
                    location={"type": "Point", "coordinates": [121.2 + n / 10000, 31.3]}) for n in range(500)]
    assert ngsi.post("/entityOperations/upsert", batch).status_code == 201
    assert ngsi.post("/entityOperations/upsert", batch, params={"options": "update"}).status_code == 204
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CtxEntity)) == 500


def test_delete_then_create_in_one_workspace(ngsi: Ngsi, db) -> None:
    from citybase.context.entity_expand import expand_entity
    from citybase.context.jsonld.context import ContextProcessor
    from citybase.context.jsonld.store import ContextStore
    from citybase.context.service.entities import Workspace
    from citybase.core.db import utcnow

    ngsi.post("/entities", entity(1, a=1))
    core = ContextProcessor(ContextStore()).core
    with db.session() as session:
        workspace = Workspace(session, utcnow())
        workspace.delete("urn:ngsi-ld:Device:310114-1")
        workspace.create(expand_entity(entity(1, b=2), core))
        workspace.commit()
    body = ngsi.get("/entities/urn:ngsi-ld:Device:310114-1").json()
    assert "a" not in body
    assert body["b"]["value"] == 2


def test_query_selector_type_is_a_type_expression(ngsi: Ngsi) -> None:
    created = ngsi.post("/entityOperations/create", [
        {"id": "urn:ngsi-ld:Pump:310114-q1", "type": "Pump", "flow": 1},
        {"id": "urn:ngsi-ld:Gate:310114-q1", "type": "Gate", "open": True},
        {"id": "urn:ngsi-ld:Valve:310114-q1", "type": "Valve", "open": False},
    ])
    assert created.status_code == 201, created.text

    both = ngsi.post("/entityOperations/query", {"type": "Query", "entities": [{"type": "Pump,Gate"}]})
    expanded = ngsi.post("/entityOperations/query", {"type": "Query", "entities": [
        {"type": "https://uri.etsi.org/ngsi-ld/default-context/Pump|https://uri.etsi.org/ngsi-ld/default-context/Valve"}]})
    bad = ngsi.post("/entityOperations/query", {"type": "Query", "entities": [{"type": "(Pump"}]})

    assert both.status_code == 200, both.text
    assert sorted(e["id"] for e in both.json()) == ["urn:ngsi-ld:Gate:310114-q1", "urn:ngsi-ld:Pump:310114-q1"]
    assert sorted(e["id"] for e in expanded.json()) == ["urn:ngsi-ld:Pump:310114-q1", "urn:ngsi-ld:Valve:310114-q1"]
    assert bad.status_code == 400
    assert bad.json()["type"].endswith("/BadRequestData")
