"""The worker job that turns queued entity changes into notifications.

Each run takes the oldest ``ctx_pending_changes`` rows, matches them against the
active subscriptions (entity selectors, notificationTrigger, watchedAttributes,
q, geoQ, throttling), and in the same transaction deletes the rows and stores one
notification per subscription in ``ctx_pending_notifications``; the
:class:`Dispatcher` then sends them. Rows are deleted rather than tracked by a
cursor, so a transaction that commits late is still seen.

Triggers (ETSI GS CIM 009 V1.6.1, clause 5.2.12): without ``notificationTrigger``
a subscription fires on attributeCreated and attributeUpdated. An entity's
creation fires entityCreated and attributeCreated. An update fires entityUpdated,
attributeCreated for the attributes the entity did not have before the request,
attributeUpdated for the others, and attributeDeleted when it removed
attributes (through a delete request or the NGSI-LD null). A deletion fires
entityDeleted.

The q and geoQ of a subscription are checked only for entities that still
exist, so every entityDeleted change of a selected entity notifies.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from citybase.context.api.common import type_expander
from citybase.context.api.deps import active_context
from citybase.context.api.negotiation import JSON_LD, RequestContext
from citybase.context.api.render import link_header
from citybase.context.entity_compact import RenderOptions, compact_entity
from citybase.context.entity_expand import expand_attribute_name
from citybase.context.geo import parse_geoquery
from citybase.context.jsonld.context import ActiveContext
from citybase.context.query.qlang import parse_q
from citybase.context.query.typeexpr import parse_type_expression
from citybase.context.scope import parse_scope_q
from citybase.context.service.query import EntityQuery, run_query
from citybase.context.service.store import EntityStore, StoredEntity
from citybase.context.sqlite_functions import install_for_all_engines
from citybase.context.subscriptions import mqtt
from citybase.context.subscriptions.delivery import NOTIFIER_ACTOR, Dispatcher, Notice, store_notice
from citybase.context.subscriptions.models import CtxPendingChange, CtxSubscription
from citybase.context.temporal.service import NULL_URI, attribute_kinds, deletion_marker
from citybase.context.times import format_datetime
from citybase.core.db import Database

logger = logging.getLogger(__name__)

# `citybase worker` builds no app, so the broker's SQLite functions (regexp for q
# patterns) are registered here, when the registry imports this module and before
# the worker opens its first connection.
install_for_all_engines()

BATCH_ROWS = 2000
# Maximum number of entities in one periodic (timeInterval) notification.
PERIODIC_LIMIT = 1000
RUN_SECONDS = 2.0
DEFAULT_TRIGGERS = frozenset({"attributeCreated", "attributeUpdated"})


def run_notifier(db: Database, now: dt.datetime) -> int:
    """Job entry point: match queued changes and queue their notifications; return how many."""
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
    """Reads the queue of pending changes and stores notifications for its dispatcher to send."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    def queue_changes(self, db: Database, now: dt.datetime) -> int:
        queued = 0
        deadline = time.monotonic() + RUN_SECONDS
        while True:
            with db.session(NOTIFIER_ACTOR) as session:
                rows = _take_pending(session)
                notices = periodic_notices(session, now) if queued == 0 else []
                if rows:
                    notices += build_notices(session, rows, now)
                    session.execute(delete(CtxPendingChange).where(CtxPendingChange.pk.in_([r.pk for r in rows])))
                for notice in notices:
                    store_notice(session, notice, now)
            # Sends what this run stored, and what an earlier run or a stopped worker left unsent.
            self.dispatcher.poll()
            queued += len(notices)
            if not rows or time.monotonic() > deadline:
                return queued


def _take_pending(session: Session) -> list[CtxPendingChange]:
    statement = select(CtxPendingChange).order_by(CtxPendingChange.pk).limit(BATCH_ROWS)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(session.scalars(statement))


# ---- matching -------------------------------------------------------------------------------------

@dataclass
class Hit:
    """The changes of one entity that one subscription notifies."""

    entity_id: str
    changed_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    snapshot: dict[str, Any] | None = None
    deleted_attributes: set[str] = field(default_factory=set)
    # Expanded attribute name -> its instances before the first change this hit covers.
    previous: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The entity's state after the last change this hit covers, when the change stored it.
    state: dict[str, Any] | None = None
    # True when the subscription's q, scopeQ and geoQ were checked as the change was written.
    decided: bool = False


