"""The typed attribute-value index (``ctx_attr_values``) and the q conditions it serves.

A ``q`` comparison on a top-level attribute (``value>90``, ``state=="fault"``,
``refDevice==urn:...``) tests the ``value`` (or a Relationship's ``object``) of the
attribute's first instance (the default instance; see
:mod:`citybase.context.query.qsql`). Evaluating it on the JSON document reads
every candidate entity; this module keeps those values in a table with one row per
scalar, typed, so that the comparison becomes an index range scan:

- ``kind`` says where the scalar comes from and what it is: ``n`` (number),
  ``s`` (string) or ``b`` (boolean) for the ``value`` itself, the same letters
  with ``[]`` for a member of an array ``value``, and the same with an ``o``
  prefix for a Relationship's ``object`` (``os``, ``os[]``...);
- ``num`` holds numbers (and booleans as 1 and 0), ``txt`` holds strings.

Strings longer than :data:`MAX_TEXT` characters get no row (an index entry has a
size limit on PostgreSQL); they can never equal an operand of at most that
length, and the conditions that could match them (string ordering, longer
operands) are left to the JSON path. Non-finite numbers, objects and nested
arrays get no row either; no comparison the index answers can match them.

:func:`value_rows` builds the rows; :meth:`EntityStore.save` keeps them in the
same transaction as every entity write. :func:`index_condition` compiles one q
condition to ``entity pk IN (SELECT ...)`` or ``EXISTS (SELECT ...)``, or returns None when the condition
needs the JSON path (``!=``, patterns, presence tests, sub-attributes, compound
keys, instance members, dates and times, string ordering). :func:`index_rows` returns the
row statements themselves, which PostgreSQL queries intersect.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, or_, select

from citybase.context.query.qlang import Condition, Pattern, Range, Value, ValueList

MAX_TEXT = 256


def _scalar(value: Any) -> tuple[str, float | None, str | None] | None:
    """Return ``(letter, num, txt)`` of one JSON scalar, or None when the index keeps no row for it."""
    if isinstance(value, bool):
        return "b", 1.0 if value else 0.0, None
    if isinstance(value, (int, float)):
        # As on PostgreSQL's JSON path, numbers compare as floats (integers beyond 2**53
        # approximately); an integer too large for a float gets no row.
        try:
            number = float(value)
        except OverflowError:
            return None
        return ("n", number, None) if math.isfinite(number) else None
    if isinstance(value, str):
        return ("s", None, value) if len(value) <= MAX_TEXT else None
    return None


def _member_rows(entity_pk: int, attr_iri: str, prefix: str, value: Any, rows: list[dict[str, Any]]) -> None:
    if isinstance(value, list):
        seen: set[tuple[str, float | None, str | None]] = set()
        for item in value:
            scalar = _scalar(item)
            if scalar is None or scalar in seen:
                continue
            seen.add(scalar)
            letter, num, txt = scalar
            rows.append({"entity_pk": entity_pk, "attr_iri": attr_iri, "seq": len(rows),
                         "kind": f"{prefix}{letter}[]", "num": num, "txt": txt})
        return
    scalar = _scalar(value)
    if scalar is not None:
        letter, num, txt = scalar
        rows.append({"entity_pk": entity_pk, "attr_iri": attr_iri, "seq": len(rows),
                     "kind": prefix + letter, "num": num, "txt": txt})


def attribute_rows(entity_pk: int, attr_iri: str, instances: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Return the index rows of one attribute: the scalars of its first instance's value and object."""
    rows: list[dict[str, Any]] = []
    if not instances:
        return rows
    instance = instances[0]
    if "value" in instance:
        _member_rows(entity_pk, attr_iri, "", instance["value"], rows)
    if "object" in instance:
        _member_rows(entity_pk, attr_iri, "o", instance["object"], rows)
    return rows


