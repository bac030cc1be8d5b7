"""Validation, expansion and compaction of CSourceRegistration payloads.

The members follow ETSI GS CIM 009 V1.6.1, clause 5.2.9 (CSourceRegistration),
5.2.10 (RegistrationInfo), 5.2.8 (EntityInfo) and 5.2.11 (TimeInterval). Entity
types, propertyNames, relationshipNames and the names of additional members are
expanded with the request's @context and stored as IRIs; :func:`compact_registration`
renders them with the @context of the reading request. Values of additional members
are stored as sent.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from citybase.context.entity_expand import expand_attribute_name, expand_types
from citybase.context.errors import BadRequestData
from citybase.context.geo import check_geometry
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.times import format_datetime, parse_datetime
from citybase.context.uris import check_uri

REGISTRATION_TYPE = "ContextSourceRegistration"
MODES = ("inclusive", "exclusive", "redirect", "auxiliary")
DEFAULT_MODE = "inclusive"
DEFAULT_OPERATIONS = ("federationOps",)
# Operation names and groups of V1.6.1 clause 4.20 that a registration may list.
OPERATIONS = frozenset({
    "createEntity", "updateEntity", "appendAttrs", "updateAttrs", "deleteAttrs", "deleteEntity",
    "createBatch", "upsertBatch", "updateBatch", "deleteBatch", "upsertTemporal", "appendAttrsTemporal",
    "deleteAttrsTemporal", "updateAttrsTemporal", "deleteAttrInstanceTemporal", "deleteTemporal",
    "mergeEntity", "replaceEntity", "replaceAttrs", "mergeBatch", "retrieveEntity", "queryEntity",
    "queryBatch", "retrieveTemporal", "queryTemporal", "retrieveEntityTypes", "retrieveEntityTypeDetails",
    "retrieveEntityTypeInfo", "retrieveAttrTypes", "retrieveAttrTypeDetails", "retrieveAttrTypeInfo",
    "createSubscription", "updateSubscription", "retrieveSubscription", "querySubscription",
    "deleteSubscription", "federationOps", "updateOps", "retrieveOps", "redirectionOps",
})
GEO_MEMBERS = ("location", "observationSpace", "operationSpace")
INTERVAL_MEMBERS = ("observationInterval", "managementInterval")
TEXT_MEMBERS = ("registrationName", "description", "tenant", "refreshRate")
# Members the broker computes; a client may send them back, and they are dropped.
SYSTEM_MEMBERS = frozenset({"createdAt", "modifiedAt", "status", "timesSent", "timesFailed",
                            "lastSuccess", "lastFailure", "@context"})
STANDARD_MEMBERS = frozenset({
    "id", "type", "information", "endpoint", "expiresAt", "contextSourceInfo", "scope", "mode",
    "operations", "management", *GEO_MEMBERS, *INTERVAL_MEMBERS, *TEXT_MEMBERS,
})
_SCOPE_RE = re.compile(r"/[^/#+\s]+(?:/[^/#+\s]+)*(?:/#)?|/#")


@dataclass
class ParsedRegistration:
    """A valid registration in stored (expanded) form and its expiry time."""

    id: str
    document: dict[str, Any]
    expires_at: dt.datetime | None


def parse_registration(body: Any, active: ActiveContext, now: dt.datetime,
                       check_expiry: bool = True) -> ParsedRegistration:
    """Check a whole registration and expand it; raise BadRequestData naming the first invalid member.

    ``check_expiry`` rejects an ``expiresAt`` that is not in the future; an update
    turns it off when the fragment leaves ``expiresAt`` as it was.
    """
    if not isinstance(body, dict) or not body:
        raise BadRequestData(_("A context source registration must be a non-empty JSON object."))
    source = {k: v for k, v in body.items() if k not in SYSTEM_MEMBERS}
    registration_id = source.get("id") or f"urn:ngsi-ld:ContextSourceRegistration:{uuid.uuid4()}"
    check_uri(registration_id, "Registration id")
    if source.get("type") != REGISTRATION_TYPE:
        raise BadRequestData(_("A context source registration needs \"type\": \"{expected}\", not {value!r}."),
                             expected=REGISTRATION_TYPE, value=source.get("type"))

    document: dict[str, Any] = {"id": registration_id, "type": REGISTRATION_TYPE}
    document["information"] = _expand_information(source.get("information"), active)
    if source.get("endpoint") is None:
        raise BadRequestData(_("A context source registration needs an endpoint, the URI of the context "
                               "source, such as 'http://127.0.0.1:9000/ngsi-ld/v1'."))
    document["endpoint"] = check_uri(source["endpoint"], "endpoint")
    for member in TEXT_MEMBERS:
        _copy_text(source, document, member)
    for member in INTERVAL_MEMBERS:
        if source.get(member) is not None:
            document[member] = _check_interval(source[member], member)
    for member in GEO_MEMBERS:
        if source.get(member) is not None:
            check_geometry(source[member], member)
            document[member] = source[member]
    expires_at = None
    if source.get("expiresAt") is not None:
        expires_at = parse_datetime(source["expiresAt"], "expiresAt")
        if check_expiry and expires_at <= now:
            raise BadRequestData(_("expiresAt {value!r} is in the past; give a future date-time."),
                                 value=source["expiresAt"])
        document["expiresAt"] = source["expiresAt"]
    if source.get("contextSourceInfo") is not None:
        document["contextSourceInfo"] = _check_key_values(source["contextSourceInfo"])
    if source.get("scope") is not None:
        document["scope"] = _check_scope(source["scope"])
    if source.get("mode") is not None:
        if source["mode"] not in MODES:
            raise BadRequestData(_("mode {value!r} is not one of {allowed}."),
                                 value=source["mode"], allowed=", ".join(MODES))
        document["mode"] = source["mode"]
    if source.get("operations") is not None:
        document["operations"] = _check_operations(source["operations"])
    if source.get("management") is not None:
        document["management"] = _check_management(source["management"])
    extra = {k: v for k, v in source.items() if k not in STANDARD_MEMBERS and v is not None}
    if extra:
        document["properties"] = {expand_attribute_name(name, active): value for name, value in extra.items()}
    return ParsedRegistration(registration_id, document, expires_at)


def compact_registration(document: dict[str, Any], active: ActiveContext, created_at: dt.datetime | None = None,
                         modified_at: dt.datetime | None = None) -> dict[str, Any]:
    """Render a stored registration with ``active``; system times are added when given."""
    result: dict[str, Any] = {"id": document["id"], "type": document["type"]}
    result["endpoint"] = document["endpoint"]
    result["information"] = [_compact_info(info, active) for info in document["information"]]
    for member, value in document.items():
        if member in ("id", "type", "endpoint", "information", "properties"):
            continue
        result[member] = value
    for iri, value in (document.get("properties") or {}).items():
        result[active.compact_iri(iri)] = value
    result.setdefault("mode", DEFAULT_MODE)
    result.setdefault("operations", list(DEFAULT_OPERATIONS))
    if created_at is not None:
        result["createdAt"] = format_datetime(created_at)
    if modified_at is not None:
        result["modifiedAt"] = format_datetime(modified_at)
    return result


def _expand_information(information: Any, active: ActiveContext) -> list[dict[str, Any]]:
    if not isinstance(information, list) or not information:
        raise BadRequestData(_("information must be a non-empty array of RegistrationInfo objects, as in "
                               "[{{\"entities\": [{{\"type\": \"Device\"}}]}}]; got {value!r}."), value=information)
    return [_expand_info(item, position, active) for position, item in enumerate(information)]


def _expand_info(info: Any, position: int, active: ActiveContext) -> dict[str, Any]:
    where = f"information[{position}]"
    if not isinstance(info, dict):
        raise BadRequestData(_("{member} must be an object with entities, propertyNames or relationshipNames."),
                             member=where)
    unknown = sorted(set(info) - {"entities", "propertyNames", "relationshipNames"})
    if unknown:
        raise BadRequestData(_("{member} has unknown member {name!r}; a RegistrationInfo contains only entities, "
                               "propertyNames and relationshipNames."), member=where, name=unknown[0])
    if not any(info.get(name) is not None for name in ("entities", "propertyNames", "relationshipNames")):
        raise BadRequestData(_("{member} needs at least one of entities, propertyNames or relationshipNames."),
                             member=where)
    expanded: dict[str, Any] = {}
    if info.get("entities") is not None:
        entities = info["entities"]
        if not isinstance(entities, list) or not entities:
            raise BadRequestData(_("{member}.entities must be a non-empty array of EntityInfo objects."),
                                 member=where)
        expanded["entities"] = [_expand_entity_info(item, f"{where}.entities[{index}]", active)
                                for index, item in enumerate(entities)]
    for member in ("propertyNames", "relationshipNames"):
        names = info.get(member)
        if names is None:
            continue
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            raise BadRequestData(_("{member} must be a non-empty array of attribute names, not {value!r}."),
                                 member=f"{where}.{member}", value=names)
        expanded[member] = [expand_attribute_name(name, active) for name in names]
    return expanded


def _expand_entity_info(item: Any, where: str, active: ActiveContext) -> dict[str, Any]:
    if not isinstance(item, dict) or item.get("type") is None:
        raise BadRequestData(_("{member} needs a type, for example {{\"type\": \"Device\"}}; got {value!r}."),
                             member=where, value=item)
    unknown = sorted(set(item) - {"id", "idPattern", "type"})
    if unknown:
        raise BadRequestData(_("{member} has unknown member {name!r}; an EntityInfo contains only id, idPattern and "
                               "type."), member=where, name=unknown[0])
    result: dict[str, Any] = {}
    if item.get("id") is not None:
        result["id"] = check_uri(item["id"], f"{where}.id")
    if item.get("idPattern") is not None:
        pattern = item["idPattern"]
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise BadRequestData(_("{member}.idPattern {value!r} is not a valid regular expression: {reason}."),
                                 member=where, value=pattern, reason=str(exc)) from None
        result["idPattern"] = pattern
    types = expand_types(item["type"], active)
    result["type"] = types if isinstance(item["type"], list) else types[0]
    return result


def _compact_info(info: dict[str, Any], active: ActiveContext) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if "entities" in info:
        result["entities"] = []
        for entity in info["entities"]:
            compacted = dict(entity)
            kind = entity["type"]
            compacted["type"] = [active.compact_iri(t) for t in kind] if isinstance(kind, list) \
                else active.compact_iri(kind)
            result["entities"].append(compacted)
    for member in ("propertyNames", "relationshipNames"):
        if member in info:
            result[member] = [active.compact_iri(iri) for iri in info[member]]
    return result


def _copy_text(source: dict[str, Any], document: dict[str, Any], member: str) -> None:
    value = source.get(member)
    if value is None:
        return
    if not isinstance(value, str) or not value:
        raise BadRequestData(_("{member} {value!r} must be a non-empty string."), member=member, value=value)
    document[member] = value


def _check_interval(value: Any, member: str) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("startAt") is None:
        raise BadRequestData(_("{member} must be an object with startAt and an optional endAt, as in "
                               "{{\"startAt\": \"2024-05-01T00:00:00Z\"}}; got {value!r}."),
                             member=member, value=value)
    unknown = sorted(set(value) - {"startAt", "endAt"})
    if unknown:
        raise BadRequestData(_("{member} has unknown member {name!r}; a TimeInterval contains only startAt and endAt."),
                             member=member, name=unknown[0])
    start = parse_datetime(value["startAt"], f"{member}.startAt")
    if value.get("endAt") is not None:
        end = parse_datetime(value["endAt"], f"{member}.endAt")
        if end <= start:
            raise BadRequestData(_("{member}.endAt {end!r} is not after startAt {start!r}."),
                                 member=member, end=value["endAt"], start=value["startAt"])
    return {k: v for k, v in value.items() if v is not None}


def interval_bounds(value: dict[str, Any]) -> tuple[dt.datetime, dt.datetime | None]:
    """Start and optional end of a stored (already validated) TimeInterval."""
    end = value.get("endAt")
    return parse_datetime(value["startAt"], "startAt"), parse_datetime(end, "endAt") if end else None


def _check_key_values(items: Any) -> list[dict[str, str]]:
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and set(i) == {"key", "value"} and isinstance(i["key"], str)
        and isinstance(i["value"], str) for i in items
    ):
        raise BadRequestData(_("contextSourceInfo must be an array of {{\"key\": ..., \"value\": ...}} objects "
                               "whose key and value are strings; got {value!r}."), value=items)
    return items


def _check_scope(scope: Any) -> Any:
    values = scope if isinstance(scope, list) else [scope]
    for value in values:
        if not isinstance(value, str) or not _SCOPE_RE.fullmatch(value):
            raise BadRequestData(_("scope {value!r} must be a path such as '/Jiading/Anting', or an array of "
                                   "them."), value=value)
    return scope


def _check_operations(operations: Any) -> list[str]:
    if not isinstance(operations, list) or not operations or not all(isinstance(o, str) for o in operations):
        raise BadRequestData(_("operations must be a non-empty array of operation names such as "
                               "\"queryEntity\" or \"federationOps\"; got {value!r}."), value=operations)
    unknown = [o for o in operations if o not in OPERATIONS]
    if unknown:
        raise BadRequestData(_("operations contains {value!r}, which is not an NGSI-LD operation or operation "
                               "group; known: {allowed}."), value=unknown[0], allowed=", ".join(sorted(OPERATIONS)))
    return operations


def _check_management(value: Any) -> dict[str, Any]:
    numbers = ("cacheDuration", "timeout", "cooldown")
    if not isinstance(value, dict):
        raise BadRequestData(_("management must be an object with localOnly, cacheDuration, timeout or "
                               "cooldown; got {value!r}."), value=value)
    for name, member in value.items():
        if name == "localOnly":
            if not isinstance(member, bool):
                raise BadRequestData(_("management.localOnly {value!r} must be true or false."), value=member)
        elif name in numbers:
            if isinstance(member, bool) or not isinstance(member, (int, float)) or member <= 0:
                raise BadRequestData(_("management.{name} {value!r} must be a positive number."),
                                     name=name, value=member)
        else:
            raise BadRequestData(_("management has unknown member {name!r}; it contains only localOnly, cacheDuration, "
                                   "timeout and cooldown."), name=name)
    return value