def build_notices(session: Session, rows: list[CtxPendingChange], now: dt.datetime) -> list[Notice]:
    """Match pending changes against active subscriptions; return one notice per matching subscription."""
    subscriptions = session.scalars(select(CtxSubscription).where(
        CtxSubscription.is_active.is_(True),
        or_(CtxSubscription.expires_at.is_(None), CtxSubscription.expires_at > now),
    )).all()
    if not subscriptions:
        return []
    current = EntityStore(session).load(r.entity_id for r in rows)
    notices = []
    for subscription in subscriptions:
        if subscription.document.get("timeInterval") or _throttled(subscription, now):
            continue
        try:
            hits = match(session, subscription, rows, current)
            if hits:
                notices.append(build_notice(session, subscription, hits, current, now))
                _count_sent(subscription, now)
        except Exception:  # one broken subscription must not block the others
            logger.exception("matching subscription %s failed", subscription.subscription_id)
    return notices


def _count_sent(subscription: CtxSubscription, now: dt.datetime) -> None:
    subscription.last_notification = now
    subscription.times_sent = (subscription.times_sent or 0) + 1


def periodic_notices(session: Session, now: dt.datetime) -> list[Notice]:
    """Notify each subscription with a timeInterval that is due with all the entities it selects."""
    subscriptions = session.scalars(select(CtxSubscription).where(
        CtxSubscription.is_active.is_(True),
        or_(CtxSubscription.expires_at.is_(None), CtxSubscription.expires_at > now),
    )).all()
    notices = []
    for subscription in subscriptions:
        interval = subscription.document.get("timeInterval")
        last = subscription.last_notification
        if not interval or (last is not None and (now - last).total_seconds() < interval):
            continue
        try:
            entities = _selected_entities(session, subscription)
            if entities:
                current = {e.id: e for e in entities}
                hits = [Hit(e.id) for e in entities]
                notices.append(build_notice(session, subscription, hits, current, now))
                _count_sent(subscription, now)
        except Exception:  # one broken subscription must not block the others
            logger.exception("periodic notification of subscription %s failed", subscription.subscription_id)
    return notices


def _selected_entities(session: Session, subscription: CtxSubscription) -> list[StoredEntity]:
    """Run the subscription's entity selectors, q, scopeQ and geoQ as queries; return the union, in id order."""
    active = active_context(subscription.context)
    document = subscription.document
    geo = document.get("geoQ")
    geoproperty = (geo or {}).get("geoproperty")
    found: dict[str, StoredEntity] = {}
    for selector in document.get("entities") or [{}]:
        types = parse_type_expression(selector["type"]).map(type_expander(active)) if selector.get("type") else None
        query = EntityQuery(
            expand=lambda name: expand_attribute_name(name, active),
            ids=[selector["id"]] if selector.get("id") else None,
            id_pattern=selector.get("idPattern"),
            types=types,
            attrs=subscription.watched_attributes,
            q=parse_q(document["q"]) if document.get("q") else None,
            scope_q=parse_scope_q(document["scopeQ"]) if document.get("scopeQ") else None,
            geo=parse_geoquery(geo.get("georel"), geo.get("geometry"), geo.get("coordinates"),
                               expand_attribute_name(geoproperty, active) if geoproperty
                               else active.expand_iri("location")) if geo else None,
            limit=PERIODIC_LIMIT,
        )
        for entity in run_query(session, query).entities:
            found[entity.id] = entity
    return [found[key] for key in sorted(found)]


def _throttled(subscription: CtxSubscription, now: dt.datetime) -> bool:
    if not subscription.throttling or subscription.last_notification is None:
        return False
    return (now - subscription.last_notification).total_seconds() < subscription.throttling


