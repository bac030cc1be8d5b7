"""The change event listener that queues entity changes for the notifier.

The broker publishes every entity write to its listeners inside the writing
transaction (:mod:`citybase.context.service.events`). This listener adds one
``ctx_pending_changes`` row per changed entity in that same transaction, but only
while some subscription is active, so a broker without subscriptions pays one
small SELECT per write request and nothing more.

Each row keeps the entity's state after the change and the subscriptions whose q,
scopeQ and geoQ that state matched. The notifier runs later, when the entity may have
changed again: a reading of 15 followed by 5 before the next tick still notifies a
subscription with ``q=flow>10``, showing 15.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from citybase.context.service import events
from citybase.context.subscriptions import notifier
from citybase.context.subscriptions.models import CtxPendingChange, CtxSubscription
from citybase.core.db import utcnow

logger = logging.getLogger(__name__)


def record_changes(session: Session, changes: list[events.EntityChange]) -> None:
    """Queue ``changes`` for the notifier when at least one subscription is active."""
    subscriptions = session.scalars(select(CtxSubscription).where(CtxSubscription.is_active.is_(True))).all()
    if not subscriptions:
        return
    now = utcnow()
    matches = _filter_matches(session, subscriptions, changes)
    rows = [_row(change, now, matches.get(change.entity.id, [])) for change in changes]
    session.execute(insert(CtxPendingChange.__table__), rows)


def _filter_matches(session: Session, subscriptions: Sequence[CtxSubscription],
                    changes: list[events.EntityChange]) -> dict[str, list[int]]:
    """Return, per changed entity id, the subscriptions with filters whose q, scopeQ and geoQ it matches now."""
    ids = [change.entity.id for change in changes if change.kind != events.DELETED]
    matches: dict[str, list[int]] = {}
    if not ids:
        return matches
    for subscription in subscriptions:
        if not notifier.has_filters(subscription):
            continue
        try:
            matched = notifier.matching_ids(session, subscription, ids)
        except Exception:  # a broken subscription must not fail the write; the notifier skips it too
            logger.exception("checking subscription %s against changed entities failed", subscription.subscription_id)
            continue
        for entity_id in matched:
            matches.setdefault(entity_id, []).append(subscription.pk)
    return matches


def _row(change: events.EntityChange, now: Any, filter_matches: list[int]) -> dict[str, Any]:
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
        "snapshot": entity.as_document(),
        "filter_matches": None if deleted else filter_matches,
        "changed_at": now,
    }


def install() -> None:
    """Register the listener (idempotent); the module registration calls it at import."""
    events.add_listener(record_changes)
