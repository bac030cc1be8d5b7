from __future__ import annotations

import pytest

from citybase.context.entity_compact import RenderOptions, compact_entity
from citybase.context.entity_expand import expand_attributes, expand_entity
from citybase.context.errors import BadRequestData
from citybase.context.jsonld.context import ContextProcessor
from citybase.context.jsonld.store import ContextStore

NGSI = "https://uri.etsi.org/ngsi-ld/"
V = NGSI + "default-context/"
SDM_DEVICE = "https://raw.githubusercontent.com/smart-data-models/dataModel.Device/master/context.jsonld"

PUMP = {
    "id": "urn:ngsi-ld:Pump:310114103-%E6%B3%B5-1",
    "type": "Pump",
    "flow": {"type": "Property", "value": 12.5, "unitCode": "G51", "observedAt": "2024-05-01T08:00:00Z",
             "accuracy": {"type": "Property", "value": 0.1}},
    "name": {"type": "LanguageProperty", "languageMap": {"zh": "安亭泵站", "en": "Anting pump"}},
    "refStation": {"type": "Relationship", "object": "urn:ngsi-ld:Station:310114103-1"},
    "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [121.16, 31.30]}},
    "status": [
        {"type": "Property", "value": "ok", "datasetId": "urn:ngsi-ld:Dataset:b"},
        {"type": "Property", "value": "running"},
    ],
}


@pytest.fixture(scope="module")
def processor() -> ContextProcessor:
    return ContextProcessor(ContextStore())


def test_expand_normalized_entity(processor: ContextProcessor) -> None:
    entity = expand_entity(PUMP, processor.core)
    assert entity.id == PUMP["id"]
    assert entity.types == [V + "Pump"]
    flow = entity.attrs[V + "flow"][0]
    assert flow["value"] == 12.5
    assert flow["unitCode"] == "G51"
    assert flow[V + "accuracy"] == {"type": "Property", "value": 0.1}
    assert entity.attrs[NGSI + "location"][0]["type"] == "GeoProperty"
    statuses = entity.attrs[NGSI + "status"]
    assert [s.get("datasetId") for s in statuses] == [None, "urn:ngsi-ld:Dataset:b"]


def test_compact_round_trip(processor: ContextProcessor) -> None:
    entity = expand_entity(PUMP, processor.core)
    stored = {"id": entity.id, "types": entity.types, "attrs": entity.attrs}
    rendered = compact_entity(stored, processor.core, RenderOptions())
    assert rendered["type"] == "Pump"
    assert rendered["flow"] == PUMP["flow"]
    assert rendered["refStation"] == PUMP["refStation"]
    assert rendered["location"] == PUMP["location"]
    assert rendered["status"] == [PUMP["status"][1], PUMP["status"][0]]


def test_key_values_and_concise(processor: ContextProcessor) -> None:
    entity = expand_entity(PUMP, processor.core)
    stored = {"id": entity.id, "types": entity.types, "attrs": entity.attrs}
    simple = compact_entity(stored, processor.core, RenderOptions(format="keyValues"))
    assert simple["flow"] == 12.5
    assert simple["refStation"] == "urn:ngsi-ld:Station:310114103-1"
    assert simple["location"] == {"type": "Point", "coordinates": [121.16, 31.30]}
    concise = compact_entity(stored, processor.core, RenderOptions(format="concise"))
    assert concise["refStation"] == {"object": "urn:ngsi-ld:Station:310114103-1"}
    assert concise["location"] == {"type": "Point", "coordinates": [121.16, 31.30]}
    assert concise["flow"]["value"] == 12.5
    assert "type" not in concise["flow"]


def test_language_selection(processor: ContextProcessor) -> None:
    entity = expand_entity(PUMP, processor.core)
    stored = {"id": entity.id, "types": entity.types, "attrs": entity.attrs}
    rendered = compact_entity(stored, processor.core, RenderOptions(lang="zh"))
    assert rendered["name"] == {"type": "Property", "value": "安亭泵站", "lang": "zh"}


