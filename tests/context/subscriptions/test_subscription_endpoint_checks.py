"""Subscription input that used to be accepted and then made every notification fail."""

from __future__ import annotations

import pytest

from tests.context.conftest import Ngsi

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
SUB_ID = "urn:ngsi-ld:Subscription:310114-flood-2"


def subscription(endpoint: dict, **extra) -> dict:
    return {"id": SUB_ID, "type": "Subscription", "entities": [{"type": "WaterLevelSensor"}],
            "notification": {"endpoint": endpoint}, **extra}


def _assert_rejected(ngsi: Ngsi, body: dict, *fragments: str) -> None:
    response = ngsi.post("/subscriptions", body)

    assert response.status_code == 400, response.text
    assert response.json()["type"] == ERRORS + "BadRequestData"
    for fragment in fragments:
        assert fragment in response.json()["detail"]
    assert ngsi.get("/subscriptions/" + SUB_ID).status_code == 404


def test_http_uri_without_host_is_400(ngsi: Ngsi) -> None:
    _assert_rejected(ngsi, subscription({"uri": "http:///notify"}), "'http:///notify'")


@pytest.mark.parametrize(("key", "value", "shown"), [
    ("X District", "310114", "'X District'"),
    ("X-District", "嘉定区", "'%E5%98%89%E5%AE%9A%E5%8C%BA'"),
    ("X-District", "310114\r\nX-Injected: 1", "'310114%0D%0AX-Injected%3A%201'"),
])
def test_invalid_receiver_info_header_is_400(ngsi: Ngsi, key: str, value: str, shown: str) -> None:
    endpoint = {"uri": "http://127.0.0.1:9/notify", "receiverInfo": [{"key": key, "value": value}]}

    _assert_rejected(ngsi, subscription(endpoint), shown)


def test_receiver_info_on_mqtt_may_hold_chinese(ngsi: Ngsi) -> None:
    endpoint = {"uri": "mqtt://127.0.0.1:1883/city/notifications",
                "receiverInfo": [{"key": "X-District", "value": "嘉定区"}]}

    response = ngsi.post("/subscriptions", subscription(endpoint))

    assert response.status_code == 201, response.text
    stored = ngsi.get("/subscriptions/" + SUB_ID).json()
    assert stored["notification"]["endpoint"]["receiverInfo"] == [{"key": "X-District", "value": "嘉定区"}]


def test_plain_ascii_receiver_info_is_accepted(ngsi: Ngsi) -> None:
    endpoint = {"uri": "http://127.0.0.1:9/notify", "receiverInfo": [{"key": "X-District", "value": "310114 Jiading"}]}

    assert ngsi.post("/subscriptions", subscription(endpoint)).status_code == 201


def test_empty_entities_message_shows_the_value(ngsi: Ngsi) -> None:
    body = subscription({"uri": "http://127.0.0.1:9/notify"}, entities=[])

    response = ngsi.post("/subscriptions", body)

    assert response.status_code == 400
    assert '{"type": ..., "id"?: ...}' in response.json()["detail"]
    assert "{{" not in response.json()["detail"]
    assert "[]" in response.json()["detail"]
