"""Create, read, update and delete subscriptions, and render them as the API returns them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from citybase.context.errors import AlreadyExists, BadRequestData, ResourceNotFound
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.subscriptions.models import CtxPendingNotification, CtxSubscription
from citybase.context.subscriptions.payload import ParsedSubscription, parse_subscription, strip_state
from citybase.context.subscriptions.secrets import mask_document, restore_masked
from citybase.context.times import format_datetime


def create(session: Session, parsed: ParsedSubscription, context: Any, owner: str | None,
           now: dt.datetime) -> CtxSubscription:
    """Store a new subscription; raise AlreadyExists when its id is taken."""
    if find(session, parsed.id) is not None:
        raise AlreadyExists(_("Subscription {id!r} already exists."), id=parsed.id)
    row = CtxSubscription(subscription_id=parsed.id, context=context, owner=owner, created_at=now,
                          modified_at=now, times_sent=0, times_failed=0)
    _apply(row, parsed, now)
    session.add(row)
    session.flush()
    return row


def find(session: Session, subscription_id: str) -> CtxSubscription | None:
    return session.scalar(select(CtxSubscription).where(CtxSubscription.subscription_id == subscription_id))


def require(session: Session, subscription_id: str) -> CtxSubscription:
    row = find(session, subscription_id)
    if row is None:
        raise ResourceNotFound(_("Subscription {id!r} was not found."), id=subscription_id)
    return row


def drop_pending(session: Session, row: CtxSubscription) -> None:
    """Forget the notifications of ``row`` that are not sent yet (the subscription is being deleted)."""
    session.execute(delete(CtxPendingNotification).where(CtxPendingNotification.subscription_pk == row.pk))


def page(session: Session, limit: int, offset: int) -> tuple[list[CtxSubscription], int]:
    total = session.scalar(select(func.count()).select_from(CtxSubscription)) or 0
    rows = session.scalars(select(CtxSubscription).order_by(CtxSubscription.pk).offset(offset).limit(limit))
    return list(rows), total


def update(session: Session, row: CtxSubscription, fragment: dict[str, Any], active: ActiveContext,
           now: dt.datetime) -> None:
    """Replace the members ``fragment`` names (null removes one) and check the result as a whole.

    V1.6.1 clause 5.8.2 replaces each term of the fragment, so a ``notification`` in the
    fragment must be complete, endpoint included. Masked endpoint credentials sent back
    keep the stored values.
    """
    if fragment.get("id", row.subscription_id) != row.subscription_id:
        raise BadRequestData(_("The id of a subscription cannot be changed (body names {value!r})."),
                             value=fragment.get("id"))
    merged = dict(row.document)
    for member, value in strip_state(fragment).items():
        if member in ("@context", "id"):
            continue
        if member == "notification" and isinstance(value, dict) and isinstance(value.get("endpoint"), dict):
            stored = (merged.get("notification") or {}).get("endpoint") or {}
            value = {**value, "endpoint": restore_masked(value["endpoint"], stored)}
        if value is None:
            merged.pop(member, None)
        else:
            merged[member] = value
    _apply(row, parse_subscription(merged, active, now), now)
    row.modified_at = now


def _apply(row: CtxSubscription, parsed: ParsedSubscription, now: dt.datetime) -> None:
    row.document = parsed.document
    row.name = parsed.name
    row.entity_types = parsed.entity_types
    row.watched_attributes = parsed.watched_attributes
    row.is_active = parsed.is_active
    row.expires_at = parsed.expires_at
    row.throttling = parsed.throttling


def status_of(row: CtxSubscription, now: dt.datetime) -> str:
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "active" if row.is_active else "paused"


def render(row: CtxSubscription, now: dt.datetime, sys_attrs: bool = False) -> dict[str, Any]:
    """Return the subscription with its status and notification counters, endpoint credentials masked."""
    document = mask_document(dict(row.document))
    document["status"] = status_of(row, now)
    notification = dict(document.get("notification") or {})
    notification.setdefault("format", "normalized")
    notification["endpoint"] = {"accept": "application/json", **notification.get("endpoint", {})}
    notification["timesSent"] = row.times_sent
    if row.times_failed:
        notification["timesFailed"] = row.times_failed
    for member, value in (("lastNotification", row.last_notification), ("lastSuccess", row.last_success),
                          ("lastFailure", row.last_failure)):
        if value is not None:
            notification[member] = format_datetime(value)
    # status reports the last attempt (clause 5.2.14), so there is none before the first
    # notification. A notification still being sent counts as ok until it fails.
    if row.times_sent or row.last_success is not None or row.last_failure is not None:
        failed_last = row.last_failure is not None and (
            row.last_success is None or row.last_failure >= row.last_success)
        notification["status"] = "failed" if failed_last else "ok"
    document["notification"] = notification
    if sys_attrs:
        document["createdAt"] = format_datetime(row.created_at)
        document["modifiedAt"] = format_datetime(row.modified_at)
    return document


def recompact(document: dict[str, Any], written: ActiveContext, reader: ActiveContext) -> dict[str, Any]:
    """Return ``document`` with its entity types and attribute names compacted with ``reader``.

    A stored subscription keeps the names as written, in the terms of ``written`` (its own
    @context). A read returns them in the terms of the reader's @context (clause 6.3.5).
    """
    if written is reader:
        return document

    def attribute(name: str) -> str:
        iri = written.expand_iri(name)
        return reader.compact_iri(iri) if iri else name

    def types(value: str) -> str:
        # Each name of the type expression is replaced; its operators and parentheses stay.
        return re.sub(r"[^\s,;|()]+", lambda match: attribute(match.group()), value)

    result = dict(document)
    if isinstance(result.get("entities"), list):
        result["entities"] = [{**selector, "type": types(selector["type"])}
                              if isinstance(selector, dict) and isinstance(selector.get("type"), str) else selector
                              for selector in result["entities"]]
    if isinstance(result.get("watchedAttributes"), list):
        result["watchedAttributes"] = [attribute(name) for name in result["watchedAttributes"]]
    notification = result.get("notification")
    if isinstance(notification, dict) and isinstance(notification.get("attributes"), list):
        result["notification"] = {**notification, "attributes": [attribute(n) for n in notification["attributes"]]}
    geo = result.get("geoQ")
    if isinstance(geo, dict) and isinstance(geo.get("geoproperty"), str):
        result["geoQ"] = {**geo, "geoproperty": attribute(geo["geoproperty"])}
    # NOTE: attribute names inside q stay in the terms the subscription was written with.
    return result
