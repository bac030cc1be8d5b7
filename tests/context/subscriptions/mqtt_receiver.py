"""Where MQTT notifications land in the tests: a real broker and what was published to it.

With ``CITYBASE_TEST_MQTT_URL`` set (``mqtt://127.0.0.1:1883``, as CI does) the
tests publish to that Mosquitto and a paho client subscribed to a topic of its
own records the messages. Elsewhere :class:`InProcessBroker` is the broker. It is
a small MQTT 3.1.1 and 5.0 server on 127.0.0.1 that accepts CONNECT (optionally
checking a user name and password), PUBLISH at QoS 0, 1 and 2, SUBSCRIBE, PINGREQ
and DISCONNECT. It records every PUBLISH instead of forwarding it, counts the
connections it accepted, and can drop its clients' connections or lose the next
PUBLISH to test reconnection.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

MQTT_URL_ENV = "CITYBASE_TEST_MQTT_URL"


@dataclass
class Message:
    topic: str
    qos: int
    payload: Any  # the decoded JSON
    user_properties: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = None
    protocol: int = 4  # 4 = MQTT 3.1.1, 5 = MQTT 5.0, recorded only by the in-process broker
    username: str | None = None


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._arrived = threading.Condition()

    def add(self, message: Message) -> None:
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)


# ---- the in-process broker --------------------------------------------------------------------------

def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _read_packet(sock: socket.socket) -> tuple[int, int, bytes]:
    first = _read_exact(sock, 1)[0]
    length, shift = 0, 0
    while True:
        byte = _read_exact(sock, 1)[0]
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return first >> 4, first & 0x0F, _read_exact(sock, length)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _packet(kind: int, flags: int, body: bytes) -> bytes:
    return bytes([(kind << 4) | flags]) + _varint(len(body)) + body


def _string(data: bytes, at: int) -> tuple[str, int]:
    size = int.from_bytes(data[at:at + 2], "big")
    return data[at + 2:at + 2 + size].decode("utf-8"), at + 2 + size


def _varint_at(data: bytes, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def _publish_properties(data: bytes) -> tuple[list[tuple[str, str]], str | None]:
    """Read the properties of an MQTT 5.0 PUBLISH (only those the tests look at; skip the others)."""
    users: list[tuple[str, str]] = []
    content_type = None
    at = 0
    while at < len(data):
        ident = data[at]
        at += 1
        if ident == 0x26:  # user property
            key, at = _string(data, at)
            value, at = _string(data, at)
            users.append((key, value))
        elif ident in (0x03, 0x08):  # content type, response topic
            text, at = _string(data, at)
            if ident == 0x03:
                content_type = text
        elif ident == 0x09:  # correlation data
            at += 2 + int.from_bytes(data[at:at + 2], "big")
        elif ident == 0x01:  # payload format indicator
            at += 1
        elif ident == 0x23:  # topic alias
            at += 2
        elif ident == 0x02:  # message expiry interval
            at += 4
        elif ident == 0x0B:  # subscription identifier
            _, at = _varint_at(data, at)
        else:
            raise ValueError(f"unexpected PUBLISH property {ident:#x}")
    return users, content_type


class InProcessBroker:
    """A recording MQTT broker on 127.0.0.1; ``credentials`` makes it refuse other user names and passwords."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.credentials = credentials
        self.recorder = _Recorder()
        self.refused = 0
        self.connections = 0  # CONNECTs accepted
        self.lose_publishes = 0  # PUBLISH packets to drop, closing their connection without an ack
        self._clients: set[socket.socket] = set()
        self._clients_lock = threading.Lock()
        broker = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                try:
                    broker._serve(self.request)
                except (ConnectionError, OSError):
                    pass

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def drop_clients(self) -> None:
        """Close every client connection from the broker's side, as a broker restart would."""
        with self._clients_lock:
            clients = list(self._clients)
        for client in clients:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _serve(self, sock: socket.socket) -> None:
        with self._clients_lock:
            self._clients.add(sock)
        try:
            self._session(sock)
        finally:
            with self._clients_lock:
                self._clients.discard(sock)

    def _session(self, sock: socket.socket) -> None:
        kind, _, body = _read_packet(sock)
        if kind != 1:
            return
        _, at = _string(body, 0)
        level, flags = body[at], body[at + 1]
        at += 4  # level, flags, keep alive
        v5 = level == 5
        if v5:
            size, at = _varint_at(body, at)
            at += size
        _, at = _string(body, at)  # client id
        if flags & 0x04:  # will
            if v5:
                size, at = _varint_at(body, at)
                at += size
            _, at = _string(body, at)
            at += 2 + int.from_bytes(body[at:at + 2], "big")
        username = password = None
        if flags & 0x80:
            username, at = _string(body, at)
        if flags & 0x40:
            password, at = _string(body, at)
        ok = self.credentials is None or (username, password) == self.credentials
        if not ok:
            self.refused += 1
        code = 0
        if not ok:  # bad user name or password
            code = 0x86 if v5 else 4
        sock.sendall(_packet(2, 0, bytes([0, code]) + (b"\x00" if v5 else b"")))
        if not ok:
            return
        self.connections += 1
        while True:
            kind, flags, body = _read_packet(sock)
            if kind == 3 and self.lose_publishes > 0:  # lose it: no record, no ack, connection gone
                self.lose_publishes -= 1
                sock.shutdown(socket.SHUT_RDWR)
                return
            if kind == 3:  # PUBLISH
                qos = (flags >> 1) & 3
                topic, at = _string(body, 0)
                packet_id = body[at:at + 2] if qos else b""
                at += len(packet_id)
                users: list[tuple[str, str]] = []
                content_type = None
                if v5:
                    size, at = _varint_at(body, at)
                    users, content_type = _publish_properties(body[at:at + size])
                    at += size
                self.recorder.add(Message(topic, qos, json.loads(body[at:]), users, content_type,
                                          level, username))
                if qos == 1:
                    sock.sendall(_packet(4, 0, packet_id))  # PUBACK
                elif qos == 2:
                    sock.sendall(_packet(5, 0, packet_id))  # PUBREC
            elif kind == 6:  # PUBREL
                sock.sendall(_packet(7, 0, body[:2]))  # PUBCOMP
            elif kind == 8:  # SUBSCRIBE: grant QoS 0 to each filter (nothing is forwarded)
                sock.sendall(_packet(9, 0, body[:2] + (b"\x00" if v5 else b"") + b"\x00"))
            elif kind == 12:  # PINGREQ
                sock.sendall(_packet(13, 0, b""))
            elif kind == 14:  # DISCONNECT
                return


