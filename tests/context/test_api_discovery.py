"""GET /types and /attributes."""

from __future__ import annotations

from .conftest import Ngsi


def seed(ngsi: Ngsi) -> None:
    ngsi.post("/entityOperations/create", [
        {"id": "urn:ngsi-ld:Pump:310114-1", "type": "Pump", "flow": 1, "refStation": {"object": "urn:x:1"}},
        {"id": "urn:ngsi-ld:Pump:310114-2", "type": "Pump", "flow": 2},
        {"id": "urn:ngsi-ld:Gate:310114-1", "type": "Gate", "open": True,
         "location": {"type": "Point", "coordinates": [121.2, 31.3]}},
    ])


def test_types_list_and_details(ngsi: Ngsi) -> None:
    seed(ngsi)
    listed = ngsi.get("/types").json()
    assert listed["type"] == "EntityTypeList"
    assert listed["typeList"] == ["Gate", "Pump"]
    details = ngsi.get("/types", params={"details": "true"}).json()
    assert details[1] == {"id": "https://uri.etsi.org/ngsi-ld/default-context/Pump", "type": "EntityType",
                          "typeName": "Pump", "attributeNames": ["flow", "refStation"]}


def test_type_info(ngsi: Ngsi) -> None:
    seed(ngsi)
    info = ngsi.get("/types/Pump").json()
    assert info["entityCount"] == 2
    assert [(a["attributeName"], a["attributeTypes"]) for a in info["attributeDetails"]] == [
        ("flow", ["Property"]), ("refStation", ["Relationship"]),
    ]
    assert ngsi.get("/types/Nothing").status_code == 404


def test_attributes(ngsi: Ngsi) -> None:
    seed(ngsi)
    listed = ngsi.get("/attributes").json()
    assert listed["attributeList"] == ["flow", "location", "open", "refStation"]
    flow = ngsi.get("/attributes/flow").json()
    assert flow["attributeCount"] == 2
    assert flow["typeNames"] == ["Pump"]
    location = ngsi.get("/attributes/location").json()
    assert location["attributeTypes"] == ["GeoProperty"]
    assert ngsi.get("/attributes/none").status_code == 404
    assert ngsi.get("/attributes", params={"details": "true"}).json()[0]["type"] == "Attribute"


def test_attribute_count_counts_each_entity_once(ngsi: Ngsi) -> None:
    seed(ngsi)
    created = ngsi.post("/entities", {
        "id": "urn:ngsi-ld:Pump:310114-3", "type": ["Pump", "Device"],
        "flow": [{"type": "Property", "value": 3},
                 {"type": "Property", "value": 4, "datasetId": "urn:ngsi-ld:Dataset:backup"}],
    })
    assert created.status_code == 201, created.text

    flow = ngsi.get("/attributes/flow").json()

    assert flow["attributeCount"] == 3
    assert flow["typeNames"] == ["Device", "Pump"]
    assert flow["attributeTypes"] == ["Property"]
