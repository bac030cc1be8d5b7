"""The change event listener that queues entity changes for the notifier.

The broker publishes every entity write to its listeners inside the writing
transaction (:mod:`citybase.context.service.events`). This listener adds one
``ctx_pending_changes`` row per changed entity in that same transaction, but only
while some subscription is active, so a broker without subscriptions pays one
small SELECT per write request and nothing more.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from citybase.context.service import events
from citybase.context.subscriptions.models import CtxPendingChange, CtxSubscription
from citybase.core.db import utcnow


def record_changes(session: Session, changes: list[events.EntityChange]) -> None:
    """Queue ``changes`` for the notifier when at least one subscription is active."""
    if session.scalar(select(CtxSubscription.pk).where(CtxSubscription.is_active.is_(True)).limit(1)) is None:
        return
    now = utcnow()
    rows = [_row(change, now) for change in changes]
    session.execute(insert(CtxPendingChange.__table__), rows)


def _row(change: events.EntityChange, now: Any) -> dict[str, Any]:
    entity = change.entity
    deleted = change.kind == events.DELETED
    return {
        "entity_id": entity.id,
        "kind": change.kind,
        "types": list(entity.types),
        "attributes": sorted(change.attributes - change.deleted_attributes),
        "deleted_attributes": sorted(change.deleted_attributes),
        "created_attributes": None if change.created_attributes is None else sorted(change.created_attributes),
        "previous": change.previous,
        "snapshot": entity.as_document() if deleted else None,
        "changed_at": now,
    }


def install() -> None:
    """Register the listener (idempotent); the module registration calls it at import."""
    events.add_listener(record_changes)
