"""The /subscriptions routes on SQLite or PostgreSQL through the shared db fixture."""

from __future__ import annotations

from sqlalchemy import select

from citybase.context.subscriptions.models import CtxSubscription
from citybase.core.audit import AuditEntry
from tests.conftest import bearer_token, make_user
from tests.context.conftest import Ngsi

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
SUB_ID = "urn:ngsi-ld:Subscription:310114-flood-1"


def subscription(**extra) -> dict:
    return {
        "id": SUB_ID,
        "type": "Subscription",
        "subscriptionName": "下立交水位",
        "entities": [{"type": "WaterLevelSensor"}],
        "watchedAttributes": ["waterLevel"],
        "q": "waterLevel>0.3",
        "notification": {"attributes": ["waterLevel"], "format": "keyValues",
                         "endpoint": {"uri": "http://127.0.0.1:9/notify", "accept": "application/json"}},
        **extra,
    }


def test_create_then_retrieve(ngsi: Ngsi, db) -> None:
    created = ngsi.post("/subscriptions", subscription())
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/ngsi-ld/v1/subscriptions/" + SUB_ID

    got = ngsi.get("/subscriptions/" + SUB_ID)

    assert got.status_code == 200, got.text
    body = got.json()
    assert body["id"] == SUB_ID
    assert body["subscriptionName"] == "下立交水位"
    assert body["status"] == "active"
    assert "isActive" not in body
    assert body["entities"] == [{"type": "WaterLevelSensor"}]
    assert body["notification"]["format"] == "keyValues"
    assert body["notification"]["timesSent"] == 0
    assert "status" not in body["notification"]  # no attempt yet
    assert body["notification"]["endpoint"] == {"uri": "http://127.0.0.1:9/notify", "accept": "application/json"}
    assert "createdAt" not in body
    with_sys = ngsi.get("/subscriptions/" + SUB_ID, params={"options": "sysAttrs"}).json()
    assert with_sys["createdAt"].endswith("Z")
    with db.session() as session:
        row = session.scalar(select(CtxSubscription))
        assert row.entity_types == ["https://uri.etsi.org/ngsi-ld/default-context/WaterLevelSensor"]
        assert row.watched_attributes == ["https://uri.etsi.org/ngsi-ld/default-context/waterLevel"]
        audit = session.scalars(select(AuditEntry).where(AuditEntry.table == "ctx_subscriptions")).all()
        assert [a.action for a in audit] == ["insert"]
        assert audit[0].actor_name == "broker-admin"


def test_generated_id_and_ld_json(ngsi: Ngsi) -> None:
    body = {k: v for k, v in subscription().items() if k != "id"}
    context = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"

    created = ngsi.post("/subscriptions", {**body, "@context": context}, content_type="application/ld+json")

    assert created.status_code == 201, created.text
    location = created.headers["location"]
    assert location.startswith("/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:")
    got = ngsi.get(location.removeprefix("/ngsi-ld/v1"), headers={"Accept": "application/ld+json"})
    assert got.headers["content-type"] == "application/ld+json"
    assert got.json()["@context"] == context


def test_duplicate_id_is_conflict(ngsi: Ngsi) -> None:
    ngsi.post("/subscriptions", subscription())

    again = ngsi.post("/subscriptions", subscription())

    assert again.status_code == 409
    assert again.json()["type"] == ERRORS + "AlreadyExists"


def test_invalid_subscriptions_are_rejected(ngsi: Ngsi, db) -> None:
    cases = [
        ({"type": "Subscription"}, 400),
        (subscription(type="Registration"), 400),
        (subscription(id="not a uri"), 400),
        (subscription(id=""), 400),
        ({**subscription(), "entities": None, "watchedAttributes": None}, 400),
        (subscription(entities=[{"id": "urn:ngsi-ld:WaterLevelSensor:1"}]), 400),
        (subscription(q="waterLevel>>1"), 400),
        (subscription(throttling=-5), 400),
        (subscription(throttling=10, timeInterval=60), 400),
        (subscription(expiresAt="2001-01-01T00:00:00Z"), 400),
        (subscription(notification={"endpoint": {"uri": "ftp://127.0.0.1/x"}}), 400),
        (subscription(notification={"endpoint": {"uri": "http://127.0.0.1:9/", "accept": "text/csv"}}), 400),
        (subscription(notification={"format": "table", "endpoint": {"uri": "http://127.0.0.1:9/"}}), 400),
        (subscription(geoQ={"georel": "near;maxDistance==10", "geometry": "Point"}), 400),
        (subscription(notificationTrigger=["entityRenamed"]), 400),
        (subscription(notificationTrigger=[]), 400),
        (subscription(watchedAttributes=None, timeInterval=-1), 400),
        (subscription(notification={"showChanges": "yes", "endpoint": {"uri": "http://127.0.0.1:9/"}}), 400),
        (subscription(notification={"endpoint": {"uri": "mqtt://127.0.0.1:1883"}}), 400),
    ]
    for body, status in cases:
        got = ngsi.post("/subscriptions", body)
        assert got.status_code == status, (body, got.text)
    with db.session() as session:
        assert session.scalars(select(CtxSubscription)).all() == []