def fired_triggers(row: CtxPendingChange, watched: set[str]) -> tuple[set[str], set[str]]:
    """Return the triggers a change fires and the watched attributes it deleted."""
    written = set(row.attributes)
    removed = set(row.deleted_attributes)
    if watched:
        written &= watched
        removed &= watched
    if row.kind == "deleted":
        # Deleting an entity deletes all its attributes as well.
        gone = set((row.snapshot or {}).get("attrs", {}))
        if watched:
            gone &= watched
        return ({"entityDeleted", "attributeDeleted"} if gone else {"entityDeleted"}), gone
    fired: set[str] = set()
    if row.kind == "created":
        fired.add("entityCreated")
        if written:
            fired.add("attributeCreated")
        return fired, set()
    if written:
        fired.add("entityUpdated")
        if row.created_attributes is None:
            fired |= {"attributeUpdated", "attributeCreated"}
        else:
            if written & set(row.created_attributes):
                fired.add("attributeCreated")
            if written - set(row.created_attributes):
                fired.add("attributeUpdated")
    if removed:
        fired |= {"entityUpdated", "attributeDeleted"}
    return fired, removed


def match(session: Session, subscription: CtxSubscription, rows: list[CtxPendingChange],
          current: dict[str, StoredEntity]) -> list[Hit]:
    """Return the entities this subscription notifies about, in the order of their changes."""
    active = active_context(subscription.context)
    document = subscription.document
    triggers = set(document.get("notificationTrigger") or DEFAULT_TRIGGERS)
    watched = set(subscription.watched_attributes or ())
    filtered = has_filters(subscription)
    hits: dict[str, Hit] = {}
    for row in rows:
        # Changes written before the subscription was created do not notify it.
        if row.changed_at < subscription.created_at or not _selected(row, document.get("entities"), active):
            continue
        fired, removed = fired_triggers(row, watched)
        if not fired & triggers:
            continue
        decided = row.kind != "deleted" and row.filter_matches is not None and filtered
        if decided and subscription.pk not in row.filter_matches:
            # The entity did not match q, scopeQ or geoQ right after this change.
            continue
        hit = hits.setdefault(row.entity_id, Hit(row.entity_id))
        before = (row.snapshot or {}).get("attrs", {}) if row.kind == "deleted" else (row.previous or {})
        for iri, instances in before.items():
            hit.previous.setdefault(iri, instances)
        hit.changed_at = row.changed_at
        if row.kind == "deleted":
            hit.deleted_at, hit.snapshot, hit.state, hit.decided = row.changed_at, row.snapshot, None, False
        else:
            hit.deleted_at, hit.snapshot = None, None
            hit.state, hit.decided = row.snapshot, decided
        if "attributeDeleted" in fired & triggers:
            hit.deleted_attributes |= removed
        elif row.kind == "deleted":
            hit.deleted_attributes = set()
    return _filter_q_and_geo(session, subscription, list(hits.values()), current, active)


def _selected(row: CtxPendingChange, selectors: list[dict[str, Any]] | None, active: ActiveContext) -> bool:
    if not selectors:
        return True
    for selector in selectors:
        if not parse_type_expression(selector["type"]).map(type_expander(active)).matches(set(row.types)):
            continue
        if selector.get("id") is not None and selector["id"] != row.entity_id:
            continue
        if selector.get("idPattern") is not None and not re.search(selector["idPattern"], row.entity_id):
            continue
        return True
    return False


def has_filters(subscription: CtxSubscription) -> bool:
    """Tell whether the subscription narrows its entities with q, scopeQ or geoQ."""
    document = subscription.document
    return bool(document.get("q") or document.get("scopeQ") or document.get("geoQ"))


def matching_ids(session: Session, subscription: CtxSubscription, entity_ids: list[str]) -> set[str]:
    """Return the ids among ``entity_ids`` whose stored state matches the subscription's q, scopeQ and geoQ."""
    active = active_context(subscription.context)
    document = subscription.document
    q_text = document.get("q")
    scope_text = document.get("scopeQ")
    geo = document.get("geoQ")
    geoproperty = (geo or {}).get("geoproperty")
    query = EntityQuery(
        expand=lambda name: expand_attribute_name(name, active),
        ids=entity_ids,
        q=parse_q(q_text) if q_text else None,
        scope_q=parse_scope_q(scope_text) if scope_text else None,
        geo=parse_geoquery((geo or {}).get("georel"), (geo or {}).get("geometry"), (geo or {}).get("coordinates"),
                           expand_attribute_name(geoproperty, active) if geoproperty else active.expand_iri("location"))
        if geo else None,
        limit=len(entity_ids),
    )
    return {entity.id for entity in run_query(session, query).entities}


