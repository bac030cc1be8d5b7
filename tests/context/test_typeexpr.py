from __future__ import annotations

import pytest

from citybase.context.errors import BadRequestData
from citybase.context.query.typeexpr import TypeAll, TypeAny, TypeName, parse_type_expression


def test_single_and_or_forms() -> None:
    assert parse_type_expression("Building") == TypeName("Building")
    assert parse_type_expression("Building,Park") == TypeAny((TypeName("Building"), TypeName("Park")))
    assert parse_type_expression("Building|Park") == TypeAny((TypeName("Building"), TypeName("Park")))


def test_and_with_parentheses() -> None:
    expression = parse_type_expression("(Building;Shop)|Park")
    assert expression == TypeAny((TypeAll((TypeName("Building"), TypeName("Shop"))), TypeName("Park")))
    assert expression.matches({"Building", "Shop"})
    assert expression.matches({"Park"})
    assert not expression.matches({"Building"})


def test_names_and_map() -> None:
    expression = parse_type_expression("A;B,C")
    assert expression.names() == {"A", "B", "C"}
    assert expression.map(lambda n: "x:" + n).names() == {"x:A", "x:B", "x:C"}


@pytest.mark.parametrize(("text", "position"), [("A,", 3), ("(A;B", 5), ("A)", 2), (",A", 1)])
def test_errors_name_position(text: str, position: int) -> None:
    with pytest.raises(BadRequestData) as raised:
        parse_type_expression(text)
    assert f"position {position}" in str(raised.value)