def test_concise_input_is_inferred(processor: ContextProcessor) -> None:
    attrs = expand_attributes(
        {"speed": 12, "ref": {"object": "urn:x:1"}, "where": {"type": "Point", "coordinates": [121, 31]},
         "label": {"languageMap": {"zh": "站"}}, "address": {"value": {"city": "嘉定"}}},
        processor.core,
    )
    assert attrs[V + "speed"][0] == {"type": "Property", "value": 12}
    assert attrs[V + "ref"][0]["type"] == "Relationship"
    assert attrs[V + "where"][0]["type"] == "GeoProperty"
    assert attrs[V + "label"][0]["type"] == "LanguageProperty"
    assert attrs[V + "address"][0]["value"] == {"city": "嘉定"}


def test_smart_data_model_context_names(processor: ContextProcessor) -> None:
    active = processor.active_context(SDM_DEVICE)
    entity = expand_entity({"id": "urn:ngsi-ld:Device:310114-1", "type": "Device", "batteryLevel": 0.8}, active)
    assert entity.types == ["https://smartdatamodels.org/dataModel.Device/Device"]
    assert "https://smartdatamodels.org/dataModel.Device/batteryLevel" in entity.attrs
    rendered = compact_entity({"id": entity.id, "types": entity.types, "attrs": entity.attrs}, active, RenderOptions())
    assert rendered["batteryLevel"] == {"type": "Property", "value": 0.8}
    core_view = compact_entity({"id": entity.id, "types": entity.types, "attrs": entity.attrs},
                               processor.core, RenderOptions())
    assert core_view["type"] == "https://smartdatamodels.org/dataModel.Device/Device"


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"type": "Pump"}, "'id'"),
        ({"id": "not a uri", "type": "Pump"}, "not a URI"),
        ({"id": "urn:ngsi-ld:Pump:泵", "type": "Pump"}, "percent-encode"),
        ({"id": "urn:ngsi-ld:Pump:1"}, "'type'"),
        ({"id": "urn:ngsi-ld:Pump:1", "type": "Pump", "bad name": 1}, "forbids"),
        ({"id": "urn:ngsi-ld:Pump:1", "type": "Pump", "a": {"type": "Relationship"}}, "'object'"),
        ({"id": "urn:ngsi-ld:Pump:1", "type": "Pump", "a": {"type": "Relationship", "object": "x y"}}, "URI"),
        ({"id": "urn:ngsi-ld:Pump:1", "type": "Pump", "a": {"type": "Property"}}, "'value'"),
        ({"id": "urn:ngsi-ld:Pump:1", "type": "Pump", "a": {"type": "Thing", "value": 1}}, "Thing"),
        ({"id": "urn:ngsi-ld:Pump:1", "type": "Pump", "location": {"type": "Property", "value": 1}}, "GeoProperty"),
        ({"id": "urn:ngsi-ld:Pump:1", "type": "Pump",
          "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [500, 1]}}}, "longitude"),
        ({"id": "urn:ngsi-ld:Pump:1", "type": "Pump",
          "a": {"type": "Property", "value": 1, "observedAt": "yesterday"}}, "ISO 8601"),
        ({"id": "urn:ngsi-ld:Pump:1", "type": "Pump",
          "a": [{"type": "Property", "value": 1}, {"type": "Property", "value": 2}]}, "datasetId"),
        ({"id": "urn:ngsi-ld:Pump:1", "type": "Pump", "a": {"nested": 1}}, "wrap"),
        ({"id": "urn:ngsi-ld:Pump:1", "type": "Pump", "a": None}, "no value"),
    ],
)
def test_invalid_entities_are_bad_request(processor: ContextProcessor, payload, fragment: str) -> None:
    with pytest.raises(BadRequestData) as raised:
        expand_entity(payload, processor.core)
    assert fragment in str(raised.value)