def _filter_q_and_geo(session: Session, subscription: CtxSubscription, hits: list[Hit],
                      current: dict[str, StoredEntity], active: ActiveContext) -> list[Hit]:
    """Keep the hits whose entity matched the filters; hits decided when their change was written are kept."""
    undecided = [h for h in hits if h.deleted_at is None and not h.decided and h.entity_id in current]
    if not has_filters(subscription) or not undecided:
        return [h for h in hits if h.deleted_at is not None or (h.decided and h.state) or h.entity_id in current]
    # Changes queued before the write-time check existed are matched against the entity's state now.
    matched = matching_ids(session, subscription, [h.entity_id for h in undecided])
    return [h for h in hits if h.deleted_at is not None or (h.decided and h.state) or h.entity_id in matched]


# ---- rendering ------------------------------------------------------------------------------------

def build_notice(session: Session, subscription: CtxSubscription, hits: list[Hit],
                 current: dict[str, StoredEntity], now: dt.datetime) -> Notice:
    """Render the notification in the subscription's format, context and accept type."""
    active = active_context(subscription.context)
    notification = subscription.document["notification"]
    attrs = notification.get("attributes")
    options = RenderOptions(
        notification.get("format", "normalized"),
        bool(notification.get("sysAttrs", False)),
        frozenset(expand_attribute_name(a, active) for a in attrs) if attrs else None,
        subscription.document.get("lang"),
    )
    show_changes = bool(notification.get("showChanges")) and options.format != "keyValues"
    body: dict[str, Any] = {
        "id": f"urn:ngsi-ld:Notification:{uuid.uuid4()}",
        "type": "Notification",
        "subscriptionId": subscription.subscription_id,
        "notifiedAt": format_datetime(now),
        "data": [_render_hit(session, hit, current, active, options, show_changes) for hit in hits],
    }
    endpoint = notification["endpoint"]
    accept = endpoint.get("accept", "application/json")
    context = RequestContext(subscription.context)
    headers = {"Content-Type": accept}
    if accept == JSON_LD:
        body["@context"] = context.body_value
        for item in body["data"]:
            item["@context"] = context.body_value
    else:
        headers["Link"] = link_header(RequestContext(_single_url(subscription.context)))
    for item in endpoint.get("receiverInfo") or ():
        headers[item["key"]] = item["value"]
    if urlsplit(endpoint["uri"]).scheme.lower() in mqtt.SCHEMES:
        # MQTT has no headers: they travel in the message, and the notice keeps the publishing options.
        message = mqtt.envelope(headers, body)
        options = {item["key"]: item["value"] for item in endpoint.get("notifierInfo") or ()
                   if item["key"] in (mqtt.VERSION_KEY, mqtt.QOS_KEY)}
        encoded = json.dumps(message, ensure_ascii=False).encode("utf-8")
        return Notice(subscription.pk, subscription.subscription_id, endpoint["uri"], options, encoded)
    encoded = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return Notice(subscription.pk, subscription.subscription_id, endpoint["uri"], headers, encoded)


def _single_url(context: Any) -> Any:
    """Return the context URL for a Link header; a list containing one URL counts as that URL."""
    if isinstance(context, list) and len(context) == 1 and isinstance(context[0], str):
        return context[0]
    return context


def _render_hit(session: Session, hit: Hit, current: dict[str, StoredEntity], active: ActiveContext,
                options: RenderOptions, show_changes: bool = False) -> dict[str, Any]:
    if hit.deleted_at is not None:
        if show_changes:  # the deleted entity's attributes are shown as nulls with their last values
            hit.deleted_attributes = set((hit.snapshot or {}).get("attrs", {}))
        rendered = _render_deleted(hit, active, options)
        if show_changes:
            _add_previous(rendered, hit, active, options)
        return rendered
    entity = current.get(hit.entity_id)
    # A hit decided at write time shows the state that matched, even if the entity changed since.
    document = hit.state if hit.decided and hit.state is not None else entity.as_document()
    pk = entity.pk if entity is not None and entity.pk is not None else 0
    rendered = compact_entity(document, active, options)
    if options.sys_attrs and options.format == "keyValues":
        rendered.update(createdAt=document["createdAt"], modifiedAt=document["modifiedAt"])
    removed = [iri for iri in sorted(hit.deleted_attributes) if iri not in document["attrs"]]
    kinds = attribute_kinds(session, {(pk, iri) for iri in removed}) if removed else {}
    _add_null_attributes(rendered, {iri: kinds.get((pk, iri), "Property") for iri in removed},
                         hit.changed_at, active, options, hit.previous)
    if show_changes:
        _add_previous(rendered, hit, active, options)
    return rendered


