"""The instance limit of temporal reads: 206, Content-Range and the cut of every attribute to the range."""

from __future__ import annotations

from tests.context.conftest import Ngsi
from tests.context.temporal.test_temporal_api import SENSOR, readings, tpath, values_of

OTHER = "urn:ngsi-ld:WaterLevelSensor:310114102-UP-0099"


def staggered(entity_id: str = SENSOR, day: str = "2024-05-01") -> dict:
    """waterLevel at minutes 0-4 and temperature at minutes 2-6 of 08:00 on ``day``."""
    return {
        "id": entity_id, "type": "WaterLevelSensor",
        "waterLevel": readings(*[(float(n), f"{day}T08:0{n}:00Z") for n in range(5)]),
        "temperature": readings(*[(float(n), f"{day}T08:0{n}:00Z") for n in range(2, 7)]),
    }


def test_range_end_cuts_other_attributes(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 3)
    ngsi.post("/temporal/entities", staggered())

    got = ngsi.get(tpath())

    assert got.status_code == 206, got.text
    assert got.headers["content-range"] == "date-time 2024-05-01T08:00:00.000Z-2024-05-01T08:02:00.000Z/*"
    assert values_of(got.json(), "waterLevel") == [0.0, 1.0, 2.0]
    # temperature had three instances within the limit, but two lie after the range end.
    assert values_of(got.json(), "temperature") == [2.0]


def test_range_end_cuts_backward_with_last_n(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 3)
    ngsi.post("/temporal/entities", staggered())

    got = ngsi.get(tpath(), params={"lastN": "5"})

    assert got.status_code == 206, got.text
    assert got.headers["content-range"] == "date-time 2024-05-01T08:06:00.000Z-2024-05-01T08:04:00.000Z/5"
    assert values_of(got.json(), "temperature") == [4.0, 5.0, 6.0]
    assert values_of(got.json(), "waterLevel") == [4.0]


def test_attribute_beyond_range_is_empty_list(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 2)
    entity = {
        "id": SENSOR, "type": "WaterLevelSensor",
        "waterLevel": readings((1.0, "2024-05-01T08:00:00Z"), (2.0, "2024-05-01T08:01:00Z"),
                               (3.0, "2024-05-01T08:02:00Z")),
        "temperature": readings((9.0, "2024-05-02T08:00:00Z")),
    }
    ngsi.post("/temporal/entities", entity)

    normalized = ngsi.get(tpath())
    simplified = ngsi.get(tpath(), params={"options": "temporalValues"})

    assert normalized.status_code == 206, normalized.text
    assert normalized.json()["temperature"] == []
    assert simplified.status_code == 206, simplified.text
    assert simplified.json()["temperature"] == {"type": "Property", "values": []}
    assert simplified.json()["waterLevel"]["values"] == [[1.0, "2024-05-01T08:00:00Z"], [2.0, "2024-05-01T08:01:00Z"]]


def test_next_range_continues_without_gaps(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 3)
    ngsi.post("/temporal/entities", staggered())

    first = ngsi.get(tpath())
    second = ngsi.get(tpath(), params={"timerel": "after", "timeAt": "2024-05-01T08:02:00.001Z"})

    assert first.status_code == 206
    assert second.status_code == 206, second.text
    assert values_of(second.json(), "waterLevel") == [3.0, 4.0]
    assert values_of(second.json(), "temperature") == [3.0, 4.0, 5.0]
    assert second.headers["content-range"] == "date-time 2024-05-01T08:02:00.001Z-2024-05-01T08:05:00.000Z/*"


def test_query_keeps_entities_cut_to_nothing(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 3)
    ngsi.post("/temporal/entities", staggered())
    ngsi.post("/temporal/entities", staggered(OTHER, "2024-06-01"))

    got = ngsi.get("/temporal/entities", params={"type": "WaterLevelSensor"})

    assert got.status_code == 206, got.text
    assert got.headers["content-range"] == "date-time 2024-05-01T08:00:00.000Z-2024-05-01T08:02:00.000Z/*"
    by_id = {entity["id"]: entity for entity in got.json()}
    assert values_of(by_id[SENSOR], "waterLevel") == [0.0, 1.0, 2.0]
    assert by_id[OTHER]["waterLevel"] == []
    assert by_id[OTHER]["temperature"] == []


def test_under_limit_is_complete(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 5)
    ngsi.post("/temporal/entities", staggered())

    got = ngsi.get(tpath(), params={"lastN": "5"})

    assert got.status_code == 200, got.text
    assert "content-range" not in got.headers
    assert values_of(got.json(), "temperature") == [2.0, 3.0, 4.0, 5.0, 6.0]
