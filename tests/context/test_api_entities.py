"""Entity routes of the NGSI-LD API, on SQLite or PostgreSQL through the shared db fixture."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import func, select

from citybase.context.models import CtxAttrInstance, CtxEntity, CtxEntityType, CtxGeo
from citybase.core.audit import AuditEntry

from .conftest import CORE_LINK, Ngsi

ETSI_ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
SDM_ENV = "https://smart-data-models.github.io/dataModel.Environment/context.jsonld"
SDM_LINK = f'<{SDM_ENV}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'


def sensor(local: str = "UP-0012", level: float = 1.25, **extra):
    return {
        "id": f"urn:ngsi-ld:WaterLevelSensor:310114102-{local}",
        "type": "WaterLevelSensor",
        "waterLevel": {"type": "Property", "value": level, "unitCode": "MTR", "observedAt": "2024-05-01T08:00:00Z"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [121.32, 31.29]}},
        "refPump": {"type": "Relationship", "object": "urn:ngsi-ld:Pump:310114102-P1"},
        **extra,
    }


def path(entity_id: str) -> str:
    return "/entities/" + quote(entity_id, safe="")


def test_create_then_retrieve(ngsi: Ngsi, db) -> None:
    created = ngsi.post("/entities", sensor())
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/ngsi-ld/v1/entities/urn:ngsi-ld:WaterLevelSensor:310114102-UP-0012"

    got = ngsi.get(path(sensor()["id"]))
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/json"
    assert got.headers["link"] == CORE_LINK
    body = got.json()
    assert body["type"] == "WaterLevelSensor"
    assert body["waterLevel"] == sensor()["waterLevel"]
    assert body["refPump"] == sensor()["refPump"]

    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CtxEntity)) == 1
        assert session.scalar(select(func.count()).select_from(CtxEntityType)) == 1
        assert session.scalar(select(func.count()).select_from(CtxGeo)) == 1
        assert session.scalar(select(func.count()).select_from(CtxAttrInstance)) == 3
        audit = session.scalars(select(AuditEntry).where(AuditEntry.table == "ctx_entities")).all()
        assert [a.action for a in audit] == ["insert"]
        assert audit[0].actor_name == "broker-admin"


def test_create_with_trailing_slash(ngsi: Ngsi) -> None:
    assert ngsi.post("/entities/", sensor()).status_code == 201


def test_create_twice_is_already_exists(ngsi: Ngsi) -> None:
    ngsi.post("/entities", sensor())
    again = ngsi.post("/entities", sensor())
    assert again.status_code == 409
    assert again.json()["type"] == ETSI_ERRORS + "AlreadyExists"
    assert again.headers["content-type"] == "application/json"


def test_retrieve_missing_is_not_found(ngsi: Ngsi) -> None:
    response = ngsi.get(path("urn:ngsi-ld:X:310114-none"))
    assert response.status_code == 404
    assert response.json()["type"] == ETSI_ERRORS + "ResourceNotFound"


def test_ld_json_with_body_context(ngsi: Ngsi) -> None:
    entity = {**sensor(), "@context": [SDM_ENV]}
    entity["type"] = "WaterObserved"
    assert ngsi.post("/entities", entity, content_type="application/ld+json").status_code == 201
    plain = ngsi.get(path(entity["id"]))
    assert plain.json()["type"] == "https://smartdatamodels.org/dataModel.Environment/WaterObserved"
    linked = ngsi.get(path(entity["id"]), headers={"Link": SDM_LINK, "Accept": "application/ld+json"})
    assert linked.headers["content-type"] == "application/ld+json"
    assert linked.json()["type"] == "WaterObserved"
    assert linked.json()["@context"] == SDM_ENV


def test_ld_json_without_context_is_bad_request(ngsi: Ngsi) -> None:
    response = ngsi.post("/entities", sensor(), content_type="application/ld+json")
    assert response.status_code == 400
    assert response.json()["type"] == ETSI_ERRORS + "BadRequestData"


def test_json_with_body_context_is_bad_request(ngsi: Ngsi) -> None:
    response = ngsi.post("/entities", {**sensor(), "@context": SDM_ENV})
    assert response.status_code == 400


def test_unknown_context_is_503(ngsi: Ngsi) -> None:
    link = '<https://example.org/missing.jsonld>; rel="http://www.w3.org/ns/json-ld#context"'
    response = ngsi.post("/entities", sensor(), headers={"Link": link})
    assert response.status_code == 503
    assert response.json()["type"] == ETSI_ERRORS + "LdContextNotAvailable"


def test_unsupported_content_type_is_415(ngsi: Ngsi) -> None:
    response = ngsi.post("/entities", sensor(), content_type="text/plain")
    assert response.status_code == 415


def test_unacceptable_accept_is_406(ngsi: Ngsi) -> None:
    ngsi.post("/entities", sensor())
    response = ngsi.get(path(sensor()["id"]), headers={"Accept": "text/html"})
    assert response.status_code == 406


def test_unknown_parameter_is_invalid_request(ngsi: Ngsi) -> None:
    response = ngsi.get("/entities", params={"type": "WaterLevelSensor", "colour": "red"})
    assert response.status_code == 400
    assert response.json()["type"] == ETSI_ERRORS + "InvalidRequest"
    assert "colour" in response.json()["detail"]


def test_invalid_json_is_invalid_request(ngsi: Ngsi) -> None:
    response = ngsi.client.post("/ngsi-ld/v1/entities", content="{not json",
                                headers=ngsi.headers())
    assert response.status_code == 400
    assert response.json()["type"] == ETSI_ERRORS + "InvalidRequest"


def test_invalid_entity_changes_nothing(ngsi: Ngsi, db) -> None:
    bad = sensor()
    bad["refPump"] = {"type": "Relationship"}
    response = ngsi.post("/entities", bad)
    assert response.status_code == 400
    assert "refPump" in response.json()["detail"]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CtxEntity)) == 0


def test_options_key_values_concise_sys_attrs(ngsi: Ngsi) -> None:
    ngsi.post("/entities", sensor())
    entity_path = path(sensor()["id"])
    simple = ngsi.get(entity_path, params={"options": "keyValues"}).json()
    assert simple["waterLevel"] == 1.25
    assert simple["refPump"] == "urn:ngsi-ld:Pump:310114102-P1"
    concise = ngsi.get(entity_path, params={"format": "concise"}).json()
    assert concise["refPump"] == {"object": "urn:ngsi-ld:Pump:310114102-P1"}
    system = ngsi.get(entity_path, params={"options": "sysAttrs"}).json()
    assert system["createdAt"].endswith("Z")
    assert system["waterLevel"]["modifiedAt"].endswith("Z")
    assert ngsi.get(entity_path, params={"options": "fancy"}).status_code == 400


def test_attrs_projection(ngsi: Ngsi) -> None:
    ngsi.post("/entities", sensor())
    body = ngsi.get(path(sensor()["id"]), params={"attrs": "waterLevel"}).json()
    assert set(body) == {"id", "type", "waterLevel"}


def test_geojson_representation(ngsi: Ngsi) -> None:
    ngsi.post("/entities", sensor())
    response = ngsi.get(path(sensor()["id"]), headers={"Accept": "application/geo+json"})
    assert response.headers["content-type"] == "application/geo+json"
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [121.32, 31.29]}


def test_replace_entity(ngsi: Ngsi, db) -> None:
    ngsi.post("/entities", sensor())
    replacement = {"type": "WaterLevelSensor", "waterLevel": {"type": "Property", "value": 2.0}}
    assert ngsi.put(path(sensor()["id"]), replacement).status_code == 204
    body = ngsi.get(path(sensor()["id"])).json()
    assert set(body) == {"id", "type", "waterLevel"}
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CtxGeo)) == 0
        deleted = session.scalar(select(func.count()).select_from(CtxAttrInstance).where(CtxAttrInstance.deleted))
        assert deleted == 2


def test_merge_patch_updates_adds_and_deletes(ngsi: Ngsi) -> None:
    ngsi.post("/entities", sensor())
    patch = {"waterLevel": {"type": "Property", "value": 3.5}, "battery": 0.9, "refPump": "urn:ngsi-ld:null"}
    assert ngsi.patch(path(sensor()["id"]), patch).status_code == 204
    body = ngsi.get(path(sensor()["id"])).json()
    assert body["waterLevel"]["value"] == 3.5
    assert body["waterLevel"]["unitCode"] == "MTR"
    assert body["battery"] == {"type": "Property", "value": 0.9}
    assert "refPump" not in body


def test_merge_patch_with_other_id_is_bad_request(ngsi: Ngsi) -> None:
    ngsi.post("/entities", sensor())
    response = ngsi.patch(path(sensor()["id"]), {"id": "urn:ngsi-ld:X:1", "a": 1})
    assert response.status_code == 400


def test_delete_entity(ngsi: Ngsi, db) -> None:
    ngsi.post("/entities", sensor())
    assert ngsi.delete(path(sensor()["id"])).status_code == 204
    assert ngsi.get(path(sensor()["id"])).status_code == 404
    assert ngsi.delete(path(sensor()["id"])).status_code == 404
    with db.session() as session:
        for table in (CtxEntity, CtxEntityType, CtxGeo, CtxAttrInstance):
            assert session.scalar(select(func.count()).select_from(table)) == 0


def test_ids_with_uri_characters_round_trip(ngsi: Ngsi) -> None:
    ids = [
        "urn:ngsi-ld:Facility:310114-O'Neil(2)",
        "urn:ngsi-ld:Pump:310114103-%E5%AE%89%E4%BA%AD%E6%B3%B5%E7%AB%99",
        "urn:ngsi-ld:Gate:310114118-a;b=c,d!$*+~",
    ]
    for entity_id in ids:
        created = ngsi.post("/entities", {"id": entity_id, "type": "Thing", "n": 1})
        assert created.status_code == 201, created.text
        assert ngsi.client.get(created.headers["location"], headers=ngsi.headers()).json()["id"] == entity_id
        assert ngsi.get(path(entity_id)).json()["id"] == entity_id
    listed = ngsi.get("/entities", params={"id": ",".join(ids[:2]), "type": "Thing"}).json()
    assert sorted(e["id"] for e in listed) == sorted(ids[:2])
    for entity_id in ids:
        assert ngsi.delete(path(entity_id)).status_code == 204
        assert ngsi.get(path(entity_id)).status_code == 404


def test_raw_chinese_id_is_rejected(ngsi: Ngsi) -> None:
    response = ngsi.post("/entities", {"id": "urn:ngsi-ld:Pump:310114103-泵站", "type": "Pump"})
    assert response.status_code == 400
    assert "%E6%B3%B5" in response.json()["detail"]
