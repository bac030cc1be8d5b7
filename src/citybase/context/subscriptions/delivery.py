"""HTTP delivery of notifications on a bounded thread pool, one queue per endpoint.

Each endpoint (scheme, host and port of the notification URI) has its own queue,
and at most one pool thread sends to it at a time, in order. A slow or dead
endpoint therefore occupies one thread for at most ``timeout`` seconds per
notification, while the other endpoints' queues are drained by the other
threads. A queue that grows past ``max_pending`` drops its oldest notification
and counts it as a failure of its subscription.

The notifier counts a notification in timesSent and lastNotification when it
queues it; every attempt then records lastSuccess or lastFailure in its own
short transaction. Delivery is at most once: a
notification still queued when the process stops is lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from sqlalchemy import update

from citybase.context.subscriptions.models import CtxSubscription
from citybase.core.audit import Actor
from citybase.core.db import Database, utcnow

logger = logging.getLogger(__name__)

NOTIFIER_ACTOR = Actor("system", "ngsi-ld-notifier")
DEFAULT_WORKERS = 8
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_PENDING = 1000


@dataclass(frozen=True)
class Notice:
    """One notification ready to send: the target, the headers and the encoded body."""

    subscription_pk: int
    subscription_id: str
    uri: str
    headers: dict[str, str]
    body: bytes

    @property
    def endpoint(self) -> str:
        parts = urlsplit(self.uri)
        return f"{parts.scheme}://{parts.netloc}"


class Dispatcher:
    """Send notices concurrently across endpoints and in order within one endpoint."""

    def __init__(self, db: Database, workers: int = DEFAULT_WORKERS, timeout: float = DEFAULT_TIMEOUT_SECONDS,
                 max_pending: int = DEFAULT_MAX_PENDING) -> None:
        self.db = db
        self.timeout = timeout
        self.max_pending = max_pending
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ngsi-ld-notify")
        # trust_env=False: notifications go to the subscriber's URI, never through a proxy from the environment.
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), trust_env=False)
        self._queues: dict[str, deque[Notice]] = {}
        self._busy: set[str] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def submit(self, notice: Notice) -> None:
        dropped = None
        with self._lock:
            queue = self._queues.setdefault(notice.endpoint, deque())
            if len(queue) >= self.max_pending:
                dropped = queue.popleft()
            queue.append(notice)
            start = notice.endpoint not in self._busy
            if start:
                self._busy.add(notice.endpoint)
        if dropped is not None:
            logger.warning("notification queue of %s is full; dropped one for subscription %s",
                           dropped.endpoint, dropped.subscription_id)
            self._record(dropped, utcnow(), "dropped: the endpoint's queue was full")
        if start:
            self._pool.submit(self._drain, notice.endpoint)

    def pending(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._queues.values()) + len(self._busy)

    def wait_idle(self, timeout: float) -> bool:
        """Block until every queue is empty and no send is running; return False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._busy, timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def _drain(self, endpoint: str) -> None:
        while True:
            with self._lock:
                queue = self._queues.get(endpoint)
                if not queue:
                    self._busy.discard(endpoint)
                    self._queues.pop(endpoint, None)
                    self._idle.notify_all()
                    return
                notice = queue.popleft()
            self._deliver(notice)

    def _deliver(self, notice: Notice) -> None:
        try:
            response = self._client.post(notice.uri, content=notice.body, headers=notice.headers)
            failure = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except httpx.TimeoutException:
            failure = f"timed out after {self.timeout:g} s"
        except httpx.HTTPError as exc:
            failure = f"{type(exc).__name__}: {exc}"
        if failure is not None:
            logger.warning("notification for subscription %s to %s failed: %s",
                           notice.subscription_id, notice.uri, failure)
        try:
            self._record(notice, utcnow(), failure)
        except Exception:  # a bookkeeping failure must not stop the endpoint's queue
            logger.exception("could not record delivery of subscription %s", notice.subscription_id)

    def _record(self, notice: Notice, at: dt.datetime, failure: str | None) -> None:
        table = CtxSubscription
        values: dict[str, object] = {}
        if failure is None:
            values["last_success"] = at
        else:
            values.update(last_failure=at, times_failed=table.times_failed + 1,
                          last_failure_reason=failure[:500])
        with self.db.session(NOTIFIER_ACTOR) as session:
            session.execute(update(table).where(table.pk == notice.subscription_pk).values(**values))
