"""The fast paths of temporal reads: temporalValues pairs built in one loop, one attribute read with LIMIT."""

from __future__ import annotations

import pytest

from tests.context.conftest import Ngsi
from tests.context.temporal.test_temporal_api import SENSOR, readings, tpath, values_of

RAIN = "urn:ngsi-ld:dataset:rain-gauge"


def sensor_with_datasets() -> dict:
    """waterLevel by the default instance and by a second datasetId, and a Relationship."""
    return {
        "id": SENSOR, "type": "WaterLevelSensor",
        "waterLevel": [
            *readings((1.0, "2024-05-01T08:00:00Z"), (1.5, "2024-05-01T08:05:00Z"), (2.0, "2024-05-01T08:10:00Z")),
            *readings((7.0, "2024-05-01T08:01:00Z"), (7.5, "2024-05-01T08:06:00Z"), dataset=RAIN),
        ],
        "status": [{"type": "Property", "value": {"code": 3, "text": "ok"}, "observedAt": "2024-05-01T08:02:00Z"}],
        "installedIn": [
            {"type": "Relationship", "object": "urn:ngsi-ld:Building:A", "observedAt": "2024-05-01T08:00:00Z"},
            {"type": "Relationship", "object": "urn:ngsi-ld:Building:B", "observedAt": "2024-05-01T08:09:00Z"},
        ],
    }


def reduce_normalized(instances: list[dict]) -> dict | list[dict]:
    """Build the temporalValues form of one attribute from its normalized instances."""
    groups: dict[str | None, list[dict]] = {}
    for instance in instances:
        groups.setdefault(instance.get("datasetId"), []).append(instance)
    reduced = []
    for dataset_id, group in groups.items():
        kind = group[-1]["type"]
        list_name, member = ("objects", "object") if kind == "Relationship" else ("values", "value")
        item = {"type": kind, list_name: [[i[member], i["observedAt"]] for i in group]}
        if dataset_id is not None:
            item["datasetId"] = dataset_id
        reduced.append(item)
    return reduced[0] if len(reduced) == 1 else reduced


@pytest.mark.parametrize("params", [
    {},
    {"attrs": "waterLevel"},
    {"attrs": "installedIn"},
    {"lastN": "2"},
    {"attrs": "waterLevel", "lastN": "1"},
    {"timerel": "between", "timeAt": "2024-05-01T08:01:00Z", "endTimeAt": "2024-05-01T08:10:00Z"},
    {"attrs": "waterLevel", "timerel": "between", "timeAt": "2024-05-01T08:01:00Z",
     "endTimeAt": "2024-05-01T08:10:00Z"},
])
def test_temporal_values_reduce_normalized(ngsi: Ngsi, params: dict) -> None:
    created = ngsi.post("/temporal/entities", sensor_with_datasets())
    assert created.status_code == 201, created.text

    normalized = ngsi.get(tpath(), params=params)
    simplified = ngsi.get(tpath(), params={**params, "options": "temporalValues"})

    assert normalized.status_code == 200, normalized.text
    assert simplified.status_code == 200, simplified.text
    normalized_body = normalized.json()
    simplified_body = simplified.json()
    names = sorted(k for k in normalized_body if k not in ("id", "type"))
    assert names == sorted(k for k in simplified_body if k not in ("id", "type"))
    assert names, normalized_body
    for name in names:
        assert simplified_body[name] == reduce_normalized(normalized_body[name]), name


def test_temporal_values_keep_datasets_apart(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", sensor_with_datasets())

    got = ngsi.get(tpath(), params={"attrs": "waterLevel", "options": "temporalValues"})

    assert got.status_code == 200, got.text
    assert got.json()["waterLevel"] == [
        {"type": "Property", "values": [[1.0, "2024-05-01T08:00:00Z"], [1.5, "2024-05-01T08:05:00Z"],
                                        [2.0, "2024-05-01T08:10:00Z"]]},
        {"type": "Property", "values": [[7.0, "2024-05-01T08:01:00Z"], [7.5, "2024-05-01T08:06:00Z"]],
         "datasetId": RAIN},
    ]


def test_one_attribute_cut_at_limit(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 3)
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "waterLevel": readings(*[(float(n), f"2024-05-01T08:0{n}:00Z") for n in range(5)]),
              "temperature": readings((9.0, "2024-05-01T08:00:00Z"))}
    ngsi.post("/temporal/entities", entity)

    got = ngsi.get(tpath(), params={"attrs": "waterLevel"})
    simplified = ngsi.get(tpath(), params={"attrs": "waterLevel", "options": "temporalValues"})

    assert got.status_code == 206, got.text
    assert got.headers["content-range"] == "date-time 2024-05-01T08:00:00.000Z-2024-05-01T08:02:00.000Z/*"
    assert values_of(got.json(), "waterLevel") == [0.0, 1.0, 2.0]
    assert "temperature" not in got.json()
    assert simplified.status_code == 206, simplified.text
    assert simplified.json()["waterLevel"]["values"] == [
        [0.0, "2024-05-01T08:00:00Z"], [1.0, "2024-05-01T08:01:00Z"], [2.0, "2024-05-01T08:02:00Z"]]


def test_one_attribute_at_limit_is_complete(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 3)
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "waterLevel": readings(*[(float(n), f"2024-05-01T08:0{n}:00Z") for n in range(3)])}
    ngsi.post("/temporal/entities", entity)

    got = ngsi.get(tpath(), params={"attrs": "waterLevel"})

    assert got.status_code == 200, got.text
    assert "content-range" not in got.headers
    assert values_of(got.json(), "waterLevel") == [0.0, 1.0, 2.0]


def test_one_attribute_last_n_over_limit(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 3)
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "waterLevel": readings(*[(float(n), f"2024-05-01T08:0{n}:00Z") for n in range(5)])}
    ngsi.post("/temporal/entities", entity)

    got = ngsi.get(tpath(), params={"attrs": "waterLevel", "lastN": "5"})

    assert got.status_code == 206, got.text
    assert got.headers["content-range"] == "date-time 2024-05-01T08:04:00.000Z-2024-05-01T08:02:00.000Z/5"
    assert values_of(got.json(), "waterLevel") == [2.0, 3.0, 4.0]
