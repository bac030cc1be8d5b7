"""Validate NGSI-LD payloads and expand them to the stored form.

Stored form of an entity: ``id``, a list of expanded type IRIs, and
``attrs = {attribute IRI: [instance, ...]}`` with the default instance (no
datasetId) first. An instance keeps the core members under their short names
(``type``, ``value``, ``object``, ``languageMap``, ``json``, ``vocab``, ``observedAt``,
``unitCode``, ``datasetId``, ``createdAt``, ``modifiedAt``) and each sub-attribute under its IRI
as one instance object. Values stay as the client sent them: keys inside a
compound value are not expanded, so they read back unchanged.

Input may be normalized or concise (ETSI GS CIM 009 V1.6.1). An
attribute without ``type`` is a Relationship when it has ``object``, a
LanguageProperty when it has ``languageMap``, a JsonProperty when it has ``json``
and no ``value``, a VocabProperty when it has ``vocab`` and no ``value``, a
GeoProperty when its value is a GeoJSON geometry, and a Property otherwise.
JsonProperty and VocabProperty come from spec versions after V1.6.1. A
VocabProperty's terms are stored expanded against the @context, as entity types are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from citybase.context.errors import BadRequestData, FieldName
from citybase.context.geo import GEOMETRY_TYPES, check_geometry
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.scope import SCOPE_IRI, scope_instance
from citybase.context.times import parse_datetime
from citybase.context.uris import check_uri

PROPERTY = "Property"
RELATIONSHIP = "Relationship"
GEO_PROPERTY = "GeoProperty"
LANGUAGE_PROPERTY = "LanguageProperty"
JSON_PROPERTY = "JsonProperty"
VOCAB_PROPERTY = "VocabProperty"
ATTRIBUTE_TYPES = (PROPERTY, RELATIONSHIP, GEO_PROPERTY, LANGUAGE_PROPERTY, JSON_PROPERTY, VOCAB_PROPERTY)
NGSI_LD = "https://uri.etsi.org/ngsi-ld/"
GEO_ATTRIBUTES = frozenset({NGSI_LD + "location", NGSI_LD + "observationSpace", NGSI_LD + "operationSpace"})
SYSTEM_MEMBERS = ("createdAt", "modifiedAt")
META_MEMBERS = ("observedAt", "unitCode", "datasetId")
VALUE_MEMBERS = ("value", "object", "languageMap", "json", "vocab")
CORE_MEMBERS = frozenset({"type", *VALUE_MEMBERS, "instanceId", *META_MEMBERS, *SYSTEM_MEMBERS})
ENTITY_MEMBERS = frozenset({"id", "@id", "type", "@type", "@context", *SYSTEM_MEMBERS})
_FORBIDDEN_NAME_RE = re.compile(r"[<>\"'=;()\s]")
_TYPE_IRIS = {NGSI_LD + name: name for name in ATTRIBUTE_TYPES}


@dataclass
class ExpandedEntity:
    id: str | None
    types: list[str]
    attrs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def expand_entity(payload: Any, ctx: ActiveContext, require_type: bool = True) -> ExpandedEntity:
    """Validate an entity and expand it; raise BadRequestData naming the first bad member."""
    if not isinstance(payload, dict):
        raise BadRequestData(_("An entity must be a JSON object, not {value!r}."), value=_short(payload))
    entity_id = payload.get("id", payload.get("@id"))
    if entity_id is None:
        raise BadRequestData(_("The entity has no 'id'; give a URI such as 'urn:ngsi-ld:Device:310114-0001'."))
    check_uri(entity_id, "Entity id")
    types = expand_types(payload.get("type", payload.get("@type")), ctx, required=require_type)
    return ExpandedEntity(entity_id, types, expand_attributes(payload, ctx))


def expand_types(raw: Any, ctx: ActiveContext, required: bool = True) -> list[str]:
    if raw is None:
        if required:
            raise BadRequestData(_("The entity has no 'type'; give an entity type such as 'Device'."))
        return []
    names = raw if isinstance(raw, list) else [raw]
    if not names or not all(isinstance(name, str) and name.strip() for name in names):
        raise BadRequestData(
            _("Entity type {value!r} must be a non-empty string or a list of them."), value=raw
        )
    types: list[str] = []
    for name in names:
        _check_name(name, "Entity type")
        iri = ctx.expand_iri(name)
        if iri is None:
            raise BadRequestData(_("Entity type {value!r} is mapped to null by the @context."), value=name)
        if iri.startswith("@"):
            raise BadRequestData(
                _("Entity type {value!r} is mapped to the JSON-LD keyword {keyword} by the @context; "
                  "choose another type name."), value=name, keyword=iri)
        if iri not in types:
            types.append(iri)
    return types


def expand_attributes(payload: dict[str, Any], ctx: ActiveContext) -> dict[str, list[dict[str, Any]]]:
    """Expand every attribute member of ``payload`` (entity members are skipped).

    ``scope`` is not in ENTITY_MEMBERS: it is stored as an attribute under SCOPE_IRI, so
    that attribute operations apply to it (see :mod:`citybase.context.scope`).
    """
    attrs: dict[str, list[dict[str, Any]]] = {}
    for name, raw in payload.items():
        if name in ENTITY_MEMBERS:
            continue
        iri = expand_attribute_name(name, ctx)
        attrs[iri] = expand_attribute(iri, name, raw, ctx)
    return attrs


def expand_attribute_name(name: str, ctx: ActiveContext) -> str:
    if name == "scope":
        # The entity member of the core context, whatever the request's @context maps "scope" to.
        return SCOPE_IRI
    _check_name(name, "Attribute name")
    iri = None if name.startswith("@") else ctx.expand_iri(name)
    if iri is None or iri.startswith("@"):
        raise BadRequestData(
            _("Attribute name {value!r} is a JSON-LD keyword or mapped to null by the @context."),
            value=name,
        )
    return iri


def expand_attribute(iri: str, name: str, raw: Any, ctx: ActiveContext) -> list[dict[str, Any]]:
    """Expand one attribute (one instance or a list of instances), default instance first."""
    if iri == SCOPE_IRI:
        # A normalized {"type": "Property", "value": [...]} is accepted too, as the temporal
        # representation shows scopes that way.
        value = raw.get("value") if isinstance(raw, dict) and "value" in raw else raw
        return [scope_instance(value)]
    raws = raw if isinstance(raw, list) and raw and all(_is_instance_like(item) for item in raw) else [raw]
    instances = [_expand_instance(iri, name, item, ctx) for item in raws]
    dataset_ids = [instance.get("datasetId") for instance in instances]
    if len(set(dataset_ids)) != len(dataset_ids):
        raise BadRequestData(
            _("Attribute {name!r} has two instances with the same datasetId; each instance "
              "needs its own datasetId and at most one may have none."),
            name=name,
        )
    instances.sort(key=lambda instance: "datasetId" in instance)
    return instances


def _expand_instance(iri: str, name: str, raw: Any, ctx: ActiveContext) -> dict[str, Any]:
    instance = _normalize(name, raw)
    kind = instance["type"]
    if iri in GEO_ATTRIBUTES and kind != GEO_PROPERTY:
        raise BadRequestData(
            _("Attribute {name!r} must be a GeoProperty, not a {kind}."), name=name, kind=kind
        )
    result: dict[str, Any] = {"type": kind}
    _copy_main_member(result, name, instance, kind, ctx)
    for member, value in instance.items():
        if member in ("type", *VALUE_MEMBERS, "instanceId", *SYSTEM_MEMBERS):
            continue
        if member in META_MEMBERS:
            result[member] = _check_meta(name, member, value)
            continue
        if member.startswith("@"):
            raise BadRequestData(
                _("Attribute {name!r} has member {member!r}; JSON-LD keywords are not allowed there."),
                name=name, member=member,
            )
        sub_iri = expand_attribute_name(member, ctx)
        result[sub_iri] = _expand_instance(sub_iri, f"{name}.{member}", value, ctx)
    return result


def _normalize(name: str, raw: Any) -> dict[str, Any]:
    """Return the instance as a normalized dict with ``type``, inferring it from concise input."""
    if not isinstance(raw, dict):
        if raw is None:
            raise BadRequestData(_("Attribute {name!r} has no value."), name=name)
        return {"type": PROPERTY, "value": raw}
    declared = raw.get("type", raw.get("@type"))
    if isinstance(declared, str) and declared in _TYPE_IRIS:
        declared = _TYPE_IRIS[declared]
    if declared in ATTRIBUTE_TYPES:
        return {**raw, "type": declared}
    if declared in GEOMETRY_TYPES and "coordinates" in raw:
        return {"type": GEO_PROPERTY, "value": raw}
    if declared is not None:
        raise BadRequestData(
            _("Attribute {name!r} has type {value!r}; use Property, Relationship, GeoProperty, "
              "LanguageProperty, JsonProperty or VocabProperty."),
            name=name, value=declared,
        )
    if "object" in raw:
        return {**raw, "type": RELATIONSHIP}
    if "languageMap" in raw:
        return {**raw, "type": LANGUAGE_PROPERTY}
    if "json" in raw and "value" not in raw:
        return {**raw, "type": JSON_PROPERTY}
    if "vocab" in raw and "value" not in raw:
        return {**raw, "type": VOCAB_PROPERTY}
    if "value" in raw:
        value = raw["value"]
        is_geo = isinstance(value, dict) and value.get("type") in GEOMETRY_TYPES and "coordinates" in value
        return {**raw, "type": GEO_PROPERTY if is_geo else PROPERTY}
    raise BadRequestData(
        _("Attribute {name!r} has no 'type' and no 'value', 'object', 'languageMap', 'json' or "
          "'vocab'; wrap a JSON object value as {{\"value\": {{...}}}}."),
        name=name,
    )


def _copy_main_member(result: dict[str, Any], name: str, instance: dict[str, Any], kind: str,
                      ctx: ActiveContext) -> None:
    if kind == RELATIONSHIP:
        target = instance.get("object")
        if target is None:
            raise BadRequestData(_("Relationship {name!r} has no 'object'."), name=name)
        result["object"] = check_uri(target, FieldName(_("Object of relationship {name!r}"), name=name))
        return
    if kind == LANGUAGE_PROPERTY:
        result["languageMap"] = _check_language_map(name, instance.get("languageMap"))
        return
    if kind == JSON_PROPERTY:
        if "json" not in instance or instance["json"] is None:
            raise BadRequestData(
                _("JsonProperty {name!r} has no 'json'; give the JSON value as {{\"json\": {{...}}}}."),
                name=name)
        result["json"] = instance["json"]
        return
    if kind == VOCAB_PROPERTY:
        result["vocab"] = _expand_vocab(name, instance.get("vocab"), ctx)
        return
    if "value" not in instance or instance["value"] is None:
        raise BadRequestData(_("{kind} {name!r} has no 'value'."), kind=kind, name=name)
    value = instance["value"]
    if kind == GEO_PROPERTY:
        check_geometry(value, FieldName(_("Value of GeoProperty {name!r}"), name=name))
    result["value"] = value


def _expand_vocab(name: str, raw: Any, ctx: ActiveContext) -> str | list[str]:
    """Expand the term or terms of a VocabProperty like entity types, keeping one string or a list."""
    terms = raw if isinstance(raw, list) else [raw]
    if not terms or not all(isinstance(term, str) and term.strip() for term in terms):
        raise BadRequestData(
            _("VocabProperty {name!r} needs 'vocab' as a term or a list of terms, such as "
              "\"monument\", not {value!r}."),
            name=name, value=raw)
    expanded = []
    for term in terms:
        iri = ctx.expand_iri(term)
        if iri is None or iri.startswith("@"):
            raise BadRequestData(
                _("VocabProperty {name!r} has term {value!r}, which the @context maps to null or "
                  "a JSON-LD keyword."), name=name, value=term)
        expanded.append(iri)
    return expanded if isinstance(raw, list) else expanded[0]


def _check_language_map(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise BadRequestData(
            _("LanguageProperty {name!r} needs a 'languageMap' object such as "
              "{{\"zh\": \"南翔镇\", \"en\": \"Nanxiang\"}}."),
            name=name,
        )
    for language, text in value.items():
        texts = text if isinstance(text, list) else [text]
        if not isinstance(language, str) or not all(isinstance(t, str) for t in texts):
            raise BadRequestData(
                _("LanguageProperty {name!r} maps {language!r} to {value!r}; use strings."),
                name=name, language=language, value=text,
            )
    return value


def _check_meta(name: str, member: str, value: Any) -> Any:
    if member == "observedAt":
        parse_datetime(value, FieldName(_("observedAt of {name!r}"), name=name))
        return value
    if member == "datasetId":
        return check_uri(value, FieldName(_("datasetId of {name!r}"), name=name))
    if not isinstance(value, str) or not value:
        raise BadRequestData(_("unitCode of {name!r} must be a UN/CEFACT code string such as 'CEL'."), name=name)
    return value


def _check_name(name: str, field: str) -> None:
    if not name or _FORBIDDEN_NAME_RE.search(name):
        raise BadRequestData(
            _("{field} {value!r} contains a character NGSI-LD forbids in names "
              "(< > \" ' = ; ( ) or white space)."),
            field=field, value=name,
        )


def _is_instance_like(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    return item.get("type") in ATTRIBUTE_TYPES or any(k in item for k in VALUE_MEMBERS)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
