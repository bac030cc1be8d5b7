"""Entity scopes and scopeQ (ETSI GS CIM 009 V1.6.1, 4.18 and 4.19) through the API."""

from __future__ import annotations

import pytest

from .conftest import Ngsi

ETSI_ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
PARK = "/Madrid/Gardens/ParqueNorte"
UNIT = "/CompanyA/OrganizationB/UnitC"


def building(n: int, scope=None, **attrs):
    entity = {"id": f"urn:ngsi-ld:Building:scope-{n:02d}", "type": "Building", **attrs}
    if scope is not None:
        entity["scope"] = scope
    return entity


def fetch(ngsi: Ngsi, n: int, **params):
    response = ngsi.get(f"/entities/urn:ngsi-ld:Building:scope-{n:02d}", params=params or None)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def scoped(ngsi: Ngsi) -> Ngsi:
    entities = [
        building(1, PARK),
        building(2, [PARK, UNIT]),
        building(3, "/Madrid"),
        building(4, "/Madrid/Districts/Centro"),
        building(5),
        building(6, "/CompanyA"),
        building(7, "/Madrid_/Gardens"),
    ]
    response = ngsi.post("/entityOperations/create", entities)
    assert response.status_code == 201, response.text
    return ngsi


def test_create_returns_scope_string(ngsi: Ngsi):
    assert ngsi.post("/entities", building(1, PARK)).status_code == 201
    entity = fetch(ngsi, 1)
    assert entity["scope"] == PARK
    assert "https://uri.etsi.org/ngsi-ld/scope" not in entity


def test_create_returns_scope_list(ngsi: Ngsi):
    assert ngsi.post("/entities", building(2, [PARK, UNIT, PARK])).status_code == 201
    entity = fetch(ngsi, 2)
    assert entity["scope"] == [PARK, UNIT]


@pytest.mark.parametrize("form", ["keyValues", "concise", "normalized"])
def test_scope_in_every_format(ngsi: Ngsi, form: str):
    entity = building(1, PARK, height={"type": "Property", "value": 12})
    assert ngsi.post("/entities", entity).status_code == 201
    rendered = fetch(ngsi, 1, format=form, attrs="height")
    assert rendered["scope"] == PARK
    assert "height" in rendered


@pytest.mark.parametrize(
    "scope",
    ["Madrid", "/Madrid//Gardens", "/Madrid/", "/Madrid/#", "/Madrid/+", "/Ma drid", "/A,/B", [], 5, [PARK, 7],
     "/" + "x" * 300],
)
def test_invalid_scope_rejected(ngsi: Ngsi, scope):
    response = ngsi.post("/entities", building(1, scope))
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["type"] == ETSI_ERRORS + "BadRequestData"
    assert "scope" in problem["detail"]
    assert ngsi.get("/entities/urn:ngsi-ld:Building:scope-01").status_code == 404


def test_replace_sets_and_drops_scope(ngsi: Ngsi):
    assert ngsi.post("/entities", building(1, PARK)).status_code == 201
    replaced = ngsi.put("/entities/urn:ngsi-ld:Building:scope-01", {"type": "Building", "scope": [PARK, UNIT]})
    assert replaced.status_code == 204, replaced.text
    assert fetch(ngsi, 1)["scope"] == [PARK, UNIT]

    replaced = ngsi.put("/entities/urn:ngsi-ld:Building:scope-01",
                        {"type": "Building", "height": {"type": "Property", "value": 3}})
    assert replaced.status_code == 204, replaced.text
    entity = fetch(ngsi, 1)
    assert "scope" not in entity
    assert entity["height"]["value"] == 3


def test_merge_replaces_and_nulls_scope(ngsi: Ngsi):
    assert ngsi.post("/entities", building(1, PARK)).status_code == 201
    merged = ngsi.patch("/entities/urn:ngsi-ld:Building:scope-01", {"scope": UNIT})
    assert merged.status_code == 204, merged.text
    assert fetch(ngsi, 1)["scope"] == UNIT

    merged = ngsi.patch("/entities/urn:ngsi-ld:Building:scope-01", {"scope": "urn:ngsi-ld:null"})
    assert merged.status_code == 204, merged.text
    assert "scope" not in fetch(ngsi, 1)


def test_append_overwrite_replaces_scope(ngsi: Ngsi):
    assert ngsi.post("/entities", building(1, PARK)).status_code == 201
    appended = ngsi.post("/entities/urn:ngsi-ld:Building:scope-01/attrs", {"scope": UNIT})
    assert appended.status_code == 204, appended.text
    assert fetch(ngsi, 1)["scope"] == UNIT


