"""Input that used to reach the database or the JSON encoder and fail there with a 500.

Each case must return a 400 problem detail that names the value and store nothing.
"""

from __future__ import annotations

import pytest

from .conftest import BASE, Ngsi

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
SENSOR = "urn:ngsi-ld:WaterLevelSensor:310114102-UP-0012"


def _post_raw(ngsi: Ngsi, text: str):
    return ngsi.client.post(BASE + "/entities", content=text.encode(), headers=ngsi.headers())


def _sensor_with_value(number_text: str) -> str:
    return ('{"id": "%s", "type": "WaterLevelSensor", '
            '"waterLevel": {"type": "Property", "value": %s}}' % (SENSOR, number_text))


@pytest.mark.parametrize(("number_text", "reason"), [
    ("NaN", "NaN is not a JSON number"),
    ("Infinity", "Infinity is not a JSON number"),
    ("-Infinity", "-Infinity is not a JSON number"),
    ("1e400", "the number 1e400 is outside the range of a 64-bit float"),
    ("1" + "0" * 400, "an integer of 401 digits is outside the range of a 64-bit float"),
])
def test_non_finite_number_in_body_is_400(ngsi: Ngsi, number_text: str, reason: str) -> None:
    response = _post_raw(ngsi, _sensor_with_value(number_text))

    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "InvalidRequest"
    assert reason in response.json()["detail"]
    assert ngsi.get("/entities/" + SENSOR).status_code == 404


def test_largest_finite_numbers_are_stored(ngsi: Ngsi) -> None:
    assert _post_raw(ngsi, _sensor_with_value("1.7976931348623157e308")).status_code == 201

    stored = ngsi.get("/entities/" + SENSOR)

    assert stored.status_code == 200
    # PostgreSQL's JSONB returns the number in plain decimal notation, so compare as floats.
    assert float(stored.json()["waterLevel"]["value"]) == 1.7976931348623157e308


def test_deeply_nested_body_is_400(ngsi: Ngsi) -> None:
    response = _post_raw(ngsi, _sensor_with_value("[" * 5000 + "]" * 5000))

    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "InvalidRequest"
    assert "nested too deeply" in response.json()["detail"]
    assert ngsi.get("/entities/" + SENSOR).status_code == 404


def test_nan_in_a_batch_stores_none_of_it(ngsi: Ngsi) -> None:
    text = '[{"id": "%s", "type": "WaterLevelSensor", "level": {"type": "Property", "value": NaN}}]' % SENSOR
    response = ngsi.client.post(BASE + "/entityOperations/upsert", content=text.encode(), headers=ngsi.headers())

    assert response.status_code == 400
    assert ngsi.get("/entities/" + SENSOR).status_code == 404


def _polygon_query(ngsi: Ngsi, coordinates: str):
    return ngsi.get("/entities", params={"type": "WaterLevelSensor", "georel": "within", "geometry": "Polygon",
                                         "coordinates": coordinates})


def test_unclosed_polygon_in_geo_query_is_400(ngsi: Ngsi) -> None:
    response = _polygon_query(ngsi, "[[[121.2,31.3],[121.3,31.3],[121.3,31.4],[121.2,31.4]]]")

    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert "环未闭合" in response.json()["detail"]
    assert "[121.2, 31.4]" in response.json()["detail"]


def test_closed_polygon_in_geo_query_is_200(ngsi: Ngsi) -> None:
    response = _polygon_query(ngsi, "[[[121.2,31.3],[121.3,31.3],[121.3,31.4],[121.2,31.4],[121.2,31.3]]]")

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("coordinates", ["[NaN,31.3]", "[" * 5000 + "]" * 5000, "[[[[[121.2,31.3]]]]]"])
def test_malformed_geo_query_coordinates_are_400(ngsi: Ngsi, coordinates: str) -> None:
    response = ngsi.get("/entities", params={"type": "WaterLevelSensor", "georel": "intersects",
                                             "geometry": "Point", "coordinates": coordinates})

    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert "coordinates" in response.json()["detail"]


