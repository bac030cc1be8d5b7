"""MQTT notification endpoints (ETSI GS CIM 009 V1.6.1, clause 5.8.6 and its MQTT binding).

An endpoint uri ``mqtt://[user[:password]@]host[:port]/topic`` (or ``mqtts://``
for TLS) names the broker to connect to and the topic to publish on. The
endpoint's notifierInfo may set ``MQTT-Version`` (``mqtt3.1.1``, the default, or
``mqtt5.0``) and ``MQTT-QoS`` (``0``, the default, ``1`` or ``2``).

The message published is a JSON object ``{"metadata": {...}, "body": {...}}``:
``metadata`` contains what an HTTP notification sends as headers (Content-Type,
Link, and each receiverInfo key), ``body`` the notification. With MQTT 5.0 the
metadata members other than Content-Type are also sent as user properties and
Content-Type as the content type property.

Each notification is published on a connection of its own, which is closed once
the broker has acknowledged the message for the requested QoS.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

SCHEMES = ("mqtt", "mqtts")
DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
VERSIONS = {"mqtt3.1.1": paho.MQTTv311, "mqtt5.0": paho.MQTTv5}
QOS_VALUES = ("0", "1", "2")
VERSION_KEY = "MQTT-Version"
QOS_KEY = "MQTT-QoS"


@dataclass(frozen=True)
class MqttTarget:
    """The broker, credentials and topic of an mqtt:// or mqtts:// endpoint uri."""

    tls: bool
    host: str
    port: int
    topic: str
    username: str | None
    password: str | None


class MqttUriError(ValueError):
    """An invalid MQTT endpoint uri. ``part`` names what is wrong: scheme, host, port or topic."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.part = part


def parse_target(uri: str) -> MqttTarget:
    """Split an MQTT endpoint uri, or raise :class:`MqttUriError` naming the invalid part."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise MqttUriError("scheme")
    if not parts.hostname:
        raise MqttUriError("host")
    try:
        port = parts.port
    except ValueError:
        raise MqttUriError("port") from None
    if port == 0:
        raise MqttUriError("port")
    topic = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
    if not topic or "+" in topic or "#" in uri or "?" in uri:
        raise MqttUriError("topic")
    return MqttTarget(
        tls=scheme == "mqtts", host=parts.hostname, port=port or DEFAULT_PORTS[scheme], topic=topic,
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def redact(uri: str) -> str:
    """Return ``uri`` without its password, for logs and failure reasons."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{parts.username}:***@{host}").geturl()


def envelope(headers: dict[str, str], body: dict) -> dict:
    """Wrap a notification and its HTTP headers (as metadata) into the MQTT message."""
    return {"metadata": headers, "body": body}


def publish(uri: str, payload: bytes, options: dict[str, str], timeout: float) -> str | None:
    """Publish ``payload`` to the endpoint ``uri``. Return None on success, or the reason it failed."""
    target = parse_target(uri)
    version = VERSIONS[options.get(VERSION_KEY, "mqtt3.1.1")]
    qos = int(options.get(QOS_KEY, "0"))
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"citybase-{uuid.uuid4().hex[:16]}",
                         protocol=version)
    client.connect_timeout = timeout
    if target.username is not None:
        client.username_pw_set(target.username, target.password)
    if target.tls:
        client.tls_set()
    answered = threading.Event()
    outcome: dict[str, object] = {}

    def on_connect(_client, _userdata, _flags, reason_code, _properties) -> None:
        outcome["reason"] = reason_code
        answered.set()

    client.on_connect = on_connect
    try:
        client.connect(target.host, target.port, keepalive=max(10, int(timeout) * 2))
    except OSError as exc:
        return f"MQTT broker {target.host}:{target.port} unreachable: {exc}"
    client.loop_start()
    try:
        if not answered.wait(timeout):
            return f"MQTT broker {target.host}:{target.port} did not accept the connection within {timeout:g} s"
        reason = outcome["reason"]
        if getattr(reason, "is_failure", False):
            return f"MQTT broker {target.host}:{target.port} refused the connection: {reason}"
        properties = _properties(payload) if version == paho.MQTTv5 else None
        info = client.publish(target.topic, payload, qos=qos, properties=properties)
        try:
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError) as exc:
            return f"MQTT publish to {target.topic!r} failed: {exc}"
        if not info.is_published():
            return f"MQTT broker {target.host}:{target.port} did not acknowledge within {timeout:g} s"
        return None
    finally:
        client.disconnect()
        client.loop_stop()


def _properties(payload: bytes) -> Properties:
    """Build the MQTT 5.0 properties: Content-Type, and the other metadata members as user properties."""
    properties = Properties(PacketTypes.PUBLISH)
    metadata = json.loads(payload).get("metadata") or {}
    if metadata.get("Content-Type"):
        properties.ContentType = metadata["Content-Type"]
    users = [(key, value) for key, value in metadata.items() if key != "Content-Type"]
    if users:
        properties.UserProperty = users
    return properties
