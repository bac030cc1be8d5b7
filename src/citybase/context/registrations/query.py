"""Matching of stored registrations against a Query CSourceRegistrations request.

The rules follow ETSI GS CIM 009 V1.6.1, clauses 5.10.2 and 5.12. A registration
matches when one of its RegistrationInfo objects can provide the requested
entities and attributes. Its geo and time members must also satisfy the geo-query
and the temporal query. ``q`` and ``csf`` test the registration's additional members
(for example ``csourceProperty1=="aValue"``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from citybase.context.errors import BadRequestData
from citybase.context.geo import GeoQuery, parse_geometry
from citybase.context.query.qlang import And, Condition, Node, Or, Pattern, Range, Value, ValueList
from citybase.context.query.typeexpr import TypeExpr
from citybase.context.registrations.payload import interval_bounds
from citybase.context.temporal.timequery import TemporalQuery
from citybase.context.times import parse_datetime

_MISSING = object()


@dataclass(frozen=True)
class RegistrationQuery:
    """Filters of a query; None means the filter is absent. Names are already expanded."""

    ids: list[str] | None = None
    id_pattern: str | None = None
    types: TypeExpr | None = None
    attrs: list[str] | None = None
    q: Node | None = None
    csf: Node | None = None
    geo: GeoQuery | None = None
    temporal: TemporalQuery | None = None
    expand: Any = None

    def matches(self, document: dict[str, Any], created_at: dt.datetime, modified_at: dt.datetime) -> bool:
        if not any(self._info_matches(info) for info in document["information"]):
            return False
        for node in (self.q, self.csf):
            if node is not None and not _evaluate(node, document.get("properties") or {}, self.expand):
                return False
        if self.geo is not None and not self._geo_matches(document):
            return False
        return self.temporal is None or self._time_matches(document)

    def _info_matches(self, info: dict[str, Any]) -> bool:
        entities = info.get("entities")
        # A RegistrationInfo without entities provides its attributes of any entity.
        if entities is not None and not any(self._entity_matches(entity) for entity in entities):
            return False
        if not self.attrs:
            return True
        names = set(info.get("propertyNames") or ()) | set(info.get("relationshipNames") or ())
        # Without property and relationship names the source provides every attribute.
        return not names or bool(names & set(self.attrs))

    def _entity_matches(self, entity: dict[str, Any]) -> bool:
        kinds = entity["type"] if isinstance(entity["type"], list) else [entity["type"]]
        if self.types is not None and not self.types.matches(set(kinds)):
            return False
        if self.ids:
            if entity.get("id") is not None and entity["id"] not in self.ids:
                return False
            if entity.get("id") is None and entity.get("idPattern") is not None and not any(
                re.search(entity["idPattern"], wanted) for wanted in self.ids
            ):
                return False
        if self.id_pattern is not None and entity.get("id") is not None:
            # An EntityInfo with an idPattern may hold matching ids: whether two patterns
            # overlap cannot be decided, so such an EntityInfo is kept.
            return re.search(self.id_pattern, entity["id"]) is not None
        return True

    def _geo_matches(self, document: dict[str, Any]) -> bool:
        assert self.geo is not None
        name = self.geo.geoproperty.rsplit("/", 1)[-1]
        value = document.get(name)
        if value is None:
            return False
        return self.geo.matches(parse_geometry(value, name))

    def _time_matches(self, document: dict[str, Any]) -> bool:
        query = self.temporal
        assert query is not None
        if query.timerel is None:
            return True
        member = "observationInterval" if query.timeproperty == "observedAt" else "managementInterval"
        if document.get(member) is None:
            return False
        start, end = interval_bounds(document[member])
        assert query.time_at is not None
        # The interval [startAt, endAt) must overlap the queried one. Without endAt it is still open.
        if query.timerel == "before":
            return start < query.time_at
        if query.timerel == "after":
            return end is None or end > query.time_at
        assert query.end_time_at is not None
        return start < query.end_time_at and (end is None or end > query.time_at)


def _evaluate(node: Node, properties: dict[str, Any], expand: Any) -> bool:
    if isinstance(node, And):
        return all(_evaluate(item, properties, expand) for item in node.items)
    if isinstance(node, Or):
        return any(_evaluate(item, properties, expand) for item in node.items)
    return _condition(node, properties, expand)


def _condition(condition: Condition, properties: dict[str, Any], expand: Any) -> bool:
    value = properties.get(expand(condition.path.attribute), _MISSING)
    if isinstance(value, dict) and value.get("type") == "Property" and "value" in value:
        value = value["value"]
    for key in condition.path.keys:
        value = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
    # Sub-attributes of a plain registration member do not exist.
    if condition.path.sub:
        value = _MISSING
    if condition.operator is None:
        return value is not _MISSING
    if value is _MISSING:
        return False
    operand = condition.operand
    if isinstance(operand, Pattern):
        found = isinstance(value, str) and re.search(operand.regex, value) is not None
        return found if condition.operator == "~=" else not found
    candidates = value if isinstance(value, list) else [value]
    if condition.operator == "!=":
        return not any(_equals(item, operand) for item in candidates)
    if condition.operator == "==":
        return any(_equals(item, operand) for item in candidates)
    assert isinstance(operand, Value)
    return any(_compare(item, operand, condition.operator) for item in candidates)


def _equals(item: Any, operand: Any) -> bool:
    if isinstance(operand, ValueList):
        return any(_equals(item, value) for value in operand.values)
    if isinstance(operand, Range):
        return _compare(item, operand.low, ">=") and _compare(item, operand.high, "<=")
    left, right = _comparable(item, operand)
    return left is not None and left == right


def _compare(item: Any, operand: Value, operator: str) -> bool:
    left, right = _comparable(item, operand)
    if left is None or right is None or type(left) is not type(right):
        return False
    if operator == "<":
        return left < right
    if operator == "<=":
        return left <= right
    if operator == ">":
        return left > right
    return left >= right


def _comparable(item: Any, operand: Value) -> tuple[Any, Any]:
    """Both sides in one comparable type, or (None, None) when they cannot be compared."""
    if operand.kind == "number":
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            return None, None
        return float(item), float(operand.value)  # type: ignore[arg-type]
    if operand.kind == "boolean":
        return (item, operand.value) if isinstance(item, bool) else (None, None)
    if operand.kind == "datetime" and isinstance(item, str):
        try:
            return parse_datetime(item, "q"), parse_datetime(operand.value, "q")
        except BadRequestData:
            # A stored string that is no date-time does not match.
            return None, None
    if isinstance(item, str):
        return item, str(operand.value)
    return None, None
