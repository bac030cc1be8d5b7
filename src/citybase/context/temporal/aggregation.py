"""The aggregated temporal representation: its parameters, periods and rendering.

ETSI GS CIM 009 clause 4.5.19 defines two parameters (the text read here is V1.9.1's,
and the clause dates from V1.4.1). ``aggrMethods`` is a comma-separated list of
totalCount, distinctCount, sum, avg, min, max, stddev and sumsq. ``aggrPeriodDuration``
is an ISO 8601 duration ``P[n]Y[n]M[n]DT[n]H[n]M[n]S`` or ``P[n]W``, and its zero value
(the default) spans the whole time range of the temporal query. Each attribute of the result holds, per
method, a list of ``[value, startAt, endAt]``, one per period.

Periods are laid out from an origin: timeAt when the query has a timerel, else the
oldest selected instance of the entity. A period starts at the origin plus a whole
number of durations and contains the instances at or after its start and before its
end. Periods without any instance are left out, as the example of clause C.5.14
shows. :mod:`citybase.context.temporal.aggregate_query` computes the values in SQL.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from citybase.context.entity_expand import PROPERTY
from citybase.context.errors import BadRequestData
from citybase.context.i18n import _
from citybase.context.jsonld.context import ActiveContext
from citybase.context.service.store import StoredEntity

AGGREGATION_METHODS = ("totalCount", "distinctCount", "sum", "avg", "min", "max", "stddev", "sumsq")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(
    r"P(?:(\d+)Y)?(?:(\d+)M)?(?:" + _NUMBER + r"D)?"
    r"(?:T(?:" + _NUMBER + r"H)?(?:" + _NUMBER + r"M)?(?:" + _NUMBER + r"S)?)?"
)
_WEEKS = re.compile(r"P" + _NUMBER + r"W")
_MILLIS = {"W": 604_800_000, "D": 86_400_000, "H": 3_600_000, "M": 60_000, "S": 1000}


@dataclass(frozen=True)
class PeriodDuration:
    """An aggrPeriodDuration: calendar months plus a fixed number of milliseconds."""

    text: str
    months: int = 0
    millis: int = 0

    @property
    def whole_range(self) -> bool:
        return self.months == 0 and self.millis == 0


@dataclass(frozen=True)
class Aggregation:
    """The aggregation a temporal read requests."""

    methods: tuple[str, ...]
    period: PeriodDuration


def parse_period_duration(text: Any) -> PeriodDuration:
    """Parse an aggrPeriodDuration, or raise BadRequestData naming the value when it is invalid."""
    if not isinstance(text, str):
        raise BadRequestData(_("aggrPeriodDuration {value!r} must be a string such as 'PT1H'."), value=text)
    weeks = _WEEKS.fullmatch(text)
    match = _DURATION.fullmatch(text)
    valid = weeks is not None or (match is not None and any(match.groups()) and not text.endswith("T"))
    if not valid:
        raise BadRequestData(
            _("aggrPeriodDuration {value!r} is not an ISO 8601 duration such as 'PT1H', 'P1D', 'P1M' or 'P1W'."),
            value=text,
        )
    if weeks is not None:
        return PeriodDuration(text, 0, _to_millis(weeks.group(1), "W"))
    assert match is not None
    years, months, days, hours, minutes, seconds = match.groups()
    millis = sum(_to_millis(number, unit) for number, unit in ((days, "D"), (hours, "H"), (minutes, "M"),
                                                               (seconds, "S")) if number)
    return PeriodDuration(text, int(years or 0) * 12 + int(months or 0), millis)


def _to_millis(number: str, unit: str) -> int:
    return round(float(number.replace(",", ".")) * _MILLIS[unit])


def parse_methods(raw: Any) -> tuple[str, ...]:
    """Parse aggrMethods, a comma-separated string or (in a JSON query) an array of strings."""
    if isinstance(raw, str):
        names = [name.strip() for name in raw.split(",")]
    elif isinstance(raw, list) and all(isinstance(name, str) for name in raw):
        names = [name.strip() for name in raw]
    else:
        names = []
    if not names or "" in names:
        raise BadRequestData(
            _("aggrMethods {value!r} is not a comma-separated list of aggregation methods; use one or more of {known}."),
            value=raw, known=", ".join(AGGREGATION_METHODS),
        )
    for name in names:
        if name not in AGGREGATION_METHODS:
            raise BadRequestData(
                _("aggrMethods contains {value!r}, which is not an aggregation method; use {known}."),
                value=name, known=", ".join(AGGREGATION_METHODS),
            )
    return tuple(dict.fromkeys(names))


def parse_aggregation(methods: Any, duration: Any) -> Aggregation:
    """Build the aggregation of an aggregatedValues request from its two parameters."""
    if methods is None:
        raise BadRequestData(
            _("The aggregated temporal representation needs aggrMethods, for example aggrMethods=avg,max."),
        )
    period = parse_period_duration(duration) if duration is not None else PeriodDuration("PT0S")
    return Aggregation(parse_methods(methods), period)


# ---- periods --------------------------------------------------------------------------------------

def to_millis(instant: dt.datetime) -> int:
    """Milliseconds since 1970-01-01T00:00:00Z, exactly, without floating point."""
    return (instant - EPOCH) // dt.timedelta(milliseconds=1)


def from_millis(millis: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=millis)


def add_months(instant: dt.datetime, months: int) -> dt.datetime:
    """Add calendar months. A day past the end of the target month becomes its last day."""
    index = instant.year * 12 + instant.month - 1 + months
    year, month = divmod(index, 12)
    day = min(instant.day, calendar.monthrange(year, month + 1)[1])
    return instant.replace(year=year, month=month + 1, day=day)


def period_start(origin: int, period: PeriodDuration, index: int) -> int:
    """Return the start, in epoch milliseconds, of period ``index`` counted from ``origin``."""
    if period.months:
        shifted = add_months(from_millis(origin), period.months * index)
        return to_millis(shifted) + period.millis * index
    return origin + period.millis * index


def calendar_periods(origin: int, period: PeriodDuration, first: int, last: int, limit: int) -> list[int]:
    """Return the period starts, from the one holding ``first`` to one past ``last`` (epoch ms).

    Raises BadRequestData when that is more than ``limit`` periods.
    """
    index = 0
    while period_start(origin, period, index) > first:
        index -= 1
    while period_start(origin, period, index + 1) <= first:
        index += 1
    starts = [period_start(origin, period, index)]
    while starts[-1] <= last:
        index += 1
        starts.append(period_start(origin, period, index))
        if len(starts) > limit + 1:
            raise too_many_periods(period, limit)
    return starts


def too_many_periods(period: PeriodDuration, limit: int) -> BadRequestData:
    return BadRequestData(
        _("aggrPeriodDuration {value!r} divides the queried instances into more than {limit} periods; "
          "choose a longer duration or a shorter time interval."),
        value=period.text, limit=limit,
    )


def format_period_time(millis: int) -> str:
    """Format a period bound in UTC, with milliseconds only when they are not zero."""
    instant = from_millis(millis)
    if instant.microsecond:
        return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- values -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeriodValues:
    """The SQL aggregates of one attribute (and datasetId) over one period."""

    start: int
    end: int
    kind: str
    total: int
    distinct: int
    numbers: int
    number_sum: float | None
    number_avg: float | None
    number_min: float | None
    number_max: float | None
    number_sumsq: float | None
    number_stddev: float | None
    texts: int
    text_min: str | None
    text_max: str | None


def method_value(method: str, values: PeriodValues) -> Any:
    """Return the value of one aggregation method over one period, or None where it does not apply.

    Numbers, booleans (true is 1, false is 0) and array sizes take every method.
    Strings, and DateTime, Date and Time values, take min and max in lexicographic
    order. Relationships, objects, GeoProperties and LanguageProperties only take
    totalCount and distinctCount. A period with both numbers and strings takes min and
    max from the numbers.

    NOTE: clause 4.5.19 also defines avg for Time values (the average time of day),
    which is not computed here: it gives None.
    """
    if method == "totalCount":
        return values.total
    if method == "distinctCount":
        return values.distinct
    if values.kind != PROPERTY:
        return None
    if values.numbers:
        number = {
            "sum": values.number_sum, "avg": values.number_avg, "min": values.number_min,
            "max": values.number_max, "sumsq": values.number_sumsq, "stddev": values.number_stddev,
        }[method]
        return None if number is None else float(number)
    if values.texts and method in ("min", "max"):
        return values.text_min if method == "min" else values.text_max
    return None


def render_aggregated(entity: StoredEntity, attributes: dict[str, list[tuple[str | None, list[PeriodValues]]]],
                      ctx: ActiveContext, aggregation: Aggregation) -> dict[str, Any]:
    """Render one entity: per attribute, per datasetId, one list of periods per method."""
    types = [ctx.compact_iri(iri) for iri in entity.types]
    result: dict[str, Any] = {"id": entity.id, "type": types[0] if len(types) == 1 else types}
    for attr_iri, datasets in attributes.items():
        name = ctx.compact_iri(attr_iri)
        rendered = []
        for dataset_id, periods in datasets:
            item: dict[str, Any] = {"type": periods[-1].kind}
            for method in aggregation.methods:
                item[method] = [[method_value(method, values), format_period_time(values.start),
                                 format_period_time(values.end)] for values in periods]
            if dataset_id is not None:
                item["datasetId"] = dataset_id
            rendered.append(item)
        result[name] = rendered[0] if len(rendered) == 1 else rendered
    return result
