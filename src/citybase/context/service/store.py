"""Bulk persistence of entities, their side tables and the temporal instance table.

Every operation of the broker loads the entities it touches with one query,
computes their new state in Python, and saves all of them with a few
``executemany`` statements: one insert or update per table, never one round trip
per entity. :meth:`EntityStore.save` is the only writer of these tables:

- it inserts new entities and updates changed ones in ``ctx_entities``;
- it rewrites the ``ctx_entity_types`` rows of entities whose types changed and
  the ``ctx_geo`` rows of entities whose GeoProperties changed;
- it rewrites the ``ctx_attr_values`` rows (the q index, see
  :mod:`citybase.context.valueindex`) of every attribute a change wrote or
  deleted, and all of them for new entities;
- it rewrites the ``ctx_type_attrs`` rows (the ``/types`` and ``/attributes``
  index, see :mod:`citybase.context.service.discovery`) of the same attributes,
  and all of an entity's rows when it is new or its types changed;
- it appends one ``ctx_attr_instances`` row for each attribute instance listed in
  ``Change.written`` and one deletion row for each attribute in
  ``Change.deleted`` (the temporal evolution; see :mod:`citybase.context.models`).

On PostgreSQL it also counts the entity writes, so that bulk loads are followed by a
VACUUM (ANALYZE) (see :mod:`citybase.context.service.maintenance`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import String, delete, select, type_coerce
from sqlalchemy.orm import Session

from citybase.context import jsontext
from citybase.context.entity_expand import GEO_PROPERTY
from citybase.context.geo import geometry_bounds
from citybase.context.service import maintenance
from citybase.context.service.bulk import delete_pairs, insert_rows, update_rows
from citybase.context.models import CtxAttrInstance, CtxAttrValue, CtxEntity, CtxEntityType, CtxGeo, CtxTypeAttr
from citybase.context.service.discovery import type_attr_rows
from citybase.context.times import format_datetime, parse_datetime
from citybase.context.valueindex import attribute_rows, value_rows

_LOAD_CHUNK = 500


@dataclass
class StoredEntity:
    """An entity as stored; ``pk`` is None until it is inserted."""

    id: str
    types: list[str]
    attrs: dict[str, list[dict[str, Any]]]
    created_at: dt.datetime
    modified_at: dt.datetime
    pk: int | None = None

    def as_document(self) -> dict[str, Any]:
        """Return the dict that :func:`compact_entity` renders, with system times formatted."""
        return {
            "id": self.id,
            "types": self.types,
            "attrs": self.attrs,
            "createdAt": format_datetime(self.created_at),
            "modifiedAt": format_datetime(self.modified_at),
        }


@dataclass
class Change:
    """Pending save of one entity, with the attribute instances to log as written or deleted."""

    entity: StoredEntity
    written: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    deleted: list[tuple[str, str | None]] = field(default_factory=list)
    types_changed: bool = False
    geo_changed: bool = False
    # The attributes as loaded, before this request. When given, the index rows of a
    # written attribute are rewritten only where they differ from the loaded ones.
    # With None, the rows of every written or deleted attribute are rewritten.
    original: dict[str, list[dict[str, Any]]] | None = None

    def touched(self) -> set[str]:
        """Return the IRIs of the attributes this change writes or deletes."""
        return {iri for iri, _instance in self.written} | {iri for iri, _dataset in self.deleted}


class EntityStore:
    """Load and save entities through one SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def load(self, entity_ids: Iterable[str]) -> dict[str, StoredEntity]:
        ids = list(dict.fromkeys(entity_ids))
        found: dict[str, StoredEntity] = {}
        for start in range(0, len(ids), _LOAD_CHUNK):
            chunk = ids[start:start + _LOAD_CHUNK]
            for entity in self._select(CtxEntity.entity_id.in_(chunk)):
                found[entity.id] = entity
        return found

    def load_by_pk(self, pks: list[int]) -> list[StoredEntity]:
        """Return the entities with these primary keys, in the order of ``pks``."""
        by_pk: dict[int, StoredEntity] = {}
        for start in range(0, len(pks), _LOAD_CHUNK):
            chunk = pks[start:start + _LOAD_CHUNK]
            for entity in self._select(CtxEntity.pk.in_(chunk)):
                by_pk[entity.pk] = entity  # type: ignore[index]
        return [by_pk[pk] for pk in pks if pk in by_pk]

    def _select(self, condition: Any) -> list[StoredEntity]:
        """Entities matching ``condition``, read without ORM objects or per-value result processing.

        The JSON columns arrive as text on SQLite (decoded here with one parser call
        for all rows) and already decoded on PostgreSQL; the datetimes as naive UTC
        text on SQLite and as aware datetimes on PostgreSQL.
        """
        table = CtxEntity
        columns = (table.pk, table.entity_id, type_coerce(table.types, _RAW), type_coerce(table.attrs, _RAW),
                   type_coerce(table.created_at, _RAW), type_coerce(table.modified_at, _RAW))
        rows = self.session.connection().execute(select(*columns).where(condition)).all()
        documents = _decode_all([value for row in rows for value in (row[2], row[3])])
        return [
            StoredEntity(entity_id, documents[2 * n], documents[2 * n + 1], _utc(created), _utc(modified), pk)
            for n, (pk, entity_id, _types, _attrs, created, modified) in enumerate(rows)
        ]

    def exists(self, entity_id: str) -> bool:
        return self.session.scalar(select(CtxEntity.pk).where(CtxEntity.entity_id == entity_id)) is not None

    def save(self, changes: list[Change], now: dt.datetime) -> None:
        new = [c for c in changes if c.entity.pk is None]
        old = [c for c in changes if c.entity.pk is not None]
        self._insert_entities(new)
        self._update_entities(old)
        self._write_types(new + [c for c in old if c.types_changed])
        self._write_geo(new + [c for c in old if c.geo_changed])
        self._write_values(new, old)
        self._write_type_attrs(new, old)
        self._write_instances(changes, now)
        maintenance.count_writes(self.session, len(changes))
        self.session.expire_all()

    def delete(self, entities: list[StoredEntity]) -> None:
        pks = [entity.pk for entity in entities if entity.pk is not None]
        if not pks:
            return
        # Side tables are removed explicitly: SQLite enforces ON DELETE CASCADE only
        # with foreign keys on, and the explicit statements keep both databases alike.
        for table in (CtxAttrInstance, CtxAttrValue, CtxTypeAttr, CtxGeo, CtxEntityType):
            self.session.execute(delete(table).where(table.entity_pk.in_(pks)))
        self.session.execute(delete(CtxEntity).where(CtxEntity.pk.in_(pks)))

    # ---- writers -------------------------------------------------------------------------

    def _insert_entities(self, changes: list[Change]) -> None:
        if not changes:
            return
        rows = [
            {
                "entity_id": c.entity.id,
                "types": c.entity.types,
                "attrs": c.entity.attrs,
                "created_at": c.entity.created_at,
                "modified_at": c.entity.modified_at,
            }
            for c in changes
        ]
        table = CtxEntity.__table__
        statement = table.insert().returning(table.c.pk, sort_by_parameter_order=True)
        pks = self.session.connection().execute(statement, rows).scalars().all()
        for change, pk in zip(changes, pks, strict=True):
            change.entity.pk = pk

    def _update_entities(self, changes: list[Change]) -> None:
        rows = [
            {"pk": c.entity.pk, "types": c.entity.types, "attrs": c.entity.attrs, "modified_at": c.entity.modified_at}
            for c in changes
        ]
        update_rows(self.session.connection(), CtxEntity.__table__, "pk", rows)

    def _write_types(self, changes: list[Change]) -> None:
        if not changes:
            return
        pks = [c.entity.pk for c in changes]
        self.session.execute(delete(CtxEntityType).where(CtxEntityType.entity_pk.in_(pks)))
        rows = [{"entity_pk": c.entity.pk, "type_iri": iri} for c in changes for iri in c.entity.types]
        self._insert_rows(CtxEntityType.__table__, rows)

    def _write_geo(self, changes: list[Change]) -> None:
        if not changes:
            return
        pks = [c.entity.pk for c in changes if c.entity.pk is not None]
        self.session.execute(delete(CtxGeo).where(CtxGeo.entity_pk.in_(pks)))
        rows = [row for c in changes for row in _geo_rows(c.entity)]
        self._insert_rows(CtxGeo.__table__, rows)

    def _write_values(self, new: list[Change], old: list[Change]) -> None:
        rows = [row for c in new for row in value_rows(c.entity.pk, c.entity.attrs)]  # type: ignore[arg-type]
        stale: list[tuple[int, str]] = []
        for change in old:
            pk: int = change.entity.pk  # type: ignore[assignment]
            for attr_iri in change.touched():
                current = attribute_rows(pk, attr_iri, change.entity.attrs.get(attr_iri))
                if change.original is not None and current == attribute_rows(pk, attr_iri, change.original.get(attr_iri)):
                    continue
                stale.append((pk, attr_iri))
                rows.extend(current)
        delete_pairs(self.session.connection(), CtxAttrValue.__table__, stale)
        self._insert_rows(CtxAttrValue.__table__, rows)

    def _write_type_attrs(self, new: list[Change], old: list[Change]) -> None:
        rows = [row for c in new for row in type_attr_rows(c.entity.pk, c.entity.types, c.entity.attrs)]  # type: ignore[arg-type]
        retyped = [c.entity.pk for c in old if c.types_changed]
        stale: list[tuple[int, str]] = []
        for change in old:
            pk: int = change.entity.pk  # type: ignore[assignment]
            if change.types_changed:
                rows.extend(type_attr_rows(pk, change.entity.types, change.entity.attrs))
                continue
            for attr_iri in change.touched():
                # The rows store the attribute's kind and not its value, so an attribute that
                # keeps its kind keeps its rows.
                kind = _attribute_kind(change.entity.attrs.get(attr_iri))
                if change.original is not None and kind == _attribute_kind(change.original.get(attr_iri)):
                    continue
                stale.append((pk, attr_iri))
                rows.extend(type_attr_rows(pk, change.entity.types, change.entity.attrs, [attr_iri]))
        table = CtxTypeAttr.__table__
        if retyped:
            self.session.execute(delete(CtxTypeAttr).where(CtxTypeAttr.entity_pk.in_(retyped)))
        delete_pairs(self.session.connection(), table, stale)
        self._insert_rows(table, rows)

    def _write_instances(self, changes: list[Change], now: dt.datetime) -> None:
        rows: list[dict[str, Any]] = []
        for change in changes:
            pk = change.entity.pk
            for attr_iri, instance in change.written:
                rows.append(_instance_row(pk, attr_iri, instance, now))
            for attr_iri, dataset_id in change.deleted:
                rows.append({
                    "entity_pk": pk, "attr_iri": attr_iri, "dataset_id": dataset_id,
                    "instance_id": _instance_id(), "observed_at": None, "modified_at": now,
                    "deleted": True, "value_number": None, "instance": None,
                })
        self._insert_rows(CtxAttrInstance.__table__, rows)

    def _insert_rows(self, table: Any, rows: list[dict[str, Any]]) -> None:
        insert_rows(self.session.connection(), table, rows)


