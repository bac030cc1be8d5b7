"""GET /entities and POST /entityOperations/query."""

from __future__ import annotations

import pytest

from .conftest import Ngsi

ETSI_ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"


def device(n: int, lon: float, lat: float, temperature: float, status: str, kind: str = "Device"):
    return {
        "id": f"urn:ngsi-ld:{kind}:310114102-{n:04d}",
        "type": kind,
        "temperature": {"type": "Property", "value": temperature, "observedAt": f"2024-05-0{n % 9 + 1}T08:00:00Z"},
        "status": {"type": "Property", "value": status},
        "address": {"type": "Property", "value": {"addressLocality": "嘉定" if n % 2 else "南翔"}},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [lon, lat]}},
        "refGateway": {"type": "Relationship", "object": f"urn:ngsi-ld:Gateway:310114-{n % 3}"},
    }


@pytest.fixture
def seeded(ngsi: Ngsi) -> Ngsi:
    entities = [
        device(1, 121.250, 31.380, 21.5, "ok"),
        device(2, 121.255, 31.380, 18.0, "warn"),
        device(3, 121.300, 31.380, 25.0, "ok"),
        device(4, 121.250, 31.390, 30.0, "off"),
        device(5, 121.251, 31.381, 19.0, "ok", kind="AirQualityObserved"),
    ]
    response = ngsi.post("/entityOperations/create", entities)
    assert response.status_code == 201, response.text
    return ngsi


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [entity["id"][-4:] for entity in response.json()]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "Device"}, ["0001", "0002", "0003", "0004"]),
        ({"type": "Device,AirQualityObserved"}, ["0001", "0002", "0003", "0004", "0005"]),
        ({"type": "Device", "q": "temperature>20"}, ["0001", "0003", "0004"]),
        ({"type": "Device", "q": 'temperature>20;status=="ok"'}, ["0001", "0003"]),
        ({"type": "Device", "q": "status==ok|temperature<19"}, ["0001", "0002", "0003"]),
        ({"type": "Device", "q": "temperature==18..22"}, ["0001", "0002"]),
        ({"type": "Device", "q": 'address[addressLocality]=="嘉定"'}, ["0001", "0003"]),
        ({"type": "Device", "q": "refGateway==urn:ngsi-ld:Gateway:310114-1"}, ["0001", "0004"]),
        ({"type": "Device", "q": "temperature.observedAt>=2024-05-04T00:00:00Z"}, ["0003", "0004"]),
        ({"idPattern": "^urn:ngsi-ld:Device:310114102-000[12]$"}, ["0001", "0002"]),
        ({"id": "urn:ngsi-ld:Device:310114102-0003,urn:ngsi-ld:AirQualityObserved:310114102-0005"}, ["0003", "0005"]),
        ({"attrs": "temperature", "q": "temperature<20"}, ["0002", "0005"]),
        ({"type": "Device", "georel": "near;maxDistance==600", "geometry": "Point", "coordinates": "[121.25,31.38]"},
         ["0001", "0002"]),
        ({"type": "Device", "georel": "near;minDistance==2000", "geometry": "Point", "coordinates": "[121.25,31.38]"},
         ["0003"]),
        ({"type": "Device", "georel": "within", "geometry": "Polygon",
          "coordinates": "[[[121.24,31.37],[121.26,31.37],[121.26,31.385],[121.24,31.385],[121.24,31.37]]]"},
         ["0001", "0002"]),
        ({"type": "Device", "georel": "intersects", "geometry": "LineString",
          "coordinates": "[[121.25,31.37],[121.25,31.40]]"}, ["0001", "0004"]),
        ({"type": "Device", "georel": "disjoint", "geometry": "Point", "coordinates": "[121.25,31.38]"},
         ["0002", "0003", "0004"]),
        ({"type": "Device", "georel": "equals", "geometry": "Point", "coordinates": "[121.3,31.38]"}, ["0003"]),
    ],
)
def test_query_filters(seeded: Ngsi, params: dict[str, str], expected: list[str]) -> None:
    assert ids(seeded.get("/entities", params=params)) == expected


