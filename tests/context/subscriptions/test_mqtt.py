"""MQTT notification endpoints: validation, the message published, QoS, versions and failures.

The broker is the Mosquitto named by CITYBASE_TEST_MQTT_URL when it is set, and
otherwise the in-process broker of mqtt_receiver.py; the notifier runs in-process
as the worker job would.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from citybase.context.subscriptions.models import CtxSubscription
from citybase.context.subscriptions.notifier import Notifier
from citybase.core.audit import AuditEntry
from tests.context.conftest import Ngsi
from tests.context.subscriptions.mqtt_receiver import InProcessBroker, MqttReceiver, start_receiver
from tests.context.subscriptions.test_notifications import (  # noqa: F401 - the notifier fixture
    SENSOR,
    deliver,
    notifier,
    sensor,
    subscribe,
    subscription_row,
)

SUB = "urn:ngsi-ld:Subscription:flood"


@pytest.fixture
def broker() -> Iterator[MqttReceiver]:
    receiver = start_receiver()
    yield receiver
    receiver.close()


def mqtt_subscribe(ngsi: Ngsi, uri: str, notifier_info: list | None = None, **endpoint) -> None:
    endpoint = {"uri": uri, **endpoint}
    if notifier_info is not None:
        endpoint["notifierInfo"] = notifier_info
    subscribe(ngsi, uri, notification={"endpoint": endpoint})


def test_notification_is_published_as_metadata_and_body(ngsi: Ngsi, db, notifier: Notifier,
                                                        broker: MqttReceiver) -> None:
    mqtt_subscribe(ngsi, broker.url(), receiverInfo=[{"key": "X-District", "value": "310114"}])
    ngsi.post("/entities", sensor(0.5))

    assert deliver(notifier, db) == 1
    assert broker.wait_for(1)

    [message] = broker.messages
    assert message.qos == 0
    assert set(message.payload) == {"metadata", "body"}
    metadata, body = message.payload["metadata"], message.payload["body"]
    assert metadata["Content-Type"] == "application/json"
    assert metadata["Link"].startswith("<")
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in metadata["Link"]
    assert metadata["X-District"] == "310114"
    assert body["type"] == "Notification"
    assert body["subscriptionId"] == SUB
    assert body["data"][0]["id"] == SENSOR
    assert body["data"][0]["waterLevel"]["value"] == 0.5
    if not broker.real:
        assert message.protocol == 4  # MQTT 3.1.1 is the default
    row = subscription_row(db)
    assert row.times_sent == 1
    assert row.times_failed == 0
    assert row.last_success is not None
    assert ngsi.get("/subscriptions/" + SUB).json()["notification"]["status"] == "ok"


@pytest.mark.parametrize("qos", ["1", "2"])
def test_qos_of_notifier_info_is_used(ngsi: Ngsi, db, notifier: Notifier, broker: MqttReceiver, qos: str) -> None:
    mqtt_subscribe(ngsi, broker.url(), notifier_info=[{"key": "MQTT-QoS", "value": qos}])
    ngsi.post("/entities", sensor())

    deliver(notifier, db)

    assert broker.wait_for(1)
    assert broker.messages[0].qos == int(qos)
    assert subscription_row(db).last_success is not None


def test_mqtt5_sends_receiver_info_as_user_properties(ngsi: Ngsi, db, notifier: Notifier,
                                                      broker: MqttReceiver) -> None:
    mqtt_subscribe(ngsi, broker.url(), notifier_info=[{"key": "MQTT-Version", "value": "mqtt5.0"},
                                                      {"key": "MQTT-QoS", "value": "1"}],
                   receiverInfo=[{"key": "X-District", "value": "310114"}], accept="application/ld+json")
    ngsi.post("/entities", sensor())

    deliver(notifier, db)

    assert broker.wait_for(1)
    [message] = broker.messages
    assert ("X-District", "310114") in message.user_properties
    assert message.content_type == "application/ld+json"
    assert message.payload["metadata"]["X-District"] == "310114"
    assert "@context" in message.payload["body"]
    if not broker.real:
        assert message.protocol == 5


def test_user_name_and_password_of_the_uri_are_used(ngsi: Ngsi, db, notifier: Notifier) -> None:
    guarded = InProcessBroker(credentials=("notifier", "s3cret"))
    receiver = MqttReceiver(guarded, None)
    try:
        mqtt_subscribe(ngsi, receiver.url(userinfo="notifier:s3cret@"))
        subscribe(ngsi, receiver.url(userinfo="notifier:wrong@"), sub_id="urn:ngsi-ld:Subscription:wrong",
                  notification={"endpoint": {"uri": receiver.url(userinfo="notifier:wrong@")}})
        ngsi.post("/entities", sensor())

        deliver(notifier, db)

        assert receiver.wait_for(1)
        assert [m.username for m in receiver.messages] == ["notifier"]
        assert guarded.refused == 1
    finally:
        receiver.close()
    assert subscription_row(db).last_success is not None
    wrong = subscription_row(db, "urn:ngsi-ld:Subscription:wrong")
    assert wrong.times_failed == 1
    assert "refused the connection" in wrong.last_failure_reason
    assert "wrong" not in wrong.last_failure_reason  # the password is not repeated


def test_password_masked_in_reads_but_delivered(ngsi: Ngsi, db, notifier: Notifier) -> None:
    guarded = InProcessBroker(credentials=("notifier", "s3cret"))
    receiver = MqttReceiver(guarded, None)
    try:
        uri = receiver.url(userinfo="notifier:s3cret@")
        mqtt_subscribe(ngsi, uri, receiverInfo=[{"key": "Authorization", "value": "Bearer t0ken"},
                                                {"key": "X-District", "value": "310114"}])
        shown = ngsi.get("/subscriptions/" + SUB).json()["notification"]["endpoint"]
        assert shown["uri"] == receiver.url(userinfo="notifier:***@")
        assert shown["receiverInfo"] == [{"key": "Authorization", "value": "***"},
                                         {"key": "X-District", "value": "310114"}]
        listed = ngsi.get("/subscriptions").json()[0]["notification"]["endpoint"]
        assert listed["uri"] == shown["uri"]

        # Writing back what was read keeps the stored credentials.
        patched = ngsi.patch("/subscriptions/" + SUB, {"notification": {"format": "keyValues", "endpoint": shown}})
        assert patched.status_code == 204, patched.text
        stored = subscription_row(db).document["notification"]["endpoint"]
        assert stored["uri"] == uri
        assert stored["receiverInfo"][0] == {"key": "Authorization", "value": "Bearer t0ken"}

        ngsi.post("/entities", sensor())
        deliver(notifier, db)

        assert receiver.wait_for(1)
        assert [m.username for m in receiver.messages] == ["notifier"]
        assert receiver.messages[0].payload["metadata"]["Authorization"] == "Bearer t0ken"
        assert guarded.refused == 0
    finally:
        receiver.close()
    with db.session() as session:
        audited = session.scalars(select(AuditEntry).where(AuditEntry.table == "ctx_subscriptions")).all()
    assert [a.action for a in audited] == ["insert", "update"]
    for entry in audited:
        assert "s3cret" not in json.dumps([entry.before, entry.after])
        assert "t0ken" not in json.dumps([entry.before, entry.after])


def test_new_password_replaces_the_masked_one(ngsi: Ngsi, db) -> None:
    mqtt_subscribe(ngsi, "mqtt://notifier:old@127.0.0.1:1883/city/flood")
    changed = ngsi.patch("/subscriptions/" + SUB,
                         {"notification": {"endpoint": {"uri": "mqtt://notifier:new@127.0.0.1:1883/city/flood"}}})
    assert changed.status_code == 204, changed.text
    stored = subscription_row(db).document["notification"]["endpoint"]
    assert stored["uri"] == "mqtt://notifier:new@127.0.0.1:1883/city/flood"
    shown = ngsi.get("/subscriptions/" + SUB).json()["notification"]["endpoint"]
    assert shown["uri"] == "mqtt://notifier:***@127.0.0.1:1883/city/flood"


def test_one_connection_serves_many_notifications(ngsi: Ngsi, db, notifier: Notifier,
                                                  broker: MqttReceiver) -> None:
    mqtt_subscribe(ngsi, broker.url(), [{"key": "MQTT-QoS", "value": "1"}])
    ngsi.post("/entities", sensor(0.5))
    deliver(notifier, db)
    for level in (0.6, 0.7):
        assert ngsi.patch(f"/entities/{SENSOR}/attrs", {"waterLevel": level}).status_code == 204
        deliver(notifier, db)

    assert broker.wait_for(3)
    assert [m.payload["body"]["data"][0]["waterLevel"]["value"] for m in broker.messages] == [0.5, 0.6, 0.7]
    assert notifier.dispatcher.mqtt.opened == 1
    assert notifier.dispatcher.mqtt.open_count() == 1
    if not broker.real:
        assert broker._broker.connections == 1
    assert subscription_row(db).times_failed == 0


def _drop_connections(broker: MqttReceiver, notifier: Notifier) -> None:
    """Make the kept connection go away: from the broker's side in-process, from ours on Mosquitto."""
    if broker.real:
        for connection in list(notifier.dispatcher.mqtt._open.values()):
            connection.client.disconnect()
    else:
        broker._broker.drop_clients()
    deadline = time.monotonic() + 5
    while notifier.dispatcher.mqtt.open_count() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_dropped_connection_is_reopened(ngsi: Ngsi, db, notifier: Notifier, broker: MqttReceiver) -> None:
    mqtt_subscribe(ngsi, broker.url(), [{"key": "MQTT-QoS", "value": "1"}])
    ngsi.post("/entities", sensor(0.5))
    deliver(notifier, db)
    assert broker.wait_for(1)

    _drop_connections(broker, notifier)
    assert ngsi.patch(f"/entities/{SENSOR}/attrs", {"waterLevel": 0.8}).status_code == 204
    deliver(notifier, db)

    assert broker.wait_for(2)
    assert broker.messages[-1].payload["body"]["data"][0]["waterLevel"]["value"] == 0.8
    assert subscription_row(db).times_failed == 0
    if not broker.real:
        assert broker._broker.connections == 2


