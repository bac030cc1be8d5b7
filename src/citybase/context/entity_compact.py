"""Render stored entities as NGSI-LD JSON: normalized, concise or keyValues.

The stored form is described in :mod:`citybase.context.entity_expand`. Names
are compacted with the request's active context, so a client reads back the
terms it wrote; IRIs no context term covers come back in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from citybase.context.entity_expand import (
    GEO_PROPERTY,
    LANGUAGE_PROPERTY,
    META_MEMBERS,
    PROPERTY,
    RELATIONSHIP,
    SYSTEM_MEMBERS,
)
from citybase.context.jsonld.context import ActiveContext

_INSTANCE_MEMBERS = frozenset({"type", "value", "object", "languageMap", "instanceId",
                               *META_MEMBERS, *SYSTEM_MEMBERS})


@dataclass(frozen=True)
class RenderOptions:
    """``format`` is normalized, concise or keyValues; ``attrs`` holds attribute IRIs to keep."""

    format: str = "normalized"
    sys_attrs: bool = False
    attrs: frozenset[str] | None = None
    lang: str | None = None


def compact_entity(entity: dict[str, Any], ctx: ActiveContext, options: RenderOptions) -> dict[str, Any]:
    """Render one stored entity (``id``, ``types``, ``attrs``, ``createdAt``, ``modifiedAt``)."""
    types = [ctx.compact_iri(iri) for iri in entity["types"]]
    result: dict[str, Any] = {"id": entity["id"], "type": types[0] if len(types) == 1 else types}
    for iri, instances in entity["attrs"].items():
        if options.attrs is not None and iri not in options.attrs:
            continue
        result[ctx.compact_iri(iri)] = compact_attribute(instances, ctx, options)
    if options.sys_attrs and options.format != "keyValues":
        for member in SYSTEM_MEMBERS:
            if entity.get(member):
                result[member] = entity[member]
    return result


def compact_attribute(instances: list[dict[str, Any]], ctx: ActiveContext, options: RenderOptions) -> Any:
    rendered = [compact_instance(instance, ctx, options) for instance in instances]
    return rendered[0] if len(rendered) == 1 else rendered


def compact_instance(instance: dict[str, Any], ctx: ActiveContext, options: RenderOptions) -> Any:
    if options.format == "keyValues":
        return _key_value(instance, options)
    result: dict[str, Any] = {}
    kind = instance["type"]
    if kind == LANGUAGE_PROPERTY and options.lang is not None:
        kind = PROPERTY
        result["type"] = PROPERTY
        result["value"] = _pick_language(instance["languageMap"], options.lang)
        result["lang"] = _chosen_language(instance["languageMap"], options.lang)
    else:
        result["type"] = kind
        for member in ("value", "object", "languageMap"):
            if member in instance:
                result[member] = instance[member]
    for member in META_MEMBERS:
        if member in instance:
            result[member] = instance[member]
    if options.sys_attrs:
        for member in SYSTEM_MEMBERS:
            if member in instance:
                result[member] = instance[member]
    for key, sub in instance.items():
        if key not in _INSTANCE_MEMBERS:
            result[ctx.compact_iri(key)] = compact_instance(sub, ctx, options)
    if options.format == "concise":
        return _concise(result, kind)
    return result


def _concise(result: dict[str, Any], kind: str) -> Any:
    if kind == RELATIONSHIP or kind == LANGUAGE_PROPERTY:
        result.pop("type", None)
        return result
    result.pop("type", None)
    value = result.get("value")
    if len(result) == 1 and not isinstance(value, dict):
        return value
    if kind == GEO_PROPERTY and len(result) == 1:
        return value
    return result


def _key_value(instance: dict[str, Any], options: RenderOptions) -> Any:
    kind = instance["type"]
    if kind == RELATIONSHIP:
        return instance["object"]
    if kind == LANGUAGE_PROPERTY:
        if options.lang is not None:
            return _pick_language(instance["languageMap"], options.lang)
        return {"languageMap": instance["languageMap"]}
    return instance["value"]


def _chosen_language(language_map: dict[str, Any], lang: str) -> str:
    if lang in language_map:
        return lang
    for candidate in language_map:
        if candidate.split("-")[0] == lang.split("-")[0]:
            return candidate
    if "@none" in language_map:
        return "@none"
    return next(iter(language_map))


def _pick_language(language_map: dict[str, Any], lang: str) -> Any:
    return language_map[_chosen_language(language_map, lang)]
