"""Temporal representations of an entity (ETSI GS CIM 009 V1.6.1, clauses 4.5.7 and 4.5.9).

Normalized: each attribute is an array of its instances, each with its
``instanceId`` and the usual members. Simplified (``temporalValues``): each
attribute becomes ``{"type": ..., "values": [[value, time], ...]}`` per datasetId,
with ``objects`` for Relationships and ``languageMaps`` for LanguageProperties;
the time is the one ``timeproperty`` names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from citybase.context.entity_compact import RenderOptions, compact_instance, compact_vocab
from citybase.context.entity_expand import JSON_PROPERTY, LANGUAGE_PROPERTY, RELATIONSHIP, VOCAB_PROPERTY
from citybase.context.jsonld.context import ActiveContext
from citybase.context.service.store import StoredEntity
from citybase.context.temporal.service import HistoryRow
from citybase.context.times import format_datetime

_SIMPLIFIED_MEMBER = {
    RELATIONSHIP: ("objects", "object"), LANGUAGE_PROPERTY: ("languageMaps", "languageMap"),
    JSON_PROPERTY: ("jsons", "json"), VOCAB_PROPERTY: ("vocabs", "vocab"),
}
# Members whose values a simplified pair wraps in an object named by the member.
_WRAPPED_MEMBERS = frozenset({"languageMap", "json", "vocab"})


@dataclass(frozen=True)
class TemporalOptions:
    """``simplified`` selects temporalValues; ``timeproperty`` is the time shown in it."""

    simplified: bool = False
    sys_attrs: bool = False
    timeproperty: str = "observedAt"
    lang: str | None = None


def render_temporal(entity: StoredEntity, rows: list[HistoryRow], ctx: ActiveContext,
                    options: TemporalOptions) -> dict[str, Any]:
    """Render one entity's history; attributes with no selected instance are left out."""
    types = [ctx.compact_iri(iri) for iri in entity.types]
    result: dict[str, Any] = {"id": entity.id, "type": types[0] if len(types) == 1 else types}
    by_attribute: dict[str, list[HistoryRow]] = defaultdict(list)
    for row in rows:
        by_attribute[row.attr_iri].append(row)
    for attr_iri, attribute_rows in by_attribute.items():
        name = ctx.compact_iri(attr_iri)
        if options.simplified:
            result[name] = _simplified(attribute_rows, ctx, options)
        else:
            result[name] = [_normalized(row, ctx, options) for row in attribute_rows]
    if options.sys_attrs:
        result["createdAt"] = format_datetime(entity.created_at)
        result["modifiedAt"] = format_datetime(entity.modified_at)
    return result


def _normalized(row: HistoryRow, ctx: ActiveContext, options: TemporalOptions) -> dict[str, Any]:
    if row.deleted:
        return {**row.instance, "instanceId": row.instance_id}
    rendered = compact_instance(row.instance, ctx, RenderOptions("normalized", False, None, options.lang))
    rendered["instanceId"] = row.instance_id
    if options.sys_attrs:
        rendered["createdAt"] = format_datetime(row.written_at)
        rendered["modifiedAt"] = row.instance.get("modifiedAt") or format_datetime(row.written_at)
    return rendered


def _simplified(rows: list[HistoryRow], ctx: ActiveContext, options: TemporalOptions) -> Any:
    groups: dict[str | None, list[HistoryRow]] = defaultdict(list)
    for row in rows:
        groups[row.dataset_id].append(row)
    rendered = []
    for dataset_id, group in groups.items():
        kind = group[-1].instance.get("type", "Property")
        list_name, member = _SIMPLIFIED_MEMBER.get(kind, ("values", "value"))
        if options.timeproperty == "observedAt" and member not in _WRAPPED_MEMBERS:
            pairs = _observed_pairs(group, member, ctx, options)
        else:
            pairs = [_pair(row, member, ctx, options) for row in group]
        item: dict[str, Any] = {"type": kind, list_name: pairs}
        if dataset_id is not None:
            item["datasetId"] = dataset_id
        rendered.append(item)
    return rendered[0] if len(rendered) == 1 else rendered


def _observed_pairs(rows: list[HistoryRow], member: str, ctx: ActiveContext,
                    options: TemporalOptions) -> list[list[Any]]:
    """Build the pairs of a plain member by observedAt, as :func:`_pair` does for each row.

    A day of readings has 1,440 rows, so the common cases are inlined here instead of
    costing a function call per row.
    """
    pairs = []
    for row in rows:
        instance = row.instance
        if "deletedAt" in instance:
            pairs.append([instance.get(member), instance["deletedAt"]])
        elif "observedAt" in instance:
            pairs.append([instance.get(member), instance["observedAt"]])
        else:
            pairs.append(_pair(row, member, ctx, options))
    return pairs


def _pair(row: HistoryRow, member: str, ctx: ActiveContext, options: TemporalOptions) -> list[Any]:
    value = row.instance.get(member)
    if member == "vocab" and not row.deleted and value is not None:
        value = compact_vocab(value, ctx)
    if member in _WRAPPED_MEMBERS:
        # These values are objects or terms, so each is wrapped in an object named by its member.
        value = {member: value}
    if row.deleted:
        return [value, row.instance["deletedAt"]]
    if options.timeproperty == "observedAt" and "observedAt" in row.instance:
        # observedAt reads back exactly as the client wrote it, as in the normalized form.
        return [value, row.instance["observedAt"]]
    time = row.time_of(options.timeproperty)
    return [value, format_datetime(time) if time is not None else None]
