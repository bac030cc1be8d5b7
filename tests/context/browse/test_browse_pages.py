"""The entity browsing pages: types, entities of a type with an SVG map, one entity."""

from __future__ import annotations

import re
from urllib.parse import quote

from citybase.context.browse.mapsvg import HEIGHT, WIDTH, MapPoint, build_map
from tests.conftest import login, make_user
from tests.context.conftest import Ngsi

SENSOR_TYPE = "https://uri.etsi.org/ngsi-ld/default-context/WaterLevelSensor"


def sensor(number: int, located: bool = True) -> dict:
    entity = {
        "id": f"urn:ngsi-ld:WaterLevelSensor:310114102-UP-{number:04d}",
        "type": "WaterLevelSensor",
        "waterLevel": {"type": "Property", "value": 0.1 * number, "unitCode": "MTR",
                       "observedAt": "2024-05-01T08:00:00Z"},
    }
    if located:
        entity["location"] = {"type": "GeoProperty",
                              "value": {"type": "Point", "coordinates": [121.25 + number / 100, 31.35]}}
    return entity


def seed(ngsi: Ngsi) -> None:
    for number in range(1, 4):
        assert ngsi.post("/entities", sensor(number, located=number != 3)).status_code == 201
    pump = {"id": "urn:ngsi-ld:Pump:310114102-%E6%B3%B5-1", "type": "Pump",
            "name": {"type": "Property", "value": "南翔泵站"}}
    assert ngsi.post("/entities", pump).status_code == 201


def test_types_page_lists_counts(ngsi: Ngsi, client, db) -> None:
    seed(ngsi)
    make_user(db, "watcher", "viewer")
    login(client, "watcher")

    page = client.get("/context")

    assert page.status_code == 200
    assert "城市实体" in page.text
    assert re.search(r">WaterLevelSensor</a> <span>（3）</span>", page.text)
    assert re.search(r">Pump</a> <span>（1）</span>", page.text)
    assert page.text.count("<circle") == 2
    assert "<script" not in page.text


def test_type_page_lists_entities_and_map(ngsi: Ngsi, client, db) -> None:
    seed(ngsi)
    make_user(db, "watcher", "viewer")
    login(client, "watcher")

    page = client.get("/context", params={"type": SENSOR_TYPE})

    assert page.status_code == 200
    assert 'aria-current="page">WaterLevelSensor</a>' in page.text
    assert page.text.count('<a href="/context/entities/urn:ngsi-ld:WaterLevelSensor:310114102-UP-') == 5
    assert page.text.count("<circle") == 2
    assert '<svg viewBox="0 0 640 480"' in page.text
    assert 'aria-labelledby="ctx-map-title ctx-map-desc"' in page.text
    assert "WaterLevelSensor 类型的实体共 3 个" in page.text
    assert "有位置的实体共 2 个，地图上绘制了 2 个。" in page.text


def test_entity_page_shows_attributes(ngsi: Ngsi, client, db) -> None:
    seed(ngsi)
    make_user(db, "watcher", "viewer")
    login(client, "watcher")

    page = client.get("/context/entities/" + quote("urn:ngsi-ld:WaterLevelSensor:310114102-UP-0002", safe=":"))

    assert page.status_code == 200
    assert '<th scope="row">waterLevel</th>' in page.text
    assert "MTR" in page.text
    # observedAt 08:00 UTC shows in Asia/Shanghai time, as every time on the pages does.
    assert "<td>2024-05-01 16:00</td>" in page.text
    assert page.text.count("<circle") == 1
    pump = client.get("/context/entities/" + quote("urn:ngsi-ld:Pump:310114102-%E6%B3%B5-1", safe=":"))
    assert pump.status_code == 200
    assert "南翔泵站" in pump.text
    missing = client.get("/context/entities/urn:ngsi-ld:Pump:none")
    assert missing.status_code == 404