def test_lost_publish_is_sent_again(ngsi: Ngsi, db, notifier: Notifier) -> None:
    """A message the broker loses on a kept connection arrives through a new one (at least once)."""
    lossy = InProcessBroker()
    receiver = MqttReceiver(lossy, None)
    try:
        mqtt_subscribe(ngsi, receiver.url(), [{"key": "MQTT-QoS", "value": "1"}])
        ngsi.post("/entities", sensor(0.5))
        deliver(notifier, db)
        assert receiver.wait_for(1)

        lossy.lose_publishes = 1
        assert ngsi.patch(f"/entities/{SENSOR}/attrs", {"waterLevel": 0.9}).status_code == 204
        deliver(notifier, db, wait=15.0)

        assert receiver.wait_for(2)
        assert receiver.messages[-1].payload["body"]["data"][0]["waterLevel"]["value"] == 0.9
        assert lossy.connections == 2
    finally:
        receiver.close()
    assert subscription_row(db).times_failed == 0


def test_unreachable_broker_is_recorded(ngsi: Ngsi, db, notifier: Notifier) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mqtt_subscribe(ngsi, f"mqtt://127.0.0.1:{port}/city/flood")
    ngsi.post("/entities", sensor())

    deliver(notifier, db)

    row = subscription_row(db)
    assert row.times_failed == 1
    assert row.last_success is None
    assert row.last_failure_reason.startswith(f"MQTT broker 127.0.0.1:{port} unreachable")
    status = ngsi.get("/subscriptions/" + SUB).json()["notification"]
    assert status["status"] == "failed"
    assert status["timesFailed"] == 1


