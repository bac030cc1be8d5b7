"""The Content-Range of a temporal read that the instance limit cut (ETSI GS CIM 009 V1.6.1, clause 6.3.10).

When an attribute has more selected instances than the limit, the response covers a
time range that ends where the first cut attribute stops. Every other attribute, of
every entity in the response, is cut to that range as well, so a client that asks
for the next range (``timerel=after`` or ``before`` with the range end) receives
each instance once. An attribute whose instances all lie beyond the range is kept
in the response as an empty list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from citybase.context.jsonld.context import ActiveContext
from citybase.context.temporal.service import HistoryPage, HistoryRow
from citybase.context.temporal.timequery import TemporalQuery
from citybase.context.times import format_datetime


@dataclass
class PageRange:
    """The range a truncated response covers, and the attributes cut to nothing."""

    start: dt.datetime
    end: dt.datetime
    # "*" without lastN, else lastN: the number of instances per attribute requested.
    size: str
    # (entity pk, attribute IRI) -> attribute type, for attributes with no instance left.
    emptied: dict[tuple[int, str], str] = field(default_factory=dict)

    def header(self) -> str:
        return f"date-time {format_datetime(self.start)}-{format_datetime(self.end)}/{self.size}"


def cut_to_range(page: HistoryPage, temporal: TemporalQuery) -> PageRange | None:
    """Compute the range of a truncated page and drop the instances outside it, in place.

    Without lastN the range runs forward from the start of the queried interval (or
    the oldest instance returned) to the earliest time at which a cut attribute stops.
    With lastN it runs backward from the end of the interval (or the newest instance)
    to the latest time at which a cut attribute stops, and the size is lastN.
    Returns None when no attribute was cut.
    """
    if not page.truncated:
        return None

    def time_of(row: HistoryRow) -> dt.datetime:
        return row.time_of(temporal.timeproperty) or row.written_at

    everything = [time_of(row) for rows in page.history.values() for row in rows]
    cut: dict[tuple[int, str], list[dt.datetime]] = {}
    for entity_pk, rows in page.history.items():
        for row in rows:
            if (entity_pk, row.attr_iri) in page.truncated:
                cut.setdefault((entity_pk, row.attr_iri), []).append(time_of(row))

    backward = temporal.last_n is not None
    if backward:
        if temporal.timerel == "between" and temporal.end_time_at:
            start = temporal.end_time_at
        elif temporal.timerel == "before" and temporal.time_at:
            start = temporal.time_at
        else:
            start = max(everything)
        end = max(min(times) for times in cut.values())
        size = str(temporal.last_n)
    else:
        start = temporal.time_at if temporal.timerel in ("after", "between") and temporal.time_at else min(everything)
        end = min(max(times) for times in cut.values())
        size = "*"

    page_range = PageRange(start, end, size)
    for entity_pk, rows in page.history.items():
        in_range = [row for row in rows if (time_of(row) >= end if backward else time_of(row) <= end)]
        attrs_in_range = {row.attr_iri for row in in_range}
        for row in rows:
            if row.attr_iri not in attrs_in_range:
                page_range.emptied[(entity_pk, row.attr_iri)] = row.instance.get("type", "Property")
        rows[:] = in_range
    return page_range


def add_emptied(document: dict[str, Any], entity_pk: int, page_range: PageRange | None, ctx: ActiveContext,
                simplified: bool) -> dict[str, Any]:
    """Add the attributes of one entity that the range cut to nothing, as empty lists."""
    if page_range is None:
        return document
    for (pk, attr_iri), kind in page_range.emptied.items():
        if pk != entity_pk:
            continue
        name = ctx.compact_iri(attr_iri)
        if simplified:
            list_name = {"Relationship": "objects", "LanguageProperty": "languageMaps"}.get(kind, "values")
            document[name] = {"type": kind, list_name: []}
        else:
            document[name] = []
    return document
