"""Durable HTTP and MQTT delivery of notifications on a bounded thread pool, one queue per endpoint.

The notifier writes each notification as a ``ctx_pending_notifications`` row in
the transaction that consumes the entity changes. :meth:`Dispatcher.poll` claims
rows for this dispatcher (``claimed_by``, ``claimed_until``) and hands them to
per-endpoint queues in memory. Each endpoint (scheme, host and port of the
notification URI) has its own queue, and at most one pool thread sends to it at
a time, in order. A slow or dead endpoint therefore occupies one thread for at
most ``timeout`` seconds per notification, while the other endpoints' queues are
drained by the other threads; a queue contains at most ``max_pending`` rows, the
others wait in the table.

When an attempt finishes, one transaction deletes the row and records
lastSuccess, or lastFailure and timesFailed, on the subscription. An endpoint
that fails or answers outside 2xx is not retried (the failure shows in the
subscription's status). Delivery is at least once: a row stays in the table
until its attempt has finished, every poll renews the claims the dispatcher
holds, :meth:`Dispatcher.close` releases the rows it has not finished, and a row
whose claim expired because its process died is claimed again by the next
dispatcher. A notification interrupted mid-send is therefore sent again.

Notices to an ``mqtt://`` or ``mqtts://`` uri go through the same queues and
bookkeeping; :class:`citybase.context.subscriptions.mqtt.Connections` publishes
them on one kept connection per broker, and their ``headers`` hold the
endpoint's notifierInfo (MQTT-Version, MQTT-QoS) since the HTTP headers travel
inside the MQTT message.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from sqlalchemy import delete, or_, select, update

from citybase.context.subscriptions import mqtt
from citybase.context.subscriptions.models import CtxPendingNotification, CtxSubscription
from citybase.core.audit import Actor
from citybase.core.db import Database, utcnow

logger = logging.getLogger(__name__)

NOTIFIER_ACTOR = Actor("system", "ngsi-ld-notifier")
DEFAULT_WORKERS = 8
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_PENDING = 1000
# How long a claim lasts without renewal; each poll (every worker tick) renews it.
DEFAULT_LEASE_SECONDS = 120.0
CLAIM_BATCH = 500


@dataclass(frozen=True)
class Notice:
    """One notification ready to send: the target, the headers and the encoded body."""

    subscription_pk: int
    subscription_id: str
    uri: str
    headers: dict[str, str]
    body: bytes
    pk: int | None = None  # its ctx_pending_notifications row, once stored

    @property
    def endpoint(self) -> str:
        return endpoint_of(self.uri)


def endpoint_of(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def store_notice(session, notice: Notice, now: dt.datetime) -> None:
    """Add ``notice`` to the durable queue in ``session``'s transaction."""
    session.add(CtxPendingNotification(
        subscription_pk=notice.subscription_pk, subscription_id=notice.subscription_id, uri=notice.uri,
        headers=notice.headers, body=notice.body, created_at=now,
    ))


