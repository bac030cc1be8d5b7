"""The worker job that turns entity changes into notifications.

The broker appends a ``ctx_attr_instances`` row for every attribute it creates,
changes or deletes, in the transaction of the write, so that table is the change
feed. Each run reads the rows after the stored cursor, groups them by entity,
matches them against the active subscriptions (entity selectors,
watchedAttributes, q, geoQ, throttling) and hands one notification per
subscription to the :class:`Dispatcher`, after the new cursor is committed.

On PostgreSQL a row with a higher ``pk`` can commit before one with a lower pk,
so the run stops at a gap in the pks until the row after it is a few seconds
old. SQLite runs one writer at a time, so pks commit in order there.

NOTE: deleting an entity removes its rows from the feed, so entity deletions
trigger no notification.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import time
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from citybase.context.api.deps import active_context
from citybase.context.api.negotiation import JSON_LD, RequestContext
from citybase.context.api.render import link_header
from citybase.context.entity_compact import RenderOptions, compact_entity
from citybase.context.entity_expand import expand_attribute_name, expand_types
from citybase.context.geo import parse_geoquery
from citybase.context.jsonld.context import ActiveContext
from citybase.context.models import CtxAttrInstance
from citybase.context.query.qlang import parse_q
from citybase.context.service.query import EntityQuery, run_query
from citybase.context.service.store import EntityStore, StoredEntity
from citybase.context.sqlite_functions import install_for_all_engines
from citybase.context.subscriptions.delivery import NOTIFIER_ACTOR, Dispatcher, Notice
from citybase.context.subscriptions.models import CtxNotifierCursor, CtxSubscription
from citybase.context.times import format_datetime
from citybase.core.db import Database

logger = logging.getLogger(__name__)

# `citybase worker` builds no app, so the broker's SQLite functions (regexp for q
# patterns) are registered here, when the registry imports this module and before
# the worker opens its first connection.
install_for_all_engines()

FEED = "ctx_attr_instances"
BATCH_ROWS = 5000
RUN_SECONDS = 2.0
POSTGRES_GAP_GRACE = dt.timedelta(seconds=5)

# Per entity pk: each changed attribute IRI and the time of its latest change.
Changes = dict[int, dict[str, dt.datetime]]


def run_notifier(db: Database, now: dt.datetime) -> int:
    """Job entry point: match new changes and queue their notifications; return how many were queued."""
    return notifier_for(db).queue_changes(db, now)


_notifiers: dict[int, Notifier] = {}
_notifiers_lock = threading.Lock()


def notifier_for(db: Database) -> Notifier:
    """Return the process-wide notifier of ``db``, whose dispatcher keeps its threads between runs."""
    with _notifiers_lock:
        notifier = _notifiers.get(id(db))
        if notifier is None:
            notifier = _notifiers[id(db)] = Notifier(Dispatcher(db))
        return notifier


class Notifier:
    """Reads the change feed and queues notifications on its dispatcher."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    def queue_changes(self, db: Database, now: dt.datetime) -> int:
        queued = 0
        deadline = time.monotonic() + RUN_SECONDS
        while True:
            with db.session(NOTIFIER_ACTOR) as session:
                cursor = _cursor(session)
                changes, position = read_changes(session, cursor.position, now)
                if position == cursor.position:
                    return queued
                notices = build_notices(session, changes, now)
                cursor.position = position
            for notice in notices:
                self.dispatcher.submit(notice)
            queued += len(notices)
            if time.monotonic() > deadline:
                return queued


def _cursor(session: Session) -> CtxNotifierCursor:
    cursor = session.get(CtxNotifierCursor, FEED, with_for_update=True)
    if cursor is None:
        # A new installation starts at the end of the feed, so old history sends no notification.
        latest = session.scalar(select(func.max(CtxAttrInstance.pk))) or 0
        cursor = CtxNotifierCursor(name=FEED, position=latest)
        session.add(cursor)
    return cursor


def read_changes(session: Session, after: int, now: dt.datetime) -> tuple[Changes, int]:
    """Return the changed attributes per entity pk after ``after``, and the new cursor position."""
    table = CtxAttrInstance
    rows = session.execute(
        select(table.pk, table.entity_pk, table.attr_iri, table.modified_at)
        .where(table.pk > after).order_by(table.pk).limit(BATCH_ROWS)
    ).all()
    check_gaps = session.get_bind().dialect.name == "postgresql"
    changes: Changes = defaultdict(dict)
    position = after
    for row in rows:
        if check_gaps and row.pk != position + 1 and now - row.modified_at < POSTGRES_GAP_GRACE:
            break
        changes[row.entity_pk][row.attr_iri] = row.modified_at
        position = row.pk
    return changes, position


