"""The /csourceRegistrations routes on SQLite or PostgreSQL through the shared db fixture."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select

from citybase.context.registrations.models import CtxCsourceRegistration
from citybase.core.audit import AuditEntry
from tests.conftest import bearer_token, make_user
from tests.context.conftest import Ngsi

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
REG_ID = "urn:ngsi-ld:ContextSourceRegistration:310114-pumps"
DEFAULT = "https://uri.etsi.org/ngsi-ld/default-context/"
LD = "application/ld+json"
CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"
CITY = {"city": "https://city.example/terms#", "Pump": "city:Pump", "flow": "city:flow"}


def registration(**extra) -> dict:
    return {
        "id": REG_ID,
        "type": "ContextSourceRegistration",
        "registrationName": "安亭泵站网关",
        "information": [
            {"entities": [{"type": "Pump", "id": "urn:ngsi-ld:Pump:310114103-P1"}],
             "propertyNames": ["flow"], "relationshipNames": ["feeds"]},
            {"entities": [{"type": "Valve", "idPattern": "^urn:ngsi-ld:Valve:310114103-"}]},
        ],
        "endpoint": "http://127.0.0.1:9/ngsi-ld/v1",
        **extra,
    }


def path(registration_id: str = REG_ID) -> str:
    return "/csourceRegistrations/" + quote(registration_id, safe=":")


def test_create_then_retrieve(ngsi: Ngsi, db) -> None:
    created = ngsi.post("/csourceRegistrations", registration())
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/ngsi-ld/v1/csourceRegistrations/" + REG_ID

    got = ngsi.get(path())

    assert got.status_code == 200, got.text
    body = got.json()
    assert body["id"] == REG_ID
    assert body["registrationName"] == "安亭泵站网关"
    assert body["information"] == registration()["information"]
    assert body["endpoint"] == "http://127.0.0.1:9/ngsi-ld/v1"
    assert body["mode"] == "inclusive"
    assert body["operations"] == ["federationOps"]
    assert "createdAt" not in body
    assert got.headers["link"].startswith(f"<{CORE}>")
    with_sys = ngsi.get(path(), params={"options": "sysAttrs"}).json()
    assert with_sys["createdAt"].endswith("Z")
    assert with_sys["modifiedAt"].endswith("Z")
    with db.session() as session:
        row = session.scalar(select(CtxCsourceRegistration))
        assert row.document["information"][0]["entities"][0]["type"] == DEFAULT + "Pump"
        assert row.document["information"][0]["propertyNames"] == [DEFAULT + "flow"]
        audit = session.scalars(select(AuditEntry).where(AuditEntry.table == "ctx_csource_registrations")).all()
        assert [a.action for a in audit] == ["insert"]
        assert audit[0].actor_name == "broker-admin"


def test_names_compact_with_the_readers_context(ngsi: Ngsi, db) -> None:
    body = {**registration(), "@context": [CITY, CORE]}
    assert ngsi.post("/csourceRegistrations", body, content_type=LD).status_code == 201

    expanded = ngsi.get(path()).json()
    compacted = ngsi.get(path(), headers={"Accept": LD}, params=None).json()

    assert expanded["information"][0]["entities"][0]["type"] == "https://city.example/terms#Pump"
    assert expanded["information"][0]["propertyNames"] == ["https://city.example/terms#flow"]
    assert expanded["information"][0]["relationshipNames"] == ["feeds"]
    assert compacted["@context"] == CORE
    with db.session() as session:
        row = session.scalar(select(CtxCsourceRegistration))
        assert row.document["information"][0]["entities"][0]["type"] == "https://city.example/terms#Pump"


def test_generated_id(ngsi: Ngsi) -> None:
    body = registration()
    del body["id"]
    created = ngsi.post("/csourceRegistrations", body)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    assert location.startswith("/ngsi-ld/v1/csourceRegistrations/urn:ngsi-ld:ContextSourceRegistration:")
    registration_id = location.rsplit("/", 1)[1]
    assert ngsi.get(path(registration_id)).json()["id"] == registration_id


def test_duplicate_is_409(ngsi: Ngsi) -> None:
    assert ngsi.post("/csourceRegistrations", registration()).status_code == 201
    again = ngsi.post("/csourceRegistrations", registration())
    assert again.status_code == 409
    assert again.json()["type"] == ERRORS + "AlreadyExists"


def test_invalid_members_are_400_naming_them(ngsi: Ngsi) -> None:
    cases = [
        ({"type": "Registration"}, "type"),
        ({"information": None}, "information"),
        ({"information": []}, "information"),
        ({"information": [{}]}, "information[0]"),
        ({"information": [{"entities": [{"id": "urn:ngsi-ld:Pump:1"}]}]}, "information[0].entities[0]"),
        ({"information": [{"entities": [{"type": "Pump", "idPattern": "("}]}]}, "idPattern"),
        ({"information": [{"propertyNames": []}]}, "information[0].propertyNames"),
        ({"endpoint": None}, "endpoint"),
        ({"endpoint": "not a uri"}, "endpoint"),
        ({"expiresAt": "2018-11-29T14:53:15Z"}, "expiresAt"),
        ({"expiresAt": " 2035-11-29T14:53:15Z"}, "expiresAt"),
        ({"observationInterval": {"endAt": "2021-08-01T21:07:00Z"}}, "observationInterval"),
        ({"managementInterval": {"startAt": "2021-08-01T21:07:00Z", "endAt": "2020-08-01T21:07:00Z"}},
         "managementInterval.endAt"),
        ({"location": {"type": "Point", "coordinates": [500, 31]}}, "location"),
        ({"mode": "shared"}, "mode"),
        ({"operations": ["queryEntites"]}, "operations"),
        ({"contextSourceInfo": [{"key": "token", "value": 5}]}, "contextSourceInfo"),
        ({"scope": "Jiading"}, "scope"),
        ({"management": {"timeout": -1}}, "management.timeout"),
    ]
    for change, member in cases:
        body = {k: v for k, v in {**registration(), **change}.items()}
        response = ngsi.post("/csourceRegistrations", body)
        assert response.status_code == 400, (change, response.text)
        assert response.json()["type"] == ERRORS + "BadRequestData", change
        assert member in response.json()["detail"], (member, response.json()["detail"])
    assert ngsi.get(path()).status_code == 404


def test_ld_json_without_context_is_400(ngsi: Ngsi) -> None:
    response = ngsi.post("/csourceRegistrations", registration(), content_type=LD)
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"


def test_update_replaces_and_removes_members(ngsi: Ngsi) -> None:
    assert ngsi.post("/csourceRegistrations", registration(expiresAt="2035-11-29T14:53:15Z")).status_code == 201

    updated = ngsi.patch(path(), {"endpoint": "http://127.0.0.1:10/ngsi-ld/v1", "expiresAt": None,
                                  "description": "备用网关"})

    assert updated.status_code == 204, updated.text
    body = ngsi.get(path()).json()
    assert body["endpoint"] == "http://127.0.0.1:10/ngsi-ld/v1"
    assert body["description"] == "备用网关"
    assert "expiresAt" not in body
    assert body["information"] == registration()["information"]


def test_update_errors(ngsi: Ngsi) -> None:
    assert ngsi.post("/csourceRegistrations", registration()).status_code == 201
    for fragment, status, kind in (
        ({"information": None}, 400, "BadRequestData"),
        ({"type": "Building"}, 400, "BadRequestData"),
        ({"id": "urn:ngsi-ld:ContextSourceRegistration:other"}, 400, "BadRequestData"),
        ({}, 400, "BadRequestData"),
    ):
        response = ngsi.patch(path(), fragment)
        assert response.status_code == status, (fragment, response.text)
        assert response.json()["type"] == ERRORS + kind, fragment
    assert ngsi.get(path()).json()["information"] == registration()["information"]
    missing = ngsi.patch(path("urn:ngsi-ld:ContextSourceRegistration:none"), {"endpoint": "http://127.0.0.1:9/"})
    assert missing.status_code == 404
    assert missing.json()["type"] == ERRORS + "ResourceNotFound"
    bad_json = ngsi.client.patch("/ngsi-ld/v1" + path(), content="{", headers=ngsi.headers())
    assert bad_json.status_code == 400
    assert bad_json.json()["type"] == ERRORS + "InvalidRequest"


def test_delete(ngsi: Ngsi, db) -> None:
    assert ngsi.post("/csourceRegistrations", registration()).status_code == 201
    assert ngsi.delete(path()).status_code == 204
    assert ngsi.get(path()).status_code == 404
    again = ngsi.delete(path())
    assert again.status_code == 404
    assert again.json()["type"] == ERRORS + "ResourceNotFound"
    invalid = ngsi.delete("/csourceRegistrations/invalidURI")
    assert invalid.status_code == 400
    assert invalid.json()["type"] == ERRORS + "BadRequestData"
    with db.session() as session:
        actions = session.scalars(select(AuditEntry.action)
                                  .where(AuditEntry.table == "ctx_csource_registrations")).all()
        assert actions == ["insert", "delete"]


def _create_many(ngsi: Ngsi) -> dict[str, str]:
    """Three registrations: pumps (with an id), buildings (type only, with a location) and a tagged one."""
    bodies = {
        "pumps": registration(id="urn:ngsi-ld:ContextSourceRegistration:pumps"),
        "buildings": {
            "id": "urn:ngsi-ld:ContextSourceRegistration:buildings", "type": "ContextSourceRegistration",
            "information": [{"entities": [{"type": "Building"}], "propertyNames": ["name"]}],
            "location": {"type": "Point", "coordinates": [121.25, 31.38]},
            "observationInterval": {"startAt": "2020-08-01T22:07:00Z", "endAt": "2021-08-01T21:07:00Z"},
            "endpoint": "http://127.0.0.1:9/buildings",
        },
        "tagged": {
            "id": "urn:ngsi-ld:ContextSourceRegistration:tagged", "type": "ContextSourceRegistration",
            "information": [{"propertyNames": ["waterLevel"]}],
            "endpoint": "http://127.0.0.1:9/tagged", "district": "嘉定", "priority": 3,
        },
    }
    for body in bodies.values():
        assert ngsi.post("/csourceRegistrations", body).status_code == 201
    return {name: body["id"] for name, body in bodies.items()}


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


def test_query_filters(ngsi: Ngsi) -> None:
    ids = _create_many(ngsi)
    query = lambda **p: _ids(ngsi.get("/csourceRegistrations", params=p))  # noqa: E731

    assert query(local="true") == [ids["pumps"], ids["buildings"], ids["tagged"]]
    assert query(type="Building") == [ids["buildings"], ids["tagged"]]
    assert query(type="Valve") == [ids["pumps"], ids["tagged"]]
    assert query(id="urn:ngsi-ld:Pump:310114103-P1") == [ids["pumps"], ids["buildings"], ids["tagged"]]
    assert query(id="urn:ngsi-ld:Pump:310114103-P1", type="Pump") == [ids["pumps"], ids["tagged"]]
    assert query(id="urn:ngsi-ld:Pump:310114103-P9", type="Pump") == [ids["tagged"]]
    assert query(id="urn:ngsi-ld:Valve:310114103-V2", type="Valve") == [ids["pumps"], ids["tagged"]]
    assert query(attrs="name") == [ids["pumps"], ids["buildings"]]
    assert query(attrs="waterLevel") == [ids["pumps"], ids["tagged"]]
    assert query(type="Pump", attrs="flow") == [ids["pumps"]]
    assert query(q='district=="嘉定"') == [ids["tagged"]]
    assert query(q="priority>2") == [ids["tagged"]]
    assert query(q="priority>3") == []
    assert query(csf="district") == [ids["tagged"]]
    assert query(georel="near;maxDistance==2000", geometry="Point", coordinates="[121.26,31.38]") == [ids["buildings"]]
    assert query(georel="near;maxDistance==200", geometry="Point", coordinates="[121.26,31.38]") == []
    assert query(type="Building", timerel="before", timeAt="2021-08-01T22:00:00Z") == [ids["buildings"]]
    assert query(type="Building", timerel="after", timeAt="2021-08-01T22:00:00Z") == []
    assert query(type="Building", timerel="before", timeAt="2021-08-01T22:00:00Z", timeproperty="createdAt") == []


def test_query_paging_and_count(ngsi: Ngsi) -> None:
    ids = _create_many(ngsi)
    response = ngsi.get("/csourceRegistrations", params={"local": "true", "limit": "1", "offset": "1", "count": "true"})
    assert _ids(response) == [ids["buildings"]]
    assert response.headers["NGSILD-Results-Count"] == "3"
    links = response.headers["link"]
    assert '</ngsi-ld/v1/csourceRegistrations?local=true&count=true&limit=1&offset=0>;rel="prev"' in links
    assert '</ngsi-ld/v1/csourceRegistrations?local=true&count=true&limit=1&offset=2>;rel="next"' in links


def test_expired_registrations_are_not_listed(ngsi: Ngsi, db) -> None:
    assert ngsi.post("/csourceRegistrations", registration(expiresAt="2035-11-29T14:53:15Z")).status_code == 201
    with db.session() as session:
        row = session.scalar(select(CtxCsourceRegistration))
        row.expires_at = row.created_at
        session.commit()
    assert _ids(ngsi.get("/csourceRegistrations", params={"type": "Pump"})) == []
    assert ngsi.get(path()).status_code == 200


def test_query_errors(ngsi: Ngsi) -> None:
    for params, kind in (
        ({"q": "priority>"}, "BadRequestData"),
        ({"type": "(Pump"}, "BadRequestData"),
        ({"georel": "near", "geometry": "Point", "coordinates": "[121,31]"}, "BadRequestData"),
        ({"geoproperty": "area", "georel": "within", "geometry": "Point", "coordinates": "[121,31]"},
         "BadRequestData"),
        ({"timerel": "before"}, "BadRequestData"),
        ({"idPattern": "("}, "BadRequestData"),
        ({"colour": "red"}, "InvalidRequest"),
        ({}, "BadRequestData"),
        ({"timerel": "before", "timeAt": "2021-08-01T22:00:00Z"}, "BadRequestData"),
    ):
        response = ngsi.get("/csourceRegistrations", params=params)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["type"] == ERRORS + kind, params
    scope = ngsi.get("/csourceRegistrations", params={"scopeQ": "/Jiading"})
    assert scope.status_code == 422


def test_accept_negotiation(ngsi: Ngsi) -> None:
    by_type = {"type": "Building"}
    assert ngsi.get("/csourceRegistrations", params=by_type, headers={"Accept": "application/xml"}).status_code == 406
    geo = ngsi.get("/csourceRegistrations", params=by_type, headers={"Accept": "application/geo+json"})
    assert geo.status_code == 406
    plain = ngsi.get("/csourceRegistrations", params=by_type, headers={"Accept": "*/*"})
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("application/json")


def test_permissions_follow_context_read_and_write(ngsi: Ngsi, client, db) -> None:
    make_user(db, "viewer-1", "viewer")
    viewer = Ngsi(client, bearer_token(db, "viewer-1"))
    assert ngsi.post("/csourceRegistrations", registration()).status_code == 201
    assert viewer.get(path()).status_code == 200
    assert viewer.post("/csourceRegistrations", registration(id=REG_ID + "-2")).status_code == 403
    assert viewer.patch(path(), {"endpoint": "http://127.0.0.1:9/"}).status_code == 403
    assert viewer.delete(path()).status_code == 403
    anonymous = client.get("/ngsi-ld/v1/csourceRegistrations", params={"type": "Pump"})
    assert anonymous.status_code == 401
