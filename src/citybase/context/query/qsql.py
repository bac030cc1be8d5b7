"""Compile a parsed ``q`` expression to a SQL condition over the stored entity JSON.

Entities keep their attributes in one JSON column shaped
``{attribute IRI: [instance, ...]}``; the default instance (no datasetId) is at
index 0, and a condition tests that instance. An instance keeps ``type``,
``value`` / ``object`` / ``languageMap``, ``observedAt``, ``unitCode``,
``datasetId``, ``createdAt`` and ``modifiedAt`` under those names and each
sub-attribute under its IRI.

The same tree compiles for SQLite (``json_extract``/``json_type`` and a
``regexp`` function registered on each connection) and PostgreSQL (``jsonb``
operators). Type tests guard every ordering comparison, so ``temperature>20``
does not match a string value, and on PostgreSQL only strings shaped like ISO 8601
dates are cast to timestamps.

Comparison semantics (clause 4.9): ``==`` on an array value matches when the
array contains the operand; a range ``a..b`` includes both ends; a list matches
any member; ``!=`` is the negation of ``==`` for entities that have the
attribute; a URI operand, and a string operand of ``==``/``!=``, also matches a
Relationship's ``object``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    DateTime,
    Float,
    Text,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    intersect,
    literal,
    not_,
    or_,
    select,
    union,
)
from sqlalchemy.dialects.postgresql import JSONB

from citybase.context.query.qlang import (
    And,
    AttrPath,
    Condition,
    Node,
    Or,
    Pattern,
    Range,
    Value,
    ValueList,
)
from citybase.context.valueindex import index_condition, index_rows

INSTANCE_MEMBERS = frozenset({"observedAt", "unitCode", "datasetId", "createdAt", "modifiedAt"})
_TEMPORAL_KINDS = frozenset({"datetime", "date"})

ExpandName = Callable[[str], str]


class QCompiler:
    """Compile q trees for one SQL dialect (``sqlite`` or ``postgresql``)."""

    def __init__(self, dialect: str, data: ColumnElement[Any], expand: ExpandName,
                 entity_pk: ColumnElement[Any] | None = None) -> None:
        """``entity_pk``, when given, is the ``ctx_entities.pk`` column of the query: the
        conditions the value index answers (:mod:`citybase.context.valueindex`) then
        use it instead of the JSON document."""
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"q compiles for sqlite or postgresql, not {dialect!r}")
        self.dialect = dialect
        self.json = _SqliteJson(data) if dialect == "sqlite" else _PostgresJson(data)
        self.expand = expand
        self.entity_pk = entity_pk

    def compile(self, node: Node) -> ColumnElement[bool]:
        if isinstance(node, And):
            return self._and(node)
        if isinstance(node, Or):
            return or_(*(self.compile(item) for item in node.items))
        return self._condition(node)

    def _and(self, node: And) -> ColumnElement[bool]:
        """AND the items, reading the value index in the shape that suits each engine.

        On SQLite the first index-served condition stays ``pk IN (...)`` so that SQLite can
        drive the query from its rows. A later one becomes a correlated EXISTS, so SQLite
        checks it per candidate instead of first collecting all of its matches, which are
        16,000 rows for ``deviceState=="fault"`` over 100,000 entities. Results are the same
        either way.

        On PostgreSQL two or more index-served conditions become one
        ``pk IN (rows INTERSECT rows ...)``. Each condition's index range is then read once
        by an index-only scan and the sets are intersected by hashing, whatever the row
        estimates. Semi-joins instead let the planner probe one condition per candidate
        of another, and it picks the wrong driver when it underestimates the ranges (about
        eightfold for ``value>95`` and ``deviceState=="fault"`` at 100,000 entities, because
        the statistics of ``ctx_attr_values`` mix all attributes).
        """
        if self.dialect == "postgresql" and self.entity_pk is not None:
            return self._and_intersected(node)
        clauses: list[ColumnElement[bool]] = []
        driving = False
        for item in node.items:
            if isinstance(item, Condition) and self.entity_pk is not None:
                indexed = index_condition(item, self.expand, self.entity_pk, correlated=driving)
                if indexed is not None:
                    clauses.append(indexed)
                    driving = True
                    continue
            clauses.append(self.compile(item))
        return and_(*clauses)

    def _and_intersected(self, node: And) -> ColumnElement[bool]:
        assert self.entity_pk is not None
        clauses: list[ColumnElement[bool]] = []
        row_sets: list[Any] = []
        for item in node.items:
            selects = index_rows(item, self.expand) if isinstance(item, Condition) else None
            if selects is None:
                clauses.append(self.compile(item))
            else:
                row_sets.append(selects[0] if len(selects) == 1 else select(union(*selects).subquery().c[0]))
        if len(row_sets) == 1:
            clauses.insert(0, self.entity_pk.in_(row_sets[0]))
        elif row_sets:
            clauses.insert(0, self.entity_pk.in_(intersect(*row_sets)))
        return and_(*clauses)

    def _condition(self, condition: Condition) -> ColumnElement[bool]:
        if self.entity_pk is not None:
            indexed = index_condition(condition, self.expand, self.entity_pk)
            if indexed is not None:
                return indexed
        base, member = self._instance_path(condition.path)
        if condition.operator is None:
            target = base + ([member] if member else [])
            return self.json.exists(target)
        if member is not None:
            return self._compare(base + [member], condition.operator, condition.operand)
        value_path = base + ["value", *condition.path.keys]
        clause = self._compare(value_path, condition.operator, condition.operand)
        if not condition.path.keys and _may_be_object(condition):
            object_clause = self._compare(base + ["object"], condition.operator, condition.operand)
            clause = or_(clause, object_clause)
        if condition.operator in ("!=", "!~="):
            return and_(self.json.exists(base), clause)
        return clause

    def _instance_path(self, path: AttrPath) -> tuple[list[str | int], str | None]:
        """JSON path of the addressed instance, plus an instance member name if one is named."""
        base: list[str | int] = [self.expand(path.attribute), 0]
        member: str | None = None
        for position, name in enumerate(path.sub):
            last = position == len(path.sub) - 1
            if last and name in INSTANCE_MEMBERS and not path.keys:
                member = name
            else:
                base.append(self.expand(name))
        return base, member

    def _compare(self, path: list[str | int], operator: str, operand: Any) -> ColumnElement[bool]:
        if isinstance(operand, Pattern):
            matched = self.json.regex(path, operand.regex)
            return not_(matched) if operator == "!~=" else matched
        if operator in ("==", "!="):
            matched = self._equals(path, operand)
            return self.json.negate_present(path, matched) if operator == "!=" else matched
        return self.json.ordered(path, operator, operand)

    def _equals(self, path: list[str | int], operand: Any) -> ColumnElement[bool]:
        if isinstance(operand, Range):
            return and_(self.json.ordered(path, ">=", operand.low),
                        self.json.ordered(path, "<=", operand.high))
        if isinstance(operand, ValueList):
            return or_(*(self.json.equals(path, value) for value in operand.values))
        return self.json.equals(path, operand)


def _may_be_object(condition: Condition) -> bool:
    operand = condition.operand
    values = operand.values if isinstance(operand, ValueList) else (operand,)
    if condition.operator in ("==", "!="):
        return any(isinstance(v, Value) and v.kind in ("uri", "string") for v in values)
    return False


# ---- dialects ------------------------------------------------------------------------------

class _SqliteJson:
    """JSON access through SQLite's JSON1 functions; paths are ``$."key"[0]...`` strings."""

    def __init__(self, data: ColumnElement[Any]) -> None:
        self.data = data

    def _path(self, path: list[str | int]) -> str:
        parts = ["$"]
        for step in path:
            parts.append(f"[{step}]" if isinstance(step, int) else '."' + step.replace('"', "") + '"')
        return "".join(parts)

    def _extract(self, path: list[str | int]) -> ColumnElement[Any]:
        return func.json_extract(self.data, self._path(path))

    def _type(self, path: list[str | int]) -> ColumnElement[Any]:
        return func.json_type(self.data, self._path(path))

    def exists(self, path: list[str | int]) -> ColumnElement[bool]:
        return self._type(path).is_not(None)

    def extract_json(self, path: list[str | int]) -> ColumnElement[Any]:
        """The JSON at ``path``: SQLite returns objects and arrays as JSON text."""
        return self._extract(path)

    def negate_present(self, path: list[str | int], matched: ColumnElement[bool]) -> ColumnElement[bool]:
        return and_(self.exists(path), not_(func.coalesce(matched, False)))

    def equals(self, path: list[str | int], value: Value) -> ColumnElement[bool]:
        if value.kind in _TEMPORAL_KINDS:
            return self.ordered(path, "==", value)
        kind = self._type(path)
        extracted = self._extract(path)
        if value.kind == "boolean":
            flag = "true" if value.value else "false"
            each = func.json_each(self.data, self._path(path)).table_valued("value", "type")
            member = select(literal(1)).select_from(each).where(each.c.type == flag)
            return or_(kind == flag, and_(kind == "array", member.exists()))
        if value.kind == "number":
            types: tuple[str, ...] = ("integer", "real")
            scalar = and_(kind.in_(types), extracted == value.value)
        else:
            types = ("text",)
            scalar = and_(kind == "text", extracted == str(value.value))
        each = func.json_each(self.data, self._path(path)).table_valued("value", "type")
        member = select(literal(1)).select_from(each).where(
            each.c.type.in_(types), each.c.value == value.value
        )
        return or_(scalar, and_(kind == "array", member.exists()))

    def ordered(self, path: list[str | int], operator: str, value: Value) -> ColumnElement[bool]:
        sql_operator = "=" if operator == "==" else operator
        kind = self._type(path)
        if value.kind == "number":
            return and_(kind.in_(("integer", "real")), self._extract(path).op(sql_operator, is_comparison=True)(value.value))
        if value.kind in _TEMPORAL_KINDS:
            text = func.coalesce(func.json_extract(self.data, self._path(path + ["@value"])),
                                 self._extract(path))
            return func.julianday(text).op(sql_operator, is_comparison=True)(func.julianday(str(value.value)))
        return and_(kind == "text", self._extract(path).op(sql_operator, is_comparison=True)(str(value.value)))

    def regex(self, path: list[str | int], regex: str) -> ColumnElement[bool]:
        return and_(self._type(path) == "text", func.regexp(regex, self._extract(path)) == 1)