# ---- what the tests use -------------------------------------------------------------------------------

class MqttReceiver:
    """A topic of its own on the test broker and the messages published to it."""

    def __init__(self, broker: InProcessBroker | None, external: str | None) -> None:
        self.topic = f"citybase-test/{uuid.uuid4().hex}"
        self._broker = broker
        self._client: paho.Client | None = None
        if broker is not None:
            self.host, self.port = "127.0.0.1", broker.port
            self._recorder = broker.recorder
            return
        parts = urlsplit(external or "")
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 1883
        self._recorder = _Recorder()
        subscribed = threading.Event()
        client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)

        def on_message(_client, _userdata, message) -> None:
            props = getattr(message, "properties", None)
            self._recorder.add(Message(
                message.topic, message.qos, json.loads(message.payload),
                list(getattr(props, "UserProperty", []) or []), getattr(props, "ContentType", None),
            ))

        client.on_message = on_message
        client.on_subscribe = lambda *args: subscribed.set()
        client.connect(self.host, self.port)
        client.loop_start()
        client.subscribe(self.topic, qos=2)
        if not subscribed.wait(5):
            raise RuntimeError(f"could not subscribe to {self.topic} on {external}")
        self._client = client

    @property
    def real(self) -> bool:
        return self._broker is None

    def url(self, scheme: str = "mqtt", userinfo: str = "") -> str:
        return f"{scheme}://{userinfo}{self.host}:{self.port}/{self.topic}"

    @property
    def messages(self) -> list[Message]:
        return [m for m in self._recorder.messages if m.topic == self.topic]

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        return self._recorder.wait_for(count, timeout) and len(self.messages) >= count

    def close(self) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
        if self._broker is not None:
            self._broker.close()


def start_receiver() -> MqttReceiver:
    external = os.environ.get(MQTT_URL_ENV)
    return MqttReceiver(None if external else InProcessBroker(), external)
