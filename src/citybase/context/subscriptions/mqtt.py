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

:class:`Connections` keeps one connection per broker, login and protocol version
open and publishes every notification for that broker on it. A connection that the
broker dropped is opened again before the next message. A message whose
acknowledgement does not arrive on a reused connection is published once more on a
new one, so delivery stays at least once. A connection unused for ``max_idle``
seconds is closed when the dispatcher next publishes.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

logger = logging.getLogger(__name__)

SCHEMES = ("mqtt", "mqtts")
DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
VERSIONS = {"mqtt3.1.1": paho.MQTTv311, "mqtt5.0": paho.MQTTv5}
QOS_VALUES = ("0", "1", "2")
VERSION_KEY = "MQTT-Version"
QOS_KEY = "MQTT-QoS"
DEFAULT_MAX_IDLE_SECONDS = 60.0


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


ConnectionKey = tuple[bool, str, int, str | None, str | None, int]


@dataclass
class _Connection:
    """One open client, whether its connection is still up, and when it was last used."""

    client: paho.Client
    connected: threading.Event = field(default_factory=threading.Event)
    last_used: float = 0.0


class Connections:
    """The MQTT connections of one dispatcher, reused per broker, login and protocol version.

    The dispatcher sends to one endpoint from one thread at a time. A lock per
    connection key also serializes two endpoints that name the same broker.
    """

    def __init__(self, timeout: float, max_idle: float = DEFAULT_MAX_IDLE_SECONDS) -> None:
        self.timeout = timeout
        self.max_idle = max_idle
        self._open: dict[ConnectionKey, _Connection] = {}
        self._locks: dict[ConnectionKey, threading.Lock] = {}
        self._lock = threading.Lock()
        self.opened = 0  # connections opened so far, for tests and logs

    def publish(self, uri: str, payload: bytes, options: dict[str, str]) -> str | None:
        """Publish ``payload`` to the endpoint ``uri``. Return None on success, or the reason it failed."""
        target = parse_target(uri)
        version = VERSIONS[options.get(VERSION_KEY, "mqtt3.1.1")]
        qos = int(options.get(QOS_KEY, "0"))
        key: ConnectionKey = (target.tls, target.host, target.port, target.username, target.password, version)
        self._close_idle()
        with self._lock_of(key):
            connection = self._reusable(key)
            reused = connection is not None
            if connection is None:
                connection, failure = self._connect(target, version)
                if connection is None:
                    return failure
            failure = self._send(connection, target, payload, qos, version)
            if failure is not None and reused:
                # The broker may have dropped the kept connection unnoticed: send once more on a new one.
                logger.info("MQTT publish to %s:%s failed on a kept connection (%s); reconnecting",
                            target.host, target.port, failure)
                self._discard(connection)
                connection, connect_failure = self._connect(target, version)
                if connection is None:
                    return connect_failure
                failure = self._send(connection, target, payload, qos, version)
            if failure is None:
                connection.last_used = time.monotonic()
                with self._lock:
                    self._open[key] = connection
            else:
                self._discard(connection)
                with self._lock:
                    self._open.pop(key, None)
            return failure

    def open_count(self) -> int:
        with self._lock:
            return sum(1 for connection in self._open.values() if connection.connected.is_set())

    def close(self) -> None:
        """Disconnect every kept connection."""
        with self._lock:
            connections = list(self._open.values())
            self._open.clear()
        for connection in connections:
            self._discard(connection)

    def _lock_of(self, key: ConnectionKey) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())

    def _reusable(self, key: ConnectionKey) -> _Connection | None:
        with self._lock:
            connection = self._open.get(key)
            if connection is None or connection.connected.is_set():
                return connection
            del self._open[key]
        self._discard(connection)
        return None

    def _close_idle(self) -> None:
        limit = time.monotonic() - self.max_idle
        with self._lock:
            idle = [key for key, connection in self._open.items() if connection.last_used < limit]
            connections = [self._open.pop(key) for key in idle]
        for connection in connections:
            self._discard(connection)

    def _connect(self, target: MqttTarget, version: int) -> tuple[_Connection | None, str | None]:
        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"citybase-{uuid.uuid4().hex[:16]}",
                             protocol=version)
        client.connect_timeout = self.timeout
        if target.username is not None:
            client.username_pw_set(target.username, target.password)
        if target.tls:
            client.tls_set()
        connection = _Connection(client)
        answered = threading.Event()
        outcome: dict[str, object] = {}

        def on_connect(_client, _userdata, _flags, reason_code, _properties) -> None:
            outcome["reason"] = reason_code
            if not getattr(reason_code, "is_failure", False):
                connection.connected.set()
            answered.set()

        def on_disconnect(_client, _userdata, _flags, _reason_code, _properties) -> None:
            connection.connected.clear()

        client.on_connect = on_connect
        client.on_disconnect = on_disconnect
        try:
            client.connect(target.host, target.port, keepalive=max(10, int(self.timeout) * 2))
        except OSError as exc:
            return None, f"MQTT broker {target.host}:{target.port} unreachable: {exc}"
        client.loop_start()
        if not answered.wait(self.timeout):
            self._discard(connection)
            return None, (f"MQTT broker {target.host}:{target.port} did not accept the connection "
                          f"within {self.timeout:g} s")
        reason = outcome["reason"]
        if getattr(reason, "is_failure", False):
            self._discard(connection)
            return None, f"MQTT broker {target.host}:{target.port} refused the connection: {reason}"
        self.opened += 1
        return connection, None

    def _send(self, connection: _Connection, target: MqttTarget, payload: bytes, qos: int,
              version: int) -> str | None:
        properties = _properties(payload) if version == paho.MQTTv5 else None
        info = connection.client.publish(target.topic, payload, qos=qos, properties=properties)
        try:
            info.wait_for_publish(self.timeout)
        except (RuntimeError, ValueError) as exc:
            return f"MQTT publish to {target.topic!r} failed: {exc}"
        if not info.is_published():
            return f"MQTT broker {target.host}:{target.port} did not acknowledge within {self.timeout:g} s"
        return None

    @staticmethod
    def _discard(connection: _Connection) -> None:
        connection.connected.clear()
        connection.client.disconnect()
        connection.client.loop_stop()


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
