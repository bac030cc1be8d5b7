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
    JSON_PROPERTY,
    LANGUAGE_PROPERTY,
    META_MEMBERS,
    PROPERTY,
    RELATIONSHIP,
    SYSTEM_MEMBERS,
    VALUE_MEMBERS,
    VOCAB_PROPERTY,
)
from citybase.context.jsonld.context import ActiveContext
from citybase.context.scope import SCOPE_IRI, render_scopes

_INSTANCE_MEMBERS = frozenset({"type", *VALUE_MEMBERS, "instanceId", *META_MEMBERS, *SYSTEM_MEMBERS})
# Concise forms keep these types' instances as objects, without their type.
_CONCISE_OBJECTS = (RELATIONSHIP, LANGUAGE_PROPERTY, JSON_PROPERTY, VOCAB_PROPERTY)


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
    scopes = render_scopes(entity["attrs"].get(SCOPE_IRI, []))
    if scopes is not None:
        # An entity member, shown in every format and whatever ``attrs`` selects.
        result["scope"] = scopes
    for iri, instances in entity["attrs"].items():
        if iri == SCOPE_IRI:
            continue
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
        return _key_value(instance, ctx, options)
    result: dict[str, Any] = {}
    kind = instance["type"]
    if kind == LANGUAGE_PROPERTY and options.lang is not None:
        kind = PROPERTY
        result["type"] = PROPERTY
        result["value"] = _pick_language(instance["languageMap"], options.lang)
        result["lang"] = _chosen_language(instance["languageMap"], options.lang)
    else:
        result["type"] = kind
        for member in VALUE_MEMBERS:
            if member in instance:
                result[member] = instance[member]
        if kind == VOCAB_PROPERTY and "vocab" in instance:
            result["vocab"] = compact_vocab(instance["vocab"], ctx)
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
    if kind in _CONCISE_OBJECTS:
        result.pop("type", None)
        return result
    result.pop("type", None)
    value = result.get("value")
    if len(result) == 1 and not isinstance(value, dict):
        return value
    if kind == GEO_PROPERTY and len(result) == 1:
        return value
    return result


def compact_vocab(vocab: str | list[str], ctx: ActiveContext) -> str | list[str]:
    """Compact the expanded terms of a VocabProperty, as entity types are."""
    if isinstance(vocab, list):
        return [ctx.compact_iri(iri) for iri in vocab]
    return ctx.compact_iri(vocab)


def _key_value(instance: dict[str, Any], ctx: ActiveContext, options: RenderOptions) -> Any:
    kind = instance["type"]
    if kind == RELATIONSHIP:
        return instance["object"]
    if kind == JSON_PROPERTY:
        return instance["json"]
    if kind == VOCAB_PROPERTY:
        return compact_vocab(instance["vocab"], ctx)
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