def test_append_no_overwrite_adds_scope(ngsi: Ngsi):
    assert ngsi.post("/entities", building(1, [PARK, UNIT])).status_code == 201
    appended = ngsi.post("/entities/urn:ngsi-ld:Building:scope-01/attrs", {"scope": [UNIT, "/Shanghai"]},
                         params={"options": "noOverwrite"})
    assert appended.status_code == 204, appended.text
    assert fetch(ngsi, 1)["scope"] == [PARK, UNIT, "/Shanghai"]


def test_append_scope_to_entity_without_one(ngsi: Ngsi):
    assert ngsi.post("/entities", building(5)).status_code == 201
    appended = ngsi.post("/entities/urn:ngsi-ld:Building:scope-05/attrs", {"scope": PARK},
                         params={"options": "noOverwrite"})
    assert appended.status_code == 204, appended.text
    assert fetch(ngsi, 5)["scope"] == PARK


def test_update_replaces_existing_scope(ngsi: Ngsi):
    assert ngsi.post("/entities", building(1, PARK)).status_code == 201
    updated = ngsi.patch("/entities/urn:ngsi-ld:Building:scope-01/attrs", {"scope": UNIT})
    assert updated.status_code == 204, updated.text
    assert fetch(ngsi, 1)["scope"] == UNIT


def test_update_without_scope_reports_not_updated(ngsi: Ngsi):
    assert ngsi.post("/entities", building(5)).status_code == 201
    updated = ngsi.patch("/entities/urn:ngsi-ld:Building:scope-05/attrs", {"scope": UNIT})
    assert updated.status_code == 207, updated.text
    assert [item["attributeName"] for item in updated.json()["notUpdated"]] == ["scope"]
    assert "scope" not in fetch(ngsi, 5)


def test_update_with_bad_scope_changes_nothing(ngsi: Ngsi):
    assert ngsi.post("/entities", building(1, PARK)).status_code == 201
    updated = ngsi.patch("/entities/urn:ngsi-ld:Building:scope-01/attrs", {"scope": "/Madrid//x"})
    assert updated.status_code == 400, updated.text
    assert "/Madrid//x" in updated.json()["detail"]
    assert fetch(ngsi, 1)["scope"] == PARK


def test_delete_scope_attribute(ngsi: Ngsi):
    assert ngsi.post("/entities", building(1, PARK)).status_code == 201
    deleted = ngsi.delete("/entities/urn:ngsi-ld:Building:scope-01/attrs/scope")
    assert deleted.status_code == 204, deleted.text
    assert "scope" not in fetch(ngsi, 1)
    again = ngsi.delete("/entities/urn:ngsi-ld:Building:scope-01/attrs/scope")
    assert again.status_code == 404


def test_batch_upsert_keeps_scope(ngsi: Ngsi):
    assert ngsi.post("/entityOperations/create", [building(1), building(2, PARK)]).status_code == 201
    upserted = ngsi.post("/entityOperations/upsert", [building(1, UNIT), building(2, UNIT)],
                         params={"options": "update"})
    assert upserted.status_code == 204, upserted.text
    assert fetch(ngsi, 1)["scope"] == UNIT
    assert fetch(ngsi, 2)["scope"] == UNIT


def test_scope_is_not_an_attribute_in_discovery(ngsi: Ngsi):
    assert ngsi.post("/entities", building(1, PARK, height={"type": "Property", "value": 3})).status_code == 201
    attributes = ngsi.get("/attributes").json()["attributeList"]
    assert attributes == ["height"]
    types = ngsi.get("/types", params={"details": "true"}).json()
    assert types[0]["attributeNames"] == ["height"]


def query_ids(ngsi: Ngsi, scope_q: str, **params) -> list[int]:
    response = ngsi.get("/entities", params={"type": "Building", "scopeQ": scope_q, **params})
    assert response.status_code == 200, response.text
    return sorted(int(entity["id"][-2:]) for entity in response.json())


@pytest.mark.parametrize(
    ("scope_q", "expected"),
    [
        (PARK, [1, 2]),
        ("/Madrid", [3]),
        ("/Madrid/+/ParqueNorte", [1, 2]),
        ("/Madrid/+", []),
        ("/Madrid/+/+", [1, 2, 4]),
        ("/+/Gardens/+", [1, 2]),
        ("/+", [3, 6]),
        ("/Madrid/#", [1, 2, 3, 4]),
        ("/Madrid/Districts/#", [4]),
        ("/CompanyA/#", [2, 6]),
        ("/#", [1, 2, 3, 4, 6, 7]),
        ("/Madrid_/#", [7]),
        ("/+/Gardens/#", [1, 2, 7]),
        (f"{PARK};{UNIT}", [2]),
        (f"{PARK},{UNIT}", [1, 2]),
        (f"{PARK}|/CompanyA", [1, 2, 6]),
        (f"({PARK};{UNIT})|/Madrid", [2, 3]),
        ("/Madrid/#;/CompanyA/#", [2]),
        ("/Nowhere", []),
    ],
)
def test_scope_query(scoped: Ngsi, scope_q: str, expected: list[int]):
    assert query_ids(scoped, scope_q) == expected


