"""Tables of NGSI-LD subscriptions and of the notifier's position in the change feed.

``ctx_subscriptions`` keeps each subscription as the client wrote it
(``document``, compacted with the subscription's own ``@context``) together with
the expanded names the notifier matches against and the delivery counters that
the API reports as ``notification.timesSent``, ``lastSuccess`` and ``lastFailure``.

``ctx_pending_changes`` is the queue between the broker's writes and the notifier:
a change event listener adds a row in the writing transaction, so a change that
commits is never lost and one that rolls back never notifies.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Integer, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from citybase.core.db import Base, UTCDateTime

JsonDocument = JSON().with_variant(JSONB(), "postgresql")
# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid, so BigInteger is narrowed there.
BigKey = BigInteger().with_variant(Integer(), "sqlite")


class CtxSubscription(Base):
    """One NGSI-LD subscription and its delivery state."""

    __tablename__ = "ctx_subscriptions"
    # Delivery counters change on every notification; the API audits each request instead.
    __audit__ = False

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(String(1024), unique=True)
    name: Mapped[str | None] = mapped_column(String(300))
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    context: Mapped[Any] = mapped_column(JSON, nullable=True)
    # Expanded entity types of the entity selectors; empty when any type matches.
    entity_types: Mapped[list[str]] = mapped_column(JSON)
    watched_attributes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    throttling: Mapped[float | None] = mapped_column(Float, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(150))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    times_sent: Mapped[int] = mapped_column(Integer, default=0)
    times_failed: Mapped[int] = mapped_column(Integer, default=0)
    last_notification: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_success: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_failure: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_failure_reason: Mapped[str | None] = mapped_column(String(500))


class CtxPendingChange(Base):
    """One entity change waiting for the notifier, written in the transaction of the change.

    Rows are written only while at least one subscription is active, and the notifier
    deletes them once it has matched them, so the table stays short.
    """

    __tablename__ = "ctx_pending_changes"
    __audit__ = False

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(String(1024))
    kind: Mapped[str] = mapped_column(String(16))  # created, updated or deleted
    types: Mapped[list[str]] = mapped_column(JSON)
    attributes: Mapped[list[str]] = mapped_column(JSON)
    deleted_attributes: Mapped[list[str]] = mapped_column(JSON)
    # Written attributes the entity did not have before; NULL when the writer did not tell.
    created_attributes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    # Expanded attribute name -> the instances it had before the change (for showChanges).
    previous: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The entity's state right after the change (for a deleted entity, its last state),
    # so a notification shows the state that matched, not a later one.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Primary keys of the subscriptions with q, scopeQ or geoQ that the entity matched right
    # after the change; NULL in rows queued before this column existed.
    filter_matches: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CtxPendingNotification(Base):
    """One rendered notification waiting for delivery, kept until an attempt has finished.

    The notifier writes it in the transaction that consumes the entity changes, so a
    notification is never lost between matching and sending. A dispatcher claims rows
    for ``claimed_until`` (renewed while it holds them) and deletes each row once its
    attempt has finished, successful or not. A row whose claim expired, because the
    worker stopped mid-delivery, is claimed again and sent again: delivery is at least
    once.
    """

    __tablename__ = "ctx_pending_notifications"
    __audit__ = False

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True, autoincrement=True)
    subscription_pk: Mapped[int] = mapped_column(Integer, index=True)
    subscription_id: Mapped[str] = mapped_column(String(1024))
    uri: Mapped[str] = mapped_column(String(2048))
    headers: Mapped[dict[str, str]] = mapped_column(JSON)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