_RAW = String()


def _decode_all(values: list[Any]) -> list[Any]:
    """Decode JSON column values: texts (SQLite) with one parser call; PostgreSQL's are decoded."""
    if all(isinstance(value, str) for value in values):
        return jsontext.decode_array(values)
    return [jsontext.decode(value) if isinstance(value, (str, bytes)) else value for value in values]


def _utc(value: Any) -> dt.datetime:
    if isinstance(value, str):
        return _utc_text(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


@lru_cache(maxsize=4096)
def _utc_text(value: str) -> dt.datetime:
    # SQLite keeps UTCDateTime values as naive UTC text.
    return dt.datetime.fromisoformat(value + "+00:00")


def _attribute_kind(instances: list[dict[str, Any]] | None) -> str | None:
    """Return the ``attr_type`` of an attribute's ``ctx_type_attrs`` rows, or None when it has none."""
    if not instances:
        return None
    return instances[0].get("type") or ""


def _geo_rows(entity: StoredEntity) -> list[dict[str, Any]]:
    rows = []
    for attr_iri, instances in entity.attrs.items():
        instance = instances[0]
        if instance.get("type") != GEO_PROPERTY:
            continue
        box = geometry_bounds(instance["value"])
        rows.append({
            "entity_pk": entity.pk, "attr_iri": attr_iri, "min_x": box.min_x, "min_y": box.min_y,
            "max_x": box.max_x, "max_y": box.max_y, "width": box.max_x - box.min_x,
        })
    return rows


def _instance_row(pk: int | None, attr_iri: str, instance: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    observed = instance.get("observedAt")
    value = instance.get("value")
    number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return {
        "entity_pk": pk,
        "attr_iri": attr_iri,
        "dataset_id": instance.get("datasetId"),
        "instance_id": _instance_id(),
        "observed_at": parse_datetime(observed, "observedAt") if observed else None,
        "modified_at": now,
        "deleted": False,
        "value_number": number,
        "instance": instance,
    }


# Instance ids are a random per-process prefix and a counter: unique across
# processes without the cost of one uuid4 per attribute write.
_INSTANCE_PREFIX = f"urn:ngsi-ld:attribute:instance:{uuid.uuid4().hex[:16]}-"
_instance_counter = itertools.count(1)


def _instance_id() -> str:
    return f"{_INSTANCE_PREFIX}{next(_instance_counter)}"
