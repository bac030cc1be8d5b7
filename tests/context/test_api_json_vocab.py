"""JsonProperty and VocabProperty attributes: validation, storage and the three output forms."""

from __future__ import annotations

import pytest

from .conftest import Ngsi

ETSI_ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"
TOURISM = {"monument": "https://example.org/tourism#monument", "museum": "https://example.org/tourism#museum"}
BUILDING = "urn:ngsi-ld:Building:json-vocab-1"
PAYLOAD = {"id": "some-id", "type": "some-type", "null": None, "nested": {"levels": [1, 2]}}


def building(**attrs):
    return {"id": BUILDING, "type": "Building", **attrs}


def fetch(ngsi: Ngsi, **params):
    response = ngsi.get("/entities/" + BUILDING, params=params or None)
    assert response.status_code == 200, response.text
    return response.json()


def query_with_context(ngsi: Ngsi, **params):
    body = {"type": "Query", "entities": [{"type": "Building"}], "@context": [TOURISM, CORE]}
    response = ngsi.post("/entityOperations/query", body, params=params or None, content_type="application/ld+json")
    assert response.status_code == 200, response.text
    return response.json()[0]


def test_json_property_forms(ngsi: Ngsi):
    created = ngsi.post("/entities", building(config={"type": "JsonProperty", "json": PAYLOAD}))
    assert created.status_code == 201, created.text

    assert fetch(ngsi)["config"] == {"type": "JsonProperty", "json": PAYLOAD}
    assert fetch(ngsi, format="concise")["config"] == {"json": PAYLOAD}
    assert fetch(ngsi, format="keyValues")["config"] == PAYLOAD


def test_json_property_concise_input(ngsi: Ngsi):
    created = ngsi.post("/entities", building(config={"json": [1, "two"], "observedAt": "2024-05-01T08:00:00Z"}))
    assert created.status_code == 201, created.text
    config = fetch(ngsi)["config"]
    assert config["type"] == "JsonProperty"
    assert config["json"] == [1, "two"]
    assert config["observedAt"] == "2024-05-01T08:00:00Z"


def test_json_keys_are_not_expanded(ngsi: Ngsi):
    body = {**building(config={"type": "JsonProperty", "json": {"type": "Device", "@id": "x"}}),
            "@context": [TOURISM, CORE]}
    assert ngsi.post("/entities", body, content_type="application/ld+json").status_code == 201
    assert fetch(ngsi)["config"]["json"] == {"type": "Device", "@id": "x"}


@pytest.mark.parametrize("attribute", [{"type": "JsonProperty"}, {"type": "JsonProperty", "json": None},
                                       {"type": "JsonProperty", "value": 3}])
def test_json_property_without_json(ngsi: Ngsi, attribute):
    response = ngsi.post("/entities", building(config=attribute))
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["type"] == ETSI_ERRORS + "BadRequestData"
    assert "config" in problem["detail"]
    assert "json" in problem["detail"]
    assert ngsi.get("/entities/" + BUILDING).status_code == 404


def test_vocab_property_is_expanded_and_compacted(ngsi: Ngsi):
    body = {**building(category={"type": "VocabProperty", "vocab": ["monument", "museum"]}),
            "@context": [TOURISM, CORE]}
    assert ngsi.post("/entities", body, content_type="application/ld+json").status_code == 201

    # Without the tourism context the terms come back as the IRIs they were expanded to.
    assert fetch(ngsi)["category"]["vocab"] == [TOURISM["monument"], TOURISM["museum"]]
    assert query_with_context(ngsi)["category"] == {"type": "VocabProperty", "vocab": ["monument", "museum"]}
    assert query_with_context(ngsi, format="concise")["category"] == {"vocab": ["monument", "museum"]}
    assert query_with_context(ngsi, format="keyValues")["category"] == ["monument", "museum"]


def test_vocab_property_single_term(ngsi: Ngsi):
    body = {**building(category={"vocab": "monument"}), "@context": [TOURISM, CORE]}
    assert ngsi.post("/entities", body, content_type="application/ld+json").status_code == 201
    assert query_with_context(ngsi)["category"] == {"type": "VocabProperty", "vocab": "monument"}