class _PostgresJson:
    """JSON access through PostgreSQL ``jsonb`` operators; paths are ``text[]`` parameters."""

    def __init__(self, data: ColumnElement[Any]) -> None:
        self.data = data

    def _node(self, path: list[str | int]) -> ColumnElement[Any]:
        steps = [str(step) for step in path]
        return self.data.op("#>", return_type=JSONB)(bindparam(None, steps, type_=ARRAY(Text)))

    def _text(self, path: list[str | int]) -> ColumnElement[Any]:
        steps = [str(step) for step in path]
        return self.data.op("#>>", return_type=Text)(bindparam(None, steps, type_=ARRAY(Text)))

    def exists(self, path: list[str | int]) -> ColumnElement[bool]:
        return self._node(path).is_not(None)

    def extract_json(self, path: list[str | int]) -> ColumnElement[Any]:
        return self._node(path)

    def negate_present(self, path: list[str | int], matched: ColumnElement[bool]) -> ColumnElement[bool]:
        return and_(self.exists(path), not_(func.coalesce(matched, False)))

    def equals(self, path: list[str | int], value: Value) -> ColumnElement[bool]:
        if value.kind in _TEMPORAL_KINDS:
            return self.ordered(path, "==", value)
        literal_value = value.value if value.kind in ("number", "boolean") else str(value.value)
        encoded = json.dumps(literal_value)
        node = self._node(path)
        scalar = node == cast(literal(encoded), JSONB)
        contains = and_(func.jsonb_typeof(node) == "array",
                        node.op("@>", return_type=Boolean)(cast(literal(f"[{encoded}]"), JSONB)))
        return or_(scalar, contains)

    def ordered(self, path: list[str | int], operator: str, value: Value) -> ColumnElement[bool]:
        sql_operator = "=" if operator == "==" else operator
        node = self._node(path)
        if value.kind == "number":
            number = cast(node, Float)
            return case((func.jsonb_typeof(node) == "number", number.op(sql_operator, is_comparison=True)(float(value.value))),
                        else_=false())
        text = self._text(path)
        if value.kind in _TEMPORAL_KINDS:
            text = func.coalesce(self._text(path + ["@value"]), text)
            guarded = text.op("~", is_comparison=True)(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")
            # A string of date shape with an impossible date (month 13) still fails the
            # cast; the API reports that database error as BadRequestData.
            stamp = cast(text, DateTime(timezone=True))
            bound = cast(literal(str(value.value)), DateTime(timezone=True))
            return case((guarded, stamp.op(sql_operator, is_comparison=True)(bound)), else_=false())
        is_string = func.jsonb_typeof(node) == "string"
        collated = text.collate("C")
        return case((is_string, collated.op(sql_operator, is_comparison=True)(str(value.value))), else_=false())

    def regex(self, path: list[str | int], regex: str) -> ColumnElement[bool]:
        node = self._node(path)
        return case((func.jsonb_typeof(node) == "string", self._text(path).op("~", is_comparison=True)(regex)), else_=false())

