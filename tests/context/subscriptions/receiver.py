"""A notification receiver on 127.0.0.1 that records every POST, optionally after a delay."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    at: float
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    """Records notifications; it waits ``delay`` seconds before each response and replies with ``status``."""

    delay: float = 0.0
    status: int = 200
    received: list[Received] = field(default_factory=list)
    answered: int = 0  # responses sent
    _server: ThreadingHTTPServer | None = None
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/notify"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"null")
                with receiver._arrived:
                    receiver.received.append(Received(time.monotonic(), self.path, dict(self.headers.items()), body))
                    receiver._arrived.notify_all()
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver._arrived:
                    receiver.answered += 1
                    receiver._arrived.notify_all()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` responses have been sent; return False on timeout."""
        with self._arrived:
            return self._arrived.wait_for(lambda: self.answered >= count, timeout=timeout)

    def wait_for_arrival(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` requests have arrived, answered or not; return False on timeout."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