@pytest.mark.parametrize("vocab", [None, 3, "", [], ["monument", 4], {"a": "b"}])
def test_invalid_vocab_rejected(ngsi: Ngsi, vocab):
    attribute = {"type": "VocabProperty"} if vocab is None else {"type": "VocabProperty", "vocab": vocab}
    response = ngsi.post("/entities", building(category=attribute))
    assert response.status_code == 400, response.text
    assert "category" in response.json()["detail"]
    assert "vocab" in response.json()["detail"]


def test_update_json_and_vocab(ngsi: Ngsi):
    body = {**building(config={"type": "JsonProperty", "json": PAYLOAD},
                       category={"type": "VocabProperty", "vocab": "monument"}),
            "@context": [TOURISM, CORE]}
    assert ngsi.post("/entities", body, content_type="application/ld+json").status_code == 201
    fragment = {"config": {"type": "JsonProperty", "json": {"city": "嘉定"}},
                "category": {"type": "VocabProperty", "vocab": "museum"}, "@context": [TOURISM, CORE]}
    updated = ngsi.patch(f"/entities/{BUILDING}/attrs", fragment, content_type="application/ld+json")
    assert updated.status_code == 204, updated.text
    entity = query_with_context(ngsi)
    assert entity["config"]["json"] == {"city": "嘉定"}
    assert entity["category"]["vocab"] == "museum"


def test_property_becomes_json_by_replace(ngsi: Ngsi):
    assert ngsi.post("/entities", building(config={"type": "Property", "value": 1})).status_code == 201
    patched = ngsi.patch(f"/entities/{BUILDING}/attrs/config", {"type": "JsonProperty", "json": {"a": 1}})
    assert patched.status_code == 400, patched.text
    assert fetch(ngsi)["config"] == {"type": "Property", "value": 1}

    replaced = ngsi.put(f"/entities/{BUILDING}/attrs/config", {"type": "JsonProperty", "json": {"a": 1}})
    assert replaced.status_code == 204, replaced.text
    assert fetch(ngsi)["config"] == {"type": "JsonProperty", "json": {"a": 1}}


def test_property_value_shaped_like_json_stays_property(ngsi: Ngsi):
    created = ngsi.post("/entities", building(settings={"value": {"json": 1, "vocab": "x"}}))
    assert created.status_code == 201, created.text
    assert fetch(ngsi)["settings"] == {"type": "Property", "value": {"json": 1, "vocab": "x"}}


def test_temporal_simplified_json_and_vocab(ngsi: Ngsi):
    vehicle = {
        "id": "urn:ngsi-ld:Vehicle:json-vocab-1", "type": "Vehicle",
        "speed": [{"type": "JsonProperty", "json": {"value": 120}, "observedAt": "2020-08-01T12:03:00Z"},
                  {"type": "JsonProperty", "json": {"value": 80}, "observedAt": "2020-08-01T12:05:00Z"}],
        "category": [{"type": "VocabProperty", "vocab": "monument", "observedAt": "2020-08-01T12:03:00Z"}],
        "@context": [TOURISM, CORE],
    }
    created = ngsi.post("/temporal/entities", vehicle, content_type="application/ld+json")
    assert created.status_code == 201, created.text
    response = ngsi.get("/temporal/entities/urn:ngsi-ld:Vehicle:json-vocab-1",
                        params={"options": "temporalValues"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["speed"] == {"type": "JsonProperty", "jsons": [
        [{"json": {"value": 120}}, "2020-08-01T12:03:00Z"], [{"json": {"value": 80}}, "2020-08-01T12:05:00Z"]]}
    assert body["category"] == {"type": "VocabProperty", "vocabs": [
        [{"vocab": TOURISM["monument"]}, "2020-08-01T12:03:00Z"]]}


def test_q_presence_matches_json_property(ngsi: Ngsi):
    assert ngsi.post("/entities", building(config={"type": "JsonProperty", "json": {"a": 1}})).status_code == 201
    present = ngsi.get("/entities", params={"type": "Building", "q": "config"})
    assert [entity["id"] for entity in present.json()] == [BUILDING]
    # q compares value and object only, so the json member is not matched.
    compared = ngsi.get("/entities", params={"type": "Building", "q": "config[a]==1"})
    assert compared.status_code == 200, compared.text
    assert compared.json() == []