def build_notices(session: Session, changes: Changes, now: dt.datetime) -> list[Notice]:
    """Match changed entities against active subscriptions; return one notice per matching subscription."""
    if not changes:
        return []
    subscriptions = session.scalars(select(CtxSubscription).where(
        CtxSubscription.is_active.is_(True),
        or_(CtxSubscription.expires_at.is_(None), CtxSubscription.expires_at > now),
    )).all()
    if not subscriptions:
        return []
    entities = EntityStore(session).load_by_pk(sorted(changes))
    notices = []
    for subscription in subscriptions:
        if _throttled(subscription, now):
            continue
        try:
            matched = match(session, subscription, entities, changes)
            if matched:
                notices.append(build_notice(subscription, matched, now))
                subscription.last_notification = now
        except Exception:  # one broken subscription must not block the others
            logger.exception("matching subscription %s failed", subscription.subscription_id)
    return notices


def _throttled(subscription: CtxSubscription, now: dt.datetime) -> bool:
    if not subscription.throttling or subscription.last_notification is None:
        return False
    return (now - subscription.last_notification).total_seconds() < subscription.throttling


def match(session: Session, subscription: CtxSubscription, entities: list[StoredEntity],
          changes: Changes) -> list[StoredEntity]:
    """Return the changed entities this subscription selects and watches, after its q and geoQ."""
    active = active_context(subscription.context)
    selectors = subscription.document.get("entities")
    watched = set(subscription.watched_attributes or ())
    candidates = []
    for entity in entities:
        # Changes written before the subscription was created do not notify it.
        changed = {iri for iri, at in changes.get(entity.pk or 0, {}).items() if at >= subscription.created_at}
        if changed and (not watched or watched & changed) and _selected(entity, selectors, active):
            candidates.append(entity)
    q_text = subscription.document.get("q")
    geo = subscription.document.get("geoQ")
    if not candidates or not (q_text or geo):
        return candidates
    geoproperty = (geo or {}).get("geoproperty")
    query = EntityQuery(
        expand=lambda name: expand_attribute_name(name, active),
        ids=[e.id for e in candidates],
        q=parse_q(q_text) if q_text else None,
        geo=parse_geoquery((geo or {}).get("georel"), (geo or {}).get("geometry"), (geo or {}).get("coordinates"),
                           expand_attribute_name(geoproperty, active) if geoproperty else active.expand_iri("location"))
        if geo else None,
        limit=len(candidates),
    )
    kept = {e.id for e in run_query(session, query).entities}
    return [e for e in candidates if e.id in kept]


def _selected(entity: StoredEntity, selectors: list[dict[str, Any]] | None, active: ActiveContext) -> bool:
    if not selectors:
        return True
    for selector in selectors:
        types = expand_types([t.strip() for t in selector["type"].split(",")], active)
        if not set(types) & set(entity.types):
            continue
        if selector.get("id") is not None and selector["id"] != entity.id:
            continue
        if selector.get("idPattern") is not None and not re.search(selector["idPattern"], entity.id):
            continue
        return True
    return False


def build_notice(subscription: CtxSubscription, entities: list[StoredEntity], now: dt.datetime) -> Notice:
    """Render the notification of ``entities`` in the subscription's format, context and accept type."""
    active = active_context(subscription.context)
    notification = subscription.document["notification"]
    attrs = notification.get("attributes")
    options = RenderOptions(
        notification.get("format", "normalized"),
        bool(notification.get("sysAttrs", False)),
        frozenset(expand_attribute_name(a, active) for a in attrs) if attrs else None,
        subscription.document.get("lang"),
    )
    body: dict[str, Any] = {
        "id": f"urn:ngsi-ld:Notification:{uuid.uuid4()}",
        "type": "Notification",
        "subscriptionId": subscription.subscription_id,
        "notifiedAt": format_datetime(now),
        "data": [compact_entity(e.as_document(), active, options) for e in entities],
    }
    endpoint = notification["endpoint"]
    accept = endpoint.get("accept", "application/json")
    context = RequestContext(subscription.context)
    headers = {"Content-Type": accept}
    if accept == JSON_LD:
        body["@context"] = context.body_value
    else:
        headers["Link"] = link_header(context)
    for item in endpoint.get("receiverInfo") or ():
        headers[item["key"]] = item["value"]
    encoded = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return Notice(subscription.pk, subscription.subscription_id, endpoint["uri"], headers, encoded)
