"""Tables of the NGSI-LD broker.

``ctx_entities`` keeps the current state of each entity: its id, its expanded
types and its attributes as one JSON document ``{attribute IRI: [instance,
...]}`` (the layout is described in :mod:`citybase.context.entity_expand`).
Side tables make reads fast without touching that document:

- ``ctx_entity_types``: one row per (type, entity), so a type filter is an index
  range scan ordered by entity;
- ``ctx_geo``: one row per GeoProperty with its bounding box, the index-friendly
  prefilter of geo-queries;
- ``ctx_attr_values``: the typed scalars of each attribute's default value, so
  q comparisons are index range scans (see :mod:`citybase.context.valueindex`);
- ``ctx_type_attrs``: one row per (type, attribute, entity) with the attribute's
  kind (the ``type`` of its first instance: Property, Relationship, GeoProperty...),
  so ``/types`` and ``/attributes`` are answered from its indexes
  (see :mod:`citybase.context.service.discovery`);
- ``ctx_attr_instances``: the temporal evolution. The entity service
  (:mod:`citybase.context.service.store`) appends one row for every attribute
  instance it creates or changes, in the same transaction as the entity write:
  on create, replace, merge-patch, append, update, partial update and every batch
  operation. A row keeps the whole instance as written (value, sub-attributes,
  observedAt), its datasetId, its observedAt as a timestamp, and the time of
  the write (``modified_at``). Attribute deletions append a row with
  ``deleted = true`` and no value. Rows are removed only with their entity.

The tables are not audited row by row (``__audit__ = False``), because sensors
write thousands of rows a second; the API records one audit entry per request
and ``ctx_attr_instances`` is itself the history of every value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from citybase.core.db import Base, UTCDateTime

JsonDocument = JSON().with_variant(JSONB(), "postgresql")
# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid, so BigInteger is
# narrowed there to keep autoincrement.
BigKey = BigInteger().with_variant(Integer(), "sqlite")
IRI_LENGTH = 1024


class CtxEntity(Base):
    """The current state of one NGSI-LD entity."""

    __tablename__ = "ctx_entities"
    __audit__ = False

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(String(IRI_LENGTH), unique=True)
    types: Mapped[list[str]] = mapped_column(JsonDocument)
    attrs: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CtxEntityType(Base):
    """One type of one entity; the primary key (type, entity) serves type filters in order."""

    __tablename__ = "ctx_entity_types"
    __audit__ = False

    type_iri: Mapped[str] = mapped_column(String(IRI_LENGTH), primary_key=True)
    entity_pk: Mapped[int] = mapped_column(
        BigKey, ForeignKey("ctx_entities.pk", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_ctx_entity_types_entity_pk", "entity_pk"),)


class CtxGeo(Base):
    """Bounding box (WGS84 degrees) of one GeoProperty of one entity, for geo prefilters."""

    __tablename__ = "ctx_geo"
    __audit__ = False

    entity_pk: Mapped[int] = mapped_column(
        BigKey, ForeignKey("ctx_entities.pk", ondelete="CASCADE"), primary_key=True
    )
    attr_iri: Mapped[str] = mapped_column(String(IRI_LENGTH), primary_key=True)
    min_x: Mapped[float] = mapped_column(Float)
    min_y: Mapped[float] = mapped_column(Float)
    max_x: Mapped[float] = mapped_column(Float)
    max_y: Mapped[float] = mapped_column(Float)
    # max_x - min_x: the widest box bounds the min_x range a query must scan.
    width: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        Index("ix_ctx_geo_attr_box", "attr_iri", "min_x", "max_x", "min_y", "max_y", "entity_pk"),
        Index("ix_ctx_geo_attr_width", "attr_iri", "width"),
    )


class CtxAttrValue(Base):
    """One typed scalar of the value (or object) of one attribute's default instance."""

    __tablename__ = "ctx_attr_values"
    __audit__ = False

    entity_pk: Mapped[int] = mapped_column(
        BigKey, ForeignKey("ctx_entities.pk", ondelete="CASCADE"), primary_key=True
    )
    attr_iri: Mapped[str] = mapped_column(String(IRI_LENGTH), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    # n, s, b: a number, string or boolean value; with "[]": an array member; with an
    # "o" prefix: a Relationship's object.
    kind: Mapped[str] = mapped_column(String(4))
    num: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Byte order on PostgreSQL too, as q's string comparisons use.
    txt: Mapped[str | None] = mapped_column(
        String(1024).with_variant(String(1024, collation="C"), "postgresql"), nullable=True
    )

    __table_args__ = (
        Index("ix_ctx_attr_values_num", "attr_iri", "kind", "num", "entity_pk"),
        Index("ix_ctx_attr_values_txt", "attr_iri", "kind", "txt", "entity_pk"),
    )


class CtxTypeAttr(Base):
    """One attribute of one entity under one of the entity's types, with the attribute's kind.

    Every attribute of every entity has a row per entity type, whatever its value
    (Relationships, GeoProperties, objects, nulls alike). ``attr_type`` is the
    ``type`` of the attribute's first instance, or "" when it has none.
    """

    __tablename__ = "ctx_type_attrs"
    __audit__ = False

    type_iri: Mapped[str] = mapped_column(String(IRI_LENGTH), primary_key=True)
    attr_iri: Mapped[str] = mapped_column(String(IRI_LENGTH), primary_key=True)
    attr_type: Mapped[str] = mapped_column(String(IRI_LENGTH), primary_key=True)
    entity_pk: Mapped[int] = mapped_column(
        BigKey, ForeignKey("ctx_entities.pk", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (
        Index("ix_ctx_type_attrs_attr", "attr_iri", "type_iri", "attr_type"),
        Index("ix_ctx_type_attrs_entity", "entity_pk", "attr_iri"),
    )


class CtxAttrInstance(Base):
    """One attribute instance as written at one time: a row of the temporal evolution."""

    __tablename__ = "ctx_attr_instances"
    __audit__ = False

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True, autoincrement=True)
    entity_pk: Mapped[int] = mapped_column(BigKey, ForeignKey("ctx_entities.pk", ondelete="CASCADE"))
    attr_iri: Mapped[str] = mapped_column(String(IRI_LENGTH))
    dataset_id: Mapped[str | None] = mapped_column(String(IRI_LENGTH), nullable=True)
    instance_id: Mapped[str] = mapped_column(String(80))
    observed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The numeric value, when there is one, so aggregations need not parse JSON.
    value_number: Mapped[float | None] = mapped_column(Float, nullable=True)
    instance: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument, nullable=True)

    __table_args__ = (
        Index("ix_ctx_attr_instances_observed", "entity_pk", "attr_iri", "observed_at"),
        Index("ix_ctx_attr_instances_modified", "entity_pk", "attr_iri", "modified_at"),
    )
