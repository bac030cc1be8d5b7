"""Notifications: matching entity changes against subscriptions and delivering them over HTTP.

Receivers are real HTTP servers on 127.0.0.1 started by the tests; the notifier
runs in-process as the worker job would.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import select

from citybase.context.subscriptions.delivery import Dispatcher
from citybase.context.subscriptions.models import CtxPendingChange, CtxPendingNotification, CtxSubscription
from citybase.context.subscriptions.notifier import Notifier
from citybase.core.db import utcnow
from tests.context.conftest import Ngsi
from tests.context.subscriptions.receiver import Receiver

SENSOR = "urn:ngsi-ld:WaterLevelSensor:310114102-UP-0012"


@pytest.fixture
def notifier(db) -> Iterator[Notifier]:
    notifier = Notifier(Dispatcher(db, workers=4, timeout=5.0))
    notifier.queue_changes(db, utcnow())
    yield notifier
    notifier.dispatcher.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


def subscribe(ngsi: Ngsi, uri: str, sub_id: str = "urn:ngsi-ld:Subscription:flood", **extra) -> None:
    body = {
        "id": sub_id, "type": "Subscription",
        "entities": [{"type": "WaterLevelSensor"}],
        "notification": {"endpoint": {"uri": uri}},
        **extra,
    }
    created = ngsi.post("/subscriptions", body)
    assert created.status_code == 201, created.text


def sensor(level: float = 0.5, entity_id: str = SENSOR) -> dict:
    return {
        "id": entity_id, "type": "WaterLevelSensor",
        "waterLevel": {"type": "Property", "value": level, "unitCode": "MTR"},
        "batteryLevel": {"type": "Property", "value": 0.9},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [121.32, 31.29]}},
    }


def deliver(notifier: Notifier, db, wait: float = 5.0) -> int:
    queued = notifier.queue_changes(db, utcnow())
    assert notifier.dispatcher.wait_idle(wait)
    return queued


def subscription_row(db, sub_id: str = "urn:ngsi-ld:Subscription:flood") -> CtxSubscription:
    with db.session() as session:
        return session.scalar(select(CtxSubscription).where(CtxSubscription.subscription_id == sub_id))


def test_created_entity_is_notified(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, notification={
        "attributes": ["waterLevel"], "format": "keyValues",
        "endpoint": {"uri": receiver.url, "receiverInfo": [{"key": "X-District", "value": "310114"}]},
    })
    ngsi.post("/entities", sensor(0.5))

    assert deliver(notifier, db) == 1

    assert len(receiver.received) == 1
    notice = receiver.received[0]
    assert notice.headers["Content-Type"] == "application/json"
    assert notice.headers["X-District"] == "310114"
    assert "ngsi-ld-core-context" in notice.headers["Link"]
    assert notice.body["type"] == "Notification"
    assert notice.body["subscriptionId"] == "urn:ngsi-ld:Subscription:flood"
    assert notice.body["id"].startswith("urn:ngsi-ld:Notification:")
    assert notice.body["data"] == [{"id": SENSOR, "type": "WaterLevelSensor", "waterLevel": 0.5}]
    row = subscription_row(db)
    assert row.times_sent == 1
    assert row.last_success is not None
    status = ngsi.get("/subscriptions/urn:ngsi-ld:Subscription:flood").json()["notification"]
    assert status["timesSent"] == 1
    assert status["status"] == "ok"
    assert "lastSuccess" in status


def test_watched_attributes_filter(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    ngsi.post("/entities", sensor(0.5))
    subscribe(ngsi, receiver.url, watchedAttributes=["waterLevel"])
    deliver(notifier, db)

    ngsi.patch("/entities/" + quote(SENSOR, safe="") + "/attrs", {"batteryLevel": {"type": "Property", "value": 0.8}})
    assert deliver(notifier, db) == 0
    ngsi.patch("/entities/" + quote(SENSOR, safe="") + "/attrs", {"waterLevel": {"type": "Property", "value": 0.7}})
    assert deliver(notifier, db) == 1

    assert len(receiver.received) == 1
    data = receiver.received[0].body["data"][0]
    assert data["waterLevel"]["value"] == 0.7
    assert data["batteryLevel"]["value"] == 0.8


def test_q_type_and_geo_filters(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, q="waterLevel>0.3",
              geoQ={"georel": "near;maxDistance==1000", "geometry": "Point", "coordinates": [121.32, 31.29]})
    ngsi.post("/entities", sensor(0.2))
    ngsi.post("/entities", {**sensor(0.9, SENSOR + "-far"), "location": {
        "type": "GeoProperty", "value": {"type": "Point", "coordinates": [121.50, 31.40]}}})
    ngsi.post("/entities", {**sensor(0.9, "urn:ngsi-ld:Pump:310114102-P1"), "type": "Pump"})
    assert deliver(notifier, db) == 0

    ngsi.post("/entities", sensor(0.8, SENSOR + "-near"))
    assert deliver(notifier, db) == 1

    assert [e["id"] for e in receiver.received[0].body["data"]] == [SENSOR + "-near"]


def test_q_match_between_ticks_notifies(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    ngsi.post("/entities", sensor(0.2))
    subscribe(ngsi, receiver.url, q="waterLevel>0.3", watchedAttributes=["waterLevel"])
    deliver(notifier, db)
    path = "/entities/" + quote(SENSOR, safe="") + "/attrs"

    # The level rises above 0.3 and falls back before the notifier runs.
    ngsi.patch(path, {"waterLevel": {"type": "Property", "value": 0.9}})
    ngsi.patch(path, {"waterLevel": {"type": "Property", "value": 0.1}})
    assert deliver(notifier, db) == 1

    data = receiver.received[0].body["data"]
    assert [entity["id"] for entity in data] == [SENSOR]
    # The notification shows the state that matched, not the later one.
    assert data[0]["waterLevel"]["value"] == 0.9
    assert ngsi.get("/entities/" + quote(SENSOR, safe="")).json()["waterLevel"]["value"] == 0.1


def test_q_miss_between_ticks_is_silent(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    ngsi.post("/entities", sensor(0.9))
    subscribe(ngsi, receiver.url, q="waterLevel>0.3", watchedAttributes=["waterLevel"])
    deliver(notifier, db)
    path = "/entities/" + quote(SENSOR, safe="") + "/attrs"

    # Both readings are below the threshold, so the last state alone decides nothing here.
    ngsi.patch(path, {"waterLevel": {"type": "Property", "value": 0.1}})
    ngsi.patch(path, {"waterLevel": {"type": "Property", "value": 0.2}})

    assert deliver(notifier, db) == 0
    assert receiver.received == []


def test_change_rows_record_filter_matches(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, q="waterLevel>0.3")
    subscribe(ngsi, receiver.url, sub_id="urn:ngsi-ld:Subscription:all")
    flood = subscription_row(db).pk
    ngsi.post("/entities", sensor(0.9))
    ngsi.post("/entities", sensor(0.1, SENSOR + "-low"))

    with db.session() as session:
        rows = {row.entity_id: row for row in session.scalars(select(CtxPendingChange))}
    assert rows[SENSOR].filter_matches == [flood]
    assert rows[SENSOR + "-low"].filter_matches == []
    assert rows[SENSOR].snapshot["id"] == SENSOR


def test_old_change_rows_use_current_state(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, q="waterLevel>0.3")
    ngsi.post("/entities", sensor(0.9))
    ngsi.post("/entities", sensor(0.1, SENSOR + "-low"))
    # Rows queued by a version without the write-time check have no filter_matches.
    with db.session() as session:
        for row in session.scalars(select(CtxPendingChange)):
            row.filter_matches = None

    assert deliver(notifier, db) == 1

    assert [entity["id"] for entity in receiver.received[0].body["data"]] == [SENSOR]


def test_paused_and_expired_send_nothing(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, isActive=False)
    subscribe(ngsi, receiver.url, sub_id="urn:ngsi-ld:Subscription:old", expiresAt="2999-01-01T00:00:00Z")
    with db.session() as session:
        old = session.scalar(select(CtxSubscription).where(CtxSubscription.subscription_id.like("%:old")))
        old.expires_at = utcnow() - dt.timedelta(seconds=1)

    ngsi.post("/entities", sensor())

    assert deliver(notifier, db) == 0
    assert receiver.received == []


def test_throttling_drops_changes_inside_window(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, throttling=60)
    ngsi.post("/entities", sensor(0.4))
    assert deliver(notifier, db) == 1

    ngsi.patch("/entities/" + quote(SENSOR, safe="") + "/attrs", {"waterLevel": {"type": "Property", "value": 0.6}})

    assert deliver(notifier, db) == 0
    assert len(receiver.received) == 1


def test_failed_delivery_is_recorded(ngsi: Ngsi, db, notifier: Notifier) -> None:
    failing = Receiver(status=500).start()
    try:
        subscribe(ngsi, failing.url)
        ngsi.post("/entities", sensor())
        deliver(notifier, db)
    finally:
        failing.stop()

    row = subscription_row(db)
    assert row.times_sent == 1
    assert row.times_failed == 1
    assert row.last_failure is not None
    assert row.last_success is None
    assert row.last_failure_reason == "HTTP 500"
    status = ngsi.get("/subscriptions/urn:ngsi-ld:Subscription:flood").json()["notification"]
    assert status["status"] == "failed"
    assert "lastFailure" in status


def test_unreachable_endpoint_is_recorded(ngsi: Ngsi, db, notifier: Notifier) -> None:
    closed = Receiver().start()
    url = closed.url
    closed.stop()
    subscribe(ngsi, url)
    ngsi.post("/entities", sensor())

    deliver(notifier, db)

    row = subscription_row(db)
    assert row.times_failed == 1
    assert row.last_failure_reason.startswith("ConnectError")


def test_json_ld_notification(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, notification={"endpoint": {"uri": receiver.url, "accept": "application/ld+json"},
                                                "sysAttrs": True})
    ngsi.post("/entities", sensor())

    deliver(notifier, db)

    notice = receiver.received[0]
    assert notice.headers["Content-Type"] == "application/ld+json"
    assert "Link" not in notice.headers
    assert notice.body["@context"] == "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"
    entity = notice.body["data"][0]
    assert entity.pop("@context") == notice.body["@context"]
    assert entity["waterLevel"] == {"type": "Property", "value": 0.5, "unitCode": "MTR",
                                    "createdAt": entity["createdAt"], "modifiedAt": entity["modifiedAt"]}


def test_attribute_deletion_needs_its_trigger(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    ngsi.post("/entities", sensor())
    subscribe(ngsi, receiver.url, watchedAttributes=["batteryLevel"])
    subscribe(ngsi, receiver.url, sub_id="urn:ngsi-ld:Subscription:deletions",
              notificationTrigger=["attributeDeleted"], notification={
                  "format": "keyValues", "endpoint": {"uri": receiver.url}})
    deliver(notifier, db)

    ngsi.delete("/entities/" + quote(SENSOR, safe="") + "/attrs/batteryLevel")

    assert deliver(notifier, db) == 1
    notice = receiver.received[0].body
    assert notice["subscriptionId"] == "urn:ngsi-ld:Subscription:deletions"
    assert notice["data"][0]["batteryLevel"] == "urn:ngsi-ld:null"
    assert notice["data"][0]["waterLevel"] == 0.5


def test_entity_deletion_is_notified(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, notificationTrigger=["entityDeleted"])
    ngsi.post("/entities", sensor())
    assert deliver(notifier, db) == 0

    ngsi.delete("/entities/" + quote(SENSOR, safe=""))

    assert deliver(notifier, db) == 1
    data = receiver.received[0].body["data"]
    assert len(data) == 1
    assert set(data[0]) == {"id", "type", "deletedAt"}
    assert data[0]["id"] == SENSOR
    assert data[0]["type"] == "WaterLevelSensor"


def test_entity_created_trigger(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, notificationTrigger=["entityCreated"])
    ngsi.post("/entities", sensor())
    ngsi.patch("/entities/" + quote(SENSOR, safe="") + "/attrs", {"waterLevel": {"type": "Property", "value": 0.9}})

    assert deliver(notifier, db) == 1

    assert len(receiver.received) == 1
    assert receiver.received[0].body["data"][0]["waterLevel"]["value"] == 0.9


def test_temporal_writes_notify(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url)
    readings = [{"type": "Property", "value": v, "observedAt": f"2024-05-01T08:0{i}:00Z"}
                for i, v in enumerate((0.1, 0.2))]

    ngsi.post("/temporal/entities", {"id": SENSOR, "type": "WaterLevelSensor", "waterLevel": readings})

    assert deliver(notifier, db) == 1
    assert receiver.received[0].body["data"][0]["waterLevel"]["value"] == 0.2


def test_changes_queue_only_while_subscribed(ngsi: Ngsi, db, receiver: Receiver) -> None:
    ngsi.post("/entities", sensor(0.1, SENSOR + "-before"))
    with db.session() as session:
        assert session.scalars(select(CtxPendingChange)).all() == []
    subscribe(ngsi, receiver.url)
    ngsi.post("/entities", sensor(0.2, SENSOR + "-after"))
    with db.session() as session:
        pending = session.scalars(select(CtxPendingChange)).all()
        assert [(p.entity_id, p.kind) for p in pending] == [(SENSOR + "-after", "created")]

    second = Notifier(Dispatcher(db))
    try:
        assert deliver(second, db) == 1
    finally:
        second.dispatcher.close()

    assert [e["id"] for e in receiver.received[0].body["data"]] == [SENSOR + "-after"]
    with db.session() as session:
        assert session.scalars(select(CtxPendingChange)).all() == []


def test_failed_write_queues_nothing(ngsi: Ngsi, db, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url)
    ngsi.post("/entities", sensor())

    again = ngsi.post("/entities", sensor())

    assert again.status_code == 409
    with db.session() as session:
        assert [p.kind for p in session.scalars(select(CtxPendingChange))] == ["created"]


def test_slow_endpoint_does_not_delay_others(ngsi: Ngsi, db) -> None:
    # The slow receiver takes 6 s per notification, long enough that the fast one must have
    # answered both of its notifications before the slow one answered its first, even on a
    # loaded machine; the slow one's two notifications are sent one after the other.
    slow = Receiver(delay=6.0).start()
    fast = Receiver().start()
    notifier = Notifier(Dispatcher(db, workers=4, timeout=10.0))
    notifier.queue_changes(db, utcnow())
    try:
        subscribe(ngsi, slow.url, sub_id="urn:ngsi-ld:Subscription:slow")
        subscribe(ngsi, fast.url, sub_id="urn:ngsi-ld:Subscription:fast")
        started = time.monotonic()
        ngsi.post("/entities", sensor(0.5))
        assert notifier.queue_changes(db, utcnow()) == 2
        ngsi.patch("/entities/" + quote(SENSOR, safe="") + "/attrs", {"waterLevel": {"type": "Property", "value": 0.6}})
        assert notifier.queue_changes(db, utcnow()) == 2

        assert fast.wait_for(2, timeout=5.0)
        assert slow.answered == 0
        assert len(slow.received) == 1
        assert slow.wait_for(2, timeout=20.0)
        assert time.monotonic() - started >= 12.0
        assert slow.received[1].at - slow.received[0].at >= 6.0
        assert [n.body["data"][0]["waterLevel"]["value"] for n in slow.received] == [0.5, 0.6]
        assert [n.body["data"][0]["waterLevel"]["value"] for n in fast.received] == [0.5, 0.6]
        assert subscription_row(db, "urn:ngsi-ld:Subscription:slow").times_failed == 0
    finally:
        notifier.dispatcher.close()
        slow.stop()
        fast.stop()


def test_periodic_notifications(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    ngsi.post("/entities", sensor(0.4))
    ngsi.post("/entities", sensor(0.1, SENSOR + "-low"))
    subscribe(ngsi, receiver.url, watchedAttributes=None, timeInterval=60, q="waterLevel>0.3",
              notification={"format": "keyValues", "endpoint": {"uri": receiver.url}})

    assert deliver(notifier, db) == 1
    ngsi.patch("/entities/" + quote(SENSOR, safe="") + "/attrs", {"waterLevel": {"type": "Property", "value": 0.6}})
    assert deliver(notifier, db) == 0

    data = receiver.received[0].body["data"]
    assert [e["id"] for e in data] == [SENSOR]
    assert data[0]["waterLevel"] == 0.4
    later = utcnow() + dt.timedelta(seconds=61)
    assert notifier.queue_changes(db, later) == 1
    assert notifier.dispatcher.wait_idle(5)
    assert receiver.received[1].body["data"][0]["waterLevel"] == 0.6


def test_key_values_with_sys_attrs(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, notification={"format": "keyValues", "sysAttrs": True,
                                                "endpoint": {"uri": receiver.url}})
    ngsi.post("/entities", sensor())

    deliver(notifier, db)

    entity = receiver.received[0].body["data"][0]
    assert entity["waterLevel"] == 0.5
    assert entity["createdAt"].endswith("Z")
    assert entity["modifiedAt"].endswith("Z")


def test_entity_deletion_shows_watched_attributes(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, watchedAttributes=["waterLevel"], notificationTrigger=["attributeDeleted"],
              notification={"sysAttrs": True, "endpoint": {"uri": receiver.url}})
    ngsi.post("/entities", sensor())
    assert deliver(notifier, db) == 0

    ngsi.delete("/entities/" + quote(SENSOR, safe=""))

    assert deliver(notifier, db) == 1
    entity = receiver.received[0].body["data"][0]
    assert entity["deletedAt"].endswith("Z")
    assert entity["waterLevel"]["value"] == "urn:ngsi-ld:null"
    assert entity["waterLevel"]["type"] == "Property"
    assert entity["waterLevel"]["deletedAt"].endswith("Z")
    # sysAttrs keeps the deleted attribute's own creation and modification times.
    assert entity["waterLevel"]["createdAt"].endswith("Z")
    assert entity["waterLevel"]["modifiedAt"].endswith("Z")
    assert entity["waterLevel"]["createdAt"] <= entity["waterLevel"]["deletedAt"]
    assert "batteryLevel" not in entity


def test_attribute_deletion_shows_its_system_times(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, watchedAttributes=["waterLevel"], notificationTrigger=["attributeDeleted"],
              notification={"sysAttrs": True, "endpoint": {"uri": receiver.url}})
    ngsi.post("/entities", sensor())
    assert deliver(notifier, db) == 0

    ngsi.delete("/entities/" + quote(SENSOR, safe="") + "/attrs/waterLevel")

    assert deliver(notifier, db) == 1
    level = receiver.received[0].body["data"][0]["waterLevel"]
    assert level["value"] == "urn:ngsi-ld:null"
    assert level["createdAt"].endswith("Z")
    assert level["modifiedAt"].endswith("Z")
    assert level["deletedAt"].endswith("Z")


def test_link_header_names_single_context_url(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    context = "https://smart-data-models.github.io/dataModel.Environment/context.jsonld"
    body = {"type": "Subscription", "entities": [{"type": "WaterLevelSensor"}],
            "notification": {"endpoint": {"uri": receiver.url}}, "@context": [context]}
    assert ngsi.post("/subscriptions", body, content_type="application/ld+json").status_code == 201
    ngsi.post("/entities", sensor())

    deliver(notifier, db)

    assert receiver.received[0].headers["Link"].startswith(f"<{context}>")


def pending_notifications(db) -> list[CtxPendingNotification]:
    with db.session() as session:
        return list(session.scalars(select(CtxPendingNotification).order_by(CtxPendingNotification.pk)))


def test_worker_stopped_mid_delivery_sends_again_after_restart(ngsi: Ngsi, db) -> None:
    slow = Receiver(delay=3.0).start()
    first = Notifier(Dispatcher(db, workers=2, timeout=10.0))
    second = None
    try:
        subscribe(ngsi, slow.url)
        ngsi.post("/entities", sensor(0.5))
        assert first.queue_changes(db, utcnow()) == 1
        assert slow.wait_for_arrival(1, timeout=5.0)
        # The worker stops while the endpoint has not answered yet.
        first.dispatcher.close()
        [row] = pending_notifications(db)
        assert row.claimed_by is None
        assert row.claimed_until is None
        sent_id = slow.received[0].body["id"]

        second = Notifier(Dispatcher(db, workers=2, timeout=10.0))
        assert second.queue_changes(db, utcnow()) == 0  # no new change; the stored notice is sent again
        assert slow.wait_for(2, timeout=15.0)
        assert second.dispatcher.wait_idle(10.0)
        assert [n.body["id"] for n in slow.received] == [sent_id, sent_id]
        assert slow.received[1].body["data"][0]["waterLevel"]["value"] == 0.5
        assert pending_notifications(db) == []
        row = subscription_row(db)
        assert row.times_sent == 1
        assert row.last_success is not None
    finally:
        first.dispatcher.close()
        if second is not None:
            second.dispatcher.close()
        slow.stop()


def test_claim_of_a_dead_worker_expires(ngsi: Ngsi, db) -> None:
    hanging = Receiver(delay=8.0).start()
    dead = Dispatcher(db, workers=1, timeout=10.0, lease=1.0)
    alive = Dispatcher(db, workers=1, timeout=10.0, lease=1.0)
    try:
        subscribe(ngsi, hanging.url)
        ngsi.post("/entities", sensor(0.7))
        Notifier(dead).queue_changes(db, utcnow())
        assert hanging.wait_for_arrival(1, timeout=5.0)
        # The dead worker never renews its claim (no poll, no close): the row is held until the lease ends.
        assert alive.poll() == 0
        time.sleep(1.5)
        assert alive.poll() == 1
        assert hanging.wait_for_arrival(2, timeout=5.0)
        assert hanging.received[1].body == hanging.received[0].body
    finally:
        dead.close()
        alive.close()
        hanging.stop()


def test_deleting_a_subscription_drops_its_unsent_notifications(ngsi: Ngsi, db, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url)
    ngsi.post("/entities", sensor(0.5))
    idle = Notifier(Dispatcher(db, workers=1, timeout=5.0, max_pending=0))
    try:
        assert idle.queue_changes(db, utcnow()) == 1
        assert len(pending_notifications(db)) == 1
        assert ngsi.delete("/subscriptions/urn:ngsi-ld:Subscription:flood").status_code == 204
        assert pending_notifications(db) == []
    finally:
        idle.dispatcher.close()


@pytest.mark.parametrize(("trigger", "expected"), [
    ("attributeCreated", ["created"]),
    ("attributeUpdated", ["updated"]),
])
def test_created_and_updated_attributes_are_told_apart(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver,
                                                       trigger: str, expected: list[str]) -> None:
    path = "/entities/" + quote(SENSOR, safe="")
    ngsi.post("/entities", sensor(0.5))
    subscribe(ngsi, receiver.url, notificationTrigger=[trigger],
              notification={"format": "keyValues", "endpoint": {"uri": receiver.url}})
    deliver(notifier, db)

    assert ngsi.patch(path + "/attrs", {"waterLevel": {"type": "Property", "value": 0.6}}).status_code == 204
    deliver(notifier, db)
    assert ngsi.post(path + "/attrs", {"pumpState": {"type": "Property", "value": "on"}}).status_code == 204
    deliver(notifier, db)

    seen = ["created" if "pumpState" in n.body["data"][0] else "updated" for n in receiver.received]
    assert seen == expected


@pytest.mark.parametrize("how", ["update", "partial", "merge"])
def test_deletion_through_ngsi_ld_null_notifies(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver,
                                                how: str) -> None:
    path = "/entities/" + quote(SENSOR, safe="")
    ngsi.post("/entities", sensor(0.5))
    subscribe(ngsi, receiver.url, watchedAttributes=["batteryLevel"], notificationTrigger=["attributeDeleted"],
              notification={"format": "keyValues", "endpoint": {"uri": receiver.url}})
    deliver(notifier, db)

    null = {"type": "Property", "value": "urn:ngsi-ld:null"}
    if how == "update":
        response = ngsi.patch(path + "/attrs", {"batteryLevel": null})
    elif how == "partial":
        response = ngsi.patch(path + "/attrs/batteryLevel", null)
    else:
        response = ngsi.patch(path, {"batteryLevel": null})
    assert response.status_code == 204, response.text

    assert deliver(notifier, db) == 1
    data = receiver.received[0].body["data"][0]
    assert data["batteryLevel"] == "urn:ngsi-ld:null"
    assert data["waterLevel"] == 0.5
    assert "batteryLevel" not in ngsi.get(path).json()


def test_show_changes_adds_previous_values(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    path = "/entities/" + quote(SENSOR, safe="")
    ngsi.post("/entities", {**sensor(0.5), "feeds": {"type": "Relationship", "object": "urn:ngsi-ld:Pump:P1"}})
    subscribe(ngsi, receiver.url, notificationTrigger=["attributeUpdated", "attributeDeleted", "entityDeleted"],
              notification={"showChanges": True, "endpoint": {"uri": receiver.url}})
    deliver(notifier, db)

    ngsi.patch(path + "/attrs", {"waterLevel": {"type": "Property", "value": 0.8},
                                 "feeds": {"type": "Relationship", "object": "urn:ngsi-ld:Pump:P2"}})
    deliver(notifier, db)
    ngsi.delete(path + "/attrs/batteryLevel")
    deliver(notifier, db)
    ngsi.delete(path)
    deliver(notifier, db)

    updated, deleted_attr, deleted_entity = (n.body["data"][0] for n in receiver.received)
    assert updated["waterLevel"]["value"] == 0.8
    assert updated["waterLevel"]["previousValue"] == 0.5
    assert updated["feeds"]["object"] == "urn:ngsi-ld:Pump:P2"
    assert updated["feeds"]["previousObject"] == "urn:ngsi-ld:Pump:P1"
    assert "previousValue" not in updated["batteryLevel"]
    assert deleted_attr["batteryLevel"]["value"] == "urn:ngsi-ld:null"
    assert deleted_attr["batteryLevel"]["previousValue"] == 0.9
    assert deleted_entity["waterLevel"] == {"type": "Property", "value": "urn:ngsi-ld:null", "previousValue": 0.8}
    assert deleted_entity["feeds"] == {"type": "Relationship", "object": "urn:ngsi-ld:null",
                                       "previousObject": "urn:ngsi-ld:Pump:P2"}
    assert "deletedAt" in deleted_entity


def test_show_changes_must_be_boolean(ngsi: Ngsi) -> None:
    response = ngsi.post("/subscriptions", {
        "type": "Subscription", "entities": [{"type": "WaterLevelSensor"}],
        "notification": {"showChanges": "yes", "endpoint": {"uri": "http://127.0.0.1:9/notify"}},
    })
    assert response.status_code == 400
    assert "showChanges" in response.json()["detail"]


def test_entity_selector_type_expression(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, entities=[{"type": "(Pump|WaterLevelSensor)"}])
    ngsi.post("/entities", sensor())
    ngsi.post("/entities", {"id": "urn:ngsi-ld:Gate:310114-g1", "type": "Gate", "open": True})

    assert deliver(notifier, db) == 1

    assert [entity["id"] for entity in receiver.received[0].body["data"]] == [SENSOR]
    shown = ngsi.get("/subscriptions/urn:ngsi-ld:Subscription:flood").json()
    assert shown["entities"] == [{"type": "(Pump|WaterLevelSensor)"}]
    bad = ngsi.post("/subscriptions", {"type": "Subscription", "entities": [{"type": "(Pump"}],
                                       "notification": {"endpoint": {"uri": receiver.url}}})
    assert bad.status_code == 400
    assert bad.json()["type"].endswith("/BadRequestData")