def test_paging_and_count(seeded: Ngsi) -> None:
    first = seeded.get("/entities", params={"type": "Device", "limit": "2", "count": "true"})
    assert ids(first) == ["0001", "0002"]
    assert first.headers["NGSILD-Results-Count"] == "4"
    second = seeded.get("/entities", params={"type": "Device", "limit": "2", "offset": "2"})
    assert ids(second) == ["0003", "0004"]
    only_count = seeded.get("/entities", params={"type": "Device", "limit": "0", "count": "true"})
    assert only_count.json() == []
    assert only_count.headers["NGSILD-Results-Count"] == "4"
    geo = seeded.get("/entities", params={"type": "Device", "georel": "near;maxDistance==600", "geometry": "Point",
                                          "coordinates": "[121.25,31.38]", "count": "true", "limit": "1"})
    assert ids(geo) == ["0001"]
    assert geo.headers["NGSILD-Results-Count"] == "2"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"type": "Device", "q": "temperature>"}, "BadRequestData"),
        ({"type": "Device", "q": "(a==1"}, "BadRequestData"),
        ({"type": "Device", "georel": "near", "geometry": "Point", "coordinates": "[121,31]"}, "BadRequestData"),
        ({"type": "Device", "georel": "within", "geometry": "Polygon", "coordinates": "[[[1,2]]"}, "BadRequestData"),
        ({"type": "Device", "georel": "near;maxDistance==10"}, "BadRequestData"),
        ({"type": "(Device"}, "BadRequestData"),
        ({"type": "Device", "limit": "0"}, "BadRequestData"),
        ({"type": "Device", "limit": "-1"}, "BadRequestData"),
        ({"type": "Device", "limit": "5000"}, "TooManyResults"),
        ({"type": "Device", "idPattern": "[unclosed"}, "BadRequestData"),
        ({"q": "x==1", "id": "not a uri"}, "BadRequestData"),
        ({}, "BadRequestData"),
        ({"type": "Device", "scopeQ": "/a//b"}, "BadRequestData"),
    ],
)
def test_malformed_queries_are_4xx(seeded: Ngsi, params: dict[str, str], error: str) -> None:
    response = seeded.get("/entities", params=params)
    assert response.status_code in (400, 403, 422)
    assert response.json()["type"] == ETSI_ERRORS + error


def test_query_with_user_context(seeded: Ngsi) -> None:
    link = ('<https://raw.githubusercontent.com/smart-data-models/dataModel.Device/master/context.jsonld>; '
            'rel="http://www.w3.org/ns/json-ld#context"')
    entity = {"id": "urn:ngsi-ld:Device:310114-sdm", "type": "Device", "batteryLevel": 0.4}
    assert seeded.post("/entities", entity, headers={"Link": link}).status_code == 201
    found = seeded.get("/entities", params={"type": "Device", "q": "batteryLevel<0.5"}, headers={"Link": link})
    assert ids(found) == ["-sdm"]
    assert found.json()[0]["batteryLevel"]["value"] == 0.4
    # Without the context the same names mean other IRIs.
    assert ids(seeded.get("/entities", params={"type": "Device", "q": "batteryLevel<0.5"})) == []


def test_query_ld_json_and_geojson(seeded: Ngsi) -> None:
    ld = seeded.get("/entities", params={"type": "Device", "limit": "1"}, headers={"Accept": "application/ld+json"})
    assert ld.headers["content-type"] == "application/ld+json"
    assert ld.json()[0]["@context"] == "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"
    geo = seeded.get("/entities", params={"type": "Device"}, headers={"Accept": "application/geo+json"})
    assert geo.json()["type"] == "FeatureCollection"
    assert len(geo.json()["features"]) == 4


def test_batch_query(seeded: Ngsi) -> None:
    body = {"type": "Query", "entities": [{"type": "Device"}], "q": "temperature>20",
            "geoQ": {"georel": "near;maxDistance==600", "geometry": "Point", "coordinates": [121.25, 31.38]}}
    assert ids(seeded.post("/entityOperations/query", body)) == ["0001"]
    bad = seeded.post("/entityOperations/query", {"type": "Query", "q": "a=="})
    assert bad.status_code == 400


def test_key_values_query(seeded: Ngsi) -> None:
    body = seeded.get("/entities", params={"type": "Device", "options": "keyValues", "limit": "1"}).json()
    assert body[0]["temperature"] == 21.5
    assert body[0]["refGateway"] == "urn:ngsi-ld:Gateway:310114-1"


def test_impossible_date_is_no_match_or_bad_request(ngsi: Ngsi, db) -> None:
    ngsi.post("/entities", {"id": "urn:ngsi-ld:Device:310114-odd", "type": "Device", "day": "2024-13-45"})
    response = ngsi.get("/entities", params={"type": "Device", "q": "day>2024-01-01"})
    if db.dialect == "sqlite":
        assert response.status_code == 200
        assert response.json() == []
    else:
        assert response.status_code == 400
        assert response.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