class Dispatcher:
    """Send stored notices concurrently across endpoints and in order within one endpoint."""

    def __init__(self, db: Database, workers: int = DEFAULT_WORKERS, timeout: float = DEFAULT_TIMEOUT_SECONDS,
                 max_pending: int = DEFAULT_MAX_PENDING, lease: float = DEFAULT_LEASE_SECONDS) -> None:
        self.db = db
        self.timeout = timeout
        self.max_pending = max_pending
        self.lease = lease
        self.token = uuid.uuid4().hex
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ngsi-ld-notify")
        # trust_env=False: notifications go to the subscriber's URI, never through a proxy from the environment.
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), trust_env=False)
        self.mqtt = mqtt.Connections(timeout)
        self._queues: dict[str, deque[Notice]] = {}
        self._busy: set[str] = set()
        self._held: set[int] = set()  # pks claimed and not finished
        self._closed = False
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._poll_lock = threading.Lock()

    def poll(self) -> int:
        """Renew this dispatcher's claims, claim unclaimed or expired rows and queue them; return how many."""
        if self._closed:
            return 0
        with self._poll_lock:
            now = utcnow()
            until = now + dt.timedelta(seconds=self.lease)
            table = CtxPendingNotification
            with self.db.session(NOTIFIER_ACTOR) as session:
                with self._lock:
                    held = sorted(self._held)
                    room = {endpoint: self.max_pending - len(queue) for endpoint, queue in self._queues.items()}
                for start in range(0, len(held), CLAIM_BATCH):
                    session.execute(update(table).where(table.pk.in_(held[start:start + CLAIM_BATCH]))
                                    .values(claimed_by=self.token, claimed_until=until))
                statement = (select(table).where(or_(table.claimed_until.is_(None), table.claimed_until < now))
                             .order_by(table.pk).limit(CLAIM_BATCH))
                if session.get_bind().dialect.name == "postgresql":
                    statement = statement.with_for_update(skip_locked=True)
                claimed: list[Notice] = []
                mine = set(held)
                for row in session.scalars(statement):
                    if row.pk in mine:
                        continue
                    endpoint = endpoint_of(row.uri)
                    if room.get(endpoint, self.max_pending) <= 0:
                        continue
                    room[endpoint] = room.get(endpoint, self.max_pending) - 1
                    row.claimed_by, row.claimed_until = self.token, until
                    claimed.append(Notice(row.subscription_pk, row.subscription_id, row.uri, dict(row.headers),
                                          bytes(row.body), row.pk))
            for notice in claimed:
                self._enqueue(notice)
            return len(claimed)

    def submit(self, notice: Notice) -> None:
        """Store ``notice`` in the durable queue and send it."""
        with self.db.session(NOTIFIER_ACTOR) as session:
            store_notice(session, notice, utcnow())
        self.poll()

    def _enqueue(self, notice: Notice) -> None:
        with self._lock:
            if self._closed:
                return
            if notice.pk is not None:
                self._held.add(notice.pk)
            self._queues.setdefault(notice.endpoint, deque()).append(notice)
            start = notice.endpoint not in self._busy
            if start:
                self._busy.add(notice.endpoint)
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
        """Stop sending and release the rows not yet finished, so the next dispatcher sends them at once."""
        with self._lock:
            self._closed = True
            self._queues.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
        try:
            table = CtxPendingNotification
            with self.db.session(NOTIFIER_ACTOR) as session:
                session.execute(update(table).where(table.claimed_by == self.token)
                                .values(claimed_by=None, claimed_until=None))
        except Exception:  # the claims then expire after the lease
            logger.exception("could not release the notifications of dispatcher %s", self.token)
        self._client.close()
        self.mqtt.close()

    def _drain(self, endpoint: str) -> None:
        while True:
            with self._lock:
                queue = self._queues.get(endpoint)
                if not queue or self._closed:
                    self._busy.discard(endpoint)
                    self._queues.pop(endpoint, None)
                    self._idle.notify_all()
                    return
                notice = queue.popleft()
            self._deliver(notice)

    def _deliver(self, notice: Notice) -> None:
        if urlsplit(notice.uri).scheme.lower() in mqtt.SCHEMES:
            self._publish(notice)
            return
        try:
            response = self._client.post(notice.uri, content=notice.body, headers=notice.headers)
            failure = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except httpx.TimeoutException:
            failure = f"timed out after {self.timeout:g} s"
        except httpx.HTTPError as exc:
            failure = f"{type(exc).__name__}: {exc}"
        except RuntimeError:  # the client was closed while this send waited: the row stays for the next dispatcher
            return
        self._finish(notice, failure)

    def _publish(self, notice: Notice) -> None:
        try:
            failure = self.mqtt.publish(notice.uri, notice.body, notice.headers)
        except Exception as exc:  # a malformed stored row or a client error: record it, keep the queue going
            failure = f"{type(exc).__name__}: {exc}"
        self._finish(notice, failure)

    def _finish(self, notice: Notice, failure: str | None) -> None:
        if self._closed:  # stopped mid-send: the row was released and the next dispatcher sends it again
            return
        if failure is not None:
            logger.warning("notification for subscription %s to %s failed: %s",
                           notice.subscription_id, mqtt.redact(notice.uri), failure)
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
            if notice.pk is not None:
                pending = CtxPendingNotification
                session.execute(delete(pending).where(pending.pk == notice.pk))
        if notice.pk is not None:
            with self._lock:
                self._held.discard(notice.pk)
