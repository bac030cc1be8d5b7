"""The SQL of the aggregated temporal representation, on SQLite and PostgreSQL.

The database groups the selected instances by entity, attribute, datasetId and
period and returns one row of aggregates per group, so a year of one-minute readings
(about 525,000 rows) never reaches Python. Fixed durations (weeks, days, hours,
minutes, seconds) number the periods with integer arithmetic on epoch milliseconds.
Durations with years or months have periods of varying length, so their starts are
computed here and each row finds its period by a binary search written as nested CASEs. ``stddev_samp`` is PostgreSQL's; SQLite
gets the same aggregate from :mod:`citybase.context.sqlite_functions`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Float, Integer, String, Text, and_, case, cast, distinct, extract
from sqlalchemy import func, literal, literal_column, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from citybase.context.entity_expand import LANGUAGE_PROPERTY, PROPERTY, RELATIONSHIP
from citybase.context.errors import BadRequestData
from citybase.context.i18n import _
from citybase.context.models import CtxAttrInstance
from citybase.context.temporal.aggregation import (
    Aggregation,
    PeriodValues,
    calendar_periods,
    to_millis,
    too_many_periods,
)
from citybase.context.temporal.service import _order_key, _time_column, _time_conditions, _utc
from citybase.context.temporal.timequery import TemporalQuery

# Value objects whose "@value" text min and max compare: ISO 8601 text sorts in time order
# when every value has the same form and time zone.
TEMPORAL_VALUE_TYPES = ("DateTime", "Date", "Time")

# entity pk -> attribute IRI -> [(datasetId, periods in time order)]
Aggregates = dict[int, dict[str, list[tuple[str | None, list[PeriodValues]]]]]


def read_aggregates(session: Session, entity_pks: list[int], attrs: list[str] | None, query: TemporalQuery,
                    aggregation: Aggregation, limit: int) -> Aggregates:
    """Aggregate the instances ``query`` selects of these entities, period by period.

    ``limit`` caps the number of periods of one entity; a duration that gives more
    raises BadRequestData. With lastN only the N most recent periods of each
    attribute are kept.
    """
    if query.timeproperty == "deletedAt":
        raise BadRequestData(_("timeproperty=deletedAt selects deletions, which have no values to aggregate; "
                               "use observedAt, createdAt or modifiedAt with aggregatedValues."))
    if not entity_pks:
        return {}
    table = CtxAttrInstance
    time = _order_key(query)
    conditions: list[ColumnElement[bool]] = [table.entity_pk.in_(entity_pks), table.deleted.is_(False)]
    if attrs is not None:
        conditions.append(table.attr_iri.in_(attrs))
    conditions.extend(_time_conditions(query, _time_column(query)))

    bounds = _entity_bounds(session, time, conditions)
    if not bounds:
        return {}
    origins = {pk: to_millis(query.time_at) if query.time_at else low for pk, (low, _high) in bounds.items()}
    dialect = session.get_bind().dialect.name
    period = aggregation.period

    # OFFSET 0 keeps both engines from merging this subquery into the next one, so the
    # epoch milliseconds are computed once per row and not once per use in the bucket.
    kind, key, number, text = _value_columns(dialect)
    base = select(table.entity_pk, table.attr_iri, table.dataset_id, _epoch_millis(time, dialect).label("millis"),
                  kind.label("kind"), key.label("key"), number.label("number"), text.label("text"))
    base = base.where(*conditions).offset(0).subquery()

    calendar_starts: dict[int, list[int]] = {}
    if period.whole_range:
        bucket: ColumnElement[Any] = literal(0, Integer)
    elif period.months == 0:
        for pk, (low, high) in bounds.items():
            if (high - origins[pk]) // period.millis - (low - origins[pk]) // period.millis >= limit:
                raise too_many_periods(period, limit)
        origin = case(origins, value=base.c.entity_pk) if query.time_at is None else literal(origins[entity_pks[0]])
        bucket = _floor_divide(base.c.millis - origin, period.millis)
    else:
        for pk, (low, high) in bounds.items():
            calendar_starts[pk] = calendar_periods(origins[pk], period, low, high, limit)
        trees = {pk: _period_search(base.c.millis, starts, 0, len(starts) - 1) for pk, starts in calendar_starts.items()}
        bucket = case(trees, value=base.c.entity_pk)

    bucketed = select(base.c.entity_pk, base.c.attr_iri, base.c.dataset_id, bucket.label("bucket"), base.c.kind,
                      base.c.key, base.c.number, base.c.text).subquery()
    c = bucketed.c
    statement = (
        select(c.entity_pk, c.attr_iri, c.dataset_id, c.bucket, func.max(c.kind), func.count(),
               func.count(distinct(c.key)), func.count(c.number), func.sum(c.number), func.avg(c.number),
               func.min(c.number), func.max(c.number), func.sum(c.number * c.number),
               func.stddev_samp(c.number), func.count(c.text), func.min(c.text), func.max(c.text))
        .group_by(c.entity_pk, c.attr_iri, c.dataset_id, c.bucket)
        .order_by(c.entity_pk, c.attr_iri, c.dataset_id, c.bucket)
    )

    result: Aggregates = {}
    groups: dict[tuple[int, str, str | None], list[PeriodValues]] = defaultdict(list)
    for row in session.execute(statement):
        entity_pk, attr_iri, dataset_id, index = row[0], row[1], row[2], int(row[3])
        if period.whole_range:
            start, end = _whole_range(query, bounds[entity_pk])
        elif period.months == 0:
            start = origins[entity_pk] + index * period.millis
            end = start + period.millis
        else:
            start, end = calendar_starts[entity_pk][index], calendar_starts[entity_pk][index + 1]
        groups[(entity_pk, attr_iri, dataset_id)].append(PeriodValues(start, end, row[4] or "Property", *row[5:]))
    for (entity_pk, attr_iri, dataset_id), periods_of in groups.items():
        if query.last_n is not None:
            periods_of = periods_of[-query.last_n:]
        result.setdefault(entity_pk, {}).setdefault(attr_iri, []).append((dataset_id, periods_of))
    return result


def _period_search(millis: Any, starts: list[int], first: int, last: int) -> Any:
    """Return the index of the period that contains ``millis``, as a binary search in nested CASEs.

    ``starts[first:last + 1]`` are the bounds of periods ``first`` to ``last - 1``, so a
    row passes through about log2(periods) comparisons of integers that are written into
    the SQL text (bound parameters would pass SQLite's limit of 32,766 for long ranges).
    """
    if last - first == 1:
        return literal_column(str(first))
    middle = (first + last) // 2
    return case((millis < literal_column(str(int(starts[middle]))), _period_search(millis, starts, first, middle)),
                else_=_period_search(millis, starts, middle, last))


def _entity_bounds(session: Session, time: Any, conditions: list[ColumnElement[bool]]) -> dict[int, tuple[int, int]]:
    """Return the epoch milliseconds of the oldest and newest selected instance of each entity."""
    table = CtxAttrInstance
    statement = (select(table.entity_pk, type_coerce(func.min(time), String), type_coerce(func.max(time), String))
                 .where(*conditions).group_by(table.entity_pk))
    bounds = {}
    for entity_pk, low, high in session.execute(statement):
        bounds[entity_pk] = (to_millis(_as_utc(low)), to_millis(_as_utc(high)))
    return bounds


def _as_utc(value: Any) -> dt.datetime:
    utc = _utc(value)
    assert utc is not None
    return utc


def _whole_range(query: TemporalQuery, bounds: tuple[int, int]) -> tuple[int, int]:
    """Return the one period of a zero duration: the queried interval, closed by the instances where it is open."""
    low, high = bounds
    start = to_millis(query.time_at) if query.timerel in ("after", "between") and query.time_at else low
    if query.timerel == "between" and query.end_time_at:
        end = to_millis(query.end_time_at)
    elif query.timerel == "before" and query.time_at:
        end = to_millis(query.time_at)
    else:
        end = high
    return start, end


def _floor_divide(numerator: Any, divisor: int) -> ColumnElement[Any]:
    # Integer division truncates toward zero on both engines; instances before the
    # origin (timerel=before) need the floor.
    return case((numerator >= 0, numerator // divisor), else_=-((divisor - 1 - numerator) // divisor))


def _epoch_millis(time: Any, dialect: str) -> ColumnElement[Any]:
    """Milliseconds since 1970 as an integer: SQLite keeps naive UTC text, PostgreSQL timestamptz."""
    if dialect == "sqlite":
        seconds = cast(func.strftime("%s", time), Integer)
        fraction = cast(func.substr(func.strftime("%f", time), 4, 3), Integer)
        return seconds * 1000 + fraction
    return cast(func.floor(extract("epoch", time) * 1000), BigInteger)


def _value_columns(dialect: str) -> tuple[Any, Any, Any, Any]:
    """Return the per-instance columns the aggregates read: attribute type, distinct key, number, text.

    The value is ``object`` for a Relationship, ``languageMap`` for a LanguageProperty
    and ``value`` otherwise. The number is a JSON number, a boolean as 1 or 0, or the
    size of an array. The text is a string, or the "@value" of a DateTime, Date or Time.
    A numeric value is also stored in ``value_number``: those rows, the bulk of most
    histories, are aggregated without parsing their JSON.
    """
    stored = CtxAttrInstance.value_number
    is_number = stored.is_not(None)
    kind, key, number, text = (_sqlite_value_columns() if dialect == "sqlite" else _postgresql_value_columns())
    return (
        type_coerce(case((is_number, PROPERTY), else_=kind), String),
        type_coerce(case((is_number, cast(stored, String)), else_=key), String),
        type_coerce(case((is_number, stored), else_=number), Float),
        type_coerce(case((is_number, None), else_=text), String),
    )


def _sqlite_value_columns() -> tuple[Any, Any, Any, Any]:
    instance = CtxAttrInstance.instance
    kind = type_coerce(func.json_extract(instance, "$.type"), String)
    path = case((kind == RELATIONSHIP, "$.object"), (kind == LANGUAGE_PROPERTY, "$.languageMap"), else_="$.value")
    value_type = func.json_type(instance, path)
    raw = func.json_extract(instance, path)
    number = case(
        (value_type == "true", 1), (value_type == "false", 0),
        (value_type == "array", func.json_array_length(instance, path)),
    )
    temporal_type = func.json_extract(instance, '$.value."@type"')
    text = case(
        (value_type == "text", raw),
        (and_(value_type == "object", temporal_type.in_(TEMPORAL_VALUE_TYPES)),
         func.json_extract(instance, '$.value."@value"')),
    )
    key = value_type.concat(":").concat(raw)
    return kind, key, number, text


def _postgresql_value_columns() -> tuple[Any, Any, Any, Any]:
    document = type_coerce(CtxAttrInstance.instance, JSONB)
    kind = document.op("->>", return_type=String)("type")
    member = case((kind == RELATIONSHIP, "object"), (kind == LANGUAGE_PROPERTY, "languageMap"), else_="value")
    node = document.op("->", return_type=JSONB)(member)
    value_type = func.jsonb_typeof(node)
    scalar = document.op("->>", return_type=String)(member)
    number = case(
        (value_type == "boolean", case((scalar == "true", 1.0), else_=0.0)),
        (value_type == "array", cast(func.jsonb_array_length(node), Float)),
    )
    temporal_type = node.op("->>", return_type=String)("@type")
    text = case(
        (value_type == "string", scalar),
        (and_(value_type == "object", temporal_type.in_(TEMPORAL_VALUE_TYPES)),
         node.op("->>", return_type=String)("@value")),
    )
    return kind, cast(node, Text), number, text
