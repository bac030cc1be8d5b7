"""Reads and writes of the temporal evolution kept in ``ctx_attr_instances``.

Every entity write of the broker appends the attribute instances it creates or
changes to that table (see :mod:`citybase.context.models`), so the temporal
evolution of an entity is the table's rows of that entity. The temporal API adds
instances with their own observedAt (for example a day of readings sent at once),
patches and deletes single instances, and deletes attributes' histories.

A temporal representation belongs to an entity row: creating one for an unknown
id creates the entity, whose current state is the most recent instance of each
attribute and datasetId, and deleting it deletes the entity.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, String, Text, cast, delete, func, select, type_coerce, update
from sqlalchemy.orm import Session

from citybase.context import jsontext
from citybase.context.errors import ResourceNotFound
from citybase.context.i18n import _
from citybase.context.models import CtxAttrInstance
from citybase.context.scope import SCOPE_IRI
from citybase.context.service import events
from citybase.context.service.store import Change, EntityStore, StoredEntity
from citybase.context.temporal.timequery import TemporalQuery
from citybase.context.times import format_datetime, parse_datetime

Instances = list[dict[str, Any]]
NULL_URI = "urn:ngsi-ld:null"


@dataclass(slots=True)
class HistoryRow:
    """One stored attribute instance with the times the temporal API reports.

    Not frozen, because a frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``, which made building a day of 1,440 rows ten times slower.
    The two times are kept as the raw column values (naive UTC text on SQLite, datetime
    on PostgreSQL) and converted on first use, because the temporalValues form with
    observedAt reads neither of them.
    """

    attr_iri: str
    dataset_id: str | None
    instance_id: str
    observed_raw: Any
    written_raw: Any
    instance: dict[str, Any]

    @property
    def observed_at(self) -> dt.datetime | None:
        return _utc(self.observed_raw)

    @property
    def written_at(self) -> dt.datetime:
        return _utc(self.written_raw)  # type: ignore[return-value]

    @property
    def deleted(self) -> bool:
        return "deletedAt" in self.instance

    def time_of(self, timeproperty: str) -> dt.datetime | None:
        if timeproperty == "observedAt":
            return self.observed_at
        if timeproperty == "modifiedAt":
            modified = self.instance.get("modifiedAt")
            return parse_datetime(modified, "modifiedAt") if modified else self.written_at
        return self.written_at


# ---- reading ------------------------------------------------------------------------------------

@dataclass
class HistoryPage:
    """The instances a temporal read returns, and whether the instance limit cut any attribute short."""

    history: dict[int, list[HistoryRow]]
    # (entity pk, attribute IRI) of each attribute that had more instances than the limit.
    truncated: set[tuple[int, str]] = field(default_factory=set)


def read_history(session: Session, entity_pks: list[int], attrs: list[str] | None,
                 query: TemporalQuery) -> dict[int, list[HistoryRow]]:
    """Return the instances of these entities that ``query`` selects, oldest first per attribute."""
    return read_history_page(session, entity_pks, attrs, query, None).history


def read_history_page(session: Session, entity_pks: list[int], attrs: list[str] | None,
                      query: TemporalQuery, limit: int | None) -> HistoryPage:
    """Read the selected instances, at most ``limit`` per attribute (None: no limit).

    Without lastN an attribute keeps its ``limit`` oldest selected instances, and with
    lastN its most recent ones. ``truncated`` lists the attributes that had more.
    """
    if not entity_pks:
        return HistoryPage({})
    table = CtxAttrInstance
    order_key = _order_key(query)
    # A day of one-minute readings is 1,440 rows: the datetime columns are read raw (see
    # _raw) and the instance as JSON text on both engines, and _instances_of parses every
    # instance in one call. That costs a fraction of SQLAlchemy's per-value result
    # processing and of psycopg's JSON loader, which runs once per row.
    columns = [table.entity_pk, table.attr_iri, table.dataset_id, table.instance_id, _raw(table.observed_at),
               _raw(table.modified_at), cast(table.instance, Text).label("instance"), table.pk, type_coerce(order_key, _RAW).label("order_key")]
    deletions = query.timeproperty == "deletedAt"
    conditions: list[ColumnElement[bool]] = [table.entity_pk.in_(entity_pks), table.deleted.is_(deletions)]
    if attrs is not None:
        conditions.append(table.attr_iri.in_(attrs))
    conditions.extend(_time_conditions(query, _time_column(query)))
    statement = select(*columns).where(*conditions)
    # One row beyond the limit shows that an attribute has more instances than the limit. The
    # window function that ranks rows costs about half again on a day of readings, so a
    # grouped count first checks whether any attribute exceeds the limit at all. A read of
    # one attribute of one entity without lastN needs neither: it takes the limit plus one
    # oldest rows with LIMIT.
    cap = query.last_n
    single = len(entity_pks) == 1 and attrs is not None and len(attrs) == 1 and cap is None
    if limit is not None and single:
        cap = limit + 1
    elif limit is not None and (cap is None or cap > limit) and _exceeds(session, conditions, limit):
        cap = limit + 1
    if single:
        # Fetch only the columns read below, not the ordering columns.
        statement = select(*columns[:7]).where(*conditions)
        order = (order_key, table.pk)
        if cap is not None:
            statement = statement.limit(cap)
    elif cap is not None:
        newest_first = query.last_n is not None
        rank = func.row_number().over(
            partition_by=(table.entity_pk, table.attr_iri),
            order_by=(order_key.desc(), table.pk.desc()) if newest_first else (order_key, table.pk),
        )
        ranked = statement.add_columns(rank.label("rank")).subquery()
        statement = select(*(ranked.c[c] for c in (
            "entity_pk", "attr_iri", "dataset_id", "instance_id", "observed_at", "modified_at", "instance", "pk",
            "order_key",
        ))).where(ranked.c.rank <= cap)
        order = (ranked.c.entity_pk, ranked.c.attr_iri, ranked.c.order_key, ranked.c.pk)
    else:
        order = (table.entity_pk, table.attr_iri, order_key, table.pk)
    history: dict[int, list[HistoryRow]] = defaultdict(list)
    # Core execution: the ORM's result handling would cost about a tenth of the read.
    rows = session.connection().execute(statement.order_by(*order)).all()
    truncated: set[tuple[int, str]] = set()
    if single:
        if limit is not None and len(rows) > limit:
            rows = rows[:limit]
            truncated.add((entity_pks[0], attrs[0]))  # type: ignore[index]
    elif limit is not None and cap == limit + 1:
        rows, truncated = _trim(rows, limit, drop_oldest=query.last_n is not None)
    kinds = attribute_kinds(session, {(row.entity_pk, row.attr_iri) for row in rows}) if deletions else {}
    instances = _instances_of([row[6] for row in rows])
    if deletions:
        instances = [_deletion_content(kinds, row[0], row[1], _utc(row[5])) for row in rows]  # type: ignore[arg-type]
    for (entity_pk, attr_iri, dataset_id, instance_id, observed_at, modified_at, *_rest), instance in zip(
        rows, instances, strict=True
    ):
        history[entity_pk].append(HistoryRow(attr_iri, dataset_id, instance_id, observed_at, modified_at, instance or {}))
    return HistoryPage(history, truncated)


def _deletion_content(kinds: dict[tuple[int, str], str], entity_pk: int, attr_iri: str,
                      deleted_at: dt.datetime) -> dict[str, Any]:
    content = deletion_marker(kinds.get((entity_pk, attr_iri), "Property"), deleted_at)
    if attr_iri == SCOPE_IRI:
        # An entity without scope has an empty list of scopes, not the NGSI-LD null.
        content["value"] = []
    return content


def _exceeds(session: Session, conditions: list[ColumnElement[bool]], limit: int) -> bool:
    """Return whether some attribute has more than ``limit`` instances that the conditions select."""
    table = CtxAttrInstance
    over = (select(table.entity_pk).where(*conditions).group_by(table.entity_pk, table.attr_iri)
            .having(func.count() > limit).limit(1))
    return session.execute(over).first() is not None


def _trim(rows: list[Any], limit: int, drop_oldest: bool) -> tuple[list[Any], set[tuple[int, str]]]:
    """Keep at most ``limit`` rows per attribute (rows come sorted by entity, attribute and time)."""
    groups: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for row in rows:
        groups[(row.entity_pk, row.attr_iri)].append(row)
    kept: list[Any] = []
    truncated: set[tuple[int, str]] = set()
    for key, group in groups.items():
        if len(group) > limit:
            truncated.add(key)
            group = group[len(group) - limit:] if drop_oldest else group[:limit]
        kept.extend(group)
    return kept, truncated


_RAW = String()


def _raw(column: Any) -> Any:
    """Return the column without result processing: text on SQLite, datetime and decoded JSON on PostgreSQL."""
    return type_coerce(column, _RAW).label(column.key)


def _instances_of(values: list[Any]) -> list[Any]:
    """Decode instance columns read as JSON text in one parser call, at half the cost of one
    call per row. Values that a driver has already decoded pass through."""
    if all(value is None or isinstance(value, str) for value in values):
        return jsontext.decode_array(values)
    return [jsontext.decode(value) if isinstance(value, (str, bytes)) else value for value in values]


def _utc(value: Any) -> dt.datetime | None:
    """Convert a raw column value to a UTC datetime, as UTCDateTime would load it."""
    if value is None:
        return None
    if isinstance(value, str):
        return _utc_text(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


@lru_cache(maxsize=4096)
def _utc_text(value: str) -> dt.datetime:
    # SQLite keeps naive UTC text; rows of one write share their write time, hence the cache.
    return dt.datetime.fromisoformat(value + "+00:00")


def attribute_kinds(session: Session, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """Return the attribute type (Property, Relationship, ...) each (entity pk, attribute) last had."""
    table = CtxAttrInstance
    kinds: dict[tuple[int, str], str] = {}
    for entity_pk, attr_iri in pairs:
        instance = session.scalar(select(table.instance).where(
            table.entity_pk == entity_pk, table.attr_iri == attr_iri, table.deleted.is_(False),
        ).order_by(table.pk.desc()).limit(1))
        kinds[(entity_pk, attr_iri)] = (instance or {}).get("type", "Property")
    return kinds


def deletion_marker(kind: str, deleted_at: dt.datetime) -> dict[str, Any]:
    """The instance shown for a deletion: the NGSI-LD null in the attribute's main member."""
    if kind == "Relationship":
        marker: dict[str, Any] = {"object": NULL_URI}
    elif kind == "LanguageProperty":
        marker = {"languageMap": {"@none": NULL_URI}}
    elif kind == "JsonProperty":
        marker = {"json": NULL_URI}
    elif kind == "VocabProperty":
        marker = {"vocab": NULL_URI}
    else:
        marker = {"value": NULL_URI}
    return {"type": kind, **marker, "deletedAt": format_datetime(deleted_at)}


