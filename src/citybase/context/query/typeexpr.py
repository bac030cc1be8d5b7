"""Entity type selection (ETSI GS CIM 009 V1.6.1).

``type=Building`` selects one type; ``,`` and ``|`` mean OR, ``;`` means AND
(an entity with several types that has both), and parentheses group:
``(Building;Shop)|Park``. AND binds tighter than OR, as in ``q``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from citybase.context.errors import BadRequestData
from citybase.context.i18n import _

_TYPE_NAME_RE = re.compile(r"[^\s,;|()]+")


@dataclass(frozen=True)
class TypeName:
    name: str

    def matches(self, types: set[str]) -> bool:
        return self.name in types

    def names(self) -> set[str]:
        return {self.name}

    def map(self, expand: Callable[[str], str]) -> TypeName:
        return TypeName(expand(self.name))


@dataclass(frozen=True)
class TypeAll:
    items: tuple[TypeExpr, ...]

    def matches(self, types: set[str]) -> bool:
        return all(item.matches(types) for item in self.items)

    def names(self) -> set[str]:
        return set().union(*(item.names() for item in self.items))

    def map(self, expand: Callable[[str], str]) -> TypeAll:
        return TypeAll(tuple(item.map(expand) for item in self.items))


@dataclass(frozen=True)
class TypeAny:
    items: tuple[TypeExpr, ...]

    def matches(self, types: set[str]) -> bool:
        return any(item.matches(types) for item in self.items)

    def names(self) -> set[str]:
        return set().union(*(item.names() for item in self.items))

    def map(self, expand: Callable[[str], str]) -> TypeAny:
        return TypeAny(tuple(item.map(expand) for item in self.items))


TypeExpr = TypeName | TypeAll | TypeAny


def parse_type_expression(text: str) -> TypeExpr:
    """Parse a ``type`` parameter; raise BadRequestData naming the position of an error."""
    if not text or not text.strip():
        raise BadRequestData(_("The type parameter is empty; give at least one entity type."))
    parser = _TypeParser(text)
    expression = parser.any()
    if parser.pos < len(text):
        parser.fail(_("',', '|', ';' or the end"))
    return expression


class _TypeParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def any(self) -> TypeExpr:
        items = [self.all()]
        while self.pos < len(self.text) and self.text[self.pos] in ",|":
            self.pos += 1
            items.append(self.all())
        return items[0] if len(items) == 1 else TypeAny(tuple(items))

    def all(self) -> TypeExpr:
        items = [self.term()]
        while self.pos < len(self.text) and self.text[self.pos] == ";":
            self.pos += 1
            items.append(self.term())
        return items[0] if len(items) == 1 else TypeAll(tuple(items))

    def term(self) -> TypeExpr:
        if self.text.startswith("(", self.pos):
            self.pos += 1
            expression = self.any()
            if not self.text.startswith(")", self.pos):
                self.fail(_("')'"))
            self.pos += 1
            return expression
        match = _TYPE_NAME_RE.match(self.text, self.pos)
        if not match:
            self.fail(_("an entity type name"))
        self.pos = match.end()
        return TypeName(match.group())

    def fail(self, expected: str) -> None:
        found = repr(self.text[self.pos]) if self.pos < len(self.text) else _("the end")
        raise BadRequestData(
            _("Invalid type expression {value!r}: expected {expected} at position {position}, "
              "found {found}."),
            value=self.text, expected=expected, position=self.pos + 1, found=found,
        )