def test_query_with_paging(ngsi: Ngsi) -> None:
    for number in range(3):
        ngsi.post("/subscriptions", subscription(id=f"urn:ngsi-ld:Subscription:s{number}"))

    first = ngsi.get("/subscriptions", params={"limit": "2", "count": "true"})
    rest = ngsi.get("/subscriptions", params={"limit": "2", "offset": "2"})

    assert first.status_code == 200
    assert first.headers["NGSILD-Results-Count"] == "3"
    assert [s["id"] for s in first.json()] == ["urn:ngsi-ld:Subscription:s0", "urn:ngsi-ld:Subscription:s1"]
    assert [s["id"] for s in rest.json()] == ["urn:ngsi-ld:Subscription:s2"]


def test_update_replaces_members(ngsi: Ngsi, db) -> None:
    ngsi.post("/subscriptions", subscription())

    updated = ngsi.patch("/subscriptions/" + SUB_ID, {
        "isActive": False, "throttling": 30,
        "notification": {"endpoint": {"uri": "http://127.0.0.1:10/notify"}},
    })

    assert updated.status_code == 204, updated.text
    body = ngsi.get("/subscriptions/" + SUB_ID).json()
    assert body["status"] == "paused"
    assert body["throttling"] == 30
    assert body["notification"]["endpoint"]["uri"] == "http://127.0.0.1:10/notify"
    # The fragment's notification replaces the stored one as a whole (clause 5.8.2).
    assert "attributes" not in body["notification"]
    assert body["notification"]["format"] == "normalized"
    assert body["q"] == "waterLevel>0.3"
    bad = ngsi.patch("/subscriptions/" + SUB_ID, {"q": "waterLevel>>"})
    assert bad.status_code == 400
    assert ngsi.get("/subscriptions/" + SUB_ID).json()["q"] == "waterLevel>0.3"
    assert ngsi.patch("/subscriptions/" + SUB_ID, {}).status_code == 400
    assert ngsi.patch("/subscriptions/urn:ngsi-ld:Subscription:none", {"isActive": True}).status_code == 404
    with db.session() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.table == "ctx_subscriptions")).all()
        assert actions == ["insert", "update"]


def test_notification_without_endpoint_is_400(ngsi: Ngsi) -> None:
    ngsi.post("/subscriptions", subscription())

    response = ngsi.patch("/subscriptions/" + SUB_ID, {"notification": {"format": "normalized"}})

    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert ngsi.get("/subscriptions/" + SUB_ID).json()["notification"]["format"] == "keyValues"


def test_reads_use_the_readers_context(ngsi: Ngsi) -> None:
    city = {"city": "https://city.example/terms#", "WaterLevelSensor": "city:WaterLevelSensor",
            "waterLevel": "city:waterLevel"}
    body = {**subscription(), "@context": [city, "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"]}
    assert ngsi.post("/subscriptions", body, content_type="application/ld+json").status_code == 201

    plain = ngsi.get("/subscriptions/" + SUB_ID).json()
    listed = ngsi.get("/subscriptions").json()[0]

    assert plain["entities"] == [{"type": "https://city.example/terms#WaterLevelSensor"}]
    assert plain["watchedAttributes"] == ["https://city.example/terms#waterLevel"]
    assert plain["notification"]["attributes"] == ["https://city.example/terms#waterLevel"]
    assert listed["entities"] == plain["entities"]