def _time_column(query: TemporalQuery) -> Any:
    # Writes and deletions are both stamped in modified_at, the time the row was written.
    return CtxAttrInstance.observed_at if query.timeproperty == "observedAt" else CtxAttrInstance.modified_at


def _order_key(query: TemporalQuery) -> Any:
    # Instances written without observedAt still belong to the history; they sort by write time.
    if query.timeproperty == "observedAt" and query.timerel is None:
        return func.coalesce(CtxAttrInstance.observed_at, CtxAttrInstance.modified_at)
    return _time_column(query)


def _time_conditions(query: TemporalQuery, column: Any) -> list[ColumnElement[bool]]:
    if query.timerel == "after":
        return [column >= query.time_at]
    if query.timerel == "before":
        return [column < query.time_at]
    if query.timerel == "between":
        return [column >= query.time_at, column < query.end_time_at]
    return []


# ---- writing ------------------------------------------------------------------------------------

def add_instances(session: Session, entity_id: str, types: list[str], attrs: dict[str, Instances],
                  now: dt.datetime, create: bool) -> bool:
    """Append temporal instances to an entity, creating it when ``create`` allows; return True if created.

    The entity's current state takes an instance when it is at least as recent, by
    observedAt, as the current instance of the same attribute and datasetId.
    Raises ResourceNotFound when the entity does not exist and ``create`` is False.
    """
    store = EntityStore(session)
    entity = store.load([entity_id]).get(entity_id)
    stamp = format_datetime(now)
    stamped = {iri: [{**i, "createdAt": stamp, "modifiedAt": stamp} for i in _last_per_observation(items)]
               for iri, items in attrs.items()}
    if entity is not None and entity.pk is not None:
        _drop_same_observations(session, entity.pk, stamped)
    written = [(iri, instance) for iri, items in stamped.items() for instance in items]
    created = entity is None
    if entity is None:
        if not create:
            raise ResourceNotFound(_("Entity {id!r} was not found."), id=entity_id)
        entity = StoredEntity(entity_id, list(types), {}, now, now)
        change = Change(entity, written=written, types_changed=True, geo_changed=True)
    else:
        change = Change(entity, written=written, geo_changed=True)
        new_types = [t for t in types if t not in entity.types]
        if new_types:
            entity.types = [*entity.types, *new_types]
            change.types_changed = True
        entity.modified_at = now
    entity.attrs = _merge_current(entity.attrs, stamped)
    store.save([change], now)
    events.publish(session, [events.EntityChange(events.CREATED if created else events.UPDATED, entity,
                                                 frozenset(stamped))])
    return created