@pytest.mark.parametrize(("endpoint", "named"), [
    ({"uri": "mqtt://127.0.0.1:1883"}, "topic"),
    ({"uri": "mqtt://127.0.0.1:1883/"}, "topic"),
    ({"uri": "mqtt://127.0.0.1:1883/city/#"}, "topic"),
    ({"uri": "mqtt://127.0.0.1:99999/city"}, "port"),
    ({"uri": "mqtt://127.0.0.1:0/city"}, "port"),
    ({"uri": "mqtt:///city"}, "host"),
    ({"uri": "amqp://127.0.0.1/city"}, "amqp://127.0.0.1/city"),
    ({"uri": "mqtt://127.0.0.1/city", "notifierInfo": [{"key": "MQTT-QoS", "value": "3"}]}, "MQTT-QoS"),
    ({"uri": "mqtt://127.0.0.1/city", "notifierInfo": [{"key": "MQTT-Version", "value": "mqtt3"}]},
     "MQTT-Version"),
    ({"uri": "http://127.0.0.1:9/notify", "notifierInfo": [{"key": "MQTT-QoS", "value": "1"}]}, "MQTT-QoS"),
])
def test_bad_mqtt_endpoint_is_refused(ngsi: Ngsi, db, endpoint: dict, named: str) -> None:
    body = {"id": SUB, "type": "Subscription", "entities": [{"type": "WaterLevelSensor"}],
            "notification": {"endpoint": endpoint}}

    got = ngsi.post("/subscriptions", body)

    assert got.status_code == 400, got.text
    problem = got.json()
    assert problem["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    assert named in problem["detail"]
    with db.session() as session:
        assert session.scalars(select(CtxSubscription)).all() == []


def test_update_to_a_bad_mqtt_uri_changes_nothing(ngsi: Ngsi, db) -> None:
    mqtt_subscribe(ngsi, "mqtt://127.0.0.1:1883/city/flood")

    got = ngsi.patch("/subscriptions/" + SUB, {"notification": {"endpoint": {"uri": "mqtts://127.0.0.1:70000/x"}}})

    assert got.status_code == 400
    assert "70000" in got.json()["detail"]
    stored = ngsi.get("/subscriptions/" + SUB).json()
    assert stored["notification"]["endpoint"]["uri"] == "mqtt://127.0.0.1:1883/city/flood"