def test_pages_need_read_permission(ngsi: Ngsi, client, db) -> None:
    anonymous = client.get("/context", headers={"Accept": "text/html"}, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")

    make_user(db, "citizen", "public")
    login(client, "citizen")
    assert client.get("/context").status_code == 403
    assert client.get("/context/entities/urn:ngsi-ld:Pump:1").status_code == 403


def test_map_fits_points_outside_district() -> None:
    inside = MapPoint(121.25, 31.35, "inside", "/a")
    far = MapPoint(-8.5, 41.2, "far", "/b")

    drawn = build_map([inside, far])

    assert len(drawn.outlines) == 1
    for point in drawn.points:
        assert 0 <= point.x <= WIDTH
        assert 0 <= point.y <= HEIGHT
    assert drawn.points[0].x > drawn.points[1].x


def test_map_projection_keeps_north_up() -> None:
    south = MapPoint(121.25, 31.25, "south", "/s")
    north = MapPoint(121.25, 31.42, "north", "/n")

    drawn = build_map([south, north])

    assert drawn.points[1].y < drawn.points[0].y
    assert drawn.points[0].x == drawn.points[1].x


def test_pages_show_percent_encoded_ids_decoded(ngsi: Ngsi, client, db) -> None:
    pump_id = "urn:ngsi-ld:Pump:310114103-%E5%AE%89%E4%BA%AD%E6%B3%B5%E7%AB%99-1"
    pump = {"id": pump_id, "type": "Pump",
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [121.16, 31.3]}}}
    assert ngsi.post("/entities", pump).status_code == 201
    make_user(db, "watcher", "viewer")
    login(client, "watcher")

    listing = client.get("/context", params={"type": "https://uri.etsi.org/ngsi-ld/default-context/Pump"})
    page = client.get("/context/entities/" + quote(pump_id, safe=":"))

    assert listing.status_code == 200
    assert ">urn:ngsi-ld:Pump:310114103-安亭泵站-1</a>" in listing.text
    assert 'href="/context/entities/urn:ngsi-ld:Pump:310114103-%25E5%25AE%2589' in listing.text
    assert "<title>urn:ngsi-ld:Pump:310114103-安亭泵站-1</title>" in listing.text
    assert page.status_code == 200
    assert '<h1 class="ctx-value">urn:ngsi-ld:Pump:310114103-安亭泵站-1</h1>' in page.text
    assert f"<code>{pump_id}</code>" in page.text
    assert "<dt>行政区划</dt><dd>安亭镇</dd>" in page.text
    assert "表格列出了相同的实体" not in page.text


def test_page_number_past_the_end_shows_last_page(ngsi: Ngsi, client, db) -> None:
    seed(ngsi)
    make_user(db, "watcher", "viewer")
    login(client, "watcher")

    page = client.get("/context", params={"type": SENSOR_TYPE, "page": "9" * 25})

    assert page.status_code == 200
    assert page.text.count('<a href="/context/entities/urn:ngsi-ld:WaterLevelSensor:310114102-UP-') == 5


def test_entity_page_shows_scopes_and_json(ngsi: Ngsi, client, db) -> None:
    station = {"id": "urn:ngsi-ld:PumpStation:310114102-9", "type": "PumpStation",
               "scope": ["/Jiading/Nanxiang", "/Water/Pumps"],
               "config": {"type": "JsonProperty", "json": {"pumps": ["南翔", 2]}}}
    assert ngsi.post("/entities", station).status_code == 201
    make_user(db, "watcher", "viewer")
    login(client, "watcher")

    page = client.get("/context/entities/urn:ngsi-ld:PumpStation:310114102-9")

    assert page.status_code == 200
    assert "<dt>范围</dt>" in page.text
    assert '<dd class="ctx-value">/Jiading/Nanxiang, /Water/Pumps</dd>' in page.text
    assert '<th scope="row">scope</th>' not in page.text
    assert '<th scope="row">config</th><td>JsonProperty</td>' in page.text
    # One key only, because PostgreSQL's JSONB does not keep the order of keys as written.
    assert "{&#34;pumps&#34;: [&#34;南翔&#34;, 2]}" in page.text