def delete_entity(session: Session, entity: StoredEntity) -> None:
    """Delete an entity with its whole history and publish the deletion."""
    EntityStore(session).delete([entity])
    events.publish(session, [events.EntityChange(events.DELETED, entity, frozenset(entity.attrs))])


def _observation_key(instance: dict[str, Any]) -> tuple[str | None, dt.datetime | None]:
    observed = instance.get("observedAt")
    return instance.get("datasetId"), parse_datetime(observed, "observedAt") if observed else None


def _last_per_observation(items: Instances) -> Instances:
    """Keep the last of several instances with the same datasetId and observedAt."""
    kept: dict[Any, dict[str, Any]] = {}
    for position, instance in enumerate(items):
        key = _observation_key(instance)
        kept[key if key[1] is not None else position] = instance
    return list(kept.values())


def _drop_same_observations(session: Session, entity_pk: int, attrs: dict[str, Instances]) -> None:
    """Delete stored instances that incoming ones replace: same attribute, datasetId and observedAt.

    Sending the same readings twice therefore leaves one copy of each.
    """
    times: dict[tuple[str, str | None], set[dt.datetime]] = defaultdict(set)
    for iri, items in attrs.items():
        for instance in items:
            dataset_id, observed = _observation_key(instance)
            if observed is not None:
                times[(iri, dataset_id)].add(observed)
    table = CtxAttrInstance
    for (iri, dataset_id), observed_times in times.items():
        session.execute(delete(table).where(
            table.entity_pk == entity_pk, table.attr_iri == iri, table.deleted.is_(False),
            table.dataset_id.is_(None) if dataset_id is None else table.dataset_id == dataset_id,
            table.observed_at.in_(sorted(observed_times)),
        ))


