"""Type and attribute discovery (``/types``, ``/attributes``; ETSI GS CIM 009 V1.6.1).

The results are read from two indexed tables that :meth:`EntityStore.save` keeps in the
same transaction as every entity write, never from the attribute documents:

- ``ctx_entity_types`` (primary key ``type_iri, entity_pk``): the entity types and
  each type's entity count;
- ``ctx_type_attrs`` (primary key ``type_iri, attr_iri, attr_type, entity_pk`` and
  an index on ``attr_iri, type_iri, attr_type``): one row per attribute of each
  entity under each of its types, with the ``type`` of the attribute's first
  instance (Property, Relationship, GeoProperty...).

The lists (``/types``, ``/attributes``, with or without ``details``) read the
distinct key prefixes of those indexes: on PostgreSQL with a recursive skip scan that
reads one index entry per distinct key, on SQLite with DISTINCT, which skips ahead by
itself. A single type or attribute reads only its own index range. ``attributeCount``
is the number of entities that have the attribute (V1.6.1 clause 5.2.27 counts the
attributes with that name), so an entity with two types counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from citybase.context.models import CtxEntityType, CtxTypeAttr
from citybase.context.scope import SCOPE_IRI


@dataclass
class AttributeSummary:
    iri: str
    count: int = 0
    attribute_types: set[str] = field(default_factory=set)
    type_names: set[str] = field(default_factory=set)


@dataclass
class TypeSummary:
    iri: str
    entity_count: int = 0
    attributes: dict[str, AttributeSummary] = field(default_factory=dict)


# ---- rows --------------------------------------------------------------------------------------

def type_attr_rows(entity_pk: int, types: list[str], attrs: dict[str, list[dict[str, Any]]],
                   only: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Return the ``ctx_type_attrs`` rows of an entity (of the attributes in ``only`` when given)."""
    names = attrs.keys() if only is None else only
    rows = []
    for attr_iri in names:
        instances = attrs.get(attr_iri)
        if not instances or attr_iri == SCOPE_IRI:
            continue
        attr_type = instances[0].get("type") or ""
        rows.extend({"type_iri": type_iri, "attr_iri": attr_iri, "attr_type": attr_type, "entity_pk": entity_pk}
                    for type_iri in dict.fromkeys(types))
    return rows


# ---- reads -------------------------------------------------------------------------------------

# Skip scans of the distinct type IRIs and of the distinct (first, second) column pairs
# of an index, for PostgreSQL, whose DISTINCT reads every index entry (measured on
# version 15). Each step seeks the next key after the previous one, so the query reads
# one entry per distinct key.
# SQLite's own DISTINCT already skips ahead on a covering index, and its row-value seek
# uses only the first column, so SQLite runs a plain DISTINCT.
_DISTINCT_PAIRS = """
    WITH RECURSIVE pairs(first, second) AS (
        SELECT * FROM (SELECT {first}, {second} FROM ctx_type_attrs ORDER BY {first}, {second} LIMIT 1) AS lowest
        UNION ALL
        SELECT
            (SELECT {first} FROM ctx_type_attrs WHERE ({first}, {second}) > (pairs.first, pairs.second)
             ORDER BY {first}, {second} LIMIT 1),
            (SELECT {second} FROM ctx_type_attrs WHERE ({first}, {second}) > (pairs.first, pairs.second)
             ORDER BY {first}, {second} LIMIT 1)
        FROM pairs WHERE pairs.first IS NOT NULL
    )
    SELECT first, second FROM pairs WHERE first IS NOT NULL
"""
_TYPE_ATTRIBUTE_PAIRS = text(_DISTINCT_PAIRS.format(first="type_iri", second="attr_iri"))
_ATTRIBUTE_TYPE_PAIRS = text(_DISTINCT_PAIRS.format(first="attr_iri", second="type_iri"))
_TYPE_NAMES = text("""
    WITH RECURSIVE types(iri) AS (
        SELECT min(type_iri) FROM ctx_entity_types
        UNION ALL
        SELECT (SELECT min(type_iri) FROM ctx_entity_types WHERE type_iri > types.iri) FROM types
        WHERE types.iri IS NOT NULL
    )
    SELECT iri FROM types WHERE iri IS NOT NULL ORDER BY iri
""")


def _distinct_pairs(session: Session, first: Any, second: Any) -> list[tuple[str, str]]:
    """Return the distinct (first, second) pairs of ``ctx_type_attrs``, reading an index that starts with them."""
    if session.get_bind().dialect.name == "postgresql":
        query = _TYPE_ATTRIBUTE_PAIRS if first.key == "type_iri" else _ATTRIBUTE_TYPE_PAIRS
        return [(a, b) for a, b in session.execute(query)]
    # NOTE: SQLite skips ahead only with ANALYZE statistics, which the broker does not
    # collect there, so without them this reads every row of the index.
    return [(a, b) for a, b in session.execute(select(first, second).distinct())]


def type_names(session: Session) -> list[str]:
    """Every entity type that some entity has."""
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(_TYPE_NAMES))
    return list(session.scalars(select(CtxEntityType.type_iri).distinct().order_by(CtxEntityType.type_iri)))


def type_attributes(session: Session) -> dict[str, set[str]]:
    """Every entity type with the attribute IRIs its entities have."""
    result: dict[str, set[str]] = {iri: set() for iri in type_names(session)}
    for type_iri, attr_iri in _distinct_pairs(session, CtxTypeAttr.type_iri, CtxTypeAttr.attr_iri):
        result.setdefault(type_iri, set()).add(attr_iri)
    return result


def type_summary(session: Session, type_iri: str) -> TypeSummary | None:
    """One entity type's entity count and its attributes with their kinds; None when no entity has it."""
    count = session.scalar(select(func.count()).select_from(CtxEntityType).where(CtxEntityType.type_iri == type_iri))
    if not count:
        return None
    summary = TypeSummary(type_iri, count)
    table = CtxTypeAttr
    rows = session.execute(select(table.attr_iri, table.attr_type, func.count())
                           .where(table.type_iri == type_iri).group_by(table.attr_iri, table.attr_type))
    for attr_iri, attr_type, n in rows:
        attribute = summary.attributes.setdefault(attr_iri, AttributeSummary(attr_iri, type_names={type_iri}))
        attribute.count += n
        if attr_type:
            attribute.attribute_types.add(attr_type)
    return summary


def attribute_types_by_name(session: Session) -> dict[str, set[str]]:
    """Every attribute IRI with the entity types whose entities have it."""
    result: dict[str, set[str]] = {}
    for attr_iri, type_iri in _distinct_pairs(session, CtxTypeAttr.attr_iri, CtxTypeAttr.type_iri):
        result.setdefault(attr_iri, set()).add(type_iri)
    return result


def attribute_summary(session: Session, attr_iri: str) -> AttributeSummary | None:
    """One attribute's entity count, kinds and entity types; None when no entity has it."""
    table = CtxTypeAttr
    rows = session.execute(select(table.type_iri, table.attr_type)
                           .where(table.attr_iri == attr_iri).group_by(table.type_iri, table.attr_type)).all()
    if not rows:
        return None
    # NOTE: an attribute with several datasetId instances counts once, because the index
    # keeps one row per entity and attribute, not per instance.
    count = session.scalar(select(func.count(table.entity_pk.distinct())).where(table.attr_iri == attr_iri))
    summary = AttributeSummary(attr_iri, count or 0)
    for type_iri, attr_type in rows:
        summary.type_names.add(type_iri)
        if attr_type:
            summary.attribute_types.add(attr_type)
    return summary
