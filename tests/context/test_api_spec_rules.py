"""Request rules of ETSI GS CIM 009 V1.6.1 that the conformance suite checks: batch merge,
NGSI-LD null on instances, @context placement, empty ids and bodies."""

from __future__ import annotations

from urllib.parse import quote

from .conftest import Ngsi

PUMP = "urn:ngsi-ld:Pump:310114103-P7"
LD = "application/ld+json"
CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"
LINK = f'<{CORE}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'


def path(entity_id: str = PUMP) -> str:
    return "/entities/" + quote(entity_id, safe="")


def pump(entity_id: str = PUMP) -> dict:
    return {
        "id": entity_id, "type": "Pump",
        "flow": [{"type": "Property", "value": 10},
                 {"type": "Property", "value": 11, "datasetId": "urn:ngsi-ld:Dataset:backup"}],
        "state": {"type": "Property", "value": "on"},
    }


def test_batch_merge_patches_existing_and_reports_missing(ngsi: Ngsi) -> None:
    assert ngsi.post("/entities", pump()).status_code == 201
    missing = "urn:ngsi-ld:Pump:310114103-none"
    response = ngsi.post("/entityOperations/merge", [
        {"id": PUMP, "type": "Pump", "state": {"type": "Property", "value": "off"},
         "speed": {"type": "Property", "value": 1450}},
        {"id": missing, "type": "Pump", "state": {"type": "Property", "value": "off"}},
    ])
    assert response.status_code == 207, response.text
    assert response.json()["success"] == [PUMP]
    assert response.json()["errors"][0]["entityId"] == missing
    assert response.json()["errors"][0]["error"]["status"] == 404
    body = ngsi.get(path()).json()
    assert body["state"]["value"] == "off"
    assert body["speed"]["value"] == 1450
    assert ngsi.post("/entityOperations/merge", [{"id": PUMP, "state": None}]).status_code == 204
    assert "state" not in ngsi.get(path()).json()


def test_merge_null_deletes_only_the_named_instance(ngsi: Ngsi) -> None:
    assert ngsi.post("/entities", pump()).status_code == 201
    null = {"type": "Property", "value": "urn:ngsi-ld:null", "datasetId": "urn:ngsi-ld:Dataset:backup"}
    assert ngsi.patch(path(), {"flow": null}).status_code == 204
    assert ngsi.get(path()).json()["flow"] == {"type": "Property", "value": 10}

    ngsi.post(path() + "/attrs", {"flow": {"type": "Property", "value": 12, "datasetId": "urn:ngsi-ld:Dataset:backup"}})
    assert ngsi.patch(path(), {"flow": {"type": "Property", "value": "urn:ngsi-ld:null"}}).status_code == 204
    assert ngsi.get(path()).json()["flow"] == {"type": "Property", "value": 12, "datasetId": "urn:ngsi-ld:Dataset:backup"}


def test_update_null_with_dataset_id_deletes_that_instance(ngsi: Ngsi) -> None:
    assert ngsi.post("/entities", pump()).status_code == 201
    null = {"type": "Property", "value": "urn:ngsi-ld:null", "datasetId": "urn:ngsi-ld:Dataset:backup"}
    assert ngsi.patch(path() + "/attrs", {"flow": null}).status_code == 204
    assert ngsi.get(path()).json()["flow"] == {"type": "Property", "value": 10}
    assert ngsi.patch(path() + "/attrs/flow", {"value": "urn:ngsi-ld:null"}).status_code == 204
    assert "flow" not in ngsi.get(path()).json()


def test_link_header_with_json_ld_body_is_400(ngsi: Ngsi) -> None:
    body = {**pump(), "@context": CORE}
    response = ngsi.post("/entities", body, content_type=LD, headers={"Link": LINK})
    assert response.status_code == 400
    assert response.json()["type"].endswith("/BadRequestData")
    assert ngsi.get(path()).status_code == 404


def test_batch_item_with_misplaced_context_is_that_items_error(ngsi: Ngsi) -> None:
    good, bad = pump("urn:ngsi-ld:Pump:310114103-P8"), {**pump(), "@context": CORE}
    response = ngsi.post("/entityOperations/create", [good, bad])
    assert response.status_code == 207, response.text
    assert response.json()["success"] == [good["id"]]
    assert response.json()["errors"][0]["entityId"] == PUMP
    assert "@context" in response.json()["errors"][0]["error"]["detail"]
    assert ngsi.get(path()).status_code == 404