def _merge_current(current: dict[str, Instances], incoming: dict[str, Instances]) -> dict[str, Instances]:
    merged = {iri: list(items) for iri, items in current.items()}
    for iri, items in incoming.items():
        by_dataset = {i.get("datasetId"): i for i in merged.get(iri, [])}
        for instance in items:
            key = instance.get("datasetId")
            if key not in by_dataset or _observed(instance) >= _observed(by_dataset[key]):
                by_dataset[key] = instance
        merged[iri] = sorted(by_dataset.values(), key=lambda i: "datasetId" in i)
    return merged


def _observed(instance: dict[str, Any]) -> dt.datetime:
    raw = instance.get("observedAt")
    # An instance without observedAt counts as observed when it was written.
    return parse_datetime(raw or instance["modifiedAt"], "observedAt")


def delete_attribute_history(session: Session, entity_pk: int, attr_iri: str, dataset_id: str | None,
                             delete_all: bool) -> int:
    """Delete the instances of one attribute (one datasetId, or all); return how many went."""
    table = CtxAttrInstance
    statement = delete(table).where(table.entity_pk == entity_pk, table.attr_iri == attr_iri)
    if not delete_all:
        statement = statement.where(
            table.dataset_id.is_(None) if dataset_id is None else table.dataset_id == dataset_id
        )
    return session.execute(statement).rowcount or 0


def find_instance(session: Session, entity_pk: int, attr_iri: str, instance_id: str) -> CtxAttrInstance | None:
    table = CtxAttrInstance
    return session.scalar(select(table).where(
        table.entity_pk == entity_pk, table.attr_iri == attr_iri, table.instance_id == instance_id,
        table.deleted.is_(False),
    ))


def patch_instance(session: Session, row: CtxAttrInstance, patched: dict[str, Any], now: dt.datetime) -> None:
    """Replace the stored instance of ``row`` with ``patched``, keeping its id and write time."""
    instance = {**patched, "createdAt": row.instance.get("createdAt") if row.instance else None,
                "modifiedAt": format_datetime(now)}
    instance = {k: v for k, v in instance.items() if v is not None}
    value = instance.get("value")
    number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    observed = instance.get("observedAt")
    session.execute(update(CtxAttrInstance).where(CtxAttrInstance.pk == row.pk).values(
        instance=instance, value_number=number,
        observed_at=parse_datetime(observed, "observedAt") if observed else None,
    ))


def delete_instance(session: Session, row: CtxAttrInstance) -> None:
    session.execute(delete(CtxAttrInstance).where(CtxAttrInstance.pk == row.pk))