def test_expired_status(ngsi: Ngsi, db) -> None:
    import datetime as dt

    ngsi.post("/subscriptions", subscription(expiresAt="2999-01-01T00:00:00Z"))
    with db.session() as session:
        row = session.scalar(select(CtxSubscription))
        row.expires_at = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)

    assert ngsi.get("/subscriptions/" + SUB_ID).json()["status"] == "expired"


def test_delete_and_errors(ngsi: Ngsi) -> None:
    ngsi.post("/subscriptions", subscription())

    assert ngsi.delete("/subscriptions/" + SUB_ID).status_code == 204
    missing = ngsi.get("/subscriptions/" + SUB_ID)
    assert missing.status_code == 404
    assert missing.json()["type"] == ERRORS + "ResourceNotFound"
    assert ngsi.delete("/subscriptions/" + SUB_ID).status_code == 404
    invalid = ngsi.get("/subscriptions/not-a-uri")
    assert invalid.status_code == 400
    assert invalid.json()["type"] == ERRORS + "BadRequestData"
    assert ngsi.get("/subscriptions", params={"colour": "red"}).json()["type"] == ERRORS + "InvalidRequest"


def test_reader_cannot_manage_subscriptions(client, db) -> None:
    make_user(db, "reader", "viewer")
    reader = Ngsi(client, bearer_token(db, "reader"))
    make_user(db, "writer", "admin")
    writer = Ngsi(client, bearer_token(db, "writer", write=True))
    writer.post("/subscriptions", subscription())

    assert reader.get("/subscriptions/" + SUB_ID).status_code == 200
    assert reader.post("/subscriptions", subscription(id="urn:ngsi-ld:Subscription:2")).status_code == 403
    assert reader.patch("/subscriptions/" + SUB_ID, {"isActive": False}).status_code == 403
    assert reader.delete("/subscriptions/" + SUB_ID).status_code == 403
    assert client.get("/ngsi-ld/v1/subscriptions").status_code == 401


def test_query_subscriptions_links_previous_and_next_pages(ngsi: Ngsi) -> None:
    for n in range(3):
        assert ngsi.post("/subscriptions", subscription(id=f"urn:ngsi-ld:Subscription:page-{n}")).status_code == 201

    middle = ngsi.get("/subscriptions", params={"limit": "1", "offset": "1"}, headers={"Accept": "application/ld+json"})
    assert [s["id"] for s in middle.json()] == ["urn:ngsi-ld:Subscription:page-1"]
    links = middle.headers["Link"].split(", ")
    assert '</ngsi-ld/v1/subscriptions?limit=1&offset=0>;rel="prev";type="application/ld+json"' in links
    assert '</ngsi-ld/v1/subscriptions?limit=1&offset=2>;rel="next";type="application/ld+json"' in links

    last = ngsi.get("/subscriptions", params={"limit": "1", "offset": "2"})
    assert 'rel="next"' not in last.headers["Link"]
    assert '</ngsi-ld/v1/subscriptions?limit=1&offset=1>;rel="prev";type="application/json"' in last.headers["Link"]
    assert "json-ld#context" in last.headers["Link"]
    whole = ngsi.get("/subscriptions", params={"limit": "10"}, headers={"Accept": "application/ld+json"})
    assert "Link" not in whole.headers


def test_http_endpoint_password_is_masked(ngsi: Ngsi, db) -> None:
    body = subscription()
    body["notification"]["endpoint"] = {
        "uri": "http://hook:pa55@127.0.0.1:9/notify",
        "receiverInfo": [{"key": "X-Api-Key", "value": "k3y"}, {"key": "Fiware-Service", "value": "jiading"}],
    }
    assert ngsi.post("/subscriptions", body).status_code == 201

    endpoint = ngsi.get("/subscriptions/" + SUB_ID).json()["notification"]["endpoint"]

    assert endpoint["uri"] == "http://hook:***@127.0.0.1:9/notify"
    assert endpoint["receiverInfo"] == [{"key": "X-Api-Key", "value": "***"},
                                        {"key": "Fiware-Service", "value": "jiading"}]
    with db.session() as session:
        row = session.scalar(select(CtxSubscription))
        assert row.document["notification"]["endpoint"]["uri"] == "http://hook:pa55@127.0.0.1:9/notify"
        assert row.document["notification"]["endpoint"]["receiverInfo"][0]["value"] == "k3y"