def test_empty_entity_id_in_the_path_is_400(ngsi: Ngsi) -> None:
    fragment = {"state": {"type": "Property", "value": "off"}}
    for method, url in (("PATCH", "/entities//attrs"), ("POST", "/entities//attrs"),
                        ("PATCH", "/entities//attrs/state"), ("DELETE", "/entities//attrs/state"),
                        ("PATCH", "/entities/"), ("PUT", "/entities/")):
        response = ngsi.request(method, url, None if method == "DELETE" else fragment)
        assert response.status_code == 400, (method, url, response.status_code)
        assert response.json()["type"].endswith("/BadRequestData")
        assert "/ngsi-ld/v1" + url in response.json()["detail"]


def test_empty_array_body_is_invalid_request(ngsi: Ngsi) -> None:
    response = ngsi.post("/entities", [], content_type=LD)
    assert response.status_code == 400
    assert response.json()["type"].endswith("/InvalidRequest")


def test_type_mapped_to_a_keyword_is_400(ngsi: Ngsi) -> None:
    response = ngsi.post("/entities", {"id": PUMP, "type": "type", "@context": [CORE]}, content_type=LD)
    assert response.status_code == 400
    assert "@type" in response.json()["detail"]
    assert ngsi.get(path()).status_code == 404


def test_update_fragment_type_adds_entity_types(ngsi: Ngsi) -> None:
    assert ngsi.post("/entities", pump()).status_code == 201
    assert ngsi.patch(path() + "/attrs", {"type": ["Device", "Pump"]}).status_code == 204
    assert ngsi.get(path()).json()["type"] == ["Pump", "Device"]


def test_empty_batch_is_bad_request_data(ngsi: Ngsi) -> None:
    for operation in ("create", "upsert", "update", "merge", "delete"):
        response = ngsi.post(f"/entityOperations/{operation}", [])
        assert response.status_code == 400, operation
        assert response.json()["type"].endswith("/BadRequestData"), operation


def test_json_null_inside_an_attribute_is_rejected_not_deleted(ngsi: Ngsi) -> None:
    assert ngsi.post("/entities", pump()).status_code == 201
    response = ngsi.post("/entityOperations/merge", [{"id": PUMP, "state": {"type": "Property", "value": None}}])
    assert response.status_code == 207
    assert response.json()["errors"][0]["error"]["type"].endswith("/BadRequestData")
    assert ngsi.get(path()).json()["state"]["value"] == "on"


def test_keyword_attribute_name_in_the_path_is_400(ngsi: Ngsi) -> None:
    assert ngsi.post("/entities", pump()).status_code == 201
    response = ngsi.put(path() + "/attrs/@invalid", {"type": "Property", "value": 1})
    assert response.status_code == 400
    assert "@invalid" in response.json()["detail"]


def test_ids_and_names_containing_a_slash(ngsi: Ngsi) -> None:
    entity_id = "urn:ngsi-ld:Pump:310114103/P9"
    assert ngsi.post("/entities", pump(entity_id)).status_code == 201
    encoded = "/entities/" + quote(entity_id, safe="")
    assert "%2F" in encoded
    assert ngsi.get(encoded).json()["id"] == entity_id
    assert ngsi.patch(encoded + "/attrs/state", {"value": "off"}).status_code == 204
    assert ngsi.get(encoded).json()["state"]["value"] == "off"
    type_iri = "https://uri.etsi.org/ngsi-ld/default-context/Pump"
    assert ngsi.get("/types/" + quote(type_iri, safe="")).json()["typeName"] == "Pump"
    attr_iri = "https://uri.etsi.org/ngsi-ld/default-context/state"
    assert ngsi.get("/attributes/" + quote(attr_iri, safe="")).json()["attributeName"] == "state"
    assert ngsi.delete(encoded).status_code == 204
    assert ngsi.get(encoded).status_code == 404


def test_retrieve_with_only_unknown_attrs_is_404(ngsi: Ngsi) -> None:
    assert ngsi.post("/entities", pump()).status_code == 201
    assert ngsi.get(path(), params={"attrs": "state"}).status_code == 200
    response = ngsi.get(path(), params={"attrs": "colour"})
    assert response.status_code == 404
    assert "colour" in response.json()["detail"]


def test_partial_attribute_update_accepts_merge_patch_json(ngsi: Ngsi) -> None:
    assert ngsi.post("/entities", pump()).status_code == 201
    response = ngsi.patch(path() + "/attrs/state", {"value": "auto"}, content_type="application/merge-patch+json")
    assert response.status_code == 204, response.text
    assert ngsi.get(path()).json()["state"]["value"] == "auto"


def test_batch_query_answers_geo_json(ngsi: Ngsi) -> None:
    located = {**pump(), "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [121.26, 31.37]}}}
    assert ngsi.post("/entities", located).status_code == 201
    response = ngsi.post("/entityOperations/query", {"type": "Query", "entities": [{"type": "Pump"}]},
                         headers={"Accept": "application/geo+json"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert collection["features"][0]["id"] == PUMP
    assert collection["features"][0]["geometry"] == {"type": "Point", "coordinates": [121.26, 31.37]}