def test_scope_query_alone_and_counted(scoped: Ngsi):
    response = scoped.get("/entities", params={"scopeQ": "/Madrid/#", "count": "true", "limit": "2"})
    assert response.status_code == 200, response.text
    assert response.headers["NGSILD-Results-Count"] == "4"
    assert len(response.json()) == 2


@pytest.mark.parametrize(
    "scope_q",
    ["/Madrid//Gardens", "Madrid", "/Madrid/#/Gardens", f"({PARK}", f"{PARK};", "/", ",/Madrid", "/Ma drid",
     "/Madrid/x#"],
)
def test_malformed_scope_query(scoped: Ngsi, scope_q: str):
    response = scoped.get("/entities", params={"type": "Building", "scopeQ": scope_q})
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["type"] == ETSI_ERRORS + "BadRequestData"
    assert scope_q in problem["detail"]


def test_post_query_with_scope(scoped: Ngsi):
    response = scoped.post("/entityOperations/query", {"type": "Query", "scopeQ": "/Madrid/+/ParqueNorte"})
    assert response.status_code == 200, response.text
    assert sorted(entity["id"][-2:] for entity in response.json()) == ["01", "02"]

    bad = scoped.post("/entityOperations/query", {"type": "Query", "scopeQ": "/Madrid/"})
    assert bad.status_code == 400, bad.text
    assert "/Madrid/" in bad.json()["detail"]


def test_scope_query_follows_changes(scoped: Ngsi):
    deleted = scoped.delete("/entities/urn:ngsi-ld:Building:scope-01/attrs/scope")
    assert deleted.status_code == 204
    merged = scoped.patch("/entities/urn:ngsi-ld:Building:scope-05", {"scope": PARK})
    assert merged.status_code == 204, merged.text
    assert query_ids(scoped, PARK) == [2, 5]


TEMPORAL = "/temporal/entities"


def test_temporal_scope_deletion(ngsi: Ngsi):
    vehicle = {
        "id": "urn:ngsi-ld:Vehicle:scope-1", "type": "Vehicle", "scope": [PARK, UNIT],
        "fuelLevel": [{"type": "Property", "value": 67, "observedAt": "2020-08-01T12:03:00Z"}],
    }
    assert ngsi.post(TEMPORAL, vehicle).status_code == 201
    assert ngsi.delete("/entities/urn:ngsi-ld:Vehicle:scope-1/attrs/scope").status_code == 204

    history = ngsi.get(TEMPORAL + "/urn:ngsi-ld:Vehicle:scope-1", params={"timeproperty": "deletedAt"})
    assert history.status_code == 200, history.text
    scope = history.json()["scope"]
    assert len(scope) == 1
    assert scope[0]["type"] == "Property"
    assert scope[0]["value"] == []
    assert "deletedAt" in scope[0]

    simplified = ngsi.get(TEMPORAL + "/urn:ngsi-ld:Vehicle:scope-1",
                          params={"timeproperty": "deletedAt", "options": "temporalValues"})
    assert simplified.status_code == 200, simplified.text
    assert simplified.json()["scope"]["values"][0][0] == []


def test_temporal_query_with_scope(ngsi: Ngsi):
    for n, scope in ((1, PARK), (2, UNIT)):
        vehicle = {
            "id": f"urn:ngsi-ld:Vehicle:scope-{n}", "type": "Vehicle", "scope": scope,
            "speed": [{"type": "Property", "value": 50 + n, "observedAt": "2020-08-01T12:03:00Z"}],
        }
        assert ngsi.post(TEMPORAL, vehicle).status_code == 201
    window = {"timerel": "after", "timeAt": "2020-01-01T00:00:00Z"}
    response = ngsi.get(TEMPORAL, params={"type": "Vehicle", "scopeQ": "/CompanyA/#", **window})
    assert response.status_code == 200, response.text
    assert [entity["id"] for entity in response.json()] == ["urn:ngsi-ld:Vehicle:scope-2"]

    posted = ngsi.post("/temporal/entityOperations/query", {
        "type": "Query", "scopeQ": "/Madrid/+/+", "temporalQ": window})
    assert posted.status_code == 200, posted.text
    assert [entity["id"] for entity in posted.json()] == ["urn:ngsi-ld:Vehicle:scope-1"]

    bad = ngsi.get(TEMPORAL, params={"type": "Vehicle", "scopeQ": "/CompanyA//x", **window})
    assert bad.status_code == 400, bad.text
