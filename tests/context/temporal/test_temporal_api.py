"""The temporal API (/temporal/entities) on SQLite or PostgreSQL through the shared db fixture."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import func, select

from citybase.context.models import CtxAttrInstance, CtxEntity
from tests.conftest import bearer_token, make_user
from tests.context.conftest import Ngsi

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
SENSOR = "urn:ngsi-ld:WaterLevelSensor:310114102-UP-0012"


def readings(*pairs: tuple[float, str], dataset: str | None = None) -> list[dict]:
    items = []
    for value, observed in pairs:
        item = {"type": "Property", "value": value, "observedAt": observed, "unitCode": "MTR"}
        if dataset:
            item["datasetId"] = dataset
        items.append(item)
    return items


def temporal_sensor(entity_id: str = SENSOR) -> dict:
    return {
        "id": entity_id,
        "type": "WaterLevelSensor",
        "waterLevel": readings((1.0, "2024-05-01T08:00:00Z"), (1.5, "2024-05-01T08:05:00Z"),
                               (2.0, "2024-05-01T08:10:00Z")),
        "status": [{"type": "Property", "value": "ok", "observedAt": "2024-05-01T08:00:00Z"}],
    }


def tpath(entity_id: str = SENSOR, tail: str = "") -> str:
    return "/temporal/entities/" + quote(entity_id, safe="") + tail


def values_of(body: dict, name: str) -> list:
    return [instance["value"] for instance in body.get(name, [])]


def test_create_then_retrieve_history(ngsi: Ngsi, db) -> None:
    created = ngsi.post("/temporal/entities", temporal_sensor())
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/ngsi-ld/v1/temporal/entities/" + SENSOR

    got = ngsi.get(tpath())
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["id"] == SENSOR
    assert body["type"] == "WaterLevelSensor"
    assert values_of(body, "waterLevel") == [1.0, 1.5, 2.0]
    assert [i["observedAt"] for i in body["waterLevel"]] == [
        "2024-05-01T08:00:00Z", "2024-05-01T08:05:00Z", "2024-05-01T08:10:00Z"]
    assert all(i["instanceId"].startswith("urn:ngsi-ld:attribute:instance:") for i in body["waterLevel"])
    assert body["waterLevel"][0]["unitCode"] == "MTR"
    assert values_of(body, "status") == ["ok"]

    current = ngsi.get("/entities/" + quote(SENSOR, safe="")).json()
    assert current["waterLevel"]["value"] == 2.0
    assert current["waterLevel"]["observedAt"] == "2024-05-01T08:10:00Z"
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CtxEntity)) == 1
        assert session.scalar(select(func.count()).select_from(CtxAttrInstance)) == 4


def test_second_post_adds_instances_and_types(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())
    more = {"id": SENSOR, "type": ["WaterLevelSensor", "Device"],
            "waterLevel": readings((0.5, "2024-05-01T07:55:00Z"), (2.5, "2024-05-01T08:15:00Z"))}

    updated = ngsi.post("/temporal/entities", more)

    assert updated.status_code == 204, updated.text
    body = ngsi.get(tpath()).json()
    assert sorted(body["type"]) == ["Device", "WaterLevelSensor"]
    assert values_of(body, "waterLevel") == [0.5, 1.0, 1.5, 2.0, 2.5]
    current = ngsi.get("/entities/" + quote(SENSOR, safe="")).json()
    assert current["waterLevel"]["value"] == 2.5


def test_older_reading_keeps_current_value(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())

    ngsi.post(tpath(tail="/attrs"), {"waterLevel": readings((9.0, "2024-04-30T00:00:00Z"))})

    current = ngsi.get("/entities/" + quote(SENSOR, safe="")).json()
    assert current["waterLevel"]["value"] == 2.0
    assert values_of(ngsi.get(tpath()).json(), "waterLevel") == [9.0, 1.0, 1.5, 2.0]


def test_timerel_bounds(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())
    cases = [
        ({"timerel": "after", "timeAt": "2024-05-01T08:05:00Z"}, [1.5, 2.0]),
        ({"timerel": "before", "timeAt": "2024-05-01T08:05:00Z"}, [1.0]),
        ({"timerel": "between", "timeAt": "2024-05-01T08:00:00Z", "endTimeAt": "2024-05-01T08:10:00Z"}, [1.0, 1.5]),
        ({"timerel": "between", "timeAt": "2024-05-01T16:00:00+08:00", "endTimeAt": "2024-05-01T16:05:00.001+08:00"},
         [1.0, 1.5]),
        ({"timerel": "after", "timeAt": "2024-05-02T00:00:00Z"}, []),
    ]
    for query, expected in cases:
        got = ngsi.get(tpath(), params={**query, "attrs": "waterLevel"})
        assert got.status_code == 200, (query, got.text)
        assert values_of(got.json(), "waterLevel") == expected, query


def test_last_n_keeps_most_recent(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())

    got = ngsi.get(tpath(), params={"lastN": "2"})

    body = got.json()
    assert values_of(body, "waterLevel") == [1.5, 2.0]
    assert values_of(body, "status") == ["ok"]
    between = ngsi.get(tpath(), params={"lastN": "1", "timerel": "before", "timeAt": "2024-05-01T08:10:00Z"})
    assert values_of(between.json(), "waterLevel") == [1.5]


def test_temporal_values_representation(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", {**temporal_sensor(), "refPump": [
        {"type": "Relationship", "object": "urn:ngsi-ld:Pump:310114102-P1", "observedAt": "2024-05-01T08:00:00Z"}]})

    body = ngsi.get(tpath(), params={"options": "temporalValues"}).json()

    assert body["waterLevel"] == {"type": "Property", "values": [
        [1.0, "2024-05-01T08:00:00Z"], [1.5, "2024-05-01T08:05:00Z"], [2.0, "2024-05-01T08:10:00Z"]]}
    assert body["refPump"] == {"type": "Relationship",
                               "objects": [["urn:ngsi-ld:Pump:310114102-P1", "2024-05-01T08:00:00Z"]]}
    same = ngsi.get(tpath(), params={"format": "temporalValues"}).json()
    assert same["waterLevel"] == body["waterLevel"]


def test_dataset_ids_in_both_representations(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", {
        "id": SENSOR, "type": "WaterLevelSensor",
        "waterLevel": readings((1.0, "2024-05-01T08:00:00Z"))
        + readings((7.0, "2024-05-01T08:01:00Z"), dataset="urn:ngsi-ld:Dataset:radar"),
    })

    normalized = ngsi.get(tpath()).json()["waterLevel"]
    simplified = ngsi.get(tpath(), params={"options": "temporalValues"}).json()["waterLevel"]

    assert [i.get("datasetId") for i in normalized] == [None, "urn:ngsi-ld:Dataset:radar"]
    assert simplified == [
        {"type": "Property", "values": [[1.0, "2024-05-01T08:00:00Z"]]},
        {"type": "Property", "values": [[7.0, "2024-05-01T08:01:00Z"]], "datasetId": "urn:ngsi-ld:Dataset:radar"},
    ]


def test_history_of_entity_api_writes(ngsi: Ngsi) -> None:
    entity = {"id": SENSOR, "type": "WaterLevelSensor",
              "waterLevel": {"type": "Property", "value": 1.0, "observedAt": "2024-05-01T08:00:00Z"}}
    assert ngsi.post("/entities", entity).status_code == 201
    patch = {"waterLevel": {"type": "Property", "value": 1.2, "observedAt": "2024-05-01T08:01:00Z"}}
    assert ngsi.patch("/entities/" + quote(SENSOR, safe="") + "/attrs", patch).status_code == 204

    body = ngsi.get(tpath(), params={"options": "sysAttrs"}).json()

    assert values_of(body, "waterLevel") == [1.0, 1.2]
    assert all("createdAt" in i and "modifiedAt" in i for i in body["waterLevel"])
    assert "createdAt" in body


def test_sys_attrs_with_created_at_timeproperty(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())

    got = ngsi.get(tpath(), params={"timeproperty": "createdAt", "timerel": "after",
                                    "timeAt": "2000-01-01T00:00:00Z", "options": "temporalValues"})

    assert got.status_code == 200, got.text
    values = got.json()["waterLevel"]["values"]
    assert [v[0] for v in values] == [1.0, 1.5, 2.0]
    assert all(v[1].endswith("Z") and v[1] > "2020" for v in values)


def test_invalid_temporal_queries_are_bad_request(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())
    cases = [
        {"timerel": "during", "timeAt": "2024-05-01T08:00:00Z"},
        {"timerel": "after"},
        {"timerel": "between", "timeAt": "2024-05-01T08:00:00Z"},
        {"timerel": "between", "timeAt": "2024-05-01T08:00:00Z", "endTimeAt": "2024-05-01T07:00:00Z"},
        {"timerel": "after", "timeAt": "yesterday"},
        {"timeAt": "2024-05-01T08:00:00Z"},
        {"lastN": "0"},
        {"lastN": "1.5"},
        {"timeproperty": "expiredAt"},
        {"options": "bogus"},
    ]
    for query in cases:
        got = ngsi.get(tpath(), params=query)
        assert got.status_code == 400, (query, got.text)
        assert got.json()["type"] == ERRORS + "BadRequestData", query
    unknown = ngsi.get(tpath(), params={"since": "2024"})
    assert unknown.status_code == 400
    assert unknown.json()["type"] == ERRORS + "InvalidRequest"


def test_retrieve_errors(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())

    assert ngsi.get("/temporal/entities/not-a-uri").json()["type"] == ERRORS + "BadRequestData"
    missing = ngsi.get(tpath("urn:ngsi-ld:WaterLevelSensor:310114102-NONE"))
    assert missing.status_code == 404
    assert missing.json()["type"] == ERRORS + "ResourceNotFound"
    no_attr = ngsi.get(tpath(), params={"attrs": "rainfall"})
    assert no_attr.status_code == 404
    wrong_type = ngsi.get(tpath(), params={"type": "Pump"})
    assert wrong_type.status_code == 404


def test_query_temporal_entities(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())
    other = "urn:ngsi-ld:WaterLevelSensor:310114103-UP-0001"
    ngsi.post("/temporal/entities", {"id": other, "type": "WaterLevelSensor",
                                     "waterLevel": readings((3.0, "2024-05-01T08:07:00Z"))})
    ngsi.post("/temporal/entities", {"id": "urn:ngsi-ld:Pump:310114102-P1", "type": "Pump",
                                     "speed": readings((50.0, "2024-05-01T08:07:00Z"))})

    got = ngsi.get("/temporal/entities", params={
        "type": "WaterLevelSensor", "timerel": "after", "timeAt": "2024-05-01T08:05:00Z",
        "attrs": "waterLevel", "count": "true"})

    assert got.status_code == 200, got.text
    assert got.headers["NGSILD-Results-Count"] == "2"
    by_id = {e["id"]: e for e in got.json()}
    assert set(by_id) == {SENSOR, other}
    assert values_of(by_id[SENSOR], "waterLevel") == [1.5, 2.0]
    assert values_of(by_id[other], "waterLevel") == [3.0]
    assert "status" not in by_id[SENSOR]

    q = ngsi.get("/temporal/entities", params={"type": "WaterLevelSensor", "q": "waterLevel>2.5"})
    assert [e["id"] for e in q.json()] == [other]
    paged = ngsi.get("/temporal/entities", params={"type": "WaterLevelSensor", "limit": "1"})
    assert len(paged.json()) == 1


def test_query_needs_entity_selector(ngsi: Ngsi) -> None:
    got = ngsi.get("/temporal/entities", params={"id": SENSOR, "timerel": "after", "timeAt": "2024-05-01T08:00:00Z"})

    assert got.status_code == 400
    assert got.json()["type"] == ERRORS + "BadRequestData"


def test_query_by_post(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())
    query = {"type": "Query", "entities": [{"type": "WaterLevelSensor"}], "attrs": ["waterLevel"],
             "temporalQ": {"timerel": "before", "timeAt": "2024-05-01T08:10:00Z", "lastN": 1}}

    got = ngsi.post("/temporal/entityOperations/query", query)

    assert got.status_code == 200, got.text
    assert values_of(got.json()[0], "waterLevel") == [1.5]
    bad = ngsi.post("/temporal/entityOperations/query", {**query, "temporalQ": {"timerel": "between",
                                                                                "timeAt": "2024-05-01T08:10:00Z"}})
    assert bad.status_code == 400


def test_add_attributes_to_unknown_entity_is_404(ngsi: Ngsi) -> None:
    got = ngsi.post(tpath(tail="/attrs"), {"waterLevel": readings((1.0, "2024-05-01T08:00:00Z"))})

    assert got.status_code == 404
    assert got.json()["type"] == ERRORS + "ResourceNotFound"


def test_invalid_payloads_change_nothing(ngsi: Ngsi, db) -> None:
    bad_bodies = [
        {"type": "WaterLevelSensor", "waterLevel": readings((1.0, "2024-05-01T08:00:00Z"))},
        {"id": "not a uri", "type": "WaterLevelSensor"},
        {"id": SENSOR, "type": "WaterLevelSensor", "waterLevel": [{"type": "Property", "value": 1,
                                                                   "observedAt": "noon"}]},
        {"id": SENSOR, "type": "WaterLevelSensor", "waterLevel": []},
    ]
    for body in bad_bodies:
        got = ngsi.post("/temporal/entities", body)
        assert got.status_code == 400, (body, got.text)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CtxEntity)) == 0
        assert session.scalar(select(func.count()).select_from(CtxAttrInstance)) == 0


def test_delete_attribute_history(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", {**temporal_sensor(), "waterLevel": temporal_sensor()["waterLevel"]
                                     + readings((5.0, "2024-05-01T08:00:00Z"), dataset="urn:ngsi-ld:Dataset:radar")})

    default_only = ngsi.delete(tpath(tail="/attrs/waterLevel"))
    assert default_only.status_code == 204, default_only.text
    assert values_of(ngsi.get(tpath()).json(), "waterLevel") == [5.0]
    radar = ngsi.delete(tpath(tail="/attrs/waterLevel"), params={"datasetId": "urn:ngsi-ld:Dataset:radar"})
    assert radar.status_code == 204
    assert "waterLevel" not in ngsi.get(tpath()).json()
    again = ngsi.delete(tpath(tail="/attrs/waterLevel"), params={"deleteAll": "true"})
    assert again.status_code == 404


def test_patch_and_delete_instance(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())
    instances = ngsi.get(tpath()).json()["waterLevel"]
    middle = instances[1]["instanceId"]

    patched = ngsi.patch(tpath(tail="/attrs/waterLevel/" + middle),
                         {"waterLevel": {"type": "Property", "value": 1.6, "observedAt": "2024-05-01T08:06:00Z"}})
    assert patched.status_code == 204, patched.text
    after_patch = ngsi.get(tpath()).json()["waterLevel"]
    assert [i["value"] for i in after_patch] == [1.0, 1.6, 2.0]
    assert after_patch[1]["instanceId"] == middle
    assert after_patch[1]["observedAt"] == "2024-05-01T08:06:00Z"
    assert after_patch[1]["unitCode"] == "MTR"

    deleted = ngsi.delete(tpath(tail="/attrs/waterLevel/" + middle))
    assert deleted.status_code == 204
    assert values_of(ngsi.get(tpath()).json(), "waterLevel") == [1.0, 2.0]
    again = ngsi.delete(tpath(tail="/attrs/waterLevel/" + middle))
    assert again.status_code == 404
    bad_value = ngsi.patch(tpath(tail="/attrs/waterLevel/" + instances[0]["instanceId"]),
                           {"waterLevel": {"type": "Property", "value": 1.0, "observedAt": "later"}})
    assert bad_value.status_code == 400


def test_delete_temporal_entity(ngsi: Ngsi, db) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())

    deleted = ngsi.delete(tpath())

    assert deleted.status_code == 204
    assert ngsi.get(tpath()).status_code == 404
    assert ngsi.get("/entities/" + quote(SENSOR, safe="")).status_code == 404
    assert ngsi.delete(tpath()).status_code == 404
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CtxAttrInstance)) == 0


def test_percent_encoded_chinese_id(ngsi: Ngsi) -> None:
    entity_id = "urn:ngsi-ld:Pump:310114102-%E6%B3%B5-1"
    assert ngsi.post("/temporal/entities", temporal_sensor(entity_id)).status_code == 201

    got = ngsi.get(tpath(entity_id))

    assert got.status_code == 200, got.text
    assert got.json()["id"] == entity_id


def test_reader_cannot_write_history(client, db) -> None:
    make_user(db, "reader", "viewer")
    reader = Ngsi(client, bearer_token(db, "reader"))
    make_user(db, "writer", "admin")
    writer = Ngsi(client, bearer_token(db, "writer", write=True))
    writer.post("/temporal/entities", temporal_sensor())

    assert reader.get(tpath()).status_code == 200
    assert reader.post("/temporal/entities", temporal_sensor()).status_code == 403
    assert reader.delete(tpath()).status_code == 403
    anonymous = client.get("/ngsi-ld/v1" + tpath())
    assert anonymous.status_code == 401


def test_resent_readings_replace_same_observation(ngsi: Ngsi, db) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())
    resent = {"id": SENSOR, "type": "WaterLevelSensor",
              "waterLevel": readings((1.1, "2024-05-01T08:00:00Z"), (1.5, "2024-05-01T08:05:00Z"))}

    assert ngsi.post("/temporal/entities", resent).status_code == 204
    assert ngsi.post(tpath(tail="/attrs"), {"waterLevel": readings((1.5, "2024-05-01T08:05:00Z"))}).status_code == 204

    assert values_of(ngsi.get(tpath()).json(), "waterLevel") == [1.1, 1.5, 2.0]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CtxAttrInstance)) == 4


def test_deleted_at_shows_deletions(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", {**temporal_sensor(), "refPump": [
        {"type": "Relationship", "object": "urn:ngsi-ld:Pump:310114102-P1", "observedAt": "2024-05-01T08:00:00Z"}]})
    entity = "/entities/" + quote(SENSOR, safe="")
    assert ngsi.delete(entity + "/attrs/waterLevel").status_code == 204
    assert ngsi.delete(entity + "/attrs/refPump").status_code == 204

    body = ngsi.get(tpath(), params={"timeproperty": "deletedAt"}).json()
    simplified = ngsi.get(tpath(), params={"timeproperty": "deletedAt", "options": "temporalValues"}).json()

    assert [i["value"] for i in body["waterLevel"]] == ["urn:ngsi-ld:null"]
    assert body["waterLevel"][0]["type"] == "Property"
    assert body["waterLevel"][0]["deletedAt"].endswith("Z")
    assert body["refPump"][0]["object"] == "urn:ngsi-ld:null"
    assert "status" not in body
    assert simplified["refPump"]["objects"][0][0] == "urn:ngsi-ld:null"
    assert values_of(ngsi.get(tpath()).json(), "waterLevel") == [1.0, 1.5, 2.0]


def test_language_property_simplified(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", {"id": SENSOR, "type": "WaterLevelSensor", "name": [
        {"type": "LanguageProperty", "languageMap": {"zh": "南翔下立交", "en": "Nanxiang underpass"},
         "observedAt": "2024-05-01T08:00:00Z"}]})

    body = ngsi.get(tpath(), params={"options": "temporalValues"}).json()

    assert body["name"] == {"type": "LanguageProperty", "languageMaps": [
        [{"languageMap": {"zh": "南翔下立交", "en": "Nanxiang underpass"}}, "2024-05-01T08:00:00Z"]]}


def test_query_leaves_out_entities_without_instances(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())
    other = "urn:ngsi-ld:WaterLevelSensor:310114103-UP-0001"
    ngsi.post("/temporal/entities", {"id": other, "type": "WaterLevelSensor",
                                     "waterLevel": readings((3.0, "2024-04-01T00:00:00Z"))})

    got = ngsi.get("/temporal/entities", params={"type": "WaterLevelSensor", "timerel": "after",
                                                 "timeAt": "2024-05-01T00:00:00Z"})

    assert [e["id"] for e in got.json()] == [SENSOR]


def test_malformed_paths_are_bad_request(ngsi: Ngsi) -> None:
    ngsi.post("/temporal/entities", temporal_sensor())
    cases = [
        ("POST", "/temporal/entities//attrs", {"waterLevel": readings((1.0, "2024-05-01T08:00:00Z"))}),
        ("DELETE", "/temporal/entities//attrs/waterLevel", None),
        ("DELETE", tpath(tail="/attrs//urn:ngsi-ld:attribute:instance:1"), None),
        ("DELETE", tpath(tail="/attrs/%2E%2E"), None),
        ("DELETE", tpath(tail="/attrs/%252E%252E"), None),
    ]
    for method, path, body in cases:
        got = ngsi.request(method, path, body)
        assert got.status_code == 400, (method, path, got.text)
        assert got.json()["type"] == ERRORS + "BadRequestData", path
    assert ngsi.delete(tpath(tail="/nothing/here")).status_code == 404


def five_readings() -> dict:
    return {
        "id": SENSOR, "type": "WaterLevelSensor",
        "waterLevel": readings(*[(float(n), f"2024-05-01T08:0{n}:00Z") for n in range(5)]),
        "status": [{"type": "Property", "value": "ok", "observedAt": "2024-05-01T08:00:00Z"}],
    }


def test_instance_limit_gives_partial_content(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 3)
    assert ngsi.post("/temporal/entities", five_readings()).status_code == 201

    first = ngsi.get(tpath())

    assert first.status_code == 206, first.text
    assert values_of(first.json(), "waterLevel") == [0.0, 1.0, 2.0]
    assert values_of(first.json(), "status") == ["ok"]
    assert first.headers["content-range"] == "date-time 2024-05-01T08:00:00.000Z-2024-05-01T08:02:00.000Z/*"

    after = ngsi.get(tpath(), params={"timerel": "after", "timeAt": "2024-05-01T08:02:30Z"})

    assert after.status_code == 200, after.text
    assert "content-range" not in after.headers
    assert values_of(after.json(), "waterLevel") == [3.0, 4.0]


def test_instance_limit_with_last_n_counts_backward(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 3)
    ngsi.post("/temporal/entities", five_readings())

    newest = ngsi.get(tpath(), params={"lastN": "4"})
    between = ngsi.get(tpath(), params={"lastN": "5", "timerel": "between", "timeAt": "2024-05-01T07:00:00Z",
                                        "endTimeAt": "2024-05-01T09:00:00Z"})
    within = ngsi.get(tpath(), params={"lastN": "2"})

    assert newest.status_code == 206
    assert values_of(newest.json(), "waterLevel") == [2.0, 3.0, 4.0]
    assert newest.headers["content-range"] == "date-time 2024-05-01T08:04:00.000Z-2024-05-01T08:02:00.000Z/4"
    assert between.status_code == 206
    assert between.headers["content-range"] == "date-time 2024-05-01T09:00:00.000Z-2024-05-01T08:02:00.000Z/5"
    assert within.status_code == 200
    assert values_of(within.json(), "waterLevel") == [3.0, 4.0]


def test_query_under_instance_limit_is_partial(ngsi: Ngsi, monkeypatch) -> None:
    monkeypatch.setattr(ngsi.client.app.state.settings, "context_temporal_max_instances", 2)
    ngsi.post("/temporal/entities", five_readings())

    got = ngsi.get("/temporal/entities", params={"type": "WaterLevelSensor"})

    assert got.status_code == 206, got.text
    assert values_of(got.json()[0], "waterLevel") == [0.0, 1.0]
    assert got.headers["content-range"] == "date-time 2024-05-01T08:00:00.000Z-2024-05-01T08:01:00.000Z/*"


def test_instance_limit_setting_rejects_zero() -> None:
    import pytest
    from pydantic import ValidationError

    from citybase.core.settings import Settings

    with pytest.raises(ValidationError):
        Settings(context_temporal_max_instances=0)