def test_entity_with_unclosed_polygon_is_400(ngsi: Ngsi) -> None:
    park = {"id": "urn:ngsi-ld:Park:310114-P1", "type": "Park",
            "location": {"type": "GeoProperty",
                         "value": {"type": "MultiPolygon",
                                   "coordinates": [[[[121.2, 31.3], [121.3, 31.3], [121.3, 31.4]]]]}}}

    response = ngsi.post("/entities", park)

    assert response.status_code == 400
    assert "环未闭合" in response.json()["detail"]
    assert ngsi.get("/entities/urn:ngsi-ld:Park:310114-P1").status_code == 404


@pytest.mark.parametrize(("name", "value"), [("limit", "²"), ("offset", "²"), ("offset", "9" * 20)])
def test_paging_value_out_of_range_is_400(ngsi: Ngsi, name: str, value: str) -> None:
    response = ngsi.get("/entities", params={"type": "WaterLevelSensor", name: value})

    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert value in response.json()["detail"]


@pytest.mark.parametrize("path", ["/temporal/entities", "/temporal/entities/" + SENSOR])
@pytest.mark.parametrize("value", ["²", "9" * 23])
def test_temporal_last_n_out_of_range_is_400(ngsi: Ngsi, path: str, value: str) -> None:
    assert ngsi.post("/entities", {"id": SENSOR, "type": "WaterLevelSensor",
                                   "level": {"type": "Property", "value": 1}}).status_code == 201

    response = ngsi.get(path, params={"type": "WaterLevelSensor", "lastN": value} if path.endswith("entities")
                        else {"lastN": value})

    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert "lastN" in response.json()["detail"]
    assert value in response.json()["detail"]


@pytest.mark.parametrize(("entity", "start"), [
    ({"id": "x y", "type": "Pump"}, "实体标识 'x y' 不是 URI"),
    ({"id": SENSOR, "type": "Pu mp"}, "实体类型 'Pu mp' 含有"),
    ({"id": SENSOR, "type": "Pump", "a b": {"type": "Property", "value": 1}}, "属性名 'a b' 含有"),
    ({"id": SENSOR, "type": "Pump", "feeds": {"type": "Relationship", "object": "no uri"}},
     "关系 'feeds' 的目标对象 'no uri' 不是 URI"),
    ({"id": SENSOR, "type": "Pump", "level": {"type": "Property", "value": 1, "observedAt": "never"}},
     "属性 'level' 的 observedAt 'never' 不是 ISO 8601 日期时间"),
    ({"id": SENSOR, "type": "Pump", "level": {"type": "Property", "value": 1, "datasetId": "x y"}},
     "属性 'level' 的 datasetId 'x y' 不是 URI"),
    ({"id": SENSOR, "type": "Pump", "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 95]}}},
     "地理属性 'location' 的坐标超出"),
])
def test_field_names_in_errors_are_chinese(ngsi: Ngsi, entity: dict, start: str) -> None:
    response = ngsi.post("/entities", entity)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(start)


@pytest.mark.parametrize(("q", "value"), [
    ("observedAt==2020-13-45T99:99:99Z", "2020-13-45T99:99:99Z"),
    ("installedOn<2024-02-30", "2024-02-30"),
    ("opensAt>=25:00", "25:00"),
])
def test_q_with_impossible_calendar_value_is_400(ngsi: Ngsi, q: str, value: str) -> None:
    response = ngsi.get("/entities", params={"type": "Pump", "q": q})

    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert repr(value) in response.json()["detail"]


def test_q_with_valid_calendar_values_is_200(ngsi: Ngsi) -> None:
    response = ngsi.get("/entities", params={"type": "Pump", "q": "a==2024-02-29T08:30:00Z|b<2024-02-29|c>=23:59"})

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("path", ["/entities?type=Device", "/types", "/attributes", "/csourceRegistrations"])
def test_local_other_than_true_or_false_is_400(ngsi: Ngsi, path: str) -> None:
    response = ngsi.get(path + ("&" if "?" in path else "?") + "local=maybe")

    assert response.status_code == 400
    assert response.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    assert "'maybe'" in response.json()["detail"]


def test_local_true_is_accepted(ngsi: Ngsi) -> None:
    assert ngsi.get("/entities?local=true").status_code == 200
    assert ngsi.get("/types?local=false").status_code == 200