def value_rows(entity_pk: int, attrs: dict[str, list[dict[str, Any]]],
               only: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Return the index rows of an entity's attributes (of those in ``only`` when given)."""
    names = attrs.keys() if only is None else only
    rows: list[dict[str, Any]] = []
    for attr_iri in names:
        rows.extend(attribute_rows(entity_pk, attr_iri, attrs.get(attr_iri)))
    return rows


# ---- q conditions -----------------------------------------------------------------------------

_LETTERS = {"number": "n", "string": "s", "uri": "s", "boolean": "b"}
_ORDERING = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}


def index_condition(condition: Condition, expand: Callable[[str], str],
                    entity_pk: ColumnElement[Any], correlated: bool = False) -> ColumnElement[bool] | None:
    """Compile ``condition`` to ``entity_pk IN (rows of the index)``; return None when the index
    cannot evaluate it.

    With ``correlated`` the condition is ``EXISTS (rows of the index for entity_pk)``
    instead, which SQLite evaluates by probing the index once per candidate rather than
    by collecting every matching row first. PostgreSQL plans both forms as the same
    semi-join.
    """
    selects = index_rows(condition, expand)
    if selects is None:
        return None
    from citybase.context.models import CtxAttrValue

    def matching(rows: Select[Any]) -> ColumnElement[bool]:
        if correlated:
            return exists(rows.where(CtxAttrValue.entity_pk == entity_pk))
        return entity_pk.in_(rows)

    clauses = [matching(rows) for rows in selects]
    return clauses[0] if len(clauses) == 1 else or_(*clauses)


def index_rows(condition: Condition, expand: Callable[[str], str]) -> list[Select[Any]] | None:
    """Return the ``SELECT entity_pk`` statements over the index whose union is the set of
    entities matching ``condition``, or None when the index cannot evaluate it."""
    from citybase.context.models import CtxAttrValue

    path = condition.path
    operator, operand = condition.operator, condition.operand
    if path.sub or path.keys or operator is None or operand is None or isinstance(operand, Pattern):
        return None
    if operator not in ("==", *_ORDERING):
        return None
    attr_iri = expand(path.attribute)
    table = CtxAttrValue
    if operator in _ORDERING:
        if not isinstance(operand, Value) or operand.kind != "number":
            return None
        compare = getattr(table.num, _ORDERING[operator])(operand.value)
        return [select(table.entity_pk).where(table.attr_iri == attr_iri, table.kind == "n", compare)]
    # Equality: a value, a range of numbers or a list of values.
    if isinstance(operand, Range):
        if operand.low.kind != "number" or operand.high.kind != "number":
            return None
        return [select(table.entity_pk).where(
            table.attr_iri == attr_iri, table.kind == "n",
            table.num >= operand.low.value, table.num <= operand.high.value,  # type: ignore[operator]
        )]
    values = operand.values if isinstance(operand, ValueList) else (operand,)
    if any(v.kind not in _LETTERS or (isinstance(v.value, str) and len(v.value) > MAX_TEXT) for v in values):
        return None
    # A string or URI operand anywhere in a list also tests a Relationship's object
    # (for every value of the list), as the JSON path does.
    with_object = any(v.kind in ("uri", "string") for v in values)
    numbers = sorted({float(v.value) for v in values if v.kind == "number"})  # type: ignore[arg-type]
    flags = sorted({1.0 if v.value else 0.0 for v in values if v.kind == "boolean"})
    texts = sorted({str(v.value) for v in values if v.kind in ("string", "uri")})
    selects: list[Select[Any]] = []
    for letter, column, operands in (("n", table.num, numbers), ("b", table.num, flags), ("s", table.txt, texts)):
        if not operands:
            continue
        kinds = [letter, f"{letter}[]"]
        if with_object:
            kinds += [f"o{letter}", f"o{letter}[]"]
        match = column == operands[0] if len(operands) == 1 else column.in_(operands)
        selects.append(select(table.entity_pk).where(table.attr_iri == attr_iri, table.kind.in_(kinds), match))
    return selects
