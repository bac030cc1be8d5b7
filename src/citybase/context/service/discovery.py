"""Type and attribute discovery (``/types``, ``/attributes``; ETSI GS CIM 009 V1.6.1).

The summary is computed in the database from the stored attribute documents
(``json_each`` on SQLite, ``jsonb_each`` on PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

# NOTE: this scans every entity's attribute document; on 100,000 entities it takes
# seconds, not milliseconds. A per-type summary table kept by writes would fix it.
_SUMMARY_SQL = {
    "sqlite": """
        SELECT t.type_iri, j.key, json_extract(j.value, '$[0].type') AS attr_type, count(*) AS n
        FROM ctx_entity_types t
        JOIN ctx_entities e ON e.pk = t.entity_pk, json_each(e.attrs) j
        GROUP BY t.type_iri, j.key, attr_type
    """,
    "postgresql": """
        SELECT t.type_iri, j.key, j.value -> 0 ->> 'type' AS attr_type, count(*) AS n
        FROM ctx_entity_types t
        JOIN ctx_entities e ON e.pk = t.entity_pk
        CROSS JOIN LATERAL jsonb_each(e.attrs) j
        GROUP BY t.type_iri, j.key, attr_type
    """,
}
_TYPE_COUNTS_SQL = "SELECT type_iri, count(*) FROM ctx_entity_types GROUP BY type_iri"


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


def type_summaries(session: Session) -> dict[str, TypeSummary]:
    """Every entity type with its entity count and the attributes its entities have."""
    types: dict[str, TypeSummary] = {}
    for type_iri, count in session.execute(text(_TYPE_COUNTS_SQL)):
        types[type_iri] = TypeSummary(type_iri, count)
    dialect = session.get_bind().dialect.name
    for type_iri, attr_iri, attr_type, count in session.execute(text(_SUMMARY_SQL[dialect])):
        summary = types.setdefault(type_iri, TypeSummary(type_iri))
        attribute = summary.attributes.setdefault(attr_iri, AttributeSummary(attr_iri))
        attribute.count += count
        if attr_type:
            attribute.attribute_types.add(attr_type)
        attribute.type_names.add(type_iri)
    return types


def attribute_summaries(session: Session) -> dict[str, AttributeSummary]:
    """Every attribute with the number of entities having it, its kinds and the entity types."""
    merged: dict[str, AttributeSummary] = {}
    for summary in type_summaries(session).values():
        for attr_iri, attribute in summary.attributes.items():
            target = merged.setdefault(attr_iri, AttributeSummary(attr_iri))
            target.count += attribute.count
            target.attribute_types |= attribute.attribute_types
            target.type_names |= attribute.type_names
    return merged