# The member of each attribute type that contains its value, and the member in which showChanges puts the old value.
_PREVIOUS_MEMBERS = {
    "Property": ("value", "previousValue"), "GeoProperty": ("value", "previousValue"),
    "Relationship": ("object", "previousObject"), "LanguageProperty": ("languageMap", "previousLanguageMap"),
    "JsonProperty": ("json", "previousJson"), "VocabProperty": ("vocab", "previousVocab"),
    "ListProperty": ("valueList", "previousValueList"),
}


def _add_previous(rendered: dict[str, Any], hit: Hit, active: ActiveContext, options: RenderOptions) -> None:
    """showChanges (clause 5.2.12): add the value each changed attribute had before, compacted as the attribute."""
    normalized = RenderOptions("normalized", False, None, None)
    for iri, instances in hit.previous.items():
        name = active.compact_iri(iri)
        shown = rendered.get(name)
        old = next((i for i in instances if "datasetId" not in i), instances[0] if instances else None)
        if not isinstance(shown, dict) or old is None:
            continue
        before = compact_entity({"id": hit.entity_id, "types": [], "attrs": {iri: [old]}}, active, normalized)[name]
        member, previous_member = _PREVIOUS_MEMBERS.get(before.get("type", ""), ("value", "previousValue"))
        if member in before and before.get(member) != shown.get(member):
            shown[previous_member] = before[member]


def _add_null_attributes(rendered: dict[str, Any], kinds: dict[str, str], deleted_at: dt.datetime | None,
                         active: ActiveContext, options: RenderOptions,
                         last: dict[str, list[dict[str, Any]]] | None = None) -> None:
    """Show each deleted attribute with the NGSI-LD null in its main member.

    With sysAttrs the marker also carries the createdAt and modifiedAt of the instance
    that was deleted, taken from ``last`` (attribute IRI -> its instances before the change).
    """
    for iri, kind in kinds.items():
        if options.attrs is not None and iri not in options.attrs:
            continue
        if options.format == "keyValues":
            rendered[active.compact_iri(iri)] = NULL_URI
            continue
        marker = deletion_marker(kind, deleted_at or dt.datetime.now(dt.UTC))
        if options.sys_attrs:
            instances = (last or {}).get(iri) or []
            before = next((i for i in instances if "datasetId" not in i), instances[0] if instances else {})
            deleted = marker.pop("deletedAt")
            for member in ("createdAt", "modifiedAt"):
                if before.get(member):
                    marker[member] = before[member]
            marker["deletedAt"] = deleted
        else:
            marker.pop("deletedAt")
        rendered[active.compact_iri(iri)] = marker


def _render_deleted(hit: Hit, active: ActiveContext, options: RenderOptions) -> dict[str, Any]:
    snapshot = hit.snapshot or {}
    types = [active.compact_iri(iri) for iri in snapshot.get("types", [])]
    rendered: dict[str, Any] = {"id": hit.entity_id, "type": types[0] if len(types) == 1 else types}
    if options.sys_attrs:
        for member in ("createdAt", "modifiedAt"):
            if snapshot.get(member):
                rendered[member] = snapshot[member]
    rendered["deletedAt"] = format_datetime(hit.deleted_at or dt.datetime.now(dt.UTC))
    attrs = snapshot.get("attrs", {})
    kinds = {iri: (attrs.get(iri) or [{}])[0].get("type", "Property") for iri in sorted(hit.deleted_attributes)}
    _add_null_attributes(rendered, kinds, hit.deleted_at, active, options, attrs)
    return rendered
