"""Subscriptions with scopeQ: validation and notification filtering."""

from __future__ import annotations

from citybase.context.subscriptions.notifier import Notifier
from tests.context.conftest import Ngsi
from tests.context.subscriptions.receiver import Receiver
from tests.context.subscriptions.test_notifications import (  # noqa: F401 - fixtures
    SENSOR,
    deliver,
    notifier,
    receiver,
    sensor,
    subscribe,
)

ETSI_ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"


def test_scope_q_filters_notifications(ngsi: Ngsi, db, notifier: Notifier, receiver: Receiver) -> None:
    subscribe(ngsi, receiver.url, scopeQ="/Jiading/#")
    ngsi.post("/entities", {**sensor(0.5, SENSOR + "-a"), "scope": "/Minhang/Pujiang"})
    ngsi.post("/entities", sensor(0.5, SENSOR + "-b"))
    assert deliver(notifier, db) == 0

    ngsi.post("/entities", {**sensor(0.5, SENSOR + "-c"), "scope": ["/Minhang", "/Jiading/Nanxiang"]})
    assert deliver(notifier, db) == 1
    data = receiver.received[0].body["data"]
    assert [e["id"] for e in data] == [SENSOR + "-c"]
    assert data[0]["scope"] == ["/Minhang", "/Jiading/Nanxiang"]


def test_scope_q_is_kept_and_validated(ngsi: Ngsi) -> None:
    subscribe(ngsi, "http://127.0.0.1:9/notify", scopeQ="/Jiading/+")
    stored = ngsi.get("/subscriptions/urn:ngsi-ld:Subscription:flood")
    assert stored.json()["scopeQ"] == "/Jiading/+"

    bad = ngsi.patch("/subscriptions/urn:ngsi-ld:Subscription:flood", {"scopeQ": "/Jiading//x"})
    assert bad.status_code == 400, bad.text
    assert bad.json()["type"] == ETSI_ERRORS + "BadRequestData"
    assert "/Jiading//x" in bad.json()["detail"]
    assert ngsi.get("/subscriptions/urn:ngsi-ld:Subscription:flood").json()["scopeQ"] == "/Jiading/+"
