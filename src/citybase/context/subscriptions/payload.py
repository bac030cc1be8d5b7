"""Validation of NGSI-LD Subscription payloads (ETSI GS CIM 009 V1.6.1, clauses 5.2.12 and 5.8).

:func:`parse_subscription` checks a whole subscription, as created or as it results
from a PATCH, and returns it with the names the notifier needs already expanded.
Members that this broker does not implement (temporalQ, csf)
are rejected with OperationNotSupported
instead of being silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from citybase.context.entity_expand import expand_attribute_name, expand_types
from citybase.context.errors import BadRequestData, OperationNotSupported
from citybase.context.geo import parse_geoquery
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.query.qlang import parse_q
from citybase.context.query.typeexpr import parse_type_expression
from citybase.context.scope import parse_scope_q
from citybase.context.subscriptions import mqtt
from citybase.context.times import parse_datetime
from citybase.context.uris import check_uri

FORMATS = ("normalized", "keyValues", "concise")
ACCEPTS = ("application/json", "application/ld+json")
_UNSUPPORTED = ("temporalQ", "csf")
TRIGGERS = frozenset({"entityCreated", "entityUpdated", "entityDeleted",
                      "attributeCreated", "attributeUpdated", "attributeDeleted"})
_SYSTEM_MEMBERS = ("status", "createdAt", "modifiedAt", "@context")
_NOTIFICATION_STATE = ("timesSent", "timesFailed", "lastNotification", "lastSuccess", "lastFailure", "status")


@dataclass
class ParsedSubscription:
    """A valid subscription: the document to store and the expanded members the notifier uses."""

    id: str
    document: dict[str, Any]
    entity_types: list[str]
    watched_attributes: list[str] | None
    is_active: bool
    expires_at: dt.datetime | None
    throttling: float | None
    time_interval: float | None
    name: str | None


def parse_subscription(body: Any, active: ActiveContext, now: dt.datetime) -> ParsedSubscription:
    """Check ``body`` and return it parsed; raise BadRequestData naming the first invalid member."""
    if not isinstance(body, dict) or not body:
        raise BadRequestData(_("A subscription must be a non-empty JSON object."))
    document = strip_state({k: v for k, v in body.items() if k not in _SYSTEM_MEMBERS})
    subscription_id = document["id"] if "id" in document else f"urn:ngsi-ld:Subscription:{uuid.uuid4()}"
    check_uri(subscription_id, "Subscription id")
    document["id"] = subscription_id

    if document.get("type") != "Subscription":
        raise BadRequestData(_("A subscription needs \"type\": \"Subscription\", not {value!r}."),
                             value=document.get("type"))
    _reject_unsupported(document)
    entity_types = _check_entities(document.get("entities"), active)
    watched = _check_names(document.get("watchedAttributes"), "watchedAttributes", active)
    if document.get("entities") is None and watched is None:
        raise BadRequestData(_("A subscription needs entities, watchedAttributes or both."))

    _check_optional_text(document, "subscriptionName")
    _check_optional_text(document, "description")
    _check_optional_text(document, "lang")
    if document.get("q") is not None:
        _check_q(document["q"])
    if document.get("scopeQ") is not None:
        parse_scope_q(document["scopeQ"])
    _check_geo(document.get("geoQ"), active)
    _check_notification(document.get("notification"), active)
    _check_triggers(document.get("notificationTrigger"))

    is_active = document.get("isActive", True)
    if not isinstance(is_active, bool):
        raise BadRequestData(_("isActive {value!r} must be true or false."), value=is_active)
    return ParsedSubscription(
        id=subscription_id,
        document=document,
        entity_types=entity_types,
        watched_attributes=watched,
        is_active=is_active,
        expires_at=_check_expires(document.get("expiresAt"), now),
        throttling=_check_seconds(document.get("throttling"), "throttling"),
        time_interval=_check_seconds(document.get("timeInterval"), "timeInterval"),
        name=document.get("subscriptionName"),
    )


def strip_state(document: dict[str, Any]) -> dict[str, Any]:
    """Remove the members the broker computes, so a stored document never contains them."""
    notification = document.get("notification")
    if isinstance(notification, dict):
        notification = {k: v for k, v in notification.items() if k not in _NOTIFICATION_STATE}
        document = {**document, "notification": notification}
    return document


def _reject_unsupported(document: dict[str, Any]) -> None:
    if document.get("timeInterval") is not None:
        if document.get("watchedAttributes") is not None or document.get("throttling") is not None:
            raise BadRequestData(_("timeInterval cannot be combined with watchedAttributes or throttling."))
    for member in _UNSUPPORTED:
        if document.get(member) is not None:
            raise OperationNotSupported(_("Subscription member {member} is not supported by this broker."),
                                        member=member)


def _check_entities(entities: Any, active: ActiveContext) -> list[str]:
    if entities is None:
        return []
    if not isinstance(entities, list) or not entities:
        raise BadRequestData(_("entities must be a non-empty array of {{\"type\": ..., \"id\"?: ...}} selectors, "
                               "not {value!r}."), value=entities)
    types: list[str] = []
    for selector in entities:
        if not isinstance(selector, dict) or not isinstance(selector.get("type"), str):
            raise BadRequestData(_("Each entities selector needs a type, for example {{\"type\": \"Device\"}}; "
                                   "got {value!r}."), value=selector)
        if selector.get("id") is not None:
            check_uri(selector["id"], "entities id")
        if selector.get("idPattern") is not None:
            _check_pattern(selector["idPattern"])
        # The type is a type expression, as in queries: "Building,Tower" or "(Building|Tower);Shop".
        expression = parse_type_expression(selector["type"])
        types.extend(t for t in expand_types(sorted(expression.names()), active) if t not in types)
    return types


def _check_names(names: Any, member: str, active: ActiveContext) -> list[str] | None:
    if names is None:
        return None
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        raise BadRequestData(_("{member} must be a non-empty array of attribute names."), member=member)
    return [expand_attribute_name(name, active) for name in names]


def _check_optional_text(document: dict[str, Any], member: str) -> None:
    value = document.get(member)
    if value is not None and not isinstance(value, str):
        raise BadRequestData(_("{member} {value!r} must be a string."), member=member, value=value)


def _check_q(q: Any) -> None:
    if not isinstance(q, str) or not q:
        raise BadRequestData(_("q {value!r} must be a non-empty query string."), value=q)
    parse_q(q)


def _check_geo(geo: Any, active: ActiveContext) -> None:
    if geo is None:
        return
    if not isinstance(geo, dict):
        raise BadRequestData(_("geoQ must be an object with georel, geometry and coordinates."))
    geoproperty = geo.get("geoproperty")
    parse_geoquery(geo.get("georel"), geo.get("geometry"), geo.get("coordinates"),
                   expand_attribute_name(geoproperty, active) if geoproperty else None)


def _check_notification(notification: Any, active: ActiveContext) -> None:
    if not isinstance(notification, dict):
        raise BadRequestData(_("A subscription needs a notification object with an endpoint."))
    _check_names(notification.get("attributes"), "notification.attributes", active)
    fmt = notification.get("format", "normalized")
    if fmt not in FORMATS:
        raise BadRequestData(_("notification.format {value!r} is not one of {formats}."),
                             value=fmt, formats=", ".join(FORMATS))
    sys_attrs = notification.get("sysAttrs", False)
    if not isinstance(sys_attrs, bool):
        raise BadRequestData(_("notification.sysAttrs {value!r} must be true or false."), value=sys_attrs)
    show_changes = notification.get("showChanges", False)
    if not isinstance(show_changes, bool):
        raise BadRequestData(_("notification.showChanges {value!r} must be true or false."), value=show_changes)
    _check_endpoint(notification.get("endpoint"))


def _check_triggers(triggers: Any) -> None:
    if triggers is None:
        return
    if not isinstance(triggers, list) or not triggers or not all(t in TRIGGERS for t in triggers):
        raise BadRequestData(_("notificationTrigger {value!r} must be a non-empty array of: {allowed}."),
                             value=triggers, allowed=", ".join(sorted(TRIGGERS)))


def _check_endpoint(endpoint: Any) -> None:
    if not isinstance(endpoint, dict) or "uri" not in endpoint:
        raise BadRequestData(_("notification.endpoint needs a uri such as 'http://127.0.0.1:9000/notify'."))
    uri = check_uri(endpoint["uri"], "notification.endpoint.uri")
    scheme = uri.split(":", 1)[0].lower()
    if scheme in mqtt.SCHEMES:
        _check_mqtt_uri(uri)
    elif scheme in ("http", "https"):
        if not urlsplit(uri).hostname:
            raise BadRequestData(_("notification.endpoint.uri {value!r} needs a host, as in "
                                   "'http://127.0.0.1:9000/notify'."), value=uri)
        _check_port(uri)
    else:
        raise BadRequestData(_("notification.endpoint.uri {value!r} must be an http, https, mqtt or mqtts URL."),
                             value=uri)
    accept = endpoint.get("accept", "application/json")
    if accept not in ACCEPTS:
        raise BadRequestData(_("notification.endpoint.accept {value!r} is not one of {accepts}."),
                             value=accept, accepts=", ".join(ACCEPTS))
    for member in ("receiverInfo", "notifierInfo"):
        _check_key_values(endpoint.get(member), member)
    if scheme in ("http", "https"):
        _check_header_fields(endpoint.get("receiverInfo") or [])
    _check_notifier_info(endpoint.get("notifierInfo") or [], scheme in mqtt.SCHEMES)


def _check_port(uri: str) -> None:
    try:
        port = urlsplit(uri).port
    except ValueError:
        port = 0
    if port == 0:
        raise BadRequestData(_("The port of notification.endpoint.uri {value!r} must be a number from 1 to 65535."),
                             value=uri)


def _check_mqtt_uri(uri: str) -> None:
    try:
        mqtt.parse_target(uri)
    except mqtt.MqttUriError as exc:
        if exc.part == "port":
            _check_port(uri)
        if exc.part == "host":
            raise BadRequestData(_("notification.endpoint.uri {value!r} needs a broker host, as in "
                                   "'mqtt://127.0.0.1:1883/city/notifications'."), value=uri) from None
        raise BadRequestData(_("notification.endpoint.uri {value!r} needs a topic path without the wildcards "
                               "+ and #, and without query or fragment, as in "
                               "'mqtt://127.0.0.1:1883/city/notifications'."), value=uri) from None


def _check_notifier_info(items: list[dict[str, str]], is_mqtt: bool) -> None:
    allowed = {mqtt.VERSION_KEY: tuple(mqtt.VERSIONS), mqtt.QOS_KEY: mqtt.QOS_VALUES}
    for item in items:
        if item["key"] not in allowed:
            continue
        if not is_mqtt:
            raise BadRequestData(_("endpoint.notifierInfo {key} applies only to mqtt and mqtts endpoints."),
                                 key=item["key"])
        if item["value"] not in allowed[item["key"]]:
            raise BadRequestData(_("endpoint.notifierInfo {key} {value!r} is not one of {allowed}."),
                                 key=item["key"], value=item["value"], allowed=", ".join(allowed[item["key"]]))


def _check_key_values(items: Any, member: str) -> None:
    if items is None:
        return
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("key"), str) and isinstance(i.get("value"), str) for i in items
    ):
        raise BadRequestData(_("endpoint.{member} must be an array of {{\"key\": ..., \"value\": ...}} strings."),
                             member=member)


# A header field name is an RFC 9110 token.
_HEADER_NAME_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Visible ASCII, space and tab. httpx (0.29) encodes header values as ASCII and
# rejects CR and LF, so any other value would fail every notification.
_HEADER_VALUE_RE = re.compile(r"[\x20-\x7e\t]*")


def _check_header_fields(items: list[dict[str, str]]) -> None:
    """Reject receiverInfo that cannot travel as HTTP headers, so it fails now and not at every send."""
    for item in items:
        if not _HEADER_NAME_RE.fullmatch(item["key"]):
            raise BadRequestData(_("endpoint.receiverInfo key {value!r} is not a valid HTTP header name; use "
                                   "letters, digits and '-', as in 'X-District'."), value=item["key"])
        if not _HEADER_VALUE_RE.fullmatch(item["value"]):
            raise BadRequestData(_("endpoint.receiverInfo value {value!r} of {key} cannot be sent as an HTTP "
                                   "header: it must be printable ASCII without line breaks; percent-encode "
                                   "other characters, for example {suggestion!r}."),
                                 key=item["key"], value=item["value"], suggestion=quote(item["value"], safe=""))


def _check_expires(value: Any, now: dt.datetime) -> dt.datetime | None:
    if value is None:
        return None
    expires = parse_datetime(value, "expiresAt")
    if expires <= now:
        raise BadRequestData(_("expiresAt {value!r} is in the past; give a future date-time."), value=value)
    return expires


def _check_seconds(value: Any, member: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise BadRequestData(_("{member} {value!r} must be a positive number of seconds."), member=member, value=value)
    return float(value)


def _check_pattern(pattern: Any) -> None:
    try:
        re.compile(pattern)
    except (re.error, TypeError) as exc:
        raise BadRequestData(_("idPattern {value!r} is not a valid regular expression: {reason}."),
                             value=pattern, reason=str(exc)) from None
